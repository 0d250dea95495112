//! An ISO 8601 week (`2026-W11`): what the weekly picture is compiled per. Weeks run Monday
//! to Sunday; the first week of a year is the one with its Thursday.

use std::fmt;

use chrono::{Datelike, NaiveDate, Weekday};

/// An ISO week: its week-based year and number (1-53).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Week {
    pub year: i32,
    pub week: u32,
}

impl Week {
    /// The week a day falls in.
    pub fn of(day: NaiveDate) -> Week {
        let w = day.iso_week();
        Week {
            year: w.year(),
            week: w.week(),
        }
    }

    /// The week, if `year` has one numbered `week`.
    pub fn new(year: i32, week: u32) -> Option<Week> {
        NaiveDate::from_isoywd_opt(year, week, Weekday::Mon).map(|_| Week { year, week })
    }

    pub fn monday(self) -> NaiveDate {
        NaiveDate::from_isoywd_opt(self.year, self.week, Weekday::Mon)
            .expect("a Week is only made for a week that exists")
    }

    pub fn sunday(self) -> NaiveDate {
        self.monday() + chrono::Duration::days(6)
    }

    /// The week `n` weeks later (earlier for a negative `n`).
    pub fn plus(self, n: i64) -> Week {
        Week::of(self.monday() + chrono::Duration::weeks(n))
    }

    /// Reads `2026-W11` (also `2026-w11`, `2026W11`).
    pub fn parse(s: &str) -> Option<Week> {
        let (y, w) = s.split_once(['W', 'w'])?;
        let y = y.strip_suffix('-').unwrap_or(y);
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if y.len() != 4 || w.len() != 2 || !digits(y) || !digits(w) {
            return None;
        }
        Week::new(y.parse().ok()?, w.parse().ok()?)
    }
}

impl fmt::Display for Week {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-W{:02}", self.year, self.week)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_at_the_turn_of_the_year() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(Week::of(d(2026, 1, 1)), Week::new(2026, 1).unwrap());
        assert_eq!(Week::of(d(2027, 1, 1)), Week::new(2026, 53).unwrap());
        assert_eq!(Week::new(2026, 53).unwrap().sunday(), d(2027, 1, 3));
        assert_eq!(Week::new(2025, 53), None);
        assert_eq!(Week::parse("2026-W11"), Week::new(2026, 11));
        assert_eq!(Week::parse("2026-W11").unwrap().to_string(), "2026-W11");
        assert_eq!(
            Week::new(2026, 53).unwrap().plus(1),
            Week::new(2027, 1).unwrap()
        );
        assert_eq!(Week::parse("2026-11"), None);
        for bad in [
            "2026-W54", "2026-W00", "abcd", "2026-W5", "+202-W05", "2026-W+5", "",
        ] {
            assert_eq!(Week::parse(bad), None, "{bad}");
        }
    }
}
