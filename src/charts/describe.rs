//! A chart in words and as a table, made from the same data it is drawn from: the text
//! alternative every page shows with a chart — one or two sentences saying what it shows,
//! and its numbers — so a reader who cannot see the drawing (a screen reader, a printout
//! in grey, a phone) gets the same facts. Swedish, as the charts are.

use super::model::{Axis, Chart, CompareChart, Point, YearChart};

/// A chart's text alternative: sentences, and its data as a table (header, then rows).
#[derive(Debug, Clone, PartialEq)]
pub struct Described {
    pub sentence: String,
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A value on the chart's axis as Swedes write it: "38 %" (a share, `precise`: "38,2 %")
/// or "3,4" (an index level).
fn value(axis: &Axis, v: f64, precise: bool) -> String {
    if axis.percent {
        let pct = 100.0 * v;
        if precise {
            format!("{pct:.1} %").replace('.', ",")
        } else {
            format!("{pct:.0} %")
        }
    } else {
        format!("{v:.1}").replace('.', ",")
    }
}

/// A value with its interval, for the table: "38,2 % (33,1–43,5)".
fn cell(axis: &Axis, v: Option<f64>, ci: Option<(f64, f64)>) -> String {
    let Some(v) = v else {
        return "dold".into();
    };
    let mut s = value(axis, v, true);
    if let Some((lo, hi)) = ci {
        let bare = |x: f64| value(axis, x, true).trim_end_matches(" %").to_string();
        s.push_str(&format!(" ({}–{})", bare(lo), bare(hi)));
    }
    s
}

/// What one series did: from its first published year to its last, and whether the last
/// year's change from the year before is significant.
fn series_sentence(axis: &Axis, label: &str, points: &[Point]) -> Option<String> {
    let shown: Vec<&Point> = points.iter().filter(|p| p.value.is_some()).collect();
    let (first, last) = (shown.first()?, shown.last()?);
    let v = |p: &Point| value(axis, p.value.unwrap_or_default(), false);
    if first.year == last.year {
        return Some(format!("{label}: {} ({})", v(first), first.year));
    }
    let verb = match (first.value, last.value) {
        (Some(a), Some(b)) if value(axis, a, false) == value(axis, b, false) => "låg kvar på",
        (Some(a), Some(b)) if b > a => "steg från",
        _ => "sjönk från",
    };
    let mut s = if verb == "låg kvar på" {
        format!("{label} {verb} {} ({}–{})", v(last), first.year, last.year)
    } else {
        format!(
            "{label} {verb} {} ({}) till {} ({})",
            v(first),
            first.year,
            v(last),
            last.year
        )
    };
    if last.self_selected {
        // An open link's answers are whoever chose to answer: nothing to test against.
        s.push_str(&format!(
            "; {} kom svaren via en öppen länk (självselekterade), så förändringen prövas inte",
            last.year
        ));
    } else if shown.len() > 1 {
        match last.significant {
            Some(true) => s.push_str("; förändringen från året innan är säkerställd"),
            Some(false) => s.push_str("; förändringen från året innan är inte säkerställd"),
            None => {}
        }
    }
    Some(s)
}

fn years(c: &YearChart) -> Described {
    let mut parts: Vec<String> = c
        .series
        .iter()
        .take(4)
        .filter_map(|s| series_sentence(&c.axis, &s.label, &s.points))
        .collect();
    if c.series.len() > 4 {
        parts.push(format!("och {} serier till", c.series.len() - 4));
    }
    let mut sentence = format!("{}. ", c.title);
    if parts.is_empty() {
        sentence.push_str("Inga värden kan visas.");
    } else {
        sentence.push_str(&parts.join(". "));
        sentence.push('.');
    }
    for m in &c.markers {
        sentence.push_str(&format!(" Markerat: {}.", m.label));
    }
    let mut all: Vec<i32> = c
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.year))
        .collect();
    all.sort_unstable();
    all.dedup();
    let head = std::iter::once("År".to_string())
        .chain(c.series.iter().map(|s| s.label.clone()))
        .collect();
    let rows = all
        .iter()
        .map(|y| {
            std::iter::once(y.to_string())
                .chain(
                    c.series
                        .iter()
                        .map(|s| match s.points.iter().find(|p| p.year == *y) {
                            Some(p) => cell(&c.axis, p.value, p.ci),
                            None => "–".into(),
                        }),
                )
                .collect()
        })
        .collect();
    Described {
        sentence,
        head,
        rows,
    }
}

