//! The places register (`surveys/places.toml`): the public places incidents are reported
//! at, each with a stable id, a Swedish name, its district and WGS 84 coordinates.
//!
//! The file is read as tables of spanned values rather than into a struct with
//! `deny_unknown_fields`, so that every fault of every place — an unknown or missing key,
//! a bad id, a district not in `districts.toml`, a coordinate outside Sweden, a repeated
//! id — is collected and said as `file:line: message`, not only the first.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::questionnaire::{Districts, Fault, line_of};

/// Sweden's rough bounding box, in WGS 84 decimal degrees: a coordinate outside it is a
/// typing error (swapped latitude and longitude, a comma lost), not a place in Linköping.
pub const LAT_RANGE: (f64, f64) = (55.0, 69.1);
pub const LON_RANGE: (f64, f64) = (10.9, 24.2);

/// The keys a place has, all required.
const KEYS: [&str; 5] = ["id", "name", "district", "lat", "lon"];

/// One place of the register.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    /// 1-64 characters of a-z, 0-9 or `-`; stored with reports, so never changed once used.
    pub id: String,
    /// The Swedish name shown on pages (`Berga torg`).
    pub name: String,
    /// A district code from `districts.toml`.
    pub district: String,
    pub lat: f64,
    pub lon: f64,
}

/// The register: places in file order, ids unique, districts known.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Places(pub Vec<Place>);

impl Places {
    pub fn get(&self, id: &str) -> Option<&Place> {
        self.0.iter().find(|p| p.id == id)
    }

