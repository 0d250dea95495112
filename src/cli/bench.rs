//! `trygg bench`: the analysis, the report, or a real server under load timed on synthetic
//! responses in a database of the benchmark's own.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, bail};

use crate::config::Config;

use super::args::BenchArgs;
use super::setup::load_districts;

pub(super) async fn bench(config: &Config, a: BenchArgs) -> anyhow::Result<ExitCode> {
    if a.responses == 0 {
        bail!("--responses must be at least 1");
    }
    if a.postgres.is_some() && !(a.load || a.crash) {
        bail!("--postgres is for --load and --crash");
    }
    if a.load || a.crash {
        return load(config, a).await;
    }
    let districts = load_districts(config)?;
    if a.est {
        let out = crate::bench::est_week_page(
            folder(&a.bench_database),
            &config.surveys_dir,
            &districts,
            a.est_reports as usize,
        )
        .await?;
        println!("{out}");
        return Ok(ExitCode::SUCCESS);
    }
    if a.report {
        println!(
            "{}",
            crate::bench::report(folder(&a.bench_database), &config.surveys_dir, &districts)
                .await?
        );
        return Ok(ExitCode::SUCCESS);
    }
    let report = crate::bench::run(
        &a.bench_database,
        &config.surveys_dir,
        &districts,
        a.responses,
        crate::demo::DEFAULT_SEED,
        a.reuse,
    )
    .await?;
    println!("{report}");
    Ok(ExitCode::SUCCESS)
}

/// The folder the benchmark database is in (the current one for a bare file name).
fn folder(bench_database: &Path) -> &Path {
    bench_database
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// `--load` or `--crash`: a real `trygg serve` under load, or killed under it.
async fn load(config: &Config, a: BenchArgs) -> anyhow::Result<ExitCode> {
    let exe = std::env::current_exe().context("finding the trygg binary")?;
    let target = match a.postgres {
        Some(url) => crate::bench::load::Target::Postgres(url),
        None => {
            crate::bench::load::Target::Sqlite(folder(&a.bench_database).join("trygg-bench-load"))
        }
    };
    let out = if a.load {
        crate::bench::load::load(
            &exe,
            &target,
            &config.surveys_dir,
            a.clients.into(),
            a.seconds.into(),
        )
        .await?
    } else {
        crate::bench::load::crash(
            &exe,
            &target,
            &config.surveys_dir,
            a.clients.into(),
            a.kills.into(),
        )
        .await?
    };
    println!("{out}");
    let failed = out.ends_with("FAILED");
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
