//! Secondary (complementary) suppression, METHODOLOGY §5b: published totals minus published
//! parts must not give a hidden cell back.
//!
//! For each year and question the results table holds linked relations, each a published
//! total over its parts (weights W_c / W_total):
//! - the municipality over the districts, for every group;
//! - a domain's `all` over the groups of each background dimension, with the respondents who
//!   did not give that dimension as an "unknown" part that is never published;
//!
//! so Σ a_c x_c = 0 with a_total = −1. A hidden cell is a variable in [0, 1] (a mean on its
//! scale's range, normalised); a published one is a constant. Every hidden cell must keep a
//! feasible interval — minimum and maximum of it by linear programming over all relations — at
//! least [`protection_width`] wide; where it does not, the published part with the smallest n
//! of the relation that bounds it most is hidden as well, and the check repeats. Hiding only
//! ever widens intervals, so a cell that passed stays passed and each cell is checked until it
//! passes once.
//!
//! The unknown parts (no answer, or a sex option too rare to weight by) are unknowns of the
//! relations, so they widen the intervals of the cells beside them, but they are not
//! protected themselves: they are no group of the table, and protecting them would hide the
//! sex and age breakdown of nearly every district (the README says so under Privacy).
//! The share and the mean of one question share one hidden flag per cell (§5b rule 3),
//! because the two are checked together as layers of one problem.

use std::collections::HashMap;

use microlp::{ComparisonOp, OptimizationDirection, Problem};

use super::model::{Domain, Group, IndicatorKey, ResultRow, Suppression};
use super::policy;
use super::variable::{Kind, Variable};

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

/// Cells whose interval is narrower than the protection width by less than this are accepted:
/// the linear programs are solved in floating point.
const TOLERANCE: f64 = 1e-9;

/// Applies secondary suppression to the estimate rows of a table. `facts[i]` belongs to
/// `rows[i]`; `districts` is the display order (the municipality comes after them). Returns
/// the number of cells hidden to protect others (a share and a mean of one cell count once).
pub fn protect(
    rows: &mut [ResultRow],
    facts: &[CellFacts],
    vars: &[Variable],
    districts: &[String],
    groups: &[Group],
) -> usize {
    let problems = problems(rows, facts, vars, districts, groups);
    let decided: Vec<Vec<Vec<usize>>> = {
        use rayon::prelude::*;
        problems
            .into_par_iter()
            .map(|mut p| {
                p.solve();
                p.secondary_rows()
            })
            .collect()
    };
    let mut cells = 0;
    for cell in decided.into_iter().flatten() {
        cells += 1;
        for i in cell {
            hide(&mut rows[i], Suppression::ProtectsOther);
        }
    }
    cells
}

/// Clears everything a hidden row would publish, keeping only why it is hidden.
pub fn hide(row: &mut ResultRow, reason: Suppression) {
    row.n = None;
    row.n_eff = None;
    row.nonresponse = None;
    row.estimate = None;
    row.se = None;
    row.ci_low = None;
    row.ci_high = None;
    row.var = None;
    row.level = None;
    row.class = None;
    row.uncertain = false;
    row.suppressed = true;
    row.suppression = Some(reason);
}

/// The width of an objective's range: the linear program `build` makes, maximised less
/// minimised; `None` when the solver gives no answer.
fn spread(build: impl Fn(OptimizationDirection) -> Problem) -> Option<f64> {
    let optimum = |direction| match build(direction).solve().ok()? {
        microlp::SolveOutcome::Solution(s) => Some(s.objective()),
        microlp::SolveOutcome::Interrupted(_) => None,
    };
    let lo = optimum(OptimizationDirection::Minimize)?;
    let hi = optimum(OptimizationDirection::Maximize)?;
    Some(hi - lo)
}

/// A relation as an equation: (cell, coefficient) with the total at −1, so Σ a·x = 0.
type Equation = Vec<(usize, f64)>;

/// How a hidden cell stands.
enum Exposure {
    /// Its interval is wide enough.
    Safe,
    /// One relation alone pins it; the relations that bound it, the narrowest first.
    Alone(Vec<usize>),
    /// Each relation alone leaves it wide, but together they do not.
    Jointly,
}

