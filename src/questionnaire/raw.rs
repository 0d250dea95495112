//! A questionnaire file as deserialised, before any check: every part keeps its byte span
//! (`toml::Spanned`), so a fault can name its line.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

pub(super) type RawText = BTreeMap<String, String>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFile {
    pub(super) code: Spanned<String>,
    pub(super) languages: Spanned<Vec<String>>,
    /// Languages whose texts are drafts, to be reviewed by the municipality's translators;
    /// shown to staff by `trygg check`, never to residents.
    #[serde(default)]
    pub(super) draft_languages: Option<Spanned<Vec<String>>>,
    pub(super) title: Spanned<RawText>,
    #[serde(default)]
    pub(super) intro: Option<Spanned<RawText>>,
    #[serde(default)]
    pub(super) option_sets: BTreeMap<String, Spanned<Vec<Spanned<RawChoice>>>>,
    #[serde(default)]
    pub(super) sections: Vec<Spanned<RawSection>>,
    #[serde(default)]
    pub(super) indices: Vec<Spanned<RawIndex>>,
    #[serde(default)]
    pub(super) questions: Vec<Spanned<RawQuestion>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawChoice {
    pub(super) code: Spanned<String>,
    pub(super) text: Spanned<RawText>,
    #[serde(default)]
    pub(super) dont_know: bool,
    #[serde(default)]
    pub(super) score: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSection {
    pub(super) code: Spanned<String>,
    pub(super) title: Spanned<RawText>,
    #[serde(default)]
    pub(super) intro: Option<Spanned<RawText>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawIndex {
    pub(super) code: Spanned<String>,
    pub(super) name: Spanned<RawText>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawQuestion {
    pub(super) code: Spanned<String>,
    pub(super) section: Spanned<String>,
    #[serde(rename = "type")]
    pub(super) kind: Spanned<String>,
    #[serde(default)]
    pub(super) required: bool,
    pub(super) text: Spanned<RawText>,
    #[serde(default)]
    pub(super) help: Option<Spanned<RawText>>,
    #[serde(default)]
    pub(super) option_set: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) options: Option<Vec<Spanned<RawChoice>>>,
    #[serde(default)]
    pub(super) min: Option<i64>,
    #[serde(default)]
    pub(super) max: Option<i64>,
    #[serde(default)]
    pub(super) max_length: Option<Spanned<usize>>,
    #[serde(default)]
    pub(super) role: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) indicator: Option<Spanned<RawIndicator>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawIndicator {
    pub(super) counts: Spanned<Vec<Spanned<String>>>,
    pub(super) norm: Spanned<f64>,
    #[serde(default)]
    pub(super) index: Option<Spanned<String>>,
    pub(super) label: Spanned<RawText>,
}
