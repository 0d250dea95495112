//! The command line's flags: every subcommand and its arguments, as clap parses them.

use std::path::PathBuf;

use anyhow::bail;
use clap::{Parser, Subcommand};

use crate::config::Config;
use crate::http::Limits;

#[derive(Debug, Parser)]
#[command(
    name = "trygg",
    version,
    about = "The local safety survey: questionnaires, answers, analysis"
)]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    #[command(subcommand)]
    pub command: Command,
}

/// `trygg db …`.
#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Move an installation to another database (e.g. from the SQLite file to a region's
    /// PostgreSQL), verified by row counts and a checksum of the answers. The destination
    /// must be empty; stop the servers first so no answer arrives at the old one after.
    Copy {
        /// The database to copy from (a SQLite path or URL, or a postgres:// URL).
        #[arg(long)]
        from: String,
        /// The empty database to copy to (created and migrated if needed).
        #[arg(long)]
        to: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the resident pages.
    Serve(ServeArgs),
    /// Draw a wave's random sample from a sampling frame and write the print file for the
    /// letters (addresses, codes, links, QR codes). Stores only N_h, n_h and hashed codes.
    Sample(SampleArgs),
    /// Record letters returned as undeliverable, or residents who declined, by code.
    Mark(MarkArgs),
    /// Write the reminder list: the rows of a print file whose codes are not yet used.
    Reminders(RemindersArgs),
    /// Import paper answers from the scanning CSV (code, then one column per question).
    ImportPaper(ImportPaperArgs),
    /// Write the printable paper form (A4 HTML) of a wave in one language.
    PaperForm(PaperFormArgs),
    /// Staff accounts: `trygg user add <email> --role admin` creates the first administrator.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Translation files: export a questionnaire's texts for translators, import them back.
    Translations {
        #[command(subcommand)]
        action: TranslationAction,
    },
    /// Response rates per wave and stratum (letters, undeliverable, web, paper, rate).
    Status {
        /// Only this year.
        #[arg(long)]
        year: Option<i32>,
    },
    /// Write a consistent, verified copy of the database while trygg runs (SQLite).
    Backup {
        /// The copy to write; it must not exist yet.
        file: PathBuf,
    },
    /// Database maintenance across backends.
    Db {
        #[command(subcommand)]
        action: DbCommand,
    },
    /// Fill an empty database with synthetic, clearly labelled demo responses (2019 to this year).
    Demo {
        /// Seed of the generator: the same seed gives the same data.
        #[arg(long, default_value_t = crate::demo::DEFAULT_SEED)]
        seed: u64,
    },
    /// Check questionnaire files, districts.toml and places.toml; prints `file:line: message` per fault.
    Check {
        /// A file or a folder (default: the surveys folder).
        path: Option<PathBuf>,
    },
    /// Analyse stored responses: weights, indicators, index levels, changes, measures.
    Analyze(AnalyzeArgs),
    /// Write the yearly report (HTML, charts, tables, workbook, Parquet) into a folder.
    Report(ReportArgs),
    /// Time the analysis on synthetic responses in a separate database (run it in release).
    Bench(BenchArgs),
    /// Publish a questionnaire as the waves of one year.
    Publish(PublishArgs),
    /// The EST group's weekly situation picture: incident reports.
    Est {
        #[command(subcommand)]
        action: EstCommand,
    },
}

/// `trygg est …`.
#[derive(Debug, Subcommand)]
pub enum EstCommand {
    /// Import incident reports from a CSV with the header
    /// `date,district,place,category,description`; they are stored as accepted. A file with
    /// any bad row imports nothing and every bad row is listed with its line.
    Import {
        /// The CSV file (UTF-8, at most 5 MB).
        file: PathBuf,
        /// The organisation the reports come from, shown with them.
        #[arg(long, default_value = "EST-gruppen")]
        organisation: String,
    },
    /// Delete the free text (description, other place, reporting account) of reports
    /// older than `--est-free-text-months` (default 24) now; `serve` does it hourly. The
    /// reports stay as counts.
    Purge,
}

