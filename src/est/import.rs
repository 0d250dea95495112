//! Reading an import file of incident reports: a CSV with the header exactly
//! `date,district,place,category,description` — the day as `YYYY-MM-DD`, district and
//! category as codes, the place as an id of the register (of that district) or empty, a
//! description checked by the personal-data guard or empty.
//!
//! All or nothing: a file with any fault is refused whole, naming every bad row with its
//! line and all its reasons, so the person who made it can correct it in one pass. The
//! faults are types that say themselves in English (`Display`, for the command line) and
//! in Swedish (`sv`, for a staff page).

use std::fmt;
use std::path::Path;

use chrono::NaiveDate;

use super::category::Category;
use super::guard::{DescriptionFault, check_description};
use super::places::Places;
use crate::questionnaire::Districts;

/// The largest import file read.
pub const MAX_IMPORT_BYTES: u64 = 5 * 1024 * 1024;

/// The header an import file starts with, exactly.
pub const HEADER: [&str; 5] = ["date", "district", "place", "category", "description"];

/// A fault that refuses the whole file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileFault {
    /// The file cannot be read (the operating system's words).
    Io(String),
    TooBig {
        size: u64,
        max: u64,
    },
    Empty,
    /// The first line is not the header (what it was instead).
    WrongHeader(String),
    /// A header and no reports.
    NoRows,
}

/// Why one row was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowFault {
    /// The CSV reader's words (a stray quote, …).
    Unreadable(String),
    NotUtf8,
    Columns {
        found: usize,
    },
    BadDate(String),
    FutureDate(NaiveDate),
    UnknownDistrict(String),
    UnknownPlace(String),
    PlaceElsewhere {
        place: String,
        district: String,
    },
    UnknownCategory(String),
    Description(DescriptionFault),
}

/// A refused row: its line in the file and every reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRow {
    pub line: usize,
    pub faults: Vec<RowFault>,
}

/// Why a file was refused: the file as a whole, or every bad row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    File(FileFault),
    Rows(Vec<BadRow>),
}

/// One good row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    pub line: usize,
    pub day: NaiveDate,
    pub district: String,
    pub place_id: Option<String>,
    pub category: Category,
    pub description: Option<String>,
}

/// Reads an import file, refusing one larger than [`MAX_IMPORT_BYTES`] before reading it.
pub fn read_file(path: &Path) -> Result<Vec<u8>, FileFault> {
    let io = |e: std::io::Error| FileFault::Io(format!("{}: {e}", path.display()));
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > MAX_IMPORT_BYTES {
        return Err(FileFault::TooBig {
            size,
            max: MAX_IMPORT_BYTES,
        });
    }
    std::fs::read(path).map_err(io)
}

/// Checks every row of an import file against the registers; days after `today` are
/// refused. Every good row, or why the file is refused.
pub fn parse(
    bytes: &[u8],
    districts: &Districts,
    places: &Places,
    today: NaiveDate,
) -> Result<Vec<ImportRow>, Refusal> {
    if bytes.len() as u64 > MAX_IMPORT_BYTES {
        return Err(Refusal::File(FileFault::TooBig {
            size: bytes.len() as u64,
            max: MAX_IMPORT_BYTES,
        }));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Refusal::File(FileFault::Empty));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut records = reader.byte_records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => return Err(Refusal::File(FileFault::WrongHeader(e.to_string()))),
        None => return Err(Refusal::File(FileFault::Empty)),
    };
    if header.iter().ne(HEADER.iter().map(|h| h.as_bytes())) {
        let shown: Vec<String> = header
            .iter()
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect();
        return Err(Refusal::File(FileFault::WrongHeader(shown.join(","))));
    }
    let mut good = Vec::new();
    let mut bad = Vec::new();
    let mut line = 1;
    for record in records {
        line += 1;
        let result = match record {
            Ok(r) => {
                line = r.position().map_or(line, |p| p.line() as usize);
                row(&r, line, districts, places, today)
            }
            Err(e) => Err(vec![RowFault::Unreadable(e.to_string())]),
        };
        match result {
            Ok(r) => good.push(r),
            Err(faults) => bad.push(BadRow { line, faults }),
        }
    }
    if !bad.is_empty() {
        return Err(Refusal::Rows(bad));
    }
    if good.is_empty() {
        return Err(Refusal::File(FileFault::NoRows));
    }
    Ok(good)
}

