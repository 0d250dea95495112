//! Why a scanning file or one of its rows was refused, as types: [`FileFault`] refuses the
//! whole file, [`RowFault`] one row. Each says itself in English (`Display`, what the
//! command line prints) and in Swedish (`sv`, what the staff page shows), from the same data.

use std::fmt;

use crate::questionnaire::AnswerError;
use crate::store::CodeState;

/// A fault that refuses the whole scanning file: nothing of it is imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileFault {
    /// The file cannot be read (the operating system's words).
    Io(String),
    TooBig {
        size: u64,
        max: u64,
    },
    /// The header is not CSV (the CSV reader's words).
    HeaderUnreadable(String),
    FirstNotCode,
    NotAQuestion {
        column: String,
        questionnaire: String,
    },
    ColumnTwice {
        column: String,
    },
}

impl FileFault {
    /// The line of the file the fault is on, when it is on one (the header's).
    pub fn line(&self) -> Option<usize> {
        match self {
            FileFault::Io(_) | FileFault::TooBig { .. } => None,
            _ => Some(1),
        }
    }

    /// In Swedish, for the staff page.
    pub fn sv(&self) -> String {
        match self {
            FileFault::Io(_) => "filen kan inte läsas".into(),
            FileFault::TooBig { size, max } => {
                format!("filen är {size} byte, mer än {max}")
            }
            FileFault::HeaderUnreadable(_) => "rubrikraden kan inte läsas som CSV".into(),
            FileFault::FirstNotCode => "första kolumnen måste heta \"code\"".into(),
            FileFault::NotAQuestion {
                column,
                questionnaire,
            } => format!("kolumnen \"{column}\" är ingen fråga i {questionnaire}"),
            FileFault::ColumnTwice { column } => {
                format!("kolumnen \"{column}\" finns två gånger")
            }
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
            FileFault::HeaderUnreadable(e) => write!(f, "the header cannot be read: {e}"),
            FileFault::FirstNotCode => write!(f, "the first column must be \"code\""),
            FileFault::NotAQuestion {
                column,
                questionnaire,
            } => write!(
                f,
                "column \"{column}\" is not a question of {questionnaire}"
            ),
            FileFault::ColumnTwice { column } => write!(f, "column \"{column}\" appears twice"),
        }
    }
}

/// A file fault with the file's name, as the command line reports it: `file:1: …` for
/// the header, `file: …` for the file as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    pub file: String,
    pub fault: FileFault,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.fault.line() {
            Some(line) => write!(f, "{}:{line}: {}", self.file, self.fault),
            None => write!(f, "{}: {}", self.file, self.fault),
        }
    }
}

impl std::error::Error for FileError {}

/// What the CSV reader could not read in a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CsvFault {
    /// The row has another number of fields than the header.
    Fields {
        expected: u64,
        found: u64,
    },
    NotUtf8,
    Other,
}

/// Why one row was refused; the row imports nothing.
#[derive(Debug, Clone, PartialEq)]
pub enum RowFault {
    /// Not CSV; `detail` is the CSV reader's words.
    Unreadable {
        detail: String,
        fault: CsvFault,
    },
    CodeUnreadable,
    UnknownLanguage(String),
    /// A multiple-choice cell names one option twice.
    OptionTwice {
        question: String,
        option: String,
    },
    TooManyValues {
        count: usize,
        max: usize,
    },
    /// A refusal of the answer checks that the checks themselves describe only in words
    /// (none is expected once the header is checked).
    Malformed(String),
    /// Answers the web form would refuse too, in questionnaire order.
    Answers(Vec<(String, AnswerError)>),
    /// The same code on an earlier row of the same file.
    CodeTwice,
    /// The code was used (on the web or on paper: the channel is only counted).
    CodeUsed,
    /// The letter was marked undeliverable or declined.
    LetterMarked(CodeState),
    UnknownCode {
        district: String,
        year: i32,
    },
}

