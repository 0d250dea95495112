//! The results table: estimates per year × district × group × indicator, index levels,
//! year-over-year changes with Benjamini–Hochberg q-values, and suppression.
//!
//! Suppression happens here, while the rows are built: a suppressed row never receives an
//! estimate, interval, level or change, so no consumer can leak one. Small cells are hidden
//! first (METHODOLOGY §5), then [`super::suppression`] hides what would give them back by
//! subtraction (§5b), and only then are index levels and changes computed, from published
//! cells alone.

use std::collections::{BTreeMap, HashMap};

use super::aggregate::Aggregates;
pub use super::model::{Comparison, ResultRow};
use super::model::{Domain, Group, IndexClass, IndexName, IndicatorKey, Suppression};
use super::options::Options;
use super::stats::{self, Change, Estimate, Sums};
use super::suppression::{self, CellFacts};
use super::variable::{Kind, Variable};

/// Inputs for building the table.
pub struct TableInput<'a> {
    pub aggs: &'a Aggregates,
    pub vars: &'a [Variable],
    /// Index blocks in questionnaire order.
    pub blocks: &'a [String],
    pub years: &'a [i32],
    /// District codes in display order (the municipality is added last).
    pub districts: &'a [String],
    pub groups: &'a [Group],
    /// Codes asked per (year, district).
    pub asked: &'a HashMap<(i32, String), std::collections::BTreeSet<String>>,
    /// Whether a district's wave of a year was weighted (to population margins, or by its
    /// design weights alone).
    pub weighted: &'a HashMap<(i32, String), bool>,
    /// The (year, district) waves answered through an open link rather than drawn as a
    /// random sample.
    pub open_link: &'a std::collections::HashSet<(i32, String)>,
    pub options: &'a Options,
}

/// The sums of the districts that asked a variable in a year, one stratum per district
/// (METHODOLOGY §4b), and the domain's respondents.
pub fn pooled(
    input: &TableInput,
    year: i32,
    districts: &[String],
    group: &Group,
    var: usize,
) -> Option<(Vec<Sums>, f64)> {
    let code = &input.vars[var].code;
    let mut strata = Vec::new();
    let mut rows = 0.0;
    let mut any = false;
    for d in districts {
        if !input
            .asked
            .get(&(year, d.clone()))
            .is_some_and(|a| a.contains(code))
        {
            continue;
        }
        any = true;
        let domain = (year, d.clone(), group.clone());
        if let Some(s) = input.aggs.sums(&domain, var) {
            strata.push(*s);
        }
        rows += input.aggs.rows.get(&domain).copied().unwrap_or(0.0);
    }
    any.then_some((strata, rows))
}

/// All strata of a domain added up.
pub fn total(strata: &[Sums]) -> Sums {
    let mut t = Sums::default();
    for s in strata {
        t.add(s);
    }
    t
}

pub use super::policy::SMALLEST_PUBLISHED_N;

/// Whether an estimate must be suppressed (METHODOLOGY §5).
pub fn suppress(e: Option<&Estimate>, options: &Options) -> bool {
    match e {
        None => true,
        Some(e) => e.n < options.min_n.max(SMALLEST_PUBLISHED_N) || e.n_eff < options.min_n_eff,
    }
}

pub fn estimate(kind: Kind, strata: &[Sums]) -> Option<Estimate> {
    match kind {
        Kind::Share => stats::share_strata(strata),
        Kind::Mean => stats::mean_strata(strata),
        Kind::Index => None,
    }
}

/// The variance an estimate enters a test with: for shares at 0 or 1 the adjusted one
/// (METHODOLOGY §3), otherwise the linearised variance.
pub fn test_var(kind: Kind, e: &Estimate) -> f64 {
    match kind {
        Kind::Share => e.test_var_share(),
        _ => e.var,
    }
}

/// Whether `holds` for a domain's wave of a year: a district's own, or — for the
/// municipality — any of its districts' waves.
fn any_wave(
    input: &TableInput,
    year: i32,
    domain: &Domain,
    holds: impl Fn(&(i32, String)) -> bool,
) -> bool {
    match domain {
        Domain::District(d) => holds(&(year, d.clone())),
        Domain::Municipality => input.districts.iter().any(|d| holds(&(year, d.clone()))),
    }
}

/// Whether a domain was weighted in a year (the municipality when any district was).
fn weighted(input: &TableInput, year: i32, domain: &Domain) -> bool {
    any_wave(input, year, domain, |k| {
        input.weighted.get(k).copied().unwrap_or(false)
    })
}

