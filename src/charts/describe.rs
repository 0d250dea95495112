//! A chart in words and as a table, made from the same data it is drawn from: the text
//! alternative every page shows with a chart — one or two sentences saying what it shows,
//! and its numbers — so a reader who cannot see the drawing (a screen reader, a printout
//! in grey, a phone) gets the same facts. Swedish, as the charts are, or in the words a
//! caller gives ([`Words`]: the residents' results pages say it in their language).

use super::model::{Axis, Chart, CompareChart, Point, YearChart};

/// A chart's text alternative: sentences, and its data as a table (header, then rows).
#[derive(Debug, Clone, PartialEq)]
pub struct Described {
    pub sentence: String,
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// The words a year chart is told in. Templates fill `{label}`, `{from}`, `{to}`,
/// `{value}`, `{first}`, `{last}`, `{year}`, `{n}`.
#[derive(Debug, Clone)]
pub struct Words<'a> {
    /// The table's first column.
    pub year: &'a str,
    /// A hidden cell of the table.
    pub hidden: &'a str,
    pub rose: &'a str,
    pub fell: &'a str,
    pub stayed: &'a str,
    pub open_link: &'a str,
    pub significant: &'a str,
    pub not_significant: &'a str,
    pub nothing: &'a str,
    pub marked: &'a str,
    pub more: &'a str,
    /// A share: `{n}` is the number of percent.
    pub percent: &'a str,
    pub decimal: &'a str,
}

/// The Swedish words every chart of the report and the staff pages is told in.
pub const SV: Words<'static> = Words {
    year: "År",
    hidden: "dold",
    rose: "{label} steg från {from} ({first}) till {to} ({last})",
    fell: "{label} sjönk från {from} ({first}) till {to} ({last})",
    stayed: "{label} låg kvar på {value} ({first}–{last})",
    open_link: "; {year} kom svaren via en öppen länk (självselekterade), så förändringen prövas inte",
    significant: "; förändringen från året innan är säkerställd",
    not_significant: "; förändringen från året innan är inte säkerställd",
    nothing: "Inga värden kan visas.",
    marked: " Markerat: {label}.",
    more: "och {n} serier till",
    percent: "{n} %",
    decimal: ",",
};

fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut s = template.to_string();
    for (k, v) in args {
        s = s.replace(&format!("{{{k}}}"), v);
    }
    s
}

/// A value on the chart's axis as Swedes write it: "38 %" (a share, `precise`: "38,2 %")
/// or "3,4" (an index level).
fn value(w: &Words, axis: &Axis, v: f64, precise: bool) -> String {
    if axis.percent {
        let pct = 100.0 * v;
        let n = if precise {
            format!("{pct:.1}").replace('.', w.decimal)
        } else {
            format!("{pct:.0}")
        };
        fill(w.percent, &[("n", &n)])
    } else {
        format!("{v:.1}").replace('.', w.decimal)
    }
}

/// A value with its interval, for the table: "38,2 % (33,1–43,5)".
fn cell(w: &Words, axis: &Axis, v: Option<f64>, ci: Option<(f64, f64)>) -> String {
    let Some(v) = v else {
        return w.hidden.into();
    };
    let mut s = value(w, axis, v, true);
    if let Some((lo, hi)) = ci {
        let bare = |x: f64| {
            let pct = 100.0 * x;
            if axis.percent {
                format!("{pct:.1}").replace('.', w.decimal)
            } else {
                format!("{x:.1}").replace('.', w.decimal)
            }
        };
        s.push_str(&format!(" ({}–{})", bare(lo), bare(hi)));
    }
    s
}

/// What one series did: from its first published year to its last, and whether the last
/// year's change from the year before is significant.
fn series_sentence(w: &Words, axis: &Axis, label: &str, points: &[Point]) -> Option<String> {
    let shown: Vec<&Point> = points.iter().filter(|p| p.value.is_some()).collect();
    let (first, last) = (shown.first()?, shown.last()?);
    let v = |p: &Point| value(w, axis, p.value.unwrap_or_default(), false);
    if first.year == last.year {
        return Some(format!("{label}: {} ({})", v(first), first.year));
    }
    let (y1, y2) = (first.year.to_string(), last.year.to_string());
    let template = match (first.value, last.value) {
        (Some(a), Some(b)) if value(w, axis, a, false) == value(w, axis, b, false) => w.stayed,
        (Some(a), Some(b)) if b > a => w.rose,
        _ => w.fell,
    };
    let args = [
        ("label", label),
        ("from", &v(first)),
        ("to", &v(last)),
        ("value", &v(last)),
        ("first", &y1),
        ("last", &y2),
    ];
    let mut s = fill(template, &args);
    if last.self_selected {
        // An open link's answers are whoever chose to answer: nothing to test against.
        s.push_str(&fill(w.open_link, &[("year", &y2)]));
    } else if shown.len() > 1 {
        match last.significant {
            Some(true) => s.push_str(w.significant),
            Some(false) => s.push_str(w.not_significant),
            None => {}
        }
    }
    Some(s)
}

