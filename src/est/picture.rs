//! The week's picture (issue 24, point 6): for one district — or all together — and one ISO
//! week, from the accepted reports counted per week: each category's count this week, the
//! mean of the four weeks before and the same week a year earlier; places ranked by this
//! week's reports; what stands out; and a 52-week series per category. Pure: the counts
//! come from the store (`est_week_counts`, `est_place_week_counts`) over [`span`].

use std::collections::BTreeMap;

use super::category::Category;
use super::report::{PlaceWeekCount, WeekCount};
use super::week::Week;

/// The policy of the week's picture, defined once.
/// How many weeks before the week its mean is taken over.
pub const BASELINE_WEEKS: i64 = 4;
/// A count stands out at this many times its baseline mean or more …
pub const STANDS_OUT_FACTOR: f64 = 2.0;
/// … and at least this many reports.
pub const STANDS_OUT_MIN: i64 = 3;
/// How many weeks the series end with (the week itself included).
pub const SERIES_WEEKS: i64 = 52;
/// The longest range of weeks the API and the CSV export give at once (three years).
pub const MAX_RANGE_WEEKS: i64 = 157;

/// Reads a range of weeks (`2026-W01`, `2026-W12`): both real ISO weeks, `from` not after
/// `to`, at most [`MAX_RANGE_WEEKS`] weeks. The refusal says why, in English.
pub fn range(from: &str, to: &str) -> Result<(Week, Week), String> {
    let read = |name: &str, s: &str| {
        Week::parse(s).ok_or_else(|| {
            format!(
                "{name} must be an ISO week that exists, written YYYY-Www (2026-W05), not \"{s}\""
            )
        })
    };
    let (a, b) = (read("from", from)?, read("to", to)?);
    if a > b {
        return Err(format!("from ({a}) is after to ({b})"));
    }
    let weeks = (b.monday() - a.monday()).num_weeks() + 1;
    if weeks > MAX_RANGE_WEEKS {
        return Err(format!(
            "{weeks} weeks asked for; at most {MAX_RANGE_WEEKS} at once"
        ));
    }
    Ok((a, b))
}

/// Whether a count stands out against its baseline mean.
pub fn stands_out(count: i64, mean: f64) -> bool {
    count >= STANDS_OUT_MIN && count as f64 >= STANDS_OUT_FACTOR * mean
}

/// The same week a year earlier: the same number (week 53 of a year whose previous year
/// has 52 is compared with week 52).
pub fn last_year(week: Week) -> Week {
    Week::new(week.year - 1, week.week)
        .or_else(|| Week::new(week.year - 1, 52))
        .expect("every ISO year has a week 52")
}

/// The first and last week the picture of `week` reads counts for.
pub fn span(week: Week) -> (Week, Week) {
    let first = week.plus(1 - SERIES_WEEKS).min(last_year(week));
    (first.min(week.plus(-BASELINE_WEEKS)), week)
}

/// The four weeks before `week`, oldest first.
pub fn baseline(week: Week) -> Vec<Week> {
    (1..=BASELINE_WEEKS).rev().map(|n| week.plus(-n)).collect()
}

/// One category's line of the counts table.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryRow {
    pub category: Category,
    pub this_week: i64,
    /// The mean of the four weeks before.
    pub mean_before: f64,
    pub last_year: i64,
}

/// A place with accepted reports this week.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaceRow {
    pub place_id: String,
    pub this_week: i64,
    pub mean_before: f64,
}

/// What stands out: a category or a place.
#[derive(Debug, Clone, PartialEq)]
pub enum Standout {
    Category {
        category: Category,
        count: i64,
        mean: f64,
    },
    Place {
        place_id: String,
        count: i64,
        mean: f64,
    },
}

/// The week's picture.
#[derive(Debug, Clone, PartialEq)]
pub struct Picture {
    pub week: Week,
    pub last_year: Week,
    /// Every category, in `Category::ALL`'s order.
    pub rows: Vec<CategoryRow>,
    /// Places with reports this week, most first (then by id).
    pub places: Vec<PlaceRow>,
    /// Categories first, then places, each in the order above.
    pub standouts: Vec<Standout>,
    /// The 52 weeks ending with the week, oldest first.
    pub weeks: Vec<Week>,
    /// The categories with a report in those weeks, each with its count per week.
    pub series: Vec<(Category, Vec<i64>)>,
}

