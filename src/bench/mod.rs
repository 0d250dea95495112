//! `trygg bench`: the analysis on a million synthetic responses, timed (`--est`: the EST
//! week's page on 200,000 reports, `est.rs`).
//!
//! Generates `n` responses (the bundled questionnaire, 4 districts × 8 years, seeded) into a
//! fresh SQLite file, then measures loading them from the database, the analysis after
//! loading (weights, all indicators for all domains and groups, indices, year-over-year,
//! measures) and the process's peak memory. It is a command rather than a timed test so
//! the targets are measured on purpose, in a release build.

mod est;
pub mod load;
mod logins;
mod timing;

use std::path::Path;
use std::time::Instant;

use chrono::NaiveDate;

use crate::analysis::{self, Inputs, Options};
use crate::error::Error;
use crate::questionnaire::{self, Districts};
use crate::store::{NewWave, Store};

pub use est::week_page as est_week_page;

pub const YEARS: std::ops::RangeInclusive<i32> = 2019..=2026;

/// Peak resident memory of this process in MiB (Linux), if known.
pub fn peak_memory_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

pub async fn run(
    db_path: &Path,
    surveys: &Path,
    districts: &Districts,
    n: usize,
    seed: u64,
    reuse: bool,
) -> Result<String, Error> {
    let db = db_path.to_str().unwrap_or("trygg-bench.db");
    if reuse && db_path.exists() {
        let store = Store::connect(db).await?;
        if store.count_responses(None).await? as usize == n {
            return analyse(&store, db_path, surveys, districts, "reused").await;
        }
        store.close().await;
    }
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db_path.display()));
    }
    let _ = std::fs::remove_dir_all(format!("{}.frozen", db_path.display()));
    let store = Store::connect(db).await?;
    let file = surveys.join("trygghet-2026.toml");
    let source = std::fs::read_to_string(&file)
        .map_err(|e| Error::Invalid(format!("{}: {e}", file.display())))?;
    let q = questionnaire::parse(&file.display().to_string(), &source)
        .map_err(|f| Error::Invalid(f[0].to_string()))?;
    let codes: Vec<&str> = districts.codes().collect();
    let waves = codes.len() * YEARS.count();
    let per_wave = n.div_ceil(waves);
    let started = Instant::now();
    let mut written = 0;
    let progress = crate::progress::Progress::bar(n as u64, "generating", "answers");
    for year in YEARS {
        let opens = NaiveDate::from_ymd_opt(year, 9, 1).expect("date");
        let closes = NaiveDate::from_ymd_opt(year, 10, 31).expect("date");
        for d in &codes {
            let count = per_wave.min(n - written);
            let wave = NewWave {
                district: d,
                year,
                questionnaire_code: &q.code,
                source: &source,
                opens_on: opens,
                closes_on: closes,
            };
            let answers = crate::demo::responses(&q, d, year, seed, count);
            crate::demo::publish_with_answers(&store, &wave, answers, |_| {}).await?;
            written += count;
            progress.inc(count as u64);
        }
    }
    progress.finish();
    let generate = format!("{:.2} s", started.elapsed().as_secs_f64());
    analyse(&store, db_path, surveys, districts, &generate).await
}

/// The same responses exported to CSV and analysed by `tests/bench/analyze.py` (pandas),
/// timed from process start to its results file, against `trygg analyze`'s `trygg_secs`.
async fn pandas(db_path: &Path, surveys: &Path, trygg_secs: f64) -> String {
    let script = Path::new("tests/bench/analyze.py");
    if !script.is_file() {
        return format!(
            "pandas comparison skipped: run from the repository root ({} not found)",
            script.display()
        );
    }
    let csv = db_path.with_extension("responses.csv");
    let out = db_path.with_extension("pandas-results.csv");
    if let Err(e) = export_csv(db_path, surveys, &csv).await {
        return format!("pandas comparison skipped: exporting the responses failed: {e}");
    }
    let started = Instant::now();
    let run = std::process::Command::new("python3")
        .arg(script)
        .arg(&csv)
        .arg(surveys.join("trygghet-2026.toml"))
        .arg(surveys.join("population"))
        .arg(&out)
        .output();
    let secs = started.elapsed().as_secs_f64();
    match run {
        Ok(o) if o.status.success() => format!(
            "pandas, same responses from CSV (tests/bench/analyze.py, process start to {}): {secs:.2} s = {:.1} x trygg",
            out.display(),
            secs / trygg_secs
        ),
        Ok(o) => format!(
            "pandas comparison skipped: {} (pip install pandas numpy)",
            String::from_utf8_lossy(&o.stderr)
                .lines()
                .last()
                .unwrap_or("the script failed")
        ),
        Err(e) => format!("pandas comparison skipped: python3: {e}"),
    }
}

