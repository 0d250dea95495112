//! One typed configuration, from flags and environment variables, parsed once at startup.

use std::path::PathBuf;

/// Settings shared by every subcommand.
#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// The database: a SQLite file path or `sqlite:` URL (created if missing).
    #[arg(
        long = "database",
        env = "DATABASE_URL",
        default_value = "trygg.db",
        global = true
    )]
    pub database_url: String,

    /// The folder with questionnaires, `districts.toml`, population margins and measures.
    #[arg(
        long = "surveys",
        env = "TRYGG_SURVEYS",
        default_value = "surveys",
        global = true
    )]
    pub surveys_dir: PathBuf,

    /// The folder generated reports are written to and served from.
    #[arg(
        long = "reports",
        env = "TRYGG_REPORTS",
        default_value = "reports",
        global = true
    )]
    pub reports_dir: PathBuf,
}

impl Config {
    pub fn districts_file(&self) -> PathBuf {
        self.surveys_dir.join("districts.toml")
    }
}
