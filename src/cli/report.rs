//! `trygg report`: the yearly report written into its folder.

use anyhow::Context;

use crate::config::Config;

use super::args::ReportArgs;
use super::setup::{CLI_ACTOR, open};

pub(super) async fn report(config: &Config, a: ReportArgs) -> anyhow::Result<()> {
    let year = a.year;
    let compare = a
        .compare
        .map(|c| crate::analysis::parse_years(&c).map_err(|e| anyhow::anyhow!("--compare: {e}")))
        .transpose()?;
    let out = a
        .out
        .unwrap_or_else(|| config.reports_dir.join(year.to_string()));
    let (store, districts) = open(config).await?;
    let inputs = crate::analysis::Inputs {
        districts,
        surveys: config.surveys_dir.clone(),
    };
    let options = crate::report::ReportOptions {
        year,
        compare,
        out: out.clone(),
    };
    let progress = crate::progress::Progress::spinner(&format!(
        "analysing every year up to {year} and drawing the report"
    ));
    let place = format!("in {}", out.display());
    let summary = crate::operations::generate_report(
        &store,
        &inputs,
        &options,
        a.preliminary,
        CLI_ACTOR,
        &place,
    )
    .await;
    progress.finish();
    let summary = summary.with_context(|| format!("writing the report for {year}"))?;
    println!(
        "report {year}: {} files ({} charts, {:.1} MB) in {}; analysis {:.2} s, charts and tables {:.2} s",
        summary.files,
        summary.charts,
        summary.bytes as f64 / 1e6,
        out.display(),
        summary.analysis.as_secs_f64(),
        summary.build.as_secs_f64()
    );
    store.close().await;
    Ok(())
}
