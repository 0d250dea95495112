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

    /// The best language of the catalogue for an `Accept-Language` header, if any:
    /// by q-value, an exact tag first, then its primary language (`ar-SE` → `ar`).
    /// Afghan Persian (`fa-AF`) is Dari (`prs`).
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut tags: Vec<(f64, usize, String)> = header
            .split(',')
            .enumerate()
            .filter_map(|(i, part)| {
                let mut it = part.split(';');
                let tag = it.next()?.trim().to_ascii_lowercase();
                let q = it
                    .find_map(|p| p.trim().strip_prefix("q=").map(str::to_string))
                    .map(|q| q.trim().parse::<f64>().unwrap_or(0.0))
                    .unwrap_or(1.0);
                (!tag.is_empty() && q > 0.0).then_some((q, i, tag))
            })
            .collect();
        tags.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        tags.into_iter().find_map(|(_, _, tag)| {
            let candidate = match tag.as_str() {
                "fa-af" => "prs".to_string(),
                t if is_supported(t) => t.to_string(),
                t => t.split('-').next().unwrap_or("").to_string(),
            };
            is_supported(&candidate).then_some(Lang(candidate))
        })
    }

    /// Whether the language is written right to left.
    pub fn is_rtl(&self) -> bool {
        self.dir() == "rtl"
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

    /// The text for `key` with `{name}` placeholders filled in. In a right-to-left
    /// language each value is isolated (FSI … PDI, the text form of `<bdi>`), so a date, a
    /// number or a Latin district name keeps its own direction inside the sentence.
    pub fn tf(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut s = self.t(key).to_string();
        for (name, value) in args {
            let value = if self.is_rtl() {
                format!("\u{2068}{value}\u{2069}")
            } else {
                value.to_string()
            };
            s = s.replace(&format!("{{{name}}}"), &value);
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
    fn accept_language_picks_the_best_supported_language() {
        let pick = |h: &str| Lang::from_accept_language(h).map(|l| l.code().to_string());
        assert_eq!(pick("en-GB,en;q=0.9"), Some("en".into()));
        assert_eq!(pick("de-DE, fr;q=0.8"), None);
        assert_eq!(pick("de;q=0.9, sv;q=0.5"), Some("sv".into()));
        assert_eq!(pick("sv;q=0.2, en;q=0.8"), Some("en".into()));
        assert_eq!(
            pick("en;q=0, sv"),
            Some("sv".into()),
            "q=0 means not acceptable"
        );
        assert_eq!(pick(""), None);
        assert_eq!(pick(";;,,q=1"), None);
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
