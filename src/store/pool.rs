//! The [`Store`]: a connection pool opened on a SQLite file or a PostgreSQL database with
//! the schema brought up to date, and the read and write paths every statement takes.

use std::str::FromStr;
use std::sync::atomic::Ordering;
use std::time::Duration;

use sqlx::AnyPool;
use sqlx::any::AnyPoolOptions;
use sqlx::sqlite::SqliteConnectOptions;

use super::backend::{Backend, connection_lost, redact};
use super::options::{Faults, StoreOptions};
use super::{group, wal, write};
use crate::error::Error;

/// The database, behind one interface.
#[derive(Clone, Debug)]
pub struct Store {
    pub(super) pool: AnyPool,
    pub(super) backend: Backend,
    pub(super) faults: Option<Faults>,
    /// The group-commit writer residents' answers go through (`group.rs`).
    pub(super) writer: std::sync::Arc<group::Writer>,
    /// The folder of frozen closed waves, if any (`frozen.rs`).
    pub(super) frozen: Option<std::path::PathBuf>,
    /// SQLite: the WAL file and what was last seen of it (`wal.rs`, `checkpoint.rs`).
    pub(super) wal: Option<std::sync::Arc<wal::WalWatch>>,
}

/// How many times a read is tried when its connections keep breaking.
const READ_ATTEMPTS: u32 = 4;

impl Store {
    /// Opens (creating if needed) the database named by `url` and brings its schema up to date.
    ///
    /// `url` is a `sqlite:` URL or a plain file path (the embedded default), or a
    /// `postgres://` URL of a database that exists (its tables are created here).
    pub async fn connect(url: &str) -> Result<Store, Error> {
        Self::connect_with(url, StoreOptions::default()).await
    }

    /// [`Store::connect`] with a busy timeout and faults of the caller's choice.
    pub async fn connect_with(url: &str, opts: StoreOptions) -> Result<Store, Error> {
        sqlx::any::install_default_drivers();
        match Backend::of_url(url) {
            Backend::Sqlite => Self::connect_sqlite(url, opts).await,
            Backend::Postgres => Self::connect_postgres(url, opts).await,
        }
    }