fn mean(total: i64) -> f64 {
    total as f64 / BASELINE_WEEKS as f64
}

/// The picture of `week` from the category counts and the place counts over [`span`].
pub fn picture(week: Week, counts: &[WeekCount], places: &[PlaceWeekCount]) -> Picture {
    let before = baseline(week);
    let previous = last_year(week);
    let by: BTreeMap<(Week, Category), i64> = counts
        .iter()
        .map(|c| ((c.week, c.category), c.count))
        .collect();
    let get = |w: Week, c: Category| by.get(&(w, c)).copied().unwrap_or(0);
    let rows: Vec<CategoryRow> = Category::ALL
        .into_iter()
        .map(|c| CategoryRow {
            category: c,
            this_week: get(week, c),
            mean_before: mean(before.iter().map(|w| get(*w, c)).sum()),
            last_year: get(previous, c),
        })
        .collect();
    let mut per_place: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    for p in places {
        let e = per_place.entry(p.place_id.as_str()).or_default();
        if p.week == week {
            e.0 += p.count;
        } else if before.contains(&p.week) {
            e.1 += p.count;
        }
    }
    let mut ranked: Vec<PlaceRow> = per_place
        .into_iter()
        .filter(|(_, (now, _))| *now > 0)
        .map(|(id, (now, before))| PlaceRow {
            place_id: id.to_string(),
            this_week: now,
            mean_before: mean(before),
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.this_week
            .cmp(&a.this_week)
            .then(a.place_id.cmp(&b.place_id))
    });
    let standouts = rows
        .iter()
        .filter(|r| stands_out(r.this_week, r.mean_before))
        .map(|r| Standout::Category {
            category: r.category,
            count: r.this_week,
            mean: r.mean_before,
        })
        .chain(
            ranked
                .iter()
                .filter(|p| stands_out(p.this_week, p.mean_before))
                .map(|p| Standout::Place {
                    place_id: p.place_id.clone(),
                    count: p.this_week,
                    mean: p.mean_before,
                }),
        )
        .collect();
    let weeks: Vec<Week> = (0..SERIES_WEEKS).rev().map(|n| week.plus(-n)).collect();
    let series = Category::ALL
        .into_iter()
        .map(|c| (c, weeks.iter().map(|w| get(*w, c)).collect::<Vec<_>>()))
        .filter(|(_, s)| s.iter().any(|n| *n > 0))
        .collect();
    Picture {
        week,
        last_year: previous,
        rows,
        places: ranked,
        standouts,
        weeks,
        series,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(year: i32, week: u32) -> Week {
        Week::new(year, week).unwrap()
    }

    fn count(week: Week, category: Category, count: i64) -> WeekCount {
        WeekCount {
            week,
            category,
            count,
        }
    }

    fn place(week: Week, id: &str, count: i64) -> PlaceWeekCount {
        PlaceWeekCount {
            week,
            place_id: id.into(),
            count,
        }
    }

    #[test]
    fn ranges_of_weeks_are_read_strictly() {
        assert_eq!(range("2026-W01", "2026-W01"), Ok((w(2026, 1), w(2026, 1))));
        assert!(range("2026-W10", "2026-W09").unwrap_err().contains("after"));
        assert!(
            range("2026-W54", "2027-W01")
                .unwrap_err()
                .contains("2026-W54")
        );
        assert!(
            range("2021-W01", "2026-W01")
                .unwrap_err()
                .contains("at most")
        );
        // 2024 and 2025 have 52 weeks, 2026 has 53: 2024-W01 to 2026-W53 is 157 weeks.
        assert!(range("2024-W01", "2026-W53").is_ok());
        assert!(range("2024-W01", "2027-W01").is_err());
    }

    #[test]
    fn the_thresholds_are_inclusive() {
        // 3 reports against a mean of 1.5: exactly twice, exactly the minimum.
        assert!(stands_out(3, 1.5));
        assert!(!stands_out(3, 1.75));
        assert!(!stands_out(2, 0.0));
        assert!(stands_out(3, 0.0));
        assert!(stands_out(8, 4.0) && !stands_out(7, 4.0));
    }

    #[test]
    fn week_1_compares_with_the_end_of_the_previous_iso_year_and_its_week_53() {
        // 2027-W01: the four weeks before are 2026-W50 to 2026-W53 (2026 has 53 weeks).
        let week = w(2027, 1);
        assert_eq!(
            baseline(week),
            vec![w(2026, 50), w(2026, 51), w(2026, 52), w(2026, 53)]
        );
        assert_eq!(last_year(week), w(2026, 1));
        assert_eq!(last_year(w(2026, 53)), w(2025, 52));
        let counts = [
            count(w(2026, 49), Category::Klotter, 40), // outside the four weeks
            count(w(2026, 50), Category::Klotter, 1),
            count(w(2026, 53), Category::Klotter, 2),
            count(w(2027, 1), Category::Klotter, 6),
            count(w(2026, 1), Category::Klotter, 5),
            count(w(2026, 52), Category::Brand, 4),
            count(w(2027, 1), Category::Brand, 3),
        ];
        let places = [
            place(w(2027, 1), "torget", 3),
            place(w(2026, 53), "torget", 6),
            place(w(2027, 1), "parken", 3),
            place(w(2027, 1), "gangen", 1),
        ];
        let p = picture(week, &counts, &places);
        let row = |c| p.rows.iter().find(|r| r.category == c).unwrap().clone();
        // Klotter: (1 + 0 + 0 + 2) / 4 = 0.75; 6 ≥ 1.5 and ≥ 3: stands out.
        assert_eq!(row(Category::Klotter).this_week, 6);
        assert_eq!(row(Category::Klotter).mean_before, 0.75);
        assert_eq!(row(Category::Klotter).last_year, 5);
        // Brand: 4 / 4 = 1; 3 ≥ 2 and ≥ 3: stands out, exactly at the minimum.
        assert_eq!(row(Category::Brand).mean_before, 1.0);
        assert_eq!(p.rows.len(), Category::ALL.len());
        assert_eq!(
            p.places
                .iter()
                .map(|r| r.place_id.as_str())
                .collect::<Vec<_>>(),
            ["parken", "torget", "gangen"]
        );
        // torget: 3 against 6 / 4 = 1.5, exactly twice: stands out; parken: 3 against 0.
        assert_eq!(
            p.standouts,
            vec![
                Standout::Category {
                    category: Category::Klotter,
                    count: 6,
                    mean: 0.75
                },
                Standout::Category {
                    category: Category::Brand,
                    count: 3,
                    mean: 1.0
                },
                Standout::Place {
                    place_id: "parken".into(),
                    count: 3,
                    mean: 0.0
                },
                Standout::Place {
                    place_id: "torget".into(),
                    count: 3,
                    mean: 1.5
                },
            ]
        );
        assert_eq!(p.weeks.len(), 52);
        assert_eq!(p.weeks.first(), Some(&w(2026, 3)));
        assert_eq!(p.weeks.last(), Some(&week));
        // Klotter's 2026-W01 (5) is 53 weeks back: in the table, not in the series.
        let klotter = &p
            .series
            .iter()
            .find(|s| s.0 == Category::Klotter)
            .unwrap()
            .1;
        assert_eq!(klotter.iter().sum::<i64>(), 1 + 2 + 6 + 40);
        assert_eq!(p.series.len(), 2);
        assert_eq!(span(week), (w(2026, 1), week));
    }

    #[test]
    fn below_the_thresholds_nothing_stands_out() {
        let week = w(2026, 10);
        let counts = [
            count(w(2026, 6), Category::Narkotika, 7),
            count(w(2026, 10), Category::Narkotika, 3), // 3 < 2 × 1.75
            count(w(2026, 10), Category::Ovrigt, 2),    // 2 < 3
        ];
        let p = picture(week, &counts, &[place(week, "torget", 2)]);
        assert!(p.standouts.is_empty(), "{:?}", p.standouts);
        assert_eq!(span(week), (w(2025, 10), week));
    }
}
