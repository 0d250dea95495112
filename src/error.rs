//! The application error: its variants say what went wrong, and [`Error::status`] which
//! HTTP status that is. How it is shown (a page, or problem+json on `/api`) is the web's
//! business: `http/error.rs`.

use std::path::PathBuf;

use axum::http::StatusCode;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A setting or flag that cannot work (400 if it ever reaches HTTP).
    #[error("{0}")]
    Config(String),
    /// Input that was refused: a bad file, flag or request (400).
    #[error("{0}")]
    Invalid(String),
    /// What was asked for does not exist: a wave, an account, a key, a measure (404).
    #[error("{0}")]
    NotFound(String),
    /// The caller may not do this (403).
    #[error("{0}")]
    Forbidden(String),
    /// The request conflicts with what is stored, e.g. republishing a wave (409).
    #[error("{0}")]
    Conflict(String),
    /// The storage cannot take the request now — the database is locked, full or out of
    /// connections — and trying again later may work (503).
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// The database failed (500, or 503 when it is busy or full; details only in the log).
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    /// The schema could not be brought up to date (500).
    #[error("database migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Reading or writing a file of trygg's own failed (500): a report, an export, a backup.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A broken invariant (500; details only in the log).
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// A failed file operation on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// The HTTP status of the error: bad input 400, not allowed 403, missing 404, conflicts
    /// 409, storage that cannot take the request now 503, other failures of trygg or its
    /// storage 500 — never a 4xx for what the client did not do.
    pub fn status(&self) -> StatusCode {
        match self {
            Error::Config(_) | Error::Invalid(_) => StatusCode::BAD_REQUEST,
            Error::Forbidden(_) => StatusCode::FORBIDDEN,
            Error::NotFound(_) => StatusCode::NOT_FOUND,
            Error::Conflict(_) => StatusCode::CONFLICT,
            Error::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Error::Db(e) if storage_busy(e) => StatusCode::SERVICE_UNAVAILABLE,
            Error::Db(_) | Error::Migrate(_) | Error::Io { .. } | Error::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }
}

/// Whether a database error means "not now" rather than "broken": no free connection,
/// SQLite busy or locked (5, 6 and their extended codes), a full disk (SQLITE_FULL 13,
/// PostgreSQL's disk_full 53100), or PostgreSQL waiting too long for a lock (55P03, 57014),
/// a serialisation failure or deadlock (40001, 40P01), refusing connections (53300) or
/// shutting down (57P01–57P03).
fn storage_busy(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => true,
        sqlx::Error::Database(d) => {
            let code = d.code().unwrap_or_default();
            let msg = d.message().to_ascii_lowercase();
            matches!(
                code.as_ref(),
                "5" | "6"
                    | "13"
                    | "261"
                    | "517"
                    | "53100"
                    | "53300"
                    | "55P03"
                    | "57014"
                    | "57P01"
                    | "57P02"
                    | "57P03"
            ) || msg.contains("is locked")
                || msg.contains("database or disk is full")
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_of_trygg_are_never_the_clients_fault() {
        let io = Error::io("reports/2026", std::io::Error::other("disk"));
        assert_eq!(io.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(io.to_string(), "reports/2026: disk");
        assert_eq!(
            Error::Db(sqlx::Error::PoolTimedOut).status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(
            Error::Db(sqlx::Error::RowNotFound).status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(Error::NotFound("x".into()).status(), StatusCode::NOT_FOUND);
        assert_eq!(Error::Forbidden("x".into()).status(), StatusCode::FORBIDDEN);
    }
}
