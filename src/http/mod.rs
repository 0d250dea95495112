//! The web server: routers by audience, shared state, and the headers every page carries.
//!
//! [`router`] does no I/O, so tests drive it in-process with `tower::ServiceExt::oneshot`;
//! [`serve`] (in `server.rs`) binds a port and runs it with connection limits and
//! timeouts until Ctrl-C or SIGTERM. `guard.rs` refuses cross-site posts and sheds load.

pub mod api;
mod codes;
mod error;
mod explorer;
pub mod extract;
pub mod form;
mod guard;
mod measure;
mod publish;
mod reports;
mod server;
pub mod staff;
pub mod stuffing;
mod survey;
pub mod throttle;

pub use guard::PublicOrigin;
pub use server::{Limits, serve};
pub use staff::forbidden as staff_forbidden;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::get;

use crate::error::Error;
use crate::questionnaire::{Districts, Questionnaire};
use crate::store::Store;

/// Largest request body accepted from a resident; a full questionnaire with long free-text
/// answers is about 10 kB.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Largest upload from a signed-in member of staff (a questionnaire file, a scanning CSV of
/// a few thousand paper forms); larger scans go through `trygg import-paper`.
pub const MAX_STAFF_UPLOAD_BYTES: usize = 8 * 1024 * 1024;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub districts: Arc<Districts>,
    /// The folder with generated reports, one subfolder per year.
    pub reports: std::path::PathBuf,
    /// Where residents reach trygg (`https://…`), when it is configured: posts from it are
    /// same-origin, and HSTS is sent when it is `https`.
    pub origin: Option<PublicOrigin>,
    /// Connection and request limits; the in-process router uses the body timeout and
    /// the in-flight cap.
    pub limits: Limits,
    /// Requests being handled now, at most `limits.max_in_flight`.
    in_flight: Arc<tokio::sync::Semaphore>,
    /// The key letter codes are hashed with; without it no code can be looked up.
    pub code_key: Option<Arc<crate::fieldwork::CodeKey>>,
    /// Failed code guesses per client address, in memory only.
    throttle: Arc<throttle::Throttle>,
    /// Open-link answers per client address and identical answers, in memory only.
    pub(crate) open_links: Arc<stuffing::OpenLinkGuard>,
    /// Failed staff logins per account and address, in memory only.
    pub(crate) logins: Arc<crate::auth::throttle::LoginThrottle>,
    /// The header a trusted proxy puts the client's address in (e.g. `x-real-ip`).
    client_ip_header: Option<header::HeaderName>,
    /// The folder with population margins and the measures register, for the explorer.
    pub surveys: std::path::PathBuf,
    /// The explorer's analysis, kept until responses or waves change.
    explorer: Arc<explorer::Cache>,
    /// Parsed questionnaire snapshots by id; snapshots never change, so caching is safe.
    snapshots: Arc<Mutex<HashMap<i64, Arc<Questionnaire>>>>,
}

impl AppState {
    pub fn new(store: Store, districts: Districts) -> Self {
        AppState {
            store,
            districts: Arc::new(districts),
            reports: std::path::PathBuf::from("reports"),
            origin: None,
            limits: Limits::default(),
            in_flight: Arc::new(tokio::sync::Semaphore::new(Limits::default().max_in_flight)),
            code_key: None,
            throttle: Arc::default(),
            open_links: Arc::default(),
            logins: Arc::default(),
            surveys: std::path::PathBuf::from("surveys"),
            explorer: Arc::default(),
            client_ip_header: None,
            snapshots: Arc::default(),
        }
    }

    /// The key letter codes are hashed with.
    pub fn with_code_key(mut self, key: Option<crate::fieldwork::CodeKey>) -> Self {
        self.code_key = key.map(Arc::new);
        self
    }

    /// Take the client's address (for throttling code guesses) from this header, set by a
    /// trusted reverse proxy, instead of the connection's peer.
    pub fn with_client_ip_header(mut self, name: Option<header::HeaderName>) -> Self {
        self.client_ip_header = name;
        self
    }

    /// The surveys folder (population margins, measures) the explorer analyses with.
    pub fn with_surveys(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.surveys = dir.into();
        self
    }

    /// The public origin residents use.
    pub fn with_origin(mut self, origin: Option<PublicOrigin>) -> Self {
        self.origin = origin;
        self
    }

