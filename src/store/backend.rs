//! Which database server a store talks to: its migrations, how its URL is named in
//! messages (without a password), and which of its errors mean the connection broke.

use sqlx::AnyPool;

use crate::error::Error;

static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Which database server a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The embedded default: one SQLite file.
    Sqlite,
    /// A PostgreSQL server, for several trygg servers on one database.
    Postgres,
}

impl Backend {
    /// Brings the schema up to date with this backend's migrations, or with
    /// `existing_only` just checks that `shown` (the database, for the message) is one of
    /// trygg's.
    pub(super) async fn schema(
        self,
        pool: &AnyPool,
        existing_only: bool,
        shown: &str,
    ) -> Result<(), Error> {
        let (migrator, migrated) = match self {
            Backend::Sqlite => (
                &SQLITE_MIGRATOR,
                "select count(*) from sqlite_master where name = '_sqlx_migrations'",
            ),
            Backend::Postgres => (
                &POSTGRES_MIGRATOR,
                "select count(*) from information_schema.tables where table_name = '_sqlx_migrations'",
            ),
        };
        if !existing_only {
            migrator.run(pool).await?;
            return Ok(());
        }
        let n: i64 = sqlx::query_scalar(migrated).fetch_one(pool).await?;
        if n == 0 {
            return Err(Error::Config(format!("{shown} is not a trygg database")));
        }
        Ok(())
    }

    /// The backend a `DATABASE_URL` names: `postgres://` or `postgresql://` is PostgreSQL;
    /// anything else (a `sqlite:` URL or a plain path) is a SQLite file.
    pub fn of_url(url: &str) -> Backend {
        let scheme = url.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
        if matches!(scheme.as_deref(), Some("postgres" | "postgresql")) {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

/// Whether a statement failed because its connection broke, not because of the statement:
/// I/O, a broken protocol stream, or PostgreSQL's connection (08…) and operator
/// intervention (57P…) errors.
pub(super) fn connection_lost(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_) | sqlx::Error::Protocol(_) => true,
        sqlx::Error::Database(d) => d
            .code()
            .is_some_and(|c| c.starts_with("08") || c.starts_with("57P")),
        _ => false,
    }
}

/// A database URL fit for messages and logs: without its password, whether it is in the
/// user part or a `password=` parameter. A URL that does not parse (a password with an
/// unescaped `#` or `/`) is not shown at all.
pub fn redact(url: &str) -> String {
    if !url.contains("://") {
        return url.to_string(); // a file path
    }
    let Ok(mut u) = url::Url::parse(url) else {
        return "(a database URL that could not be read)".to_string();
    };
    if u.password().is_some() {
        let _ = u.set_password(Some("***"));
    }
    if u.query_pairs()
        .any(|(k, _)| k.eq_ignore_ascii_case("password"))
    {
        let kept: Vec<(String, String)> = u
            .query_pairs()
            .map(|(k, v)| {
                let v = if k.eq_ignore_ascii_case("password") {
                    "***".to_string()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        u.query_pairs_mut().clear().extend_pairs(kept);
    }
    u.to_string()
}
