//! The web server: routers by audience, shared state, and the headers every page carries.
//!
//! [`router`] does no I/O, so tests drive it in-process with `tower::ServiceExt::oneshot`;
//! [`serve`] binds a port and runs it until Ctrl-C.

pub mod form;
mod reports;
mod survey;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::get;
use tokio::net::TcpListener;

use crate::error::Error;
use crate::questionnaire::{Districts, Questionnaire};
use crate::store::Store;

/// Largest request body accepted from a resident; a full questionnaire with long free-text
/// answers is about 10 kB.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub districts: Arc<Districts>,
    /// The folder with generated reports, one subfolder per year.
    pub reports: std::path::PathBuf,
    /// Parsed questionnaire snapshots by id; snapshots never change, so caching is safe.
    snapshots: Arc<Mutex<HashMap<i64, Arc<Questionnaire>>>>,
}

impl AppState {
    pub fn new(store: Store, districts: Districts) -> Self {
        AppState {
            store,
            districts: Arc::new(districts),
            reports: std::path::PathBuf::from("reports"),
            snapshots: Arc::default(),
        }
    }

    /// Serve reports from another folder than `reports/`.
    pub fn with_reports(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.reports = dir.into();
        self
    }

    /// The questionnaire a wave was published with.
    pub async fn questionnaire(&self, id: i64) -> Result<Arc<Questionnaire>, Error> {
        if let Some(q) = self.snapshots.lock().expect("snapshot cache").get(&id) {
            return Ok(q.clone());
        }
        let q = Arc::new(self.store.questionnaire(id).await?);
        self.snapshots
            .lock()
            .expect("snapshot cache")
            .insert(id, q.clone());
        Ok(q)
    }
}

/// The whole application as one router.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(survey::routes())
        .merge(reports::routes())
        .route("/static/style.css", get(stylesheet))
        .route("/healthz", get(|| async { "ok" }))
        .fallback(survey::not_found)
        .layer(axum::middleware::map_response(security_headers))
        .with_state(state)
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        crate::views::STYLESHEET,
    )
}

/// No third-party content, no framing, no referrer leaking the survey URL.
async fn security_headers(mut res: axum::response::Response) -> axum::response::Response {
    let h = res.headers_mut();
    // A handler that set its own policy (the self-contained reports) keeps it.
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
            ),
        );
    }
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    res
}

/// Binds `addr` and serves until Ctrl-C; prints the address it listens on.
pub async fn serve(state: AppState, addr: &str) -> anyhow::Result<()> {
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    // Tests and scripts read this line to learn the port when started with port 0.
    println!("trygg listening on http://{local}");
    tracing::info!(%local, "listening");
    let store = state.store.clone();
    axum::serve(listener, router(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    store.close().await;
    Ok(())
}
