//! The foundation of the EST weekly picture (issue 24): the places register through
//! `trygg check`, the CSV import (all or nothing, every bad row named), and the week
//! counts against an independent count.

use std::process::{Command, Output};

use crate::helpers::*;

fn trygg_check(path: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trygg"))
        .arg("--database")
        .arg(path.join("never.db"))
        .arg("check")
        .arg(path)
        .output()
        .unwrap()
}

fn out(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn the_bundled_places_register_passes_check() {
    let places =
        trygg::est::load_places(&surveys_dir().join("places.toml"), Some(&districts())).unwrap();
    for d in ["skaggetorp", "ryd", "berga", "city"] {
        let n = places.in_district(d).count();
        assert!((4..=6).contains(&n), "{d}: {n} places");
    }
    let o = trygg_check(&surveys_dir());
    assert!(o.status.success(), "{}", out(&o));
    assert!(out(&o).contains("no faults"), "{}", out(&o));
}

const BAD_PLACES: &str = r#"# a register with one fault of each kind
[[places]]
id = "torget"
name = "Torget"
district = "city"
lat = 58.41
lon = 15.62

[[places]]
id = "torget"
name = "Torget igen"
district = "city"
lat = 58.41
lon = 15.62

[[places]]
id = "mars-bas"
name = "Marsbasen"
district = "mars"
lat = 58.41
lon = 15.62

[[places]]
id = "norr"
name = "För långt norrut"
district = "ryd"
lat = 70.5
lon = 15.62

[[places]]
id = "farg"
name = "Färgglad"
district = "ryd"
lat = 58.40
lon = 15.56
colour = "red"

[[places]]
id = "Stora Torget"
name = "Fel id"
district = "city"
lat = 58.41
lon = 15.62
"#;

/// The 1-based line of the `n`-th (0-based) occurrence of `needle` in `src`.
fn line_of(src: &str, needle: &str, n: usize) -> usize {
    let at = src.match_indices(needle).nth(n).unwrap().0;
    src[..at].matches('\n').count() + 1
}

#[test]
fn check_lists_every_fault_of_the_places_register_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        surveys_dir().join("districts.toml"),
        dir.path().join("districts.toml"),
    )
    .unwrap();
    let file = dir.path().join("places.toml");
    std::fs::write(&file, BAD_PLACES).unwrap();
    let o = trygg_check(dir.path());
    assert!(!o.status.success());
    let text = out(&o);
    let f = file.display().to_string();
    let expect = [
        (
            line_of(BAD_PLACES, "[[places]]", 1),
            "duplicate place id \"torget\"",
        ),
        (
            line_of(BAD_PLACES, "\"mars\"", 0),
            "unknown district \"mars\"",
        ),
        (
            line_of(BAD_PLACES, "70.5", 0),
            "lat = 70.5 is outside Sweden",
        ),
        (line_of(BAD_PLACES, "\"red\"", 0), "unknown key \"colour\""),
        (
            line_of(BAD_PLACES, "\"Stora Torget\"", 0),
            "place id \"Stora Torget\" must be",
        ),
    ];
    for (line, message) in expect {
        let want = format!("{f}:{line}: ");
        assert!(
            text.lines()
                .any(|l| l.starts_with(&want) && l.contains(message)),
            "no \"{want}…{message}\" in:\n{text}"
        );
    }
    // Checking the one file names the same faults.
    let o = trygg_check(&file);
    assert!(!o.status.success());
    assert!(out(&o).contains("unknown key \"colour\""), "{}", out(&o));
}

/// `trygg est import FILE` against the test's database.
fn est_import(db: &TestDb, file: &std::path::Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trygg"))
        .arg("--database")
        .arg(db.url())
        .arg("--surveys")
        .arg(surveys_dir())
        .args(["est", "import"])
        .arg(file)
        .args(extra)
        .output()
        .unwrap()
}

const HEADER: &str = "date,district,place,category,description\n";