/// Whether a domain's answers in a year are self-selected: its wave was an open link (the
/// municipality's when any district's was).
pub fn self_selected(input: &TableInput, year: i32, domain: &Domain) -> bool {
    any_wave(input, year, domain, |k| input.open_link.contains(k))
}

/// The results table, and how many cells were hidden to protect others (METHODOLOGY §5b).
pub struct Table {
    pub rows: Vec<ResultRow>,
    pub protecting: usize,
}

pub fn build(input: &TableInput) -> Table {
    let mut domains: Vec<Domain> = input
        .districts
        .iter()
        .map(|d| Domain::District(d.clone()))
        .collect();
    domains.push(Domain::Municipality);
    // The estimate rows of each year × domain × group, with what suppression needs to know.
    let mut rows = Vec::new();
    let mut facts = Vec::new();
    let mut chunks = Vec::new();
    for &year in input.years {
        for district in &domains {
            let members: Vec<String> = match district {
                Domain::Municipality => input.districts.to_vec(),
                Domain::District(d) => vec![d.clone()],
            };
            for group in input.groups {
                let start = rows.len();
                for (i, v) in input.vars.iter().enumerate() {
                    let Some((sums, domain_rows)) = pooled(input, year, &members, group, i) else {
                        continue;
                    };
                    let (row, fact) =
                        estimate_row(input, year, district, group, v, &sums, domain_rows);
                    rows.push(row);
                    facts.push(fact);
                }
                chunks.push((start..rows.len(), year, district, group));
            }
        }
    }
    let started = std::time::Instant::now();
    let protecting =
        suppression::protect(&mut rows, &facts, input.vars, input.districts, input.groups);
    tracing::info!(
        us = started.elapsed().as_micros() as u64,
        protecting,
        "secondary suppression done"
    );
    // Index rows after each domain's estimates, from the published shares only.
    let mut table = Vec::with_capacity(rows.len() + chunks.len() * (input.blocks.len() + 1));
    let mut estimates = rows.into_iter();
    for (range, year, district, group) in chunks {
        let chunk: Vec<ResultRow> = estimates.by_ref().take(range.len()).collect();
        let shares: Vec<&ResultRow> = chunk.iter().filter(|r| r.kind == Kind::Share).collect();
        let index = index_rows(input, year, district, group, &shares);
        table.extend(chunk);
        table.extend(index);
    }
    compare(&mut table, input.options.base_year);
    Table {
        rows: table,
        protecting,
    }
}

fn estimate_row(
    input: &TableInput,
    year: i32,
    district: &Domain,
    group: &Group,
    v: &Variable,
    strata: &[Sums],
    domain_rows: f64,
) -> (ResultRow, CellFacts) {
    let e = estimate(v.kind, strata);
    let sums = total(strata);
    let suppressed = suppress(e.as_ref(), input.options);
    let facts = CellFacts {
        w: sums.w,
        n: sums.n,
        value: e.as_ref().map(|e| v.normalised(e.estimate)),
    };
    let shown = e.filter(|_| !suppressed);
    let level = match (v.kind, v.norm, &shown) {
        (Kind::Share, Some(norm), Some(e)) => Some(stats::level(e.estimate, norm)),
        _ => None,
    };
    let row = ResultRow {
        year,
        district: district.clone(),
        group: group.clone(),
        indicator: IndicatorKey::Question(v.code.clone()),
        kind: v.kind,
        // A hidden row says only why: not even how many answered.
        n: (!suppressed).then_some(sums.n),
        n_eff: shown.map(|e| e.n_eff),
        nonresponse: (domain_rows > 0.0 && !suppressed)
            .then(|| (domain_rows - sums.n) / domain_rows),
        estimate: shown.map(|e| e.estimate),
        se: shown.map(|e| e.se),
        ci_low: shown.map(|e| e.ci_low),
        ci_high: shown.map(|e| e.ci_high),
        var: shown.map(|e| test_var(v.kind, &e)),
        level,
        class: None,
        suppressed,
        suppression: suppressed.then_some(Suppression::TooFewAnswers),
        uncertain: v.kind == Kind::Share
            && shown.is_some_and(|e| e.ci_high - e.ci_low > input.options.uncertain_width),
        weighted: weighted(input, year, district),
        self_selected: self_selected(input, year, district),
        prev: Comparison::default(),
        base: Comparison::default(),
    };
    (row, facts)
}

