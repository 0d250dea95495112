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
    if !faults.is_empty() {
        return Err(faults);
    }
    let address_idx: Vec<usize> = (0..header.len())
        .filter(|i| !REQUIRED.contains(&header[*i].as_str()))
        .collect();
    let mut people = Vec::new();
    let mut first_line: HashMap<String, usize> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                faults.push(format!("{name}:{line}: {}", csv_reason(&e)));
                continue;
            }
        };
        let line = record.position().map(|p| p.line() as usize).unwrap_or(0);
        let get = |c: &str| record.get(col[c]).unwrap_or("").trim();
        let id = get("person_id");
        if id.is_empty() {
            faults.push(format!("{name}:{line}: person_id is empty"));
        } else if let Some(first) = first_line.insert(id.to_string(), line) {
            faults.push(format!(
                "{name}:{line}: person_id is a duplicate of line {first}"
            ));
        }
        let district = get("district");
        if district.is_empty() {
            faults.push(format!("{name}:{line}: the district is missing"));
        } else if districts.get(district).is_none() {
            faults.push(format!(
                "{name}:{line}: district \"{}\" is not in districts.toml",
                truncate(district)
            ));
        }
        let sex = match get("sex").to_lowercase().as_str() {
            "kvinna" | "k" => Some(Sex::Kvinna),
            "man" | "m" => Some(Sex::Man),
            other => {
                faults.push(format!(
                    "{name}:{line}: sex \"{}\" is neither kvinna (K) nor man (M)",
                    truncate(other)
                ));
                None
            }
        };
        let birth_year = match get("birth_year").parse::<i32>() {
            Ok(y) if y <= year && y >= year - MAX_AGE => Some(y),
            _ => {
                faults.push(format!(
                    "{name}:{line}: birth year \"{}\" is impossible for a resident in {year}",
                    truncate(get("birth_year"))
                ));
                None
            }
        };
        if let (Some(sex), Some(birth_year)) = (sex, birth_year) {
            people.push(Person {
                line,
                district: district.to_string(),
                sex,
                birth_year,
                address: address_idx
                    .iter()
                    .map(|&i| record.get(i).unwrap_or("").to_string())
                    .collect(),
            });
        }
    }
    if people.is_empty() && faults.is_empty() {
        faults.push(format!("{name}: the frame has no residents"));
    }
    if faults.is_empty() {
        Ok(Frame {
            address_columns: address_idx.iter().map(|&i| header[i].clone()).collect(),
            people,
        })
    } else {
        Err(faults)
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
