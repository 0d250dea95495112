//! A view of the results table — the rows the explorer shows — as one table of typed cells,
//! written as CSV (comma, or semicolon with decimal comma for Swedish Excel), as a one-sheet
//! workbook formatted like the yearly one, or as Parquet for BI tools.
//!
//! The cells are made from result rows, where suppression was applied as they were built:
//! a suppressed row has no estimate to write, in any of the three formats.

use polars::prelude::{Column, DataFrame, NamedFrom, ParquetWriter, Series};
use rust_xlsxwriter::{DocProperties, Format, Workbook, XlsxError};

use super::lookup::Names;
use crate::analysis::ResultRow;
use crate::error::Error;

/// How a column's values are typed and shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Type {
    Text,
    Int,
    /// A number; a share among them is formatted as one by its cell ([`Cell::Share`]).
    Number,
    Bool,
}

/// The view's columns, in order (the names are the export's header).
const COLUMNS: &[(&str, Type)] = &[
    ("district", Type::Text),
    ("area", Type::Text),
    ("year", Type::Int),
    ("group", Type::Text),
    ("indicator", Type::Text),
    ("kind", Type::Text),
    ("estimate", Type::Number),
    ("ci_low", Type::Number),
    ("ci_high", Type::Number),
    ("n", Type::Int),
    ("n_eff", Type::Number),
    ("change_from_previous", Type::Number),
    ("q_previous", Type::Number),
    ("significant_previous", Type::Bool),
    ("suppressed", Type::Bool),
    ("suppression", Type::Text),
    ("self_selected", Type::Bool),
];

#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Text(String),
    Int(Option<i64>),
    Num(Option<f64>),
    /// A share or a difference of shares (a percentage in a workbook).
    Share(Option<f64>),
    Bool(Option<bool>),
}

impl Cell {
    fn text(&self) -> &str {
        match self {
            Cell::Text(s) => s,
            _ => "",
        }
    }

    fn int(&self) -> Option<i64> {
        match self {
            Cell::Int(v) => *v,
            _ => None,
        }
    }

    fn num(&self) -> Option<f64> {
        match self {
            Cell::Num(v) | Cell::Share(v) => *v,
            _ => None,
        }
    }

    fn boolean(&self) -> Option<bool> {
        match self {
            Cell::Bool(v) => *v,
            _ => None,
        }
    }
}

/// The rows of a view, ready to be written.
pub struct Table {
    title: String,
    rows: Vec<Vec<Cell>>,
}

impl Table {
    /// The rows as the explorer shows them. A share is a percentage in a workbook; an
    /// index's level is a number on 0–6 and is written as a plain number.
    pub fn new(title: &str, rows: &[&ResultRow], names: &Names) -> Table {
        let rows = rows
            .iter()
            .map(|r| {
                // An index level (0–6) and its change are plain numbers, not shares.
                let share = |v: Option<f64>| {
                    if r.kind == crate::analysis::Kind::Share {
                        Cell::Share(v)
                    } else {
                        Cell::Num(v)
                    }
                };
                vec![
                    Cell::Text(r.district.to_string()),
                    Cell::Text(names.domain(&r.district)),
                    Cell::Int(Some(i64::from(r.year))),
                    Cell::Text(r.group.to_string()),
                    Cell::Text(r.indicator.to_string()),
                    Cell::Text(r.kind.as_str().to_string()),
                    share(r.estimate),
                    share(r.ci_low),
                    share(r.ci_high),
                    Cell::Int(r.n.map(|n| n.round() as i64)),
                    Cell::Num(r.n_eff),
                    share(r.prev.diff),
                    Cell::Num(r.prev.q),
                    Cell::Bool(r.prev.significant),
                    Cell::Bool(Some(r.suppressed)),
                    Cell::Text(
                        r.suppression
                            .map(|s| s.as_str().to_string())
                            .unwrap_or_default(),
                    ),
                    Cell::Bool(Some(r.self_selected)),
                ]
            })
            .collect();
        Table {
            title: title.to_string(),
            rows,
        }
    }

