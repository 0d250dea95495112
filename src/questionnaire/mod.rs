//! Questionnaires, districts and the site settings: the files in `surveys/`, their model
//! and `trygg check`.
//!
//! A questionnaire file is parsed into [`Questionnaire`] by [`parse`], which reports every
//! fault as `file:line: message`. Published waves keep the file's source text as an
//! immutable snapshot and re-parse it, so what residents were asked never changes later.

mod answers;
mod checker;
mod colour;
mod districts;
mod fault;
mod model;
pub mod paging;
mod parse;
mod question;
mod raw;
mod site;
pub mod translations;

use std::path::Path;

pub use answers::{
    Answer, AnswerError, Answers, CONTROL_FIELDS, FormField, MAX_FIELDS, RawAnswers, Rejection,
    is_invisible_format, raw_answers, validate,
};
pub use checker::line_of;
pub use colour::{Colour, NON_TEXT_CONTRAST, TEXT_CONTRAST, contrast, ratio_text};
pub use districts::{District, Districts, parse_districts};
pub use fault::{Fault, read_limited};
pub use model::*;
pub use parse::parse;
pub use question::DEFAULT_MAX_LENGTH;
pub use site::{
    Accessibility, Compliance, FOCUS_DARK, FOCUS_LIGHT, Logo, MAX_LOGO_BYTES, MAX_SITE_BYTES,
    Privacy, Site, SiteColours, load_site, parse_site, read_logo,
};

/// Reads and parses one questionnaire file.
pub fn load(path: &Path) -> Result<Questionnaire, Vec<Fault>> {
    let name = path.display().to_string();
    let src = read(path)?;
    parse(&name, &src)
}

/// Reads and parses `districts.toml`.
pub fn load_districts(path: &Path) -> Result<Districts, Vec<Fault>> {
    let name = path.display().to_string();
    let src = read(path)?;
    parse_districts(&name, &src)
}

/// Largest questionnaire or districts file read: the bundled questionnaire is about 30 kB.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

fn read(path: &Path) -> Result<String, Vec<Fault>> {
    read_limited(path, MAX_FILE_BYTES, "a questionnaire file")
}

/// What `trygg check` found in a file or directory.
#[derive(Debug, Default)]
pub struct CheckReport {
    pub checked: Vec<String>,
    pub faults: Vec<Fault>,
    /// Notes for staff: languages whose translations are drafts awaiting review.
    pub notes: Vec<String>,
}

/// Checks a questionnaire file, `districts.toml`, `site.toml`, or every such file in a
/// directory; a folder with `districts.toml` (one `trygg serve` can use) needs a `site.toml`.
///
/// Files are recognised by name: `districts.toml`, `site.toml`, and `*.toml` questionnaires; other
/// files in `surveys/` (population margins, measures) have checks of their own in the
/// analysis and are skipped here.
pub fn check_path(path: &Path) -> CheckReport {
    let mut report = CheckReport::default();
    let files: Vec<std::path::PathBuf> = if path.is_dir() {
        let mut v: Vec<_> = std::fs::read_dir(path)
            .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        v.retain(|p| p.extension().is_some_and(|e| e == "toml"));
        v.sort();
        let named = |n: &str| v.iter().any(|p| p.file_name().is_some_and(|f| f == n));
        if named("districts.toml") && !named("site.toml") {
            report.faults.push(Fault {
                file: path.join("site.toml").display().to_string(),
                line: 1,
                message: "missing: trygg serve needs the site settings (name, logo, colours, contact) beside districts.toml".into(),
            });
        }
        if v.is_empty() {
            report.faults.push(Fault {
                file: path.display().to_string(),
                line: 1,
                message: "no .toml files to check".into(),
            });
        }
        v
    } else {
        vec![path.to_path_buf()]
    };
    for file in files {
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let result = match name {
            "districts.toml" => load_districts(&file).map(|_| ()),
            "site.toml" => load_site(&file).map(|_| ()),
            // The measures have checks of their own in the analysis; the places register
            // is checked by `est::check_places` (it needs `est`, above this module).
            "measures.toml" | "places.toml" => continue,
            _ => load(&file).map(|q| {
                if !q.draft_languages.is_empty() {
                    report.notes.push(format!(
                        "{}: draft translations, to be reviewed by translators: {}",
                        file.display(),
                        q.draft_languages.join(", ")
                    ));
                }
            }),
        };
        report.checked.push(file.display().to_string());
        if let Err(faults) = result {
            report.faults.extend(faults);
        }
    }
    report
}
