//! Shared test setup: a fresh SQLite file per test, the bundled surveys, in-process requests.

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

/// A test database in its own temporary folder.
pub struct TestDb {
    pub dir: tempfile::TempDir,
    pub store: Store,
}

impl TestDb {
    pub async fn new() -> TestDb {
        Self::with_options(trygg::store::StoreOptions::default()).await
    }

    /// A test database opened with a busy timeout or faults of the test's choice.
    pub async fn with_options(opts: trygg::store::StoreOptions) -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::connect_with(dir.path().join("trygg.db").to_str().unwrap(), opts)
            .await
            .unwrap();
        TestDb { dir, store }
    }

    pub fn path(&self) -> PathBuf {
        self.dir.path().join("trygg.db")
    }

    /// A second, independent connection to the same file: what is on disk.
    pub async fn reopen(&self) -> Store {
        Store::connect(self.path().to_str().unwrap()).await.unwrap()
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
        router(AppState::new(self.store.clone(), districts()).with_surveys(surveys_dir()))
    }

    /// A separate connection to the database, for statements trygg itself never runs.
    pub async fn connection(&self) -> sqlx::SqliteConnection {
        use sqlx::Connection;
        sqlx::SqliteConnection::connect(&format!("sqlite:{}", self.path().display()))
            .await
            .unwrap()
    }

    /// Another writer: a separate connection holding the database's write lock until it
    /// commits.
    pub async fn lock(&self) -> sqlx::SqliteConnection {
        let mut other = self.connection().await;
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut other)
            .await
            .unwrap();
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
