//! The linked tables of secondary suppression: one per year and question, its cells
//! (domain × group, plus an unknown part per background dimension), one layer per kind of
//! estimate, and the relations between its cells as equations.

use std::collections::HashMap;

use super::super::model::{Domain, Group, IndicatorKey, ResultRow};
use super::super::policy;
use super::super::variable::{Kind, Variable};

/// What the engine knows of an estimate row that the published row may not show.
#[derive(Debug, Clone, Copy, Default)]
pub struct CellFacts {
    /// Σ w and n of the valid answers.
    pub w: f64,
    pub n: f64,
    /// The estimate before any suppression, on 0..1 (a mean normalised by its scale's range).
    pub value: Option<f64>,
}

/// The smallest feasible interval a hidden cell must keep (METHODOLOGY §5b rule 2): for a
/// share min(0.10, 2 · min(p̄, 1 − p̄)), p̄ the municipality's share; for a mean 10 % of the
/// scale (the values here are normalised to 0..1, so 0.10).
pub fn protection_width(kind: Kind, municipality: Option<f64>) -> f64 {
    match (kind, municipality) {
        (Kind::Share, Some(p)) => policy::PROTECTION_WIDTH.min(2.0 * p.min(1.0 - p)),
        _ => policy::PROTECTION_WIDTH,
    }
}

/// A relation as an equation: (cell, coefficient) with the total at −1, so Σ a·x = 0.
pub(super) type Equation = Vec<(usize, f64)>;

/// A question estimated both as a share and as a mean: per answer option, whether the share
/// counts it and its score on 0..1. Both estimates of a cell come from the same answers, so
/// together they bound the cell's option frequencies, and an attacker can use that: the
/// check then solves for the frequencies of every option in every cell at once.
#[derive(Debug, Clone)]
pub(super) struct Scale {
    pub(super) counted: Vec<f64>,
    pub(super) score: Vec<f64>,
}

impl Scale {
    fn of(share: &Variable, mean: &Variable) -> Scale {
        let (counted, score) = mean
            .values
            .iter()
            .map(|&(pos, s)| {
                let y = share
                    .values
                    .iter()
                    .find(|v| v.0 == pos)
                    .map_or(0.0, |v| v.1);
                (y, mean.normalised(s))
            })
            .unzip();
        Scale { counted, score }
    }
}

/// One year and question: its cells (domain × group, plus an unknown group per dimension),
/// one layer per kind estimated for the question.
pub(super) struct Table {
    pub(super) groups: usize,
    pub(super) domains: usize,
    pub(super) layers: Vec<Layer>,
    /// Per cell: hidden (unknown parts always are).
    pub(super) hidden: Vec<bool>,
    /// Per cell: an unknown part (never a row of the table).
    pub(super) unknown: Vec<bool>,
    /// The relations as cell lists: the total first, then its parts.
    pub(super) relations: Vec<Vec<usize>>,
    /// Per layer, every relation as an equation with the relation's index. They depend on
    /// the weights alone, not on what is hidden, so they are made once per table.
    pub(super) equations: Vec<Vec<(usize, Equation)>>,
    /// The question's options when it has both a share and a mean layer.
    pub(super) scale: Option<Scale>,
}

/// One kind of estimate (share or mean) of a table, per cell.
pub(super) struct Layer {
    pub(super) kind: Kind,
    pub(super) rows: Vec<Option<usize>>,
    pub(super) w: Vec<f64>,
    pub(super) n: Vec<f64>,
    pub(super) value: Vec<Option<f64>>,
    /// Rows suppressed before this pass (too few answers).
    pub(super) suppressed: Vec<bool>,
    pub(super) width: f64,
}

/// The cells every table of one results table has: domains (the districts, then the
/// municipality) by group columns (the table's groups, then "sex unknown", "age unknown").
struct Shape<'a> {
    districts: &'a [String],
    groups: &'a [Group],
    domains: usize,
    /// Group columns: the groups and the two unknown parts.
    columns: usize,
    /// The column of the group `all`, when the table has one.
    all: Option<usize>,
}

