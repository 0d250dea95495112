//! What the staff handlers answer with: a page with a status, and a district's name as
//! staff read it.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use maud::Markup;

use crate::http::state::AppState;

/// A staff page with its status.
pub fn page(status: StatusCode, m: Markup) -> Response {
    (status, Html(m.into_string())).into_response()
}

/// A district's Swedish name, or its code.
pub fn district_name(state: &AppState, code: &str) -> String {
    state
        .districts
        .get(code)
        .map(|d| d.name.get("sv").to_string())
        .unwrap_or_else(|| code.to_string())
}
