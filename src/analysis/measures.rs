//! Measures (åtgärder): the register in `surveys/measures.toml`, and their before/after and
//! difference-in-differences evaluation against pooled comparison districts (METHODOLOGY §6).

use std::path::Path;

use chrono::NaiveDate;
use serde::Deserialize;

use super::model::Group;
use super::results::{TableInput, estimate, pooled, suppress, test_var};
use super::stats;
use super::variable::Kind;
use crate::error::Error;
use crate::questionnaire::Districts;
use crate::store::Wave;

pub use crate::measure::{Measure, RegisterVersion};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    measures: Vec<RawMeasure>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeasure {
    id: String,
    district: String,
    start: String,
    category: String,
    title: String,
    #[serde(default = "default_lag")]
    lag_months: u32,
    #[serde(default)]
    targets: Vec<String>,
}

fn default_lag() -> u32 {
    crate::measure::DEFAULT_LAG_MONTHS
}

/// The register as it stands: the one edited in trygg (database), or — before its first
/// edit — `measures.toml` in the surveys folder.
pub async fn current(
    store: &crate::store::Store,
    surveys: &Path,
    districts: &Districts,
) -> Result<Vec<Measure>, Error> {
    if store.has_measures().await? {
        store.measures().await
    } else {
        load(&surveys.join("measures.toml"), districts)
    }
}

/// Reads the register; no file means no measures.
pub fn load(path: &Path, districts: &Districts) -> Result<Vec<Measure>, Error> {
    if !path.exists() {
        return Ok(Vec::new());
    }
    let src = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse(&path.display().to_string(), &src, districts)
}

pub fn parse(file: &str, src: &str, districts: &Districts) -> Result<Vec<Measure>, Error> {
    let raw: RawFile = toml::from_str(src).map_err(|e| {
        let line = e
            .span()
            .map(|s| crate::questionnaire::line_of(src, s.start))
            .unwrap_or(1);
        Error::Invalid(format!("{file}:{line}: {}", e.message().trim()))
    })?;
    let mut out: Vec<Measure> = Vec::new();
    for m in raw.measures {
        if districts.get(&m.district).is_none() {
            return Err(Error::Invalid(format!(
                "{file}: measure {} is in an unknown district \"{}\" (known: {})",
                m.id,
                m.district,
                districts.codes().collect::<Vec<_>>().join(", ")
            )));
        }
        let start = NaiveDate::parse_from_str(&m.start, "%Y-%m-%d").map_err(|_| {
            Error::Invalid(format!(
                "{file}: measure {}: start \"{}\" is not a date like 2021-03-15",
                m.id, m.start
            ))
        })?;
        if out.iter().any(|x| x.id == m.id) {
            return Err(Error::Invalid(format!(
                "{file}: measure id {} is used twice",
                m.id
            )));
        }
        if m.title.trim().is_empty() || m.category.trim().is_empty() {
            return Err(Error::Invalid(format!(
                "{file}: measure {} needs a title and a category",
                m.id
            )));
        }
        let mut seen = std::collections::HashSet::new();
        if let Some(t) = m.targets.iter().find(|t| !seen.insert(*t)) {
            return Err(Error::Invalid(format!(
                "{file}: measure {}: target indicator {t} is named twice",
                m.id
            )));
        }
        out.push(Measure {
            id: m.id,
            district: m.district,
            start,
            category: m.category,
            title: m.title,
            lag_months: m.lag_months,
            targets: m.targets,
            version: None,
        });
    }
    Ok(out)
}

/// One measure's estimated effect on one indicator.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasureRow {
    pub measure: String,
    pub district: String,
    pub indicator: String,
    pub before_year: i32,
    pub after_year: i32,
    /// Comparison districts pooled, joined with `+`.
    pub comparison: String,
    pub delta_district: Option<f64>,
    pub delta_comparison: Option<f64>,
    pub did: Option<f64>,
    pub se: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub p: Option<f64>,
    /// A target indicator of the measure (else exploratory).
    pub target: bool,
    /// Benjamini–Hochberg q-value within its family: the target indicators of all measures,
    /// or all exploratory rows (METHODOLOGY §6).
    pub q: Option<f64>,
    /// q < the significance level: the only rows called an effect.
    pub significant: Option<bool>,
    pub suppressed: bool,
    /// A wave of the design (the district's or a comparison district's, before or after)
    /// was an open link: the difference is shown, but without interval, p or q.
    pub self_selected: bool,
}

