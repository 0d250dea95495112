//! The report's workbook `trygg-<year>.xlsx`: a sheet per theme (every district and year,
//! with intervals and flags), one for the indices and one for the measures.
//!
//! Made to be opened and sorted at once: shares and changes are numbers formatted as
//! percentages with one decimal (`0.0%`, so Excel shows 43,0 % in Swedish and still sorts
//! and sums the value), columns have widths, the header row is frozen and every sheet has
//! an autofilter.

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use super::lookup::Names;
use crate::analysis::{Analysis, Group, IndicatorKey, Kind, ResultRow};
use crate::error::Error;

fn xerr(e: XlsxError) -> Error {
    Error::Internal(format!("writing the workbook: {e}"))
}

/// Sheet names: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(s: &str) -> String {
    s.chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(31)
        .collect()
}

pub(super) fn header(ws: &mut Worksheet, cols: &[&str], bold: &Format) -> Result<(), XlsxError> {
    for (i, c) in cols.iter().enumerate() {
        ws.write_with_format(0, i as u16, *c, bold)?;
        let width = (c.chars().count() + 2).max(if i < 2 { 26 } else { 12 });
        ws.set_column_width(i as u16, width as f64)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

/// A filter on every column of the header row, over `rows` data rows.
pub(super) fn filter(ws: &mut Worksheet, rows: u32, cols: usize) -> Result<(), XlsxError> {
    ws.autofilter(0, 0, rows.max(1), cols.saturating_sub(1) as u16)?;
    Ok(())
}

/// Shares and differences of shares: percent with one decimal.
pub(super) fn percent() -> Format {
    Format::new().set_num_format("0.0%")
}

/// Writes a value, or "för få svar" for a suppressed row, or nothing.
fn value(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    r: &ResultRow,
    v: Option<f64>,
    format: Option<&Format>,
) -> Result<(), XlsxError> {
    match v {
        Some(v) => {
            match format {
                Some(f) => ws.write_with_format(row, col, v, f)?,
                None => ws.write(row, col, v)?,
            };
        }
        None if r.suppressed => {
            ws.write(row, col, r.hidden_text())?;
        }
        None => {}
    }
    Ok(())
}

pub fn build(
    a: &Analysis,
    names: &Names,
    years: (i32, i32),
    indicators: &[String],
) -> Result<Vec<u8>, Error> {
    let q = &a.questionnaire;
    let mut wb = Workbook::new();
    // A fixed creation date keeps the file byte-identical between runs.
    let created = ExcelDateTime::from_ymd(years.1 as u16, 12, 31).map_err(xerr)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!("Trygghetsundersökning {}", years.1))
            .set_creation_datetime(&created),
    );
    let bold = Format::new().set_bold();
    for section in &q.sections {
        let codes: Vec<&String> = indicators
            .iter()
            .filter(|c| q.question(c).is_some_and(|x| x.section == section.code))
            .collect();
        if codes.is_empty() {
            continue;
        }
        theme_sheet(&mut wb, section.title.get("sv"), &codes, a, names, &bold).map_err(xerr)?;
    }
    index_sheet(&mut wb, a, names, &bold).map_err(xerr)?;
    measures_sheet(&mut wb, a, names, &bold).map_err(xerr)?;
    wb.save_to_buffer().map_err(xerr)
}

/// The columns of a theme's sheet.
const THEME_COLUMNS: [&str; 13] = [
    "Område",
    "Indikator",
    "År",
    "n",
    "Andel",
    "KI låg",
    "KI hög",
    "Nivå",
    "Osäker",
    "Förändring",
    "Signifikant",
    "Undertryckt",
    "Öppen länk (självselekterat)",
];

