//! The yearly report: `trygg report --year 2026 --out reports/2026`.
//!
//! Everything is built in memory from one analysis run (charts, tables, workbook, page),
//! then written to a temporary folder beside the target and renamed into place, so a
//! failed run never leaves half a report and readers never see one being written. The
//! output depends only on the data: re-running gives byte-identical files.

mod cells;
pub mod district;
pub mod figures;
mod lookup;
mod method;
mod page;
pub mod view;
mod workbook;

pub use cells::{Drawing, chart_figure};
pub use figures::index_blocks;

use std::collections::BTreeMap;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::analysis::{
    self, Analysis, ChartName, Group, IndicatorKey, Inputs, Kind, Options, output,
};
use crate::charts::{self, Chart};
use crate::error::Error;
use crate::questionnaire::Districts;
use crate::store::Store;

use figures::{Lookup, Names};

/// What to report on.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    pub year: i32,
    /// Earlier years to compare with (default: every earlier year with waves).
    pub compare: Option<RangeInclusive<i32>>,
    pub out: PathBuf,
}

/// What a run produced.
#[derive(Debug, Clone)]
pub struct Summary {
    pub files: usize,
    pub charts: usize,
    pub bytes: usize,
    pub analysis: Duration,
    pub build: Duration,
}

/// A report's files by path relative to its folder.
pub type Files = BTreeMap<String, Vec<u8>>;

/// Checks the output folder before any work: its parent must exist and it must not be a file.
fn check_out(out: &Path) -> Result<PathBuf, Error> {
    if out.exists() && !out.is_dir() {
        return Err(Error::Invalid(format!(
            "{} is a file, not a folder for the report",
            out.display()
        )));
    }
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    if !parent.is_dir() {
        return Err(Error::Invalid(format!(
            "{}: the folder {} does not exist",
            out.display(),
            parent.display()
        )));
    }
    Ok(parent)
}

/// Analyses the years and writes the report folder.
pub async fn generate(
    store: &Store,
    inputs: &Inputs,
    opts: &ReportOptions,
) -> Result<Summary, Error> {
    let parent = check_out(&opts.out)?;
    let waves = store.waves().await?;
    if !waves.iter().any(|w| w.year == opts.year) {
        return Err(Error::Invalid(format!(
            "there are no waves in {}: nothing to report",
            opts.year
        )));
    }
    let first = match &opts.compare {
        Some(r) => {
            if *r.end() >= opts.year {
                return Err(Error::Invalid(format!(
                    "--compare {}..{} must end before the report year {}",
                    r.start(),
                    r.end(),
                    opts.year
                )));
            }
            *r.start()
        }
        None => waves
            .iter()
            .map(|w| w.year)
            .filter(|y| *y <= opts.year)
            .min()
            .unwrap_or(opts.year),
    };
    let started = Instant::now();
    let analysis = analysis::analyze(store, inputs, &Options::new(first..=opts.year)).await?;
    let this_year: usize = analysis
        .weighting
        .iter()
        .filter(|w| w.year == opts.year)
        .map(|w| w.n)
        .sum();
    if this_year == 0 {
        return Err(Error::Invalid(format!(
            "there are no responses in {}: nothing to report",
            opts.year
        )));
    }
    let analysed = started.elapsed();
    let districts = inputs.districts.clone();
    let year = opts.year;
    let open = open_districts(&waves, year, &districts);
    let built = Instant::now();
    let files =
        tokio::task::spawn_blocking(move || build(&analysis, &districts, (first, year), &open))
            .await
            .map_err(|e| Error::Internal(format!("report thread: {e}")))??;
    let summary = Summary {
        files: files.len(),
        charts: files.keys().filter(|k| k.ends_with(".svg")).count(),
        bytes: files.values().map(Vec::len).sum(),
        analysis: analysed,
        build: built.elapsed(),
    };
    write_atomically(&parent, &opts.out, &files)?;
    Ok(summary)
}

