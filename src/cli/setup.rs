//! What every subcommand starts with: the database and the districts opened from the
//! settings, and the name the audit log gives the command line.

use anyhow::Context;

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

pub(crate) async fn open(config: &Config) -> anyhow::Result<(Store, Districts)> {
    let districts = load_districts(config)?;
    let store = Store::connect_with(&config.database_url, config.store_options())
        .await
        .with_context(|| format!("opening the database {}", config.database_shown()))?;
    Ok((store, districts))
}
