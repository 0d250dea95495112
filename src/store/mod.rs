//! Every SQL statement of trygg: questionnaire snapshots, waves and responses.
//!
//! The embedded default is a SQLite file in WAL mode with `synchronous = FULL`, so a
//! committed response is on disk before the resident sees the receipt — it survives the
//! process being killed and the machine losing power. A `postgres://` URL selects
//! PostgreSQL instead, for installations with several servers (a police region).
//!
//! Both backends run the very same statements through sqlx's `Any` driver: every statement
//! is written once, in the SQL both understand (`$1` placeholders, `returning`, `on conflict`,
//! no `PRAGMA` outside the SQLite-only corners), and integers everywhere a flag is kept, so
//! a row reads the same from either. Each backend has its own migrations
//! (`migrations/sqlite`, `migrations/postgres`) creating the same tables.
//!
//! Every write goes through [`write::WriteTx`], which discards a connection after any
//! failure instead of returning it to the pool in an unknown state, and which serialises
//! writers on both backends (see there).

mod backup;
mod checkpoint;
mod copy;
mod fieldwork;
mod frozen;
mod group;
mod held;
mod measures;
mod staff;
mod write;

pub use backup::BackupSummary;
pub use copy::{CopyProgress, CopySummary};
pub use fieldwork::{CodeInfo, CodeOutcome, CodeState, CodeStatus, StratumRate, closed_refusal};
pub use frozen::FrozenWave;
pub use held::{HeldCount, HoldReason};
pub use staff::{ApiToken, AuditEntry, SessionRow, StaffAccount};
pub use write::WRITE_LOCK as POSTGRES_WRITE_LOCK;

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use chrono::NaiveDate;
use sha2::{Digest, Sha256};
use sqlx::AnyPool;
use sqlx::Row;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::sqlite::SqliteConnectOptions;

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
    async fn schema(self, pool: &AnyPool, existing_only: bool, shown: &str) -> Result<(), Error> {
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

/// The database, behind one interface.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    faults: Option<Faults>,
    /// The group-commit writer residents' answers go through (`group.rs`).
    writer: std::sync::Arc<group::Writer>,
    /// The folder of frozen closed waves, if any (`frozen.rs`).
    frozen: Option<std::path::PathBuf>,
    /// SQLite: the WAL file and what was last seen of it (`checkpoint.rs`).
    wal: Option<std::sync::Arc<checkpoint::WalWatch>>,
}

/// How long a writer waits for another writer's lock before the resident is told
/// "nothing was saved, try again".
pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// How the database is opened.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// How long a statement waits for a lock held by another connection or process.
    pub busy_timeout: Duration,
    /// Faults to inject; `None` in production.
    pub faults: Option<Faults>,
    /// Open only a database that exists, without bringing its schema up to date (for
    /// `backup`: a mistyped path must not create an empty database to back up).
    pub existing_only: bool,
    /// Where frozen closed waves are kept. `None`: beside a SQLite file
    /// (`<database>.frozen`); on PostgreSQL, no frozen files (every wave is read from the
    /// server).
    pub frozen_dir: Option<std::path::PathBuf>,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            busy_timeout: DEFAULT_BUSY_TIMEOUT,
            faults: None,
            existing_only: false,
            frozen_dir: None,
        }
    }
}

/// Storage faults the tests switch on and off while a server runs, without root: a full
/// disk (SQLite's real `SQLITE_FULL`, through `PRAGMA max_page_count` applied to every
/// connection as it is handed out) and an I/O failure at commit.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Largest database size in pages; 0 means no limit.
    page_limit: Arc<AtomicU64>,
    fail_commit: Arc<AtomicBool>,
}

impl Faults {
    /// From now on the database cannot grow beyond `pages` pages ("the disk is full").
    pub fn fill_disk_at(&self, pages: u64) {
        self.page_limit.store(pages.max(1), Ordering::SeqCst);
    }

    /// The disk has room again.
    pub fn free_disk(&self) {
        self.page_limit.store(0, Ordering::SeqCst);
    }

