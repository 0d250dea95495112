//! The yearly report: its files, what the charts and tables hold, that nothing suppressed or
//! free-text leaks into any file, escaping, byte-identical re-runs, bad input, and serving.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use axum::http::StatusCode;
use chrono::NaiveDate;
use trygg::analysis::{self, Inputs, Kind, Options};
use trygg::questionnaire::{self, Answer};
use trygg::report::{self, ReportOptions};
use trygg::store::NewWave;

use crate::helpers::*;

const FREE_TEXT: &str = "HEMLIG-FRITEXT-MARKÖR vid tunneln";
const HOSTILE: &str = "City <script>alert(1)</script>";

/// The report fixture: demo answers for 2019–2026, but only 12 answers from City in 2026
/// (so City 2026 is suppressed), a free-text marker in many answers, and a district name
/// and a measure title with markup.
struct Fixture {
    _dir: tempfile::TempDir,
    db: PathBuf,
    surveys: PathBuf,
    out: PathBuf,
    files: BTreeMap<String, Vec<u8>>,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        std::thread::spawn(|| {
            tokio::runtime::Runtime::new().unwrap().block_on(async {
                let dir = tempfile::tempdir().unwrap();
                let surveys = dir.path().join("surveys");
                crate::analysis::copy_dir(&surveys_dir(), &surveys);
                let d = std::fs::read_to_string(surveys.join("districts.toml")).unwrap();
                std::fs::write(surveys.join("districts.toml"), d.replace("sv = \"City\"", &format!("sv = \"{}\"", HOSTILE.replace('"', "\\\"")))).unwrap();
                let m = std::fs::read_to_string(surveys.join("measures.toml")).unwrap();
                std::fs::write(surveys.join("measures.toml"), m.replace("title = \"Kamerabevakning", "title = \"<b>Kameror</b> Kamerabevakning")).unwrap();
                let db = dir.path().join("t.db");
                let store = trygg::store::Store::connect(db.to_str().unwrap()).await.unwrap();
                let q = bundled();
                for year in 2019..=2026 {
                    for district in ["skaggetorp", "ryd", "berga", "city"] {
                        let mut answers = trygg::demo::wave_responses(&q, district, year, trygg::demo::DEFAULT_SEED);
                        if district == "city" && year == 2026 {
                            // 12 answers that still cover every sex and age group, so the
                            // wave can be weighted and is then suppressed for its size.
                            let mut kept: Vec<questionnaire::Answers> = Vec::new();
                            for a in &answers {
                                let cell = (a.0.get("B_KON").cloned(), a.0.get("B_ALDER").cloned());
                                let known = matches!(&cell.0, Some(Answer::Choice(c)) if c != "annat") && cell.1.is_some();
                                if known && !kept.iter().any(|k| (k.0.get("B_KON").cloned(), k.0.get("B_ALDER").cloned()) == cell) {
                                    kept.push(a.clone());
                                }
                            }
                            for a in &answers {
                                if kept.len() >= 12 {
                                    break;
                                }
                                if !kept.contains(a) {
                                    kept.push(a.clone());
                                }
                            }
                            assert_eq!(kept.len(), 12);
                            answers = kept;
                        }
                        for a in answers.iter_mut().step_by(5) {
                            a.0.insert("F_OTRYGGA_PLATSER".into(), Answer::Text(FREE_TEXT.into()));
                        }
                        let answered = answers.len();
                        fill_wave(&store, district, year, answers).await;
                        if district == "ryd" && year == 2026 {
                            // Ryd 2026 was a random sample: 1,000 letters, 20 returned.
                            record_sample(&store, district, year, answered, 1000).await;
                        } else if year < 2026 {
                            // Earlier years were random samples too (answers from every
                            // other letter), so their changes are tested; the rest of
                            // 2026 is an open link, self-selected.
                            record_sample(&store, district, year, answered, 2 * answered).await;
                        }
                    }
                }
                let out = dir.path().join("reports").join("2026");
                std::fs::create_dir_all(out.parent().unwrap()).unwrap();
                let inputs = inputs(&surveys);
                report::generate(&store, &inputs, &ReportOptions { year: 2026, compare: None, out: out.clone() }).await.unwrap();
                store.close().await;
                let files = read_tree(&out);
                Fixture { _dir: dir, db, surveys, out, files }
            })
        })
        .join()
        .unwrap()
    })
}