fn compare(c: &CompareChart) -> Described {
    let shown: Vec<(&String, f64)> = c
        .items
        .iter()
        .filter_map(|(label, v, _)| v.map(|v| (label, v)))
        .collect();
    let mut sentence = format!("{}. ", c.title);
    let high = shown.iter().max_by(|a, b| a.1.total_cmp(&b.1));
    let low = shown.iter().min_by(|a, b| a.1.total_cmp(&b.1));
    match (high, low) {
        (Some(h), Some(l)) if shown.len() > 1 => sentence.push_str(&format!(
            "Högst i {} ({}), lägst i {} ({}).",
            h.0,
            value(&c.axis, h.1, false),
            l.0,
            value(&c.axis, l.1, false)
        )),
        (Some(h), _) => sentence.push_str(&format!("{}: {}.", h.0, value(&c.axis, h.1, false))),
        _ => sentence.push_str("Inga värden kan visas."),
    }
    if let Some((label, v)) = &c.reference {
        sentence.push_str(&format!(" {label}: {}.", value(&c.axis, *v, false)));
    }
    let mut rows: Vec<Vec<String>> = c
        .items
        .iter()
        .map(|(label, v, ci)| vec![label.clone(), cell(&c.axis, *v, *ci)])
        .collect();
    if let Some((label, v)) = &c.reference {
        rows.push(vec![label.clone(), cell(&c.axis, Some(*v), None)]);
    }
    Described {
        sentence,
        head: vec!["Område".into(), c.axis.title.clone()],
        rows,
    }
}

/// The chart's text alternative.
pub fn describe(chart: &Chart) -> Described {
    match chart {
        Chart::Years(c) => years(c),
        Chart::Compare(c) => compare(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::model::Series;

    fn point(year: i32, value: Option<f64>, significant: bool) -> Point {
        Point {
            year,
            at: year as f64 + 0.8,
            value,
            ci: value.map(|v| (v - 0.05, v + 0.05)),
            significant: Some(significant),
            self_selected: false,
        }
    }

    #[test]
    fn a_series_is_told_from_its_first_to_its_last_year_with_its_significance() {
        let chart = YearChart {
            title: "Dålig belysning".into(),
            axis: Axis {
                title: "Andel (%)".into(),
                min: 0.0,
                max: 1.0,
                percent: true,
            },
            years: (2020, 2022),
            series: vec![Series {
                label: "Skäggetorp".into(),
                points: vec![
                    point(2020, Some(0.38), false),
                    point(2021, None, false),
                    point(2022, Some(0.212), true),
                ],
            }],
            bands: Vec::new(),
            spans: Vec::new(),
            markers: Vec::new(),
            notes: Vec::new(),
            source: String::new(),
        };
        let d = describe(&Chart::Years(chart));
        assert_eq!(
            d.sentence,
            "Dålig belysning. Skäggetorp sjönk från 38 % (2020) till 21 % (2022); förändringen från året innan är säkerställd."
        );
        assert_eq!(d.head, vec!["År", "Skäggetorp"]);
        assert_eq!(d.rows[0], vec!["2020", "38,0 % (33,0–43,0)"]);
        assert_eq!(d.rows[1], vec!["2021", "dold"]);
    }

    #[test]
    fn a_comparison_names_the_highest_and_the_lowest() {
        let chart = CompareChart {
            title: "Otrygg ute sent".into(),
            axis: Axis {
                title: "Andel (%)".into(),
                min: 0.0,
                max: 1.0,
                percent: true,
            },
            items: vec![
                ("Ryd".into(), Some(0.31), None),
                ("Berga".into(), Some(0.12), None),
                ("City".into(), None, None),
            ],
            reference: Some(("Alla områden".into(), 0.2)),
            notes: Vec::new(),
            source: String::new(),
        };
        let d = describe(&Chart::Compare(chart));
        assert_eq!(
            d.sentence,
            "Otrygg ute sent. Högst i Ryd (31 %), lägst i Berga (12 %). Alla områden: 20 %."
        );
        assert_eq!(d.rows[2], vec!["City", "dold"]);
        assert_eq!(d.rows.len(), 4);
    }
}