#[tokio::test]
async fn a_good_file_stores_every_report_as_accepted_and_is_audited() {
    let db = TestDb::new().await;
    let file = db.dir.path().join("vecka.csv");
    let rows = [
        "2026-11-02,city,city-stora-torget,klotter,Tags på fontänen vid Stora torget 3",
        "2026-11-03,ryd,,belysning,",
        "2026-11-03,ryd,ryd-gangtunneln,otrygg_plats,\"Mörkt, buskar; kl 22 den 2026-11-03\"",
        "2026-11-04,berga,berga-torg,glaskross,Busskuren krossad",
        "2026-11-05,skaggetorp,skaggetorp-centrum,hot_vald,",
    ];
    std::fs::write(&file, format!("{HEADER}{}\n", rows.join("\n"))).unwrap();
    let o = est_import(&db, &file, &["--organisation", "Stångåstaden"]);
    assert!(o.status.success(), "{}", out(&o));
    assert!(out(&o).contains("5 report(s) imported"), "{}", out(&o));
    let stored = db.store.est_reports(None, None).await.unwrap();
    assert_eq!(stored.len(), 5);
    for r in &stored {
        assert_eq!(r.status, trygg::est::ReportStatus::Accepted);
        assert_eq!(r.source, trygg::est::Source::Import);
        assert_eq!(r.organisation, "Stångåstaden");
        assert_eq!(r.created_by, None);
        assert_eq!(r.part_of_day, None);
    }
    let ryd = db
        .store
        .est_reports(Some("ryd"), Some(trygg::est::ReportStatus::Accepted))
        .await
        .unwrap();
    assert_eq!(ryd.len(), 2);
    assert!(
        ryd.iter()
            .any(|r| r.description.as_deref() == Some("Mörkt, buskar; kl 22 den 2026-11-03"))
    );
    assert!(
        ryd.iter()
            .any(|r| r.place_id.is_none() && r.description.is_none())
    );
    let log = db.store.audit_log(None, Some("est import")).await.unwrap();
    assert_eq!(log.len(), 1);
}

async fn stored_reports(db: &TestDb) -> i64 {
    db.scalar("select count(*) from est_reports").await
}

#[tokio::test]
async fn a_file_with_bad_rows_stores_nothing_and_names_every_bad_row() {
    let db = TestDb::new().await;
    let file = db.dir.path().join("fel.csv");
    let mut bytes = HEADER.as_bytes().to_vec();
    let rows: [&[u8]; 12] = [
        b"2026-11-02,city,city-stora-torget,klotter,ok\n",
        b"2026-13-02,city,,klotter,\n",
        b"2026-11-02,mars,,klotter,\n",
        b"2026-11-02,city,ingenstans,klotter,\n",
        b"2026-11-02,city,ryd-centrum,klotter,\n",
        b"2026-11-02,city,,graffiti,\n",
        b"2026-11-02,city,,klotter,Han heter 811218-9876\n",
        b"2026-11-02,city,,klotter,ring 070-123 45 67\n",
        b"2026-11-02,city,,klotter,anna@example.se\n",
        b"2026-11-02,city,,klotter,\xff\xfe\n",
        b"2026-11-02,city,,klotter\n",
        b"2026-11-02,city,,klotter,ok\n",
    ];
    for r in rows {
        bytes.extend_from_slice(r);
    }
    let long = format!("2026-11-02,city,,klotter,{}\n", "a".repeat(501));
    bytes.extend_from_slice(long.as_bytes());
    std::fs::write(&file, &bytes).unwrap();
    let o = est_import(&db, &file, &[]);
    assert!(!o.status.success());
    let text = out(&o);
    assert!(text.contains("nothing was imported"), "{text}");
    let expect = [
        (3, "\"2026-13-02\" is not a date"),
        (4, "unknown district \"mars\""),
        (5, "place \"ingenstans\" is not in the register"),
        (6, "place \"ryd-centrum\" is in district ryd"),
        (7, "unknown category \"graffiti\""),
        (8, "personal identity number"),
        (9, "phone number"),
        (10, "e-mail address"),
        (11, "not UTF-8"),
        (12, "4 columns, not 5"),
        (14, "501 characters, more than 500"),
    ];
    for (line, message) in expect {
        let want = format!("line {line}: ");
        assert!(
            text.lines()
                .any(|l| l.starts_with(&want) && l.contains(message)),
            "no \"{want}…{message}\" in:\n{text}"
        );
    }
    for good in [2, 13] {
        assert!(!text.contains(&format!("line {good}:")), "{text}");
    }
    assert!(
        !text.contains("811218-9876"),
        "personal data is not repeated: {text}"
    );
    assert_eq!(stored_reports(&db).await, 0);
}