/// A theme's sheet: all respondents' share of each of its indicators, every district and
/// year.
fn theme_sheet(
    wb: &mut Workbook,
    title: &str,
    codes: &[&String],
    a: &Analysis,
    names: &Names,
    bold: &Format,
) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet();
    ws.set_name(sheet_name(title))?;
    header(ws, &THEME_COLUMNS, bold)?;
    let shown = a.results.iter().filter(|r| {
        r.group == Group::All
            && r.kind == Kind::Share
            && r.indicator
                .question()
                .is_some_and(|c| codes.iter().any(|x| *x == c))
    });
    let pct = percent();
    let mut last = 0;
    for (row, r) in (1u32..).zip(shown) {
        last = row;
        ws.write(row, 0, names.domain(&r.district))?;
        ws.write(row, 1, names.key(&r.indicator))?;
        ws.write(row, 2, r.year)?;
        if let Some(n) = r.n {
            ws.write(row, 3, n)?;
        }
        value(ws, row, 4, r, r.estimate, Some(&pct))?;
        value(ws, row, 5, r, r.ci_low, Some(&pct))?;
        value(ws, row, 6, r, r.ci_high, Some(&pct))?;
        value(ws, row, 7, r, r.level.map(f64::from), None)?;
        ws.write(row, 8, r.uncertain)?;
        if let Some(d) = r.prev.diff {
            ws.write_with_format(row, 9, d, &pct)?;
        }
        if let Some(s) = r.prev.significant {
            ws.write(row, 10, s)?;
        }
        ws.write(row, 11, r.suppressed)?;
        ws.write(row, 12, r.self_selected)?;
    }
    filter(ws, last, THEME_COLUMNS.len())
}

/// The index sheet: every index of all respondents, every district and year.
fn index_sheet(
    wb: &mut Workbook,
    a: &Analysis,
    names: &Names,
    bold: &Format,
) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet();
    ws.set_name("Index")?;
    let index_cols = ["Område", "Index", "År", "Värde", "Klass", "Undertryckt"];
    header(ws, &index_cols, bold)?;
    let mut last = 0;
    let indices = a
        .results
        .iter()
        .filter(|r| r.group == Group::All && r.kind == Kind::Index);
    for (row, r) in (1u32..).zip(indices) {
        last = row;
        ws.write(row, 0, names.domain(&r.district))?;
        let index = match &r.indicator {
            IndicatorKey::Index(i) => i.to_string(),
            other => other.to_string(),
        };
        ws.write(row, 1, index)?;
        ws.write(row, 2, r.year)?;
        value(ws, row, 3, r, r.estimate, None)?;
        if let Some(c) = r.class {
            ws.write(row, 4, c.as_str())?;
        }
        ws.write(row, 5, r.suppressed)?;
    }
    filter(ws, last, index_cols.len())
}

/// The columns of the measures sheet.
const MEASURE_COLUMNS: [&str; 15] = [
    "Åtgärd",
    "Indikator",
    "Före",
    "Efter",
    "Förändring i området",
    "I jämförelsen",
    "DiD",
    "KI låg",
    "KI hög",
    "p",
    "Undertryckt",
    "Målindikator",
    "q",
    "Säkerställd",
    "Öppen länk (självselekterat)",
];

/// The measures sheet: every measure row of the analysis.
fn measures_sheet(
    wb: &mut Workbook,
    a: &Analysis,
    names: &Names,
    bold: &Format,
) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet();
    ws.set_name("Åtgärder")?;
    header(ws, &MEASURE_COLUMNS, bold)?;
    let pct = percent();
    for (i, m) in a.measures.iter().enumerate() {
        let row = i as u32 + 1;
        ws.write(row, 0, m.measure.as_str())?;
        ws.write(row, 1, (names.indicator)(&m.indicator))?;
        ws.write(row, 2, m.before_year)?;
        ws.write(row, 3, m.after_year)?;
        for (c, v) in [
            m.delta_district,
            m.delta_comparison,
            m.did,
            m.ci_low,
            m.ci_high,
            m.p,
        ]
        .into_iter()
        .enumerate()
        {
            // Changes and their interval are shares; p stays a plain number.
            match v {
                Some(v) if c < 5 => ws.write_with_format(row, 4 + c as u16, v, &pct)?,
                Some(v) => ws.write(row, 4 + c as u16, v)?,
                None => ws.write(row, 4 + c as u16, "dold")?,
            };
        }
        ws.write(row, 10, m.suppressed)?;
        ws.write(row, 11, m.target)?;
        if let Some(q) = m.q {
            ws.write(row, 12, q)?;
        }
        if let Some(s) = m.significant {
            ws.write(row, 13, s)?;
        }
        ws.write(row, 14, m.self_selected)?;
    }
    filter(ws, a.measures.len() as u32, MEASURE_COLUMNS.len())
}
