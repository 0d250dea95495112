//! The application error, and how it becomes an HTTP response.
//!
//! Resident-facing handlers turn the errors they expect (unknown wave, invalid answers)
//! into pages in the resident's language themselves; whatever reaches [`IntoResponse`]
//! here is unexpected, is logged in full, and is shown as a short page without details.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A setting or flag that cannot work (400 if it ever reaches HTTP).
    #[error("{0}")]
    Config(String),
    /// Input that was refused: a bad file, flag or request (400).
    #[error("{0}")]
    Invalid(String),
    /// The request conflicts with what is stored, e.g. republishing a wave (409).
    #[error("{0}")]
    Conflict(String),
    /// The database failed (500; details only in the log).
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    /// The schema could not be brought up to date (500).
    #[error("database migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A broken invariant (500; details only in the log).
    #[error("internal error: {0}")]
    Internal(String),
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = match &self {
            Error::Config(_) | Error::Invalid(_) => StatusCode::BAD_REQUEST,
            Error::Conflict(_) => StatusCode::CONFLICT,
            Error::Db(_) | Error::Migrate(_) | Error::Internal(_) => {
                tracing::error!(error = %self, "request failed");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
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
