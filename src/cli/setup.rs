//! What every subcommand starts with: the database and the districts opened from the
//! settings (and for `serve` the site settings), the districts a flag names, and the name
//! the audit log gives the command line.

use anyhow::{Context, bail};

use crate::config::Config;
use crate::questionnaire::{self, Districts};
use crate::store::Store;

/// Who the audit log names for changes made with the command line on the server.
pub(crate) const CLI_ACTOR: &str = "command line";

pub(crate) fn load_districts(config: &Config) -> anyhow::Result<Districts> {
    questionnaire::load_districts(&config.districts_file()).map_err(|faults| {
        let lines: Vec<String> = faults.iter().map(|f| f.to_string()).collect();
        anyhow::anyhow!("{}", lines.join("\n"))
    })
}

/// The site settings `serve` needs; every fault of the file, one a line.
pub(crate) fn load_site(config: &Config) -> anyhow::Result<questionnaire::Site> {
    questionnaire::load_site(&config.site_file()).map_err(|faults| {
        let lines: Vec<String> = faults.iter().map(|f| f.to_string()).collect();
        anyhow::anyhow!(
            "the site settings have faults; not started:\n{}",
            lines.join("\n")
        )
    })
}

pub(crate) async fn open(config: &Config) -> anyhow::Result<(Store, Districts)> {
    let districts = load_districts(config)?;
    let store = Store::connect_with(&config.database_url, config.store_options())
        .await
        .with_context(|| format!("opening the database {}", config.database_shown()))?;
    Ok((store, districts))
}

/// `all`, or a comma-separated list of known district codes without repeats.
pub fn choose_districts(districts: &Districts, which: &str) -> anyhow::Result<Vec<String>> {
    if which.trim() == "all" {
        return Ok(districts.codes().map(str::to_string).collect());
    }
    let mut out: Vec<String> = Vec::new();
    for code in which.split(',').map(str::trim) {
        if districts.get(code).is_none() {
            bail!(
                "unknown district \"{code}\" (known: {})",
                districts.codes().collect::<Vec<_>>().join(", ")
            );
        }
        if out.iter().any(|c| c == code) {
            bail!("district \"{code}\" is named twice");
        }
        out.push(code.to_string());
    }
    Ok(out)
}
