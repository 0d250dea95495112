//! Population margins per district and year: `surveys/population/<year>.csv` with columns
//! `district,dimension,category,count` (dimensions `sex` and `age_group`).
//!
//! Lines starting with `#` are comments (the bundled files use one to say they are
//! illustrative). Every fault names the file and line, or the district.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::weights::Margin;
use crate::error::Error;

/// The dimensions trygg rakes to, in raking order.
pub const DIMENSIONS: [&str; 2] = ["sex", "age_group"];

/// Margins of one year: district → dimension → category → count.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Population {
    pub file: PathBuf,
    pub districts: BTreeMap<String, BTreeMap<String, BTreeMap<String, f64>>>,
}

pub fn path_for(surveys: &Path, year: i32) -> PathBuf {
    surveys.join("population").join(format!("{year}.csv"))
}

/// Reads a year's margins; `Ok(None)` when there is no file (the year is unweighted).
pub fn load(surveys: &Path, year: i32) -> Result<Option<Population>, Error> {
    let path = path_for(surveys, year);
    if !path.exists() {
        return Ok(None);
    }
    let src = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    parse(&path, &src).map(Some)
}

pub fn parse(path: &Path, src: &str) -> Result<Population, Error> {
    let file = path.display().to_string();
    let bad = |line: usize, msg: String| Error::Invalid(format!("{file}:{line}: {msg}"));
    let mut pop = Population {
        file: path.to_path_buf(),
        ..Default::default()
    };
    let mut header_seen = false;
    for (i, raw) in src.lines().enumerate() {
        let line_no = i + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if !header_seen {
            if line != "district,dimension,category,count" {
                return Err(bad(
                    line_no,
                    "the header must be district,dimension,category,count".into(),
                ));
            }
            header_seen = true;
            continue;
        }
        let ([district, dimension, category], count) =
            margin_line(line).map_err(|msg| bad(line_no, msg))?;
        let slot = pop
            .districts
            .entry(district.to_string())
            .or_default()
            .entry(dimension.to_string())
            .or_default();
        if slot.insert(category.to_string(), count).is_some() {
            return Err(bad(
                line_no,
                format!("{district} {dimension}={category} is given twice"),
            ));
        }
    }
    if !header_seen {
        return Err(bad(1, "no header and no margins".into()));
    }
    check_totals(&file, &pop)?;
    Ok(pop)
}

/// One line of margins: district, dimension, category and count, or what is wrong with it.
fn margin_line(line: &str) -> Result<([&str; 3], f64), String> {
    let fields: Vec<&str> = line.split(',').map(str::trim).collect();
    let [district, dimension, category, count] = fields[..] else {
        return Err(format!("expected 4 fields, found {}", fields.len()));
    };
    if !DIMENSIONS.contains(&dimension) {
        return Err(format!(
            "unknown dimension \"{dimension}\" (sex, age_group)"
        ));
    }
    let count = count
        .parse::<i64>()
        .map_err(|_| format!("count \"{count}\" is not a whole number"))?;
    if count < 0 {
        return Err(format!(
            "negative count {count} for {district} {dimension}={category}"
        ));
    }
    Ok(([district, dimension, category], count as f64))
}

/// Every district needs positive margins for both dimensions, summing to the same total.
fn check_totals(file: &str, pop: &Population) -> Result<(), Error> {
    for (district, dims) in &pop.districts {
        let totals: Vec<(String, f64)> = DIMENSIONS
            .iter()
            .map(|d| {
                (
                    d.to_string(),
                    dims.get(*d).map(|c| c.values().sum()).unwrap_or(0.0),
                )
            })
            .collect();
        if totals.iter().any(|(_, t)| *t <= 0.0) {
            return Err(Error::Invalid(format!(
                "{file}: district {district} needs positive margins for both sex and age_group"
            )));
        }
        if (totals[0].1 - totals[1].1).abs() > 0.5 {
            return Err(Error::Invalid(format!(
                "{file}: the margins of district {district} do not sum to the same total: sex {}, age_group {}",
                totals[0].1, totals[1].1
            )));
        }
    }
    Ok(())
}

impl Population {
    /// The margins of one district in the order of the questionnaire's categories.
    ///
    /// `categories[d]` are the categories of dimension d as the questionnaire has them; the
    /// file must have exactly those.
    pub fn margins(
        &self,
        district: &str,
        year: i32,
        categories: &[Vec<String>; 2],
    ) -> Result<Vec<Margin>, Error> {
        let file = self.file.display();
        let dims = self.districts.get(district).ok_or_else(|| {
            Error::Invalid(format!(
                "{file} has no margins for district {district} (needed for {year})"
            ))
        })?;
        let mut out = Vec::new();
        for (d, name) in DIMENSIONS.iter().enumerate() {
            let given = dims.get(*name).cloned().unwrap_or_default();
            let mut counts = Vec::new();
            for c in &categories[d] {
                counts.push(*given.get(c).ok_or_else(|| {
                    Error::Invalid(format!(
                        "{file}: district {district} has no {name} margin for category \"{c}\""
                    ))
                })?);
            }
            if let Some(extra) = given.keys().find(|k| !categories[d].contains(k)) {
                return Err(Error::Invalid(format!(
                    "{file}: district {district}: {name} category \"{extra}\" is not an option of the questionnaire"
                )));
            }
            out.push(Margin {
                dimension: name.to_string(),
                categories: categories[d].clone(),
                counts,
            });
        }
        Ok(out)
    }
}