/// Benjamini–Hochberg over the target rows of all measures, and separately over the
/// exploratory rows.
fn q_values(rows: &mut [MeasureRow]) {
    for family in [true, false] {
        let idx: Vec<usize> = (0..rows.len())
            .filter(|&i| rows[i].target == family && rows[i].p.is_some())
            .collect();
        let ps: Vec<f64> = idx.iter().map(|&i| rows[i].p.unwrap_or(1.0)).collect();
        for (i, q) in idx.into_iter().zip(stats::benjamini_hochberg(&ps)) {
            rows[i].q = Some(q);
            rows[i].significant = Some(q < stats::SIGNIFICANCE);
        }
    }
}

/// The before and after waves of a measure in its district.
fn before_after<'a>(m: &Measure, waves: &'a [Wave]) -> Option<(&'a Wave, &'a Wave)> {
    let after_from = m.after_from();
    let own: Vec<&Wave> = waves.iter().filter(|w| w.district == m.district).collect();
    let before = own
        .iter()
        .filter(|w| w.closes_on < m.start)
        .max_by_key(|w| w.closes_on)?;
    let after = own
        .iter()
        .filter(|w| w.opens_on > after_from)
        .min_by_key(|w| w.opens_on)?;
    Some((before, after))
}

/// The district cells (group `all`, shares) the results table hides. A measure's change or
/// its comparison's pooled share uses district cells; if one of them is hidden, publishing
/// the measure's numbers would give it back (the pool less its published districts), so the
/// measure row or series point is hidden too.
pub struct Hidden(std::collections::HashSet<(i32, String, String)>);

impl Hidden {
    pub fn of(table: &[super::model::ResultRow]) -> Hidden {
        Hidden(
            table
                .iter()
                .filter(|r| r.suppressed && r.kind == Kind::Share && r.group == Group::All)
                .filter_map(|r| {
                    Some((
                        r.year,
                        r.district.district()?.to_string(),
                        r.indicator.question()?.to_string(),
                    ))
                })
                .collect(),
        )
    }

    /// Whether any of the districts' cells of an indicator in a year is hidden.
    fn any(&self, year: i32, districts: &[String], indicator: &str) -> bool {
        districts
            .iter()
            .any(|d| self.0.contains(&(year, d.clone(), indicator.to_string())))
    }
}

/// Evaluates every measure on every share indicator. Returns the rows and notes about
/// measures that could not be evaluated.
pub fn evaluate(
    measures: &[Measure],
    waves: &[Wave],
    input: &TableInput,
    hidden: &Hidden,
) -> (Vec<MeasureRow>, Vec<String>) {
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    for m in measures {
        notes.extend(target_notes(m, input));
        let Some((b, a)) = before_after(m, waves) else {
            notes.push(format!(
                "measure {}: no wave of {} before and after {}",
                m.id, m.district, m.start
            ));
            continue;
        };
        let comparison = comparison_districts(m, measures, waves, input, (b, a));
        if comparison.is_empty() {
            notes.push(format!(
                "measure {}: no comparison district surveyed in both {} and {}",
                m.id, b.year, a.year
            ));
            continue;
        }
        let design = Design {
            measure: m,
            before: b.year,
            after: a.year,
            target: vec![m.district.clone()],
            comparison,
        };
        for (i, v) in input.vars.iter().enumerate() {
            if v.kind != Kind::Share {
                continue;
            }
            rows.extend(design.row(input, hidden, i));
        }
    }
    q_values(&mut rows);
    // Target indicators first within each measure, then in questionnaire order.
    let order: Vec<&str> = measures.iter().map(|m| m.id.as_str()).collect();
    rows.sort_by_key(|r| (order.iter().position(|m| *m == r.measure), !r.target));
    (rows, notes)
}

/// Notes on a measure's target indicators: those that are no share indicator of the
/// questionnaire, or none named at all.
fn target_notes(m: &Measure, input: &TableInput) -> Vec<String> {
    let mut notes = Vec::new();
    let shares: Vec<&str> = input
        .vars
        .iter()
        .filter(|v| v.kind == Kind::Share)
        .map(|v| v.code.as_str())
        .collect();
    for t in m.targets.iter().filter(|t| !shares.contains(&t.as_str())) {
        notes.push(format!(
            "measure {}: target indicator {t} is not a share indicator of the questionnaire",
            m.id
        ));
    }
    if m.targets.is_empty() {
        notes.push(format!(
            "measure {}: no target indicators named; every indicator is exploratory",
            m.id
        ));
    }
    notes
}

/// The comparison districts of a measure: other districts surveyed in both years, without a
/// measure of the same category between their before and after waves.
fn comparison_districts(
    m: &Measure,
    measures: &[Measure],
    waves: &[Wave],
    input: &TableInput,
    (b, a): (&Wave, &Wave),
) -> Vec<String> {
    input
        .districts
        .iter()
        .filter(|d| **d != m.district)
        .filter(|d| {
            let wb = waves.iter().find(|w| &w.district == *d && w.year == b.year);
            let wa = waves.iter().find(|w| &w.district == *d && w.year == a.year);
            match (wb, wa) {
                (Some(wb), Some(wa)) => !measures.iter().any(|o| {
                    &o.district == *d
                        && o.category == m.category
                        && o.start > wb.closes_on
                        && o.start < wa.opens_on
                }),
                _ => false,
            }
        })
        .cloned()
        .collect()
}

