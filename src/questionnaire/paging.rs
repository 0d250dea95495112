//! A questionnaire in parts: one section per page, in the file's order, then a page to
//! check every answer before sending.
//!
//! A page posts only its own questions; the answers so far live in the resident's draft
//! (`store::drafts`) as [`RawAnswers`]. Each page is checked when the resident goes on, and
//! everything again when they send. The questionnaire format has no skips or conditions, so
//! every resident sees every part.

use super::answers::{AnswerError, Answers, FormField, RawAnswers, Rejection, collect, judge};
use super::model::{QuestionKind, Questionnaire, Section};

/// The parts of a questionnaire: its sections that hold questions.
#[derive(Debug)]
pub struct Parts<'a> {
    q: &'a Questionnaire,
    sections: Vec<&'a Section>,
}

/// Where a page's button takes the resident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Go {
    /// Check this page's answers and go on (also what the Enter key does).
    Next,
    /// Back one page, keeping this page's answers unchecked.
    Back,
    /// From the check page: back to part `n` to change an answer.
    Part(usize),
    /// Keep this page's answers and show it again in another language.
    Lang(String),
    /// From the check page: check everything and store the answer.
    Send,
    /// Delete the saved answers (someone else may hold the letter or the link).
    Discard,
}

impl Go {
    /// The `go` field of a paged form; an absent field is the Enter key's [`Go::Next`].
    pub fn parse(field: &str) -> Option<Go> {
        Some(match field {
            "" | "next" => Go::Next,
            "back" => Go::Back,
            "send" => Go::Send,
            "discard" => Go::Discard,
            other => {
                if let Some(l) = other.strip_prefix("lang:") {
                    Go::Lang(l.to_string())
                } else {
                    Go::Part(other.strip_prefix("part:")?.parse().ok()?)
                }
            }
        })
    }
}

impl<'a> Parts<'a> {
    pub fn new(q: &'a Questionnaire) -> Parts<'a> {
        let sections = q
            .sections
            .iter()
            .filter(|s| q.questions_in(&s.code).next().is_some())
            .collect();
        Parts { q, sections }
    }

    /// Pages of questions; the check page comes after them, numbered `len()`.
    pub fn len(&self) -> usize {
        self.sections.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sections.is_empty()
    }

    /// The section shown on page `part` (`None` on the check page).
    pub fn section(&self, part: usize) -> Option<&'a Section> {
        self.sections.get(part).copied()
    }

    /// The part a question is asked on.
    pub fn part_of(&self, code: &str) -> Option<usize> {
        let section = &self.q.question(code)?.section;
        self.sections.iter().position(|s| &s.code == section)
    }

    /// The fields page `part` posted, read as raw answers (its own questions only; the check
    /// page posts none): anything else is malformed.
    pub fn read(&self, part: usize, fields: &[FormField]) -> Result<RawAnswers, Rejection> {
        let section = self.section(part).map(|s| s.code.as_str());
        collect(self.q, fields, |question| {
            Some(question.section.as_str()) == section
        })
    }

