//! The API's endpoints: results, measures' effects, waves and response rates, each read
//! from the same results table as the report and the explorer (so nothing suppressed
//! leaves), each limited to the token's districts.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::client::ApiClient;
use super::items::{MeasureEffect, Page, ResponseRate, ResultItem, WaveItem};
use super::problem::{Problem, problem};
use super::query::{ApiQuery, Filter, paged};
use crate::auth::Role;
use crate::error::Error;
use crate::http::state::AppState;

/// The current analysis, or the reply instead of it: an empty page when nothing is
/// published, 409 when the answers cannot be analysed yet.
async fn analysis(
    state: &AppState,
    f: &Filter,
) -> Result<Result<std::sync::Arc<crate::analysis::Analysis>, Box<Response>>, Error> {
    match state.analysis().await {
        Ok(Some(a)) => Ok(Ok(a)),
        Ok(None) => Ok(Err(Box::new(paged(Vec::<ResultItem>::new(), f)))),
        Err(Error::Invalid(why)) => Ok(Err(Box::new(problem(StatusCode::CONFLICT, &why)))),
        Err(e) => Err(e),
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/results",
    summary = "Estimates per year, district, group and indicator",
    params(Filter),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of estimates", body = Page<ResultItem>),
        (status = 400, description = "A bad page request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No token, or an unknown or revoked one", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The answers cannot be analysed yet", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn results(
    State(state): State<AppState>,
    c: ApiClient,
    ApiQuery(f): ApiQuery,
) -> Result<Response, Error> {
    if let Some(refused) = c.out_of_scope(&state, &f).await? {
        return Ok(refused);
    }
    let a = match analysis(&state, &f).await? {
        Ok(a) => a,
        Err(reply) => return Ok(*reply),
    };
    let items: Vec<ResultItem> = a
        .results
        .iter()
        .filter(|r| {
            let d = r.district.to_string();
            c.sees(&d) && f.district.as_ref().is_none_or(|x| d == *x)
        })
        .filter(|r| f.year.is_none_or(|y| r.year == y))
        .filter(|r| {
            f.indicator
                .as_ref()
                .is_none_or(|i| r.indicator.to_string() == *i)
        })
        .filter(|r| f.group.as_ref().is_none_or(|g| r.group.to_string() == *g))
        .filter(|r| f.kind.as_ref().is_none_or(|k| r.kind.as_str() == k))
        .map(|r| ResultItem {
            year: r.year,
            district: r.district.to_string(),
            group: r.group.to_string(),
            indicator: r.indicator.to_string(),
            kind: r.kind.as_str().to_string(),
            n: r.n,
            n_eff: r.n_eff,
            estimate: r.estimate,
            se: r.se,
            ci_low: r.ci_low,
            ci_high: r.ci_high,
            level: r.level,
            class: r.class.map(|c| c.as_str().to_string()),
            suppressed: r.suppressed,
            suppression: r.suppression.map(|s| s.as_str().to_string()),
            uncertain: r.uncertain,
            self_selected: r.self_selected,
            change_from_previous: r.prev.diff,
            q_previous: r.prev.q,
            significant_previous: r.prev.significant,
        })
        .collect();
    Ok(paged(items, &f))
}

#[utoipa::path(
    get,
    path = "/api/v1/measures",
    summary = "Measure effects (difference-in-differences), target indicators first",
    params(
        ("district" = Option<String>, Query, description = "A district code."),
        ("indicator" = Option<String>, Query, description = "A question code."),
        ("page" = Option<usize>, Query, minimum = 1, description = "From 1."),
        ("per_page" = Option<usize>, Query, minimum = 1, maximum = 1000, description = "1 to 1000 (default 100)."),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of measure effects", body = Page<MeasureEffect>),
        (status = 400, description = "A bad page request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No token, or an unknown or revoked one", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The answers cannot be analysed yet", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn measures(
    State(state): State<AppState>,
    c: ApiClient,
    ApiQuery(f): ApiQuery,
) -> Result<Response, Error> {
    if let Err(refusal) = f.only(&["district", "indicator"]) {
        return Ok(*refusal);
    }
    if let Some(refused) = c.out_of_scope(&state, &f).await? {
        return Ok(refused);
    }
    let a = match analysis(&state, &f).await? {
        Ok(a) => a,
        Err(reply) => return Ok(*reply),
    };
    let items: Vec<MeasureEffect> = a
        .measures
        .iter()
        .filter(|m| c.sees(&m.district) && f.district.as_ref().is_none_or(|d| m.district == *d))
        .filter(|m| f.indicator.as_ref().is_none_or(|i| m.indicator == *i))
        .map(|m| MeasureEffect {
            measure: m.measure.clone(),
            district: m.district.clone(),
            indicator: m.indicator.clone(),
            target: m.target,
            before_year: m.before_year,
            after_year: m.after_year,
            comparison: m.comparison.clone(),
            did: m.did,
            ci_low: m.ci_low,
            ci_high: m.ci_high,
            p: m.p,
            q: m.q,
            significant: m.significant,
            suppressed: m.suppressed,
            self_selected: m.self_selected,
        })
        .collect();
    Ok(paged(items, &f))
}

#[utoipa::path(
    get,
    path = "/api/v1/waves",
    summary = "Published waves",
    params(
        ("district" = Option<String>, Query, description = "A district code."),
        ("year" = Option<i32>, Query, description = "A survey year."),
        ("page" = Option<usize>, Query, minimum = 1, description = "From 1."),
        ("per_page" = Option<usize>, Query, minimum = 1, maximum = 1000, description = "1 to 1000 (default 100)."),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of waves", body = Page<WaveItem>),
        (status = 400, description = "A bad page request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No token, or an unknown or revoked one", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn waves(
    State(state): State<AppState>,
    c: ApiClient,
    ApiQuery(f): ApiQuery,
) -> Result<Response, Error> {
    if let Err(refusal) = f.only(&["district", "year"]) {
        return Ok(*refusal);
    }
    if let Some(refused) = c.out_of_scope(&state, &f).await? {
        return Ok(refused);
    }
    let today = crate::http::respond::today();
    let items: Vec<WaveItem> = state
        .store
        .waves()
        .await?
        .into_iter()
        .filter(|w| c.sees(&w.district) && f.takes_wave(w))
        .map(|w| WaveItem {
            status: match w.status(today) {
                crate::store::WaveStatus::NotOpen => "not_open",
                crate::store::WaveStatus::Open => "open",
                crate::store::WaveStatus::Closed => "closed",
            }
            .to_string(),
            opens_on: w.opens_on.to_string(),
            closes_on: w.closes_on.to_string(),
            random_sample: w.sampled,
            district: w.district,
            year: w.year,
        })
        .collect();
    Ok(paged(items, &f))
}

#[utoipa::path(
    get,
    path = "/api/v1/response-rates",
    summary = "Letters and answers per sampling stratum",
    params(
        ("district" = Option<String>, Query, description = "A district code."),
        ("year" = Option<i32>, Query, description = "A survey year."),
        ("page" = Option<usize>, Query, minimum = 1, description = "From 1."),
        ("per_page" = Option<usize>, Query, minimum = 1, maximum = 1000, description = "1 to 1000 (default 100)."),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of strata", body = Page<ResponseRate>),
        (status = 400, description = "A bad page request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No token, or an unknown or revoked one", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A reader's token: field work is for admins and analysts", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn response_rates(
    State(state): State<AppState>,
    c: ApiClient,
    ApiQuery(f): ApiQuery,
) -> Result<Response, Error> {
    // Field work is for those who run the survey, as on the staff overview.
    if c.role == Role::Reader {
        return Ok(problem(
            StatusCode::FORBIDDEN,
            "a reader's token does not see field work (letters and response rates)",
        ));
    }
    if let Err(refusal) = f.only(&["district", "year"]) {
        return Ok(*refusal);
    }
    if let Some(refused) = c.out_of_scope(&state, &f).await? {
        return Ok(refused);
    }
    let shown =
        |n: i64| (n == 0 || n as f64 >= crate::analysis::policy::SMALLEST_PUBLISHED_N).then_some(n);
    let mut items = Vec::new();
    for w in state
        .store
        .waves()
        .await?
        .iter()
        .filter(|w| c.sees(&w.district) && f.takes_wave(w))
    {
        for r in state.store.response_rates(w.id).await? {
            let (web, paper) = (shown(r.web), shown(r.paper));
            items.push(ResponseRate {
                rate: r.rate().filter(|_| web.is_some() && paper.is_some()),
                district: w.district.clone(),
                year: w.year,
                stratum: r.stratum,
                letters: r.letters,
                undeliverable: r.undeliverable,
                declined: r.declined,
                web,
                paper,
            });
        }
    }
    Ok(paged(items, &f))
}
