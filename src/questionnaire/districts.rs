//! The districts surveyed (`surveys/districts.toml`): a URL-safe code and a name per language.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::checker::line_of;
use super::fault::Fault;
use super::model::{SOURCE_LANGUAGE, Text};

#[derive(Debug, Clone, PartialEq)]
pub struct District {
    /// Lowercase ASCII code used in URLs and tables (`skaggetorp`).
    pub code: String,
    pub name: Text,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Districts(pub Vec<District>);

impl Districts {
    pub fn get(&self, code: &str) -> Option<&District> {
        self.0.iter().find(|d| d.code == code)
    }

    pub fn codes(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|d| d.code.as_str())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    districts: Vec<Spanned<RawDistrict>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDistrict {
    code: Spanned<String>,
    name: Spanned<BTreeMap<String, String>>,
}

pub fn parse_districts(file: &str, src: &str) -> Result<Districts, Vec<Fault>> {
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
    let mut out: Vec<District> = Vec::new();
    for d in &raw.districts {
        let code = d.get_ref().code.get_ref().clone();
        let ok = (1..=32).contains(&code.len())
            && code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !ok || code == "all" {
            faults.push(fault(
                d.get_ref().code.span(),
                format!("district code \"{code}\" must be 1-32 characters of a-z, 0-9 or - (and not \"all\")"),
            ));
        }
        if out.iter().any(|x| x.code == code) {
            faults.push(fault(
                d.span(),
                format!("duplicate district code \"{code}\""),
            ));
        }
        if !d.get_ref().name.get_ref().contains_key(SOURCE_LANGUAGE) {
            faults.push(fault(
                d.get_ref().name.span(),
                format!(
                    "district \"{code}\": missing name for \"{}\"",
                    SOURCE_LANGUAGE
                ),
            ));
        }
        out.push(District {
            code,
            name: Text(d.get_ref().name.get_ref().clone()),
        });
    }
    if out.is_empty() {
        faults.push(fault(0..0, "no districts".into()));
    }
    if faults.is_empty() {
        Ok(Districts(out))
    } else {
        Err(faults)
    }
}
