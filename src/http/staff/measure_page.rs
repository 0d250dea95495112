//! `/personal/atgarder/{id}`: one measure of the register — what it is, its versions, and
//! how its district changed against the comparison districts: the difference-in-differences
//! chart and table of each target indicator, then the exploratory indicators, and the
//! accepted EST reports at its places around its start (`est_actions::measure_reports`;
//! shown also while the survey cannot be analysed yet).
//!
//! Every number is a row of the analysis's measures table (suppression and q-values applied
//! there), so the page says the same as the report.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::analysis::MeasureRow;
use crate::error::Error;
use crate::http::extract::AnyStaff;
use crate::http::state::AppState;
use crate::report::figures::{self, Lookup, Names};
use crate::role::Role;
use crate::views::measure::{self as v, MeasurePage};
use crate::views::staff::message;

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
                message(
                    "Åtgärden finns inte",
                    "Det finns ingen åtgärd med det id:t i registret.",
                    Some(&s),
                )
                .into_string(),
            ),
        )
            .into_response());
    };
    if !s.in_scope(&m.district) {
        return super::pages::out_of_scope(&state, &s, &format!("measure {}", m.id)).await;
    }
    // Someone limited to districts sees only the versions of the measure that were in them.
    let mut history = state.store.measure_history(&m.id).await?;
    history.retain(|h| s.in_scope(&h.district));
    // The EST reports are the EST group's working material, not published: for those who
    // read the week's picture (administrators and analysts), not for readers.
    let est = match s.account.role {
        Role::Admin | Role::Analyst => super::est_actions::measure_reports(&state, &m).await?,
        _ => maud::Markup::default(),
    };
    let a = match state.analysis().await {
        Ok(Some(a)) => a,
        // Not analysable (yet): the measure and its EST reports, and why there is no more.
        Ok(None) => {
            let why = "Det finns inga enkäter ännu.";
            return Ok(unavailable(&state, &s, &m, &history, &est, why));
        }
        Err(Error::Invalid(why)) => {
            let why = format!("Resultaten kan inte beräknas än: {why}");
            return Ok(unavailable(&state, &s, &m, &history, &est, &why));
        }
        Err(e) => return Err(e),
    };
    evaluated(&state, &s, &m, &a, &history, &est)
}

/// The page with the survey's evaluation of the measure.
fn evaluated(
    state: &AppState,
    s: &crate::auth::Staff,
    m: &crate::analysis::Measure,
    a: &crate::analysis::Analysis,
    history: &[crate::analysis::Measure],
    est: &maud::Markup,
) -> Result<Response, Error> {
    let district = |code: &str| super::pages::district_name(state, code);
    let q = a.questionnaire.clone();
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
    let look = Lookup::new(a);
    let years = (
        a.weighting.iter().map(|w| w.year).min().unwrap_or(0),
        a.weighting.iter().map(|w| w.year).max().unwrap_or(0),
    );
    let rows: Vec<&MeasureRow> = a.measures.iter().filter(|r| r.measure == m.id).collect();
    let mut charts = Vec::new();
    for t in &m.targets {
        if let Some(chart) = figures::measure(a, &look, &names, years, &m.id, t) {
            let chart = own_only(chart, s);
            let alt = crate::charts::describe(&chart);
            charts.push((t.clone(), crate::charts::svg(&chart)?, alt));
        }
    }
    let targets: Vec<&MeasureRow> = rows.iter().copied().filter(|r| r.target).collect();
    let mut others: Vec<&MeasureRow> = rows.iter().copied().filter(|r| !r.target).collect();
    others.sort_by(|x, y| {
        x.q.unwrap_or(2.0)
            .total_cmp(&y.q.unwrap_or(2.0))
            .then(x.indicator.cmp(&y.indicator))
    });
    let page = v::measure_page(
        s,
        &MeasurePage {
            measure: m,
            district: &district(&m.district),
            targets: &targets,
            others: &others,
            charts: &charts,
            history,
            names: &names,
            est,
            unavailable: None,
        },
    );
    Ok(Html(page.into_string()).into_response())
}

/// The measure's page without the survey's evaluation (`why` there is none).
fn unavailable(
    state: &AppState,
    s: &crate::auth::Staff,
    m: &crate::analysis::Measure,
    history: &[crate::analysis::Measure],
    est: &maud::Markup,
    why: &str,
) -> Response {
    let indicator = |code: &str| code.to_string();
    let names = Names {
        district: &|code: &str| code.to_string(),
        indicator: &indicator,
    };
    let page = v::measure_page(
        s,
        &MeasurePage {
            measure: m,
            district: &super::pages::district_name(state, &m.district),
            targets: &[],
            others: &[],
            charts: &[],
            history,
            names: &names,
            est,
            unavailable: Some(why),
        },
    );
    Html(page.into_string()).into_response()
}

/// For someone limited to districts, the chart without the comparison districts' series
/// (their estimates year by year); the difference-in-differences stays in the table.
fn own_only(mut chart: crate::charts::Chart, s: &crate::auth::Staff) -> crate::charts::Chart {
    if let crate::charts::Chart::Years(years) = &mut chart
        && s.scoped()
    {
        years.series.truncate(1);
    }
    chart
}