    /// Open-link answers per address and wave per hour that count without review (0: no
    /// limit and no check of identical answers).
    pub fn with_open_link_limit(mut self, limit: u32) -> Self {
        self.open_links = Arc::new(stuffing::OpenLinkGuard::new(limit));
        self
    }

    /// Other limits than the defaults.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.in_flight = Arc::new(tokio::sync::Semaphore::new(limits.max_in_flight));
        self.limits = limits;
        self
    }

    /// Serve reports from another folder than `reports/`.
    pub fn with_reports(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.reports = dir.into();
        self
    }

    /// The questionnaire a wave was published with.
    pub async fn questionnaire(&self, id: i64) -> Result<Arc<Questionnaire>, Error> {
        if let Some(q) = self.snapshots.lock().expect("snapshot cache").get(&id) {
            return Ok(q.clone());
        }
        let q = Arc::new(self.store.questionnaire(id).await?);
        self.snapshots
            .lock()
            .expect("snapshot cache")
            .insert(id, q.clone());
        Ok(q)
    }
}

/// Runs a long job (an analysis or a report: seconds of decoding, raking and writing on a
/// large installation) on a blocking thread, so the async workers keep serving residents.
pub(crate) async fn off_workers<T: Send + 'static>(
    job: impl std::future::Future<Output = Result<T, Error>> + Send + 'static,
) -> Result<T, Error> {
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || runtime.block_on(job))
        .await
        .map_err(|e| Error::Internal(format!("background job: {e}")))?
}

/// The whole application as one router.
pub fn router(state: AppState) -> Router {
    let (api_routes, api_doc) = api::routes();
    // Serialised once: the document never changes while trygg runs.
    let api_document = axum::body::Bytes::from(
        api_doc
            .to_pretty_json()
            .expect("the OpenAPI document is plain JSON"),
    );
    Router::new()
        .merge(survey::routes())
        .merge(codes::routes())
        .merge(staff::routes())
        .route("/personal/resultat", get(explorer::page))
        .route("/personal/resultat.csv", get(explorer::csv))
        .route("/personal/resultat.xlsx", get(explorer::xlsx))
        .route("/personal/atgarder/{id}", get(measure::page))
        .route(
            "/personal/rapporter",
            get(publish::page).post(publish::generate),
        )
        .route("/personal/resultat.parquet", get(explorer::parquet))
        .merge(api_routes)
        .route(
            "/api/v1/openapi.json",
            get(move || async move {
                (
                    [(header::CONTENT_TYPE, "application/json")],
                    api_document.clone(),
                )
            }),
        )
        .merge(reports::routes())
        .route("/static/style.css", get(stylesheet))
        .route("/healthz", get(|| async { "ok" }))
        .fallback(survey::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::same_origin,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::shed_load,
        ))
        .layer(axum::middleware::from_fn(default_language))
        .layer(axum::middleware::from_fn(api::problems_only))
        .layer(axum::middleware::map_response_with_state(
            state.clone(),
            security_headers,
        ))
        .with_state(state)
}

/// When the resident made no choice (`?lang=`), the browser's `Accept-Language` picks the
/// language: the request continues as if it had asked for it, so every handler sees one
/// way of choosing. The choice then travels in links and forms, never in a cookie.
async fn default_language(
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    // The API answers in English JSON whatever the client's languages (Power BI and most
    // HTTP libraries send Accept-Language); a `lang` it does not know would be refused.
    if req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let query = req.uri().query().unwrap_or("");
    let chosen = form::parse(query.as_bytes())
        .map(|f| f.iter().any(|(k, _)| k == "lang"))
        .unwrap_or(true);
    let accepted = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(crate::i18n::Lang::from_accept_language);
    if !chosen && let Some(lang) = accepted {
        let path = req.uri().path();
        let sep = if query.is_empty() { "" } else { "&" };
        if let Ok(uri) = format!("{path}?{query}{sep}lang={}", lang.code()).parse() {
            *req.uri_mut() = uri;
        }
    }
    next.run(req).await
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        crate::views::STYLESHEET,
    )
}

/// No third-party content, no framing, no referrer leaking the survey URL, no page kept
/// in a cache (the form and the 422 page hold a resident's answers), HSTS over https.
async fn security_headers(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut res: axum::response::Response,
) -> axum::response::Response {
    let h = res.headers_mut();
    // Handlers that serve public, answer-free files (stylesheet, reports) set their own.
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if state.origin.as_ref().is_some_and(PublicOrigin::is_https) {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    // A handler that set its own policy (the self-contained reports) keeps it.
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
            ),
        );
    }
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    res
}
