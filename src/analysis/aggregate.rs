//! The one pass over the respondents: sufficient sums per domain and variable.
//!
//! Every variable is an answer position (a `u32` column of the loaded frame) mapped to its y
//! (0/1 for a share, the score for a mean, none when not valid) through a small lookup
//! table, and the six additive sums of [`Sums`] per finest cell (wave × sex × age group)
//! are accumulated in row order, variables on separate threads.
//!
//! Why not polars expressions and a `group_by(..).agg(sum)`: its parallel float sums add in
//! an order that varies between runs, so the last bits of an estimate — and the bytes of
//! every table — changed from run to run; and evaluating y as a float column per variable
//! first wrote and read a million-row column for each of them (an eighth of a second on
//! the benchmark, and most of the memory peak). Here each column is read once, in row
//! order, so the same data always gives the same numbers. Everything afterwards — districts,
//! subgroups, the municipality, pooled comparison districts — adds cell sums up, so the
//! million-row frame is read once.

use std::collections::HashMap;

use polars::prelude::*;

use super::load::LoadedWave;
use super::model::Group;
use super::stats::Sums;
use super::variable::{Kind, Variable};
use crate::error::Error;
use crate::questionnaire::Questionnaire;

/// Domain key: (year, district, group).
pub type Domain = (i32, String, Group);

#[derive(Debug, Default)]
pub struct Aggregates {
    /// Sums per domain, by variable index (one entry per domain with respondents).
    pub sums: HashMap<Domain, Vec<Sums>>,
    /// Respondents per domain (for item non-response).
    pub rows: HashMap<Domain, f64>,
}

impl Aggregates {
    /// The sums of one variable in one domain, if the domain has respondents.
    pub fn sums(&self, domain: &Domain, var: usize) -> Option<&Sums> {
        self.sums.get(domain).and_then(|v| v.get(var))
    }
}

fn polars_err(e: PolarsError) -> Error {
    Error::Internal(format!("polars: {e}"))
}

/// y of every answer position for one variable, `None` when not valid: for a share 1 for
/// the counted options and 0 for any other given answer; for a mean the option's score.
/// (An unanswered or "don't know" answer is a null position and never reaches the table.)
fn y_table(v: &Variable) -> Vec<Option<f64>> {
    let len = v
        .values
        .iter()
        .map(|(p, _)| *p as usize + 1)
        .max()
        .unwrap_or(0);
    match v.kind {
        Kind::Share => {
            // Any position that is not counted is a 0, as `p == counted` was false for it.
            let mut t = vec![Some(0.0); len];
            for (p, y) in &v.values {
                if *y == 1.0 {
                    t[*p as usize] = Some(1.0);
                }
            }
            t
        }
        _ => {
            let mut t = vec![None; len];
            for (p, y) in &v.values {
                t[*p as usize] = Some(*y);
            }
            t
        }
    }
}