/// Writes the files into a temporary folder, then swaps it in for `out`. The temporary
/// names are random, so two writers (the web page and `trygg report`, or two servers) never
/// share or delete each other's folder; if the swap fails the earlier report is put back.
pub fn write_atomically(parent: &Path, out: &Path, files: &Files) -> Result<(), Error> {
    let name = out.file_name().and_then(|n| n.to_str()).unwrap_or("report");
    let mut nonce = [0u8; 8];
    getrandom::fill(&mut nonce).map_err(|e| Error::Internal(format!("getrandom: {e}")))?;
    let nonce = u64::from_le_bytes(nonce);
    let tmp = parent.join(format!(".{name}.tmp-{nonce:016x}"));
    let old = parent.join(format!(".{name}.old-{nonce:016x}"));
    let io = |what: &Path, e: std::io::Error| Error::io(what, e);
    let result = (|| {
        std::fs::create_dir(&tmp).map_err(|e| io(&tmp, e))?;
        for (rel, bytes) in files {
            let path = tmp.join(rel);
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
            }
            std::fs::write(&path, bytes).map_err(|e| io(&path, e))?;
        }
        let had_old = out.exists();
        if had_old {
            std::fs::rename(out, &old).map_err(|e| io(out, e))?;
        }
        if let Err(e) = std::fs::rename(&tmp, out) {
            if had_old {
                // Put the published report back rather than leave none.
                let _ = std::fs::rename(&old, out);
            }
            return Err(io(out, e));
        }
        let _ = std::fs::remove_dir_all(&old);
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result
}

/// All files of the report.
/// The names of the districts whose wave of `year` still takes answers today: a report
/// made now is preliminary, and says so.
pub fn open_districts(
    waves: &[crate::store::Wave],
    year: i32,
    districts: &Districts,
) -> Vec<String> {
    let today = chrono::Local::now().date_naive();
    waves
        .iter()
        .filter(|w| w.year == year && w.closes_on >= today)
        .map(|w| {
            districts
                .get(&w.district)
                .map_or(w.district.clone(), |d| d.name.get("sv").to_string())
        })
        .collect()
}

/// Every file of the report in memory — `index.html` and a page per district with answers
/// in the year (`<district>.html`) among them; `open` names the districts whose survey is
/// still open (the report is then marked preliminary).
pub fn build(
    a: &Analysis,
    districts: &Districts,
    years: (i32, i32),
    open: &[String],
) -> Result<Files, Error> {
    let q = &a.questionnaire;
    let look = Lookup::new(a);
    let district_name = |code: &str| -> String {
        districts
            .get(code)
            .map(|d| d.name.get("sv").to_string())
            .unwrap_or_else(|| code.to_string())
    };
    let indicator_name = |code: &str| -> String {
        q.question(code)
            .and_then(|x| x.indicator.as_ref())
            .map(|i| i.label.get("sv").to_string())
            .unwrap_or_else(|| code.to_string())
    };
    let names = Names {
        district: &district_name,
        indicator: &indicator_name,
    };
    let codes: Vec<String> = districts
        .codes()
        .filter(|d| a.weighting.iter().any(|w| w.district == *d))
        .map(str::to_string)
        .collect();
    let named: Vec<(String, String)> = codes
        .iter()
        .map(|c| (c.clone(), district_name(c)))
        .collect();
    let indicators: Vec<String> = q
        .indicators()
        .map(|(x, _)| x.code.clone())
        .filter(|c| {
            a.results
                .iter()
                .any(|r| r.indicator.is(c) && r.kind == Kind::Share)
        })
        .collect();
    let report = Report {
        a,
        look: &look,
        names: &names,
        years,
        codes: &codes,
        named: &named,
        indicators: &indicators,
    };

    let mut files = Files::new();
    let svgs = chart_files(&report.charts(), &mut files)?;
    table_files(a, years, &mut files)?;
    files.insert("tables/responses.csv".into(), responses_csv(a).into_bytes());
    files.insert(
        format!("trygg-{}.xlsx", years.1),
        workbook::build(a, &names, years, &indicators)?,
    );
    let pages = district::page_districts(a, years.1, &codes);
    let html = page::render(
        a,
        &look,
        &names,
        years,
        &codes,
        &indicators,
        &svgs,
        open,
        &pages,
    );
    files.insert("index.html".into(), html.into_bytes());
    report.district_files(open, &pages, &mut files)?;
    Ok(files)
}

impl Report<'_> {
    /// The district pages, `<district>.html` each, beside the report's other files.
    fn district_files(
        &self,
        open: &[String],
        pages: &[String],
        files: &mut Files,
    ) -> Result<(), Error> {
        let c = district::Context {
            a: self.a,
            look: self.look,
            names: self.names,
            years: self.years,
            open,
        };
        for d in pages {
            let name = format!("{d}.html");
            if files.contains_key(&name) {
                return Err(Error::Invalid(format!(
                    "the district code {d} clashes with the report's own {name}"
                )));
            }
            files.insert(name, district::render(&c, d).into_bytes());
        }
        Ok(())
    }
}

/// What the report's files are made from.
struct Report<'a> {
    a: &'a Analysis,
    look: &'a Lookup<'a>,
    names: &'a Names<'a>,
    years: (i32, i32),
    /// The districts with answers, in display order, and with their names.
    codes: &'a [String],
    named: &'a [(String, String)],
    /// The share indicators of the results table, in questionnaire order.
    indicators: &'a [String],
}