#[test]
fn response_rates_are_reported_for_sampled_waves_and_open_links_are_labelled() {
    let f = fixture();
    let csv = text(f, "tables/responses.csv");
    let ryd = csv.lines().find(|l| l.starts_with("2026,ryd,")).unwrap();
    let n: f64 = ryd.split(',').nth(2).unwrap().parse().unwrap();
    let rate = n / 980.0;
    assert!(
        ryd.contains(&format!(",random sample,1000,20,{rate:.3},")),
        "{ryd}"
    );
    let berga = csv.lines().find(|l| l.starts_with("2026,berga,")).unwrap();
    assert!(berga.contains(",open link,,,,"), "{berga}");
    let html = text(f, "index.html");
    assert!(
        html.contains("av 980 brev"),
        "the response table gives the rate"
    );
    assert!(html.contains("öppen länk"));
    assert!(html.contains("Urval och svarsfrekvens"));
}

#[test]
fn measures_show_target_indicators_first_with_q_and_bold_only_when_significant() {
    let f = fixture();
    let html = text(f, "index.html");
    let section = &html[html.find(r#"id="atgarder""#).unwrap()..html.find(r#"id="svar""#).unwrap()];
    // Every measure with targets lists them first.
    let lighting = &section[section.find("Ny belysning").unwrap()..];
    let targets = lighting.find("Målindikatorer").unwrap();
    let exploratory = lighting.find("Övriga indikatorer (utforskande)").unwrap();
    assert!(targets < exploratory);
    assert!(section.contains("<th>q</th>"));
    // Bold ("sig") and "säkerställd" exactly for the rows with q < 0.05.
    let csv = text(f, "tables/measures.csv");
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let significant = csv
        .lines()
        .skip(1)
        .filter(|l| l.split(',').nth(col("significant")) == Some("true"))
        .count();
    assert!(significant > 0);
    for l in csv.lines().skip(1) {
        let cells: Vec<&str> = l.split(',').collect();
        if let (Ok(q), "true") = (cells[col("q")].parse::<f64>(), cells[col("significant")]) {
            assert!(q < 0.05, "{l}");
        }
    }
    assert_eq!(section.matches("säkerställd</span>").count(), significant);
    assert_eq!(section.matches(r#"class="num sig""#).count(), significant);
}

/// The analysis inputs of a surveys folder (its districts.toml and files).
fn inputs(surveys: &Path) -> Inputs {
    Inputs {
        districts: questionnaire::load_districts(&surveys.join("districts.toml")).unwrap(),
        surveys: surveys.to_path_buf(),
    }
}

fn read_tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn text(f: &Fixture, name: &str) -> String {
    String::from_utf8(
        f.files
            .get(name)
            .unwrap_or_else(|| panic!("{name} missing"))
            .clone(),
    )
    .unwrap()
}

/// Every file's readable content: text files as they are, the workbook unzipped.
fn all_text(f: &Fixture) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (name, bytes) in &f.files {
        if name.ends_with(".xlsx") {
            let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.clone())).unwrap();
            for i in 0..zip.len() {
                let mut entry = zip.by_index(i).unwrap();
                let mut s = String::new();
                entry.read_to_string(&mut s).unwrap();
                out.push((format!("{name}:{}", i), s));
            }
        } else if !name.ends_with(".png") && !name.ends_with(".parquet") {
            out.push((name.clone(), String::from_utf8(bytes.clone()).unwrap()));
        }
    }
    out
}

#[test]
fn the_report_folder_has_every_part() {
    let f = fixture();
    for name in [
        "index.html",
        "results.parquet",
        "trygg-2026.xlsx",
        "tables/results.csv",
        "tables/measures.csv",
        "tables/responses.csv",
    ] {
        assert!(f.files.contains_key(name), "{name} missing");
    }
    let svgs: Vec<&String> = f.files.keys().filter(|k| k.ends_with(".svg")).collect();
    let pngs = f.files.keys().filter(|k| k.ends_with(".png")).count();
    assert_eq!(svgs.len(), pngs, "every chart in SVG and PNG");
    let q = bundled();
    let indicators = q.indicators().count();
    let trends = f
        .files
        .keys()
        .filter(|k| k.starts_with("charts/trend-"))
        .count()
        / 2;
    assert_eq!(
        trends,
        indicators * 4,
        "a year-over-year chart per indicator and district"
    );
    assert_eq!(
        f.files
            .keys()
            .filter(|k| k.starts_with("charts/jamforelse-2026-"))
            .count()
            / 2,
        indicators
    );
    assert_eq!(
        f.files
            .keys()
            .filter(|k| k.starts_with("charts/index-"))
            .count()
            / 2,
        q.indices.len() + 1
    );
    assert!(
        f.files
            .keys()
            .any(|k| k.starts_with("charts/atgard-skaggetorp-belysning-2021-p-belysning"))
    );
    for name in q
        .sections
        .iter()
        .filter(|s| s.code != "bakgrund")
        .map(|s| format!("tables/tema-{}.csv", s.code.replace('_', "-")))
    {
        assert!(f.files.contains_key(&name), "{name}");
    }
    // Every chart of the folder is shown on the page (as its file, loaded lazily).
    let html = text(f, "index.html");
    assert_eq!(html.matches("<img ").count(), svgs.len());
    for section in [
        "Sammanfattning",
        "Åtgärder och deras effekter",
        "Metod",
        "Svar",
        "Tema: Problem i ditt bostadsområde",
    ] {
        assert!(html.contains(section), "{section}");
    }
    assert!(html.contains("@media print"));
}

/// The report's own results table, parsed.
fn results(f: &Fixture) -> Vec<BTreeMap<String, String>> {
    let csv = text(f, "tables/results.csv");
    let mut lines = csv.lines();
    let header: Vec<String> = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_string)
        .collect();
    lines
        .map(|l| {
            header
                .iter()
                .cloned()
                .zip(l.split(',').map(str::to_string))
                .collect()
        })
        .collect()
}

