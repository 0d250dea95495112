//! The pages about the site — `/om`, `/integritet`, `/tillganglighet` — in the resident's
//! language, and the municipality's logo (`/site/logo`) and colours (`/static/site.css`)
//! from the site settings the server loaded.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::http::respond::{page, query_lang};
use crate::http::state::AppState;
use crate::views;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/om", get(about))
        .route("/integritet", get(privacy))
        .route("/tillganglighet", get(accessibility))
        .route("/site/logo", get(logo))
        .route("/static/site.css", get(colours))
}

async fn about(State(state): State<AppState>, uri: Uri) -> Response {
    page(
        StatusCode::OK,
        views::about_page(&query_lang(&uri), &state.site),
    )
}

async fn privacy(State(state): State<AppState>, uri: Uri) -> Response {
    page(
        StatusCode::OK,
        views::privacy_page(&query_lang(&uri), &state.site),
    )
}

async fn accessibility(State(state): State<AppState>, uri: Uri) -> Response {
    let lang = query_lang(&uri);
    page(
        StatusCode::OK,
        views::accessibility_page(&lang, &state.site),
    )
}

/// The logo, from memory (read and checked when the settings were loaded). An SVG opened on
/// its own gets a policy that lets nothing run or load: no scripts, no other resources, a
/// sandbox; `nosniff` (on every answer) keeps browsers to the stated type.
async fn logo(State(state): State<AppState>) -> Response {
    let logo = &state.site.logo;
    if logo.bytes.is_empty() {
        return crate::http::respond::not_found(Uri::from_static("/site/logo")).await;
    }
    let mut res = logo.bytes.clone().into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(logo.content_type),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; sandbox"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    res
}

/// The site's colours as CSS custom properties the stylesheet uses.
async fn colours(State(state): State<AppState>) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        views::face::stylesheet(&state.site),
    )
}
