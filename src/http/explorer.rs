//! `/personal/resultat`: the results explorer for staff — one indicator in one district over
//! the years, with the municipality beside it, as a chart and a table, and the same view as
//! CSV (comma or Swedish Excel's semicolon with decimal comma).
//!
//! Everything shown comes from the analysis's results table, where suppression is applied
//! as rows are built: a suppressed estimate has no value to leak here either. The analysis
//! is cached and recomputed when the stored responses or waves change.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use maud::{PreEscaped, html};

use super::AppState;
use crate::analysis::{Analysis, Domain, Group, IndicatorKey, Inputs, Kind, Options, ResultRow};
use crate::auth::AnyStaff;
use crate::error::Error;
use crate::views::staff as v;

/// What an analysis was computed from: responses and waves stored.
type Stamp = (i64, usize);

/// The analysis of everything stored, and what it was computed from.
#[derive(Default)]
pub struct Cache(tokio::sync::Mutex<Option<(Stamp, Arc<Analysis>)>>);

/// Codes with their Swedish names, for a select.
type Named = Vec<(String, String)>;

/// The chosen district and indicator, and the lists to choose from.
struct Choices {
    district: String,
    indicator: String,
    districts: Named,
    indicators: Named,
}

/// The current analysis, recomputed when responses or waves were added.
pub(super) async fn analysis(state: &AppState) -> Result<Option<Arc<Analysis>>, Error> {
    let waves = state.store.waves().await?;
    let (Some(first), Some(last)) = (
        waves.iter().map(|w| w.year).min(),
        waves.iter().map(|w| w.year).max(),
    ) else {
        return Ok(None);
    };
    let key = (state.store.count_responses(None).await?, waves.len());
    let mut cache = state.explorer.0.lock().await;
    if let Some((k, a)) = cache.as_ref()
        && *k == key
    {
        return Ok(Some(a.clone()));
    }
    let inputs = Inputs {
        districts: (*state.districts).clone(),
        surveys: state.surveys.clone(),
    };
    let a = Arc::new(
        crate::analysis::analyze(&state.store, &inputs, &Options::new(first..=last)).await?,
    );
    *cache = Some((key, a.clone()));
    Ok(Some(a))
}

#[derive(serde::Deserialize, Default)]
pub struct View {
    district: Option<String>,
    indicator: Option<String>,
    /// `semicolon` for Swedish Excel (decimal comma).
    sep: Option<String>,
}

/// The rows of a view: the district's and the municipality's, all respondents, by year.
fn rows<'a>(a: &'a Analysis, district: &str, indicator: &str) -> Vec<&'a ResultRow> {
    let key = IndicatorKey::Question(indicator.to_string());
    let domains = [Domain::District(district.to_string()), Domain::Municipality];
    let mut out: Vec<&ResultRow> = a
        .results
        .iter()
        .filter(|r| {
            r.group == Group::All
                && r.kind == Kind::Share
                && r.indicator == key
                && domains.contains(&r.district)
        })
        .collect();
    out.sort_by(|x, y| x.district.cmp(&y.district).then(x.year.cmp(&y.year)));
    out
}

fn choices(state: &AppState, a: &Analysis, view: &View) -> Choices {
    let districts: Vec<(String, String)> = state
        .districts
        .codes()
        .filter(|d| a.weighting.iter().any(|w| w.district == *d))
        .map(|d| {
            (
                d.to_string(),
                state
                    .districts
                    .get(d)
                    .map(|x| x.name.get("sv").to_string())
                    .unwrap_or_default(),
            )
        })
        .collect();
    let indicators: Vec<(String, String)> = a
        .questionnaire
        .indicators()
        .map(|(q, i)| (q.code.clone(), i.label.get("sv").to_string()))
        .collect();
    let pick = |want: &Option<String>, list: &[(String, String)]| {
        want.as_ref()
            .filter(|w| list.iter().any(|(c, _)| c == *w))
            .cloned()
            .or_else(|| list.first().map(|(c, _)| c.clone()))
            .unwrap_or_default()
    };
    Choices {
        district: pick(&view.district, &districts),
        indicator: pick(&view.indicator, &indicators),
        districts,
        indicators,
    }
}

fn pct(x: Option<f64>) -> String {
    x.map(|v| format!("{:.1} %", 100.0 * v))
        .unwrap_or_else(|| "–".into())
}

