//! The whole application as one router: each audience's routes (residents, staff, the JSON
//! API, the public reports) merged in one place, under the layers every request passes —
//! cross-site refusal, load shedding, the default language, problem+json on `/api`, the
//! headers every answer carries, and the municipality's face on every page.

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::get;

use crate::http::api;
use crate::http::form;
use crate::http::guard;
use crate::http::origin::PublicOrigin;
use crate::http::reports;
use crate::http::resident;
use crate::http::respond;
use crate::http::staff;
use crate::http::state::{AppState, MAX_STAFF_UPLOAD_BYTES};

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
        .merge(resident::routes())
        .merge(staff::routes())
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
        .fallback(respond::not_found)
        // The guard reads and limits every body before a handler runs (a live staff
        // session's up to the staff limit); axum's own 2 MiB default for multipart would
        // refuse a staff upload the guard allowed.
        .layer(axum::extract::DefaultBodyLimit::max(MAX_STAFF_UPLOAD_BYTES))
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
        // Outermost, so every page made below — the guard's refusals and errors turned
        // into pages too — wears the municipality's face.
        .layer(axum::middleware::from_fn_with_state(state.clone(), face))
        .with_state(state)
}

/// Runs the request with the site settings as the face of every page it renders.
async fn face(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    crate::views::face::wearing(state.site.clone(), next.run(req)).await
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