/// A question estimated both as a share and as a mean: per answer option, whether the share
/// counts it and its score on 0..1. Both estimates of a cell come from the same answers, so
/// together they bound the cell's option frequencies, and an attacker can use that: the
/// check then solves for the frequencies of every option in every cell at once.
#[derive(Debug, Clone)]
struct Scale {
    counted: Vec<f64>,
    score: Vec<f64>,
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
struct Table {
    groups: usize,
    domains: usize,
    layers: Vec<Layer>,
    /// Per cell: hidden (unknown parts always are).
    hidden: Vec<bool>,
    /// Per cell: an unknown part (never a row of the table).
    unknown: Vec<bool>,
    /// The relations as cell lists: the total first, then its parts.
    relations: Vec<Vec<usize>>,
    /// Per layer, every relation as an equation with the relation's index. They depend on
    /// the weights alone, not on what is hidden, so they are made once per table.
    equations: Vec<Vec<(usize, Equation)>>,
    /// The question's options when it has both a share and a mean layer.
    scale: Option<Scale>,
}

struct Layer {
    kind: Kind,
    rows: Vec<Option<usize>>,
    w: Vec<f64>,
    n: Vec<f64>,
    value: Vec<Option<f64>>,
    /// Rows suppressed before this pass (too few answers).
    suppressed: Vec<bool>,
    width: f64,
}

/// Splits the rows into one table per year and question.
fn problems(
    rows: &[ResultRow],
    facts: &[CellFacts],
    vars: &[Variable],
    districts: &[String],
    groups: &[Group],
) -> Vec<Table> {
    let domains = districts.len() + 1;
    // Group columns: the table's groups, then "sex unknown", "age unknown".
    let g_count = groups.len() + 2;
    let cells = domains * g_count;
    let domain_index = |d: &Domain| match d {
        Domain::District(code) => districts.iter().position(|x| x == code),
        Domain::Municipality => Some(districts.len()),
    };
    let mut tables: Vec<Table> = Vec::new();
    let mut by_key: HashMap<(i32, &str), usize> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        let IndicatorKey::Question(code) = &r.indicator else {
            continue;
        };
        let (Some(d), Some(g)) = (
            domain_index(&r.district),
            groups.iter().position(|x| *x == r.group),
        ) else {
            continue;
        };
        let t = *by_key.entry((r.year, code)).or_insert_with(|| {
            tables.push(Table {
                groups: g_count,
                domains,
                layers: Vec::new(),
                hidden: vec![false; cells],
                unknown: (0..cells).map(|c| c % g_count >= groups.len()).collect(),
                relations: Vec::new(),
                equations: Vec::new(),
                scale: {
                    let of = |kind| vars.iter().find(|v| v.kind == kind && v.code == *code);
                    of(Kind::Share)
                        .zip(of(Kind::Mean))
                        .map(|(s, m)| Scale::of(s, m))
                },
            });
            tables.len() - 1
        });
        let table = &mut tables[t];
        let l = match table.layers.iter().position(|l| l.kind == r.kind) {
            Some(l) => l,
            None => {
                table.layers.push(Layer {
                    kind: r.kind,
                    rows: vec![None; cells],
                    w: vec![0.0; cells],
                    n: vec![0.0; cells],
                    value: vec![None; cells],
                    suppressed: vec![false; cells],
                    width: policy::PROTECTION_WIDTH,
                });
                table.layers.len() - 1
            }
        };
        let c = d * g_count + g;
        let layer = &mut table.layers[l];
        layer.rows[c] = Some(i);
        layer.w[c] = facts[i].w;
        layer.n[c] = facts[i].n;
        layer.value[c] = facts[i].value;
        layer.suppressed[c] = r.suppressed;
        if r.suppressed {
            table.hidden[c] = true;
        }
    }
    let dim_of = |g: &Group| match g {
        Group::All => None,
        Group::Sex(_) => Some(0),
        Group::Age(_) => Some(1),
    };
    let all = groups.iter().position(|g| *g == Group::All);
    for table in &mut tables {
        for c in 0..cells {
            if table.unknown[c] {
                table.hidden[c] = true;
            }
        }
        let Some(all) = all else { continue };
        // The unknown part of each dimension: the domain's total less its groups.
        for layer in &mut table.layers {
            for d in 0..domains {
                let total = d * g_count + all;
                for dim in 0..2 {
                    let unknown = d * g_count + groups.len() + dim;
                    let (mut w, mut n) = (layer.w[total], layer.n[total]);
                    for (g, group) in groups.iter().enumerate() {
                        if dim_of(group) == Some(dim) {
                            let c = d * g_count + g;
                            w -= layer.w[c];
                            n -= layer.n[c];
                        }
                    }
                    // Rounding can leave a hair of weight where there is nobody.
                    if n >= 0.5 && w > 1e-9 * layer.w[total] {
                        layer.w[unknown] = w;
                        layer.n[unknown] = n.round();
                    }
                }
            }
            let municipality = layer.value[(domains - 1) * g_count + all];
            layer.width = protection_width(layer.kind, municipality);
        }
        // The municipality over the districts, for every group column.
        for g in 0..g_count {
            let mut rel = vec![(domains - 1) * g_count + g];
            rel.extend((0..domains - 1).map(|d| d * g_count + g));
            table.relations.push(rel);
        }
        // Each domain's total over the groups of each dimension, the unknown part included.
        for d in 0..domains {
            for dim in 0..2 {
                let mut rel = vec![d * g_count + all];
                rel.extend(
                    groups
                        .iter()
                        .enumerate()
                        .filter(|(_, group)| dim_of(group) == Some(dim))
                        .map(|(g, _)| d * g_count + g),
                );
                rel.push(d * g_count + groups.len() + dim);
                table.relations.push(rel);
            }
        }
        table.equations = (0..table.layers.len())
            .map(|l| table.make_equations(l))
            .collect();
    }
    tables
}