/// y of one answer position through a variable's table.
fn y_of(table: &[Option<f64>], kind: Kind, p: u32) -> Option<f64> {
    match table.get(p as usize) {
        Some(y) => *y,
        // Beyond the table: never a counted option; for a share still a given answer.
        None if kind == Kind::Share => Some(0.0),
        None => None,
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
    let labels = |code: &str| -> Vec<String> {
        reference
            .question(code)
            .map(|q| q.options.iter().map(|o| o.code.clone()).collect())
            .unwrap_or_default()
    };
    let labels = Labels {
        sex: labels(sex_code),
        age: labels(age_code),
    };
    let cells = Cells::of(frame, sex_code, age_code, waves, &labels)?;
    let w: Vec<f64> = f64s(frame, "w")?
        .into_iter()
        .map(|x| x.unwrap_or(0.0))
        .collect();
    let mut rows = vec![0.0f64; cells.count];
    for &c in &cells.of_row {
        rows[c as usize] += 1.0;
    }
    let columns: Vec<Column> = vars
        .iter()
        .map(|v| {
            let positions = frame
                .column(&v.code)
                .and_then(|c| c.u32())
                .map_err(polars_err)?;
            Ok((positions, y_table(v), v.kind))
        })
        .collect::<Result<_, Error>>()?;
    let sums = sum_columns(&columns, &cells, &w);
    Ok(add_up(waves, &labels, &cells, &rows, &sums))
}

/// The option codes of the sex and age questions.
struct Labels {
    sex: Vec<String>,
    age: Vec<String>,
}

/// The finest cell of every row: wave × (sex position or unknown) × (age position or
/// unknown).
struct Cells {
    of_row: Vec<u32>,
    /// Sex positions and age positions, each with its "unknown" slot last.
    ns: usize,
    na: usize,
    /// How many cells there are.
    count: usize,
}

impl Cells {
    fn of(
        frame: &DataFrame,
        sex_code: &str,
        age_code: &str,
        waves: &[LoadedWave],
        labels: &Labels,
    ) -> Result<Cells, Error> {
        let (ns, na) = (labels.sex.len() + 1, labels.age.len() + 1);
        let sex = super::load::u32s(frame, sex_code)?;
        let age = super::load::u32s(frame, age_code)?;
        let mut of_row = vec![0u32; frame.height()];
        for (wi, lw) in waves.iter().enumerate() {
            for r in lw.offset..lw.offset + lw.len {
                let s = sex[r].map_or(ns - 1, |p| (p as usize).min(ns - 2));
                let a = age[r].map_or(na - 1, |p| (p as usize).min(na - 2));
                of_row[r] = ((wi * ns + s) * na + a) as u32;
            }
        }
        Ok(Cells {
            of_row,
            ns,
            na,
            count: waves.len() * ns * na,
        })
    }
}

/// A variable's answer positions, its y table and its kind.
type Column<'a> = (&'a UInt32Chunked, Vec<Option<f64>>, Kind);

/// Every variable's sums per cell. Each variable's column is summed in row order; variables
/// run on separate threads.
fn sum_columns(columns: &[Column], cells: &Cells, w: &[f64]) -> Vec<Vec<Sums>> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    let per = columns.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = columns
            .chunks(per)
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|column| sum_column(column, cells, w))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("summing thread"))
            .collect()
    })
}

/// One variable's sums per cell, in row order.
fn sum_column((positions, table, kind): &Column, cells: &Cells, w: &[f64]) -> Vec<Sums> {
    let mut out = vec![Sums::default(); cells.count];
    // The arrow arrays' values and validity bits with the rows' cells and weights as
    // slices of the same length: a tight loop without bounds checks or boxed iterators.
    let mut start = 0;
    for array in positions.downcast_iter() {
        let values = array.values().as_slice();
        let end = start + values.len();
        let rows = values
            .iter()
            .zip(&cells.of_row[start..end])
            .zip(&w[start..end]);
        let mut add = |p: u32, c: u32, w: f64| {
            if let Some(y) = y_of(table, *kind, p) {
                out[c as usize].add(&Sums::one(w, y));
            }
        };
        match array.validity() {
            None => rows.for_each(|((&p, &c), &w)| add(p, c, w)),
            Some(valid) => rows.zip(valid.iter()).for_each(|(((&p, &c), &w), ok)| {
                if ok {
                    add(p, c, w)
                }
            }),
        }
        start = end;
    }
    out
}

/// Adds the cells' respondents and sums up into every domain they belong to: their wave's
/// district as a whole, and their sex and age group.
fn add_up(
    waves: &[LoadedWave],
    labels: &Labels,
    cells: &Cells,
    rows: &[f64],
    sums: &[Vec<Sums>],
) -> Aggregates {
    let (ns, na) = (cells.ns, cells.na);
    let mut out = Aggregates::default();
    for (wi, lw) in waves.iter().enumerate() {
        // Position `labels.len()` is the "unknown" slot of sex and age.
        let sexes = labels.sex.iter().map(Some).chain(std::iter::once(None));
        for (s, sex_label) in sexes.enumerate() {
            let ages = labels.age.iter().map(Some).chain(std::iter::once(None));
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
                    let domain_sums = out
                        .sums
                        .entry(domain)
                        .or_insert_with(|| vec![Sums::default(); sums.len()]);
                    for (total, v) in domain_sums.iter_mut().zip(sums) {
                        total.add(&v[c]);
                    }
                }
            }
        }
    }
    out
}

fn f64s(df: &DataFrame, name: &str) -> Result<Vec<Option<f64>>, Error> {
    let c = df
        .column(name)
        .map_err(polars_err)?
        .cast(&DataType::Float64)
        .map_err(polars_err)?;
    Ok(c.f64().map_err(polars_err)?.iter().collect())
}
