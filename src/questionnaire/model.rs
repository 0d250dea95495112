//! The questionnaire as the rest of trygg sees it: validated, with every reference resolved.
//!
//! Values of these types only come out of [`super::parse`], so code that holds a
//! `Questionnaire` may rely on what `trygg check` guarantees: unique codes, options that
//! exist, a text in every language of the survey.

use std::collections::BTreeMap;

/// The language every text is written in first; other languages are translations.
pub const SOURCE_LANGUAGE: &str = "sv";

/// A text in every language of the questionnaire (Swedish is the source language).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Text(pub BTreeMap<String, String>);

impl Text {
    /// The text in `lang`, or in Swedish when the questionnaire has no such language
    /// (the resident pages only offer languages the questionnaire has).
    pub fn get(&self, lang: &str) -> &str {
        self.0
            .get(lang)
            .or_else(|| self.0.get(SOURCE_LANGUAGE))
            .map(String::as_str)
            .unwrap_or("")
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Questionnaire {
    /// Stable identifier of the questionnaire file, e.g. `trygghet-2026`.
    pub code: String,
    /// Languages every text is given in; the first is the source (`sv`).
    pub languages: Vec<String>,
    /// Languages whose texts are drafts awaiting review (for staff only).
    pub draft_languages: Vec<String>,
    pub title: Text,
    pub intro: Text,
    pub sections: Vec<Section>,
    pub questions: Vec<Question>,
    pub indices: Vec<IndexBlock>,
}

impl Questionnaire {
    pub fn question(&self, code: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.code == code)
    }

    /// The questions of a section in questionnaire order.
    pub fn questions_in<'a>(&'a self, section: &'a str) -> impl Iterator<Item = &'a Question> {
        self.questions.iter().filter(move |q| q.section == section)
    }

    /// The question that carries a background role (sex, age group, …), if any.
    pub fn with_role(&self, role: Role) -> Option<&Question> {
        self.questions.iter().find(|q| q.role == Some(role))
    }

    /// Every question that defines an indicator, in questionnaire order.
    pub fn indicators(&self) -> impl Iterator<Item = (&Question, &Indicator)> {
        self.questions
            .iter()
            .filter_map(|q| q.indicator.as_ref().map(|i| (q, i)))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub code: String,
    pub title: Text,
    pub intro: Option<Text>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuestionKind {
    /// One option out of several, unordered.
    Single,
    /// One option out of an ordered scale; options carry a score for means.
    Scale,
    /// Exactly two substantive options (and optionally "don't know").
    YesNo,
    /// Any number of options.
    Multi,
    /// A whole number within bounds.
    Number,
    /// Free text, length-limited; never part of an analysis or a public report.
    FreeText,
}

impl QuestionKind {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "single" => Self::Single,
            "scale" => Self::Scale,
            "yes_no" => Self::YesNo,
            "multi" => Self::Multi,
            "number" => Self::Number,
            "text" => Self::FreeText,
            _ => return None,
        })
    }

    pub fn has_options(self) -> bool {
        matches!(self, Self::Single | Self::Scale | Self::YesNo | Self::Multi)
    }
}

/// The background variables used for weighting and subgroups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Sex,
    AgeGroup,
    Housing,
    YearsInArea,
}

impl Role {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "sex" => Self::Sex,
            "age_group" => Self::AgeGroup,
            "housing" => Self::Housing,
            "years_in_area" => Self::YearsInArea,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sex => "sex",
            Self::AgeGroup => "age_group",
            Self::Housing => "housing",
            Self::YearsInArea => "years_in_area",
        }
    }
}

/// The age groups of the survey's population (16–84), as option codes of the age question.
pub const AGE_GROUPS: [&str; 4] = ["16-24", "25-44", "45-64", "65-84"];

#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    pub code: String,
    pub section: String,
    pub kind: QuestionKind,
    pub required: bool,
    pub text: Text,
    pub help: Option<Text>,
    pub options: Vec<Choice>,
    /// Bounds of a number question.
    pub min: i64,
    pub max: i64,
    /// Longest accepted free-text answer, in characters.
    pub max_length: usize,
    pub indicator: Option<Indicator>,
    pub role: Option<Role>,
}

impl Question {
    pub fn option(&self, code: &str) -> Option<&Choice> {
        self.options.iter().find(|o| o.code == code)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub code: String,
    pub text: Text,
    /// "Don't know": a valid answer on the form, missing for the analysis.
    pub dont_know: bool,
    /// Score for means of scale questions (1, 2, … in order unless given).
    pub score: Option<f64>,
}

/// What makes a question an indicator: the options that count, the norm for index levels.
#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    pub counts: Vec<String>,
    /// Norm share p0 in 0..1 for the index-level model (METHODOLOGY §4).
    pub norm: f64,
    /// The index block this indicator belongs to, if any.
    pub index: Option<String>,
    /// Short name for tables and charts.
    pub label: Text,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IndexBlock {
    pub code: String,
    pub name: Text,
}
