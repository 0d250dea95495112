//! Chart descriptions built from the analysis tables: every number a chart shows is a value
//! of the results, measures or measure-series table.

use chrono::Datelike;

use crate::analysis::{
    Analysis, Domain, Group, IndexName, IndicatorKey, Kind, Measure, MeasureRow,
};
use crate::charts::{Axis, Band, Chart, CompareChart, Marker, Point, Series, Span, YearChart};

use super::lookup::date_x;
pub use super::lookup::{Lookup, MUNICIPALITY_NAME, Names};

fn source(years: (i32, i32), n: f64) -> String {
    format!(
        "Källa: trygg, trygghetsundersökning {}, n = {}",
        span(years),
        thousands(n)
    )
}

fn span(years: (i32, i32)) -> String {
    if years.0 == years.1 {
        years.0.to_string()
    } else {
        format!("{}–{}", years.0, years.1)
    }
}

/// 12345 → "12 345" (Swedish digit grouping).
pub fn thousands(n: f64) -> String {
    let s = format!("{}", n.round() as i64);
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push('\u{a0}');
        }
        out.push(c);
    }
    out
}

/// What one chart or table shows: an indicator (or index) of one group of respondents.
#[derive(Debug, Clone, Copy)]
pub struct Measured<'k> {
    pub group: &'k Group,
    pub key: &'k IndicatorKey,
    pub kind: Kind,
}

impl<'k> Measured<'k> {
    /// All respondents' share of a question, or level of an index.
    pub fn all(key: &'k IndicatorKey) -> Self {
        let kind = match key {
            IndicatorKey::Question(_) => Kind::Share,
            IndicatorKey::Index(_) => Kind::Index,
        };
        Measured {
            group: &Group::All,
            key,
            kind,
        }
    }
}

fn series(
    look: &Lookup,
    years: (i32, i32),
    district: &Domain,
    what: Measured,
    label: String,
) -> (Series, Vec<i32>, f64) {
    let mut points = Vec::new();
    let mut suppressed = Vec::new();
    let mut n = 0.0;
    for year in years.0..=years.1 {
        let Some(r) = look.get_in(year, district, what.group, what.key, what.kind) else {
            continue;
        };
        if r.suppressed {
            suppressed.push(year);
        }
        n += r.n.unwrap_or(0.0);
        points.push(Point {
            year,
            at: look.domain_x(year, district),
            value: r.estimate,
            ci: r.ci_low.zip(r.ci_high),
            significant: r.prev.significant,
            self_selected: r.self_selected,
        });
    }
    (Series { label, points }, suppressed, n)
}

fn y_max(series: &[Series], floor: f64) -> f64 {
    let top = series
        .iter()
        .flat_map(|s| s.points.iter())
        .filter_map(|p| p.ci.map(|c| c.1).or(p.value))
        .fold(floor, f64::max);
    ((top * 10.0).ceil() / 10.0).clamp(0.1, 1.0)
}

/// A percent axis from 0 to just above the highest interval.
fn share_axis(series: &[Series]) -> Axis {
    Axis {
        title: "Andel (%)".into(),
        min: 0.0,
        max: y_max(series, 0.1),
        percent: true,
    }
}

fn suppressed_note(label: &str, years: &[i32]) -> Option<String> {
    (!years.is_empty()).then(|| format!("{label}: dold {} (visas som lucka)", year_list(years)))
}