    async fn connect_postgres(url: &str, opts: StoreOptions) -> Result<Store, Error> {
        if opts.faults.is_some() {
            return Err(Error::Config(
                "storage faults can only be injected into a SQLite database".into(),
            ));
        }
        let pool = AnyPoolOptions::new()
            // Several servers share one PostgreSQL: each keeps a modest pool.
            .max_connections(16)
            .acquire_timeout(opts.busy_timeout + Duration::from_secs(1))
            .after_connect(move |conn, _| {
                let ms = opts.busy_timeout.as_millis();
                Box::pin(async move {
                    for setting in [
                        // The busy timeout's twin: a statement waiting for another
                        // server's lock gives up instead of hanging the resident.
                        format!("SET lock_timeout = {ms}"),
                        // A receipt means committed and flushed, whatever the database or
                        // role was tuned to.
                        "SET synchronous_commit = on".to_string(),
                        // A transaction whose client vanished (its COMMIT lost on the way)
                        // must not hold the write lock until TCP notices.
                        "SET idle_in_transaction_session_timeout = 60000".to_string(),
                    ] {
                        sqlx::query(sqlx::AssertSqlSafe(setting))
                            .execute(&mut *conn)
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect(url)
            .await
            .map_err(|e| Error::Config(format!("PostgreSQL at {}: {e}", redact(url))))?;
        Backend::Postgres
            .schema(&pool, opts.existing_only, &redact(url))
            .await?;
        Ok(Store {
            pool,
            backend: Backend::Postgres,
            faults: None,
            writer: Default::default(),
            frozen: opts.frozen_dir,
            wal: None,
        })
    }

    async fn connect_sqlite(url: &str, opts: StoreOptions) -> Result<Store, Error> {
        let (options, file, memory) = Self::sqlite_file(url, &opts)?;
        let pool = Self::sqlite_pool(options, &opts).await?;
        Backend::Sqlite
            .schema(&pool, opts.existing_only, &file.display().to_string())
            .await?;
        let frozen = opts.frozen_dir.or_else(|| {
            let mut name = file.file_name()?.to_os_string();
            name.push(".frozen");
            (!memory).then(|| file.with_file_name(name))
        });
        let wal = (!memory).then(|| {
            let mut name = file.as_os_str().to_os_string();
            name.push("-wal");
            std::sync::Arc::new(wal::WalWatch::new(name.into()))
        });
        Ok(Store {
            pool,
            backend: Backend::Sqlite,
            faults: opts.faults,
            writer: Default::default(),
            frozen,
            wal,
        })
    }

    /// The SQLite file a URL or path names, checked (its folder exists; with `existing_only`,
    /// so does the file) and created for its owner only when it may be; and whether it is
    /// an in-memory database.
    fn sqlite_file(
        url: &str,
        opts: &StoreOptions,
    ) -> Result<(SqliteConnectOptions, std::path::PathBuf, bool), Error> {
        let options = if url.starts_with("sqlite:") {
            SqliteConnectOptions::from_str(url)
                .map_err(|e| Error::Config(format!("DATABASE_URL \"{url}\": {e}")))?
        } else {
            SqliteConnectOptions::new().filename(url)
        };
        let memory = url.contains(":memory:");
        let file = options.get_filename().to_path_buf();
        if let Some(dir) = file.parent()
            && !dir.as_os_str().is_empty()
            && !memory
            && !dir.is_dir()
        {
            return Err(Error::Config(format!(
                "the folder {} for the database does not exist",
                dir.display()
            )));
        }
        if opts.existing_only && !memory && !file.is_file() {
            return Err(Error::Config(format!(
                "there is no database at {}",
                file.display()
            )));
        }
        if !opts.existing_only && !memory {
            // The file holds every answer: it is created for its owner only before SQLite
            // opens it, and SQLite gives the -wal and -shm files the database file's mode.
            match crate::files::create_new(&file) {
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => {
                    return Err(Error::Config(format!(
                        "creating the database {}: {e}",
                        file.display()
                    )));
                }
            }
        }
        Ok((options, file, memory))
    }

    /// The pool on a SQLite file: WAL, synchronous commits and the busy timeout on every
    /// connection, and the injected disk limit when the tests ask for one.
    async fn sqlite_pool(
        options: SqliteConnectOptions,
        opts: &StoreOptions,
    ) -> Result<AnyPool, Error> {
        let options = options.create_if_missing(!opts.existing_only);
        let any = <sqlx::any::AnyConnectOptions as sqlx::ConnectOptions>::from_url(
            &sqlx::ConnectOptions::to_url_lossy(&options),
        )?;
        let busy_ms = opts.busy_timeout.as_millis();
        let mut pool_options = AnyPoolOptions::new()
            .max_connections(8)
            // A resident waiting for a connection waits no longer than for a lock.
            .acquire_timeout(opts.busy_timeout + Duration::from_secs(1))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    // WAL, so readers never wait for the writer; FULL, so a commit is
                    // synced before it returns and an acknowledged response survives power
                    // loss too, not only a killed process. secure_delete zeroes what is
                    // deleted (a closed wave's codes, a replaced status) instead of leaving
                    // it in free pages of the file.
                    for pragma in [
                        "PRAGMA journal_mode = WAL".to_string(),
                        "PRAGMA synchronous = FULL".to_string(),
                        "PRAGMA secure_delete = ON".to_string(),
                        "PRAGMA foreign_keys = ON".to_string(),
                        format!("PRAGMA busy_timeout = {busy_ms}"),
                    ] {
                        sqlx::query(sqlx::AssertSqlSafe(pragma))
                            .execute(&mut *conn)
                            .await?;
                    }
                    Ok(())
                })
            });
        if let Some(faults) = opts.faults.clone() {
            pool_options = pool_options.before_acquire(move |conn, _| {
                let limit = faults.page_limit.load(Ordering::SeqCst);
                Box::pin(async move {
                    // Without a limit, SQLite's own maximum (it clamps larger values).
                    let pages = if limit == 0 { u32::MAX as u64 } else { limit };
                    sqlx::query(sqlx::AssertSqlSafe(format!(
                        "PRAGMA max_page_count = {pages}"
                    )))
                    .execute(&mut *conn)
                    .await?;
                    Ok(true)
                })
            });
        }
        Ok(pool_options.connect_with(any).await?)
    }

    /// The database server behind this store.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Runs a read again (up to [`READ_ATTEMPTS`] in all) when its connection broke under it
    /// (the database server ended it: an administrator, a restart, a failover), so a
    /// resident's page does not fail on connections the pool did not yet know were gone.
    /// Reads change nothing, so repeating one is safe; writes are never repeated (`WriteTx`
    /// refuses instead, or learns the outcome of its `COMMIT`).
    pub(super) async fn read<'q, T, Fut>(&self, run: impl Fn() -> Fut) -> Result<T, sqlx::Error>
    where
        Fut: std::future::Future<Output = Result<T, sqlx::Error>> + 'q,
    {
        let mut attempt = 1;
        loop {
            match run().await {
                Err(e) if connection_lost(&e) && attempt < READ_ATTEMPTS => {
                    tracing::warn!(error = %e, attempt, "a read lost its connection; reading again");
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    /// A write transaction on a connection that is closed on failure ([`write::WriteTx`]).
    pub(super) async fn write(&self) -> Result<write::WriteTx, Error> {
        write::WriteTx::begin(
            &self.pool,
            self.backend,
            self.faults.as_ref().map(|f| f.fail_commit.clone()),
        )
        .await
    }

    /// Pages in the database file now (the tests fill the "disk" just above it; SQLite only).
    pub async fn page_count(&self) -> Result<u64, Error> {
        let n: i64 = sqlx::query_scalar("PRAGMA page_count")
            .fetch_one(&self.pool)
            .await?;
        Ok(n as u64)
    }

    /// Closes the pool, waiting for connections to finish (and the WAL to checkpoint).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}
