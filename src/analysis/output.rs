//! The results and measures tables as polars frames, written as CSV or Parquet.
//!
//! Column order and row order are part of the interface (README, "Results table"). Files
//! are written to a temporary name beside the target and renamed, so a reader never sees
//! half a table.

use std::path::Path;

use polars::prelude::*;

use super::measures::MeasureRow;
use super::results::{Comparison, ResultRow};
use crate::error::Error;

fn err(e: PolarsError) -> Error {
    Error::Internal(format!("polars: {e}"))
}

fn opt<T: Copy>(rows: &[ResultRow], f: impl Fn(&ResultRow) -> Option<T>) -> Vec<Option<T>> {
    rows.iter().map(f).collect()
}

fn comparison_columns(
    rows: &[ResultRow],
    name: &str,
    get: fn(&ResultRow) -> &Comparison,
) -> Vec<Column> {
    let change = |f: fn(&super::stats::Change) -> f64| -> Vec<Option<f64>> {
        rows.iter().map(|r| get(r).change.as_ref().map(f)).collect()
    };
    vec![
        Series::new(format!("{name}_year").into(), opt(rows, |r| get(r).year)).into(),
        Series::new(format!("diff_{name}").into(), opt(rows, |r| get(r).diff)).into(),
        Series::new(format!("se_{name}").into(), change(|c| c.se)).into(),
        Series::new(format!("ci_{name}_low").into(), change(|c| c.ci_low)).into(),
        Series::new(format!("ci_{name}_high").into(), change(|c| c.ci_high)).into(),
        Series::new(format!("z_{name}").into(), change(|c| c.z)).into(),
        Series::new(format!("p_{name}").into(), change(|c| c.p)).into(),
        Series::new(format!("q_{name}").into(), opt(rows, |r| get(r).q)).into(),
        Series::new(
            format!("significant_{name}").into(),
            opt(rows, |r| get(r).significant),
        )
        .into(),
    ]
}

/// The results table as a frame, in the table's row order.
pub fn results_frame(rows: &[ResultRow]) -> Result<DataFrame, Error> {
    // The typed keys become their written form here, and only here.
    let strings = |f: fn(&ResultRow) -> String| -> Vec<String> { rows.iter().map(f).collect() };
    let mut cols: Vec<Column> = vec![
        Series::new(
            "year".into(),
            rows.iter().map(|r| r.year).collect::<Vec<_>>(),
        )
        .into(),
        Series::new("district".into(), strings(|r| r.district.to_string())).into(),
        Series::new("group".into(), strings(|r| r.group.to_string())).into(),
        Series::new("indicator".into(), strings(|r| r.indicator.to_string())).into(),
        Series::new(
            "kind".into(),
            rows.iter().map(|r| r.kind.as_str()).collect::<Vec<_>>(),
        )
        .into(),
        Series::new("n".into(), opt(rows, |r| r.n.map(|n| n as i64))).into(),
        Series::new("n_eff".into(), opt(rows, |r| r.n_eff)).into(),
        Series::new("nonresponse".into(), opt(rows, |r| r.nonresponse)).into(),
        Series::new("estimate".into(), opt(rows, |r| r.estimate)).into(),
        Series::new("se".into(), opt(rows, |r| r.se)).into(),
        Series::new("ci_low".into(), opt(rows, |r| r.ci_low)).into(),
        Series::new("ci_high".into(), opt(rows, |r| r.ci_high)).into(),
        Series::new("level".into(), opt(rows, |r| r.level.map(u32::from))).into(),
        Series::new(
            "class".into(),
            rows.iter()
                .map(|r| r.class.map(|c| c.as_str()))
                .collect::<Vec<_>>(),
        )
        .into(),
        Series::new(
            "suppressed".into(),
            rows.iter().map(|r| r.suppressed).collect::<Vec<_>>(),
        )
        .into(),
        Series::new(
            "suppression".into(),
            rows.iter()
                .map(|r| r.suppression.map(|s| s.as_str()))
                .collect::<Vec<_>>(),
        )
        .into(),
        Series::new(
            "uncertain".into(),
            rows.iter().map(|r| r.uncertain).collect::<Vec<_>>(),
        )
        .into(),
        Series::new(
            "weighted".into(),
            rows.iter().map(|r| r.weighted).collect::<Vec<_>>(),
        )
        .into(),
        Series::new(
            "self_selected".into(),
            rows.iter().map(|r| r.self_selected).collect::<Vec<_>>(),
        )
        .into(),
    ];
    // `prev_year, diff_prev, …` then `base_year, diff_base, …`.
    cols.extend(comparison_columns(rows, "prev", |r| &r.prev));
    cols.extend(comparison_columns(rows, "base", |r| &r.base));
    DataFrame::new(rows.len(), cols).map_err(err)
}

