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

pub(super) fn figure(svgs: &Drawn, name: &str) -> Markup {
    match svgs.get(name) {
        Some((svg, alt)) => chart_figure(svg, alt),
        None => html! {},
    }
}

/// A chart with its text alternative: the drawing (hidden from screen readers, which read
/// the caption instead), a caption that says what it shows, and its numbers as a table a
/// click away. The report, the explorer and the measure pages all show charts this way.
pub fn chart_figure(svg: &str, alt: &crate::charts::Described) -> Markup {
    html! {
        figure.chart {
            // Trusted: plotters' own SVG, in which every text is escaped.
            div aria-hidden="true" { (PreEscaped(svg)) }
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