    /// The answers so far with page `part`'s replaced by what it posted: a question left
    /// empty or unticked on the page is no longer answered.
    pub fn merge(&self, part: usize, so_far: &RawAnswers, posted: &RawAnswers) -> RawAnswers {
        let section = self.section(part).map(|s| s.code.as_str());
        let mut merged: RawAnswers = so_far
            .iter()
            .filter(|(code, _)| {
                self.q
                    .question(code)
                    .is_some_and(|q| Some(q.section.as_str()) != section)
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (code, values) in posted {
            if self.q.question(code).is_some() {
                merged.insert(code.clone(), values.clone());
            }
        }
        merged
    }

    /// The answers as a draft may keep them: only options a question has (each once), and
    /// typed text cut to the question's length (a number to 20 characters). A draft is
    /// then never larger than a full answer to the questionnaire, whatever was posted; what
    /// was cut would have been refused when sent anyway.
    pub fn bounded(&self, raw: &RawAnswers) -> RawAnswers {
        let mut out = RawAnswers::new();
        for (code, values) in raw {
            let Some(q) = self.q.question(code) else {
                continue;
            };
            let kept: Vec<String> = if q.kind.has_options() {
                let mut kept: Vec<String> = Vec::new();
                for v in values {
                    if q.option(v).is_some() && !kept.contains(v) {
                        kept.push(v.clone());
                    }
                }
                kept
            } else {
                let max = if q.kind == QuestionKind::Number {
                    20
                } else {
                    q.max_length
                };
                values
                    .iter()
                    .take(1)
                    .map(|v| v.chars().take(max).collect())
                    .collect()
            };
            if !kept.is_empty() {
                out.insert(code.clone(), kept);
            }
        }
        out
    }

    /// What is wrong with page `part`'s answers, in questionnaire order.
    pub fn errors(&self, part: usize, raw: &RawAnswers) -> Vec<(String, AnswerError)> {
        let Some(section) = self.section(part) else {
            return Vec::new();
        };
        judge(self.q, raw, |q| q.section == section.code)
            .err()
            .unwrap_or_default()
    }

    /// Every answer checked: the answers to store, or the first page with something to
    /// correct and its errors.
    pub fn finish(&self, raw: &RawAnswers) -> Result<Answers, (usize, Vec<(String, AnswerError)>)> {
        judge(self.q, raw, |_| true).map_err(|errors| {
            let part = errors
                .iter()
                .filter_map(|(code, _)| self.part_of(code))
                .min()
                .unwrap_or(0);
            let errors = errors
                .into_iter()
                .filter(|(code, _)| self.part_of(code) == Some(part))
                .collect();
            (part, errors)
        })
    }
}

/// Raw answers as a draft keeps them: JSON `{"CODE": ["value", …]}`.
pub fn draft_json(raw: &RawAnswers) -> String {
    serde_json::to_string(raw).expect("a map of strings is JSON")
}

/// A draft's answers read back; a draft that cannot be read counts as empty (it was
/// written by this code, so that would be a bug, logged by the caller).
pub fn from_draft_json(json: &str) -> Option<RawAnswers> {
    serde_json::from_str(json).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundled() -> Questionnaire {
        let src = include_str!("../../surveys/trygghet-2026.toml");
        crate::questionnaire::parse("trygghet-2026.toml", src).expect("bundled file parses")
    }

    #[test]
    fn every_question_is_on_exactly_one_page_in_file_order() {
        let q = bundled();
        let parts = Parts::new(&q);
        assert_eq!(parts.len(), q.sections.len());
        let mut seen = Vec::new();
        for part in 0..parts.len() {
            let section = parts.section(part).unwrap();
            seen.extend(q.questions_in(&section.code).map(|x| x.code.clone()));
        }
        let all: Vec<_> = q.questions.iter().map(|x| x.code.clone()).collect();
        let mut sorted_seen = seen.clone();
        sorted_seen.sort();
        let mut sorted_all = all.clone();
        sorted_all.sort();
        assert_eq!(sorted_seen, sorted_all);
        assert!(parts.section(parts.len()).is_none(), "the check page");
    }

    #[test]
    fn a_page_posts_only_its_own_questions_and_replaces_only_its_own_answers() {
        let q = bundled();
        let parts = Parts::new(&q);
        let first = &q
            .questions_in(&parts.section(0).unwrap().code)
            .next()
            .unwrap()
            .code;
        let later = &q
            .questions_in(&parts.section(1).unwrap().code)
            .next()
            .unwrap()
            .code;
        let field = |k: &str, v: &str| (k.to_string(), v.to_string());
        assert!(matches!(
            parts.read(0, &[field(later, "x")]),
            Err(Rejection::Malformed(_))
        ));
        assert!(matches!(
            parts.read(parts.len(), &[field(first, "x")]),
            Err(Rejection::Malformed(_))
        ));
        let mut so_far = RawAnswers::new();
        so_far.insert(first.clone(), vec!["old".into()]);
        so_far.insert(later.clone(), vec!["kept".into()]);
        // Page 0 posted without its first question (unticked): that answer is gone.
        let posted = parts.read(0, &[field("lang", "sv")]).unwrap();
        let merged = parts.merge(0, &so_far, &posted);
        assert_eq!(merged.get(first), None);
        assert_eq!(merged.get(later), Some(&vec!["kept".to_string()]));
        assert_eq!(merged.get("lang"), None, "control fields are not answers");
        assert_eq!(from_draft_json(&draft_json(&merged)), Some(merged));
    }

    #[test]
    fn buttons_are_read_and_anything_else_is_refused() {
        assert_eq!(Go::parse(""), Some(Go::Next));
        assert_eq!(Go::parse("back"), Some(Go::Back));
        assert_eq!(Go::parse("send"), Some(Go::Send));
        assert_eq!(Go::parse("part:3"), Some(Go::Part(3)));
        assert_eq!(Go::parse("lang:ar"), Some(Go::Lang("ar".into())));
        for bad in ["part:", "part:-1", "part:x", "delete", "NEXT"] {
            assert_eq!(Go::parse(bad), None, "{bad}");
        }
    }
}