/// Writes every response as one CSV row: district, year, sex, age group and each share
/// indicator's option code ("don't know" and no answer empty), for the pandas script.
async fn export_csv(db_path: &Path, surveys: &Path, csv_path: &Path) -> Result<usize, Error> {
    use crate::questionnaire::{QuestionKind, Role};
    let file = surveys.join("trygghet-2026.toml");
    let source = std::fs::read_to_string(&file)
        .map_err(|e| Error::Invalid(format!("{}: {e}", file.display())))?;
    let q = questionnaire::parse(&file.display().to_string(), &source)
        .map_err(|f| Error::Invalid(f[0].to_string()))?;
    let role = |r| {
        q.with_role(r)
            .map(|x| x.code.clone())
            .ok_or_else(|| Error::Invalid("no sex or age question".into()))
    };
    let mut columns = vec![role(Role::Sex)?, role(Role::AgeGroup)?];
    columns.extend(
        q.indicators()
            .filter(|(x, _)| x.kind != QuestionKind::Multi)
            .map(|(x, _)| x.code.clone()),
    );
    let dont_know: std::collections::HashSet<(String, String)> = q
        .questions
        .iter()
        .flat_map(|x| {
            x.options
                .iter()
                .filter(|o| o.dont_know)
                .map(|o| (x.code.clone(), o.code.clone()))
        })
        .collect();
    let store = Store::connect(&db_path.display().to_string()).await?;
    let fail = |e: csv::Error| Error::Internal(format!("writing {}: {e}", csv_path.display()));
    let mut w = csv::Writer::from_path(csv_path).map_err(fail)?;
    let mut header = vec![
        "district".to_string(),
        "year".into(),
        "sex".into(),
        "age_group".into(),
    ];
    header.extend(columns[2..].iter().cloned());
    w.write_record(&header).map_err(fail)?;
    let mut n = 0;
    for wave in store.waves().await? {
        let year = wave.year.to_string();
        store
            .scan_responses(wave.id, |answers| {
                let v: serde_json::Value = serde_json::from_str(answers)
                    .map_err(|e| Error::Internal(format!("stored answers: {e}")))?;
                let mut row = vec![wave.district.as_str(), year.as_str()];
                for c in &columns {
                    let a = v.get(c).and_then(|a| a.as_str()).unwrap_or("");
                    row.push(if dont_know.contains(&(c.clone(), a.to_string())) {
                        ""
                    } else {
                        a
                    });
                }
                w.write_record(&row)
                    .map_err(|e| Error::Internal(format!("writing the CSV: {e}")))?;
                n += 1;
                Ok(())
            })
            .await?;
    }
    w.flush()
        .map_err(|e| Error::Internal(format!("writing the CSV: {e}")))?;
    store.close().await;
    Ok(n)
}

