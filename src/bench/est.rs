//! `trygg bench --est`: the EST week's page on a large history. The survey demo (so the page
//! also shows survey indicators) and at least `n` synthetic incident reports (the demo's
//! generator at a higher rate) go into a fresh SQLite file; then the page of this week is
//! requested through the whole router — session lookup, counts, picture, map, the 52-week
//! chart and its HTML — for one district and for all districts, and timed.

use std::path::Path;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use tower::ServiceExt;

use crate::error::Error;
use crate::est::Week;
use crate::questionnaire::Districts;
use crate::role::Role;
use crate::store::Store;

use super::timing::percentile;

/// Requests timed per page.
const RUNS: usize = 100;

pub async fn week_page(
    workdir: &Path,
    surveys: &Path,
    districts: &Districts,
    n: usize,
) -> Result<String, Error> {
    std::fs::create_dir_all(workdir)
        .map_err(|e| Error::Invalid(format!("{}: {e}", workdir.display())))?;
    let db = workdir.join("trygg-est-bench.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let _ = std::fs::remove_dir_all(format!("{}.frozen", db.display()));
    let store = Store::connect(db.to_str().unwrap_or("trygg-est-bench.db")).await?;
    let seed = crate::demo::DEFAULT_SEED;
    let today = chrono::Local::now().date_naive();
    let started = Instant::now();
    let demo = crate::demo::fill(&store, districts, surveys, seed).await?;
    // The demo's own reports, then the generator scaled to reach `n` in all.
    let scale = (n.saturating_sub(demo.est_reports) as f64 / demo.est_reports.max(1) as f64) * 1.03;
    let more = crate::demo::fill_est(&store, districts, surveys, today, seed + 1, scale).await?;
    let reports = demo.est_reports + more;
    let generate = started.elapsed().as_secs_f64();
    if reports < n {
        return Err(Error::Internal(format!(
            "the generator made {reports} reports, fewer than {n}"
        )));
    }
    let cookie = session(&store).await?;
    let app = crate::http::router(
        crate::http::AppState::new(store.clone(), districts.clone()).with_surveys(surveys),
    );
    let week = Week::of(today);
    let district = districts.codes().next().unwrap_or("skaggetorp").to_string();
    let one = time(&app, &cookie, &format!("/personal/est/{district}/{week}")).await?;
    let all = time(&app, &cookie, &format!("/personal/est/alla/{week}")).await?;
    store.close().await;
    let line = |what: &str, t: &Timed| {
        format!(
            "{what:<22} p50 {:>7.2} ms   p95 {:>7.2} ms   max {:>7.2} ms   (target < 100 ms; {RUNS} requests, {} kB; first {:.2} ms)",
            percentile(&t.sorted, 0.5),
            percentile(&t.sorted, 0.95),
            percentile(&t.sorted, 1.0),
            t.bytes / 1024,
            t.first.as_secs_f64() * 1000.0,
        )
    };
    Ok(format!(
        "trygg bench --est: {reports} synthetic EST reports over {} weeks (all statuses; the demo's rates x {:.1}), survey demo {} responses; generated and stored in {generate:.1} s\n{}\n{}",
        crate::demo::est::WEEKS_BACK,
        scale + 1.0,
        demo.responses,
        line(&format!("week page, {district}:"), &one),
        line("week page, all:", &all),
    ))
}

/// An administrator's session on the benchmark database: its cookie.
async fn session(store: &Store) -> Result<String, Error> {
    let account = store
        .add_staff("est-bench@kommun.se", Role::Admin, None, "bench")
        .await?;
    let token = crate::auth::random_token();
    let csrf = crate::auth::random_token();
    store
        .add_session(
            &crate::auth::token_hash(&token),
            account.id,
            &csrf,
            crate::auth::now_secs(),
        )
        .await?;
    Ok(format!("{}={token}", crate::auth::COOKIE))
}

struct Timed {
    /// The first request's time (the survey analysis is computed and cached then).
    first: Duration,
    sorted: Vec<Duration>,
    bytes: usize,
}

/// Requests `uri` once to warm the caches, then [`RUNS`] times; every answer must be a 200.
async fn time(app: &axum::Router, cookie: &str, uri: &str) -> Result<Timed, Error> {
    let mut first = None;
    let mut sorted = Vec::with_capacity(RUNS);
    let mut bytes = 0;
    for _ in 0..=RUNS {
        let req = Request::get(uri)
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .map_err(|e| Error::Internal(e.to_string()))?;
        let started = Instant::now();
        let res = app
            .clone()
            .oneshot(req)
            .await
            .map_err(|e| Error::Internal(e.to_string()))?;
        let status = res.status();
        let body = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .map_err(|e| Error::Internal(e.to_string()))?;
        let took = started.elapsed();
        if status != StatusCode::OK {
            return Err(Error::Internal(format!("{uri} answered {status}")));
        }
        bytes = body.len();
        match first {
            None => first = Some(took),
            Some(_) => sorted.push(took),
        }
    }
    sorted.sort();
    Ok(Timed {
        first: first.unwrap_or_default(),
        sorted,
        bytes,
    })
}
