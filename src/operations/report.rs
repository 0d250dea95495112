//! Generating the yearly report into its folder, logged with who did it. A year whose
//! survey is still open somewhere is reported only when the caller asked for a preliminary
//! report: the page then says "Preliminär" and where the survey is still open.

use crate::analysis::Inputs;
use crate::error::Error;
use crate::report::{ReportOptions, Summary};
use crate::store::Store;

/// Writes the report `options` asks for and logs "report generated" under `actor`, with
/// the detail `"<year> <place>"` — where it can be read, e.g. `in reports/2026` or
/// `at /rapporter/2026/` (and "preliminary" when it is). A year with a wave still open is
/// refused ([`Error::Conflict`], nothing written) unless `preliminary` is set. Nothing is
/// logged when the report fails.
pub async fn generate_report(
    store: &Store,
    inputs: &Inputs,
    options: &ReportOptions,
    preliminary: bool,
    actor: &str,
    place: &str,
) -> Result<Summary, Error> {
    let waves = store.waves().await?;
    let open = crate::report::open_districts(&waves, options.year, &inputs.districts);
    if !open.is_empty() && !preliminary {
        return Err(Error::Conflict(format!(
            "the {} survey is still open in {}: its report can only be published as preliminary (trygg report --preliminary, or tick \"Preliminär\" on the reports page)",
            options.year,
            open.join(", ")
        )));
    }
    let summary = crate::report::generate(store, inputs, options).await?;
    let marked = if open.is_empty() { "" } else { ", preliminary" };
    store
        .audit(
            actor,
            "report generated",
            &format!("{} {place}{marked}", options.year),
        )
        .await?;
    Ok(summary)
}