fn years(w: &Words, c: &YearChart) -> Described {
    let mut parts: Vec<String> = c
        .series
        .iter()
        .take(4)
        .filter_map(|s| series_sentence(w, &c.axis, &s.label, &s.points))
        .collect();
    if c.series.len() > 4 {
        parts.push(fill(w.more, &[("n", &(c.series.len() - 4).to_string())]));
    }
    let mut sentence = format!("{}. ", c.title);
    if parts.is_empty() {
        sentence.push_str(w.nothing);
    } else {
        sentence.push_str(&parts.join(". "));
        sentence.push('.');
    }
    for m in &c.markers {
        sentence.push_str(&fill(w.marked, &[("label", &m.label)]));
    }
    let mut all: Vec<i32> = c
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.year))
        .collect();
    all.sort_unstable();
    all.dedup();
    let head = std::iter::once(w.year.to_string())
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
                            Some(p) => cell(w, &c.axis, p.value, p.ci),
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
            value(&SV, &c.axis, h.1, false),
            l.0,
            value(&SV, &c.axis, l.1, false)
        )),
        (Some(h), _) => {
            sentence.push_str(&format!("{}: {}.", h.0, value(&SV, &c.axis, h.1, false)))
        }
        _ => sentence.push_str("Inga värden kan visas."),
    }
    if let Some((label, v)) = &c.reference {
        sentence.push_str(&format!(" {label}: {}.", value(&SV, &c.axis, *v, false)));
    }
    let mut rows: Vec<Vec<String>> = c
        .items
        .iter()
        .map(|(label, v, ci)| vec![label.clone(), cell(&SV, &c.axis, *v, *ci)])
        .collect();
    if let Some((label, v)) = &c.reference {
        rows.push(vec![label.clone(), cell(&SV, &c.axis, Some(*v), None)]);
    }
    Described {
        sentence,
        head: vec!["Område".into(), c.axis.title.clone()],
        rows,
    }
}

/// The chart's text alternative.
pub fn describe(chart: &Chart) -> Described {
    describe_in(chart, &SV)
}

/// The chart's text alternative in other words than Swedish (a year chart; a comparison is
/// always told in Swedish).
pub fn describe_in(chart: &Chart, words: &Words) -> Described {
    match chart {
        Chart::Years(c) => years(words, c),
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
            x_title: "År".into(),
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

    #[test]
    fn a_year_chart_is_told_in_the_words_given() {
        let chart = YearChart {
            title: "Poor lighting".into(),
            axis: Axis {
                title: "Share (%)".into(),
                min: 0.0,
                max: 1.0,
                percent: true,
            },
            x_title: "Year".into(),
            years: (2020, 2022),
            series: vec![Series {
                label: "Skäggetorp".into(),
                points: vec![
                    point(2020, Some(0.38), false),
                    point(2022, Some(0.212), false),
                ],
            }],
            bands: Vec::new(),
            spans: Vec::new(),
            markers: Vec::new(),
            notes: Vec::new(),
            source: String::new(),
        };
        let en = Words {
            year: "Year",
            hidden: "too few answers",
            rose: "{label}: from {from} ({first}) to {to} ({last}), higher",
            fell: "{label}: from {from} ({first}) to {to} ({last}), lower",
            percent: "{n}%",
            decimal: ".",
            not_significant: "; not certain",
            ..SV
        };
        let d = describe_in(&Chart::Years(chart), &en);
        assert_eq!(
            d.sentence,
            "Poor lighting. Skäggetorp: from 38% (2020) to 21% (2022), lower; not certain."
        );
        assert_eq!(d.head, vec!["Year", "Skäggetorp"]);
        assert_eq!(d.rows[1], vec!["2022", "21.2% (16.2–26.2)"]);
    }
}
