//! `/api/v1`: the read-only JSON API for BI tools and scripts, with bearer tokens that
//! administrators create and revoke at `/personal/api`, and its OpenAPI 3.1 document at
//! `/api/v1/openapi.json`.
//!
//! Results come from the same results table as the report and the explorer, so nothing
//! suppressed reaches the API. The document is generated (utoipa) from the item types and
//! the handlers' `#[utoipa::path]` attributes, and the router is built from the same
//! attributes ([`routes`]), so a route cannot exist without its description or the other
//! way round; a test checks every response against the document.

use axum::Json;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;

use crate::auth::{Role, token_hash};
use crate::error::Error;
use crate::http::state::AppState;
use crate::store::TokenCheck;

/// Items per page unless the client asks for another number (at most [`MAX_PER_PAGE`]).
const PER_PAGE: usize = 100;
const MAX_PER_PAGE: usize = 1000;

/// A client with a live bearer token: its role and the districts it reads (`None`: every
/// district and the municipality's totals).
pub struct ApiClient {
    pub role: Role,
    pub districts: Option<Vec<String>>,
    name: String,
}

impl ApiClient {
    /// Whether an item of `district` (a code, or `ALL`) may be shown to this client.
    fn sees(&self, district: &str) -> bool {
        self.districts
            .as_ref()
            .is_none_or(|ds| ds.iter().any(|d| d == district))
    }

    /// The refusal of a `district` filter outside the token's districts, audited.
    async fn out_of_scope(&self, state: &AppState, f: &Filter) -> Result<Option<Response>, Error> {
        match &f.district {
            Some(d) if !self.sees(d) => {
                let detail = format!("API token {}: district {d}", self.name);
                state.store.audit("api", "scope refused", &detail).await?;
                Ok(Some(problem(
                    StatusCode::FORBIDDEN,
                    "this token does not read that district",
                )))
            }
            _ => Ok(None),
        }
    }
}

fn unauthorized(why: &str) -> Response {
    let mut res = problem(StatusCode::UNAUTHORIZED, why);
    res.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static("Bearer"),
    );
    res
}

/// When an unknown token was last written to the audit log (seconds): at most once a
/// minute, so nobody can fill the log by guessing.
static UNKNOWN_LOGGED: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

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
        let today = crate::http::respond::today();
        let hash = token_hash(token.trim());
        let check = state.store.check_api_token(&hash, today).await;
        match check.map_err(IntoResponse::into_response)? {
            TokenCheck::Live {
                name,
                role,
                districts,
            } => Ok(ApiClient {
                role,
                districts,
                name,
            }),
            TokenCheck::Refused { why, .. } => Err(unauthorized(&format!("the token is {why}"))),
            TokenCheck::Unknown => {
                let now = crate::auth::now_secs();
                let last = UNKNOWN_LOGGED.load(std::sync::atomic::Ordering::Relaxed);
                if now - last >= 60 {
                    UNKNOWN_LOGGED.store(now, std::sync::atomic::Ordering::Relaxed);
                    let _ = state
                        .store
                        .audit("api", "API token refused", "unknown token")
                        .await;
                }
                Err(unauthorized("unknown or revoked token"))
            }
        }
    }
}

/// An API error as problem details (RFC 9457, `application/problem+json`): the status, its
/// name, and what was wrong, in English.
#[derive(serde::Serialize, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Problem {
    /// Always `about:blank`: the status says what kind of problem it is.
    #[serde(rename = "type")]
    kind: String,
    title: String,
    status: u16,
    detail: String,
}

/// The media type of every error the API answers with.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An error answer of the API.
pub fn problem(status: StatusCode, detail: &str) -> Response {
    let body = Problem {
        kind: "about:blank".into(),
        title: status.canonical_reason().unwrap_or("Error").into(),
        status: status.as_u16(),
        detail: detail.into(),
    };
    (
        status,
        [(header::CONTENT_TYPE, PROBLEM_JSON)],
        serde_json::to_vec(&body).expect("a problem document is plain JSON"),
    )
        .into_response()
}

/// Every answer under `/api/` that is an error is problem details, whoever made it — a
/// handler's unexpected error, a route that does not exist, a method not allowed — so a
/// client never has to parse an HTML page.
pub async fn problems_only(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    let status = res.status();
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes() == PROBLEM_JSON.as_bytes());
    if !api || !(status.is_client_error() || status.is_server_error()) || is_problem {
        return res;
    }
    let detail = match status {
        StatusCode::NOT_FOUND => "no such endpoint",
        StatusCode::METHOD_NOT_ALLOWED => "the API only answers GET",
        StatusCode::SERVICE_UNAVAILABLE => {
            "trygg is busy or its storage is full; try again shortly"
        }
        s if s.is_server_error() => "trygg could not answer; the error is logged",
        _ => "the request was refused",
    };
    let mut out = problem(status, detail);
    for (name, value) in res.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            out.headers_mut().append(name.clone(), value.clone());
        }
    }
    out
}

