//! The typed keys of the results model, and its rows. Rows of the results table are keyed by these
//! types inside trygg; they become strings only where a table is written (`output.rs`, the
//! report's CSV files) through their `Display`, and a chart's file name comes from one
//! constructor ([`ChartName`]), so the report page and the chart files cannot disagree.

use std::fmt;

use super::stats::Change;
use super::variable::Kind;

/// A group of respondents within a domain.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Group {
    /// Everyone (also those who did not give their sex or age).
    All,
    /// Respondents of one sex category (a questionnaire option code).
    Sex(String),
    /// Respondents of one age group (a questionnaire option code).
    Age(String),
}

impl fmt::Display for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Group::All => f.write_str("all"),
            Group::Sex(c) => write!(f, "sex:{c}"),
            Group::Age(c) => write!(f, "age:{c}"),
        }
    }
}

/// Where an estimate is for: one district, or the municipality (the districts as strata).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Domain {
    District(String),
    Municipality,
}

impl Domain {
    /// The district's code, or `None` for the municipality.
    pub fn district(&self) -> Option<&str> {
        match self {
            Domain::District(d) => Some(d),
            Domain::Municipality => None,
        }
    }
}

/// The code of the municipality in written tables.
pub const MUNICIPALITY: &str = "ALL";

impl fmt::Display for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Domain::District(d) => f.write_str(d),
            Domain::Municipality => f.write_str(MUNICIPALITY),
        }
    }
}

/// An index: one block of indicators, or all of them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IndexName {
    Block(String),
    Total,
}

impl fmt::Display for IndexName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IndexName::Block(b) => f.write_str(b),
            IndexName::Total => f.write_str("total"),
        }
    }
}

/// What a result row measures: a question (its share or mean) or an index.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IndicatorKey {
    Question(String),
    Index(IndexName),
}

impl IndicatorKey {
    /// The question code, when the row is about a question.
    pub fn question(&self) -> Option<&str> {
        match self {
            IndicatorKey::Question(c) => Some(c),
            IndicatorKey::Index(_) => None,
        }
    }

    /// Whether the row is about question `code`.
    pub fn is(&self, code: &str) -> bool {
        self.question() == Some(code)
    }
}

impl fmt::Display for IndicatorKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IndicatorKey::Question(c) => f.write_str(c),
            IndicatorKey::Index(i) => write!(f, "index:{i}"),
        }
    }
}

/// The class of an index value (METHODOLOGY §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IndexClass {
    Low,
    Raised,
    High,
}

impl IndexClass {
    /// The class of an index value, by the limits in [`super::policy`].
    pub fn of(value: f64) -> IndexClass {
        if value <= super::policy::INDEX_LOW_MAX {
            IndexClass::Low
        } else if value <= super::policy::INDEX_RAISED_MAX {
            IndexClass::Raised
        } else {
            IndexClass::High
        }
    }

    /// The code written in tables.
    pub fn as_str(self) -> &'static str {
        match self {
            IndexClass::Low => "low",
            IndexClass::Raised => "raised",
            IndexClass::High => "high",
        }
    }

    /// The word in the Swedish report.
    pub fn sv(self) -> &'static str {
        match self {
            IndexClass::Low => "låg",
            IndexClass::Raised => "förhöjd",
            IndexClass::High => "hög",
        }
    }
}

/// Why a cell of the results table is hidden (METHODOLOGY §5 and §5b).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Suppression {
    /// Too few answers for a reliable estimate (primary suppression).
    TooFewAnswers,
    /// Hidden so that another hidden cell cannot be derived from published ones.
    ProtectsOther,
}

impl Suppression {
    /// The code written in tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Suppression::TooFewAnswers => "too_few_answers",
            Suppression::ProtectsOther => "protects_other",
        }
    }

    /// What the Swedish report and pages say in the cell's place.
    pub fn sv(self) -> &'static str {
        match self {
            Suppression::TooFewAnswers => "för få svar",
            Suppression::ProtectsOther => "dold för att skydda en annan uppgift",
        }
    }
}

