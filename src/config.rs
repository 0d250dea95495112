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

    /// The file with the secret key letter codes are hashed with; created by the first
    /// `trygg sample`. Keep it with the server's secrets, apart from database backups.
    #[arg(
        long = "code-key",
        env = "TRYGG_CODE_KEY",
        default_value = "trygg-codes.key",
        global = true
    )]
    pub code_key: PathBuf,

    /// The address residents use, e.g. https://trygg.linkoping.se: letters link to it,
    /// posts from it are accepted behind a proxy that rewrites Host, and HSTS is sent
    /// when it is https.
    #[arg(long = "public-origin", env = "TRYGG_PUBLIC_ORIGIN", global = true)]
    pub public_origin: Option<String>,
}

impl Config {
    /// The public origin, checked.
    pub fn origin(&self) -> anyhow::Result<Option<crate::http::PublicOrigin>> {
        self.public_origin
            .as_deref()
            .map(crate::http::PublicOrigin::parse)
            .transpose()
            .map_err(|e| anyhow::anyhow!("--public-origin: {e}"))
    }

    pub fn districts_file(&self) -> PathBuf {
        self.surveys_dir.join("districts.toml")
    }
}