    /// CSV with a byte-order mark (Excel reads UTF-8 by it); `swedish` uses `;` and a
    /// decimal comma.
    pub fn csv(&self, swedish: bool) -> Result<Vec<u8>, Error> {
        let fail = |e: csv::Error| Error::Internal(format!("writing CSV: {e}"));
        let mut w = csv::WriterBuilder::new()
            .delimiter(if swedish { b';' } else { b',' })
            .from_writer(b"\xEF\xBB\xBF".to_vec());
        w.write_record(COLUMNS.iter().map(|c| c.0)).map_err(fail)?;
        for row in &self.rows {
            w.write_record(row.iter().map(|c| match c {
                Cell::Text(s) => s.clone(),
                Cell::Int(v) => v.map(|v| v.to_string()).unwrap_or_default(),
                Cell::Num(Some(v)) | Cell::Share(Some(v)) if swedish => {
                    v.to_string().replace('.', ",")
                }
                Cell::Num(v) | Cell::Share(v) => v.map(|v| v.to_string()).unwrap_or_default(),
                Cell::Bool(v) => v.map(|v| v.to_string()).unwrap_or_default(),
            }))
            .map_err(fail)?;
        }
        w.into_inner()
            .map_err(|e| Error::Internal(format!("writing CSV: {e}")))
    }

    /// One sheet with percentages to one decimal, widths, a frozen header and a filter.
    pub fn xlsx(&self) -> Result<Vec<u8>, Error> {
        let xerr = |e: XlsxError| Error::Internal(format!("writing the workbook: {e}"));
        let mut wb = Workbook::new();
        wb.set_properties(&DocProperties::new().set_title(&self.title));
        let ws = wb.add_worksheet();
        ws.set_name("Resultat").map_err(xerr)?;
        let names: Vec<&str> = COLUMNS.iter().map(|c| c.0).collect();
        super::workbook::header(ws, &names, &Format::new().set_bold()).map_err(xerr)?;
        let pct = super::workbook::percent();
        for (i, row) in (1u32..).zip(&self.rows) {
            for (col, cell) in (0u16..).zip(row) {
                match cell {
                    Cell::Text(s) => ws.write(i, col, s.as_str()).map(|_| ()),
                    Cell::Int(Some(v)) => ws.write(i, col, *v as f64).map(|_| ()),
                    Cell::Share(Some(v)) => ws.write_with_format(i, col, *v, &pct).map(|_| ()),
                    Cell::Num(Some(v)) => ws.write(i, col, *v).map(|_| ()),
                    Cell::Bool(Some(v)) => ws.write(i, col, *v).map(|_| ()),
                    Cell::Int(None) | Cell::Num(None) | Cell::Share(None) | Cell::Bool(None) => {
                        Ok(())
                    }
                }
                .map_err(xerr)?;
            }
        }
        super::workbook::filter(ws, self.rows.len() as u32, COLUMNS.len()).map_err(xerr)?;
        wb.save_to_buffer().map_err(xerr)
    }

    /// Parquet, with typed and nullable columns.
    pub fn parquet(&self) -> Result<Vec<u8>, Error> {
        let cols: Vec<Column> = COLUMNS
            .iter()
            .enumerate()
            .map(|(i, (name, ty))| {
                let cells = self.rows.iter().map(move |r| &r[i]);
                let name = (*name).into();
                let s = match ty {
                    Type::Text => Series::new(name, cells.map(Cell::text).collect::<Vec<_>>()),
                    Type::Int => Series::new(name, cells.map(Cell::int).collect::<Vec<_>>()),
                    Type::Number => Series::new(name, cells.map(Cell::num).collect::<Vec<_>>()),
                    Type::Bool => Series::new(name, cells.map(Cell::boolean).collect::<Vec<_>>()),
                };
                s.into()
            })
            .collect();
        let perr = |e: polars::prelude::PolarsError| Error::Internal(format!("polars: {e}"));
        let mut df = DataFrame::new(self.rows.len(), cols).map_err(perr)?;
        let mut out = Vec::new();
        ParquetWriter::new(&mut out).finish(&mut df).map_err(perr)?;
        Ok(out)
    }
}
