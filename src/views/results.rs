//! The residents' results pages: the districts with results of the latest closed year, and
//! a district's key indicators — the steering group's own (`report::district::
//! key_indicators`) — this year against the previous and the first survey, each as plain
//! sentences and a small chart with its text alternative, then "You said – we did": the
//! district's measures and what the survey saw. Every figure is a row of the analysis'
//! results or measures table; a hidden row gives its reason, never a number. All texts come
//! from the page catalogue, the questionnaire's labels and the districts file.

use maud::{Markup, PreEscaped, html};

use super::layout::layout;
use crate::analysis::results::Comparison;
use crate::analysis::{
    Analysis, Domain, IndexName, IndicatorKey, Kind, MeasureRow, ResultRow, Suppression,
};
use crate::charts::{self, Chart, Words};
use crate::i18n::Lang;
use crate::questionnaire::District;
use crate::report::district::key_indicators;
use crate::report::figures::{Lookup, Measured, Names, explore};

/// What a district's results page is made from.
pub struct DistrictResults<'a> {
    pub a: &'a Analysis,
    /// The latest closed year: the analysis holds no later one.
    pub year: i32,
    pub district: &'a District,
    /// Whether the district has answers in `year`.
    pub has_results: bool,
}

/// The page when no year has closed yet.
pub fn none_page(lang: &Lang) -> Markup {
    layout(
        lang,
        lang.t("results_title"),
        "/resultat",
        &[],
        html! {
            h1 { (lang.t("results_title")) }
            p.notice { (lang.t("results_none")) }
            p { a href={ "/?lang=" (lang.code()) } { (lang.t("back_home")) } }
        },
    )
}

/// The districts with results of `year`, each a link to its page.
pub fn index_page(lang: &Lang, year: i32, districts: &[District]) -> Markup {
    let l = lang.code();
    layout(
        lang,
        lang.t("results_title"),
        "/resultat",
        &[],
        html! {
            h1 { (lang.t("results_title")) }
            p { (lang.tf("results_intro", &[("year", &year.to_string())])) }
            @if districts.is_empty() {
                p.notice { (lang.t("results_none")) }
            } @else {
                ul.waves {
                    @for d in districts {
                        li { a href={ "/resultat/" (d.code) "?lang=" (l) } { (d.name.get(l)) } }
                    }
                }
            }
            p { a href={ "/?lang=" (l) } { (lang.t("back_home")) } }
        },
    )
}

/// What every part of a district's page reads.
struct Ctx<'a> {
    lang: &'a Lang,
    a: &'a Analysis,
    look: Lookup<'a>,
    year: i32,
    first: i32,
    district: &'a District,
    domain: Domain,
}

/// A district's results page.
pub fn district_page(lang: &Lang, r: &DistrictResults) -> Markup {
    let l = lang.code();
    let name = r.district.name.get(l);
    let c = Ctx {
        lang,
        a: r.a,
        look: Lookup::new(r.a),
        year: r.year,
        first: r.a.waves.iter().map(|w| w.year).min().unwrap_or(r.year),
        district: r.district,
        domain: Domain::District(r.district.code.clone()),
    };
    let year = r.year.to_string();
    let title = lang.tf(
        "results_district_title",
        &[("district", name), ("year", &year)],
    );
    let open_link =
        r.a.results
            .iter()
            .any(|x| x.year == r.year && x.district == c.domain && x.self_selected);
    layout(
        lang,
        &title,
        &format!("/resultat/{}", r.district.code),
        &[],
        html! {
            p { a href={ "/resultat?lang=" (l) } { (lang.t("results_all_districts")) } }
            h1 { (title) }
            @if !r.has_results {
                p.notice { (lang.tf("results_no_answers", &[("district", name), ("year", &year)])) }
            } @else {
                p { (lang.tf("results_district_intro", &[("year", &year)])) }
                @if open_link { p.notice { (lang.tf("results_open_link_caveat", &[("year", &year)])) } }
                section aria-labelledby="nyckeltal" {
                    h2 #nyckeltal { (lang.t("results_key_heading")) }
                    @for key in key_indicators(r.a, &r.district.code) {
                        (indicator(&c, &key))
                    }
                }
            }
            (measures(&c))
            p { a href={ "/?lang=" (l) } { (lang.t("back_home")) } }
        },
    )
}

