//! Generating the yearly report into its folder, logged with who did it.

use crate::analysis::Inputs;
use crate::error::Error;
use crate::report::{ReportOptions, Summary};
use crate::store::Store;

/// Writes the report `options` asks for and logs "report generated" under `actor`, with
/// the detail `"<year> <place>"` — where it can be read, e.g. `in reports/2026` or
/// `at /rapporter/2026/`. Nothing is logged when the report fails.
pub async fn generate_report(
    store: &Store,
    inputs: &Inputs,
    options: &ReportOptions,
    actor: &str,
    place: &str,
) -> Result<Summary, Error> {
    let summary = crate::report::generate(store, inputs, options).await?;
    store
        .audit(
            actor,
            "report generated",
            &format!("{} {place}", options.year),
        )
        .await?;
    Ok(summary)
}
