//! Checks the fields of a submitted form against a questionnaire snapshot.
//!
//! The same check serves web answers and typed-in paper answers. Two kinds of failure are
//! kept apart: a *malformed* submission (fields no form of ours could send: unknown names,
//! a single-choice field given twice) is refused outright, while *invalid* answers (a
//! required question left blank, a number out of range) go back to the resident with
//! every given answer kept and a message beside each question.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::model::{Question, QuestionKind, Questionnaire};

/// One validated answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Choice(String),
    Choices(Vec<String>),
    Number(i64),
    Text(String),
}

/// Validated answers by question code; unanswered questions are absent.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Answers(pub BTreeMap<String, Answer>);

impl Answers {
    /// The stored form: a JSON object `{code: "option" | ["a", "b"] | 12 | "text"}`.
    pub fn to_json(&self) -> String {
        let mut m = Map::new();
        for (k, a) in &self.0 {
            let v = match a {
                Answer::Choice(s) | Answer::Text(s) => Value::String(s.clone()),
                Answer::Choices(v) => Value::Array(v.iter().cloned().map(Value::String).collect()),
                Answer::Number(n) => Value::from(*n),
            };
            m.insert(k.clone(), v);
        }
        Value::Object(m).to_string()
    }
}

/// What the resident sent, kept to fill the form in again after an error.
pub type RawAnswers = BTreeMap<String, Vec<String>>;

/// A form field as received: name and value, both valid UTF-8.
pub type FormField = (String, String);

/// Why one answer was not accepted; rendered in the resident's language by the views.
#[derive(Debug, Clone, PartialEq)]
pub enum AnswerError {
    Required,
    UnknownOption(String),
    NotANumber,
    OutOfRange { min: i64, max: i64 },
    TooLong { max: usize },
    DontKnowWithOthers,
}

/// Why a submission was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum Rejection {
    /// Not something our form sends: refused with 400 and a plain message.
    Malformed(String),
    /// Answers to correct: the form again, with these errors in questionnaire order.
    Invalid {
        raw: RawAnswers,
        errors: Vec<(String, AnswerError)>,
    },
}

/// Fields a survey form may carry besides the questions: the language, and on a paged
/// form the page it was sent from, the button pressed and whether it was reached from the
/// check page.
pub const CONTROL_FIELDS: [&str; 4] = ["lang", "part", "go", "check"];
/// More fields than any questionnaire's form can send.
pub const MAX_FIELDS: usize = 1000;

/// Validates form fields against the questionnaire.
pub fn validate(q: &Questionnaire, fields: &[FormField]) -> Result<Answers, Rejection> {
    let raw = collect(q, fields, |_| true)?;
    judge(q, &raw, |_| true).map_err(|errors| Rejection::Invalid { raw, errors })
}

/// Reads form fields into raw answers, the control fields included; a field that is neither
/// a control field nor a question in `wanted`, a control or single-answer field given
/// twice, or one option given twice, is malformed.
pub fn collect(
    q: &Questionnaire,
    fields: &[FormField],
    wanted: impl Fn(&Question) -> bool,
) -> Result<RawAnswers, Rejection> {
    if fields.len() > MAX_FIELDS {
        return Err(Rejection::Malformed(format!(
            "too many fields ({}, at most {MAX_FIELDS})",
            fields.len()
        )));
    }
    let mut raw: RawAnswers = BTreeMap::new();
    for (name, value) in fields {
        if CONTROL_FIELDS.contains(&name.as_str()) {
            if raw.contains_key(name) {
                return Err(Rejection::Malformed(format!(
                    "field \"{name}\" given twice"
                )));
            }
            raw.insert(name.clone(), vec![value.clone()]);
            continue;
        }
        let Some(question) = q.question(name).filter(|question| wanted(question)) else {
            return Err(Rejection::Malformed(format!(
                "unknown field \"{}\"",
                truncate(name, 60)
            )));
        };
        let values = raw.entry(name.clone()).or_default();
        if question.kind == QuestionKind::Multi {
            if values.contains(value) {
                return Err(Rejection::Malformed(format!(
                    "option \"{}\" of {name} given twice",
                    truncate(value, 60)
                )));
            }
        } else if !values.is_empty() {
            return Err(Rejection::Malformed(format!(
                "field \"{name}\" given twice"
            )));
        }
        values.push(value.clone());
    }
    Ok(raw)
}