pub async fn page(
    State(state): State<AppState>,
    AnyStaff(s): AnyStaff,
    Query(view): Query<View>,
) -> Result<Response, Error> {
    let a = match analysis(&state).await {
        Ok(a) => a,
        // Not yet analysable (no answers, a missing population file): say why.
        Err(Error::Invalid(why)) => {
            let msg = format!("Resultaten kan inte beräknas än: {why}");
            return Ok(Html(v::message("Resultat", &msg, Some(&s)).into_string()).into_response());
        }
        Err(e) => return Err(e),
    };
    let Some(a) = a else {
        return Ok(Html(
            v::message("Resultat", "Det finns inga enkäter ännu.", Some(&s)).into_string(),
        )
        .into_response());
    };
    let Choices {
        district,
        indicator,
        districts,
        indicators,
    } = choices(&state, &a, &view);
    let look = crate::report::figures::Lookup::new(&a);
    let district_name = |c: &str| {
        state
            .districts
            .get(c)
            .map(|d| d.name.get("sv").to_string())
            .unwrap_or_else(|| c.to_string())
    };
    let indicator_name = |c: &str| {
        indicators
            .iter()
            .find(|(k, _)| k == c)
            .map(|(_, n)| n.clone())
            .unwrap_or_else(|| c.to_string())
    };
    let names = crate::report::figures::Names {
        district: &district_name,
        indicator: &indicator_name,
    };
    let years = (
        a.weighting.iter().map(|w| w.year).min().unwrap_or(0),
        a.weighting.iter().map(|w| w.year).max().unwrap_or(0),
    );
    let chart = crate::report::figures::trend(&a, &look, &names, years, &district, &indicator);
    let svg = crate::charts::svg(&chart)?;
    let table = rows(&a, &district, &indicator);
    let body = html! {
        form method="get" action="/personal/resultat" {
            label for="district" { "Område" }
            select #district name="district" { @for (c, n) in &districts { option value=(c) selected[*c == district] { (n) } } }
            label for="indicator" { "Indikator" }
            select #indicator name="indicator" { @for (c, n) in &indicators { option value=(c) selected[*c == indicator] { (n) } } }
            button type="submit" { "Visa" }
        }
        figure.chart { (PreEscaped(svg)) }
        p {
            a href={ "/personal/resultat.csv?district=" (district) "&indicator=" (indicator) "&sep=semicolon" } { "Ladda ner CSV (svensk Excel)" }
            " · "
            a href={ "/personal/resultat.csv?district=" (district) "&indicator=" (indicator) } { "CSV" }
        }
        table {
            thead { tr { th { "Område" } th { "År" } th { "Andel" } th { "95 % KI" } th { "n" } th { "Effektivt n" } th { "Förändring" } th { "q" } } }
            tbody {
                @for r in &table {
                    tr {
                        td { (names.domain(&r.district)) } td { (r.year) }
                        @if r.suppressed {
                            td colspan="6" { "för få svar" }
                        } @else {
                            td { (pct(r.estimate)) }
                            td { (pct(r.ci_low)) " – " (pct(r.ci_high)) }
                            td { (r.n.map(|n| n.to_string()).unwrap_or_default()) }
                            td { (r.n_eff.map(|n| format!("{n:.0}")).unwrap_or_default()) }
                            td { (pct(r.prev.diff)) }
                            td { (r.prev.q.map(|q| format!("{q:.3}")).unwrap_or_default()) }
                        }
                    }
                }
            }
        }
        p { "Antal under " (crate::analysis::policy::sv(crate::analysis::policy::MIN_N)) " svar visas inte (för få svar)." }
    };
    Ok((
        StatusCode::OK,
        Html(v::layout("Resultat", Some(&s), body).into_string()),
    )
        .into_response())
}

/// A number for a CSV: with a decimal comma for Swedish Excel.
fn num(x: Option<f64>, comma: bool) -> String {
    match x {
        Some(v) if comma => format!("{v}").replace('.', ","),
        Some(v) => format!("{v}"),
        None => String::new(),
    }
}

pub async fn csv(
    State(state): State<AppState>,
    AnyStaff(_s): AnyStaff,
    Query(view): Query<View>,
) -> Result<Response, Error> {
    let a = match analysis(&state).await {
        Ok(a) => a,
        Err(Error::Invalid(why)) => return Ok((StatusCode::CONFLICT, why).into_response()),
        Err(e) => return Err(e),
    };
    let Some(a) = a else {
        return Ok((StatusCode::NOT_FOUND, "no waves").into_response());
    };
    let Choices {
        district,
        indicator,
        ..
    } = choices(&state, &a, &view);
    let swedish = view.sep.as_deref() == Some("semicolon");
    let sep = if swedish { b';' } else { b',' };
    let mut w = csv::WriterBuilder::new()
        .delimiter(sep)
        .from_writer(Vec::new());
    let fail = |e: csv::Error| Error::Internal(e.to_string());
    w.write_record([
        "district",
        "year",
        "indicator",
        "estimate",
        "ci_low",
        "ci_high",
        "n",
        "n_eff",
        "diff_prev",
        "q_prev",
        "suppressed",
    ])
    .map_err(fail)?;
    for r in rows(&a, &district, &indicator) {
        w.write_record([
            r.district.to_string(),
            r.year.to_string(),
            r.indicator.to_string(),
            num(r.estimate, swedish),
            num(r.ci_low, swedish),
            num(r.ci_high, swedish),
            r.n.map(|n| n.to_string()).unwrap_or_default(),
            num(r.n_eff, swedish),
            num(r.prev.diff, swedish),
            num(r.prev.q, swedish),
            r.suppressed.to_string(),
        ])
        .map_err(fail)?;
    }
    let bytes = w.into_inner().map_err(|e| Error::Internal(e.to_string()))?;
    // Excel reads UTF-8 with a byte-order mark.
    let mut body = b"\xEF\xBB\xBF".to_vec();
    body.extend(bytes);
    let mut res = (StatusCode::OK, body).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!(
            "attachment; filename=\"trygg-{district}-{indicator}.csv\""
        ))
        .unwrap_or(HeaderValue::from_static("attachment")),
    );
    Ok(res)
}