/// Index rows (one per block and the total) from the domain's share rows.
fn index_rows(
    input: &TableInput,
    year: i32,
    district: &Domain,
    group: &Group,
    shares: &[&ResultRow],
) -> Vec<ResultRow> {
    let mut out = Vec::new();
    let mut targets: Vec<(IndexName, Option<&str>)> = input
        .blocks
        .iter()
        .map(|b| (IndexName::Block(b.clone()), Some(b.as_str())))
        .collect();
    targets.push((IndexName::Total, None));
    for (name, block) in targets {
        let members: Vec<&ResultRow> = shares
            .iter()
            .copied()
            .filter(|r| {
                input
                    .vars
                    .iter()
                    .find(|v| v.kind == Kind::Share && r.indicator.is(&v.code))
                    .is_some_and(|v| match block {
                        Some(b) => v.index.as_deref() == Some(b),
                        None => v.index.is_some(),
                    })
            })
            .collect();
        if members.is_empty() {
            continue;
        }
        let levels: Vec<f64> = members
            .iter()
            .filter_map(|r| r.level.map(f64::from))
            .collect();
        // Fewer than half of the block's indicators left: the index itself is suppressed.
        let suppressed = levels.is_empty() || levels.len() * 2 < members.len();
        let value = (!suppressed).then(|| levels.iter().sum::<f64>() / levels.len() as f64);
        out.push(ResultRow {
            year,
            district: district.clone(),
            group: group.clone(),
            indicator: IndicatorKey::Index(name),
            kind: Kind::Index,
            n: None,
            n_eff: None,
            nonresponse: None,
            estimate: value,
            se: None,
            ci_low: None,
            ci_high: None,
            var: None,
            level: None,
            class: value.map(IndexClass::of),
            suppressed,
            suppression: suppressed.then_some(Suppression::TooFewAnswers),
            uncertain: false,
            weighted: weighted(input, year, district),
            self_selected: self_selected(input, year, district),
            prev: Comparison::default(),
            base: Comparison::default(),
        });
    }
    out
}

fn change_between(a: &ResultRow, b: &ResultRow) -> (Option<f64>, Option<Change>) {
    if a.suppressed || b.suppressed {
        return (None, None);
    }
    let (Some(ea), Some(eb)) = (a.estimate, b.estimate) else {
        return (None, None);
    };
    // A self-selected year has no sampling distribution to test against: the difference
    // is shown, but no p, q or significance is claimed for it.
    if a.self_selected || b.self_selected {
        return (Some(eb - ea), None);
    }
    match (a.var, b.var) {
        (Some(va), Some(vb)) => (Some(eb - ea), Some(stats::change(ea, va, eb, vb))),
        _ => (Some(eb - ea), None),
    }
}

/// Fills in the year-over-year and base-year comparisons, then the q-values over all of them.
fn compare(rows: &mut [ResultRow], base_year: Option<i32>) {
    let mut series: BTreeMap<(Domain, Group, IndicatorKey, Kind), Vec<usize>> = BTreeMap::new();
    for (i, r) in rows.iter().enumerate() {
        series
            .entry((
                r.district.clone(),
                r.group.clone(),
                r.indicator.clone(),
                r.kind,
            ))
            .or_default()
            .push(i);
    }
    for idx in series.values() {
        for (k, &i) in idx.iter().enumerate() {
            if k > 0 {
                let j = idx[k - 1];
                let (diff, change) = change_between(&rows[j], &rows[i]);
                rows[i].prev = Comparison {
                    year: Some(rows[j].year),
                    diff,
                    change,
                    self_selected: rows[i].self_selected || rows[j].self_selected,
                    ..Default::default()
                };
            }
            if let Some(b) = base_year
                && let Some(&j) = idx.iter().find(|&&j| rows[j].year == b)
                && rows[i].year > b
            {
                let (diff, change) = change_between(&rows[j], &rows[i]);
                rows[i].base = Comparison {
                    year: Some(b),
                    diff,
                    change,
                    self_selected: rows[i].self_selected || rows[j].self_selected,
                    ..Default::default()
                };
            }
        }
    }
    // Benjamini–Hochberg over every tested change in the table.
    let mut ps = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        if let Some(c) = &r.prev.change {
            ps.push((i, false, c.p));
        }
        if let Some(c) = &r.base.change {
            ps.push((i, true, c.p));
        }
    }
    let q = stats::benjamini_hochberg(&ps.iter().map(|x| x.2).collect::<Vec<_>>());
    for ((i, base, _), q) in ps.into_iter().zip(q) {
        let cmp = if base {
            &mut rows[i].base
        } else {
            &mut rows[i].prev
        };
        cmp.q = Some(q);
        cmp.significant = Some(q < stats::SIGNIFICANCE);
    }
}