/// One row, with every fault it has.
fn row(
    record: &csv::ByteRecord,
    line: usize,
    districts: &Districts,
    places: &Places,
    today: NaiveDate,
) -> Result<ImportRow, Vec<RowFault>> {
    if record.len() != HEADER.len() {
        return Err(vec![RowFault::Columns {
            found: record.len(),
        }]);
    }
    let mut fields = Vec::with_capacity(HEADER.len());
    for f in record {
        match std::str::from_utf8(f) {
            Ok(s) => fields.push(s.trim()),
            Err(_) => return Err(vec![RowFault::NotUtf8]),
        }
    }
    let [date, district, place, category, description] = fields[..] else {
        unreachable!("five columns checked above")
    };
    let mut faults = Vec::new();
    let day = match NaiveDate::parse_from_str(date, "%Y-%m-%d") {
        Ok(d) if date.len() == 10 && d > today => {
            faults.push(RowFault::FutureDate(d));
            None
        }
        Ok(d) if date.len() == 10 => Some(d),
        _ => {
            faults.push(RowFault::BadDate(shortened(date)));
            None
        }
    };
    if districts.get(district).is_none() {
        faults.push(RowFault::UnknownDistrict(shortened(district)));
    }
    if !place.is_empty() {
        match places.get(place) {
            None => faults.push(RowFault::UnknownPlace(shortened(place))),
            Some(p) if p.district != district => faults.push(RowFault::PlaceElsewhere {
                place: p.id.clone(),
                district: p.district.clone(),
            }),
            Some(_) => {}
        }
    }
    let category = Category::from_code(category);
    if category.is_none() {
        faults.push(RowFault::UnknownCategory(shortened(fields[3])));
    }
    if let Err(e) = check_description(description) {
        faults.push(RowFault::Description(e));
    }
    match (day, category) {
        (Some(day), Some(category)) if faults.is_empty() => Ok(ImportRow {
            line,
            day,
            district: district.to_string(),
            place_id: (!place.is_empty()).then(|| place.to_string()),
            category,
            description: (!description.is_empty()).then(|| description.to_string()),
        }),
        _ => Err(faults),
    }
}

/// A value as shown in a fault: at most 40 characters, so a long cell does not flood the
/// list (and a description's personal data is never repeated: those are not shown).
fn shortened(v: &str) -> String {
    if v.chars().count() > 40 {
        format!("{}…", v.chars().take(40).collect::<String>())
    } else {
        v.to_string()
    }
}

impl FileFault {
    /// In Swedish, for a staff page.
    pub fn sv(&self) -> String {
        match self {
            FileFault::Io(_) => "filen kan inte läsas".into(),
            FileFault::TooBig { size, max } => format!("filen är {size} byte, mer än {max}"),
            FileFault::Empty => "filen är tom".into(),
            FileFault::WrongHeader(found) => format!(
                "första raden ska vara exakt \"{}\", inte \"{}\"",
                HEADER.join(","),
                shortened(found)
            ),
            FileFault::NoRows => "filen har inga rapporter".into(),
        }
    }
}

impl fmt::Display for FileFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileFault::Io(e) => write!(f, "{e}"),
            FileFault::TooBig { size, max } => {
                write!(f, "the file is {size} bytes, more than {max}")
            }
            FileFault::Empty => write!(f, "the file is empty"),
            FileFault::WrongHeader(found) => write!(
                f,
                "line 1: the header must be exactly \"{}\", not \"{}\"",
                HEADER.join(","),
                shortened(found)
            ),
            FileFault::NoRows => write!(f, "the file has a header and no reports"),
        }
    }
}

