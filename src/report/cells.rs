//! The report's cells and boxes: a share with its interval, an index level, a change with
//! its verdict, a table in a labelled scroll region and a chart with its text alternative —
//! the pieces the main page and the district pages are both built from.

use std::collections::BTreeMap;

use maud::{Markup, PreEscaped, html};

use super::figures::signed_points;
use crate::analysis::ResultRow;

pub(super) fn pct(v: f64) -> String {
    format!("{:.0} %", v * 100.0)
}

pub(super) fn one_decimal(v: f64) -> String {
    format!("{v:.1}").replace('.', ",")
}

/// A share with its interval, or why it is hidden.
pub(super) fn share_cell(r: Option<&ResultRow>) -> Markup {
    match r {
        None => html! { td.num { "–" } },
        Some(r) if r.suppressed => html! { td.supp { (r.hidden_text()) } },
        Some(r) => html! {
            td.num {
                (pct(r.estimate.unwrap_or(0.0)))
                @if let (Some(lo), Some(hi)) = (r.ci_low, r.ci_high) {
                    " " span.muted { "(" (format!("{:.0}–{:.0}", lo * 100.0, hi * 100.0)) ")" }
                }
            }
        },
    }
}

pub(super) fn index_cell(r: Option<&ResultRow>) -> Markup {
    match r {
        None => html! { td.num { "–" } },
        Some(r) if r.suppressed => html! { td.supp { (r.hidden_text()) } },
        Some(r) => {
            html! { td.num { (one_decimal(r.estimate.unwrap_or(0.0))) " " span.muted { (r.class.map(|c| c.sv()).unwrap_or("")) } } }
        }
    }
}

pub(super) fn change_cell(r: Option<&ResultRow>) -> Markup {
    match r.and_then(|r| r.prev.diff.map(|d| (d, r))) {
        Some((d, r)) if r.prev.self_selected => {
            html! { td.num { (signed_points(d)) " " span.muted { "ej prövad" } } }
        }
        Some((d, r)) => {
            let sig = r.prev.significant == Some(true);
            html! { td.num.sig[sig] { (signed_points(d)) @if sig { " *" } } }
        }
        None => html! { td.num { "–" } },
    }
}

/// A table in a box of its own that scrolls sideways on a narrow screen, reachable and named
/// for keyboard and screen-reader users.
pub(super) fn scroll(label: &str, table: Markup) -> Markup {
    html! { div.table-scroll tabindex="0" role="region" aria-label=(label) { (table) } }
}

/// Each chart's SVG and its text alternative, by name.
pub type Drawn = BTreeMap<String, (String, crate::charts::Described)>;

/// A report chart by name: its SVG file, loaded only when scrolled near (the report's page
/// stays small however many charts it has), with its text alternative.
pub(super) fn figure(svgs: &Drawn, name: &str) -> Markup {
    match svgs.get(name) {
        Some((_, alt)) => chart_figure(
            Drawing::File {
                src: format!("charts/{name}.svg"),
            },
            alt,
        ),
        None => html! {},
    }
}

/// How a chart's drawing reaches the page.
pub enum Drawing<'a> {
    /// The SVG text itself, inline (the server's pages, drawn per request).
    Inline(&'a str),
    /// An SVG file beside the page, loaded lazily (the report).
    File { src: String },
}

/// A chart with its text alternative: the drawing (decorative for screen readers, which
/// read the caption instead) at no less than its drawn width — so its smallest text stays
/// at least 12 CSS px — in a box that scrolls sideways on a narrow screen and a keyboard
/// reaches; a caption that says what it shows; and its numbers as a table a click away. The
/// report, the district pages, the explorer and the measure pages show charts this way.
pub fn chart_figure(drawing: Drawing, alt: &crate::charts::Described) -> Markup {
    let (width, height) = crate::charts::SIZE;
    let title = alt.sentence.split(". ").next().unwrap_or_default();
    html! {
        figure.chart {
            div.chart-scroll tabindex="0" role="region" aria-label={ "Diagram: " (title) } {
                @match drawing {
                    // Trusted: plotters' own SVG, in which every text is escaped.
                    Drawing::Inline(svg) => div aria-hidden="true" { (PreEscaped(svg)) },
                    Drawing::File { src } => img src=(src) alt="" loading="lazy" width=(width) height=(height);
                }
            }
            figcaption { (alt.sentence) }
            details {
                summary { "Siffrorna i diagrammet" }
                div.table-scroll tabindex="0" role="region" aria-label={ "Siffrorna: " (alt.head.join(", ")) } {
                    table {
                        thead { tr { @for h in &alt.head { th scope="col" { (h) } } } }
                        tbody { @for row in &alt.rows { tr { @for (i, c) in row.iter().enumerate() { @if i == 0 { th scope="row" { (c) } } @else { td { (c) } } } } } }
                    }
                }
            }
        }
    }
}