#[test]
fn the_trend_chart_shows_the_tables_series_points_and_labels() {
    let f = fixture();
    let rows = results(f);
    let svg = text(f, "charts/trend-skaggetorp-p-belysning.svg");
    // Two series in the legend: the district and the municipality.
    assert!(
        svg.contains(">\nSkäggetorp\n</text>") && svg.contains(">\nAlla områden\n</text>"),
        "legend"
    );
    // The chart's own rows of the results table: Skäggetorp, all respondents, P_BELYSNING.
    let series: Vec<_> = rows
        .iter()
        .filter(|r| {
            r["district"] == "skaggetorp"
                && r["group"] == "all"
                && r["indicator"] == "P_BELYSNING"
                && r["kind"] == "share"
        })
        .collect();
    // One round marker (fill + outline) per published year of the district.
    let published = series.iter().filter(|r| r["suppressed"] == "false").count();
    assert_eq!(published, 8);
    assert_eq!(svg.matches(r#"r="6""#).count(), published * 2);
    // The measure is drawn as a labelled marker, and the source line carries n.
    assert!(svg.contains("Ny belysning längs gång- och cykelvägar"));
    let n: u64 = series.iter().map(|r| r["n"].parse::<u64>().unwrap()).sum();
    let grouped = trygg::report::figures::thousands(n as f64);
    assert!(
        svg.contains(&format!("trygghetsundersökning 2019–2026, n = {grouped}")),
        "n = {grouped}"
    );
    // Significant changes have filled markers, as many as the table says.
    let significant = series
        .iter()
        .filter(|r| r["significant_prev"] == "true")
        .count();
    assert_eq!(
        svg.matches(r##"r="6" opacity="1" fill="#0072B2""##).count(),
        significant
    );
}

#[test]
fn the_report_tables_are_the_analysis_tables() {
    let f = fixture();
    let rows = results(f);
    let q = bundled();
    let per_domain = q.indicators().count()
        + q.questions
            .iter()
            .filter(|x| x.kind == questionnaire::QuestionKind::Scale)
            .count()
        + q.indices.len()
        + 1;
    assert_eq!(rows.len(), 8 * 5 * 7 * per_domain);
    let measures = text(f, "tables/measures.csv");
    assert!(measures.starts_with("measure,district,indicator,before_year,after_year,comparison,delta_district,delta_comparison,did,se,ci_low,ci_high,p,target,q,significant,suppressed"));
    // The Parquet file holds the same rows.
    let df = {
        use polars::prelude::SerReader;
        polars::prelude::ParquetReader::new(std::io::Cursor::new(
            f.files["results.parquet"].clone(),
        ))
        .finish()
    }
    .unwrap();
    assert_eq!(df.height(), rows.len());
}

#[test]
fn no_suppressed_value_appears_in_any_file() {
    let f = fixture();
    // What City 2026 would show without suppression: the same engine with thresholds of 1.
    let values: Vec<String> = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = trygg::store::Store::connect(f.db.to_str().unwrap())
            .await
            .unwrap();
        let inputs = inputs(&f.surveys);
        let mut o = Options::new(2019..=2026);
        o.min_n = 1.0;
        o.min_n_eff = 1.0;
        let a = analysis::analyze(&store, &inputs, &o).await.unwrap();
        a.results
            .iter()
            .filter(|r| {
                r.year == 2026
                    && r.district == trygg::analysis::Domain::District("city".into())
                    && r.kind == Kind::Share
                    && r.group == trygg::analysis::Group::All
            })
            .filter_map(|r| r.estimate)
            .filter(|v| *v > 0.0 && *v < 1.0)
            // Full precision: the form the CSV and the workbook would carry.
            .map(|v| format!("{v}"))
            .collect()
    });
    assert!(values.len() > 10);
    let rows = results(f);
    let city: Vec<_> = rows
        .iter()
        .filter(|r| r["year"] == "2026" && r["district"] == "city")
        .collect();
    assert!(
        !city.is_empty()
            && city
                .iter()
                .all(|r| r["suppressed"] == "true" && r["estimate"].is_empty())
    );
    for (name, content) in all_text(f) {
        for v in &values {
            assert!(
                !content.contains(v.as_str()),
                "suppressed value {v} in {name}"
            );
        }
    }
    let df = {
        use polars::prelude::SerReader;
        polars::prelude::ParquetReader::new(std::io::Cursor::new(
            f.files["results.parquet"].clone(),
        ))
        .finish()
    }
    .unwrap();
    let est = df.column("estimate").unwrap().f64().unwrap().clone();
    let years = df.column("year").unwrap().i32().unwrap().clone();
    let districts = df.column("district").unwrap().str().unwrap().clone();
    for i in 0..df.height() {
        if years.get(i) == Some(2026) && districts.get(i) == Some("city") {
            assert!(est.get(i).is_none(), "parquet row {i}");
        }
    }
    // The page and the chart say why instead.
    let html = text(f, "index.html");
    assert!(html.contains("för få svar"));
    let svg = text(f, "charts/trend-city-p-belysning.svg");
    assert!(svg.contains("dold 2026 (visas som lucka)"));
    assert_eq!(
        svg.matches(r#"r="6""#).count(),
        7 * 2,
        "seven published years"
    );
}

#[test]
fn free_text_answers_never_appear() {
    let f = fixture();
    for (name, content) in all_text(f) {
        assert!(!content.contains("HEMLIG-FRITEXT"), "free text in {name}");
    }
    for (name, bytes) in &f.files {
        assert!(
            !bytes.windows(14).any(|w| w == b"HEMLIG-FRITEXT"),
            "free text in {name}"
        );
    }
}

#[test]
fn names_with_markup_are_shown_as_text() {
    let f = fixture();
    let html = text(f, "index.html");
    assert!(!html.contains("<script>alert(1)"), "raw script in the page");
    assert!(html.contains("City &lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.contains("<b>Kameror</b>") && html.contains("&lt;b&gt;Kameror&lt;/b&gt;"));
    for (name, content) in all_text(f).iter().filter(|(n, _)| n.ends_with(".svg")) {
        assert!(!content.contains("<script"), "{name}");
    }
    let compare = text(f, "charts/jamforelse-2026-p-belysning.svg");
    assert!(compare.contains("&lt;script&gt;") || !compare.contains("script"));
}

#[tokio::test]
async fn a_second_run_gives_byte_identical_files() {
    let f = fixture();
    let store = trygg::store::Store::connect(f.db.to_str().unwrap())
        .await
        .unwrap();
    let out = f.out.parent().unwrap().join("again");
    let inputs = inputs(&f.surveys);
    report::generate(
        &store,
        &inputs,
        &ReportOptions {
            year: 2026,
            compare: None,
            out: out.clone(),
        },
    )
    .await
    .unwrap();
    let again = read_tree(&out);
    assert_eq!(
        again.keys().collect::<Vec<_>>(),
        f.files.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &again {
        assert!(bytes == &f.files[name], "{name} differs between runs");
    }
}

#[tokio::test]
async fn bad_requests_fail_clearly_and_leave_nothing_half_written() {
    let f = fixture();
    let store = trygg::store::Store::connect(f.db.to_str().unwrap())
        .await
        .unwrap();
    let inputs = inputs(&f.surveys);
    let dir = tempfile::tempdir().unwrap();
    let run = |year: i32, out: PathBuf, compare: Option<std::ops::RangeInclusive<i32>>| {
        let store = store.clone();
        let inputs = inputs.clone();
        async move {
            report::generate(&store, &inputs, &ReportOptions { year, compare, out })
                .await
                .unwrap_err()
                .to_string()
        }
    };
    let err = run(2031, dir.path().join("r"), None).await;
    assert!(err.contains("there are no waves in 2031"), "{err}");
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let err = run(2026, file.clone(), None).await;
    assert!(err.contains("is a file"), "{err}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "x");
    let err = run(2026, dir.path().join("missing/2026"), None).await;
    assert!(err.contains("does not exist"), "{err}");
    let err = run(2026, dir.path().join("r"), Some(2019..=2026)).await;
    assert!(err.contains("must end before the report year"), "{err}");

    // A year with waves but no answers.
    let src = bundled_source();
    store
        .publish(&NewWave {
            district: "ryd",
            year: 2027,
            questionnaire_code: "trygghet-2026",
            source: &src,
            opens_on: NaiveDate::from_ymd_opt(2027, 9, 1).unwrap(),
            closes_on: NaiveDate::from_ymd_opt(2027, 10, 31).unwrap(),
        })
        .await
        .unwrap();
    let err = run(2027, dir.path().join("r"), Some(2026..=2026)).await;
    assert!(err.contains("no responses in 2027"), "{err}");

    // A failure while writing leaves the previous report as it was and no temporary folder.
    let out = dir.path().join("kept");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("index.html"), "old").unwrap();
    let mut files = report::Files::new();
    files.insert("a".into(), b"file".to_vec());
    files.insert("a/b".into(), b"needs a to be a folder".to_vec());
    assert!(report::write_atomically(dir.path(), &out, &files).is_err());
    assert_eq!(
        std::fs::read_to_string(out.join("index.html")).unwrap(),
        "old"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[tokio::test]
async fn the_server_lists_and_serves_reports_read_only() {
    let f = fixture();
    let db = TestDb::new().await;
    let app = trygg::http::router(
        trygg::http::AppState::new(db.store.clone(), districts())
            .with_reports(f.out.parent().unwrap()),
    );
    let list = get(&app, "/rapporter").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains(r#"href="/rapporter/2026/""#));
    let page = get(&app, "/rapporter/2026/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Trygghetsundersökning 2026"));
    // Without the slash the page's relative links (its charts) would miss: it redirects.
    let bare = get(&app, "/rapporter/2026").await;
    assert_eq!(bare.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(bare.headers["location"], "/rapporter/2026/");
    assert_eq!(
        get(&app, "/rapporter/abc").await.status,
        StatusCode::NOT_FOUND
    );
    assert!(
        page.headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("style-src 'unsafe-inline'")
    );
    let svg = get(&app, "/rapporter/2026/charts/trend-ryd-p-fort.svg").await;
    assert_eq!(svg.status, StatusCode::OK);
    assert_eq!(svg.headers["content-type"], "image/svg+xml");
    assert!(svg.body.starts_with("<svg"));
    for bad in [
        "/rapporter/2026/../t.db",
        "/rapporter/2026/charts/..%2F..%2Ft.db",
        "/rapporter/2025/",
        "/rapporter/abc/index.html",
        "/rapporter/2026/tables/nope.csv",
    ] {
        assert_eq!(get(&app, bad).await.status, StatusCode::NOT_FOUND, "{bad}");
    }
    let post = post_form(&app, "/rapporter/2026/index.html", "x=1").await;
    assert_eq!(post.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[test]
fn the_workbook_shows_percentages_with_a_frozen_header_and_filters() {
    use std::io::Read;
    let f = fixture();
    let bytes = f.files.get("trygg-2026.xlsx").expect("the workbook");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.clone())).unwrap();
    let mut read = |name: &str| {
        let mut s = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
        s
    };
    let styles = read("xl/styles.xml");
    assert!(
        styles.contains(r#"formatCode="0.0%""#),
        "a percent format with one decimal"
    );
    let sheets = read("xl/workbook.xml").matches("<sheet ").count();
    assert!(sheets >= 3);
    for i in 1..=sheets {
        let sheet = read(&format!("xl/worksheets/sheet{i}.xml"));
        assert!(
            sheet.contains("<autoFilter ref=\"A1:"),
            "sheet {i} has a filter"
        );
        assert!(
            sheet.contains(r#"ySplit="1""#) && sheet.contains(r#"state="frozen""#),
            "sheet {i}: frozen header"
        );
        assert!(sheet.contains("<cols>"), "sheet {i}: column widths");
    }
    // A share is a number in a percent-formatted cell, not a raw fraction in General.
    let first = read("xl/worksheets/sheet1.xml");
    let share_cell = first
        .split("<c r=\"E2\"")
        .nth(1)
        .expect("row 2 has a share");
    assert!(
        share_cell.starts_with(" s=\""),
        "E2 carries a style: {}",
        &share_cell[..40.min(share_cell.len())]
    );
}

#[test]
fn every_chart_has_a_text_alternative_made_from_its_numbers() {
    let f = fixture();
    let page = text(f, "index.html");
    let figures: Vec<&str> = page.split(r#"<figure class="chart">"#).skip(1).collect();
    assert!(figures.len() > 20, "{} charts on the page", figures.len());
    // Every drawing on the page is inside such a figure, with a caption and its numbers.
    assert_eq!(page.matches("<img ").count(), figures.len());
    for fig in &figures {
        let fig = &fig[..fig.find("</figure>").unwrap()];
        let caption = fig
            .split("<figcaption>")
            .nth(1)
            .and_then(|c| c.split("</figcaption>").next())
            .expect("a caption");
        assert!(
            fig.contains("<summary>Siffrorna i diagrammet</summary>"),
            "{caption}"
        );
        // The drawing: decorative (the caption says it), in a box a keyboard reaches.
        assert!(
            fig.contains(
                r#"<div class="chart-scroll" tabindex="0" role="region" aria-label="Diagram: "#
            ),
            "{caption}"
        );
        assert!(fig.contains(r#"alt="" loading="lazy""#), "{caption}");
        // The caption's years are rows of the table, and it says something measured.
        let table = fig.split("<table>").nth(1).unwrap();
        for year in (2019..=2026).filter(|y| caption.contains(&format!("({y})"))) {
            assert!(
                table.contains(&format!(r#"<th scope="row">{year}</th>"#)),
                "{caption}"
            );
        }
        assert!(
            caption.contains('%') || caption.contains(',') || caption.contains("Inga värden"),
            "{caption}"
        );
    }
}

#[test]
fn every_table_scrolls_in_a_region_a_keyboard_reaches_and_a_screen_reader_names() {
    let page = text(fixture(), "index.html");
    // Plain tables and the measures' (`<table class="measure">`).
    let tables = page.matches("<table").count();
    assert!(tables > 40, "{tables} tables");
    let regions = page
        .matches(r#"<div class="table-scroll" tabindex="0" role="region" aria-label=""#)
        .count();
    assert_eq!(regions, tables);
    // No region is unnamed.
    assert!(!page.contains(r#"role="region" aria-label="""#));
}

/// A page's text without its tags, spaces collapsed.
fn plain(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&quot;", "\"")
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .split_ascii_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The cells (header cells included) of each row of the tables in `html`, as plain text.
fn table_rows(html: &str) -> Vec<Vec<String>> {
    html.split("<tr>")
        .skip(1)
        .map(|row| {
            let row = &row[..row.find("</tr>").unwrap()];
            row.split("<t")
                .skip(1)
                .filter(|c| c.starts_with('d') || c.starts_with('h'))
                .map(|c| plain(&format!("<t{c}")))
                .collect()
        })
        .collect()
}

/// The districts with answers in 2026, by the report's own responses table.
fn districts_answering_2026(f: &Fixture) -> Vec<String> {
    text(f, "tables/responses.csv")
        .lines()
        .filter(|l| l.starts_with("2026,"))
        .filter(|l| l.split(',').nth(2) != Some("0"))
        .map(|l| l.split(',').nth(1).unwrap().to_string())
        .collect()
}

/// What a district page shows for a row of the results table: its hidden text, or its
/// share in whole percent, or its index level with a decimal comma.
fn shown_value(row: &BTreeMap<String, String>) -> String {
    use trygg::analysis::model::Suppression;
    if row["suppressed"] == "true" {
        return match row["suppression"].as_str() {
            "protects_other" => Suppression::ProtectsOther.sv(),
            _ => Suppression::TooFewAnswers.sv(),
        }
        .to_string();
    }
    let v: f64 = row["estimate"].parse().unwrap();
    if row["kind"] == "index" {
        format!("{v:.1}").replace('.', ",")
    } else {
        format!("{:.0} %", v * 100.0)
    }
}

/// What a district page shows for a row's change against `name` ("prev" or "base").
fn shown_change(row: &BTreeMap<String, String>, name: &str) -> String {
    use trygg::report::figures::{p_value, signed_points};
    if row["suppressed"] == "true" {
        return shown_value(row);
    }
    let diff: f64 = row[&format!("diff_{name}")].parse().unwrap();
    let change = if row["kind"] == "index" {
        let s = format!("{:.1}", diff.abs()).replace('.', ",");
        if diff < 0.0 && s != "0,0" {
            format!("−{s}")
        } else {
            format!("+{s}")
        }
    } else {
        signed_points(diff)
    };
    let q = row[&format!("q_{name}")].parse::<f64>().map(p_value);
    let q = q.map(|v| {
        if v.starts_with('<') {
            v
        } else {
            format!("= {v}")
        }
    });
    match (row[&format!("significant_{name}")].as_str(), q) {
        ("true", Ok(q)) => format!("{change} säkerställd, q {q}"),
        ("false", Ok(q)) => format!("{change} ej säkerställd, q {q}"),
        _ => format!("{change} ej prövad"),
    }
}

#[test]
fn every_district_with_answers_gets_a_page_whose_key_figures_are_the_results_table() {
    let f = fixture();
    let rows = results(f);
    let q = bundled();
    let mut names: BTreeMap<String, String> = q
        .indicators()
        .map(|(x, i)| (i.label.get("sv").to_string(), x.code.clone()))
        .collect();
    for (index, name) in trygg::report::index_blocks(&q) {
        names.insert(
            name,
            trygg::analysis::IndicatorKey::Index(index).to_string(),
        );
    }
    let districts = districts_answering_2026(f);
    assert_eq!(districts.len(), 4, "{districts:?}");
    let index = text(f, "index.html");
    let (mut checked_changes, mut hidden) = (0, 0);
    for d in &districts {
        let page = text(f, &format!("{d}.html"));
        assert!(
            index.contains(&format!(r#"href="{d}.html""#)),
            "the main page links {d}"
        );
        assert!(
            page.contains(r#"href="index.html""#) && page.contains(r#"href="trygg-2026.xlsx""#)
        );
        assert!(page.contains(r#"href="index.html#metod""#));
        let section =
            &page[page.find(r#"id="nyckeltal""#).unwrap()..page.find(r#"id="atgarder""#).unwrap()];
        let mut shown = 0;
        for table in section.split("<table>").skip(1) {
            let table = &table[..table.find("</table>").unwrap()];
            let all = table_rows(table);
            let head = &all[0];
            let years: Vec<i32> = head.iter().filter_map(|h| h.parse().ok()).collect();
            assert_eq!(years, vec![2019, 2025, 2026], "{d}: {head:?}");
            assert!(
                head.iter()
                    .any(|h| h == "Förändring mot 2025 (procentenheter)"
                        || h == "Förändring mot 2025 (indexsteg)"),
                "{head:?}"
            );
            for cells in &all[1..] {
                shown += 1;
                let key = &names[&cells[0]];
                let row = |year: i32| {
                    rows.iter()
                        .find(|r| {
                            r["year"] == year.to_string()
                                && r["district"] == *d
                                && r["group"] == "all"
                                && &r["indicator"] == key
                                && r["kind"] != "mean"
                        })
                        .unwrap_or_else(|| panic!("{year} {d} {key} in the results table"))
                };
                for (i, year) in years.iter().enumerate() {
                    let want = shown_value(row(*year));
                    assert!(
                        cells[1 + i] == want || cells[1 + i].starts_with(&format!("{want} ")),
                        "{d} {key} {year}: page {:?}, table {want:?}",
                        cells[1 + i]
                    );
                }
                for (i, name) in ["prev", "base"].iter().enumerate() {
                    let got = &cells[1 + years.len() + i];
                    assert_eq!(got, &shown_change(row(2026), name), "{d} {key} {name}");
                    checked_changes += 1;
                }
                if row(2026)["suppressed"] == "true" {
                    // This year's cell and both changes: the reason, no number.
                    for c in &cells[years.len()..] {
                        assert!(
                            !c.chars().any(|ch| ch.is_ascii_digit()),
                            "{d} {key}: a number in a hidden cell: {c}"
                        );
                        hidden += 1;
                    }
                }
            }
        }
        assert!(
            (6..=trygg::analysis::policy::DISTRICT_KEY_INDICATORS).contains(&shown),
            "{d}: {shown} key indicators"
        );
    }
    assert!(
        checked_changes > 0 && hidden > 0,
        "{checked_changes} changes, {hidden} hidden cells"
    );
    // City 2026 had 12 answers: its page says why its figures are hidden, and shows none.
    let city = plain(&text(f, "city.html"));
    assert!(city.contains("för få svar"));
    // An index has no test: its changes say so rather than claim anything.
    assert!(text(f, "skaggetorp.html").contains("ej prövad"));
}

#[test]
fn a_district_page_states_its_response_rate_or_its_open_link_and_its_measures() {
    let f = fixture();
    let csv = text(f, "tables/responses.csv");
    let ryd = csv.lines().find(|l| l.starts_with("2026,ryd,")).unwrap();
    let rate: f64 = ryd.split(',').nth(9).unwrap().parse().unwrap();
    let page = plain(&text(f, "ryd.html"));
    assert!(
        page.contains("Slumpmässigt urval: 1\u{a0}000 brev skickades, 20 kom tillbaka"),
        "{page}"
    );
    assert!(page.contains(&format!("Svarsfrekvens {:.0} % av 980 brev", rate * 100.0)));
    let berga = plain(&text(f, "berga.html"));
    assert!(berga.contains("Öppen länk") && berga.contains("ingen svarsfrekvens kan anges"));
    assert!(!berga.contains("Svarsfrekvens"));
    // Skäggetorp's measure with each target row the report shows, its estimate as in the
    // measures table.
    let page = text(f, "skaggetorp.html");
    let measures = &page[page.find(r#"id="atgarder""#).unwrap()..];
    assert!(measures.contains("Ny belysning längs gång- och cykelvägar"));
    let table = text(f, "tables/measures.csv");
    let header: Vec<&str> = table.lines().next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let mut seen = 0;
    for l in table.lines().skip(1) {
        let c: Vec<&str> = l.split(',').collect();
        if c[col("district")] == "skaggetorp"
            && c[col("target")] == "true"
            && c[col("suppressed")] == "false"
        {
            let did: f64 = c[col("did")].parse().unwrap();
            let caption = format!(
                "Skillnad-i-skillnader {}–{}: {} procentenheter",
                c[col("before_year")],
                c[col("after_year")],
                trygg::report::figures::signed_points(did)
            );
            assert!(measures.contains(&caption), "{caption}");
            let verdict = if c[col("significant")] == "true" {
                "en statistiskt säkerställd skillnad"
            } else {
                "ingen säkerställd skillnad"
            };
            assert!(measures.contains(verdict));
            seen += 1;
        }
    }
    assert!(seen >= 1);
    // The title of a district with markup is text.
    let city = text(f, "city.html");
    assert!(!city.contains("<script>alert(1)") && city.contains("City &lt;script&gt;"));
}

#[tokio::test]
async fn the_server_lists_and_serves_the_district_pages() {
    let f = fixture();
    let db = TestDb::new().await;
    let app = trygg::http::router(
        trygg::http::AppState::new(db.store.clone(), districts())
            .with_reports(f.out.parent().unwrap()),
    );
    let list = get(&app, "/rapporter").await;
    for d in districts_answering_2026(f) {
        let href = format!("/rapporter/2026/{d}.html");
        assert!(
            list.body.contains(&format!(r#"href="{href}""#)),
            "{href} listed"
        );
        let page = get(&app, &href).await;
        assert_eq!(page.status, StatusCode::OK, "{href}");
        assert_eq!(page.headers["content-type"], "text/html; charset=utf-8");
        assert!(page.body.contains("Nyckeltal"));
    }
    for bad in ["/rapporter/2026/nowhere.html", "/rapporter/2026/.ryd.html"] {
        assert_eq!(get(&app, bad).await.status, StatusCode::NOT_FOUND, "{bad}");
    }
}

#[test]
fn the_main_page_stays_under_one_and_a_half_megabytes_with_its_charts_loaded_lazily() {
    let f = fixture();
    let html = text(f, "index.html");
    assert!(
        html.len() <= 1_500_000,
        "index.html is {} bytes",
        html.len()
    );
    assert!(!html.contains("<svg"), "no chart is inlined");
    // Every chart the page shows is a file of the report, loaded when scrolled near.
    let mut shown = 0;
    for img in html.split("<img ").skip(1) {
        let src = img
            .split("src=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        assert!(f.files.contains_key(src), "{src} is in the report");
        assert!(img.contains(r#"loading="lazy""#), "{img}");
        shown += 1;
    }
    assert!(shown > 50, "{shown} charts");
}

/// The texts of an SVG chart that reach past its canvas: each `<text>`'s extent, measured
/// in the embedded font the chart was drawn with, against the canvas' width and height.
pub fn texts_outside_the_canvas(svg: &str) -> Vec<String> {
    let (width, height) = trygg::charts::SIZE;
    let (width, height) = (f64::from(width), f64::from(height));
    let attr = |tag: &str, name: &str| -> Option<String> {
        let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        Some(tag[start..].split('"').next()?.to_string())
    };
    let mut out = Vec::new();
    for part in svg.split("<text ").skip(1) {
        let (tag, rest) = part.split_once('>').unwrap();
        let tag = &format!(" {tag}");
        let content = rest.split("</text>").next().unwrap().trim();
        let content = content
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&amp;", "&");
        let num = |name: &str| {
            attr(tag, name)
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        // plotters writes a font of size s as s / 1.24 px.
        let size = (num("font-size") * 1.24).round() as i32;
        let w = f64::from(trygg::charts::text::width(&content, size));
        let anchor = attr(tag, "text-anchor").unwrap_or_else(|| "start".into());
        let along = |at: f64| match anchor.as_str() {
            "middle" => (at - w / 2.0, at + w / 2.0),
            "end" => (at - w, at),
            _ => (at, at + w),
        };
        let rotated = attr(tag, "transform").is_some_and(|t| t.starts_with("rotate(270"));
        let ((lo, hi), room) = if rotated {
            // Turned to read upwards: it runs along y, ending at y for "start".
            let (a, b) = along(num("y"));
            ((2.0 * num("y") - b, 2.0 * num("y") - a), height)
        } else {
            (along(num("x")), width)
        };
        if lo < 0.0 || hi > room {
            out.push(format!("\"{content}\" spans {lo:.0}..{hi:.0} of 0..{room}"));
        }
    }
    out
}

#[test]
fn no_chart_text_reaches_past_its_canvas() {
    let f = fixture();
    let mut faults = Vec::new();
    let mut charts = 0;
    for (name, bytes) in f.files.iter().filter(|(n, _)| n.ends_with(".svg")) {
        charts += 1;
        let svg = std::str::from_utf8(bytes).unwrap();
        faults.extend(
            texts_outside_the_canvas(svg)
                .into_iter()
                .map(|t| format!("{name}: {t}")),
        );
    }
    assert!(charts > 100, "{charts} charts");
    assert!(
        faults.is_empty(),
        "{} texts cut:\n{}",
        faults.len(),
        faults.join("\n")
    );
}