/// A change against an earlier year.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Comparison {
    pub year: Option<i32>,
    /// The difference (this year minus the earlier one), when both are published.
    pub diff: Option<f64>,
    /// The tested change (shares and means; index values have no variance, so no test).
    pub change: Option<Change>,
    pub q: Option<f64>,
    pub significant: Option<bool>,
    /// Either year's answers were self-selected (an open link): the difference is shown,
    /// never tested.
    pub self_selected: bool,
}

/// One row of the results table.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultRow {
    pub year: i32,
    pub district: Domain,
    pub group: Group,
    pub indicator: IndicatorKey,
    pub kind: Kind,
    /// Respondents with a valid answer; absent when 1–4 (never published).
    pub n: Option<f64>,
    pub n_eff: Option<f64>,
    /// Share of the domain's respondents who were asked but gave no valid answer.
    pub nonresponse: Option<f64>,
    pub estimate: Option<f64>,
    pub se: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// The variance the row enters tests with (the linearised one, or at a share of 0 or
    /// 1 the adjusted share's, METHODOLOGY §3); not published.
    pub var: Option<f64>,
    pub level: Option<u8>,
    pub class: Option<IndexClass>,
    /// Hidden: nothing of the row is published but why ([`ResultRow::suppression`]).
    pub suppressed: bool,
    pub suppression: Option<Suppression>,
    pub uncertain: bool,
    pub weighted: bool,
    /// From an open link (for the municipality: any of its districts' waves that year):
    /// whoever chose to answer, not a random sample. Its estimates describe those who
    /// answered, and its changes carry no test, q-value or significance (issue 21).
    pub self_selected: bool,
    pub prev: Comparison,
    pub base: Comparison,
}

impl ResultRow {
    /// What a page or a file shows in a hidden row's place: why it is hidden.
    pub fn hidden_text(&self) -> &'static str {
        self.suppression.unwrap_or(Suppression::TooFewAnswers).sv()
    }
}

/// A chart of the report; [`ChartName::file_stem`] names its SVG and PNG files and is what
/// the page looks the chart up by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChartName<'a> {
    /// Index levels of every district over the years.
    Index(&'a IndexName),
    /// One indicator in every district in a year.
    Compare { year: i32, indicator: &'a str },
    /// One indicator in one district over the years.
    Trend {
        district: &'a str,
        indicator: &'a str,
    },
    /// A measure's district against its comparison, for one indicator.
    Measure {
        measure: &'a str,
        indicator: &'a str,
    },
}

impl ChartName<'_> {
    pub fn file_stem(&self) -> String {
        let parts: Vec<String> = match self {
            ChartName::Index(i) => vec!["index".into(), i.to_string()],
            ChartName::Compare { year, indicator } => {
                vec!["jamforelse".into(), year.to_string(), indicator.to_string()]
            }
            ChartName::Trend {
                district,
                indicator,
            } => vec!["trend".into(), district.to_string(), indicator.to_string()],
            ChartName::Measure { measure, indicator } => {
                vec!["atgard".into(), measure.to_string(), indicator.to_string()]
            }
        };
        parts.iter().map(|p| slug(p)).collect::<Vec<_>>().join("-")
    }
}

/// Lowercase ASCII letters and digits, everything else `-`: safe in file names and ids.
pub fn slug(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_written_as_the_tables_always_had_them() {
        assert_eq!(Group::All.to_string(), "all");
        assert_eq!(Group::Sex("kvinna".into()).to_string(), "sex:kvinna");
        assert_eq!(Group::Age("16-24".into()).to_string(), "age:16-24");
        assert_eq!(Domain::Municipality.to_string(), "ALL");
        assert_eq!(
            IndicatorKey::Index(IndexName::Total).to_string(),
            "index:total"
        );
        assert_eq!(
            IndicatorKey::Index(IndexName::Block("problem".into())).to_string(),
            "index:problem"
        );
        assert_eq!(IndexClass::of(2.0), IndexClass::Low);
        assert_eq!(IndexClass::of(3.6), IndexClass::Raised);
        assert_eq!(IndexClass::of(3.61), IndexClass::High);
        assert_eq!(
            ChartName::Trend {
                district: "ryd",
                indicator: "P_FORT"
            }
            .file_stem(),
            "trend-ryd-p-fort"
        );
    }
}
