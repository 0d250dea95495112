//! Shared test setup: a fresh database per test (a SQLite file, or with
//! `TRYGG_TEST_POSTGRES` set a new database on that PostgreSQL server), the bundled surveys,
//! in-process requests.

use std::path::PathBuf;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{Datelike, Duration, NaiveDate};
use http_body_util::BodyExt;
use tower::ServiceExt;
use trygg::http::{AppState, router};
use trygg::questionnaire::{self, Districts, Questionnaire};
use trygg::store::{NewWave, Store};

pub fn surveys_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("surveys")
}

pub fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

pub fn bundled_path() -> PathBuf {
    surveys_dir().join(format!("trygghet-{}.toml", 2026))
}

pub fn bundled_source() -> String {
    std::fs::read_to_string(bundled_path()).unwrap()
}

pub fn bundled() -> Questionnaire {
    questionnaire::load(&bundled_path()).expect("bundled questionnaire is valid")
}

pub fn districts() -> Districts {
    questionnaire::load_districts(&surveys_dir().join("districts.toml")).unwrap()
}

/// The bundled site settings (`surveys/site.toml`): Linköping's face.
pub fn site() -> questionnaire::Site {
    questionnaire::load_site(&surveys_dir().join("site.toml")).expect("bundled site.toml is valid")
}

/// Every language residents can answer in, with its script direction.
pub const LANGUAGES: [(&str, &str); 7] = [
    ("sv", "ltr"),
    ("en", "ltr"),
    ("ar", "rtl"),
    ("fa", "rtl"),
    ("prs", "rtl"),
    ("so", "ltr"),
    ("ti", "ltr"),
];

/// The PostgreSQL server the suite runs against instead of SQLite files, when
/// `TRYGG_TEST_POSTGRES` names one (a `postgres://` URL; `.ci/run` starts a throwaway one).
pub fn postgres_server() -> Option<String> {
    std::env::var("TRYGG_TEST_POSTGRES")
        .ok()
        .filter(|u| !u.is_empty())
}

/// Runs one administrative statement on the test PostgreSQL server, on a thread and
/// runtime of its own: databases are made and dropped from sync and async tests alike, and
/// from `Drop`.
fn on_server(server: &str, sql: String) -> Result<(), sqlx::Error> {
    use sqlx::Connection;
    let server = server.to_string();
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(async move {
                let mut c = sqlx::PgConnection::connect(&server).await?;
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .execute(&mut c)
                    .await?;
                Ok(())
            })
    })
    .join()
    .unwrap()
}

/// A new, empty database on the test PostgreSQL server; its URL. Dropped with [`PgDatabase`].
pub fn create_postgres_database(server: &str) -> (String, PgDatabase) {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let name = format!(
        "trygg_test_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    on_server(server, format!("create database {name}")).unwrap();
    let mut url = url::Url::parse(server).unwrap();
    url.set_path(&name);
    let server = server.to_string();
    (url.to_string(), PgDatabase { server, name })
}

/// A test's PostgreSQL database, dropped (with its connections) when the test ends.
pub struct PgDatabase {
    server: String,
    name: String,
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        // A database left behind costs disk in a throwaway cluster, nothing more.
        let _ = on_server(
            &self.server,
            format!("drop database if exists {} with (force)", self.name),
        );
    }
}

/// A test database: a SQLite file in its own temporary folder, or a database of its own on
/// the test PostgreSQL server. The folder exists either way, for the test's other files.
pub struct TestDb {
    pub store: Store,
    url: String,
    pub dir: tempfile::TempDir,
    _postgres: Option<PgDatabase>,
}

impl TestDb {
    pub async fn new() -> TestDb {
        Self::with_options(trygg::store::StoreOptions::default()).await
    }

