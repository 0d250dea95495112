//! Paper answers from the print vendor's scanning: one CSV row per returned form.
//!
//! Header: `code`, then question codes (any subset, any order), and optionally `lang` (the
//! language the form was printed in; Swedish when absent). A cell holds an option code, a
//! number or a text; multiple choice separates options with `|`; an empty cell is no
//! answer. Each row is checked exactly as a web answer is (`questionnaire::validate`); a
//! bad row is reported with its line and imports nothing.

use std::path::Path;

use super::codes::Code;
use super::paper_fault::{CsvFault, FileError, FileFault, RowFault};
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
#[derive(Debug, Clone, PartialEq)]
pub struct BadRow {
    pub line: usize,
    pub fault: RowFault,
}

/// Reads a scanning file. A fault in the file as a whole (unreadable, a header that is not
/// `code` plus question codes) refuses everything; faults in rows refuse those rows.
pub fn read(path: &Path, q: &Questionnaire) -> Result<(Vec<PaperRow>, Vec<BadRow>), FileError> {
    let error = |fault| FileError {
        file: path.display().to_string(),
        fault,
    };
    let size = std::fs::metadata(path)
        .map_err(|e| error(FileFault::Io(e.to_string())))?
        .len();
    if size > MAX_PAPER_BYTES {
        return Err(error(FileFault::TooBig {
            size,
            max: MAX_PAPER_BYTES,
        }));
    }
    let bytes = std::fs::read(path).map_err(|e| error(FileFault::Io(e.to_string())))?;
    parse(&bytes, q).map_err(error)
}

/// Reads a scanning file's bytes: its good rows and its refused rows, or the fault that
/// refuses it whole.
pub fn parse(bytes: &[u8], q: &Questionnaire) -> Result<(Vec<PaperRow>, Vec<BadRow>), FileFault> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().from_reader(bytes);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| FileFault::HeaderUnreadable(e.to_string()))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    check_header(&header, q)?;
    let mut good = Vec::new();
    let mut bad = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                bad.push(BadRow {
                    line,
                    fault: unreadable(&e),
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
            Err(fault) => bad.push(BadRow { line, fault }),
        }
    }
    Ok((good, bad))
}

/// `code`, then question codes or `lang`, each once.
fn check_header(header: &[String], q: &Questionnaire) -> Result<(), FileFault> {
    if header.first().map(String::as_str) != Some("code") {
        return Err(FileFault::FirstNotCode);
    }
    for (i, h) in header.iter().enumerate().skip(1) {
        if h != "lang" && q.question(h).is_none() {
            return Err(FileFault::NotAQuestion {
                column: h.clone(),
                questionnaire: q.code.clone(),
            });
        }
        if header[..i].contains(h) {
            return Err(FileFault::ColumnTwice { column: h.clone() });
        }
    }
    Ok(())
}

/// At most 60 characters of a value, for a message.
fn shortened(v: &str) -> String {
    match v.char_indices().nth(60) {
        Some((end, _)) => format!("{}…", &v[..end]),
        None => v.to_string(),
    }
}

/// A row the CSV reader refused.
fn unreadable(e: &csv::Error) -> RowFault {
    let fault = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => CsvFault::Fields {
            expected: *expected_len,
            found: *len,
        },
        csv::ErrorKind::Utf8 { .. } => CsvFault::NotUtf8,
        _ => CsvFault::Other,
    };
    RowFault::Unreadable {
        detail: e.to_string(),
        fault,
    }
}

fn row(
    q: &Questionnaire,
    header: &[String],
    record: &csv::StringRecord,
) -> Result<(Code, String, Answers), RowFault> {
    let code = Code::parse(record.get(0).unwrap_or("")).ok_or(RowFault::CodeUnreadable)?;
    let mut lang = q.languages[0].clone();
    let mut fields: Vec<(String, String)> = Vec::new();
    for (h, cell) in header.iter().zip(record.iter()).skip(1) {
        let cell = cell.trim();
        if cell.is_empty() {
            continue;
        }
        if h == "lang" {
            if !q.languages.iter().any(|l| l == cell) {
                return Err(RowFault::UnknownLanguage(cell.to_string()));
            }
            lang = cell.to_string();
            continue;
        }
        let multi = q.question(h).is_some_and(|x| x.kind == QuestionKind::Multi);
        if !multi {
            fields.push((h.clone(), cell.to_string()));
            continue;
        }
        for v in cell.split('|').map(str::trim) {
            if fields.iter().any(|(q, o)| q == h && o == v) {
                return Err(RowFault::OptionTwice {
                    question: h.clone(),
                    option: shortened(v),
                });
            }
            fields.push((h.clone(), v.to_string()));
        }
    }
    if fields.len() > questionnaire::MAX_FIELDS {
        return Err(RowFault::TooManyValues {
            count: fields.len(),
            max: questionnaire::MAX_FIELDS,
        });
    }
    match questionnaire::validate(q, &fields) {
        Ok(a) => Ok((code, lang, a)),
        Err(Rejection::Malformed(reason)) => Err(RowFault::Malformed(reason)),
        Err(Rejection::Invalid { errors, .. }) => Err(RowFault::Answers(errors)),
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
    let wave_id = wave.id;
    let mut imported = 0;
    let mut seen = std::collections::HashSet::new();
    let progress = crate::progress::Progress::bar(good.len() as u64, "importing", "rows");
    for row in good {
        progress.inc(1);
        if !seen.insert(row.code.clone()) {
            refused.push(BadRow {
                line: row.line,
                fault: RowFault::CodeTwice,
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
        let fault = match store
            // A draft begun on the web with the same code goes with the paper answer.
            .insert_response_with_code(
                &response,
                &key.hash(&row.code),
                Some(&key.draft_key(&row.code)),
            )
            .await?
        {
            CodeOutcome::Stored => {
                imported += 1;
                continue;
            }
            // A used code does not say how it was used (the channel is only counted).
            CodeOutcome::NotUnused(CodeState::Used) => RowFault::CodeUsed,
            CodeOutcome::NotUnused(other) => RowFault::LetterMarked(other),
            CodeOutcome::Unknown => RowFault::UnknownCode {
                district: wave.district.clone(),
                year: wave.year,
            },
            // Only an answer without a code can find its draft gone.
            CodeOutcome::DraftGone => {
                return Err(crate::error::Error::Internal(
                    "a paper answer's code came back as a gone draft".into(),
                ));
            }
        };
        refused.push(BadRow {
            line: row.line,
            fault,
        });
    }
    progress.finish();
    refused.sort_by_key(|b| b.line);
    Ok(imported)
}
