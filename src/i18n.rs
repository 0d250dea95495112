//! The page catalogue: every text of trygg's own pages, in every supported language.
//!
//! Questionnaire texts live in the questionnaire files; this catalogue holds the rest
//! (buttons, headings, error messages). It is `surveys/translations/pages.toml`, compiled
//! into the binary, so adding a language means adding its texts there and in the
//! questionnaire — no code. A test checks that every text exists in every language.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::Deserialize;

const SOURCE: &str = include_str!("../surveys/translations/pages.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    pub languages: BTreeMap<String, LanguageInfo>,
    pub texts: BTreeMap<String, BTreeMap<String, String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LanguageInfo {
    /// The language's name in itself, for the language switch.
    pub name: String,
    /// `ltr` or `rtl`.
    pub dir: String,
    /// Order in the language switch.
    pub order: u32,
}

pub static CATALOGUE: LazyLock<Catalogue> =
    LazyLock::new(|| toml::from_str(SOURCE).expect("surveys/translations/pages.toml is valid"));

pub fn is_supported(lang: &str) -> bool {
    CATALOGUE.languages.contains_key(lang)
}

/// Languages in switch order.
pub fn languages() -> Vec<(&'static str, &'static LanguageInfo)> {
    let mut v: Vec<_> = CATALOGUE
        .languages
        .iter()
        .map(|(k, v)| (k.as_str(), v))
        .collect();
    v.sort_by_key(|(_, info)| info.order);
    v
}

/// A language of the page catalogue, chosen by the resident (`?lang=`); Swedish by default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lang(String);

impl Lang {
    pub fn from_query(code: Option<&str>) -> Self {
        match code {
            Some(c) if is_supported(c) => Lang(c.to_string()),
            _ => Lang::default(),
        }
    }

    pub fn code(&self) -> &str {
        &self.0
    }

    pub fn dir(&self) -> &'static str {
        CATALOGUE
            .languages
            .get(&self.0)
            .map(|l| if l.dir == "rtl" { "rtl" } else { "ltr" })
            .unwrap_or("ltr")
    }

    /// The text for `key`; a missing key shows the key itself, which a test forbids.
    pub fn t(&self, key: &str) -> &'static str {
        CATALOGUE
            .texts
            .get(key)
            .and_then(|m| m.get(&self.0).or_else(|| m.get("sv")))
            .map(String::as_str)
            .unwrap_or_else(|| {
                tracing::warn!(key, "missing catalogue text");
                "?"
            })
    }

    /// The text for `key` with `{name}` placeholders filled in.
    pub fn tf(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut s = self.t(key).to_string();
        for (name, value) in args {
            s = s.replace(&format!("{{{name}}}"), value);
        }
        s
    }
}

impl Default for Lang {
    fn default() -> Self {
        Lang("sv".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_exists_in_every_language() {
        for (key, texts) in &CATALOGUE.texts {
            for lang in CATALOGUE.languages.keys() {
                let t = texts.get(lang).map(|s| s.trim()).unwrap_or("");
                assert!(!t.is_empty(), "text {key} has no {lang} translation");
            }
            for lang in texts.keys() {
                assert!(is_supported(lang), "text {key} has unknown language {lang}");
            }
        }
    }

    #[test]
    fn unknown_language_falls_back_to_swedish() {
        assert_eq!(Lang::from_query(Some("xx")).code(), "sv");
        assert_eq!(Lang::from_query(Some("en")).code(), "en");
        assert_eq!(Lang::from_query(None).code(), "sv");
    }

    #[test]
    fn placeholders_are_filled_in() {
        let en = Lang::from_query(Some("en"));
        let s = en.tf("error_out_of_range", &[("min", "0"), ("max", "99")]);
        assert!(
            s.contains('0') && s.contains("99") && !s.contains('{'),
            "{s}"
        );
    }
}
