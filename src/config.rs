//! One typed configuration, from flags and environment variables, parsed once at startup.

use std::path::PathBuf;

/// Settings shared by every subcommand.
#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// The database: a SQLite file path or `sqlite:` URL (created if missing), or a
    /// `postgres://user:password@host/database` URL of an existing PostgreSQL database.
    #[arg(
        long = "database",
        env = "DATABASE_URL",
        default_value = "trygg.db",
        global = true
    )]
    pub database_url: String,

    /// The folder with questionnaires, `districts.toml`, `site.toml`, population margins and
    /// measures.
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

    /// The folder closed waves are frozen into (columnar files the analysis reads fast).
    /// Default: beside a SQLite file (`trygg.db.frozen`); on PostgreSQL none, unless given.
    #[arg(long = "frozen-dir", env = "TRYGG_FROZEN_DIR", global = true)]
    pub frozen_dir: Option<PathBuf>,

    /// Months the free text of EST incident reports (description, other place, the
    /// reporting account) is kept; older reports stay as counts. 3 to 120.
    #[arg(
        long = "est-free-text-months",
        env = "TRYGG_EST_FREE_TEXT_MONTHS",
        default_value_t = crate::est::FREE_TEXT_MONTHS,
        global = true
    )]
    pub est_free_text_months: u32,
}

impl Config {
    /// How the database is opened: the defaults, with the chosen frozen-wave folder.
    pub fn store_options(&self) -> crate::store::StoreOptions {
        crate::store::StoreOptions {
            frozen_dir: self.frozen_dir.clone(),
            ..Default::default()
        }
    }

    /// The database URL fit for messages (without a password).
    pub fn database_shown(&self) -> String {
        crate::store::redact(&self.database_url)
    }

    /// The public origin, checked.
    pub fn origin(&self) -> anyhow::Result<Option<crate::http::PublicOrigin>> {
        self.public_origin
            .as_deref()
            .map(crate::http::PublicOrigin::parse)
            .transpose()
            .map_err(|e| anyhow::anyhow!("--public-origin: {e}"))
    }

    /// How long EST free text is kept, checked.
    pub fn est_retention(&self) -> anyhow::Result<crate::est::Retention> {
        crate::est::Retention::months(self.est_free_text_months)
            .map_err(|e| anyhow::anyhow!("--est-free-text-months: {e}"))
    }

    pub fn districts_file(&self) -> PathBuf {
        self.surveys_dir.join("districts.toml")
    }

    /// The municipality's face: name, logo, colours, contact and the facts of its pages.
    pub fn site_file(&self) -> PathBuf {
        self.surveys_dir.join("site.toml")
    }
}