#[tokio::test]
async fn a_bad_file_stores_nothing() {
    let db = TestDb::new().await;
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.csv", Vec::new(), "the file is empty"),
        ("header.csv", HEADER.as_bytes().to_vec(), "no reports"),
        (
            "wrong.csv",
            b"datum,omrade,plats,kategori,beskrivning\n2026-11-02,city,,klotter,\n".to_vec(),
            "the header must be exactly",
        ),
        (
            "big.csv",
            format!(
                "{HEADER}{}",
                "2026-11-02,city,,klotter,ok\n".repeat(200_000)
            )
            .into_bytes(),
            "more than 5242880",
        ),
    ];
    for (name, bytes, message) in cases {
        let file = db.dir.path().join(name);
        std::fs::write(&file, bytes).unwrap();
        let o = est_import(&db, &file, &[]);
        assert!(!o.status.success(), "{name}");
        assert!(out(&o).contains(message), "{name}: {}", out(&o));
        assert!(
            out(&o).contains("nothing was imported"),
            "{name}: {}",
            out(&o)
        );
    }
    assert_eq!(stored_reports(&db).await, 0);
}

/// Reports on days across a turn of the year, in every status and district.
fn sample_reports() -> Vec<trygg::est::NewReport> {
    use trygg::est::{Category, NewReport, PartOfDay, ReportStatus, Source};
    let districts = ["skaggetorp", "ryd", "berga", "city"];
    let statuses = [
        ReportStatus::Accepted,
        ReportStatus::New,
        ReportStatus::Accepted,
        ReportStatus::Rejected,
        ReportStatus::Accepted,
    ];
    let start = chrono::NaiveDate::from_ymd_opt(2026, 12, 10).unwrap();
    (0..300u32)
        .map(|i| NewReport {
            district: districts[(i * 7 % 4) as usize].to_string(),
            place_id: None,
            other_place: Some("Vid kiosken".into()),
            day: start + chrono::Duration::days(i64::from(i * 13 % 45)),
            part_of_day: Some(PartOfDay::ALL[(i % 4) as usize]),
            category: Category::ALL[(i * 5 % 11) as usize],
            description: None,
            status: statuses[(i % 5) as usize],
            organisation: "Polisen".into(),
            created_by: Some("anna@example.se".into()),
            source: Source::Web,
        })
        .collect()
}

#[tokio::test]
async fn week_counts_match_an_independent_count_of_accepted_reports() {
    use chrono::Datelike;
    use std::collections::BTreeMap;
    use trygg::est::{ReportStatus, Week};
    let db = TestDb::new().await;
    let reports = sample_reports();
    db.store
        .insert_est_reports(&reports, "test", "est test", "sample")
        .await
        .unwrap();
    let from = Week::new(2026, 51).unwrap();
    let to = Week::new(2027, 3).unwrap();
    for district in [None, Some("ryd"), Some("city")] {
        let mut expected: BTreeMap<(i32, u32, &str), i64> = BTreeMap::new();
        for r in &reports {
            let w = r.day.iso_week();
            let in_range = (w.year(), w.week()) >= (2026, 51) && (w.year(), w.week()) <= (2027, 3);
            if r.status == ReportStatus::Accepted
                && in_range
                && district.is_none_or(|d| d == r.district)
            {
                *expected
                    .entry((w.year(), w.week(), r.category.code()))
                    .or_default() += 1;
            }
        }
        let counts = db.store.est_week_counts(district, from, to).await.unwrap();
        let got: BTreeMap<(i32, u32, &str), i64> = counts
            .iter()
            .map(|c| ((c.week.year, c.week.week, c.category.code()), c.count))
            .collect();
        assert!(!expected.is_empty());
        assert!(
            expected.keys().any(|k| k.0 == 2026 && k.1 == 53),
            "the range spans week 53"
        );
        assert_eq!(got, expected, "{district:?}");
    }
}