impl RowFault {
    /// In Swedish, for the staff page.
    pub fn sv(&self) -> String {
        match self {
            RowFault::Unreadable { fault, .. } => match fault {
                CsvFault::Fields { expected, found } => {
                    format!("raden kan inte läsas: den har {found} fält, rubriken har {expected}")
                }
                CsvFault::NotUtf8 => "raden kan inte läsas: den är inte UTF-8".into(),
                CsvFault::Other => "raden kan inte läsas som CSV".into(),
            },
            RowFault::CodeUnreadable => "koden kan inte läsas".into(),
            RowFault::UnknownLanguage(l) => format!("språket \"{l}\" finns inte i enkäten"),
            RowFault::OptionTwice { question, option } => {
                format!("{question}: alternativet \"{option}\" står två gånger")
            }
            RowFault::TooManyValues { count, max } => {
                format!("för många värden ({count}, högst {max})")
            }
            RowFault::Malformed(_) => "raden kan inte tolkas som svar på enkäten".into(),
            RowFault::Answers(errors) => (errors.iter())
                .map(|(q, e)| format!("{q}: {}", answer_sv(e)))
                .collect::<Vec<_>>()
                .join("; "),
            RowFault::CodeTwice => "samma kod finns på en tidigare rad i filen".into(),
            RowFault::CodeUsed => {
                "koden är redan använd: besvarad på webben eller på papper (redan importerad?)"
                    .into()
            }
            RowFault::LetterMarked(state) => {
                format!("brevet är markerat som {}", letter_sv(*state))
            }
            RowFault::UnknownCode { district, year } => {
                format!("okänd kod: inget brev i enkäten {district} {year}")
            }
        }
    }
}

impl fmt::Display for RowFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RowFault::Unreadable { detail, .. } => write!(f, "the row cannot be read: {detail}"),
            RowFault::CodeUnreadable => write!(f, "the code cannot be read"),
            RowFault::UnknownLanguage(l) => {
                write!(f, "lang \"{l}\" is not a language of the questionnaire")
            }
            RowFault::OptionTwice { question, option } => {
                write!(f, "option \"{option}\" of {question} given twice")
            }
            RowFault::TooManyValues { count, max } => {
                write!(f, "too many fields ({count}, at most {max})")
            }
            RowFault::Malformed(why) => write!(f, "{why}"),
            RowFault::Answers(errors) => {
                for (i, (q, e)) in errors.iter().enumerate() {
                    let sep = if i == 0 { "" } else { "; " };
                    write!(f, "{sep}{q}: {}", answer_en(e))?;
                }
                Ok(())
            }
            RowFault::CodeTwice => write!(f, "the same code is on an earlier row of this file"),
            RowFault::CodeUsed => write!(
                f,
                "the code was already used: answered on the web, or on paper (imported before?)"
            ),
            RowFault::LetterMarked(state) => write!(f, "the letter is marked {}", state.as_str()),
            RowFault::UnknownCode { district, year } => {
                write!(f, "unknown code: not a letter of {district}/{year}")
            }
        }
    }
}

/// What a letter is marked as, after "brevet är markerat som" (neuter: "brevet").
fn letter_sv(state: CodeState) -> &'static str {
    match state {
        CodeState::Unused => "oanvänt",
        CodeState::Used => "använt",
        CodeState::Undeliverable => "obeställbart",
        CodeState::Declined => "avböjt",
    }
}

/// An answer fault in words for the staff who import on the command line.
fn answer_en(e: &AnswerError) -> String {
    match e {
        AnswerError::Required => "required, but not answered".into(),
        AnswerError::UnknownOption(o) => format!("unknown option \"{o}\""),
        AnswerError::NotANumber => "not a whole number".into(),
        AnswerError::OutOfRange { min, max } => format!("out of range ({min}-{max})"),
        AnswerError::TooLong { max } => format!("longer than {max} characters"),
        AnswerError::DontKnowWithOthers => {
            "\"don't know\" marked together with other options".into()
        }
    }
}

/// An answer fault in words for the staff who import on the web.
fn answer_sv(e: &AnswerError) -> String {
    match e {
        AnswerError::Required => "obligatorisk men obesvarad".into(),
        AnswerError::UnknownOption(o) => format!("okänt svarsalternativ \"{o}\""),
        AnswerError::NotANumber => "inte ett heltal".into(),
        AnswerError::OutOfRange { min, max } => format!("utanför intervallet {min}–{max}"),
        AnswerError::TooLong { max } => format!("längre än {max} tecken"),
        AnswerError::DontKnowWithOthers => {
            "\"vet inte\" markerat tillsammans med andra alternativ".into()
        }
    }
}
