//! `/api/v1`: the read-only JSON API for BI tools and scripts, with bearer tokens that
//! administrators create and revoke at `/personal/api`, and its OpenAPI 3.1 document at
//! `/api/v1/openapi.json`.
//!
//! Results come from the same results table as the report and the explorer, so nothing
//! suppressed reaches the API. The document is built from [`SCHEMAS`], the one list of the
//! fields each response item has; a test checks every response against it.

use axum::Json;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::AppState;
use crate::auth::{Role, token_hash};
use crate::error::Error;

/// Items per page unless the client asks for another number (at most [`MAX_PER_PAGE`]).
const PER_PAGE: usize = 100;
const MAX_PER_PAGE: usize = 1000;

/// A client with a live bearer token.
pub struct ApiClient(pub Role);

fn unauthorized(why: &str) -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, "Bearer")],
        Json(json!({"error": why})),
    )
        .into_response()
}

impl FromRequestParts<AppState> for ApiClient {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Some(token) = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
        else {
            return Err(unauthorized(
                "an Authorization: Bearer <token> header is required",
            ));
        };
        match state.store.api_token_role(&token_hash(token.trim())).await {
            Ok(Some(role)) => Ok(ApiClient(role)),
            Ok(None) => Err(unauthorized("unknown or revoked token")),
            Err(e) => Err(e.into_response()),
        }
    }
}

/// The fields of each kind of item, with their JSON types; the OpenAPI schemas and the
/// conformance test are both made from it.
pub const SCHEMAS: &[(&str, &[(&str, &str)])] = &[
    (
        "Result",
        &[
            ("year", "integer"),
            ("district", "string"),
            ("group", "string"),
            ("indicator", "string"),
            ("kind", "string"),
            ("n", "number|null"),
            ("n_eff", "number|null"),
            ("estimate", "number|null"),
            ("se", "number|null"),
            ("ci_low", "number|null"),
            ("ci_high", "number|null"),
            ("level", "integer|null"),
            ("class", "string|null"),
            ("suppressed", "boolean"),
            ("uncertain", "boolean"),
            ("change_from_previous", "number|null"),
            ("q_previous", "number|null"),
            ("significant_previous", "boolean|null"),
        ],
    ),
    (
        "MeasureEffect",
        &[
            ("measure", "string"),
            ("district", "string"),
            ("indicator", "string"),
            ("target", "boolean"),
            ("before_year", "integer"),
            ("after_year", "integer"),
            ("comparison", "string"),
            ("did", "number|null"),
            ("ci_low", "number|null"),
            ("ci_high", "number|null"),
            ("p", "number|null"),
            ("q", "number|null"),
            ("significant", "boolean|null"),
            ("suppressed", "boolean"),
        ],
    ),
    (
        "Wave",
        &[
            ("district", "string"),
            ("year", "integer"),
            ("opens_on", "string"),
            ("closes_on", "string"),
            ("status", "string"),
            ("random_sample", "boolean"),
        ],
    ),
    (
        "ResponseRate",
        &[
            ("district", "string"),
            ("year", "integer"),
            ("stratum", "string"),
            ("letters", "integer"),
            ("undeliverable", "integer"),
            ("declined", "integer"),
            ("web", "integer"),
            ("paper", "integer"),
            ("rate", "number|null"),
        ],
    ),
];

fn schema(fields: &[(&str, &str)]) -> Value {
    let props: serde_json::Map<String, Value> = fields
        .iter()
        .map(|(name, ty)| {
            let types: Vec<&str> = ty.split('|').collect();
            let t = if types.len() == 1 {
                json!(types[0])
            } else {
                json!(types)
            };
            (name.to_string(), json!({"type": t}))
        })
        .collect();
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": fields.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
        "properties": props,
    })
}

fn page_of(item: &str) -> Value {
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["items", "page", "per_page", "total"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": format!("#/components/schemas/{item}")}},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "total": {"type": "integer"},
        }
    })
}

