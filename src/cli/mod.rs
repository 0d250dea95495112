//! The subcommands of `trygg`. Each one parses its flags into typed values at the edge and
//! calls the library; errors carry context for the person at the terminal.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use chrono::NaiveDate;
use clap::{Parser, Subcommand};

mod fieldwork;
mod setup;

use setup::{CLI_ACTOR, load_districts, open};

use crate::config::Config;
use crate::http::Limits;
use crate::questionnaire::{self, Districts};
use crate::store::{NewWave, Published, Store};

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
    Serve {
        /// Address and port to listen on (port 0 picks a free port).
        #[arg(long, env = "TRYGG_ADDR", default_value = "127.0.0.1:3000")]
        addr: String,
        /// Fill an empty database with synthetic demo data first.
        #[arg(long)]
        demo: bool,
        #[command(flatten)]
        limits: LimitFlags,
        /// Behind a reverse proxy: the header it puts the client's address in (e.g.
        /// X-Real-IP), used only to throttle code guesses and staff logins, in memory.
        #[arg(long, env = "TRYGG_CLIENT_IP_HEADER")]
        client_ip_header: Option<String>,
        /// Open-link answers from one client address to one wave per hour that count
        /// without review; later ones (and bursts of identical answers) are held for staff
        /// to accept. 0: no limit.
        #[arg(long, env = "TRYGG_OPEN_LINK_LIMIT", default_value_t = crate::http::stuffing::DEFAULT_OPEN_LINK_LIMIT)]
        open_link_limit: u32,
    },
    /// Draw a wave's random sample from a sampling frame and write the print file for the
    /// letters (addresses, codes, links, QR codes). Stores only N_h, n_h and hashed codes.
    Sample {
        /// The wave, as district/year (published first with `trygg publish`).
        #[arg(long)]
        wave: String,
        /// The sampling frame CSV: person_id, district, sex, birth_year, address columns.
        #[arg(long)]
        frame: PathBuf,
        /// Letters to send.
        #[arg(long)]
        size: u64,
        /// Strata: sex, age, sex,age or none.
        #[arg(long, default_value = "sex,age")]
        strata: String,
        /// Seed of the draw (default: a random one, printed so the draw can be repeated).
        #[arg(long)]
        seed: Option<u64>,
        /// The print file to write (a `qr/` folder is written beside it).
        #[arg(long)]
        out: PathBuf,
        /// The language the letters are printed in: their links open the survey in it.
        #[arg(long)]
        lang: Option<String>,
    },
    /// Record letters returned as undeliverable, or residents who declined, by code.
    Mark {
        /// The wave, as district/year.
        #[arg(long)]
        wave: String,
        /// undeliverable or declined.
        #[arg(long)]
        status: String,
        /// A file with one code per line (blank lines and # comments ignored).
        #[arg(long)]
        file: Option<PathBuf>,
        /// Codes, as printed.
        codes: Vec<String>,
    },
    /// Write the reminder list: the rows of a print file whose codes are not yet used.
    Reminders {
        /// The wave, as district/year.
        #[arg(long)]
        wave: String,
        /// The print file of the letters.
        #[arg(long)]
        letters: PathBuf,
        /// The reminder print file to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// Import paper answers from the scanning CSV (code, then one column per question).
    ImportPaper {
        /// The wave, as district/year.
        #[arg(long)]
        wave: String,
        /// The scanning file.
        file: PathBuf,
    },
    /// Write the printable paper form (A4 HTML) of a wave in one language.
    PaperForm {
        /// The wave, as district/year.
        #[arg(long)]
        wave: String,
        /// The language of the form (one of the questionnaire's).
        #[arg(long, default_value = "sv")]
        lang: String,
        /// The letter's code, printed on every page (default: a blank box for mail merge).
        #[arg(long)]
        code: Option<String>,
        /// The HTML file to write.
        #[arg(long)]
        out: PathBuf,
    },
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
    /// Check questionnaire files and districts.toml; prints `file:line: message` per fault.
    Check {
        /// A file or a folder (default: the surveys folder).
        path: Option<PathBuf>,
    },
    /// Analyse stored responses: weights, indicators, index levels, changes, measures.
    Analyze {
        /// Years to analyse: `2019..2026` or one year.
        #[arg(long)]
        years: String,
        /// The results table: `.csv` or `.parquet`.
        #[arg(long)]
        out: PathBuf,
        /// The measures table (difference-in-differences): `.csv` or `.parquet`.
        #[arg(long)]
        measures_out: Option<PathBuf>,
        /// Year every estimate is also compared with (default: the first year).
        #[arg(long)]
        base: Option<i32>,
        /// Suppress estimates with fewer valid answers than this.
        #[arg(long, default_value_t = crate::analysis::policy::MIN_N)]
        min_n: f64,
        /// Suppress estimates with a smaller effective sample size than this.
        #[arg(long, default_value_t = crate::analysis::policy::MIN_N_EFF)]
        min_n_eff: f64,
    },
    /// Write the yearly report (HTML, charts, tables, workbook, Parquet) into a folder.
    Report {
        /// The report year.
        #[arg(long)]
        year: i32,
        /// Earlier years to compare with, e.g. `2019..2025` (default: all earlier years).
        #[arg(long)]
        compare: Option<String>,
        /// The report folder (default: reports/<year>).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Time the analysis on synthetic responses in a separate database (run it in release).
    Bench {
        /// Number of synthetic responses.
        #[arg(long, default_value_t = 1_000_000)]
        responses: usize,
        /// The benchmark's own SQLite file (replaced on every run).
        #[arg(long, default_value = "trygg-bench.db")]
        bench_database: PathBuf,
        /// Reuse the benchmark database when it already holds that many responses.
        #[arg(long)]
        reuse: bool,
        /// Time the yearly report on the demo data (and one chart) instead of the analysis.
        #[arg(long, conflicts_with_all = ["load", "crash"])]
        report: bool,
        /// Post full questionnaires to a real `trygg serve` over loopback and check every
        /// receipt against the database (submissions/s, p50/p99 latency, non-2xx).
        #[arg(long, conflicts_with = "crash")]
        load: bool,
        /// Like `--load`, killing the server with SIGKILL at random moments: every answer
        /// with a receipt must be stored, none twice.
        #[arg(long)]
        crash: bool,
        /// Concurrent clients for `--load` and `--crash`.
        #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u16).range(1..=1024))]
        clients: u16,
        /// Seconds of load for `--load`.
        #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u16).range(1..=3600))]
        seconds: u16,
        /// Kills for `--crash`.
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u16).range(1..=1000))]
        kills: u16,
        /// Run `--load` or `--crash` on PostgreSQL: the URL of a server where the benchmark
        /// may create (and replace) a database named trygg_bench.
        #[arg(long, value_name = "URL")]
        postgres: Option<String>,
    },
    /// Publish a questionnaire as the waves of one year.
    Publish {
        /// The questionnaire file, e.g. surveys/trygghet-2026.toml.
        file: PathBuf,
        /// The survey year.
        #[arg(long)]
        year: i32,
        /// District codes separated by commas, or `all`.
        #[arg(long)]
        districts: String,
        /// First day answers are accepted (YYYY-MM-DD).
        #[arg(long)]
        opens: String,
        /// Last day answers are accepted (YYYY-MM-DD).
        #[arg(long)]
        closes: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserAction {
    /// Create an account and print a one-time link (valid 72 h) to set its password.
    Add {
        /// The person's e-mail address (the login name).
        email: String,
        /// admin, analyst or reader.
        #[arg(long)]
        role: String,
        /// Limit an analyst to these districts (codes separated by commas).
        #[arg(long)]
        districts: Option<String>,
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
    fn limits(&self) -> anyhow::Result<Limits> {
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

/// An error and its causes on one line, each cause once: a cause whose text the message
/// before it already contains (sqlx and SQLite repeat each other) is left out.
pub fn error_message(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("TRYGG_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    if let Command::Check { path } = &cli.command {
        // Checking files needs no runtime and no database.
        return Ok(check(path.as_ref().unwrap_or(&cli.config.surveys_dir)));
    }
    if let Command::Translations { action } = &cli.command {
        return translations(action);
    }
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(run_async(cli))
}

async fn run_async(cli: Cli) -> anyhow::Result<ExitCode> {
    let config = cli.config;
    match cli.command {
        Command::Check { .. } | Command::Translations { .. } => {
            unreachable!("handled without a runtime")
        }
        Command::Serve {
            addr,
            demo,
            limits,
            client_ip_header,
            open_link_limit,
        } => {
            let limits = limits.limits()?;
            let origin = config.origin()?;
            let local = addr.starts_with("127.")
                || addr.starts_with("localhost")
                || addr.starts_with("[::1]");
            if !local
                && !origin
                    .as_ref()
                    .is_some_and(crate::http::PublicOrigin::is_https)
            {
                eprintln!(
                    "warning: serving {addr} without an https --public-origin: staff session cookies are not marked Secure; run behind TLS and set TRYGG_PUBLIC_ORIGIN=https://…"
                );
            }
            let client_ip_header = client_ip_header
                .map(|h| {
                    axum::http::HeaderName::try_from(h.trim()).map_err(|_| {
                        anyhow::anyhow!("--client-ip-header \"{h}\" is not a header name")
                    })
                })
                .transpose()?;
            // Without a key file no letter has been made yet: codes simply cannot be used.
            let code_key = if config.code_key.exists() {
                Some(
                    crate::fieldwork::CodeKey::load(&config.code_key)
                        .map_err(|e| anyhow::anyhow!(e))?,
                )
            } else {
                None
            };
            let (store, districts) = open(&config).await?;
            if demo && store.is_empty().await? {
                let summary = crate::demo::fill(
                    &store,
                    &districts,
                    &config.surveys_dir,
                    crate::demo::DEFAULT_SEED,
                )
                .await?;
                println!("{summary}");
            }
            let state = crate::http::AppState::new(store, districts)
                .with_reports(&config.reports_dir)
                .with_surveys(&config.surveys_dir)
                .with_origin(origin)
                .with_code_key(code_key)
                .with_client_ip_header(client_ip_header)
                .with_open_link_limit(open_link_limit)
                .with_limits(limits);
            crate::http::serve(state, &addr).await?;
        }
        Command::Sample {
            wave,
            frame,
            size,
            strata,
            seed,
            out,
            lang,
        } => {
            let summary = fieldwork::sample(
                &config,
                &fieldwork::SampleArgs {
                    wave: &wave,
                    frame: &frame,
                    size,
                    strata: &strata,
                    seed,
                    out: &out,
                    lang: lang.as_deref(),
                },
            )
            .await?;
            println!("{summary}");
        }
        Command::Mark {
            wave,
            status,
            file,
            codes,
        } => {
            let summary = fieldwork::mark(&config, &wave, &status, file.as_deref(), &codes).await?;
            println!("{summary}");
        }
        Command::Reminders { wave, letters, out } => {
            let summary = fieldwork::reminders(&config, &wave, &letters, &out).await?;
            println!("{summary}");
        }
        Command::ImportPaper { wave, file } => {
            let report = fieldwork::import_paper(&config, &wave, &file).await?;
            println!("{report}");
            if !report.refused.is_empty() {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::PaperForm {
            wave,
            lang,
            code,
            out,
        } => {
            println!(
                "{}",
                fieldwork::paper_form(&config, &wave, &lang, code.as_deref(), &out).await?
            );
        }
        Command::Status { year } => {
            print!("{}", fieldwork::status(&config, year).await?);
        }
        Command::User {
            action:
                UserAction::Add {
                    email,
                    role,
                    districts,
                },
        } => {
            let role = crate::auth::Role::parse(&role)
                .ok_or_else(|| anyhow::anyhow!("--role {role}: use admin, analyst or reader"))?;
            if districts.is_some() && role != crate::auth::Role::Analyst {
                bail!(
                    "--districts limits an analyst; it means nothing for a {}",
                    role.as_str()
                );
            }
            let origin = config
                .origin()?
                .map(|o| o.as_str().to_string())
                .unwrap_or_else(|| "http://localhost:3000".into());
            let (store, all) = open(&config).await?;
            let limit = districts.map(|d| choose_districts(&all, &d)).transpose()?;
            let link = crate::http::staff::invite_account(
                &store,
                &origin,
                &email,
                role,
                limit.as_deref(),
                "trygg user add",
            )
            .await?;
            store.close().await;
            println!(
                "{} account for {} created; it can set its password once, within 72 hours, at:\n{link}",
                role.as_str(),
                email.trim().to_lowercase()
            );
        }
        Command::Db {
            action: DbCommand::Copy { from, to },
        } => {
            db_copy(&from, &to).await?;
        }
        Command::Backup { file } => {
            let store = Store::connect_with(
                &config.database_url,
                crate::store::StoreOptions {
                    existing_only: true,
                    ..config.store_options()
                },
            )
            .await
            .with_context(|| format!("opening the database {}", config.database_shown()))?;
            let summary = store.backup(&file).await?;
            println!("{summary}");
            store.close().await;
        }
        Command::Demo { seed } => {
            let (store, districts) = open(&config).await?;
            let summary = crate::demo::fill(&store, &districts, &config.surveys_dir, seed).await?;
            println!("{summary}");
            store.close().await;
        }
        Command::Analyze {
            years,
            out,
            measures_out,
            base,
            min_n,
            min_n_eff,
        } => {
            let years = crate::analysis::parse_years(&years)?;
            crate::analysis::check_output_path(&out)?;
            if let Some(m) = &measures_out {
                crate::analysis::check_output_path(m)?;
            }
            if !(min_n >= 5.0 && min_n_eff >= 1.0) {
                bail!(
                    "--min-n must be at least 5 (counts of 1-4 are never published) and --min-n-eff at least 1"
                );
            }
            let (store, districts) = open(&config).await?;
            let mut options = crate::analysis::Options::new(years);
            if base.is_some() {
                options.base_year = base;
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
            if let Some(path) = measures_out {
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
        }
        Command::Report { year, compare, out } => {
            let compare = compare
                .map(|c| {
                    crate::analysis::parse_years(&c).map_err(|e| anyhow::anyhow!("--compare: {e}"))
                })
                .transpose()?;
            let out = out.unwrap_or_else(|| config.reports_dir.join(year.to_string()));
            let (store, districts) = open(&config).await?;
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
            let summary = crate::report::generate(&store, &inputs, &options).await;
            progress.finish();
            let summary = summary.with_context(|| format!("writing the report for {year}"))?;
            store
                .audit(
                    CLI_ACTOR,
                    "report generated",
                    &format!("{year} in {}", out.display()),
                )
                .await?;
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
        }
        Command::Bench {
            responses,
            bench_database,
            reuse,
            report,
            load,
            crash,
            clients,
            seconds,
            kills,
            postgres,
        } => {
            if responses == 0 {
                bail!("--responses must be at least 1");
            }
            if postgres.is_some() && !(load || crash) {
                bail!("--postgres is for --load and --crash");
            }
            if load || crash {
                let exe = std::env::current_exe().context("finding the trygg binary")?;
                let target = match postgres {
                    Some(url) => crate::bench::load::Target::Postgres(url),
                    None => crate::bench::load::Target::Sqlite(
                        bench_database
                            .parent()
                            .filter(|p| !p.as_os_str().is_empty())
                            .unwrap_or(std::path::Path::new("."))
                            .join("trygg-bench-load"),
                    ),
                };
                let out = if load {
                    crate::bench::load::load(
                        &exe,
                        &target,
                        &config.surveys_dir,
                        clients.into(),
                        seconds.into(),
                    )
                    .await?
                } else {
                    crate::bench::load::crash(
                        &exe,
                        &target,
                        &config.surveys_dir,
                        clients.into(),
                        kills.into(),
                    )
                    .await?
                };
                println!("{out}");
                let failed = out.ends_with("FAILED");
                return Ok(if failed {
                    ExitCode::FAILURE
                } else {
                    ExitCode::SUCCESS
                });
            }
            let districts = load_districts(&config)?;
            if report {
                let dir = bench_database
                    .parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .unwrap_or(std::path::Path::new("."));
                println!(
                    "{}",
                    crate::bench::report(dir, &config.surveys_dir, &districts).await?
                );
                return Ok(ExitCode::SUCCESS);
            }
            let report = crate::bench::run(
                &bench_database,
                &config.surveys_dir,
                &districts,
                responses,
                crate::demo::DEFAULT_SEED,
                reuse,
            )
            .await?;
            println!("{report}");
        }
        Command::Publish {
            file,
            year,
            districts: which,
            opens,
            closes,
        } => {
            let opens = parse_date("--opens", &opens)?;
            let closes = parse_date("--closes", &closes)?;
            if !(2000..=2100).contains(&year) {
                bail!("--year {year} is not a survey year (2000-2100)");
            }
            if closes < opens {
                bail!("--closes {closes} is before --opens {opens}");
            }
            let source = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let q =
                questionnaire::parse(&file.display().to_string(), &source).map_err(|faults| {
                    anyhow::anyhow!(
                        "{} has faults; nothing was published:\n{}",
                        file.display(),
                        faults
                            .iter()
                            .map(|f| f.to_string())
                            .collect::<Vec<_>>()
                            .join("\n")
                    )
                })?;
            let (store, districts) = open(&config).await?;
            let chosen = choose_districts(&districts, &which)?;
            for d in chosen {
                let outcome = store
                    .publish(&NewWave {
                        district: &d,
                        year,
                        questionnaire_code: &q.code,
                        source: &source,
                        opens_on: opens,
                        closes_on: closes,
                    })
                    .await
                    .with_context(|| format!("publishing {d} {year}"))?;
                match outcome {
                    Published::Created => {
                        store
                            .audit(
                                CLI_ACTOR,
                                "wave published",
                                &format!("{d} {year} ({}, {opens} to {closes})", q.code),
                            )
                            .await?;
                        println!(
                            "published {d} {year} ({}, open {opens} to {closes})",
                            q.code
                        )
                    }
                    Published::Unchanged => println!(
                        "{d} {year} was already published with this questionnaire and dates; unchanged"
                    ),
                }
            }
            store.close().await;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn translations(action: &TranslationAction) -> anyhow::Result<ExitCode> {
    use crate::questionnaire::translations;
    match action {
        TranslationAction::Export { lang, file, out } => {
            if !crate::i18n::is_supported(lang) {
                bail!(
                    "--lang {lang}: not a language of the page catalogue (surveys/translations/pages.toml)"
                );
            }
            if out.exists() {
                bail!("{} already exists", out.display());
            }
            let q = questionnaire::load(file).map_err(|f| {
                anyhow::anyhow!(
                    "{}",
                    f.iter()
                        .map(|x| x.to_string())
                        .collect::<Vec<_>>()
                        .join("\n")
                )
            })?;
            let source = std::fs::read_to_string(file)?;
            let csv = translations::export(&source, lang, &q.draft_languages)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            std::fs::write(out, &csv).with_context(|| format!("writing {}", out.display()))?;
            let untranslated = csv.lines().filter(|l| l.ends_with(",untranslated")).count();
            println!(
                "{} texts of {} written to {} ({untranslated} untranslated)",
                csv.lines().count() - 1,
                file.display(),
                out.display()
            );
        }
        TranslationAction::Import { file, csv } => {
            let done = translations::import_file(file, csv).map_err(|faults| {
                anyhow::anyhow!(
                    "nothing was imported; {} fault(s):\n{}",
                    faults.len(),
                    faults.join("\n")
                )
            })?;
            println!(
                "{} texts in {} imported into {}{}",
                done.texts,
                done.lang,
                file.display(),
                if done.draft {
                    " (marked as draft until every row says reviewed)"
                } else {
                    " (reviewed)"
                }
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn check(path: &std::path::Path) -> ExitCode {
    let report = questionnaire::check_path(path);
    for f in &report.faults {
        println!("{f}");
    }
    for n in &report.notes {
        println!("note: {n}");
    }
    if report.faults.is_empty() {
        println!("checked {} file(s): no faults", report.checked.len());
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "{} fault(s) in {} file(s)",
            report.faults.len(),
            report.checked.len().max(1)
        );
        ExitCode::FAILURE
    }
}

/// `districts.toml`, with every fault on its own line.
/// `trygg db copy`: opens both sides (the source only if it is a trygg database), copies,
/// verifies and says what moved.
async fn db_copy(from: &str, to: &str) -> anyhow::Result<()> {
    use crate::store::{CopyProgress, StoreOptions, redact};
    if from == to {
        anyhow::bail!("--from and --to are the same database; nothing was copied");
    }
    let source = Store::connect_with(
        from,
        StoreOptions {
            existing_only: true,
            ..Default::default()
        },
    )
    .await
    .with_context(|| format!("opening --from {}", redact(from)))?;
    let dest = Store::connect(to)
        .await
        .with_context(|| format!("opening --to {}", redact(to)))?;
    let mut bar: Option<crate::progress::Progress> = None;
    let summary = source
        .copy_to(&dest, |p| match p {
            CopyProgress::Total(n) => {
                bar = Some(crate::progress::Progress::bar(n, "copying", "rows"))
            }
            CopyProgress::Copied(n) => {
                if let Some(b) = &bar {
                    b.inc(n)
                }
            }
        })
        .await
        .with_context(|| format!("copying {} to {}", redact(from), redact(to)))?;
    if let Some(b) = bar {
        b.finish();
    }
    println!("{summary}");
    source.close().await;
    dest.close().await;
    Ok(())
}

fn parse_date(flag: &str, s: &str) -> anyhow::Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .with_context(|| format!("{flag} \"{s}\" is not a date like 2026-09-01"))
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

#[cfg(test)]
mod tests {
    use super::error_message;

    #[test]
    fn each_cause_is_named_once() {
        let io = std::io::Error::other("unable to open database file");
        let e = anyhow::Error::new(io)
            .context("database: unable to open database file")
            .context("opening the database /x/t.db");
        assert_eq!(
            error_message(&e),
            "opening the database /x/t.db: database: unable to open database file"
        );
    }
}