#[tokio::test]
async fn review_decisions_change_what_counts() {
    use trygg::est::{ReportStatus, Week};
    let db = TestDb::new().await;
    let mut reports = sample_reports();
    reports.truncate(10);
    for r in &mut reports {
        r.status = ReportStatus::New;
        r.district = "berga".into();
    }
    db.store
        .insert_est_reports(&reports, "test", "est test", "sample")
        .await
        .unwrap();
    let new = db
        .store
        .est_reports(Some("berga"), Some(ReportStatus::New))
        .await
        .unwrap();
    assert_eq!(new.len(), 10);
    let (a, b) = (new[0].id, new[1].id);
    db.store
        .set_est_status(a, ReportStatus::Accepted, None, "coordinator@example.se")
        .await
        .unwrap();
    db.store
        .set_est_status(b, ReportStatus::Merged, Some(a), "coordinator@example.se")
        .await
        .unwrap();
    assert!(
        db.store
            .set_est_status(b, ReportStatus::Merged, None, "x")
            .await
            .is_err()
    );
    assert!(
        db.store
            .set_est_status(a, ReportStatus::Merged, Some(a), "x")
            .await
            .is_err()
    );
    assert!(
        db.store
            .set_est_status(a, ReportStatus::Merged, Some(b), "x")
            .await
            .is_err()
    );
    let merged = db.store.est_report(b).await.unwrap().unwrap();
    assert_eq!(
        (merged.status, merged.merged_into),
        (ReportStatus::Merged, Some(a))
    );
    let week = Week::of(new[0].day);
    let counts = db
        .store
        .est_week_counts(Some("berga"), week, week)
        .await
        .unwrap();
    assert_eq!(counts.iter().map(|c| c.count).sum::<i64>(), 1);
    assert_eq!(
        db.store
            .audit_log(None, Some("est review"))
            .await
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn reports_move_with_db_copy_also_one_merged_into_a_later_report() {
    use trygg::est::ReportStatus;
    let db = TestDb::new().await;
    let mut reports = sample_reports();
    reports.truncate(3);
    for r in &mut reports {
        r.district = "city".into();
        r.status = ReportStatus::New;
    }
    db.store
        .insert_est_reports(&reports, "test", "est test", "sample")
        .await
        .unwrap();
    let ids: Vec<i64> = {
        let mut v: Vec<i64> = db
            .store
            .est_reports(None, None)
            .await
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect();
        v.sort();
        v
    };
    db.store
        .set_est_status(ids[0], ReportStatus::Merged, Some(ids[2]), "test")
        .await
        .unwrap();
    let before = db.store.est_reports(None, None).await.unwrap();
    let to = db.dir.path().join("copy.db");
    let o = Command::new(env!("CARGO_BIN_EXE_trygg"))
        .args(["--surveys", surveys_dir().to_str().unwrap()])
        .args([
            "db",
            "copy",
            "--from",
            &db.url(),
            "--to",
            to.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", out(&o));
    let copy = trygg::store::Store::connect(to.to_str().unwrap())
        .await
        .unwrap();
    assert_eq!(copy.est_reports(None, None).await.unwrap(), before);
}

#[tokio::test]
async fn an_empty_organisation_is_refused_and_nothing_stored() {
    let db = TestDb::new().await;
    let file = db.dir.path().join("ok.csv");
    std::fs::write(&file, format!("{HEADER}2026-11-02,city,,klotter,\n")).unwrap();
    let o = est_import(&db, &file, &["--organisation", "  "]);
    assert!(!o.status.success());
    assert!(out(&o).contains("organisation"), "{}", out(&o));
    assert_eq!(stored_reports(&db).await, 0);
}
