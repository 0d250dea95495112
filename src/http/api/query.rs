//! An API call's query: filters and paging, read strictly (an unknown parameter is refused,
//! not ignored), and one page of items.

use axum::Json;
use axum::extract::{FromRequestParts, Query};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use utoipa::IntoParams;

use super::items::Page;
use super::problem::problem;
use crate::http::state::AppState;

/// Items per page unless the client asks for another number (at most [`MAX_PER_PAGE`]).
const PER_PAGE: usize = 100;
const MAX_PER_PAGE: usize = 1000;

/// Filters and paging; each endpoint takes the filters that apply to its items and refuses
/// the others, and an unknown parameter is refused rather than ignored.
#[derive(serde::Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct Filter {
    /// A district code, or `ALL` for the municipality.
    pub(super) district: Option<String>,
    /// A survey year.
    pub(super) year: Option<i32>,
    /// A question code, or `index:<block>` / `index:total`.
    pub(super) indicator: Option<String>,
    /// `all`, `sex:<code>` or `age:<code>`.
    pub(super) group: Option<String>,
    /// `share`, `mean` or `index`.
    pub(super) kind: Option<String>,
    /// From 1.
    #[param(minimum = 1)]
    pub(super) page: Option<usize>,
    /// 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub(super) per_page: Option<usize>,
}

pub fn bad(why: String) -> Response {
    problem(StatusCode::BAD_REQUEST, &why)
}

/// The query of an API call; a malformed one is refused with the API's JSON error.
pub struct ApiQuery(pub Filter);

impl FromRequestParts<AppState> for ApiQuery {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        Query::<Filter>::from_request_parts(parts, state)
            .await
            .map(|Query(f)| ApiQuery(f))
            .map_err(|e| bad(e.body_text()))
    }
}

impl Filter {
    /// Whether a wave is in the chosen district and year.
    pub(super) fn takes_wave(&self, w: &crate::store::Wave) -> bool {
        self.district.as_ref().is_none_or(|d| w.district == *d)
            && self.year.is_none_or(|y| w.year == y)
    }

    /// Refuses the filters an endpoint does not take (they would otherwise be ignored and
    /// the caller would get everything).
    pub(super) fn only(&self, allowed: &[&str]) -> Result<(), Box<Response>> {
        let given = [
            ("district", self.district.is_some()),
            ("year", self.year.is_some()),
            ("indicator", self.indicator.is_some()),
            ("group", self.group.is_some()),
            ("kind", self.kind.is_some()),
        ];
        match given
            .iter()
            .find(|(name, set)| *set && !allowed.contains(name))
        {
            Some((name, _)) => Err(Box::new(bad(format!(
                "this endpoint has no {name} filter (it takes {})",
                allowed.join(", ")
            )))),
            None => Ok(()),
        }
    }
}

/// One page of `items`, or the refusal of a bad page request.
pub fn paged<T: serde::Serialize>(items: Vec<T>, f: &Filter) -> Response {
    let per_page = f.per_page.unwrap_or(PER_PAGE);
    let page = f.page.unwrap_or(1);
    if page == 0 || per_page == 0 || per_page > MAX_PER_PAGE {
        return bad(format!(
            "page starts at 1 and per_page is 1..={MAX_PER_PAGE}"
        ));
    }
    let total = items.len();
    let items: Vec<T> = items
        .into_iter()
        .skip((page - 1).saturating_mul(per_page))
        .take(per_page)
        .collect();
    Json(Page {
        items,
        page,
        per_page,
        total,
    })
    .into_response()
}
