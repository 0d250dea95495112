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

/// What an analysis was computed from: responses stored, the waves with their dates,
/// register versions, and the modification times of the files it reads.
type Stamp = (i64, String, i64, Vec<(PathBuf, Option<SystemTime>)>);

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

/// The analysis of everything stored, and what it was computed from.
#[derive(Default)]
pub struct Current(tokio::sync::Mutex<Option<(Stamp, Arc<Analysis>)>>);

impl Current {
    /// The current analysis (`None`: nothing is published yet), recomputed on a blocking
    /// thread when what it was computed from changed.
    pub async fn get(
        &self,
        store: &Store,
        inputs: &Inputs,
    ) -> Result<Option<Arc<Analysis>>, Error> {
        let waves = store.waves().await?;
        let (Some(first), Some(last)) = (
            waves.iter().map(|w| w.year).min(),
            waves.iter().map(|w| w.year).max(),
        ) else {
            return Ok(None);
        };
        let key = (
            store.count_responses(None).await?,
            waves
                .iter()
                .map(|w| format!("{}:{}:{}", w.id, w.opens_on, w.closes_on))
                .collect::<Vec<_>>()
                .join(","),
            store.measure_edits().await?,
            file_times(&inputs.surveys),
        );
        let mut cache = self.0.lock().await;
        if let Some((k, a)) = cache.as_ref()
            && *k == key
        {
            return Ok(Some(a.clone()));
        }
        let (store, inputs) = (store.clone(), inputs.clone());
        let a = crate::blocking::off_workers(async move {
            analyze(&store, &inputs, &Options::new(first..=last)).await
        })
        .await?;
        let a = Arc::new(a);
        *cache = Some((key, a.clone()));
        Ok(Some(a))
    }
}
