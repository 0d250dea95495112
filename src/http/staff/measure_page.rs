//! `/personal/atgarder/{id}`: one measure of the register — what it is, its versions, and
//! how its district changed against the comparison districts: the difference-in-differences
//! chart and table of each target indicator, then the exploratory indicators.
//!
//! Every number is a row of the analysis's measures table (suppression and q-values applied
//! there), so the page says the same as the report.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use maud::{Markup, PreEscaped, html};

use crate::analysis::MeasureRow;
use crate::error::Error;
use crate::http::extract::AnyStaff;
use crate::http::state::AppState;
use crate::report::figures::{self, Lookup, Names, p_value, signed_points};
use crate::views::staff as v;

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
                            td { (match r.significant { Some(true) => "ja", Some(false) => "nej", None => "" }) }
                        }
                    }
                }
            }
        } }
    }
}

pub async fn page(
    State(state): State<AppState>,
    AnyStaff(s): AnyStaff,
    Path(id): Path<String>,
) -> Result<Response, Error> {
    let register =
        crate::analysis::measures::current(&state.store, &state.surveys, &state.districts).await?;
    let Some(m) = register.into_iter().find(|m| m.id == id) else {
        return Ok((
            StatusCode::NOT_FOUND,
            Html(
                v::message(
                    "Åtgärden finns inte",
                    "Det finns ingen åtgärd med det id:t i registret.",
                    Some(&s),
                )
                .into_string(),
            ),
        )
            .into_response());
    };
    let a = match super::results::analysis_or_page(&state, &s, &m.title).await? {
        Ok(a) => a,
        Err(page) => return Ok(page),
    };
    let history = state.store.measure_history(&m.id).await?;
    let q = a.questionnaire.clone();
    let district = |code: &str| super::pages::district_name(&state, code);
    let indicator = |code: &str| {
        q.question(code)
            .and_then(|x| x.indicator.as_ref())
            .map(|i| i.label.get("sv").to_string())
            .unwrap_or_else(|| code.to_string())
    };
    let names = Names {
        district: &district,
        indicator: &indicator,
    };
    let look = Lookup::new(&a);
    let years = (
        a.weighting.iter().map(|w| w.year).min().unwrap_or(0),
        a.weighting.iter().map(|w| w.year).max().unwrap_or(0),
    );
    let rows: Vec<&MeasureRow> = a.measures.iter().filter(|r| r.measure == m.id).collect();
    let mut charts = Vec::new();
    for t in &m.targets {
        if let Some(chart) = figures::measure(&a, &look, &names, years, &m.id, t) {
            charts.push((t.clone(), crate::charts::svg(&chart)?));
        }
    }
    let targets: Vec<&MeasureRow> = rows.iter().copied().filter(|r| r.target).collect();
    let mut others: Vec<&MeasureRow> = rows.iter().copied().filter(|r| !r.target).collect();
    others.sort_by(|x, y| {
        x.q.unwrap_or(2.0)
            .total_cmp(&y.q.unwrap_or(2.0))
            .then(x.indicator.cmp(&y.indicator))
    });
    let body = html! {
        dl {
            dt { "Område" } dd { (district(&m.district)) }
            dt { "Start" } dd { (m.start) }
            dt { "Kategori" } dd { (m.category) }
            dt { "Fördröjning" } dd { (m.lag_months) " månader" }
            dt { "Målindikatorer" } dd { @if m.targets.is_empty() { "inga angivna" } @else { (m.targets.iter().map(|t| indicator(t)).collect::<Vec<_>>().join(", ")) } }
            dt { "Version" } dd { @match &m.version { Some(ver) => { (ver.version) ", " (ver.edited_by) ", " (ver.edited_at) }, None => { "surveys/measures.toml (inte ändrad i trygg)" } } }
        }
        p { "Skillnad-i-skillnader: förändringen i området minus förändringen i jämförelseområdena, från sista undersökningen före starten till den första efter. Förutsätter att områdena annars hade utvecklats parallellt. Bara målindikatorer med q < " (crate::analysis::policy::sv(crate::analysis::policy::SIGNIFICANCE)) " kallas säkerställda." }
        h2 { "Målindikatorer" }
        @if targets.is_empty() {
            p { "Åtgärden har inga målindikatorer som kunde utvärderas (det behövs en undersökning före och en efter starten)." }
        } @else {
            (did_table(&targets, &names, "Målindikatorer"))
            @for (t, svg) in &charts {
                figure.chart role="img" aria-label={ (indicator(t)) ": området och jämförelsen över åren. Siffrorna finns i tabellen ovan." } { (PreEscaped(svg)) }
            }
        }
        @if !others.is_empty() {
            h2 { "Övriga indikatorer (utforskande)" }
            (did_table(&others, &names, "Övriga indikatorer, lägst q först"))
        }
        @if history.len() > 1 {
            h2 { "Tidigare versioner" }
            table {
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
            }
        }
        p { a href="/personal/atgarder" { "Till åtgärdsregistret" } }
    };
    Ok(Html(v::layout(&m.title, Some(&s), body).into_string()).into_response())
}
