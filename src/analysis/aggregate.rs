//! The one polars pass over the respondents: sufficient sums per domain and variable.
//!
//! One lazy group-by at the finest domain (year × district × sex × age group) computes, for
//! every analysis variable, the six additive sums of [`Sums`]. Everything afterwards —
//! districts, subgroups, the municipality, pooled comparison districts — adds those sums up,
//! so the million-row frame is read once.

use std::collections::HashMap;

use polars::prelude::*;

use super::stats::Sums;
use super::{Kind, Variable};
use crate::error::Error;
use crate::questionnaire::Questionnaire;

/// Domain key: (year, district, group) where group is `all`, `sex:<code>` or `age:<code>`.
pub type Domain = (i32, String, String);

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

/// The six sums of every variable, from the precomputed `y{i}` columns and `w`, `w2`.
fn sum_exprs(vars: &[Variable]) -> Vec<Expr> {
    let mut out = vec![len().cast(DataType::Float64).alias("__rows")];
    for i in 0..vars.len() {
        let y = || col(format!("__y{i}"));
        let valid = || y().is_not_null().cast(DataType::Float64);
        out.push(y().count().cast(DataType::Float64).alias(format!("{i}__n")));
        out.push((col("w") * valid()).sum().alias(format!("{i}__w")));
        out.push((col("w") * y()).sum().alias(format!("{i}__wy")));
        out.push((col("w2") * valid()).sum().alias(format!("{i}__ww")));
        out.push((col("w2") * y()).sum().alias(format!("{i}__wwy")));
        out.push((col("w2") * y() * y()).sum().alias(format!("{i}__wwyy")));
    }
    out
}

/// Runs one group-by at the finest level (year × district × sex × age group) and adds the
/// cells up into the district, sex and age domains: sums are additive, so the coarser
/// domains need no further pass over the respondents.
pub fn aggregate(
    frame: &DataFrame,
    vars: &[Variable],
    reference: &Questionnaire,
    sex_code: &str,
    age_code: &str,
) -> Result<Aggregates, Error> {
    let mut ys: Vec<Expr> = vars
        .iter()
        .enumerate()
        .map(|(i, v)| y_expr(v).alias(format!("__y{i}")))
        .collect();
    ys.push((col("w") * col("w")).alias("w2"));
    let cells = frame
        .clone()
        .lazy()
        .with_columns(ys)
        .group_by([
            col("year"),
            col("district"),
            col(sex_code).alias("__sex"),
            col(age_code).alias("__age"),
        ])
        .agg(sum_exprs(vars))
        .collect()
        .map_err(polars_err)?;
    let labels = |code: &str| -> Vec<String> {
        reference
            .question(code)
            .map(|q| q.options.iter().map(|o| o.code.clone()).collect())
            .unwrap_or_default()
    };
    let (sex_labels, age_labels) = (labels(sex_code), labels(age_code));
    let years: Vec<Option<i32>> = cells
        .column("year")
        .map_err(polars_err)?
        .i32()
        .map_err(polars_err)?
        .iter()
        .collect();
    let districts: Vec<Option<String>> = cells
        .column("district")
        .map_err(polars_err)?
        .str()
        .map_err(polars_err)?
        .iter()
        .map(|s| s.map(str::to_string))
        .collect();
    let label = |col: Vec<Option<f64>>, labels: &[String], prefix: &str| -> Vec<Option<String>> {
        col.into_iter()
            .map(|p| {
                p.and_then(|p| labels.get(p as usize))
                    .map(|c| format!("{prefix}:{c}"))
            })
            .collect()
    };
    let sexes = label(f64s(&cells, "__sex")?, &sex_labels, "sex");
    let ages = label(f64s(&cells, "__age")?, &age_labels, "age");
    let rows = f64s(&cells, "__rows")?;
    let mut cols = Vec::with_capacity(vars.len());
    for i in 0..vars.len() {
        let get = |s: &str| f64s(&cells, &format!("{i}__{s}"));
        cols.push([
            get("n")?,
            get("w")?,
            get("wy")?,
            get("ww")?,
            get("wwy")?,
            get("wwyy")?,
        ]);
    }
    let mut out = Aggregates::default();
    for r in 0..cells.height() {
        let (Some(year), Some(district)) = (years[r], districts[r].clone()) else {
            continue;
        };
        // Every cell counts towards "all"; respondents who did not give their sex or age
        // form no group of their own.
        let mut groups = vec!["all".to_string()];
        groups.extend(sexes[r].clone());
        groups.extend(ages[r].clone());
        for group in groups {
            let domain = (year, district.clone(), group);
            *out.rows.entry(domain.clone()).or_default() += rows[r].unwrap_or(0.0);
            for (i, c) in cols.iter().enumerate() {
                let v = |k: usize| c[k][r].unwrap_or(0.0);
                out.sums.entry((domain.clone(), i)).or_default().add(&Sums {
                    n: v(0),
                    w: v(1),
                    wy: v(2),
                    ww: v(3),
                    wwy: v(4),
                    wwyy: v(5),
                });
            }
        }
    }
    Ok(out)
}

fn f64s(df: &DataFrame, name: &str) -> Result<Vec<Option<f64>>, Error> {
    let c = df
        .column(name)
        .map_err(polars_err)?
        .cast(&DataType::Float64)
        .map_err(polars_err)?;
    Ok(c.f64().map_err(polars_err)?.iter().collect())
}
