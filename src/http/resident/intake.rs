//! Reading a resident's form post, for the one-page and the paged questionnaire alike: the
//! body (a form, within the time and size limits), the language, and the plain refusals of
//! what no page of ours sends.

use axum::body::{Body, to_bytes};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;

use crate::http::respond::message;
use crate::http::state::{AppState, MAX_BODY_BYTES};
use crate::i18n::Lang;
use crate::questionnaire;

/// The resident's language if the questionnaire has it, else its source language.
pub(super) fn offered(q: &questionnaire::Questionnaire, lang: Lang) -> Lang {
    if q.languages.iter().any(|l| l == lang.code()) {
        lang
    } else {
        Lang::default()
    }
}

/// The body of a resident's form post, or the page refusing it: not a form (415), too slow
/// (408) or too large (413).
pub(super) async fn read_body(
    state: &AppState,
    lang: &Lang,
    headers: &HeaderMap,
    body: Body,
) -> Result<axum::body::Bytes, Response> {
    let form_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form_type {
        return Err(message(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            lang,
            lang.t("bad_request_title"),
            lang.t("bad_request_body"),
        ));
    }
    let read = tokio::time::timeout(state.limits.body_timeout, to_bytes(body, MAX_BODY_BYTES));
    let Ok(read) = read.await else {
        return Err(message(
            StatusCode::REQUEST_TIMEOUT,
            lang,
            lang.t("timeout_title"),
            lang.t("timeout_body"),
        ));
    };
    read.map_err(|_| {
        let body = lang.tf(
            "too_large_body",
            &[("max", &(MAX_BODY_BYTES / 1024).to_string())],
        );
        message(
            StatusCode::PAYLOAD_TOO_LARGE,
            lang,
            lang.t("too_large_title"),
            &body,
        )
    })
}

/// A form no page of ours sends: a plain message in the resident's language; the
/// technical reason goes to the log only.
pub(super) fn bad_request(lang: &Lang, reason: &str) -> Response {
    tracing::info!(reason, "malformed submission refused");
    message(
        StatusCode::BAD_REQUEST,
        lang,
        lang.t("bad_request_title"),
        lang.t("bad_request_body"),
    )
}

/// A resident's form post read and parsed into fields, or the page refusing it.
pub(super) async fn read_form(
    state: &AppState,
    lang: &Lang,
    headers: &HeaderMap,
    body: Body,
) -> Result<Vec<questionnaire::FormField>, Response> {
    let bytes = read_body(state, lang, headers, body).await?;
    crate::http::form::parse(&bytes).map_err(|e| bad_request(lang, &e.0))
}

/// The page for a wave that takes no answers today (not yet open, or closed), if so.
pub(super) fn not_open(
    lang: &Lang,
    d: &questionnaire::District,
    wave: &crate::store::Wave,
) -> Option<Response> {
    let status = wave.status(crate::http::respond::today());
    (status != crate::store::WaveStatus::Open).then(|| {
        crate::http::respond::page(
            StatusCode::FORBIDDEN,
            crate::views::wave_status_page(lang, d, wave, status),
        )
    })
}

/// Whether a page was reached with Change from the check page (`?granska=1`): its Next
/// then leads back there.
pub(super) fn from_check(uri: &axum::http::Uri) -> bool {
    uri.query()
        .and_then(|q| crate::http::form::parse(q.as_bytes()).ok())
        .is_some_and(|f| f.iter().any(|(k, v)| k == "granska" && v == "1"))
}