    /// The places of one district, in file order.
    pub fn in_district<'a>(&'a self, district: &'a str) -> impl Iterator<Item = &'a Place> {
        self.0.iter().filter(move |p| p.district == district)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    places: Vec<Spanned<BTreeMap<String, Spanned<toml::Value>>>>,
}

/// Whether `id` is a valid place id: 1-64 characters of a-z, 0-9 or `-`.
pub fn valid_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Parses `places.toml`. With `districts`, each place's district must be one of them
/// (`None` when `districts.toml` itself could not be read: its faults are said there).
pub fn parse_places(
    file: &str,
    src: &str,
    districts: Option<&Districts>,
) -> Result<Places, Vec<Fault>> {
    let fault = |span: std::ops::Range<usize>, message: String| Fault {
        file: file.to_string(),
        line: line_of(src, span.start),
        message,
    };
    let raw: RawFile = toml::from_str(src).map_err(|e| {
        vec![fault(
            e.span().unwrap_or(0..0),
            e.message().trim().to_string(),
        )]
    })?;
    let mut faults = Vec::new();
    let mut out: Vec<Place> = Vec::new();
    for table in &raw.places {
        let (place, mut found) = place(table, districts, &fault);
        if let Some(p) = place {
            if out.iter().any(|x| x.id == p.id) {
                found.push(fault(
                    table.span(),
                    format!("duplicate place id \"{}\"", p.id),
                ));
            }
            out.push(p);
        }
        faults.extend(found);
    }
    if raw.places.is_empty() {
        faults.push(fault(0..0, "no places".into()));
    }
    if faults.is_empty() {
        Ok(Places(out))
    } else {
        Err(faults)
    }
}

/// One `[[places]]` table: the place when its keys could be read, and its faults.
fn place(
    table: &Spanned<BTreeMap<String, Spanned<toml::Value>>>,
    districts: Option<&Districts>,
    fault: &dyn Fn(std::ops::Range<usize>, String) -> Fault,
) -> (Option<Place>, Vec<Fault>) {
    let mut faults = Vec::new();
    let map = table.get_ref();
    for (key, value) in map {
        if !KEYS.contains(&key.as_str()) {
            faults.push(fault(
                value.span(),
                format!("unknown key \"{key}\" (a place has {})", KEYS.join(", ")),
            ));
        }
    }
    let text = |key: &str, faults: &mut Vec<Fault>| match map.get(key) {
        Some(v) => match v.get_ref().as_str() {
            Some(s) => Some((s.to_string(), v.span())),
            None => {
                faults.push(fault(v.span(), format!("\"{key}\" must be a string")));
                None
            }
        },
        None => {
            faults.push(fault(table.span(), format!("place without \"{key}\"")));
            None
        }
    };
    let id = text("id", &mut faults);
    let name = text("name", &mut faults);
    let district = text("district", &mut faults);
    let shown = id.as_ref().map_or("?".to_string(), |(id, _)| id.clone());
    if let Some((id, span)) = &id
        && !valid_id(id)
    {
        faults.push(fault(
            span.clone(),
            format!("place id \"{id}\" must be 1-64 characters of a-z, 0-9 or -"),
        ));
    }
    if let Some((name, span)) = &name
        && name.trim().is_empty()
    {
        faults.push(fault(
            span.clone(),
            format!("place \"{shown}\": empty name"),
        ));
    }
    if let (Some((code, span)), Some(known)) = (&district, districts)
        && known.get(code).is_none()
    {
        faults.push(fault(
            span.clone(),
            format!(
                "place \"{shown}\": unknown district \"{code}\" (known: {})",
                known.codes().collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    let lat = degrees(map, table, "lat", LAT_RANGE, &shown, fault, &mut faults);
    let lon = degrees(map, table, "lon", LON_RANGE, &shown, fault, &mut faults);
    let place = match (id, name, district, lat, lon) {
        (Some((id, _)), Some((name, _)), Some((district, _)), Some(lat), Some(lon)) => {
            Some(Place {
                id,
                name,
                district,
                lat,
                lon,
            })
        }
        _ => None,
    };
    (place, faults)
}

/// A coordinate in decimal degrees within `range`.
fn degrees(
    map: &BTreeMap<String, Spanned<toml::Value>>,
    table: &Spanned<BTreeMap<String, Spanned<toml::Value>>>,
    key: &str,
    range: (f64, f64),
    shown: &str,
    fault: &dyn Fn(std::ops::Range<usize>, String) -> Fault,
    faults: &mut Vec<Fault>,
) -> Option<f64> {
    let Some(v) = map.get(key) else {
        faults.push(fault(table.span(), format!("place without \"{key}\"")));
        return None;
    };
    let x = match v.get_ref() {
        toml::Value::Float(x) => *x,
        toml::Value::Integer(i) => *i as f64,
        _ => {
            faults.push(fault(
                v.span(),
                format!("place \"{shown}\": \"{key}\" must be a number of decimal degrees"),
            ));
            return None;
        }
    };
    if !(range.0..=range.1).contains(&x) {
        faults.push(fault(
            v.span(),
            format!(
                "place \"{shown}\": {key} = {x} is outside Sweden ({} to {})",
                range.0, range.1
            ),
        ));
        return None;
    }
    Some(x)
}

/// The register in the `places.toml` format, a header comment first; [`parse_places`]
/// reads it back to the same places.
pub fn to_toml(places: &Places, header: &str) -> String {
    let quoted = |s: &str| toml::Value::String(s.to_string()).to_string();
    let mut out = String::new();
    for line in header.lines() {
        out.push_str(&format!("# {line}\n"));
    }
    for p in &places.0 {
        out.push_str(&format!(
            "\n[[places]]\nid = {}\nname = {}\ndistrict = {}\nlat = {:?}\nlon = {:?}\n",
            quoted(&p.id),
            quoted(&p.name),
            quoted(&p.district),
            p.lat,
            p.lon
        ));
    }
    out
}

/// Reads and parses `places.toml` against the districts.
pub fn load_places(path: &Path, districts: Option<&Districts>) -> Result<Places, Vec<Fault>> {
    let name = path.display().to_string();
    let src = crate::questionnaire::read_limited(
        path,
        crate::questionnaire::MAX_FILE_BYTES,
        "places.toml",
    )?;
    parse_places(&name, &src, districts)
}

/// What `trygg check PATH` adds for the places register: with a folder, its `places.toml`
/// if there is one; with a file named `places.toml`, that file. Districts come from
/// `districts.toml` beside it. Returns the file checked and its faults.
pub fn check_places(path: &Path) -> Option<(String, Vec<Fault>)> {
    let file = if path.is_dir() {
        let f = path.join("places.toml");
        f.is_file().then_some(f)?
    } else if path.file_name().is_some_and(|n| n == "places.toml") {
        path.to_path_buf()
    } else {
        return None;
    };
    let districts_file = file.with_file_name("districts.toml");
    let districts = crate::questionnaire::load_districts(&districts_file).ok();
    let faults = load_places(&file, districts.as_ref())
        .err()
        .unwrap_or_default();
    Some((file.display().to_string(), faults))
}

/// Two districts (Ryd, City) and a place in each, for the unit tests of this folder.
#[cfg(test)]
pub(super) fn test_registers() -> (Districts, Places) {
    let districts = crate::questionnaire::parse_districts(
        "districts.toml",
        "[[districts]]\ncode = \"ryd\"\nname = { sv = \"Ryd\" }\n[[districts]]\ncode = \"city\"\nname = { sv = \"City\" }\n",
    )
    .unwrap();
    let places = parse_places(
        "places.toml",
        "[[places]]\nid = \"ryd-centrum\"\nname = \"Ryds centrum\"\ndistrict = \"ryd\"\nlat = 58.407\nlon = 15.562\n[[places]]\nid = \"city-torget\"\nname = \"Stora torget\"\ndistrict = \"city\"\nlat = 58.41\nlon = 15.62\n",
        Some(&districts),
    )
    .unwrap();
    (districts, places)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn districts() -> Districts {
        crate::questionnaire::parse_districts(
            "districts.toml",
            "[[districts]]\ncode = \"ryd\"\nname = { sv = \"Ryd\" }\n",
        )
        .unwrap()
    }

    #[test]
    fn every_fault_is_collected_with_its_line() {
        let src = "[[places]]\nid = \"Bad Id\"\nname = \"A\"\ndistrict = \"ryd\"\nlat = 58.4\nlon = 15.5\n\n[[places]]\nid = \"b\"\nname = \"B\"\ndistrict = \"mars\"\nlat = 15.5\nlon = 58.4\ncolour = \"red\"\n";
        let faults = parse_places("p.toml", src, Some(&districts())).unwrap_err();
        let lines: Vec<String> = faults.iter().map(|f| f.to_string()).collect();
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("p.toml:2: place id \"Bad Id\"")),
            "{lines:?}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("p.toml:11:") && l.contains("unknown district \"mars\"")),
            "{lines:?}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("p.toml:12:") && l.contains("outside Sweden")),
            "{lines:?}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("p.toml:13:") && l.contains("outside Sweden")),
            "{lines:?}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("p.toml:14: unknown key \"colour\"")),
            "{lines:?}"
        );
    }

    #[test]
    fn a_good_register_parses() {
        let src = "[[places]]\nid = \"ryds-centrum\"\nname = \"Ryds centrum\"\ndistrict = \"ryd\"\nlat = 58.407\nlon = 15.562\n";
        let p = parse_places("p.toml", src, Some(&districts())).unwrap();
        assert_eq!(p.get("ryds-centrum").unwrap().name, "Ryds centrum");
        assert_eq!(p.in_district("ryd").count(), 1);
    }

    #[test]
    fn the_written_register_reads_back_to_the_same_places() {
        let places = Places(vec![
            Place {
                id: "ryd-torg".into(),
                name: "Ryds \"torg\" \\ bänkarna\nnere".into(),
                district: "ryd".into(),
                lat: 58.0,
                lon: 15.561234567,
            },
            Place {
                id: "ryd-2".into(),
                name: "Å # inte en kommentar".into(),
                district: "ryd".into(),
                lat: 58.41,
                lon: 15.5,
            },
        ]);
        let text = to_toml(&places, "Edited in trygg\nversion 2");
        assert!(text.starts_with("# Edited in trygg\n# version 2\n"));
        assert_eq!(
            parse_places("p", &text, Some(&districts())).unwrap(),
            places
        );
    }
}
