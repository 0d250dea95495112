//! The one polars pass over the respondents: sufficient sums per domain and variable.
//!
//! polars evaluates every variable's y (0/1 for a share, the score for a mean, null when not
//! valid) over the whole frame in one lazy, parallel `with_columns`; the six additive sums of
//! [`Sums`] per finest cell (wave × sex × age group) are then accumulated in a fixed order.
//!
//! Why not a polars `group_by(..).agg(sum)`: its parallel float sums add in an order that
//! varies between runs, so the last bits of an estimate — and the bytes of every table —
//! changed from run to run. Here each column is summed sequentially (columns in parallel),
//! so the same data always gives the same numbers. Everything afterwards — districts,
//! subgroups, the municipality, pooled comparison districts — adds cell sums up, so the
//! million-row frame is read once.

use std::collections::HashMap;

use polars::prelude::*;

use super::load::LoadedWave;
use super::model::Group;
use super::stats::Sums;
use super::{Kind, Variable};
use crate::error::Error;
use crate::questionnaire::Questionnaire;

/// Domain key: (year, district, group).
pub type Domain = (i32, String, Group);

#[derive(Debug, Default)]
pub struct Aggregates {
    /// Sums per domain and variable index.
    pub sums: HashMap<(Domain, usize), Sums>,
    /// Respondents per domain (for item non-response).
    pub rows: HashMap<Domain, f64>,
}

fn polars_err(e: PolarsError) -> Error {
    Error::Internal(format!("polars: {e}"))
}

/// y for one variable: 0/1 for a share, the score for a mean, null when not valid.
fn y_expr(v: &Variable) -> Expr {
    let c = col(v.code.as_str());
    match v.kind {
        Kind::Share => {
            let mut cond = lit(false);
            for (p, _) in v.values.iter().filter(|(_, y)| *y == 1.0) {
                cond = cond.or(c.clone().eq(lit(*p)));
            }
            // Null positions ("don't know", no answer) stay null through eq/or.
            when(c.clone().is_null())
                .then(lit(Null {}).cast(DataType::Float64))
                .otherwise(cond.cast(DataType::Float64))
        }
        _ => {
            // A chain of when/then from the last option back to the first, ending in null.
            let mut e = lit(Null {}).cast(DataType::Float64);
            for (p, y) in v.values.iter().rev() {
                e = when(c.clone().eq(lit(*p))).then(lit(*y)).otherwise(e);
            }
            e
        }
    }
}

/// Evaluates y for every variable and sums it per cell (wave × sex × age group), then adds
/// the cells up into the district, sex and age domains.
pub fn aggregate(
    frame: &DataFrame,
    vars: &[Variable],
    reference: &Questionnaire,
    sex_code: &str,
    age_code: &str,
    waves: &[LoadedWave],
) -> Result<Aggregates, Error> {
    let ys: Vec<Expr> = vars
        .iter()
        .enumerate()
        .map(|(i, v)| y_expr(v).alias(format!("__y{i}")))
        .collect();
    let names: Vec<String> = (0..vars.len()).map(|i| format!("__y{i}")).collect();
    let evaluated = frame
        .clone()
        .lazy()
        .select(ys)
        .collect()
        .map_err(polars_err)?;
    let labels = |code: &str| -> Vec<String> {
        reference
            .question(code)
            .map(|q| q.options.iter().map(|o| o.code.clone()).collect())
            .unwrap_or_default()
    };
    let (sex_labels, age_labels) = (labels(sex_code), labels(age_code));
    // Cell of every row: wave × (sex position or unknown) × (age position or unknown).
    let (ns, na) = (sex_labels.len() + 1, age_labels.len() + 1);
    let sex = u32_column(frame, sex_code)?;
    let age = u32_column(frame, age_code)?;
    let w: Vec<f64> = f64s(frame, "w")?
        .into_iter()
        .map(|x| x.unwrap_or(0.0))
        .collect();
    let mut cell = vec![0u32; frame.height()];
    for (wi, lw) in waves.iter().enumerate() {
        for r in lw.offset..lw.offset + lw.len {
            let s = sex[r].map_or(ns - 1, |p| (p as usize).min(ns - 2));
            let a = age[r].map_or(na - 1, |p| (p as usize).min(na - 2));
            cell[r] = ((wi * ns + s) * na + a) as u32;
        }
    }
    let ncells = waves.len() * ns * na;
    let mut rows = vec![0.0f64; ncells];
    for &c in &cell {
        rows[c as usize] += 1.0;
    }
    let columns: Vec<Float64Chunked> = names
        .iter()
        .map(|n| {
            evaluated
                .column(n)
                .and_then(|c| c.f64().cloned())
                .map_err(polars_err)
        })
        .collect::<Result<_, _>>()?;
    drop(evaluated);
    // Each variable's column is summed in row order; variables run on separate threads.
    let sum_column = |y: &Float64Chunked| -> Vec<Sums> {
        let mut out = vec![Sums::default(); ncells];
        for ((y, &c), &w) in y.iter().zip(&cell).zip(&w) {
            if let Some(y) = y {
                out[c as usize].add(&Sums::one(w, y));
            }
        }
        out
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    let per = columns.len().div_ceil(threads).max(1);
    let sums: Vec<Vec<Sums>> = std::thread::scope(|scope| {
        let handles: Vec<_> = columns
            .chunks(per)
            .map(|chunk| scope.spawn(move || chunk.iter().map(sum_column).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("summing thread"))
            .collect()
    });
    let mut out = Aggregates::default();
    for (wi, lw) in waves.iter().enumerate() {
        // Position `labels.len()` is the "unknown" slot of sex and age.
        let sexes = sex_labels.iter().map(Some).chain(std::iter::once(None));
        for (s, sex_label) in sexes.enumerate() {
            let ages = age_labels.iter().map(Some).chain(std::iter::once(None));
            for (a, age_label) in ages.enumerate() {
                let c = (wi * ns + s) * na + a;
                if rows[c] == 0.0 {
                    continue;
                }
                // Every cell counts towards "all"; respondents who did not give their sex
                // or age form no group of their own.
                let mut groups = vec![Group::All];
                groups.extend(sex_label.map(|l| Group::Sex(l.clone())));
                groups.extend(age_label.map(|l| Group::Age(l.clone())));
                for group in groups {
                    let domain = (lw.wave.year, lw.wave.district.clone(), group);
                    *out.rows.entry(domain.clone()).or_default() += rows[c];
                    for (i, v) in sums.iter().enumerate() {
                        out.sums.entry((domain.clone(), i)).or_default().add(&v[c]);
                    }
                }
            }
        }
    }
    Ok(out)
}

fn u32_column(df: &DataFrame, name: &str) -> Result<Vec<Option<u32>>, Error> {
    Ok(df
        .column(name)
        .map_err(polars_err)?
        .u32()
        .map_err(polars_err)?
        .iter()
        .collect())
}

fn f64s(df: &DataFrame, name: &str) -> Result<Vec<Option<f64>>, Error> {
    let c = df
        .column(name)
        .map_err(polars_err)?
        .cast(&DataType::Float64)
        .map_err(polars_err)?;
    Ok(c.f64().map_err(polars_err)?.iter().collect())
}