    /// Every commit fails with an I/O error while `on` is true.
    pub fn fail_commits(&self, on: bool) {
        self.fail_commit.store(on, Ordering::SeqCst);
    }
}

/// A published wave.
#[derive(Debug, Clone, PartialEq)]
pub struct Wave {
    pub id: i64,
    pub district: String,
    pub year: i32,
    pub questionnaire_id: i64,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    /// Drawn as a random sample with letter codes; otherwise an open link anyone can answer.
    pub sampled: bool,
}

/// Where a wave stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaveStatus {
    NotOpen,
    Open,
    Closed,
}

impl Wave {
    pub fn status(&self, today: NaiveDate) -> WaveStatus {
        if today < self.opens_on {
            WaveStatus::NotOpen
        } else if today > self.closes_on {
            WaveStatus::Closed
        } else {
            WaveStatus::Open
        }
    }
}

/// A wave to publish, with the questionnaire source it snapshots.
#[derive(Debug, Clone)]
pub struct NewWave<'a> {
    pub district: &'a str,
    pub year: i32,
    pub questionnaire_code: &'a str,
    pub source: &'a str,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
}

/// What publishing did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Published {
    Created,
    /// The same questionnaire and dates were already published: nothing changed.
    Unchanged,
}

/// A validated response ready to store.
#[derive(Debug, Clone)]
pub struct NewResponse {
    pub wave_id: i64,
    pub submitted_on: NaiveDate,
    pub channel: Channel,
    pub lang: String,
    pub synthetic: bool,
    /// JSON from [`crate::questionnaire::Answers::to_json`].
    pub answers: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Web,
    Paper,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Web => "web",
            Channel::Paper => "paper",
        }
    }
}

/// A stored response as the analysis reads it.
#[derive(Debug, Clone)]
pub struct StoredResponse {
    pub wave_id: i64,
    pub answers: String,
}

const DATE: &str = "%Y-%m-%d";

/// Responses per insert statement: 6 parameters each, far below either backend's limit on
/// parameters in one statement (SQLite 32,766; PostgreSQL 65,535).
const ROWS_PER_INSERT: usize = 256;

/// How many times a read is tried when its connections keep breaking.
const READ_ATTEMPTS: u32 = 4;

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

fn date(s: &str) -> Result<NaiveDate, Error> {
    NaiveDate::parse_from_str(s, DATE)
        .map_err(|_| Error::Internal(format!("stored date \"{s}\" is not YYYY-MM-DD")))
}

fn sha256_hex(s: &str) -> String {
    hex(&Sha256::digest(s.as_bytes()))
}