/// An indicator's name in the page's language: the questionnaire's label, an index
/// block's name, or the total index.
fn label(c: &Ctx, key: &IndicatorKey) -> String {
    let l = c.lang.code();
    let q = &c.a.questionnaire;
    match key {
        IndicatorKey::Question(code) => q
            .question(code)
            .and_then(|q| q.indicator.as_ref())
            .map_or_else(|| code.clone(), |i| i.label.get(l).to_string()),
        IndicatorKey::Index(IndexName::Block(b)) => q
            .indices
            .iter()
            .find(|i| &i.code == b)
            .map_or_else(|| b.clone(), |i| i.name.get(l).to_string()),
        IndicatorKey::Index(IndexName::Total) => c.lang.t("results_total_index").to_string(),
    }
}

fn kind_of(key: &IndicatorKey) -> Kind {
    match key {
        IndicatorKey::Question(_) => Kind::Share,
        IndicatorKey::Index(_) => Kind::Index,
    }
}

/// A published value as the page's language writes it: "58 %" or "index 3,4".
fn value(lang: &Lang, kind: Kind, v: f64) -> String {
    if kind == Kind::Index {
        let n = format!("{v:.1}").replace('.', lang.t("results_decimal"));
        lang.tf("results_index_value", &[("n", &n)])
    } else {
        lang.tf("results_percent", &[("n", &format!("{:.0}", v * 100.0))])
    }
}

/// The options an indicator counts, quoted and joined: “A fairly big problem” or “A very
/// big problem”.
fn answers(c: &Ctx, code: &str) -> String {
    let l = c.lang.code();
    let Some(q) = c.a.questionnaire.question(code) else {
        return String::new();
    };
    let counted: Vec<String> = q
        .indicator
        .iter()
        .flat_map(|i| i.counts.iter())
        .filter_map(|o| q.option(o))
        .map(|o| c.lang.tf("results_quoted", &[("text", o.text.get(l))]))
        .collect();
    counted.join(c.lang.t("results_or"))
}

/// Why a row is hidden, for its year, in words.
fn hidden(lang: &Lang, r: &ResultRow, key: &str) -> String {
    let reason = match r.suppression {
        Some(Suppression::ProtectsOther) => lang.t("results_protects_other"),
        _ => lang.t("results_too_few"),
    };
    lang.tf(key, &[("year", &r.year.to_string()), ("reason", reason)])
}

/// One key indicator: its sentences and its chart.
fn indicator(c: &Ctx, key: &IndicatorKey) -> Markup {
    let kind = kind_of(key);
    let name = label(c, key);
    let now = c.look.get(c.year, &c.domain, key, kind);
    let mut said = vec![match now {
        None => c
            .lang
            .tf("results_no_value", &[("year", &c.year.to_string())]),
        Some(r) if r.suppressed => hidden(c.lang, r, "results_now_hidden"),
        Some(r) => now_sentence(c, key, r),
    }];
    if let Some(r) = now {
        said.extend(earlier(c, key, r));
    }
    html! {
        div.indicator {
            h3 { (name) }
            @for s in &said { p { (s) } }
            (chart(c, key, &name))
        }
    }
}

fn now_sentence(c: &Ctx, key: &IndicatorKey, r: &ResultRow) -> String {
    let year = c.year.to_string();
    let v = value(c.lang, r.kind, r.estimate.unwrap_or_default());
    match key {
        IndicatorKey::Question(code) => c.lang.tf(
            "results_share_now",
            &[
                ("year", &year),
                ("value", &v),
                ("answers", &answers(c, code)),
            ],
        ),
        IndicatorKey::Index(_) => c
            .lang
            .tf("results_index_now", &[("year", &year), ("value", &v)]),
    }
}