/// Checks the raw answers to the questions in `wanted`: the answers, or every error in
/// questionnaire order.
pub fn judge(
    q: &Questionnaire,
    raw: &RawAnswers,
    wanted: impl Fn(&Question) -> bool,
) -> Result<Answers, Vec<(String, AnswerError)>> {
    let mut answers = BTreeMap::new();
    let mut errors = Vec::new();
    for question in q.questions.iter().filter(|question| wanted(question)) {
        let given: Vec<&str> = raw
            .get(&question.code)
            .map(|v| {
                v.iter()
                    .map(|s| s.as_str())
                    .filter(|s| !s.trim().is_empty())
                    .collect()
            })
            .unwrap_or_default();
        match answer(question, &given) {
            Ok(Some(a)) => {
                answers.insert(question.code.clone(), a);
            }
            Ok(None) if question.required => {
                errors.push((question.code.clone(), AnswerError::Required))
            }
            Ok(None) => {}
            Err(e) => errors.push((question.code.clone(), e)),
        }
    }
    if errors.is_empty() {
        Ok(Answers(answers))
    } else {
        Err(errors)
    }
}

fn answer(q: &Question, given: &[&str]) -> Result<Option<Answer>, AnswerError> {
    if given.is_empty() {
        return Ok(None);
    }
    match q.kind {
        QuestionKind::Single | QuestionKind::Scale | QuestionKind::YesNo => {
            let v = given[0];
            q.option(v)
                .ok_or_else(|| AnswerError::UnknownOption(truncate(v, 60)))?;
            Ok(Some(Answer::Choice(v.to_string())))
        }
        QuestionKind::Multi => {
            let mut picked = Vec::new();
            for v in given {
                q.option(v)
                    .ok_or_else(|| AnswerError::UnknownOption(truncate(v, 60)))?;
                picked.push(v.to_string());
            }
            let dont_know = picked
                .iter()
                .any(|c| q.option(c).is_some_and(|o| o.dont_know));
            if dont_know && picked.len() > 1 {
                return Err(AnswerError::DontKnowWithOthers);
            }
            // Stored in questionnaire order so equal answers are stored alike.
            picked.sort_by_key(|c| q.options.iter().position(|o| &o.code == c));
            Ok(Some(Answer::Choices(picked)))
        }
        QuestionKind::Number => {
            let n: i64 = given[0]
                .trim()
                .parse()
                .map_err(|_| AnswerError::NotANumber)?;
            if n < q.min || n > q.max {
                return Err(AnswerError::OutOfRange {
                    min: q.min,
                    max: q.max,
                });
            }
            Ok(Some(Answer::Number(n)))
        }
        QuestionKind::FreeText => {
            let text = clean_text(given[0]);
            if text.chars().count() > q.max_length {
                return Err(AnswerError::TooLong { max: q.max_length });
            }
            Ok(Some(Answer::Text(text)))
        }
    }
}

/// Normalises line ends and drops control characters other than newline and tab, and
/// invisible format characters (see [`is_invisible_format`]).
fn clean_text(s: &str) -> String {
    s.replace("\r\n", "\n")
        .chars()
        .filter(|c| (!c.is_control() || *c == '\n' || *c == '\t') && !is_invisible_format(*c))
        .collect::<String>()
        .trim()
        .to_string()
}

/// Unicode's format characters (category Cf): bidirectional overrides and isolates that
/// can make a stored answer read differently from what it holds (U+202E turns "gpj.exe"
/// around), zero-width spaces, the byte-order mark, invisible operators and tag
/// characters. Zero-width non-joiner and joiner (U+200C, U+200D) are kept: Persian and
/// Dari spell words with them and emoji are built from them.
pub fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}'
        | '\u{0600}'..='\u{0605}'
        | '\u{061C}'
        | '\u{06DD}'
        | '\u{070F}'
        | '\u{0890}'..='\u{0891}'
        | '\u{08E2}'
        | '\u{180E}'
        | '\u{200B}'
        | '\u{200E}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206F}'
        | '\u{FEFF}'
        | '\u{FFF9}'..='\u{FFFB}'
        | '\u{110BD}'
        | '\u{110CD}'
        | '\u{13430}'..='\u{1343F}'
        | '\u{1BCA0}'..='\u{1BCA3}'
        | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0001}'
        | '\u{E0020}'..='\u{E007F}')
}

/// The fields of a form grouped by name, in order: what the form shows again when the
/// answers could be read but not stored.
pub fn raw_answers(fields: &[FormField]) -> RawAnswers {
    let mut raw = RawAnswers::new();
    for (name, value) in fields {
        raw.entry(name.clone()).or_default().push(value.clone());
    }
    raw
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        s.chars().take(max).collect::<String>() + "…"
    }
}
