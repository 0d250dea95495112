//! How long the free text of incident reports is kept (issue 24, point 9). A report's
//! description and "other place" are the reporter's own words and may, despite the guard,
//! say more than a count needs; the reporting account's e-mail serves only the reporter's
//! own list. After the retention period all three are deleted and the report stays as a
//! count: district, place of the register, day, part of the day, category, status.

use chrono::{Months, NaiveDate};

/// The default retention of free text, in months.
pub const FREE_TEXT_MONTHS: u32 = 24;
/// The shortest retention that may be configured: longer than a report may be dated back
/// and than "Mina rapporter" lists (`est::filing`), so text is never gone before its
/// reporter has seen the report through review.
pub const MIN_FREE_TEXT_MONTHS: u32 = 3;
/// The longest retention that may be configured (ten years), so a typo cannot keep text
/// for ever.
pub const MAX_FREE_TEXT_MONTHS: u32 = 120;

/// A checked retention period for free text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    months: u32,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            months: FREE_TEXT_MONTHS,
        }
    }
}

impl Retention {
    /// A period of [`MIN_FREE_TEXT_MONTHS`] to [`MAX_FREE_TEXT_MONTHS`] months; the
    /// refusal says why.
    pub fn months(months: u32) -> Result<Retention, String> {
        if (MIN_FREE_TEXT_MONTHS..=MAX_FREE_TEXT_MONTHS).contains(&months) {
            Ok(Retention { months })
        } else {
            Err(format!(
                "the free text of EST reports is kept {MIN_FREE_TEXT_MONTHS} to {MAX_FREE_TEXT_MONTHS} months, not {months}"
            ))
        }
    }

    pub fn get(self) -> u32 {
        self.months
    }

    /// The first day whose reports keep their text on `today`: reports of earlier days
    /// lose it.
    pub fn keeps_from(self, today: NaiveDate) -> NaiveDate {
        today
            .checked_sub_months(Months::new(self.months))
            .unwrap_or(NaiveDate::MIN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_period_counts_calendar_months_back() {
        let r = Retention::default();
        assert_eq!(r.keeps_from(day("2026-12-03")), day("2024-12-03"));
        // The end of a month stays in its month.
        let three = Retention::months(3).unwrap();
        assert_eq!(three.keeps_from(day("2026-05-31")), day("2026-02-28"));
    }

    #[test]
    fn zero_and_absurd_periods_are_refused() {
        assert!(Retention::months(0).unwrap_err().contains("3 to 120"));
        assert!(Retention::months(2).is_err());
        assert!(Retention::months(121).is_err());
        assert_eq!(Retention::months(120).unwrap().get(), 120);
    }
}