async fn analyse(
    store: &Store,
    db_path: &Path,
    surveys: &Path,
    districts: &Districts,
    generate: &str,
) -> Result<String, Error> {
    let codes: Vec<&str> = districts.codes().collect();
    let inputs = Inputs {
        districts: districts.clone(),
        surveys: surveys.to_path_buf(),
    };
    let analysis = analysis::analyze(store, &inputs, &Options::new(YEARS)).await?;
    store.close().await;
    let t = &analysis.timings;
    // End to end, as an analyst runs it: a fresh process, to the results file.
    let out = db_path.with_extension("results.parquet");
    let started = Instant::now();
    let status = std::process::Command::new(
        std::env::current_exe().map_err(|e| Error::Internal(format!("current exe: {e}")))?,
    )
    .arg("--database")
    .arg(db_path)
    .arg("--surveys")
    .arg(surveys)
    .args([
        "analyze",
        "--years",
        &format!("{}..{}", YEARS.start(), YEARS.end()),
        "--out",
    ])
    .arg(&out)
    .stdout(std::process::Stdio::null())
    .status()
    .map_err(|e| Error::Internal(format!("running trygg analyze: {e}")))?;
    let end_to_end = started.elapsed().as_secs_f64();
    if !status.success() {
        return Err(Error::Internal(
            "trygg analyze failed in the benchmark".into(),
        ));
    }
    let pandas = pandas(db_path, surveys, end_to_end).await;
    Ok(format!(
        "trygg bench: {} synthetic responses, {} districts x {} years\n\
         generate + store: {:>8}\n\
         load:             {:>8.2} s   ({} closed waves read from columnar files, {} frozen now)\n\
         analysis:         {:>8.2} s   (weights, {} result rows, {} measure rows)\n\
         peak memory:      {:>8.0} MiB\n\
         `trygg analyze` end to end (process start to {}): {:.2} s\n\
         {pandas}",
        t.responses,
        codes.len(),
        YEARS.count(),
        generate,
        t.load.as_secs_f64(),
        t.frozen.read,
        t.frozen.written,
        t.compute.as_secs_f64(),
        analysis.results.len(),
        analysis.measures.len(),
        peak_memory_mib().unwrap_or(f64::NAN),
        out.display(),
        end_to_end,
    ))
}

/// `trygg bench --report`: the full yearly report on the demo data (8 years × 4 districts)
/// and a single SVG chart, timed.
pub async fn report(
    workdir: &Path,
    surveys: &Path,
    districts: &Districts,
) -> Result<String, Error> {
    std::fs::create_dir_all(workdir)
        .map_err(|e| Error::Invalid(format!("{}: {e}", workdir.display())))?;
    let db = workdir.join("trygg-report-bench.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let store = Store::connect(db.to_str().unwrap_or("trygg-report-bench.db")).await?;
    let demo = crate::demo::fill(&store, districts, surveys, crate::demo::DEFAULT_SEED).await?;
    let inputs = Inputs {
        districts: districts.clone(),
        surveys: surveys.to_path_buf(),
    };
    let out = workdir.join("trygg-report-bench");
    let started = Instant::now();
    let summary = crate::report::generate(
        &store,
        &inputs,
        &crate::report::ReportOptions {
            year: demo.last_year,
            compare: None,
            out: out.clone(),
        },
    )
    .await?;
    let full = started.elapsed();

    let years = (demo.first_year, demo.last_year);
    let a = analysis::analyze(&store, &inputs, &Options::new(years.0..=years.1)).await?;
    store.close().await;
    let look = crate::report::figures::Lookup::new(&a);
    let district = |c: &str| {
        districts
            .get(c)
            .map(|d| d.name.get("sv").to_string())
            .unwrap_or_else(|| c.to_string())
    };
    let indicator = |c: &str| c.to_string();
    let names = crate::report::figures::Names {
        district: &district,
        indicator: &indicator,
    };
    let chart =
        crate::report::figures::trend(&a, &look, &names, years, "skaggetorp", "P_BELYSNING");
    const RUNS: u32 = 200;
    let started = Instant::now();
    for _ in 0..RUNS {
        crate::charts::svg(&chart)?;
    }
    let svg = started.elapsed() / RUNS;
    let started = Instant::now();
    for _ in 0..20 {
        crate::charts::png(&chart)?;
    }
    let png = started.elapsed() / 20;
    Ok(format!(
        "trygg bench --report: {} demo responses, {}–{}, {} districts\n\
         full report:      {:>8.2} s   (target < 10 s; {} files, {} charts in SVG and PNG, {:.1} MB; analysis {:.2} s)\n\
         one SVG chart:    {:>8.2} ms  (target < 5 ms; mean of {RUNS})\n\
         one PNG chart:    {:>8.2} ms  (mean of 20)",
        demo.responses,
        years.0,
        years.1,
        districts.0.len(),
        full.as_secs_f64(),
        summary.files,
        summary.charts,
        summary.bytes as f64 / 1e6,
        summary.analysis.as_secs_f64(),
        svg.as_secs_f64() * 1000.0,
        png.as_secs_f64() * 1000.0,
    ))
}
