//! The checker a questionnaire file is read with: it collects every fault with its line,
//! and converts the texts and options every part of the file has.

use std::collections::BTreeSet;
use std::ops::Range;

use toml::Spanned;

use super::fault::Fault;
use super::model::{Choice, Text};
use super::raw::{RawChoice, RawText};

/// Collects faults against one file's source.
pub(super) struct Checker<'a> {
    pub(super) file: &'a str,
    pub(super) src: &'a str,
    pub(super) languages: Vec<String>,
    pub(super) faults: Vec<Fault>,
}

impl Checker<'_> {
    fn line(&self, span: &Range<usize>) -> usize {
        line_of(self.src, span.start)
    }

    pub(super) fn fault(&mut self, span: &Range<usize>, message: impl Into<String>) {
        let line = self.line(span);
        self.faults.push(Fault {
            file: self.file.to_string(),
            line,
            message: message.into(),
        });
    }

    /// Converts a text, reporting each missing or unknown language.
    pub(super) fn text(&mut self, raw: &Spanned<RawText>, what: &str) -> Text {
        let span = raw.span();
        for lang in self.languages.clone() {
            match raw.get_ref().get(&lang) {
                None => self.fault(&span, format!("{what}: missing translation for \"{lang}\"")),
                Some(t) if t.trim().is_empty() => {
                    self.fault(&span, format!("{what}: empty text for \"{lang}\""))
                }
                Some(_) => {}
            }
        }
        for lang in raw.get_ref().keys() {
            if !self.languages.contains(lang) {
                self.fault(
                    &span,
                    format!("{what}: language \"{lang}\" is not in the file's languages"),
                );
            }
        }
        Text(raw.get_ref().clone())
    }

    /// Converts a list of options, reporting bad and duplicate codes and their texts.
    pub(super) fn choices(&mut self, raw: &[Spanned<RawChoice>], what: &str) -> Vec<Choice> {
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for c in raw {
            let code = c.get_ref().code.get_ref().clone();
            if !valid_option_code(&code) {
                self.fault(
                    &c.get_ref().code.span(),
                    format!(
                        "{what}: option code \"{code}\" must be 1-32 characters of a-z, 0-9, _ or -"
                    ),
                );
            }
            if !seen.insert(code.clone()) {
                self.fault(
                    &c.span(),
                    format!("{what}: duplicate option code \"{code}\""),
                );
            }
            let text = self.text(&c.get_ref().text, &format!("{what}, option \"{code}\""));
            out.push(Choice {
                code,
                text,
                dont_know: c.get_ref().dont_know,
                score: c.get_ref().score,
            });
        }
        out
    }
}

/// 1-based line number of a byte offset.
pub fn line_of(src: &str, offset: usize) -> usize {
    src.as_bytes()[..offset.min(src.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// A question code: 2-40 characters of A-Z, 0-9 or _, starting with a letter.
pub(super) fn valid_question_code(code: &str) -> bool {
    let b = code.as_bytes();
    (2..=40).contains(&b.len())
        && b[0].is_ascii_uppercase()
        && b.iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'_')
}

/// An option (or questionnaire) code: 1-32 characters of a-z, 0-9, _ or -.
pub(super) fn valid_option_code(code: &str) -> bool {
    (1..=32).contains(&code.len())
        && code
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_' || c == b'-')
}