impl Table {
    /// Whether cell `c` of layer `l` must keep a wide interval: a hidden table cell with
    /// respondents. The unknown parts are unknowns of the relations, never protected cells.
    fn protected(&self, l: usize, c: usize) -> bool {
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
    fn known(&self, l: usize, c: usize) -> f64 {
        self.layers[l].value[c].unwrap_or(0.0)
    }

    /// The interval of cell `j` from one relation alone, the other hidden parts free.
    fn single_width(&self, l: usize, eq: &[(usize, f64)], j: usize) -> f64 {
        let mut rhs = 0.0;
        let (mut lo, mut hi) = (0.0, 0.0);
        let mut a_j = 0.0;
        for &(c, a) in eq {
            if c == j {
                a_j = a;
            } else if self.hidden[c] {
                lo += a.min(0.0);
                hi += a.max(0.0);
            } else {
                rhs -= a * self.known(l, c);
            }
        }
        if a_j == 0.0 {
            return 1.0;
        }
        let (x1, x2) = ((rhs - hi) / a_j, (rhs - lo) / a_j);
        let (lo, hi) = (x1.min(x2).max(0.0), x1.max(x2).min(1.0));
        (hi - lo).max(0.0)
    }

    /// The feasible interval's width of cell `j` given every relation, by linear programming;
    /// `None` when the solver gives no answer (then the cell is treated as exposed).
    fn joint_width(&self, l: usize, j: usize) -> Option<f64> {
        let eqs = &self.equations[l];
        let build = |direction| {
            let mut lp = Problem::new(direction);
            let mut vars = HashMap::new();
            for (_, eq) in eqs {
                for &(c, _) in eq {
                    if self.hidden[c] && !vars.contains_key(&c) {
                        let objective = if c == j { 1.0 } else { 0.0 };
                        vars.insert(c, lp.add_var(objective, (0.0, 1.0)));
                    }
                }
            }
            for (_, eq) in eqs {
                let mut rhs = 0.0;
                let mut terms = Vec::new();
                for &(c, a) in eq {
                    match vars.get(&c) {
                        Some(&v) => terms.push((v, a)),
                        None => rhs -= a * self.known(l, c),
                    }
                }
                if !terms.is_empty() {
                    lp.add_constraint(terms.as_slice(), ComparisonOp::Eq, rhs);
                }
            }
            lp
        };
        spread(build)
    }

    /// The width of cell `j`'s interval in layer `l` when the share and the mean layer are
    /// solved together through option frequencies f[c][o] (every cell's sum to 1, a
    /// published cell's counted sum its share and scored sum its mean, and every relation
    /// holding option by option). `None` when the question has no second layer, their
    /// weights differ, or the solver gives no answer.
    fn coupled_width(&self, l: usize, j: usize) -> Option<f64> {
        let scale = self.scale.as_ref()?;
        let share = self.layers.iter().position(|x| x.kind == Kind::Share)?;
        let mean = self.layers.iter().position(|x| x.kind == Kind::Mean)?;
        let (ws, wm) = (&self.layers[share].w, &self.layers[mean].w);
        if ws
            .iter()
            .zip(wm)
            .any(|(a, b)| (a - b).abs() > 1e-9 * a.abs().max(1.0))
        {
            return None;
        }
        let goal = if self.layers[l].kind == Kind::Share {
            &scale.counted
        } else {
            &scale.score
        };
        let build = |direction| {
            let mut lp = Problem::new(direction);
            let mut f: HashMap<usize, Vec<microlp::Variable>> = HashMap::new();
            for c in (0..ws.len()).filter(|&c| ws[c] > 0.0) {
                let vars: Vec<microlp::Variable> = (0..goal.len())
                    .map(|o| lp.add_var(if c == j { goal[o] } else { 0.0 }, (0.0, 1.0)))
                    .collect();
                let all: Vec<(microlp::Variable, f64)> = vars.iter().map(|&v| (v, 1.0)).collect();
                lp.add_constraint(all.as_slice(), ComparisonOp::Eq, 1.0);
                if !self.hidden[c] {
                    for (weights, layer) in [(&scale.counted, share), (&scale.score, mean)] {
                        let terms: Vec<(microlp::Variable, f64)> =
                            vars.iter().zip(weights).map(|(&v, &a)| (v, a)).collect();
                        lp.add_constraint(terms.as_slice(), ComparisonOp::Eq, self.known(layer, c));
                    }
                }
                f.insert(c, vars);
            }
            for rel in &self.relations {
                let total = rel[0];
                let Some(ft) = f.get(&total) else { continue };
                for o in 0..goal.len() {
                    let mut terms = vec![(ft[o], -1.0)];
                    terms.extend(
                        rel[1..]
                            .iter()
                            .filter_map(|p| f.get(p).map(|fp| (fp[o], ws[*p] / ws[total]))),
                    );
                    lp.add_constraint(terms.as_slice(), ComparisonOp::Eq, 0.0);
                }
            }
            lp
        };
        spread(build)
    }

    /// Every relation of a layer as an equation, with its index.
    fn make_equations(&self, l: usize) -> Vec<(usize, Equation)> {
        self.relations
            .iter()
            .enumerate()
            .filter_map(|(r, rel)| self.equation(l, rel).map(|eq| (r, eq)))
            .collect()
    }

    /// The width of cell `j`'s feasible interval given every relation (0 when the solver
    /// gives no answer: then the cell counts as exposed).
    fn joint(&self, l: usize, j: usize) -> f64 {
        let alone = self.joint_width(l, j).unwrap_or(0.0);
        // The layers together can only be narrower; solve them together only when the
        // layer alone leaves the cell wide.
        if alone < self.layers[l].width - TOLERANCE || self.scale.is_none() {
            return alone;
        }
        match self.coupled_width(l, j) {
            Some(w) => w,
            // No second layer of the same weights: the layer alone is the whole story.
            None if !self.coupled() => alone,
            None => 0.0,
        }
    }

    /// Whether the share and mean layers are both there to be solved together.
    fn coupled(&self) -> bool {
        self.scale.is_some()
            && self.layers.iter().any(|l| l.kind == Kind::Share)
            && self.layers.iter().any(|l| l.kind == Kind::Mean)
    }

    /// Whether cell `j` of layer `l` is exposed, and by what.
    fn exposure(&self, l: usize, j: usize) -> Exposure {
        let width = self.layers[l].width - TOLERANCE;
        let mut bounding: Vec<(f64, usize)> = self.equations[l]
            .iter()
            .filter(|(_, eq)| eq.iter().any(|&(c, _)| c == j))
            .map(|(r, eq)| (self.single_width(l, eq, j), *r))
            .collect();
        bounding.sort_by(|a, b| a.0.total_cmp(&b.0));
        if bounding.first().is_some_and(|b| b.0 < width) {
            Exposure::Alone(bounding.into_iter().map(|(_, r)| r).collect())
        } else if self.joint(l, j) < width {
            Exposure::Jointly
        } else {
            Exposure::Safe
        }
    }

    /// Published cells of a layer, smallest n first (ties: smallest weight), among `cells`.
    fn smallest_first(&self, l: usize, cells: impl Iterator<Item = usize>) -> Vec<usize> {
        let layer = &self.layers[l];
        let mut out: Vec<usize> = cells
            .filter(|&c| !self.hidden[c] && layer.w[c] > 0.0)
            .collect();
        out.sort_by(|&a, &b| {
            (layer.n[a], layer.w[a])
                .partial_cmp(&(layer.n[b], layer.w[b]))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        out.dedup();
        out
    }

    /// The cell to hide for exposed cell `j`. When one relation alone pins it: that
    /// relation's published part with the smallest n (or, with none left, its total). When
    /// only the relations together do: the smallest published cell near `j` (in a relation
    /// with `j` or with a hidden cell that shares one with `j`) that is enough alone, else
    /// the one that widens `j` most.
    fn cell_to_hide(&mut self, l: usize, j: usize, exposure: &Exposure) -> Option<usize> {
        match exposure {
            Exposure::Safe => None,
            Exposure::Alone(relations) => relations.iter().find_map(|&r| {
                let rel = &self.relations[r];
                self.smallest_first(l, rel[1..].iter().copied())
                    .into_iter()
                    .next()
                    .or_else(|| self.smallest_first(l, std::iter::once(rel[0])).pop())
            }),
            Exposure::Jointly => {
                let near: Vec<usize> = {
                    let with_j = |c: usize| self.relations.iter().filter(move |r| r.contains(&c));
                    let hidden: Vec<usize> = with_j(j)
                        .flatten()
                        .copied()
                        .filter(|&c| self.hidden[c])
                        .collect();
                    let mut cells: Vec<usize> = hidden
                        .iter()
                        .flat_map(|&h| with_j(h).flatten().copied())
                        .collect();
                    cells.sort_unstable();
                    cells.dedup();
                    self.smallest_first(l, cells.into_iter())
                };
                let width = self.layers[l].width - TOLERANCE;
                let mut best: Option<(f64, usize)> = None;
                for c in near {
                    self.hidden[c] = true;
                    let w = self.joint(l, j);
                    self.hidden[c] = false;
                    if w >= width {
                        return Some(c);
                    }
                    if best.is_none_or(|b| w > b.0 + TOLERANCE) {
                        best = Some((w, c));
                    }
                }
                best.map(|b| b.1)
            }
        }
    }

    /// Hides cells until every protected cell of every layer is wide enough.
    fn solve(&mut self) {
        let cells = self.domains * self.groups;
        // Smallest n first: the cells most at risk are settled before those hidden for them.
        let n_of = |t: &Table, c: usize| {
            t.layers
                .iter()
                .map(|l| l.n[c])
                .fold(f64::INFINITY, f64::min)
        };
        let mut queue: Vec<usize> = (0..cells).filter(|&c| self.hidden[c]).collect();
        queue.sort_by(|&a, &b| n_of(self, a).total_cmp(&n_of(self, b)));
        let mut next = 0;
        while next < queue.len() {
            let j = queue[next];
            next += 1;
            for l in 0..self.layers.len() {
                if !self.protected(l, j) {
                    continue;
                }
                loop {
                    let exposure = self.exposure(l, j);
                    if let Exposure::Safe = exposure {
                        break;
                    }
                    let Some(c) = self.cell_to_hide(l, j, &exposure) else {
                        // Everything around it is hidden already: nothing more can be done.
                        break;
                    };
                    self.hidden[c] = true;
                    queue.push(c);
                }
            }
        }
    }

    /// The rows to hide now, one list per cell: every row of a cell this pass hid, and the
    /// rows of a hidden cell that are still published (a mean beside a suppressed share).
    fn secondary_rows(&self) -> Vec<Vec<usize>> {
        (0..self.domains * self.groups)
            .filter(|&c| self.hidden[c] && !self.unknown[c])
            .map(|c| {
                self.layers
                    .iter()
                    .filter(|l| !l.suppressed[c])
                    .filter_map(|l| l.rows[c])
                    .collect::<Vec<_>>()
            })
            .filter(|rows| !rows.is_empty())
            .collect()
    }
}
