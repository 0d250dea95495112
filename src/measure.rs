//! A registered measure (åtgärd): where, when and what it is meant to move. Storage keeps the
//! register's versions, the analysis evaluates it, the web edits it — all with this type.

use chrono::{Months, NaiveDate};

/// The years a measure's start or an EST action's due date may fall in: wide enough for
/// any real plan, narrow enough that date arithmetic around them never overflows.
pub const PLAN_YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// A date written `YYYY-MM-DD` within [`PLAN_YEARS`].
pub fn plan_date(text: &str) -> Option<NaiveDate> {
    use chrono::Datelike;
    let text = text.trim();
    // chrono also reads signed and longer years ("+262142-12-31"): ten characters only.
    if text.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .filter(|d| PLAN_YEARS.contains(&d.year()))
}

/// The months after a measure's start before an "after" wave counts, when none is given.
pub const DEFAULT_LAG_MONTHS: u32 = 0;

/// A measure of the register.
#[derive(Debug, Clone, PartialEq)]
pub struct Measure {
    pub id: String,
    pub district: String,
    pub start: NaiveDate,
    pub category: String,
    pub title: String,
    /// Months after the start before an "after" wave counts.
    pub lag_months: u32,
    /// The indicators the measure is meant to move; every other indicator is exploratory.
    pub targets: Vec<String>,
    /// Which version of the register in the database this is; `None` when it comes from
    /// `surveys/measures.toml`.
    pub version: Option<RegisterVersion>,
}

/// A version of a measure in the database register.
#[derive(Debug, Clone, PartialEq)]
pub struct RegisterVersion {
    pub version: i64,
    pub edited_by: String,
    pub edited_at: String,
}

impl Measure {
    /// The day after which a wave counts as "after" the measure: its start plus its lag.
    pub fn after_from(&self) -> NaiveDate {
        self.start
            .checked_add_months(Months::new(self.lag_months))
            .unwrap_or(self.start)
    }
}