impl<'a> Shape<'a> {
    fn new(districts: &'a [String], groups: &'a [Group]) -> Self {
        Shape {
            districts,
            groups,
            domains: districts.len() + 1,
            columns: groups.len() + 2,
            all: groups.iter().position(|g| *g == Group::All),
        }
    }

    fn cells(&self) -> usize {
        self.domains * self.columns
    }

    fn domain_index(&self, d: &Domain) -> Option<usize> {
        match d {
            Domain::District(code) => self.districts.iter().position(|x| x == code),
            Domain::Municipality => Some(self.districts.len()),
        }
    }

    /// The cell of the unknown part of background dimension `dim` in domain `d`.
    fn unknown(&self, d: usize, dim: usize) -> usize {
        d * self.columns + self.groups.len() + dim
    }

    /// The cells of domain `d`'s groups in background dimension `dim`.
    fn dimension_cells(&self, d: usize, dim: usize) -> impl Iterator<Item = usize> + '_ {
        self.groups
            .iter()
            .enumerate()
            .filter(move |(_, group)| dimension(group) == Some(dim))
            .map(move |(g, _)| d * self.columns + g)
    }
}

/// The background dimension a group belongs to: sex 0, age 1, none for `all`.
fn dimension(g: &Group) -> Option<usize> {
    match g {
        Group::All => None,
        Group::Sex(_) => Some(0),
        Group::Age(_) => Some(1),
    }
}

/// Splits the rows into one table per year and question, with its unknown parts, relations
/// and equations.
pub(super) fn tables(
    rows: &[ResultRow],
    facts: &[CellFacts],
    vars: &[Variable],
    districts: &[String],
    groups: &[Group],
) -> Vec<Table> {
    let shape = Shape::new(districts, groups);
    let mut tables = fill(rows, facts, vars, &shape);
    for table in &mut tables {
        table.complete(&shape);
    }
    tables
}

/// The tables with the rows' cells filled in, in the order their first row comes.
fn fill(rows: &[ResultRow], facts: &[CellFacts], vars: &[Variable], shape: &Shape) -> Vec<Table> {
    let cells = shape.cells();
    let mut tables: Vec<Table> = Vec::new();
    let mut by_key: HashMap<(i32, &str), usize> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        let IndicatorKey::Question(code) = &r.indicator else {
            continue;
        };
        let (Some(d), Some(g)) = (
            shape.domain_index(&r.district),
            shape.groups.iter().position(|x| *x == r.group),
        ) else {
            continue;
        };
        let t = *by_key.entry((r.year, code)).or_insert_with(|| {
            tables.push(Table::empty(shape, vars, code));
            tables.len() - 1
        });
        let table = &mut tables[t];
        let c = d * shape.columns + g;
        let layer = table.layer(r.kind, cells);
        layer.rows[c] = Some(i);
        layer.w[c] = facts[i].w;
        layer.n[c] = facts[i].n;
        layer.value[c] = facts[i].value;
        layer.suppressed[c] = r.suppressed;
        if r.suppressed {
            table.hidden[c] = true;
        }
    }
    tables
}

impl Table {
    /// A table for question `code` with no layers yet.
    fn empty(shape: &Shape, vars: &[Variable], code: &str) -> Table {
        let cells = shape.cells();
        let of = |kind| vars.iter().find(|v| v.kind == kind && v.code == *code);
        Table {
            groups: shape.columns,
            domains: shape.domains,
            layers: Vec::new(),
            hidden: vec![false; cells],
            unknown: (0..cells)
                .map(|c| c % shape.columns >= shape.groups.len())
                .collect(),
            relations: Vec::new(),
            equations: Vec::new(),
            scale: of(Kind::Share)
                .zip(of(Kind::Mean))
                .map(|(s, m)| Scale::of(s, m)),
        }
    }

