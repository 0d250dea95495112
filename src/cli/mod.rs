//! The subcommands of `trygg`. Each one parses its flags into typed values at the edge and
//! calls the library; errors carry context for the person at the terminal. `args.rs` holds
//! the flags; here each subcommand is sent to the file of its concern.

use std::process::ExitCode;

use anyhow::Context;

mod analyze;
mod args;
mod bench;
mod db;
mod est;
mod fieldwork;
mod files;
mod report;
mod serve;
mod setup;
mod users;
mod waves;

pub use args::{
    AnalyzeArgs, BenchArgs, Cli, Command, DbCommand, EstCommand, ImportPaperArgs, LimitFlags,
    MarkArgs, PaperFormArgs, PublishArgs, RemindersArgs, ReportArgs, SampleArgs, ServeArgs,
    TranslationAction, UserAction,
};
pub use setup::choose_districts;

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
        return Ok(files::check(
            path.as_ref().unwrap_or(&cli.config.surveys_dir),
        ));
    }
    if let Command::Translations { action } = &cli.command {
        return files::translations(action);
    }
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(run_async(cli))
}

/// Each subcommand that needs the runtime, sent to its file.
async fn run_async(cli: Cli) -> anyhow::Result<ExitCode> {
    let config = cli.config;
    match cli.command {
        Command::Check { .. } | Command::Translations { .. } => {
            unreachable!("handled without a runtime")
        }
        Command::Serve(a) => serve::serve(&config, a).await?,
        Command::Sample(a) => println!("{}", fieldwork::sample(&config, &a).await?),
        Command::Mark(a) => {
            let summary =
                fieldwork::mark(&config, &a.wave, &a.status, a.file.as_deref(), &a.codes).await?;
            println!("{summary}");
        }
        Command::Reminders(a) => {
            let summary = fieldwork::reminders(&config, &a.wave, &a.letters, &a.out).await?;
            println!("{summary}");
        }
        Command::ImportPaper(a) => {
            let report = fieldwork::import_paper(&config, &a.wave, &a.file).await?;
            println!("{report}");
            if !report.refused.is_empty() {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::PaperForm(a) => println!(
            "{}",
            fieldwork::paper_form(&config, &a.wave, &a.lang, a.code.as_deref(), &a.out).await?
        ),
        Command::Status { year } => print!("{}", fieldwork::status(&config, year).await?),
        Command::User {
            action:
                UserAction::Add {
                    email,
                    role,
                    districts,
                    organisation,
                },
        } => users::add(&config, &email, &role, districts, organisation).await?,
        Command::Db {
            action: DbCommand::Copy { from, to },
        } => db::db_copy(&from, &to).await?,
        Command::Backup { file } => db::backup(&config, &file).await?,
        Command::Demo { seed } => db::demo(&config, seed).await?,
        Command::Analyze(a) => analyze::analyze(&config, a).await?,
        Command::Report(a) => report::report(&config, a).await?,
        Command::Bench(a) => return bench::bench(&config, a).await,
        Command::Publish(a) => waves::publish(&config, a).await?,
        Command::Est {
            action: EstCommand::Import { file, organisation },
        } => return est::import(&config, &file, &organisation).await,
        Command::Est {
            action: EstCommand::Purge,
        } => est::purge(&config).await?,
    }
    Ok(ExitCode::SUCCESS)
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
