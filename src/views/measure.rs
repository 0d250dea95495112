//! A measure's page (`/personal/atgarder/{id}`): what the measure is, its
//! difference-in-differences for the target indicators with their charts, the other
//! indicators, the accepted EST reports at its places around its start, and earlier
//! versions.

use maud::{Markup, html};

use super::staff::{layout, scrolled};
use crate::analysis::{Measure, MeasureRow};
use crate::auth::Staff;
use crate::charts::Described;
use crate::report::figures::{Names, p_value, signed_points};
use crate::report::{Drawing, chart_figure};

/// Everything the page shows.
pub struct MeasurePage<'a> {
    pub measure: &'a Measure,
    pub district: &'a str,
    /// Target indicators' rows, and the others' (lowest q first).
    pub targets: &'a [&'a MeasureRow],
    pub others: &'a [&'a MeasureRow],
    /// The target indicators' charts: indicator code, SVG and text alternative.
    pub charts: &'a [(String, String, Described)],
    /// The measure's versions, oldest first.
    pub history: &'a [Measure],
    pub names: &'a Names<'a>,
    /// The accepted EST reports at its places before and after its start
    /// (`views/est_actions.rs`).
    pub est: &'a Markup,
    /// Why the survey's evaluation is not shown (no analysis yet), if it is not.
    pub unavailable: Option<&'a str>,
}

fn did_table(rows: &[&MeasureRow], names: &Names, caption: &str) -> Markup {
    let points = |x: Option<f64>| x.map(signed_points).unwrap_or_default();
    html! {
        div.table-scroll tabindex="0" role="region" aria-label=(caption) { table {
            caption { (caption) }
            thead { tr {
                th scope="col" { "Indikator" } th scope="col" { "Före–efter" }
                th scope="col" { "Förändring i området" } th scope="col" { "Förändring i jämförelsen" }
                th scope="col" { "Skillnad-i-skillnader (procentenheter)" } th scope="col" { "95 % KI" }
                th scope="col" { "p" } th scope="col" { "q" } th scope="col" { "Säkerställd" }
            } }
            tbody {
                @for r in rows {
                    tr {
                        th scope="row" { ((names.indicator)(&r.indicator)) }
                        td { (r.before_year) "–" (r.after_year) }
                        @if r.suppressed {
                            td colspan="7" { "för få svar" }
                        } @else {
                            td { (points(r.delta_district)) }
                            td { (points(r.delta_comparison)) }
                            td { (points(r.did)) }
                            td { (points(r.ci_low)) " till " (points(r.ci_high)) }
                            td { (r.p.map(p_value).unwrap_or_default()) }
                            td { (r.q.map(p_value).unwrap_or_default()) }
                            td { (super::explorer::significance(r.significant, r.self_selected)) }
                        }
                    }
                }
            }
        } }
    }
}

/// The measure's page.
pub fn measure_page(s: &Staff, p: &MeasurePage) -> Markup {
    let (m, names, targets, others, charts, history) =
        (p.measure, p.names, p.targets, p.others, p.charts, p.history);
    let indicator = |code: &str| (names.indicator)(code);
    let body = html! {
        dl {
            dt { "Område" } dd { (p.district) }
            dt { "Start" } dd { (m.start) }
            dt { "Kategori" } dd { (m.category) }
            dt { "Fördröjning" } dd { (m.lag_months) " månader" }
            dt { "Målindikatorer" } dd { @if m.targets.is_empty() { "inga angivna" } @else { (m.targets.iter().map(|t| indicator(t)).collect::<Vec<_>>().join(", ")) } }
            dt { "Version" } dd { @match &m.version { Some(ver) => { (ver.version) ", " (ver.edited_by) ", " (ver.edited_at) }, None => { "surveys/measures.toml (inte ändrad i trygg)" } } }
        }
        @if let Some(why) = p.unavailable {
            p { (why) }
        } @else {
        p { "Skillnad-i-skillnader: förändringen i området minus förändringen i jämförelseområdena, från sista undersökningen före starten till den första efter. Förutsätter att områdena annars hade utvecklats parallellt. Bara målindikatorer med q < " (crate::analysis::policy::sv(crate::analysis::policy::SIGNIFICANCE)) " kallas säkerställda." }
        h2 { "Målindikatorer" }
        @if targets.is_empty() {
            p { "Åtgärden har inga målindikatorer som kunde utvärderas (det behövs en undersökning före och en efter starten)." }
        } @else {
            (did_table(targets, names, "Målindikatorer"))
            @for (_, svg, alt) in charts { (chart_figure(Drawing::Inline(svg), alt)) }
        }
        @if !others.is_empty() {
            h2 { "Övriga indikatorer (utforskande)" }
            (did_table(others, names, "Övriga indikatorer, lägst q först"))
        }
        }
        (p.est)
        @if history.len() > 1 {
            h2 { "Tidigare versioner" }
            (scrolled("Tidigare versioner", html! { table {
                caption { "Versioner av åtgärden, senaste först" }
                thead { tr { th scope="col" { "Version" } th scope="col" { "Ändrad av" } th scope="col" { "När" } th scope="col" { "Titel" } th scope="col" { "Start" } th scope="col" { "Målindikatorer" } } }
                tbody {
                    @for h in history.iter().rev() {
                        tr {
                            td { (h.version.as_ref().map(|v| v.version).unwrap_or(0)) }
                            td { (h.version.as_ref().map(|v| v.edited_by.as_str()).unwrap_or("")) }
                            td { (h.version.as_ref().map(|v| v.edited_at.as_str()).unwrap_or("")) }
                            td { (h.title) } td { (h.start) } td { (h.targets.join(", ")) }
                        }
                    }
                }
            } }))
        }
        p { a href="/personal/atgarder" { "Till åtgärdsregistret" } }
    };
    layout(&m.title, Some(s), body)
}