impl RowFault {
    /// In Swedish, for a staff page.
    pub fn sv(&self) -> String {
        match self {
            RowFault::Unreadable(_) => "raden kan inte läsas som CSV".into(),
            RowFault::NotUtf8 => "raden är inte UTF-8".into(),
            RowFault::Columns { found } => {
                format!("raden har {found} kolumner, ska ha {}", HEADER.len())
            }
            RowFault::BadDate(d) => format!("\"{d}\" är inget datum ÅÅÅÅ-MM-DD"),
            RowFault::FutureDate(d) => format!("{d} har inte varit än"),
            RowFault::UnknownDistrict(d) => format!("okänt område \"{d}\""),
            RowFault::UnknownPlace(p) => format!("platsen \"{p}\" finns inte i platsregistret"),
            RowFault::PlaceElsewhere { place, district } => {
                format!("platsen \"{place}\" ligger i {district}")
            }
            RowFault::UnknownCategory(c) => format!("okänd kategori \"{c}\""),
            RowFault::Description(e) => e.sv(),
        }
    }
}

impl fmt::Display for RowFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RowFault::Unreadable(e) => write!(f, "cannot be read: {e}"),
            RowFault::NotUtf8 => write!(f, "not UTF-8"),
            RowFault::Columns { found } => {
                write!(f, "{found} columns, not {}", HEADER.len())
            }
            RowFault::BadDate(d) => write!(f, "\"{d}\" is not a date YYYY-MM-DD"),
            RowFault::FutureDate(d) => write!(f, "{d} is in the future"),
            RowFault::UnknownDistrict(d) => write!(f, "unknown district \"{d}\""),
            RowFault::UnknownPlace(p) => write!(f, "place \"{p}\" is not in the register"),
            RowFault::PlaceElsewhere { place, district } => {
                write!(f, "place \"{place}\" is in district {district}")
            }
            RowFault::UnknownCategory(c) => write!(f, "unknown category \"{c}\""),
            RowFault::Description(e) => write!(f, "{e}"),
        }
    }
}

impl fmt::Display for BadRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let reasons: Vec<String> = self.faults.iter().map(|x| x.to_string()).collect();
        write!(f, "line {}: {}", self.line, reasons.join("; "))
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::File(e) => write!(f, "{e}"),
            Refusal::Rows(rows) => {
                writeln!(f, "{} bad row(s):", rows.len())?;
                for r in rows {
                    writeln!(f, "{r}")?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registers() -> (Districts, Places) {
        super::super::places::test_registers()
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
    }

    #[test]
    fn a_byte_order_mark_and_quoted_line_breaks_are_read() {
        let (d, p) = registers();
        let src = "\u{feff}date,district,place,category,description\n2026-11-02,ryd,ryd-centrum,klotter,\"två\nrader\"\n2026-11-03,city,,ovrigt,\n";
        let rows = parse(src.as_bytes(), &d, &p, today()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].description.as_deref(), Some("två\nrader"));
        assert_eq!((rows[0].line, rows[1].line), (2, 4));
    }

    #[test]
    fn lines_count_quoted_line_breaks_and_future_days_are_refused() {
        let (d, p) = registers();
        let src = "date,district,place,category,description\n2026-11-02,ryd,,klotter,\"två\nrader\"\n2026-12-24,city,,ovrigt,\n2026-11-2,city,,ovrigt,\n";
        let Err(Refusal::Rows(bad)) = parse(src.as_bytes(), &d, &p, today()) else {
            panic!("refused rows expected");
        };
        assert_eq!(bad.len(), 2);
        assert_eq!(bad[0].line, 4);
        assert!(matches!(bad[0].faults[..], [RowFault::FutureDate(_)]));
        assert_eq!(bad[1].line, 5);
        assert!(matches!(bad[1].faults[..], [RowFault::BadDate(_)]));
        assert_eq!(
            bad[1].to_string(),
            "line 5: \"2026-11-2\" is not a date YYYY-MM-DD"
        );
    }
}