    /// A test database opened with a busy timeout or faults of the test's choice.
    pub async fn with_options(opts: trygg::store::StoreOptions) -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        let mut opts = opts;
        let (url, postgres) = match postgres_server() {
            Some(server) if opts.faults.is_none() => {
                let (url, db) = create_postgres_database(&server);
                // Frozen waves in the test's folder, as beside a SQLite file.
                opts.frozen_dir = Some(dir.path().join("trygg.db.frozen"));
                (url, Some(db))
            }
            _ => (
                dir.path().join("trygg.db").to_str().unwrap().to_string(),
                None,
            ),
        };
        let store = Store::connect_with(&url, opts).await.unwrap();
        TestDb {
            store,
            url,
            dir,
            _postgres: postgres,
        }
    }

    /// What `--database` / `DATABASE_URL` is for this database: the SQLite file's path or
    /// the PostgreSQL URL.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// The SQLite file (for the tests about the file itself; see [`sqlite_only`]).
    pub fn path(&self) -> PathBuf {
        self.dir.path().join("trygg.db")
    }

    /// A second, independent connection to the same database: what is stored.
    pub async fn reopen(&self) -> Store {
        Store::connect(&self.url).await.unwrap()
    }

    /// Publishes the bundled questionnaire for a district and year between two dates.
    pub async fn publish(&self, district: &str, year: i32, opens: NaiveDate, closes: NaiveDate) {
        let src = bundled_source();
        self.store
            .publish(&NewWave {
                district,
                year,
                questionnaire_code: "trygghet-2026",
                source: &src,
                opens_on: opens,
                closes_on: closes,
            })
            .await
            .unwrap();
    }

    /// This year's wave for a district, open today.
    pub async fn publish_open(&self, district: &str) -> i32 {
        let year = today().year();
        self.publish(
            district,
            year,
            today() - Duration::days(10),
            today() + Duration::days(20),
        )
        .await;
        year
    }

    pub fn app(&self) -> Router {
        router(
            AppState::new(self.store.clone(), districts())
                .with_surveys(surveys_dir())
                .with_site(site()),
        )
    }

    /// A separate connection to the database, for statements trygg itself never runs.
    pub async fn connection(&self) -> sqlx::AnyConnection {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        let url = if self.url.contains("://") {
            self.url.clone()
        } else {
            format!("sqlite:{}", self.url)
        };
        sqlx::AnyConnection::connect(&url).await.unwrap()
    }

    /// One integer a statement of the test's own gives (`$1` placeholders on both backends).
    pub async fn scalar(&self, sql: &'static str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(&mut self.connection().await)
            .await
            .unwrap()
    }

    /// The names of a table's columns.
    pub async fn columns(&self, table: &str) -> Vec<String> {
        let sql = if self.url.contains("://") {
            "select column_name::text from information_schema.columns where table_name = $1 order by ordinal_position"
        } else {
            "select name from pragma_table_info($1)"
        };
        sqlx::query_scalar(sql)
            .bind(table)
            .fetch_all(&mut self.connection().await)
            .await
            .unwrap()
    }

    /// Everything the database stores, as text: every byte of the SQLite file and its WAL,
    /// or on PostgreSQL every row of every table (with bytes in hex), for the tests that
    /// search it for what must never be stored.
    pub async fn stored_text(&self) -> String {
        if !self.url.contains("://") {
            let mut bytes = Vec::new();
            for suffix in ["", "-wal"] {
                if let Ok(b) = std::fs::read(format!("{}{suffix}", self.path().display())) {
                    bytes.extend(b);
                }
            }
            return String::from_utf8_lossy(&bytes).into_owned();
        }
        let mut c = self.connection().await;
        let tables: Vec<String> = sqlx::query_scalar(
            "select table_name::text from information_schema.tables where table_schema = 'public'",
        )
        .fetch_all(&mut c)
        .await
        .unwrap();
        let mut out = String::new();
        for t in tables {
            let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "select cast(x as text) from {t} x"
            )))
            .fetch_all(&mut c)
            .await
            .unwrap();
            out.push_str(&rows.join("\n"));
        }
        out
    }

    /// Another writer: a separate connection holding the database's write lock until it
    /// commits (SQLite's `BEGIN IMMEDIATE`; on PostgreSQL the advisory lock every trygg
    /// writer takes).
    pub async fn lock(&self) -> sqlx::AnyConnection {
        let mut other = self.connection().await;
        if self.url.contains("://") {
            sqlx::query("BEGIN").execute(&mut other).await.unwrap();
            sqlx::query("select pg_advisory_xact_lock($1)")
                .bind(trygg::store::POSTGRES_WRITE_LOCK)
                .execute(&mut other)
                .await
                .unwrap();
        } else {
            sqlx::query("BEGIN IMMEDIATE")
                .execute(&mut other)
                .await
                .unwrap();
        }
        other
    }

    pub async fn count(&self) -> i64 {
        self.reopen().await.count_responses(None).await.unwrap()
    }
}

/// Publishes the bundled questionnaire as a September–October wave and stores `answers`.
pub async fn fill_wave(
    store: &Store,
    district: &str,
    year: i32,
    answers: Vec<trygg::questionnaire::Answers>,
) {
    let src = bundled_source();
    let wave = NewWave {
        district,
        year,
        questionnaire_code: "trygghet-2026",
        source: &src,
        opens_on: NaiveDate::from_ymd_opt(year, 9, 1).unwrap(),
        closes_on: NaiveDate::from_ymd_opt(year, 10, 31).unwrap(),
    };
    trygg::demo::publish_with_answers(store, &wave, answers, |_| {})
        .await
        .unwrap();
}