/// The previous and the first survey's values, and whether the change from each is certain.
fn earlier(c: &Ctx, key: &IndicatorKey, now: &ResultRow) -> Vec<String> {
    let mut out = Vec::new();
    let picks: [(&Comparison, &str, &str); 2] = [
        (&now.prev, "results_prev_value", "results_prev_hidden"),
        (&now.base, "results_first_value", "results_first_hidden"),
    ];
    let mut seen = Vec::new();
    for (cmp, shown, gone) in picks {
        let Some(y) = cmp.year.filter(|y| *y < c.year && !seen.contains(y)) else {
            continue;
        };
        seen.push(y);
        let Some(then) = c.look.get(y, &c.domain, key, now.kind) else {
            continue;
        };
        if then.suppressed {
            out.push(hidden(c.lang, then, gone));
            continue;
        }
        let v = value(c.lang, then.kind, then.estimate.unwrap_or_default());
        out.push(c.lang.tf(shown, &[("year", &y.to_string()), ("value", &v)]));
        if !now.suppressed && now.kind != Kind::Index {
            out.extend(verdict(c.lang, cmp, y));
        }
    }
    // An index has no estimated uncertainty: its changes are never tested, said once.
    if now.kind == Kind::Index && !now.suppressed && !out.is_empty() {
        out.push(c.lang.t("results_index_untested").to_string());
    }
    out
}

/// Whether a change is certain, in words: lower or higher only when the analysis calls it
/// significant; an open link's years get a caveat instead of a verdict.
fn verdict(lang: &Lang, cmp: &Comparison, year: i32) -> Option<String> {
    let diff = cmp.diff?;
    let key = if cmp.self_selected {
        "results_change_open_link"
    } else {
        match cmp.significant {
            Some(true) if diff < 0.0 => "results_change_lower",
            Some(true) => "results_change_higher",
            Some(false) => "results_change_unsure",
            None => "results_change_untested",
        }
    };
    Some(lang.tf(key, &[("year", &year.to_string())]))
}

/// The words the chart's text alternative is told in.
fn words(lang: &Lang) -> Words<'static> {
    Words {
        year: lang.t("results_alt_year"),
        hidden: lang.t("results_alt_hidden"),
        rose: lang.t("results_alt_rose"),
        fell: lang.t("results_alt_fell"),
        stayed: lang.t("results_alt_stayed"),
        open_link: lang.t("results_alt_open_link"),
        significant: lang.t("results_alt_significant"),
        not_significant: lang.t("results_alt_not_significant"),
        nothing: lang.t("results_alt_nothing"),
        marked: lang.t("results_alt_marked"),
        more: lang.t("results_alt_more"),
        percent: lang.t("results_percent"),
        decimal: lang.t("results_decimal"),
    }
}

/// The year chart of the report (`report::figures::explore`) for the district alone, with
/// its words in the page's language.
fn year_chart(c: &Ctx, key: &IndicatorKey, name: &str) -> Option<charts::YearChart> {
    let l = c.lang.code();
    let district = |_: &str| c.district.name.get(l).to_string();
    let indicator = |code: &str| label(c, &IndicatorKey::Question(code.to_string()));
    let names = Names {
        district: &district,
        indicator: &indicator,
    };
    let what = Measured::all(key);
    let years = (c.first, c.year);
    let title = format!("{name} – {}", c.district.name.get(l));
    let chart = explore(
        c.a,
        &c.look,
        &names,
        years,
        std::slice::from_ref(&c.domain),
        what,
        &title,
    );
    let Chart::Years(mut y) = chart else {
        return None;
    };
    let index = what.kind == Kind::Index;
    y.x_title = c.lang.t("results_alt_year").into();
    y.axis.title = c
        .lang
        .t(if index {
            "results_axis_index"
        } else {
            "results_axis_share"
        })
        .into();
    let classes = [
        "results_class_low",
        "results_class_raised",
        "results_class_high",
    ];
    for (b, k) in y.bands.iter_mut().zip(classes) {
        b.label = c.lang.t(k).into();
    }
    for m in &mut y.markers {
        m.label = c.lang.t("results_chart_marker").into();
    }
    let gaps: Vec<String> = y
        .series
        .iter()
        .flat_map(|s| s.points.iter())
        .filter(|p| p.value.is_none())
        .map(|p| p.year.to_string())
        .collect();
    y.notes = vec![c.lang.t("results_chart_note").into()];
    if !gaps.is_empty() {
        y.notes.push(
            c.lang
                .tf("results_chart_gap", &[("years", &gaps.join(", "))]),
        );
    }
    let span = format!("{}–{}", years.0, years.1);
    y.source = c.lang.tf("results_chart_source", &[("years", &span)]);
    Some(y)
}