impl Report<'_> {
    /// Every chart of the report with its file name: the indices, each indicator across the
    /// districts and over the years in each, and the measures shown on the page.
    fn charts(&self) -> Vec<(String, Chart)> {
        let (a, look, names, years) = (self.a, self.look, self.names, self.years);
        let mut charts: Vec<(String, Chart)> = Vec::new();
        for (index, name) in index_blocks(&a.questionnaire) {
            charts.push((
                ChartName::Index(&index).file_stem(),
                figures::index(look, names, years, self.codes, &index, &name),
            ));
        }
        for code in self.indicators {
            let compare = ChartName::Compare {
                year: years.1,
                indicator: code,
            };
            charts.push((
                compare.file_stem(),
                figures::compare(
                    look,
                    years.1,
                    self.named,
                    figures::Measured::all(&IndicatorKey::Question(code.clone())),
                    &(names.indicator)(code),
                ),
            ));
            for d in self.codes {
                let trend = ChartName::Trend {
                    district: d,
                    indicator: code,
                };
                charts.push((
                    trend.file_stem(),
                    figures::trend(a, look, names, years, d, code),
                ));
            }
        }
        for r in page::shown_measure_rows(a) {
            if let Some(c) = figures::measure(a, look, names, years, &r.measure, &r.indicator) {
                let name = ChartName::Measure {
                    measure: &r.measure,
                    indicator: &r.indicator,
                };
                charts.push((name.file_stem(), c));
            }
        }
        charts
    }
}

/// Draws every chart as PNG and SVG into the files; returns each chart's SVG and text
/// alternative by name, for the page.
fn chart_files(charts: &[(String, Chart)], files: &mut Files) -> Result<cells::Drawn, Error> {
    let mut drawn = cells::Drawn::new();
    for (name, chart) in charts {
        let svg = charts::svg(chart)?;
        files.insert(format!("charts/{name}.png"), charts::png(chart)?);
        files.insert(format!("charts/{name}.svg"), svg.clone().into_bytes());
        drawn.insert(name.clone(), (svg, charts::describe(chart)));
    }
    Ok(drawn)
}

/// Tables: the whole results table of the report's years, and slices for readers.
fn table_files(a: &Analysis, years: (i32, i32), files: &mut Files) -> Result<(), Error> {
    let q = &a.questionnaire;
    let mut results = output::results_frame(&a.results)?;
    files.insert(
        "tables/results.csv".into(),
        output::encode(&mut results, false)?,
    );
    files.insert(
        "results.parquet".into(),
        output::encode(&mut results, true)?,
    );
    let mut measures = output::measures_frame(&a.measures)?;
    files.insert(
        "tables/measures.csv".into(),
        output::encode(&mut measures, false)?,
    );
    for section in &q.sections {
        let rows: Vec<_> = a
            .results
            .iter()
            .filter(|r| {
                r.year == years.1
                    && r.group == Group::All
                    && r.indicator
                        .question()
                        .and_then(|c| q.question(c))
                        .is_some_and(|x| x.section == section.code)
            })
            .cloned()
            .collect();
        if rows.is_empty() {
            continue;
        }
        let mut df = output::results_frame(&rows)?;
        files.insert(
            format!("tables/tema-{}.csv", page::slug(&section.code)),
            output::encode(&mut df, false)?,
        );
    }
    Ok(())
}

/// `tables/responses.csv`: answers, effective size, design and weighting of every wave.
fn responses_csv(a: &Analysis) -> String {
    let mut responses = String::from(
        "year,district,responses,n_eff,efficiency,weighted,design,letters,undeliverable,response_rate,max_weight_ratio,trim_converged,collapsed_age_groups\n",
    );
    for w in &a.weighting {
        responses.push_str(&responses_row(w));
    }
    responses
}

/// One wave's line of `tables/responses.csv`.
fn responses_row(w: &analysis::Weighting) -> String {
    // A count of 1–4 is shown as "<5"; its effective size, efficiency and response rate
    // would give it back, so they are left blank with it.
    let few = w.n > 0 && (w.n as f64) < crate::analysis::policy::SMALLEST_PUBLISHED_N;
    // Counts of letters are not answers: they are published whole.
    let (design, letters, undeliverable, rate) = match &w.fieldwork {
        Some(f) => (
            "random sample",
            f.letters.to_string(),
            f.undeliverable.to_string(),
            w.response_rate()
                .filter(|_| !few)
                .map(|r| format!("{r:.3}"))
                .unwrap_or_default(),
        ),
        None => ("open link", String::new(), String::new(), String::new()),
    };
    format!(
        "{},{},{},{},{},{},{design},{letters},{undeliverable},{rate},{},{},{}\n",
        w.year,
        w.district,
        if few { "<5".into() } else { w.n.to_string() },
        if few {
            String::new()
        } else {
            format!("{:.1}", w.n_eff)
        },
        if few {
            String::new()
        } else {
            format!("{:.3}", w.efficiency)
        },
        w.weighted,
        w.max_weight_ratio
            .map(|r| format!("{r:.3}"))
            .unwrap_or_default(),
        w.trim_converged,
        w.collapsed.join("; ")
    )
}