/// One estimate: a share, a scale mean or an index level of one group in one district (or
/// `ALL`, the municipality) in one year. A suppressed row carries no value.
#[derive(serde::Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResultItem {
    year: i32,
    district: String,
    /// `all`, `sex:<code>` or `age:<code>`.
    group: String,
    /// A question code, or `index:<block>` / `index:total`.
    indicator: String,
    /// `share`, `mean` or `index`.
    kind: String,
    n: Option<f64>,
    n_eff: Option<f64>,
    estimate: Option<f64>,
    se: Option<f64>,
    ci_low: Option<f64>,
    ci_high: Option<f64>,
    level: Option<u8>,
    class: Option<String>,
    suppressed: bool,
    /// Why a suppressed row is hidden: `too_few_answers`, or `protects_other` (hidden so
    /// that another hidden cell cannot be derived by subtraction).
    suppression: Option<String>,
    uncertain: bool,
    change_from_previous: Option<f64>,
    q_previous: Option<f64>,
    significant_previous: Option<bool>,
}

/// One measure's difference-in-differences on one indicator.
#[derive(serde::Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeasureEffect {
    measure: String,
    district: String,
    indicator: String,
    /// A target indicator of the measure (else exploratory).
    target: bool,
    before_year: i32,
    after_year: i32,
    /// The comparison districts, joined with `+`.
    comparison: String,
    did: Option<f64>,
    ci_low: Option<f64>,
    ci_high: Option<f64>,
    p: Option<f64>,
    q: Option<f64>,
    significant: Option<bool>,
    suppressed: bool,
}

/// A published wave.
#[derive(serde::Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WaveItem {
    district: String,
    year: i32,
    opens_on: String,
    closes_on: String,
    /// `not_open`, `open` or `closed`.
    status: String,
    /// Letters to a random sample (else an open link).
    random_sample: bool,
}

/// Letters and answers of one sampling stratum.
#[derive(serde::Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponseRate {
    district: String,
    year: i32,
    stratum: String,
    letters: i64,
    undeliverable: i64,
    declined: i64,
    /// Answers on the web; `null` when 1–4 (counts that small are never published).
    web: Option<i64>,
    /// Answers on paper; `null` when 1–4.
    paper: Option<i64>,
    /// Answers over delivered letters; `null` when it would give a hidden count away.
    rate: Option<f64>,
}

/// One page of items.
#[derive(serde::Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Page<T> {
    items: Vec<T>,
    page: usize,
    per_page: usize,
    /// Items on all pages.
    total: usize,
}

/// Filters and paging; each endpoint takes the filters that apply to its items and refuses
/// the others, and an unknown parameter is refused rather than ignored.
#[derive(serde::Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct Filter {
    /// A district code, or `ALL` for the municipality.
    district: Option<String>,
    /// A survey year.
    year: Option<i32>,
    /// A question code, or `index:<block>` / `index:total`.
    indicator: Option<String>,
    /// `all`, `sex:<code>` or `age:<code>`.
    group: Option<String>,
    /// `share`, `mean` or `index`.
    kind: Option<String>,
    /// From 1.
    #[param(minimum = 1)]
    page: Option<usize>,
    /// 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    per_page: Option<usize>,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "trygg",
        version = "1",
        description = "Read-only results of the local safety survey. Suppressed estimates carry no value."
    ),
    modifiers(&Bearer)
)]
struct Doc;

/// Every endpoint needs a bearer token.
struct Bearer;

impl utoipa::Modify for Bearer {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
        // (utoipa fills in the crate's license, which has no name here)
        doc.info.license = None;
        doc.components
            .get_or_insert_with(Default::default)
            .add_security_scheme(
                "bearer",
                SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
            );
    }
}

/// The API's routes and its OpenAPI document, made from the same handler attributes.
pub fn routes() -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(Doc::openapi())
        .routes(utoipa_axum::routes!(results))
        .routes(utoipa_axum::routes!(measures))
        .routes(utoipa_axum::routes!(waves))
        .routes(utoipa_axum::routes!(response_rates))
        .split_for_parts()
}

/// The OpenAPI 3.1 document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    routes().1
}

fn bad(why: String) -> Response {
    problem(StatusCode::BAD_REQUEST, &why)
}

/// The query of an API call; a malformed one is refused with the API's JSON error.
pub struct ApiQuery(Filter);

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
    fn takes_wave(&self, w: &crate::store::Wave) -> bool {
        self.district.as_ref().is_none_or(|d| w.district == *d)
            && self.year.is_none_or(|y| w.year == y)
    }

    /// Refuses the filters an endpoint does not take (they would otherwise be ignored and
    /// the caller would get everything).
    fn only(&self, allowed: &[&str]) -> Result<(), Box<Response>> {
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
fn paged<T: serde::Serialize>(items: Vec<T>, f: &Filter) -> Response {
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