/// Bytes in lower-case hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

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
        let pool = pool_options.connect_with(any).await?;
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
            std::sync::Arc::new(checkpoint::WalWatch::new(name.into()))
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
    async fn write(&self) -> Result<write::WriteTx, Error> {
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

    /// Publishes a wave with an immutable snapshot of its questionnaire.
    ///
    /// Publishing the same file with the same dates again changes nothing; a different
    /// questionnaire or dates for an existing wave is refused.
    pub async fn publish(&self, w: &NewWave<'_>) -> Result<Published, Error> {
        let sha = sha256_hex(w.source);
        let mut tx = self.write().await?;
        let existing = sqlx::query(
            r#"select w.id, q.sha256, w.opens_on, w.closes_on
               from waves w join questionnaires q on q.id = w.questionnaire_id
               where w.district = $1 and w.year = $2"#,
        )
        .bind(w.district)
        .bind(w.year)
        .fetch_optional(tx.conn())
        .await?;
        if let Some(row) = existing {
            let old_sha: String = row.get("sha256");
            let opens: String = row.get("opens_on");
            let closes: String = row.get("closes_on");
            if old_sha != sha {
                return Err(Error::Conflict(format!(
                    "wave {} {} is already published with a different questionnaire; a published wave never changes (publish the edited file for a new year instead)",
                    w.district, w.year
                )));
            }
            if opens != w.opens_on.format(DATE).to_string()
                || closes != w.closes_on.format(DATE).to_string()
            {
                return Err(Error::Conflict(format!(
                    "wave {} {} is already published open {opens} to {closes}; its dates cannot be changed by publishing again",
                    w.district, w.year
                )));
            }
            return Ok(Published::Unchanged);
        }
        let qid: i64 = match sqlx::query_scalar("select id from questionnaires where sha256 = $1")
            .bind(&sha)
            .fetch_optional(tx.conn())
            .await?
        {
            Some(id) => id,
            None => {
                sqlx::query_scalar(
                    r#"insert into questionnaires (code, sha256, source, published_on)
                       values ($1, $2, $3, $4) returning id"#,
                )
                .bind(w.questionnaire_code)
                .bind(&sha)
                .bind(w.source)
                .bind(chrono::Local::now().date_naive().format(DATE).to_string())
                .fetch_one(tx.conn())
                .await?
            }
        };
        sqlx::query(
            r#"insert into waves (district, year, questionnaire_id, opens_on, closes_on)
               values ($1, $2, $3, $4, $5)"#,
        )
        .bind(w.district)
        .bind(w.year)
        .bind(qid)
        .bind(w.opens_on.format(DATE).to_string())
        .bind(w.closes_on.format(DATE).to_string())
        .execute(tx.conn())
        .await?;
        tx.commit().await?;
        Ok(Published::Created)
    }

    fn wave_from_row(row: &AnyRow) -> Result<Wave, Error> {
        Ok(Wave {
            id: row.get("id"),
            district: row.get("district"),
            year: row.get("year"),
            questionnaire_id: row.get("questionnaire_id"),
            opens_on: date(row.get("opens_on"))?,
            closes_on: date(row.get("closes_on"))?,
            sampled: row.get::<i64, _>("sampled") != 0,
        })
    }

    pub async fn wave(&self, district: &str, year: i32) -> Result<Option<Wave>, Error> {
        let row = self
            .read(|| {
                sqlx::query(
                    r#"select id, district, year, questionnaire_id, opens_on, closes_on,
                          (select count(*) from sample_strata s where s.wave_id = waves.id) as sampled
                   from waves where district = $1 and year = $2"#,
                )
                .bind(district)
                .bind(year)
                .fetch_optional(&self.pool)
            })
            .await?;
        row.as_ref().map(Self::wave_from_row).transpose()
    }

    /// The wave with this id.
    pub async fn wave_by_id(&self, id: i64) -> Result<Option<Wave>, Error> {
        let row = self
            .read(|| {
                sqlx::query(
                    r#"select id, district, year, questionnaire_id, opens_on, closes_on,
                          (select count(*) from sample_strata s where s.wave_id = waves.id) as sampled
                   from waves where id = $1"#,
                )
                .bind(id)
                .fetch_optional(&self.pool)
            })
            .await?;
        row.as_ref().map(Self::wave_from_row).transpose()
    }

    /// Every wave, by year and district.
    pub async fn waves(&self) -> Result<Vec<Wave>, Error> {
        let rows = self
            .read(|| {
                sqlx::query(
                    r#"select id, district, year, questionnaire_id, opens_on, closes_on,
                          (select count(*) from sample_strata s where s.wave_id = waves.id) as sampled
                   from waves order by year, district"#,
                )
                .fetch_all(&self.pool)
            })
            .await?;
        rows.iter().map(Self::wave_from_row).collect()
    }

    /// The questionnaire source a wave was published with.
    pub async fn snapshot(&self, questionnaire_id: i64) -> Result<String, Error> {
        Ok(self
            .read(|| {
                sqlx::query_scalar("select source from questionnaires where id = $1")
                    .bind(questionnaire_id)
                    .fetch_one(&self.pool)
            })
            .await?)
    }

    /// The questionnaire a wave was published with, parsed from its snapshot.
    pub async fn questionnaire(
        &self,
        questionnaire_id: i64,
    ) -> Result<crate::questionnaire::Questionnaire, Error> {
        let source = self.snapshot(questionnaire_id).await?;
        crate::questionnaire::parse(&format!("snapshot {questionnaire_id}"), &source).map_err(|f| {
            Error::Internal(format!(
                "stored questionnaire snapshot {questionnaire_id} no longer parses: {}",
                f[0]
            ))
        })
    }

    /// Stores one response (through the group-commit writer, `group.rs`); when this
    /// returns Ok it is on disk.
    pub async fn insert_response(&self, r: &NewResponse) -> Result<(), Error> {
        match self.submit(r.clone(), None).await? {
            CodeOutcome::Stored => Ok(()),
            other => Err(Error::Internal(format!(
                "an answer without a code came back as {other:?}"
            ))),
        }
    }

    /// Stores many responses in one transaction: all of them or none.
    pub async fn insert_responses(&self, rs: &[NewResponse]) -> Result<(), Error> {
        let mut tx = self.write().await?;
        Self::insert_many_in(&mut tx, rs.iter()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Inserts responses inside a write transaction, many rows per statement: one round trip
    /// per [`ROWS_PER_INSERT`] answers instead of one each, which is what lets a batch of
    /// residents' answers cost little more than one answer.
    pub(super) async fn insert_many_in<'r>(
        tx: &mut write::WriteTx,
        rs: impl IntoIterator<Item = &'r NewResponse>,
    ) -> Result<(), Error> {
        let rs: Vec<&NewResponse> = rs.into_iter().collect();
        for chunk in rs.chunks(ROWS_PER_INSERT) {
            let values: Vec<String> = (0..chunk.len())
                .map(|i| {
                    let p = i * 6;
                    format!(
                        "(${}, ${}, ${}, ${}, ${}, ${})",
                        p + 1,
                        p + 2,
                        p + 3,
                        p + 4,
                        p + 5,
                        p + 6
                    )
                })
                .collect();
            let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
                "insert into responses (wave_id, submitted_on, channel, lang, synthetic, answers) values {}",
                values.join(", ")
            )));
            for r in chunk {
                q = q
                    .bind(r.wave_id)
                    .bind(r.submitted_on.format(DATE).to_string())
                    .bind(r.channel.as_str())
                    .bind(r.lang.clone())
                    .bind(i64::from(r.synthetic))
                    .bind(r.answers.clone());
            }
            q.execute(tx.conn()).await?;
        }
        Ok(())
    }

    /// Number of responses, in one wave or in all.
    pub async fn count_responses(&self, wave_id: Option<i64>) -> Result<i64, Error> {
        Ok(
            sqlx::query_scalar("select count(*) from responses where ($1 is null or wave_id = $1)")
                .bind(wave_id)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Responses of one wave, in storage order, for the analysis.
    pub async fn responses(&self, wave_id: i64) -> Result<Vec<StoredResponse>, Error> {
        let rows =
            sqlx::query("select wave_id, answers from responses where wave_id = $1 order by id")
                .bind(wave_id)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .iter()
            .map(|r| StoredResponse {
                wave_id: r.get("wave_id"),
                answers: r.get("answers"),
            })
            .collect())
    }

    /// Calls `f` with each stored answers JSON of a wave, streaming: the rows are never all
    /// in memory at once, so the analysis can load a million responses in one pass.
    pub async fn scan_responses(
        &self,
        wave_id: i64,
        mut f: impl FnMut(&str) -> Result<(), Error>,
    ) -> Result<u64, Error> {
        use futures_util::TryStreamExt;
        let mut rows = sqlx::query("select answers from responses where wave_id = $1 order by id")
            .bind(wave_id)
            .fetch(&self.pool);
        let mut n = 0;
        while let Some(row) = rows.try_next().await? {
            let answers: &str = row.try_get("answers")?;
            f(answers)?;
            n += 1;
        }
        Ok(n)
    }

    /// Whether the database holds no waves at all (then `serve --demo` fills it).
    pub async fn is_empty(&self) -> Result<bool, Error> {
        let n: i64 = sqlx::query_scalar("select count(*) from waves")
            .fetch_one(&self.pool)
            .await?;
        Ok(n == 0)
    }

    /// Closes the pool, waiting for connections to finish (and the WAL to checkpoint).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}
