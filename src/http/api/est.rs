//! `/api/v1/est/weeks`: the EST group's accepted reports per ISO week, district and
//! category — the rows of the staff CSV export (`operations::week_counts_by_district`),
//! for a token of an administrator or an analyst, limited to its districts.

use axum::extract::{FromRequestParts, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use utoipa::IntoParams;

use super::client::ApiClient;
use super::items::{EstWeekItem, Page};
use super::problem::{Problem, problem};
use super::query::{Filter, bad, paged};
use crate::auth::Role;
use crate::error::Error;
use crate::est::picture;
use crate::http::state::AppState;

/// The weeks asked for, a district, and paging; unknown parameters are refused.
#[derive(serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct WeeksQuery {
    /// A district code; without it, every district the token reads, each on its own.
    district: Option<String>,
    /// The first ISO week, `2026-W01`.
    from: String,
    /// The last ISO week, `2026-W12`; at most 157 weeks after `from`, counting both.
    to: String,
    /// From 1.
    #[param(minimum = 1)]
    page: Option<usize>,
    /// 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    per_page: Option<usize>,
}

/// The query, or the API's JSON refusal of a malformed one.
pub struct WeeksApiQuery(WeeksQuery);

impl FromRequestParts<AppState> for WeeksApiQuery {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        Query::<WeeksQuery>::from_request_parts(parts, state)
            .await
            .map(|Query(q)| WeeksApiQuery(q))
            .map_err(|e| bad(e.body_text()))
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/est/weeks",
    summary = "Accepted EST reports per ISO week, district and category",
    params(WeeksQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of week counts; weeks and categories without reports are left out", body = Page<EstWeekItem>),
        (status = 400, description = "A bad week, range, district or page request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No token, or an unknown or revoked one", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A reader's token, or a district outside the token's", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn est_weeks(
    State(state): State<AppState>,
    c: ApiClient,
    WeeksApiQuery(q): WeeksApiQuery,
) -> Result<Response, Error> {
    if c.role == Role::Reader {
        return Ok(problem(
            StatusCode::FORBIDDEN,
            "a reader's token does not see the EST reports",
        ));
    }
    let (from, to) = match picture::range(&q.from, &q.to) {
        Ok(range) => range,
        Err(why) => return Ok(bad(why)),
    };
    let f = Filter {
        district: q.district.clone(),
        page: q.page,
        per_page: q.per_page,
        ..Filter::default()
    };
    let districts: Vec<String> = match &q.district {
        Some(d) if state.districts.get(d).is_none() => {
            return Ok(bad(format!("there is no district \"{d}\"")));
        }
        Some(d) => vec![d.clone()],
        None => (state.districts.codes())
            .filter(|d| c.sees(d))
            .map(str::to_string)
            .collect(),
    };
    if let Some(refused) = c.out_of_scope(&state, &f).await? {
        return Ok(refused);
    }
    let rows =
        crate::operations::week_counts_by_district(&state.store, &districts, from, to).await?;
    let items: Vec<EstWeekItem> = rows
        .into_iter()
        .map(|(district, w)| EstWeekItem {
            week: w.week.to_string(),
            district,
            category: w.category.code().to_string(),
            count: w.count,
        })
        .collect();
    Ok(paged(items, &f))
}