    /// The layer of `kind`, added empty when the table has none yet.
    fn layer(&mut self, kind: Kind, cells: usize) -> &mut Layer {
        let l = match self.layers.iter().position(|l| l.kind == kind) {
            Some(l) => l,
            None => {
                self.layers.push(Layer {
                    kind,
                    rows: vec![None; cells],
                    w: vec![0.0; cells],
                    n: vec![0.0; cells],
                    value: vec![None; cells],
                    suppressed: vec![false; cells],
                    width: policy::PROTECTION_WIDTH,
                });
                self.layers.len() - 1
            }
        };
        &mut self.layers[l]
    }

    /// Hides the unknown parts and, when the table has the group `all`, fills them in, sets
    /// each layer's protection width and makes the relations and their equations.
    fn complete(&mut self, shape: &Shape) {
        for c in 0..shape.cells() {
            if self.unknown[c] {
                self.hidden[c] = true;
            }
        }
        let Some(all) = shape.all else { return };
        for layer in &mut self.layers {
            layer.fill_unknown_parts(shape, all);
            let municipality = layer.value[(shape.domains - 1) * shape.columns + all];
            layer.width = protection_width(layer.kind, municipality);
        }
        self.relations = relations(shape, all);
        self.equations = (0..self.layers.len())
            .map(|l| self.make_equations(l))
            .collect();
    }

    /// Whether cell `c` of layer `l` must keep a wide interval: a hidden table cell with
    /// respondents. The unknown parts are unknowns of the relations, never protected cells.
    pub(super) fn protected(&self, l: usize, c: usize) -> bool {
        self.hidden[c] && !self.unknown[c] && self.layers[l].w[c] > 0.0
    }

    /// A relation of a layer as (cell, coefficient): total −1, parts W_c / W_total; `None`
    /// when the total has no respondents in this layer.
    fn equation(&self, l: usize, rel: &[usize]) -> Option<Equation> {
        let layer = &self.layers[l];
        let total = rel[0];
        if layer.w[total] <= 0.0 {
            return None;
        }
        let mut eq = vec![(total, -1.0)];
        eq.extend(
            rel[1..]
                .iter()
                .filter(|&&c| layer.w[c] > 0.0)
                .map(|&c| (c, layer.w[c] / layer.w[total])),
        );
        Some(eq)
    }

    /// The value of a published cell (a constant of the relations).
    pub(super) fn known(&self, l: usize, c: usize) -> f64 {
        self.layers[l].value[c].unwrap_or(0.0)
    }

    /// Every relation of a layer as an equation, with its index.
    fn make_equations(&self, l: usize) -> Vec<(usize, Equation)> {
        self.relations
            .iter()
            .enumerate()
            .filter_map(|(r, rel)| self.equation(l, rel).map(|eq| (r, eq)))
            .collect()
    }
}

impl Layer {
    /// The unknown part of each dimension: the domain's total less its groups.
    fn fill_unknown_parts(&mut self, shape: &Shape, all: usize) {
        for d in 0..shape.domains {
            let total = d * shape.columns + all;
            for dim in 0..2 {
                let unknown = shape.unknown(d, dim);
                let (mut w, mut n) = (self.w[total], self.n[total]);
                for c in shape.dimension_cells(d, dim) {
                    w -= self.w[c];
                    n -= self.n[c];
                }
                // Rounding can leave a hair of weight where there is nobody.
                if n >= 0.5 && w > 1e-9 * self.w[total] {
                    self.w[unknown] = w;
                    self.n[unknown] = n.round();
                }
            }
        }
    }
}

/// The relations of a table as cell lists, the total first: the municipality over the
/// districts for every group column, then each domain's total over the groups of each
/// dimension, the unknown part included.
fn relations(shape: &Shape, all: usize) -> Vec<Vec<usize>> {
    let columns = shape.columns;
    let mut out = Vec::new();
    for g in 0..columns {
        let mut rel = vec![(shape.domains - 1) * columns + g];
        rel.extend((0..shape.domains - 1).map(|d| d * columns + g));
        out.push(rel);
    }
    for d in 0..shape.domains {
        for dim in 0..2 {
            let mut rel = vec![d * columns + all];
            rel.extend(shape.dimension_cells(d, dim));
            rel.push(shape.unknown(d, dim));
            out.push(rel);
        }
    }
    out
}