/// Years as a list in prose: "2019, 2021".
fn year_list(years: &[i32]) -> String {
    years
        .iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The note on the years whose answers came through an open link: self-selected, so no
/// change to or from them is tested (issue 21).
fn self_selected_note(list: &[Series]) -> Option<String> {
    let mut years: Vec<i32> = list
        .iter()
        .flat_map(|s| s.points.iter())
        .filter(|p| p.self_selected)
        .map(|p| p.year)
        .collect();
    years.sort_unstable();
    years.dedup();
    (!years.is_empty()).then(|| {
        format!(
            "Öppen länk {}: självselekterade svar, inte ett slumpmässigt urval; förändringar prövas inte.",
            year_list(&years)
        )
    })
}

/// The legend note on filled markers, with the significance level of the analysis.
fn significance_note() -> String {
    format!(
        "Fylld markering: signifikant förändring mot föregående undersökningsår (q < {}). Staplar: 95 % konfidensintervall.",
        crate::analysis::policy::sv(crate::analysis::policy::SIGNIFICANCE)
    )
}

/// The year-over-year chart of one indicator in one district, with the municipality.
pub fn trend(
    a: &Analysis,
    look: &Lookup,
    names: &Names,
    years: (i32, i32),
    district: &str,
    indicator: &str,
) -> Chart {
    let key = IndicatorKey::Question(indicator.to_string());
    let (own, own_gaps, n) = series(
        look,
        years,
        &Domain::District(district.to_string()),
        Measured::all(&key),
        (names.district)(district),
    );
    let (all, all_gaps, _) = series(
        look,
        years,
        &Domain::Municipality,
        Measured::all(&key),
        MUNICIPALITY_NAME.into(),
    );
    let mut notes = vec![significance_note()];
    notes.extend(suppressed_note(&(names.district)(district), &own_gaps));
    notes.extend(suppressed_note(MUNICIPALITY_NAME, &all_gaps));
    let list = vec![own, all];
    notes.extend(self_selected_note(&list));
    let markers = a
        .register
        .iter()
        .filter(|m| m.district == district)
        .filter(|m| (years.0..=years.1).contains(&m.start.year()))
        .map(|m| Marker {
            x: date_x(m.start),
            label: m.title.clone(),
        })
        .collect();
    Chart::Years(YearChart {
        title: format!(
            "{} – {}",
            (names.indicator)(indicator),
            (names.district)(district)
        ),
        axis: share_axis(&list),
        x_title: "År".into(),
        years,
        series: list,
        bands: Vec::new(),
        spans: Vec::new(),
        markers,
        notes,
        source: source(years, n),
    })
}

/// One indicator in one year, the districts side by side, sorted, with the municipality.
/// `label` is what is measured, as readers call it.
pub fn compare(
    look: &Lookup,
    year: i32,
    districts: &[(String, String)],
    what: Measured,
    label: &str,
) -> Chart {
    let row = |d: &Domain| look.get_in(year, d, what.group, what.key, what.kind);
    let mut items: Vec<crate::charts::Bar> = districts
        .iter()
        .filter_map(|(code, name)| {
            row(&Domain::District(code.clone()))
                .map(|r| (name.clone(), r.estimate, r.ci_low.zip(r.ci_high)))
        })
        .collect();
    items.sort_by(|a, b| {
        b.1.unwrap_or(-1.0)
            .total_cmp(&a.1.unwrap_or(-1.0))
            .then(a.0.cmp(&b.0))
    });
    let n: f64 = districts
        .iter()
        .filter_map(|(code, _)| row(&Domain::District(code.clone())))
        .filter_map(|r| r.n)
        .sum();
    let axis = if what.kind == Kind::Index {
        index_axis()
    } else {
        let top = items
            .iter()
            .filter_map(|i| i.2.map(|c| c.1).or(i.1))
            .fold(0.1, f64::max);
        Axis {
            title: "Andel (%)".into(),
            min: 0.0,
            max: ((top * 10.0).ceil() / 10.0).min(1.0),
            percent: true,
        }
    };
    Chart::Compare(CompareChart {
        title: format!("{label} – områdena {year}"),
        axis,
        items,
        reference: row(&Domain::Municipality)
            .and_then(|r| r.estimate)
            .map(|v| (MUNICIPALITY_NAME.to_string(), v)),
        notes: vec!["Staplar: 95 % konfidensintervall. Sorterat från högst till lägst.".into()],
        source: source((year, year), n),
    })
}

/// The index scale 0–6.
fn index_axis() -> Axis {
    Axis {
        title: "Indexnivå (0–6)".into(),
        min: 0.0,
        max: 6.0,
        percent: false,
    }
}

/// The index classes as background bands.
fn index_bands() -> Vec<Band> {
    vec![
        Band {
            from: 0.0,
            to: crate::analysis::policy::INDEX_LOW_MAX,
            label: "låg".into(),
        },
        Band {
            from: crate::analysis::policy::INDEX_LOW_MAX,
            to: crate::analysis::policy::INDEX_RAISED_MAX,
            label: "förhöjd".into(),
        },
        Band {
            from: crate::analysis::policy::INDEX_RAISED_MAX,
            to: 6.0,
            label: "hög".into(),
        },
    ]
}

/// Any indicator or index of any group, in the chosen districts (and the municipality)
/// over the years, with the start of their measures: the explorer's chart.
pub fn explore(
    a: &Analysis,
    look: &Lookup,
    names: &Names,
    years: (i32, i32),
    domains: &[Domain],
    what: Measured,
    label: &str,
) -> Chart {
    let mut notes = vec![significance_note()];
    let mut list = Vec::new();
    let mut n = 0.0;
    for d in domains {
        let (s, gaps, m) = series(look, years, d, what, names.domain(d));
        notes.extend(suppressed_note(&names.domain(d), &gaps));
        n += m;
        list.push(s);
    }
    notes.extend(self_selected_note(&list));
    let markers = a
        .register
        .iter()
        .filter(|m| domains.contains(&Domain::District(m.district.clone())))
        .filter(|m| (years.0..=years.1).contains(&m.start.year()))
        .map(|m| Marker {
            x: date_x(m.start),
            label: m.title.clone(),
        })
        .collect();
    let (axis, bands) = if what.kind == Kind::Index {
        (index_axis(), index_bands())
    } else {
        (share_axis(&list), Vec::new())
    };
    Chart::Years(YearChart {
        title: label.to_string(),
        axis,
        x_title: "År".into(),
        years,
        series: list,
        bands,
        spans: Vec::new(),
        markers,
        notes,
        source: source(years, n),
    })
}

/// Index levels of one block per district over the years, with the class bands.
pub fn index(
    look: &Lookup,
    names: &Names,
    years: (i32, i32),
    districts: &[String],
    block: &IndexName,
    title: &str,
) -> Chart {
    let indicator = IndicatorKey::Index(block.clone());
    let mut list = Vec::new();
    let mut notes = vec![
        "Index 0–6: medelvärdet av indikatorernas nivåer (trygg:s indexmodell, se metodavsnittet)."
            .to_string(),
    ];
    for d in districts {
        let (s, gaps, _) = series(
            look,
            years,
            &Domain::District(d.clone()),
            Measured::all(&indicator),
            (names.district)(d),
        );
        notes.extend(suppressed_note(&(names.district)(d), &gaps));
        list.push(s);
    }
    notes.extend(self_selected_note(&list));
    Chart::Years(YearChart {
        title: format!("{title} per område"),
        axis: index_axis(),
        x_title: "År".into(),
        years,
        series: list,
        bands: index_bands(),
        spans: Vec::new(),
        markers: Vec::new(),
        notes,
        source: format!("Källa: trygg, trygghetsundersökning {}", span(years)),
    })
}

/// A measure's district and pooled comparison over the years, with its DiD in the caption.
pub fn measure(
    a: &Analysis,
    look: &Lookup,
    names: &Names,
    years: (i32, i32),
    id: &str,
    indicator: &str,
) -> Option<Chart> {
    let m = a.register.iter().find(|m| m.id == id)?;
    let row = a
        .measures
        .iter()
        .find(|r| r.measure == id && r.indicator == indicator)?;
    let (own, gaps, n) = series(
        look,
        years,
        &Domain::District(m.district.clone()),
        Measured::all(&IndicatorKey::Question(indicator.to_string())),
        (names.district)(&m.district),
    );
    let cmp = comparison_series(a, look, names, row);
    let mut notes = vec![did_caption(row)];
    notes.extend(suppressed_note(&(names.district)(&m.district), &gaps));
    let list = vec![own, cmp];
    notes.extend(self_selected_note(&list));
    Some(Chart::Years(YearChart {
        title: format!("{}: {}", m.title, (names.indicator)(indicator)),
        axis: share_axis(&list),
        x_title: "År".into(),
        years,
        series: list,
        bands: Vec::new(),
        spans: before_and_after(m),
        markers: vec![Marker {
            x: date_x(m.start),
            label: format!("Start {}", m.start),
        }],
        notes,
        source: source(years, n),
    }))
}

/// The pooled comparison districts of a measure row over the years.
fn comparison_series(a: &Analysis, look: &Lookup, names: &Names, row: &MeasureRow) -> Series {
    let cmp_label = format!(
        "Jämförelse: {}",
        row.comparison
            .split('+')
            .map(|d| (names.district)(d))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Series {
        label: cmp_label,
        points: a
            .measure_series
            .iter()
            .filter(|s| s.measure == row.measure && s.indicator == row.indicator)
            .map(|s| Point {
                year: s.year,
                at: look.fieldwork_x(s.year, s.comparison.split('+')),
                value: s.estimate,
                ci: s.ci_low.zip(s.ci_high),
                significant: None,
                self_selected: false,
            })
            .collect(),
    }
}

/// The caption of a measure chart: the difference-in-differences with its interval, p and q,
/// or that there were too few answers.
pub fn did_caption(row: &MeasureRow) -> String {
    match (row.did, row.ci_low, row.ci_high, row.p, row.q) {
        (Some(did), Some(lo), Some(hi), Some(p), Some(q)) => format!(
            "Skillnad-i-skillnader {}–{}: {} procentenheter (95 % KI {} till {}), {}, {} ({}{}). Förutsätter parallella trender.",
            row.before_year,
            row.after_year,
            signed_points(did),
            signed_points(lo),
            signed_points(hi),
            stated("p", p),
            stated("q", q),
            if row.target {
                "målindikator"
            } else {
                "utforskande"
            },
            if row.significant == Some(true) {
                ", säkerställd"
            } else {
                ""
            }
        ),
        _ if row.self_selected && row.did.is_some() => format!(
            "Skillnad-i-skillnader {}–{}: {} procentenheter. Svar via öppen länk (självselekterade) ingår, så skillnaden prövas inte.",
            row.before_year,
            row.after_year,
            signed_points(row.did.unwrap_or_default())
        ),
        _ => format!(
            "Skillnad-i-skillnader {}–{}: för få svar.",
            row.before_year, row.after_year
        ),
    }
}

/// Before the start, and after it (with the measure's lag) shaded: the periods the
/// evaluation compares.
fn before_and_after(m: &Measure) -> Vec<Span> {
    vec![
        Span {
            from: f64::NEG_INFINITY,
            to: date_x(m.start),
            label: "Före".into(),
            shaded: false,
        },
        Span {
            from: date_x(m.after_from()),
            to: f64::INFINITY,
            label: "Efter".into(),
            shaded: true,
        },
    ]
}

/// A share difference in percentage points with a sign: "−4,2".
pub fn signed_points(d: f64) -> String {
    let s = format!("{:.1}", d * 100.0).replace('.', ",");
    if d < 0.0 {
        s.replace('-', "−")
    } else {
        format!("+{s}")
    }
}

/// A p- or q-value in a sentence, as Swedes write it: "p < 0,001" or "q = 0,034".
pub fn stated(name: &str, p: f64) -> String {
    let v = p_value(p);
    if v.starts_with('<') {
        format!("{name} {v}")
    } else {
        format!("{name} = {v}")
    }
}

/// A p-value as it is printed: "< 0,001" or "0,034".
pub fn p_value(p: f64) -> String {
    if p < 0.001 {
        "< 0,001".into()
    } else {
        format!("{p:.3}").replace('.', ",")
    }
}

/// The questionnaire's index blocks and the total index, with their Swedish names.
pub fn index_blocks(q: &crate::questionnaire::Questionnaire) -> Vec<(IndexName, String)> {
    q.indices
        .iter()
        .map(|b| {
            (
                IndexName::Block(b.code.clone()),
                b.name.get("sv").to_string(),
            )
        })
        .chain(std::iter::once((
            IndexName::Total,
            "Totalindex".to_string(),
        )))
        .collect()
}