#[derive(Debug, Subcommand)]
pub enum UserAction {
    /// Create an account and print a one-time link (valid 72 h) to set its password.
    Add {
        /// The person's e-mail address (the login name).
        email: String,
        /// admin, analyst, reader or reporter.
        #[arg(long)]
        role: String,
        /// Limit an analyst or a reporter to these districts (codes separated by commas);
        /// a reporter without it reports in every district.
        #[arg(long)]
        districts: Option<String>,
        /// The organisation the person reports for (required for a reporter: its EST
        /// reports are shown by organisation, never by person).
        #[arg(long)]
        organisation: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum TranslationAction {
    /// Write a CSV with every text (key, context, version, Swedish, English, the language, status).
    Export {
        /// The language to translate into (a BCP 47 tag of the page catalogue, e.g. ar).
        #[arg(long)]
        lang: String,
        /// The questionnaire file.
        #[arg(long, default_value = "surveys/trygghet-2026.toml")]
        file: PathBuf,
        /// The CSV to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// Read a translated CSV back into the questionnaire file (checked before it is replaced).
    Import {
        /// The questionnaire file.
        #[arg(long, default_value = "surveys/trygghet-2026.toml")]
        file: PathBuf,
        /// The translated CSV.
        csv: PathBuf,
    },
}

/// Connection limits of `serve`, in seconds and counts (defaults: [`Limits::default`]).
#[derive(Debug, Clone, clap::Args)]
pub struct LimitFlags {
    /// Seconds to wait for a request's headers, and between keep-alive requests.
    #[arg(long, env = "TRYGG_HEADER_TIMEOUT", default_value_t = Limits::default().header_timeout.as_secs())]
    header_timeout: u64,
    /// Seconds to wait for a request's body.
    #[arg(long, env = "TRYGG_BODY_TIMEOUT", default_value_t = Limits::default().body_timeout.as_secs())]
    body_timeout: u64,
    /// Open connections at most (also kept below the open-file limit).
    #[arg(long, env = "TRYGG_MAX_CONNECTIONS", default_value_t = Limits::default().max_connections)]
    max_connections: usize,
    /// Requests handled at once at most; more get 503 with Retry-After.
    #[arg(long, env = "TRYGG_MAX_IN_FLIGHT", default_value_t = Limits::default().max_in_flight)]
    max_in_flight: usize,
    /// Seconds shutdown waits for requests in flight.
    #[arg(long, env = "TRYGG_SHUTDOWN_GRACE", default_value_t = Limits::default().shutdown_grace.as_secs())]
    shutdown_grace: u64,
}

impl LimitFlags {
    pub(super) fn limits(&self) -> anyhow::Result<Limits> {
        use std::time::Duration;
        for (flag, secs) in [
            ("--header-timeout", self.header_timeout),
            ("--body-timeout", self.body_timeout),
            ("--shutdown-grace", self.shutdown_grace),
        ] {
            if !(1..=3600).contains(&secs) {
                bail!("{flag} {secs} must be between 1 and 3600 seconds");
            }
        }
        for (flag, n) in [
            ("--max-connections", self.max_connections),
            ("--max-in-flight", self.max_in_flight),
        ] {
            if !(1..=1_000_000).contains(&n) {
                bail!("{flag} {n} must be between 1 and 1000000");
            }
        }
        Ok(Limits {
            header_timeout: Duration::from_secs(self.header_timeout),
            body_timeout: Duration::from_secs(self.body_timeout),
            max_connections: self.max_connections,
            max_in_flight: self.max_in_flight,
            shutdown_grace: Duration::from_secs(self.shutdown_grace),
        })
    }
}

// `trygg serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address and port to listen on (port 0 picks a free port).
    #[arg(long, env = "TRYGG_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: String,
    /// Fill an empty database with synthetic demo data first.
    #[arg(long)]
    pub demo: bool,
    #[command(flatten)]
    pub limits: LimitFlags,
    /// Behind a reverse proxy: the header it puts the client's address in (e.g.
    /// X-Real-IP), used only to throttle code guesses and staff logins, in memory.
    #[arg(long, env = "TRYGG_CLIENT_IP_HEADER")]
    pub client_ip_header: Option<String>,
    /// Open-link answers from one client address to one wave per hour that count
    /// without review; later ones (and bursts of identical answers) are held for staff
    /// to accept. 0: no limit.
    #[arg(long, env = "TRYGG_OPEN_LINK_LIMIT", default_value_t = crate::http::stuffing::DEFAULT_OPEN_LINK_LIMIT)]
    pub open_link_limit: u32,
    /// What an open-link answer beyond the limit gets: `hold` (stored apart for staff to
    /// review; the resident is told) or `refuse` (not stored; the form comes back with its
    /// answers and "try again later").
    #[arg(long, env = "TRYGG_OPEN_LINK_EXCESS", value_enum, default_value_t = crate::http::stuffing::Excess::Hold)]
    pub open_link_excess: crate::http::stuffing::Excess,
}

// `trygg sample`.
#[derive(Debug, clap::Args)]
pub struct SampleArgs {
    /// The wave, as district/year (published first with `trygg publish`).
    #[arg(long)]
    pub wave: String,
    /// The sampling frame CSV: person_id, district, sex, birth_year, address columns.
    #[arg(long)]
    pub frame: PathBuf,
    /// Letters to send.
    #[arg(long)]
    pub size: u64,
    /// Strata: sex, age, sex,age or none.
    #[arg(long, default_value = "sex,age")]
    pub strata: String,
    /// Seed of the draw (default: a random one, printed so the draw can be repeated).
    #[arg(long)]
    pub seed: Option<u64>,
    /// The print file to write (a `qr/` folder is written beside it).
    #[arg(long)]
    pub out: PathBuf,
    /// The language the letters are printed in: their links open the survey in it.
    #[arg(long)]
    pub lang: Option<String>,
}

// `trygg mark`.
#[derive(Debug, clap::Args)]
pub struct MarkArgs {
    /// The wave, as district/year.
    #[arg(long)]
    pub wave: String,
    /// undeliverable or declined.
    #[arg(long)]
    pub status: String,
    /// A file with one code per line (blank lines and # comments ignored).
    #[arg(long)]
    pub file: Option<PathBuf>,
    /// Codes, as printed.
    pub codes: Vec<String>,
}

// `trygg reminders`.
#[derive(Debug, clap::Args)]
pub struct RemindersArgs {
    /// The wave, as district/year.
    #[arg(long)]
    pub wave: String,
    /// The print file of the letters.
    #[arg(long)]
    pub letters: PathBuf,
    /// The reminder print file to write.
    #[arg(long)]
    pub out: PathBuf,
}

// `trygg import-paper`.
#[derive(Debug, clap::Args)]
pub struct ImportPaperArgs {
    /// The wave, as district/year.
    #[arg(long)]
    pub wave: String,
    /// The scanning file.
    pub file: PathBuf,
}

// `trygg paper-form`.
#[derive(Debug, clap::Args)]
pub struct PaperFormArgs {
    /// The wave, as district/year.
    #[arg(long)]
    pub wave: String,
    /// The language of the form (one of the questionnaire's).
    #[arg(long, default_value = "sv")]
    pub lang: String,
    /// The letter's code, printed on every page (default: a blank box for mail merge).
    #[arg(long)]
    pub code: Option<String>,
    /// The HTML file to write.
    #[arg(long)]
    pub out: PathBuf,
}

// `trygg analyze`.
#[derive(Debug, clap::Args)]
pub struct AnalyzeArgs {
    /// Years to analyse: `2019..2026` or one year.
    #[arg(long)]
    pub years: String,
    /// The results table: `.csv` or `.parquet`.
    #[arg(long)]
    pub out: PathBuf,
    /// The measures table (difference-in-differences): `.csv` or `.parquet`.
    #[arg(long)]
    pub measures_out: Option<PathBuf>,
    /// Year every estimate is also compared with (default: the first year).
    #[arg(long)]
    pub base: Option<i32>,
    /// Suppress estimates with fewer valid answers than this.
    #[arg(long, default_value_t = crate::analysis::policy::MIN_N)]
    pub min_n: f64,
    /// Suppress estimates with a smaller effective sample size than this.
    #[arg(long, default_value_t = crate::analysis::policy::MIN_N_EFF)]
    pub min_n_eff: f64,
}

// `trygg report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The report year.
    #[arg(long)]
    pub year: i32,
    /// Earlier years to compare with, e.g. `2019..2025` (default: all earlier years).
    #[arg(long)]
    pub compare: Option<String>,
    /// The report folder (default: reports/<year>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Publish the report of a year whose survey is still open somewhere, marked
    /// "Preliminär" on its page (without it such a year is refused).
    #[arg(long)]
    pub preliminary: bool,
}

// `trygg bench`.
#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Number of synthetic responses.
    #[arg(long, default_value_t = 1_000_000)]
    pub responses: usize,
    /// The benchmark's own SQLite file (replaced on every run).
    #[arg(long, default_value = "trygg-bench.db")]
    pub bench_database: PathBuf,
    /// Reuse the benchmark database when it already holds that many responses.
    #[arg(long)]
    pub reuse: bool,
    /// Time the yearly report on the demo data (and one chart) instead of the analysis.
    #[arg(long, conflicts_with_all = ["load", "crash"])]
    pub report: bool,
    /// Time the EST week's page on the survey demo and `--est-reports` incident reports.
    #[arg(long, conflicts_with_all = ["load", "crash", "report"])]
    pub est: bool,
    /// Incident reports for `--est` (at least this many are generated).
    #[arg(long, default_value_t = 200_000, value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    pub est_reports: u32,
    /// Post full questionnaires to a real `trygg serve` over loopback and check every
    /// receipt against the database (submissions/s, p50/p99 latency, non-2xx).
    #[arg(long, conflicts_with = "crash")]
    pub load: bool,
    /// Like `--load`, killing the server with SIGKILL at random moments: every answer
    /// with a receipt must be stored, none twice.
    #[arg(long)]
    pub crash: bool,
    /// Concurrent clients for `--load` and `--crash`.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub clients: u16,
    /// Seconds of load for `--load`.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u16).range(1..=3600))]
    pub seconds: u16,
    /// Kills for `--crash`.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub kills: u16,
    /// Run `--load` or `--crash` on PostgreSQL: the URL of a server where the benchmark
    /// may create (and replace) a database named trygg_bench.
    #[arg(long, value_name = "URL")]
    pub postgres: Option<String>,
}

// `trygg publish`.
#[derive(Debug, clap::Args)]
pub struct PublishArgs {
    /// The questionnaire file, e.g. surveys/trygghet-2026.toml.
    pub file: PathBuf,
    /// The survey year.
    #[arg(long)]
    pub year: i32,
    /// District codes separated by commas, or `all`.
    #[arg(long)]
    pub districts: String,
    /// First day answers are accepted (YYYY-MM-DD).
    #[arg(long)]
    pub opens: String,
    /// Last day answers are accepted (YYYY-MM-DD).
    #[arg(long)]
    pub closes: String,
}