/// A measure's difference-in-differences design: its district and the comparison districts,
/// before and after.
struct Design<'a> {
    measure: &'a Measure,
    before: i32,
    after: i32,
    target: Vec<String>,
    comparison: Vec<String>,
}

impl Design<'_> {
    /// The row of share variable `i`; `None` when a wave of the design did not ask it.
    fn row(&self, input: &TableInput, hidden: &Hidden, i: usize) -> Option<MeasureRow> {
        let (m, v) = (self.measure, &input.vars[i]);
        let (b, a) = (self.before, self.after);
        let cells = [
            pooled(input, b, &self.target, &Group::All, i),
            pooled(input, a, &self.target, &Group::All, i),
            pooled(input, b, &self.comparison, &Group::All, i),
            pooled(input, a, &self.comparison, &Group::All, i),
        ];
        // Only between waves that all asked the question.
        if cells.iter().any(Option::is_none) {
            return None;
        }
        let est: Vec<_> = cells
            .iter()
            .map(|c| c.as_ref().and_then(|(s, _)| estimate(Kind::Share, s)))
            .collect();
        let suppressed = est.iter().any(|e| suppress(e.as_ref(), input.options))
            || [b, a].iter().any(|&y| {
                hidden.any(y, &self.target, &v.code) || hidden.any(y, &self.comparison, &v.code)
            });
        let self_selected = [b, a].iter().any(|&y| {
            self.target
                .iter()
                .chain(&self.comparison)
                .any(|d| input.open_link.contains(&(y, d.clone())))
        });
        let mut row = MeasureRow {
            measure: m.id.clone(),
            district: m.district.clone(),
            indicator: v.code.clone(),
            before_year: b,
            after_year: a,
            comparison: self.comparison.join("+"),
            delta_district: None,
            delta_comparison: None,
            did: None,
            se: None,
            ci_low: None,
            ci_high: None,
            p: None,
            target: m.targets.contains(&v.code),
            q: None,
            significant: None,
            suppressed,
            self_selected,
        };
        if !suppressed {
            let e: Vec<_> = est.into_iter().flatten().collect();
            let dt = e[1].estimate - e[0].estimate;
            let dc = e[3].estimate - e[2].estimate;
            let se = e
                .iter()
                .map(|x| test_var(Kind::Share, x))
                .sum::<f64>()
                .sqrt();
            let did = stats::change(0.0, 0.0, dt - dc, se * se);
            row.delta_district = Some(dt);
            row.delta_comparison = Some(dc);
            row.did = Some(did.diff);
            // Self-selected answers have no sampling distribution: no interval or test.
            if !self_selected {
                row.se = Some(did.se);
                row.ci_low = Some(did.ci_low);
                row.ci_high = Some(did.ci_high);
                row.p = Some(did.p);
            }
        }
        Some(row)
    }
}

/// One year of a measure's pooled comparison series for one indicator.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesRow {
    pub measure: String,
    pub indicator: String,
    pub year: i32,
    pub comparison: String,
    pub estimate: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub suppressed: bool,
}

/// The pooled comparison districts of every evaluated measure × indicator, every year, so
/// the measure chart can show the whole series (parallel trends are judged by eye).
pub fn comparison_series(
    measures: &[Measure],
    rows: &[MeasureRow],
    input: &TableInput,
    hidden: &Hidden,
) -> Vec<SeriesRow> {
    let mut out = Vec::new();
    for m in measures {
        for r in rows.iter().filter(|r| r.measure == m.id) {
            let Some(var) = input
                .vars
                .iter()
                .position(|v| v.kind == Kind::Share && v.code == r.indicator)
            else {
                continue;
            };
            let districts: Vec<String> = r.comparison.split('+').map(str::to_string).collect();
            for &year in input.years {
                let Some((sums, _)) = pooled(input, year, &districts, &Group::All, var) else {
                    continue;
                };
                let e = estimate(Kind::Share, &sums);
                let suppressed = suppress(e.as_ref(), input.options)
                    || hidden.any(year, &districts, &r.indicator);
                let shown = e.filter(|_| !suppressed);
                out.push(SeriesRow {
                    measure: m.id.clone(),
                    indicator: r.indicator.clone(),
                    year,
                    comparison: r.comparison.clone(),
                    estimate: shown.map(|e| e.estimate),
                    ci_low: shown.map(|e| e.ci_low),
                    ci_high: shown.map(|e| e.ci_high),
                    suppressed,
                });
            }
        }
    }
    out
}