/// A small chart of the indicator over the years, drawn inline, in a labelled region that
/// scrolls sideways on a narrow screen, with its text alternative and its numbers.
fn chart(c: &Ctx, key: &IndicatorKey, name: &str) -> Markup {
    let Some(y) = year_chart(c, key, name) else {
        return html! {};
    };
    let chart = Chart::Years(y);
    let Ok(svg) = charts::svg(&chart) else {
        return html! {};
    };
    let alt = charts::describe_in(&chart, &words(c.lang));
    let region = c.lang.tf("results_chart_region", &[("title", name)]);
    let numbers = c.lang.tf("results_chart_numbers", &[("title", name)]);
    html! {
        figure.chart {
            div.chart-scroll tabindex="0" role="region" aria-label=(region) {
                // Trusted: plotters' own SVG, in which every text is escaped. Laid out left
                // to right in every language, as it was drawn.
                div dir="ltr" aria-hidden="true" { (PreEscaped(svg)) }
            }
            figcaption { (alt.sentence) }
            details {
                summary { (c.lang.t("results_chart_numbers_summary")) }
                div.table-scroll tabindex="0" role="region" aria-label=(numbers) {
                    table {
                        thead { tr { @for h in &alt.head { th scope="col" { (h) } } } }
                        tbody { @for row in &alt.rows { tr { @for (i, v) in row.iter().enumerate() { @if i == 0 { th scope="row" { (v) } } @else { td { (v) } } } } } }
                    }
                }
            }
        }
    }
}

/// "You said – we did": the district's measures, when each started, and what the survey
/// saw of its target indicators.
fn measures(c: &Ctx) -> Markup {
    let l = c.lang.code();
    let list: Vec<_> =
        c.a.register
            .iter()
            .filter(|m| m.district == c.district.code)
            .collect();
    let sv = (l != "sv").then_some("sv");
    html! {
        section aria-labelledby="atgarder" {
            h2 #atgarder { (c.lang.t("results_measures_heading")) }
            @if list.is_empty() {
                p { (c.lang.t("results_measures_none")) }
            } @else {
                p { (c.lang.t("results_measures_intro")) }
                @for m in list {
                    @let rows: Vec<&MeasureRow> = c.a.measures.iter()
                        .filter(|r| r.measure == m.id && r.target && r.after_year <= c.year)
                        .collect();
                    div.measure {
                        h3 lang=[sv] { (m.title) }
                        p { (c.lang.tf("results_measure_started", &[("date", &m.start.to_string())])) }
                        @if rows.is_empty() {
                            p { (c.lang.t("results_measure_not_yet")) }
                        } @else {
                            ul { @for r in rows { li { (measure_sentence(c, r)) } } }
                        }
                    }
                }
                p.muted { (c.lang.t("results_measure_caveat")) }
            }
        }
    }
}

/// What the survey saw of one target indicator of a measure, in a plain sentence: the
/// difference-in-differences verdict of the analysis, an effect only when significant.
fn measure_sentence(c: &Ctx, r: &MeasureRow) -> String {
    let name = label(c, &IndicatorKey::Question(r.indicator.clone()));
    let key = if r.suppressed {
        "results_measure_hidden"
    } else if r.self_selected {
        "results_measure_open_link"
    } else {
        match (r.did, r.significant) {
            (Some(d), Some(true)) if d < 0.0 => "results_measure_lower",
            (Some(_), Some(true)) => "results_measure_higher",
            (Some(_), Some(false)) => "results_measure_unsure",
            _ => "results_measure_untested",
        }
    };
    c.lang.tf(
        key,
        &[
            ("label", &name),
            ("before", &r.before_year.to_string()),
            ("after", &r.after_year.to_string()),
        ],
    )
}
