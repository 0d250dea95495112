//! Paper answers from the print vendor's scanning: one CSV row per returned form.
//!
//! Header: `code`, then question codes (any subset, any order), and optionally `lang` (the
//! language the form was printed in; Swedish when absent). A cell holds an option code, a
//! number or a text; multiple choice separates options with `|`; an empty cell is no
//! answer. Each row is checked exactly as a web answer is (`questionnaire::validate`); a
//! bad row is reported with its line and imports nothing.

use std::path::Path;

use super::codes::Code;
use crate::questionnaire::{self, Answers, QuestionKind, Questionnaire, Rejection};

/// Largest scanning file read.
pub const MAX_PAPER_BYTES: u64 = 64 * 1024 * 1024;

/// A row that passed every check but the code's status (known only when storing).
#[derive(Debug, Clone)]
pub struct PaperRow {
    pub line: usize,
    pub code: Code,
    pub lang: String,
    pub answers: Answers,
}

/// A refused row: its line and why, without the code in full.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRow {
    pub line: usize,
    pub reason: String,
}

/// Reads a scanning file. A fault in the file as a whole (unreadable, a header that is not
/// `code` plus question codes) refuses everything; faults in rows refuse those rows.
pub fn read(path: &Path, q: &Questionnaire) -> Result<(Vec<PaperRow>, Vec<BadRow>), String> {
    let name = path.display().to_string();
    let size = std::fs::metadata(path)
        .map_err(|e| format!("{name}: {e}"))?
        .len();
    if size > MAX_PAPER_BYTES {
        return Err(format!(
            "{name}: the file is {size} bytes, more than {MAX_PAPER_BYTES}"
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("{name}: {e}"))?;
    parse(&name, &bytes, q)
}

pub fn parse(
    name: &str,
    bytes: &[u8],
    q: &Questionnaire,
) -> Result<(Vec<PaperRow>, Vec<BadRow>), String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().from_reader(bytes);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| format!("{name}:1: the header cannot be read: {e}"))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    if header.first().map(String::as_str) != Some("code") {
        return Err(format!("{name}:1: the first column must be \"code\""));
    }
    for (i, h) in header.iter().enumerate().skip(1) {
        if h != "lang" && q.question(h).is_none() {
            return Err(format!(
                "{name}:1: column \"{h}\" is not a question of {}",
                q.code
            ));
        }
        if header[..i].contains(h) {
            return Err(format!("{name}:1: column \"{h}\" appears twice"));
        }
    }
    let mut good = Vec::new();
    let mut bad = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                bad.push(BadRow {
                    line,
                    reason: format!("the row cannot be read: {e}"),
                });
                continue;
            }
        };
        let line = record.position().map(|p| p.line() as usize).unwrap_or(0);
        match row(q, &header, &record) {
            Ok((code, lang, answers)) => good.push(PaperRow {
                line,
                code,
                lang,
                answers,
            }),
            Err(reason) => bad.push(BadRow { line, reason }),
        }
    }
    Ok((good, bad))
}

fn row(
    q: &Questionnaire,
    header: &[String],
    record: &csv::StringRecord,
) -> Result<(Code, String, Answers), String> {
    let code = Code::parse(record.get(0).unwrap_or(""))
        .ok_or_else(|| "the code cannot be read".to_string())?;
    let mut lang = q.languages[0].clone();
    let mut fields = Vec::new();
    for (h, cell) in header.iter().zip(record.iter()).skip(1) {
        let cell = cell.trim();
        if cell.is_empty() {
            continue;
        }
        if h == "lang" {
            if !q.languages.iter().any(|l| l == cell) {
                return Err(format!(
                    "lang \"{cell}\" is not a language of the questionnaire"
                ));
            }
            lang = cell.to_string();
            continue;
        }
        let multi = q.question(h).is_some_and(|x| x.kind == QuestionKind::Multi);
        if multi {
            for v in cell.split('|') {
                fields.push((h.clone(), v.trim().to_string()));
            }
        } else {
            fields.push((h.clone(), cell.to_string()));
        }
    }
    match questionnaire::validate(q, &fields) {
        Ok(a) => Ok((code, lang, a)),
        Err(Rejection::Malformed(reason)) => Err(reason),
        Err(Rejection::Invalid { errors, .. }) => Err(errors
            .iter()
            .map(|(c, e)| format!("{c}: {}", staff_text(e)))
            .collect::<Vec<_>>()
            .join("; ")),
    }
}

/// Stores the good rows of a scan (each with its code, in one transaction per row) and
/// adds the rows whose codes cannot answer to `refused`. Returns how many were stored.
/// A wave that has closed takes none: its codes were deleted when it closed
/// ([`crate::store::closed_refusal`] says so, and nothing is stored).
pub async fn store_rows(
    store: &crate::store::Store,
    key: &super::codes::CodeKey,
    wave: &crate::store::Wave,
    good: Vec<PaperRow>,
    refused: &mut Vec<BadRow>,
) -> Result<usize, crate::error::Error> {
    use crate::store::{Channel, CodeOutcome, CodeState, NewResponse};
    let today = chrono::Local::now().date_naive();
    if let Some(why) = crate::store::closed_refusal(wave, today) {
        return Err(crate::error::Error::Conflict(why));
    }
    let (wave_id, wave_name) = (wave.id, format!("{}/{}", wave.district, wave.year));
    let mut imported = 0;
    let mut seen = std::collections::HashSet::new();
    let progress = crate::progress::Progress::bar(good.len() as u64, "importing", "rows");
    for row in good {
        progress.inc(1);
        if !seen.insert(row.code.clone()) {
            refused.push(BadRow {
                line: row.line,
                reason: "the same code is on an earlier row of this file".into(),
            });
            continue;
        }
        let response = NewResponse {
            wave_id,
            submitted_on: today,
            channel: Channel::Paper,
            lang: row.lang.clone(),
            synthetic: false,
            answers: row.answers.to_json(),
        };
        let reason = match store
            .insert_response_with_code(&response, &key.hash(&row.code))
            .await?
        {
            CodeOutcome::Stored => {
                imported += 1;
                continue;
            }
            // A used code does not say how it was used (the channel is only counted).
            CodeOutcome::NotUnused(CodeState::Used) => {
                "the code was already used: answered on the web, or on paper (imported before?)"
                    .to_string()
            }
            CodeOutcome::NotUnused(other) => format!("the letter is marked {}", other.as_str()),
            CodeOutcome::Unknown => format!("unknown code: not a letter of {wave_name}"),
        };
        refused.push(BadRow {
            line: row.line,
            reason,
        });
    }
    progress.finish();
    refused.sort_by_key(|b| b.line);
    Ok(imported)
}

/// An answer fault in words for the staff who import (English, like the CLI).
fn staff_text(e: &questionnaire::AnswerError) -> String {
    use questionnaire::AnswerError::*;
    match e {
        Required => "required, but not answered".into(),
        UnknownOption(o) => format!("unknown option \"{o}\""),
        NotANumber => "not a whole number".into(),
        OutOfRange { min, max } => format!("out of range ({min}-{max})"),
        TooLong { max } => format!("longer than {max} characters"),
        DontKnowWithOthers => "\"don't know\" marked together with other options".into(),
    }
}
