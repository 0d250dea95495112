//! How an [`Error`] that reaches a handler's caller is shown: a short page without details
//! (the details of a failure go to the log), with the error's status — 503 with
//! `Retry-After` when the storage cannot take the request now. On `/api` the same status
//! goes out as `application/problem+json` (`api::problems_only`). Resident-facing handlers
//! turn the errors they expect (unknown wave, invalid answers) into pages in the resident's
//! language themselves.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use crate::error::Error;

/// Seconds a client is asked to wait when the storage is busy.
const RETRY_AFTER_SECS: u32 = 5;

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let lang = crate::i18n::Lang::default();
        let (title, body) = match status {
            StatusCode::SERVICE_UNAVAILABLE => (lang.t("busy_title"), lang.t("busy_body")),
            StatusCode::NOT_FOUND => (lang.t("not_found_title"), lang.t("not_found_body")),
            s if s.is_server_error() => (lang.t("server_error_title"), lang.t("server_error_body")),
            _ => (lang.t("bad_request_title"), lang.t("bad_request_body")),
        };
        let page = crate::views::message_page(&lang, title, body, None);
        let mut res = (status, Html(page.into_string())).into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
        }
        res
    }
}