/// Records a wave as one stratum of 5,000 residents with `letters` letters: `answered`
/// used on the web, 20 undeliverable, the rest unused.
pub async fn record_sample(
    store: &trygg::store::Store,
    district: &str,
    year: i32,
    answered: usize,
    letters: usize,
) {
    use trygg::store::CodeStatus;
    let wave = store.wave(district, year).await.unwrap().unwrap();
    let codes = (0..letters)
        .map(|i| {
            let mut hash = vec![0u8; 32];
            hash[..8].copy_from_slice(&(i as u64).to_be_bytes());
            hash[8..16].copy_from_slice(&wave.id.to_be_bytes());
            let status = if i < answered {
                CodeStatus::Web
            } else if i < answered + 20 {
                CodeStatus::Undeliverable
            } else {
                CodeStatus::Unused
            };
            (hash, "alla".to_string(), status)
        })
        .collect();
    let strata = [trygg::fieldwork::StratumCount {
        stratum: "alla".into(),
        population: 5000,
        letters: letters as u64,
    }];
    store.save_sample(wave.id, &strata, codes).await.unwrap();
}

/// Every district's wave in each of `years`, with `n(district, year)` seeded synthetic
/// answers.
pub async fn fill_districts(
    store: &Store,
    q: &Questionnaire,
    years: &[i32],
    seed: u64,
    n: impl Fn(&str, i32) -> usize,
) {
    for &year in years {
        for d in ["skaggetorp", "ryd", "berga", "city"] {
            let answers = trygg::demo::responses(q, d, year, seed, n(d, year)).collect();
            fill_wave(store, d, year, answers).await;
        }
    }
}

/// The actions in the audit log (newest first), of one actor or of everyone.
pub async fn audit_actions(store: &Store, actor: Option<&str>) -> Vec<String> {
    store
        .audit_log(actor, None)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
    /// The body as sent (for downloads that are not text).
    pub bytes: Vec<u8>,
}

/// What a command printed, standard output then standard error.
pub fn text(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A short valid answer by the open link, submitted today.
pub fn web_answer(wave_id: i64) -> trygg::store::NewResponse {
    trygg::store::NewResponse {
        wave_id,
        submitted_on: today(),
        channel: trygg::store::Channel::Web,
        lang: "sv".into(),
        synthetic: false,
        answers: r#"{"T_OMRADET":"ganska_trygg"}"#.into(),
    }
}

pub async fn get(app: &Router, uri: &str) -> Reply {
    send(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

pub async fn post_form(app: &Router, uri: &str, body: impl Into<Vec<u8>>) -> Reply {
    send(
        app,
        Request::post(uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body.into()))
            .unwrap(),
    )
    .await
}

pub async fn send(app: &Router, req: Request<Body>) -> Reply {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        bytes: bytes.to_vec(),
    }
}

/// Form-encodes fields the way a browser does.
pub fn encode(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// A complete, valid answer to every question of the bundled questionnaire.
pub fn full_answers(q: &Questionnaire) -> Vec<(String, String)> {
    use trygg::questionnaire::QuestionKind::*;
    let mut out = vec![("lang".to_string(), "sv".to_string())];
    for question in &q.questions {
        let first = question.options.first().map(|o| o.code.clone());
        match question.kind {
            Single | Scale | YesNo => out.push((question.code.clone(), first.unwrap())),
            Multi => {
                for o in question.options.iter().take(2) {
                    out.push((question.code.clone(), o.code.clone()));
                }
            }
            Number => out.push((question.code.clone(), "7".into())),
            FreeText => out.push((question.code.clone(), "Tunneln vid torget, åäö".into())),
        }
    }
    out
}

pub fn encode_owned(fields: &[(String, String)]) -> String {
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    encode(&refs)
}

/// Stores an API key of `role` (limited to `districts`, its last day `days` after today)
/// made by `creator`; returns the key.
pub async fn api_key(
    store: &Store,
    role: trygg::auth::Role,
    districts: Option<&[String]>,
    days: i64,
    creator: &str,
) -> String {
    let token = trygg::auth::random_token();
    let hash = trygg::auth::token_hash(&token);
    let new = trygg::store::NewApiToken {
        hash: &hash,
        name: &format!("{}-{}", role.as_str(), &token[..6]),
        role,
        expires_on: today() + chrono::Duration::days(days),
        districts,
    };
    store.add_api_token(&new, creator).await.unwrap();
    token
}
