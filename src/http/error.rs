//! How an [`Error`] that reaches a handler's caller is shown: a short page without details
//! (the details go to the log). Resident-facing handlers turn the errors they expect
//! (unknown wave, invalid answers) into pages in the resident's language themselves.

use axum::response::{Html, IntoResponse, Response};

use crate::error::Error;

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let lang = crate::i18n::Lang::default();
        let (title, body) = if status.is_server_error() {
            (lang.t("server_error_title"), lang.t("server_error_body"))
        } else {
            (lang.t("bad_request_title"), lang.t("bad_request_body"))
        };
        let page = crate::views::message_page(&lang, title, body, None);
        (status, Html(page.into_string())).into_response()
    }
}
