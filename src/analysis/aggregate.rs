//! The one polars pass over the respondents: sufficient sums per domain and variable.
//!
//! Three lazy group-bys (district × year, and by sex and age group within it) each compute,
//! for every analysis variable, the six additive sums of [`Sums`]. Everything afterwards —
//! estimates, the municipality, pooled comparison districts — works on those sums, so the
//! million-row frame is read exactly once per grouping.

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

fn sum_exprs(vars: &[Variable]) -> Vec<Expr> {
    let mut out = vec![len().cast(DataType::Float64).alias("__rows")];
    let w = || col("w");
    for (i, v) in vars.iter().enumerate() {
        let y = y_expr(v);
        let wv = when(y.clone().is_not_null()).then(w()).otherwise(lit(0.0));
        out.push(
            y.clone()
                .count()
                .cast(DataType::Float64)
                .alias(format!("{i}__n")),
        );
        out.push(wv.clone().sum().alias(format!("{i}__w")));
        out.push((w() * y.clone()).sum().alias(format!("{i}__wy")));
        out.push((wv.clone() * wv).sum().alias(format!("{i}__ww")));
        out.push((w() * w() * y.clone()).sum().alias(format!("{i}__wwy")));
        out.push(
            (w() * w() * y.clone() * y)
                .sum()
                .alias(format!("{i}__wwyy")),
        );
    }
    out
}

/// Runs the three group-bys and collects the sums.
pub fn aggregate(
    frame: &DataFrame,
    vars: &[Variable],
    reference: &Questionnaire,
    sex_code: &str,
    age_code: &str,
) -> Result<Aggregates, Error> {
    let exprs = sum_exprs(vars);
    let mut out = Aggregates::default();
    let groupings: [(Option<&str>, &str); 3] = [
        (None, "all"),
        (Some(sex_code), "sex"),
        (Some(age_code), "age"),
    ];
    for (key, prefix) in groupings {
        let mut by = vec![col("year"), col("district")];
        if let Some(k) = key {
            by.push(col(k).alias("__group"));
        }
        let df = frame
            .clone()
            .lazy()
            .group_by(by)
            .agg(exprs.clone())
            .collect()
            .map_err(polars_err)?;
        let labels: Option<Vec<String>> = key.map(|k| {
            reference
                .question(k)
                .map(|q| q.options.iter().map(|o| o.code.clone()).collect())
                .unwrap_or_default()
        });
        read_sums(&df, vars.len(), prefix, labels.as_deref(), &mut out)?;
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

fn read_sums(
    df: &DataFrame,
    nvars: usize,
    prefix: &str,
    labels: Option<&[String]>,
    out: &mut Aggregates,
) -> Result<(), Error> {
    let years: Vec<Option<i32>> = df
        .column("year")
        .map_err(polars_err)?
        .i32()
        .map_err(polars_err)?
        .iter()
        .collect();
    let districts: Vec<Option<String>> = df
        .column("district")
        .map_err(polars_err)?
        .str()
        .map_err(polars_err)?
        .iter()
        .map(|s| s.map(str::to_string))
        .collect();
    let groups: Vec<Option<String>> = match labels {
        None => vec![Some("all".to_string()); df.height()],
        Some(labels) => f64s(df, "__group")?
            .into_iter()
            .map(|p| {
                p.and_then(|p| labels.get(p as usize))
                    .map(|code| format!("{prefix}:{code}"))
            })
            .collect(),
    };
    let rows = f64s(df, "__rows")?;
    let mut cols = Vec::with_capacity(nvars);
    for i in 0..nvars {
        let get = |s: &str| f64s(df, &format!("{i}__{s}"));
        cols.push([
            get("n")?,
            get("w")?,
            get("wy")?,
            get("ww")?,
            get("wwy")?,
            get("wwyy")?,
        ]);
    }
    for r in 0..df.height() {
        // Respondents who did not give their sex or age form no group of their own.
        let (Some(year), Some(district), Some(group)) =
            (years[r], districts[r].clone(), groups[r].clone())
        else {
            continue;
        };
        let domain = (year, district, group);
        out.rows.insert(domain.clone(), rows[r].unwrap_or(0.0));
        for (i, c) in cols.iter().enumerate() {
            let v = |k: usize| c[k][r].unwrap_or(0.0);
            out.sums.insert(
                (domain.clone(), i),
                Sums {
                    n: v(0),
                    w: v(1),
                    wy: v(2),
                    ww: v(3),
                    wwy: v(4),
                    wwyy: v(5),
                },
            );
        }
    }
    Ok(())
}
