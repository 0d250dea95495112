//! The current analysis of everything stored, for the staff pages and the API: computed
//! once and kept until what it was computed from changes — the stored responses, the
//! waves' dates, the measures register, or the files it reads (population margins,
//! `measures.toml`).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use super::options::Options;
use super::run::{Analysis, Inputs, analyze};
use crate::error::Error;
use crate::store::Store;

/// What an analysis was computed from: its years, responses stored, the waves with their
/// dates, register versions, and the modification times of the files it reads.
type Stamp = (
    (i32, i32),
    i64,
    String,
    i64,
    Vec<(PathBuf, Option<SystemTime>)>,
);

/// Analyses kept at once: every year (the staff pages, the API) and, while a year's survey
/// is still open, the years up to the last closed one (the residents' results pages).
const KEPT: usize = 2;

/// The modification times of the analysis's input files in the surveys folder.
fn file_times(surveys: &Path) -> Vec<(PathBuf, Option<SystemTime>)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(surveys.join("population"))
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    files.push(surveys.join("measures.toml"));
    files.sort();
    files
        .into_iter()
        .map(|f| {
            let t = std::fs::metadata(&f).and_then(|m| m.modified()).ok();
            (f, t)
        })
        .collect()
}

/// The analyses of what is stored, and what each was computed from (newest last).
#[derive(Default)]
pub struct Current(tokio::sync::Mutex<Vec<(Stamp, Arc<Analysis>)>>);

impl Current {
    /// The current analysis of every year (`None`: nothing is published yet), recomputed on
    /// a blocking thread when what it was computed from changed.
    pub async fn get(
        &self,
        store: &Store,
        inputs: &Inputs,
    ) -> Result<Option<Arc<Analysis>>, Error> {
        self.get_until(store, inputs, None).await
    }

    /// The current analysis of the years up to `until` (every year: `None`), so nothing
    /// of a later year's waves enters it; `None` when no wave is of those years. The same
    /// years share one cached analysis with [`Current::get`].
    pub async fn get_until(
        &self,
        store: &Store,
        inputs: &Inputs,
        until: Option<i32>,
    ) -> Result<Option<Arc<Analysis>>, Error> {
        let waves = store.waves().await?;
        let (Some(first), Some(last)) = (
            waves.iter().map(|w| w.year).min(),
            waves.iter().map(|w| w.year).max(),
        ) else {
            return Ok(None);
        };
        let last = until.map_or(last, |u| u.min(last));
        if last < first {
            return Ok(None);
        }
        // Only the analysed years' waves count: answers coming in to a later, open wave do
        // not make the residents' analysis of the closed years stale.
        let analysed: Vec<_> = waves.iter().filter(|w| w.year <= last).collect();
        let responses = if analysed.len() == waves.len() {
            store.count_responses(None).await?
        } else {
            let mut n = 0;
            for w in &analysed {
                n += store.count_responses(Some(w.id)).await?;
            }
            n
        };
        let key = (
            (first, last),
            responses,
            analysed
                .iter()
                .map(|w| format!("{}:{}:{}", w.id, w.opens_on, w.closes_on))
                .collect::<Vec<_>>()
                .join(","),
            store.measure_edits().await?,
            file_times(&inputs.surveys),
        );
        let mut cache = self.0.lock().await;
        if let Some((_, a)) = cache.iter().find(|(k, _)| *k == key) {
            return Ok(Some(a.clone()));
        }
        let (store, inputs) = (store.clone(), inputs.clone());
        let a = crate::blocking::off_workers(async move {
            analyze(&store, &inputs, &Options::new(first..=last)).await
        })
        .await?;
        let a = Arc::new(a);
        // A stale analysis of the same years is replaced; beyond that the oldest goes.
        cache.retain(|(k, _)| k.0 != key.0);
        cache.push((key, a.clone()));
        if cache.len() > KEPT {
            cache.remove(0);
        }
        Ok(Some(a))
    }
}
