//! `trygg db copy`, `trygg backup` and `trygg demo`: the database copied to another one,
//! backed up, or filled with demo data.

use std::path::Path;

use anyhow::Context;

use crate::config::Config;
use crate::store::Store;

use super::setup::open;

/// `trygg db copy`: opens both sides (the source only if it is a trygg database), copies,
/// verifies and says what moved.
pub(super) async fn db_copy(from: &str, to: &str) -> anyhow::Result<()> {
    use crate::store::{CopyProgress, StoreOptions, redact};
    if from == to {
        anyhow::bail!("--from and --to are the same database; nothing was copied");
    }
    let source = Store::connect_with(
        from,
        StoreOptions {
            existing_only: true,
            ..Default::default()
        },
    )
    .await
    .with_context(|| format!("opening --from {}", redact(from)))?;
    let dest = Store::connect(to)
        .await
        .with_context(|| format!("opening --to {}", redact(to)))?;
    let mut bar: Option<crate::progress::Progress> = None;
    let summary = source
        .copy_to(&dest, |p| match p {
            CopyProgress::Total(n) => {
                bar = Some(crate::progress::Progress::bar(n, "copying", "rows"))
            }
            CopyProgress::Copied(n) => {
                if let Some(b) = &bar {
                    b.inc(n)
                }
            }
        })
        .await
        .with_context(|| format!("copying {} to {}", redact(from), redact(to)))?;
    if let Some(b) = bar {
        b.finish();
    }
    println!("{summary}");
    source.close().await;
    dest.close().await;
    Ok(())
}

/// `trygg backup`: a consistent, verified copy of the database (which must exist).
pub(super) async fn backup(config: &Config, file: &Path) -> anyhow::Result<()> {
    let store = Store::connect_with(
        &config.database_url,
        crate::store::StoreOptions {
            existing_only: true,
            ..config.store_options()
        },
    )
    .await
    .with_context(|| format!("opening the database {}", config.database_shown()))?;
    let summary = store.backup(file).await?;
    println!("{summary}");
    store.close().await;
    Ok(())
}

/// `trygg demo`: synthetic responses in an empty database.
pub(super) async fn demo(config: &Config, seed: u64) -> anyhow::Result<()> {
    let (store, districts) = open(config).await?;
    let summary = crate::demo::fill(&store, &districts, &config.surveys_dir, seed).await?;
    println!("{summary}");
    store.close().await;
    Ok(())
}