/// The measures table as a frame.
pub fn measures_frame(rows: &[MeasureRow]) -> Result<DataFrame, Error> {
    let f =
        |g: fn(&MeasureRow) -> Option<f64>| -> Vec<Option<f64>> { rows.iter().map(g).collect() };
    let s = |g: fn(&MeasureRow) -> &str| -> Vec<&str> { rows.iter().map(g).collect() };
    let cols: Vec<Column> = vec![
        Series::new("measure".into(), s(|r| &r.measure)).into(),
        Series::new("district".into(), s(|r| &r.district)).into(),
        Series::new("indicator".into(), s(|r| &r.indicator)).into(),
        Series::new(
            "before_year".into(),
            rows.iter().map(|r| r.before_year).collect::<Vec<_>>(),
        )
        .into(),
        Series::new(
            "after_year".into(),
            rows.iter().map(|r| r.after_year).collect::<Vec<_>>(),
        )
        .into(),
        Series::new("comparison".into(), s(|r| &r.comparison)).into(),
        Series::new("delta_district".into(), f(|r| r.delta_district)).into(),
        Series::new("delta_comparison".into(), f(|r| r.delta_comparison)).into(),
        Series::new("did".into(), f(|r| r.did)).into(),
        Series::new("se".into(), f(|r| r.se)).into(),
        Series::new("ci_low".into(), f(|r| r.ci_low)).into(),
        Series::new("ci_high".into(), f(|r| r.ci_high)).into(),
        Series::new("p".into(), f(|r| r.p)).into(),
        Series::new(
            "target".into(),
            rows.iter().map(|r| r.target).collect::<Vec<_>>(),
        )
        .into(),
        Series::new("q".into(), f(|r| r.q)).into(),
        Series::new(
            "significant".into(),
            rows.iter().map(|r| r.significant).collect::<Vec<_>>(),
        )
        .into(),
        Series::new(
            "suppressed".into(),
            rows.iter().map(|r| r.suppressed).collect::<Vec<_>>(),
        )
        .into(),
        Series::new(
            "self_selected".into(),
            rows.iter().map(|r| r.self_selected).collect::<Vec<_>>(),
        )
        .into(),
    ];
    DataFrame::new(rows.len(), cols).map_err(err)
}

/// The frame as CSV (UTF-8, with a header) or Parquet bytes.
pub fn encode(df: &mut DataFrame, parquet: bool) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    if parquet {
        ParquetWriter::new(&mut out).finish(df).map_err(err)?;
    } else {
        CsvWriter::new(&mut out)
            .include_header(true)
            .finish(df)
            .map_err(err)?;
    }
    Ok(out)
}

/// Writes a frame as CSV or Parquet by the path's extension, atomically.
pub fn write(df: &mut DataFrame, path: &Path) -> Result<(), Error> {
    check_output_path(path)?;
    let io = |e: std::io::Error| Error::io(path, e);
    if path.is_dir() {
        return Err(Error::Invalid(format!(
            "{}: is a directory",
            path.display()
        )));
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("out")
    ));
    let bytes = encode(df, path.extension().is_some_and(|e| e == "parquet"))?;
    std::fs::write(&tmp, bytes).map_err(io)?;
    std::fs::File::open(&tmp)
        .and_then(|f| f.sync_all())
        .map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}

/// The path's extension decides the format: `.csv` or `.parquet`.
pub fn check_output_path(path: &Path) -> Result<(), Error> {
    match path.extension().and_then(|e| e.to_str()) {
        Some("csv") | Some("parquet") => Ok(()),
        _ => Err(Error::Invalid(format!(
            "{}: the output must end in .csv or .parquet",
            path.display()
        ))),
    }
}
