//! The application error: its variants say what went wrong, and [`Error::status`] which
//! HTTP status that is. How it is shown (a page, or problem+json on `/api`) is the web's
//! business: `http/error.rs`.

use axum::http::StatusCode;

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

impl Error {
    /// The HTTP status of the error: bad input 400, conflicts 409, failures of trygg or its
    /// storage 500 — never a 4xx for what the client did not do.
    pub fn status(&self) -> StatusCode {
        match self {
            Error::Config(_) | Error::Invalid(_) => StatusCode::BAD_REQUEST,
            Error::Conflict(_) => StatusCode::CONFLICT,
            Error::Db(_) | Error::Migrate(_) | Error::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }
}
