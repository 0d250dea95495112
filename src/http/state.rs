//! What every handler can reach: [`AppState`] (the store, districts, folders, limits and the
//! in-memory throttles) and the request body limits. (Long jobs run through
//! `crate::blocking::off_workers`.)

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::http::header;

use crate::error::Error;
use crate::http::limits::Limits;
use crate::http::origin::PublicOrigin;
use crate::http::stuffing;
use crate::http::throttle;
use crate::questionnaire::{Districts, Questionnaire, Site};
use crate::store::Store;

/// Largest request body accepted from a resident; a full questionnaire with long free-text
/// answers is about 10 kB.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Largest upload from a signed-in member of staff (a questionnaire file, a scanning CSV of
/// a few thousand paper forms); larger scans go through `trygg import-paper`.
pub const MAX_STAFF_UPLOAD_BYTES: usize = 8 * 1024 * 1024;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub districts: Arc<Districts>,
    /// The municipality's face (`surveys/site.toml`): every resident page wears it.
    pub site: Arc<Site>,
    /// The folder with generated reports, one subfolder per year.
    pub reports: std::path::PathBuf,
    /// Where residents reach trygg (`https://…`), when it is configured: posts from it are
    /// same-origin, and HSTS is sent when it is `https`.
    pub origin: Option<PublicOrigin>,
    /// Connection and request limits; the in-process router uses the body timeout and
    /// the in-flight cap.
    pub limits: Limits,
    /// Requests being handled now, at most `limits.max_in_flight`.
    pub(crate) in_flight: Arc<tokio::sync::Semaphore>,
    /// The key letter codes are hashed with; without it no code can be looked up.
    pub code_key: Option<Arc<crate::fieldwork::CodeKey>>,
    /// Failed code guesses per client address, in memory only.
    pub(crate) throttle: Arc<throttle::Throttle>,
    /// Open-link answers per client address and identical answers, in memory only.
    pub(crate) open_links: Arc<stuffing::OpenLinkGuard>,
    /// Failed staff logins per account and address, in memory only.
    pub(crate) logins: Arc<crate::auth::throttle::LoginThrottle>,
    /// Held while the web builds a report: one at a time per server, as building one takes
    /// all of a core for seconds (the reports folder itself is swapped in atomically).
    pub(crate) report_building: Arc<tokio::sync::Mutex<()>>,
    /// Refusals already written to the audit log this minute.
    pub(crate) refusals: Arc<crate::http::refusals::RefusalLog>,
    /// The header a trusted proxy puts the client's address in (e.g. `x-real-ip`).
    pub(crate) client_ip_header: Option<header::HeaderName>,
    /// The folder with population margins and the measures register, for the explorer.
    pub surveys: std::path::PathBuf,
    /// How long the free text of EST reports is kept (the upkeep task deletes older text).
    pub est_retention: crate::est::Retention,
    /// The analysis the explorer, the measure pages and the API show, kept until what it
    /// was computed from changes.
    analysis: Arc<crate::analysis::Current>,
    /// Parsed questionnaire snapshots by id; snapshots never change, so caching is safe.
    snapshots: Arc<Mutex<HashMap<i64, Arc<Questionnaire>>>>,
}

impl AppState {
    pub fn new(store: Store, districts: Districts) -> Self {
        AppState {
            store,
            districts: Arc::new(districts),
            site: Arc::new(Site::neutral()),
            reports: std::path::PathBuf::from("reports"),
            origin: None,
            limits: Limits::default(),
            in_flight: Arc::new(tokio::sync::Semaphore::new(Limits::default().max_in_flight)),
            code_key: None,
            throttle: Arc::default(),
            open_links: Arc::default(),
            logins: Arc::default(),
            surveys: std::path::PathBuf::from("surveys"),
            est_retention: crate::est::Retention::default(),
            analysis: Arc::default(),
            client_ip_header: None,
            refusals: Arc::default(),
            report_building: Arc::default(),
            snapshots: Arc::default(),
        }
    }

    /// The site settings `trygg serve` loaded (without them: a neutral face, no logo).
    pub fn with_site(mut self, site: Site) -> Self {
        self.site = Arc::new(site);
        self
    }

    /// The key letter codes are hashed with.
    pub fn with_code_key(mut self, key: Option<crate::fieldwork::CodeKey>) -> Self {
        self.code_key = key.map(Arc::new);
        self
    }

    /// Take the client's address (for throttling code guesses) from this header, set by a
    /// trusted reverse proxy, instead of the connection's peer.
    pub fn with_client_ip_header(mut self, name: Option<header::HeaderName>) -> Self {
        self.client_ip_header = name;
        self
    }

    /// How long the free text of EST reports is kept.
    pub fn with_est_retention(mut self, retention: crate::est::Retention) -> Self {
        self.est_retention = retention;
        self
    }

    /// The surveys folder (population margins, measures) the explorer analyses with.
    pub fn with_surveys(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.surveys = dir.into();
        self
    }

    /// The public origin residents use.
    pub fn with_origin(mut self, origin: Option<PublicOrigin>) -> Self {
        self.origin = origin;
        self
    }

    /// Open-link answers per address and wave per hour that count without review (0: no
    /// limit and no check of identical answers).
    pub fn with_open_link_limit(mut self, limit: u32) -> Self {
        let excess = self.open_links.excess;
        let mut guard = stuffing::OpenLinkGuard::new(limit);
        guard.excess = excess;
        self.open_links = Arc::new(guard);
        self
    }

    /// Refuse open-link answers beyond the limits instead of holding them for review.
    pub fn with_open_link_excess(mut self, excess: stuffing::Excess) -> Self {
        let mut guard = stuffing::OpenLinkGuard::new(self.open_links.limit());
        guard.excess = excess;
        self.open_links = Arc::new(guard);
        self
    }

    /// Other limits than the defaults.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.in_flight = Arc::new(tokio::sync::Semaphore::new(limits.max_in_flight));
        self.limits = limits;
        self
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

    /// What this server's analyses read: its districts and surveys folder.
    pub fn inputs(&self) -> crate::analysis::Inputs {
        crate::analysis::Inputs {
            districts: (*self.districts).clone(),
            surveys: self.surveys.clone(),
        }
    }

    /// The current analysis of everything stored (`None`: nothing is published yet).
    pub async fn analysis(&self) -> Result<Option<Arc<crate::analysis::Analysis>>, Error> {
        self.analysis.get(&self.store, &self.inputs()).await
    }

    /// The current analysis of the years up to `until` (the residents' results: nothing of
    /// a later, still open year), from the same cache.
    pub async fn analysis_until(
        &self,
        until: i32,
    ) -> Result<Option<Arc<crate::analysis::Analysis>>, Error> {
        self.analysis
            .get_until(&self.store, &self.inputs(), Some(until))
            .await
    }
}
