//! `trygg analyze`: weights, estimates and measures of the chosen years written as the
//! results table (and the measures table).

use anyhow::bail;

use crate::config::Config;

use super::args::AnalyzeArgs;
use super::setup::open;

pub(super) async fn analyze(config: &Config, a: AnalyzeArgs) -> anyhow::Result<()> {
    let (out, min_n, min_n_eff) = (a.out, a.min_n, a.min_n_eff);
    let years = crate::analysis::parse_years(&a.years)?;
    crate::analysis::check_output_path(&out)?;
    if let Some(m) = &a.measures_out {
        crate::analysis::check_output_path(m)?;
    }
    if !(min_n >= 5.0 && min_n_eff >= 1.0) {
        bail!(
            "--min-n must be at least 5 (counts of 1-4 are never published) and --min-n-eff at least 1"
        );
    }
    let (store, districts) = open(config).await?;
    let mut options = crate::analysis::Options::new(years);
    if a.base.is_some() {
        options.base_year = a.base;
    }
    options.min_n = min_n;
    options.min_n_eff = min_n_eff;
    let inputs = crate::analysis::Inputs {
        districts,
        surveys: config.surveys_dir.clone(),
    };
    let analysis = crate::analysis::analyze(&store, &inputs, &options).await?;
    let mut df = crate::analysis::output::results_frame(&analysis.results)?;
    crate::analysis::output::write(&mut df, &out)?;
    println!(
        "{} result rows written to {}",
        analysis.results.len(),
        out.display()
    );
    if let Some(path) = a.measures_out {
        let mut df = crate::analysis::output::measures_frame(&analysis.measures)?;
        crate::analysis::output::write(&mut df, &path)?;
        println!(
            "{} measure rows written to {}",
            analysis.measures.len(),
            path.display()
        );
    }
    for note in &analysis.notes {
        println!("note: {note}");
    }
    store.close().await;
    Ok(())
}
