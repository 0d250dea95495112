//! `trygg est import`: incident reports for the EST weekly picture from a CSV file, all or
//! nothing (`operations::import_est_reports`); every bad row is printed with its line and
//! the exit code is non-zero when the file is refused. `trygg est purge`: the free text of
//! reports past their retention deleted now (`Store::purge_est_free_text`).

use std::path::Path;
use std::process::ExitCode;

use crate::config::Config;
use crate::est::{self, import};
use crate::operations::{self, EstImport};

use super::setup::{CLI_ACTOR, load_districts, open};

pub(super) async fn import(
    config: &Config,
    file: &Path,
    organisation: &str,
) -> anyhow::Result<ExitCode> {
    let districts = load_districts(config)?;
    let places = est::load_places(&config.surveys_dir.join(est::PLACES_FILE), Some(&districts))
        .map_err(|faults| {
            let lines: Vec<String> = faults.iter().map(|f| f.to_string()).collect();
            anyhow::anyhow!("{}", lines.join("\n"))
        })?;
    let shown = file.display().to_string();
    let bytes = match import::read_file(file) {
        Ok(b) => b,
        Err(fault) => {
            eprintln!("{shown}: {fault}; nothing was imported");
            return Ok(ExitCode::FAILURE);
        }
    };
    let (store, _) = open(config).await?;
    let today = chrono::Local::now().date_naive();
    let done = operations::import_est_reports(
        &store,
        &bytes,
        &shown,
        (&districts, &places),
        organisation,
        today,
        CLI_ACTOR,
    )
    .await;
    store.close().await;
    match done? {
        EstImport::Imported { count } => {
            println!("{shown}: {count} report(s) imported as accepted");
            Ok(ExitCode::SUCCESS)
        }
        EstImport::Refused(refusal) => {
            eprint!("{shown}: refused, nothing was imported: {refusal}");
            if !refusal.to_string().ends_with('\n') {
                eprintln!();
            }
            Ok(ExitCode::FAILURE)
        }
    }
}

/// `trygg est purge`.
pub(super) async fn purge(config: &Config) -> anyhow::Result<()> {
    let retention = config.est_retention()?;
    let (store, _) = open(config).await?;
    let keeps_from = retention.keeps_from(chrono::Local::now().date_naive());
    let done = store.purge_est_free_text(keeps_from, CLI_ACTOR).await;
    // The deleted text leaves the WAL now, not at some later checkpoint.
    let _ = store.checkpoint().await;
    store.close().await;
    let n = done?;
    println!(
        "free text deleted from {n} report(s) of days before {keeps_from} (kept {} months)",
        retention.get()
    );
    Ok(())
}
