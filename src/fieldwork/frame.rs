//! The sampling frame: one row per resident, from the population register, read in memory
//! only. Nothing of it is ever stored; the address fields pass through to the print file.
//!
//! Columns (a header row, comma-separated, UTF-8): `person_id`, `district`, `sex`
//! (`kvinna`/`man`, or `K`/`M`), `birth_year`, and any number of address columns for the
//! print vendor (e.g. `name`, `street`, `postcode`, `city`), kept in their order.

use std::collections::HashMap;
use std::path::Path;

use crate::questionnaire::Districts;

/// Columns every frame has; the rest are address fields.
const REQUIRED: [&str; 4] = ["person_id", "district", "sex", "birth_year"];
/// Largest frame file read (a city of 1.5 million residents is about 150 MB).
const MAX_FRAME_BYTES: u64 = 512 * 1024 * 1024;
/// Oldest age anyone in a frame can be.
const MAX_AGE: i32 = 125;

/// A resident of the frame, as long as the sample is being drawn.
#[derive(Debug, Clone)]
pub struct Person {
    pub line: usize,
    pub district: String,
    pub sex: Sex,
    pub birth_year: i32,
    /// The address columns, in the frame's order.
    pub address: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Sex {
    Kvinna,
    Man,
}

impl Sex {
    /// The category code, as in the questionnaire and the population margins.
    pub fn code(self) -> &'static str {
        match self {
            Sex::Kvinna => "kvinna",
            Sex::Man => "man",
        }
    }
}

/// A frame read whole: the address header and the residents.
#[derive(Debug)]
pub struct Frame {
    pub address_columns: Vec<String>,
    pub people: Vec<Person>,
}

/// Reads and checks a frame; every fault is reported as `file:line: message`.
pub fn read(path: &Path, districts: &Districts, year: i32) -> Result<Frame, Vec<String>> {
    let name = path.display().to_string();
    let size = std::fs::metadata(path)
        .map_err(|e| vec![format!("{name}: {e}")])?
        .len();
    if size > MAX_FRAME_BYTES {
        return Err(vec![format!(
            "{name}: the file is {size} bytes, more than a frame can be ({MAX_FRAME_BYTES})"
        )]);
    }
    let bytes = std::fs::read(path).map_err(|e| vec![format!("{name}: {e}")])?;
    parse(&name, &bytes, districts, year)
}

/// [`read`] on bytes already in memory.
pub fn parse(
    name: &str,
    bytes: &[u8],
    districts: &Districts,
    year: i32,
) -> Result<Frame, Vec<String>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(bytes);
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|s| s.trim().to_string()).collect(),
        Err(e) => return Err(vec![format!("{name}:1: the header cannot be read: {e}")]),
    };
    let col = columns(name, &header)?;
    let address_idx: Vec<usize> = (0..header.len())
        .filter(|i| !REQUIRED.contains(&header[*i].as_str()))
        .collect();
    let mut rows = Rows {
        name,
        col,
        address_idx,
        districts,
        year,
        first_line: HashMap::new(),
        faults: Vec::new(),
    };
    let mut people = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                rows.faults
                    .push(format!("{name}:{line}: {}", csv_reason(&e)));
                continue;
            }
        };
        people.extend(rows.person(&record));
    }
    let mut faults = rows.faults;
    if people.is_empty() && faults.is_empty() {
        faults.push(format!("{name}: the frame has no residents"));
    }
    if faults.is_empty() {
        Ok(Frame {
            address_columns: rows
                .address_idx
                .iter()
                .map(|&i| header[i].clone())
                .collect(),
            people,
        })
    } else {
        Err(faults)
    }
}

/// Each column's position by name; faults for a column given twice or a required one
/// missing.
fn columns(name: &str, header: &[String]) -> Result<HashMap<String, usize>, Vec<String>> {
    let mut faults = Vec::new();
    let mut col = HashMap::new();
    for (i, h) in header.iter().enumerate() {
        if col.insert(h.clone(), i).is_some() {
            faults.push(format!("{name}:1: column \"{h}\" appears twice"));
        }
    }
    for r in REQUIRED {
        if !col.contains_key(r) {
            faults.push(format!(
                "{name}:1: column \"{r}\" is missing (a frame has {})",
                REQUIRED.join(", ")
            ));
        }
    }
    if faults.is_empty() {
        Ok(col)
    } else {
        Err(faults)
    }
}

/// Reads the frame's rows one by one, collecting the faults of all of them.
struct Rows<'a> {
    name: &'a str,
    col: HashMap<String, usize>,
    address_idx: Vec<usize>,
    districts: &'a Districts,
    year: i32,
    /// The line each person id was first seen on.
    first_line: HashMap<String, usize>,
    faults: Vec<String>,
}

impl Rows<'_> {
    /// The resident of one row, or `None` (with its faults noted) when the row is wrong.
    fn person(&mut self, record: &csv::StringRecord) -> Option<Person> {
        let name = self.name;
        let line = record.position().map(|p| p.line() as usize).unwrap_or(0);
        let get = |c: &str| record.get(self.col[c]).unwrap_or("").trim();
        let id = get("person_id");
        if id.is_empty() {
            self.faults
                .push(format!("{name}:{line}: person_id is empty"));
        } else if let Some(first) = self.first_line.insert(id.to_string(), line) {
            self.faults.push(format!(
                "{name}:{line}: person_id is a duplicate of line {first}"
            ));
        }
        let district = get("district");
        if district.is_empty() {
            self.faults
                .push(format!("{name}:{line}: the district is missing"));
        } else if self.districts.get(district).is_none() {
            self.faults.push(format!(
                "{name}:{line}: district \"{}\" is not in districts.toml",
                truncate(district)
            ));
        }
        let (sex, birth_year) = (get("sex"), get("birth_year"));
        let sex = self.sex(line, sex);
        let birth_year = self.birth_year(line, birth_year);
        let (sex, birth_year) = (sex?, birth_year?);
        Some(Person {
            line,
            district: district.to_string(),
            sex,
            birth_year,
            address: self
                .address_idx
                .iter()
                .map(|&i| record.get(i).unwrap_or("").to_string())
                .collect(),
        })
    }

    /// `kvinna`/`K` or `man`/`M`, in any case.
    fn sex(&mut self, line: usize, value: &str) -> Option<Sex> {
        match value.to_lowercase().as_str() {
            "kvinna" | "k" => Some(Sex::Kvinna),
            "man" | "m" => Some(Sex::Man),
            other => {
                self.faults.push(format!(
                    "{}:{line}: sex \"{}\" is neither kvinna (K) nor man (M)",
                    self.name,
                    truncate(other)
                ));
                None
            }
        }
    }

    /// A birth year that makes a living resident of the survey year.
    fn birth_year(&mut self, line: usize, value: &str) -> Option<i32> {
        let year = self.year;
        match value.parse::<i32>() {
            Ok(y) if y <= year && y >= year - MAX_AGE => Some(y),
            _ => {
                self.faults.push(format!(
                    "{}:{line}: birth year \"{}\" is impossible for a resident in {year}",
                    self.name,
                    truncate(value)
                ));
                None
            }
        }
    }
}

fn csv_reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "the line is not valid UTF-8".into(),
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("the line has {len} fields, the header {expected_len}"),
        _ => format!("the line cannot be read: {e}"),
    }
}

fn truncate(s: &str) -> String {
    if s.chars().count() <= 40 {
        s.to_string()
    } else {
        s.chars().take(40).collect::<String>() + "…"
    }
}