fn path(summary: &str, item: &str, filters: &[(&str, &str)]) -> Value {
    let mut params: Vec<Value> = filters
        .iter()
        .map(|(n, d)| json!({"name": n, "in": "query", "required": false, "description": d, "schema": {"type": "string"}}))
        .collect();
    params.push(json!({"name": "page", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1}}));
    params.push(json!({"name": "per_page", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE}}));
    json!({"get": {
        "summary": summary,
        "security": [{"bearer": []}],
        "parameters": params,
        "responses": {
            "200": {"description": "A page of items", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{item}Page")}}}},
            "400": {"description": "A bad filter or page"},
            "401": {"description": "No token, or an unknown or revoked one"},
        }
    }})
}

/// The OpenAPI 3.1 document.
pub fn openapi() -> Value {
    let mut schemas = serde_json::Map::new();
    for (name, fields) in SCHEMAS {
        schemas.insert(name.to_string(), schema(fields));
        schemas.insert(format!("{name}Page"), page_of(name));
    }
    let filters = [
        ("district", "a district code, or ALL for the municipality"),
        ("year", "a survey year"),
        (
            "indicator",
            "a question code, or index:<block> / index:total",
        ),
        ("group", "all, sex:<code> or age:<code>"),
        ("kind", "share, mean or index"),
    ];
    json!({
        "openapi": "3.1.0",
        "info": {"title": "trygg", "version": "1", "description": "Read-only results of the local safety survey. Suppressed estimates carry no value."},
        "paths": {
            "/api/v1/results": path("Estimates per year, district, group and indicator", "Result", &filters),
            "/api/v1/waves": path("Published waves", "Wave", &filters[..2]),
            "/api/v1/measures": path("Measure effects (difference-in-differences), target indicators first", "MeasureEffect", &[filters[0], filters[2]]),
            "/api/v1/response-rates": path("Letters and answers per sampling stratum", "ResponseRate", &filters[..2]),
        },
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        }
    })
}

pub async fn openapi_json() -> Json<Value> {
    Json(openapi())
}

#[derive(serde::Deserialize, Default)]
pub struct Filter {
    district: Option<String>,
    year: Option<i32>,
    indicator: Option<String>,
    group: Option<String>,
    kind: Option<String>,
    page: Option<usize>,
    per_page: Option<usize>,
}

fn bad(why: String) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({"error": why}))).into_response()
}

/// One page of `items`, or the refusal of a bad page request.
fn paged(items: Vec<Value>, f: &Filter) -> Response {
    let per_page = f.per_page.unwrap_or(PER_PAGE);
    let page = f.page.unwrap_or(1);
    if page == 0 || per_page == 0 || per_page > MAX_PER_PAGE {
        return bad(format!(
            "page starts at 1 and per_page is 1..={MAX_PER_PAGE}"
        ));
    }
    let total = items.len();
    let items: Vec<Value> = items
        .into_iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .collect();
    Json(json!({"items": items, "page": page, "per_page": per_page, "total": total}))
        .into_response()
}

/// The current analysis, or the reply instead of it: an empty page when nothing is
/// published, 409 when the answers cannot be analysed yet.
async fn analysis(
    state: &AppState,
    f: &Filter,
) -> Result<Result<std::sync::Arc<crate::analysis::Analysis>, Box<Response>>, Error> {
    match super::explorer::analysis(state).await {
        Ok(Some(a)) => Ok(Ok(a)),
        Ok(None) => Ok(Err(Box::new(paged(Vec::new(), f)))),
        Err(Error::Invalid(why)) => Ok(Err(Box::new(
            (StatusCode::CONFLICT, Json(json!({"error": why}))).into_response(),
        ))),
        Err(e) => Err(e),
    }
}

pub async fn results(
    State(state): State<AppState>,
    _c: ApiClient,
    Query(f): Query<Filter>,
) -> Result<Response, Error> {
    let a = match analysis(&state, &f).await? {
        Ok(a) => a,
        Err(reply) => return Ok(*reply),
    };
    let items: Vec<Value> = a
        .results
        .iter()
        .filter(|r| {
            f.district
                .as_ref()
                .is_none_or(|d| r.district.to_string() == *d)
        })
        .filter(|r| f.year.is_none_or(|y| r.year == y))
        .filter(|r| {
            f.indicator
                .as_ref()
                .is_none_or(|i| r.indicator.to_string() == *i)
        })
        .filter(|r| f.group.as_ref().is_none_or(|g| r.group.to_string() == *g))
        .filter(|r| f.kind.as_ref().is_none_or(|k| r.kind.as_str() == k))
        .map(|r| {
            json!({
                "year": r.year,
                "district": r.district.to_string(),
                "group": r.group.to_string(),
                "indicator": r.indicator.to_string(),
                "kind": r.kind.as_str(),
                "n": r.n,
                "n_eff": r.n_eff,
                "estimate": r.estimate,
                "se": r.se,
                "ci_low": r.ci_low,
                "ci_high": r.ci_high,
                "level": r.level,
                "class": r.class.map(|c| c.as_str()),
                "suppressed": r.suppressed,
                "uncertain": r.uncertain,
                "change_from_previous": r.prev.diff,
                "q_previous": r.prev.q,
                "significant_previous": r.prev.significant,
            })
        })
        .collect();
    Ok(paged(items, &f))
}

pub async fn measures(
    State(state): State<AppState>,
    _c: ApiClient,
    Query(f): Query<Filter>,
) -> Result<Response, Error> {
    let a = match analysis(&state, &f).await? {
        Ok(a) => a,
        Err(reply) => return Ok(*reply),
    };
    let items: Vec<Value> = a
        .measures
        .iter()
        .filter(|m| f.district.as_ref().is_none_or(|d| m.district == *d))
        .filter(|m| f.indicator.as_ref().is_none_or(|i| m.indicator == *i))
        .map(|m| {
            json!({
                "measure": m.measure, "district": m.district, "indicator": m.indicator,
                "target": m.target, "before_year": m.before_year, "after_year": m.after_year,
                "comparison": m.comparison, "did": m.did, "ci_low": m.ci_low, "ci_high": m.ci_high,
                "p": m.p, "q": m.q, "significant": m.significant, "suppressed": m.suppressed,
            })
        })
        .collect();
    Ok(paged(items, &f))
}

pub async fn waves(
    State(state): State<AppState>,
    _c: ApiClient,
    Query(f): Query<Filter>,
) -> Result<Response, Error> {
    let today = super::survey::today();
    let items: Vec<Value> = state
        .store
        .waves()
        .await?
        .into_iter()
        .filter(|w| f.district.as_ref().is_none_or(|d| w.district == *d))
        .filter(|w| f.year.is_none_or(|y| w.year == y))
        .map(|w| {
            let status = match w.status(today) {
                crate::store::WaveStatus::NotOpen => "not_open",
                crate::store::WaveStatus::Open => "open",
                crate::store::WaveStatus::Closed => "closed",
            };
            json!({
                "district": w.district, "year": w.year,
                "opens_on": w.opens_on.to_string(), "closes_on": w.closes_on.to_string(),
                "status": status, "random_sample": w.sampled,
            })
        })
        .collect();
    Ok(paged(items, &f))
}

pub async fn response_rates(
    State(state): State<AppState>,
    _c: ApiClient,
    Query(f): Query<Filter>,
) -> Result<Response, Error> {
    let mut items = Vec::new();
    for w in state.store.waves().await? {
        if f.district.as_ref().is_some_and(|d| w.district != *d)
            || f.year.is_some_and(|y| w.year != y)
        {
            continue;
        }
        for r in state.store.response_rates(w.id).await? {
            items.push(json!({
                "district": w.district, "year": w.year, "stratum": r.stratum,
                "letters": r.letters, "undeliverable": r.undeliverable, "declined": r.declined,
                "web": r.web, "paper": r.paper, "rate": r.rate(),
            }));
        }
    }
    Ok(paged(items, &f))
}
