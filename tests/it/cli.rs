//! The `trygg` command line, run as a real process.

use std::process::{Command, Output};

use crate::durability::Server;
use crate::helpers::*;

fn trygg(db: &std::path::Path, args: &[&str]) -> Output {
    trygg_at(db, args)
}

/// `trygg` on a database given as a path or a URL.
fn trygg_at(db: impl AsRef<std::ffi::OsStr>, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trygg"))
        .arg("--database")
        .arg(db)
        .arg("--surveys")
        .arg(surveys_dir())
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn check_passes_on_the_bundled_files_and_fails_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let ok = trygg(&db, &["check", surveys_dir().to_str().unwrap()]);
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(text(&ok).contains("no faults"));

    let broken = bundled_source().replacen(
        "counts = [\"ganska\", \"mycket\"], norm = 0.15",
        "counts = [\"ganska\", \"enormt\"], norm = 0.15",
        1,
    );
    let file = dir.path().join("trygghet-2099.toml");
    std::fs::write(&file, &broken).unwrap();
    let bad = trygg(&db, &["check", file.to_str().unwrap()]);
    assert!(!bad.status.success());
    let line = broken[..broken.find("\"enormt\"").unwrap()]
        .matches('\n')
        .count()
        + 1;
    let expected = format!(
        "{}:{line}: question P_BELYSNING: indicator counts unknown option \"enormt\"",
        file.display()
    );
    assert!(text(&bad).contains(&expected), "{}", text(&bad));
    assert!(!db.exists(), "check touches no database");
}

#[test]
fn publish_creates_waves_and_refuses_bad_flags_without_storing_anything() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let file = bundled_path();
    let f = file.to_str().unwrap();
    let publish = |extra: &[&str]| {
        let mut args = vec!["publish", f];
        args.extend_from_slice(extra);
        trygg(&db, &args)
    };
    for (flags, message) in [
        (
            vec![
                "--year",
                "2026",
                "--districts",
                "ryd,atlantis",
                "--opens",
                "2026-09-01",
                "--closes",
                "2026-10-31",
            ],
            "unknown district \"atlantis\"",
        ),
        (
            vec![
                "--year",
                "2026",
                "--districts",
                "ryd,ryd",
                "--opens",
                "2026-09-01",
                "--closes",
                "2026-10-31",
            ],
            "named twice",
        ),
        (
            vec![
                "--year",
                "2026",
                "--districts",
                "all",
                "--opens",
                "1 sept",
                "--closes",
                "2026-10-31",
            ],
            "--opens \"1 sept\" is not a date",
        ),
        (
            vec![
                "--year",
                "2026",
                "--districts",
                "all",
                "--opens",
                "2026-11-01",
                "--closes",
                "2026-10-31",
            ],
            "is before --opens",
        ),
        (
            vec![
                "--year",
                "26",
                "--districts",
                "all",
                "--opens",
                "2026-09-01",
                "--closes",
                "2026-10-31",
            ],
            "not a survey year",
        ),
    ] {
        let out = publish(&flags);
        assert!(!out.status.success(), "{flags:?}");
        assert!(text(&out).contains(message), "{flags:?}: {}", text(&out));
    }
    let waves = |db: &std::path::Path| {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let store = trygg::store::Store::connect(db.to_str().unwrap())
                .await
                .unwrap();
            store.waves().await.unwrap().len()
        })
    };
    if db.exists() {
        assert_eq!(waves(&db), 0);
    }

    let ok = publish(&[
        "--year",
        "2026",
        "--districts",
        "all",
        "--opens",
        "2026-09-01",
        "--closes",
        "2026-10-31",
    ]);
    assert!(ok.status.success(), "{}", text(&ok));
    assert_eq!(text(&ok).matches("published ").count(), 4);
    assert_eq!(waves(&db), 4);

    // An edited file for the same waves is refused with a clear message.
    let edited = dir.path().join("edited.toml");
    std::fs::write(&edited, bundled_source().replace("Klotter", "Graffiti")).unwrap();
    let out = trygg(
        &db,
        &[
            "publish",
            edited.to_str().unwrap(),
            "--year",
            "2026",
            "--districts",
            "ryd",
            "--opens",
            "2026-09-01",
            "--closes",
            "2026-10-31",
        ],
    );
    assert!(!out.status.success());
    assert!(
        text(&out).contains("already published with a different questionnaire"),
        "{}",
        text(&out)
    );

    // A broken file is never published.
    let broken = dir.path().join("broken.toml");
    std::fs::write(
        &broken,
        bundled_source().replace(
            "section = \"bakgrund\"\ntype = \"single\"\nrole = \"sex\"",
            "section = \"bakgrund\"\ntype = \"single\"",
        ),
    )
    .unwrap();
    let out = trygg(
        &db,
        &[
            "publish",
            broken.to_str().unwrap(),
            "--year",
            "2027",
            "--districts",
            "ryd",
            "--opens",
            "2027-09-01",
            "--closes",
            "2027-10-31",
        ],
    );
    assert!(!out.status.success());
    assert!(
        text(&out).contains("nothing was published"),
        "{}",
        text(&out)
    );
    assert_eq!(waves(&db), 4);
}

#[test]
fn serve_with_demo_answers_with_the_demo_data_loaded() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let server = Server::start(&db, &["--demo"]);
    let (status, body) = server.request("GET", "/", "");
    assert_eq!(status, 200);
    for district in ["Skäggetorp", "Ryd", "Berga", "City"] {
        assert!(
            body.contains(district),
            "{district} missing on the start page"
        );
    }
    drop(server);
    // A second `demo` into the filled database is refused.
    let again = trygg(&db, &["demo"]);
    assert!(!again.status.success());
    assert!(text(&again).contains("only goes into an empty database"));
}

#[test]
fn analyze_writes_the_tables_and_refuses_bad_flags_without_writing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    assert!(trygg(&db, &["demo"]).status.success());
    let out = dir.path().join("results.csv");
    let measures = dir.path().join("measures.parquet");
    let o = out.to_str().unwrap();
    for (flags, message) in [
        (
            vec!["--years", "2026..2019", "--out", o],
            "the first year is after the last",
        ),
        (
            vec!["--years", "nineteen", "--out", o],
            "is not a year or a range",
        ),
        (
            vec!["--years", "2019..2026", "--out", "results.txt"],
            "must end in .csv or .parquet",
        ),
        (
            vec!["--years", "2019..2026", "--out", o, "--min-n", "2"],
            "--min-n must be at least 5",
        ),
        (
            vec!["--years", "2010..2026", "--out", o],
            "there are no waves in 2010",
        ),
        (
            vec!["--years", "2019..2026", "--out", o, "--base", "2018"],
            "base year 2018 is outside",
        ),
    ] {
        let mut args = vec!["analyze"];
        args.extend_from_slice(&flags);
        let run = trygg(&db, &args);
        assert!(!run.status.success(), "{flags:?}");
        assert!(text(&run).contains(message), "{flags:?}: {}", text(&run));
        assert!(!out.exists(), "nothing written for {flags:?}");
    }
    let run = trygg(
        &db,
        &[
            "analyze",
            "--years",
            "2019..2026",
            "--out",
            o,
            "--measures-out",
            measures.to_str().unwrap(),
        ],
    );
    assert!(run.status.success(), "{}", text(&run));
    let csv = std::fs::read_to_string(&out).unwrap();
    let header = csv.lines().next().unwrap();
    for column in [
        "year",
        "district",
        "group",
        "indicator",
        "kind",
        "n",
        "n_eff",
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "level",
        "suppressed",
        "uncertain",
        "prev_year",
        "diff_prev",
        "p_prev",
        "q_prev",
        "significant_prev",
    ] {
        assert!(
            header.split(',').any(|h| h == column),
            "{column} missing from {header}"
        );
    }
    assert_eq!(
        &std::fs::read(&measures).unwrap()[..4],
        b"PAR1",
        "Parquet by extension"
    );
    assert!(text(&run).contains("result rows written"));
}

#[tokio::test]
async fn backup_writes_a_verified_copy_while_the_server_takes_answers() {
    let db = TestDb::new().await;
    if postgres_server().is_some() {
        // `backup` copies a SQLite file; on PostgreSQL it says what to use instead.
        let target = db.dir.path().join("backup.db");
        let out = trygg_at(db.url(), &["backup", target.to_str().unwrap()]);
        assert!(!out.status.success());
        assert!(text(&out).contains("pg_dump"), "{}", text(&out));
        assert!(!target.exists());
        return;
    }
    let year = db.publish_open("ryd").await;
    db.store.close().await;
    let server = Server::start(db.url(), &[]);
    for _ in 0..5 {
        let (status, _) = server.request(
            "POST",
            &format!("/s/ryd/{year}"),
            "lang=sv&T_OMRADET=ganska_trygg",
        );
        assert_eq!(status, 200);
    }
    let backup = db.dir.path().join("backup.db");
    let out = trygg(&db.path(), &["backup", backup.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("1 questionnaires, 1 waves, 5 responses), verified"),
        "{}",
        text(&out)
    );
    drop(server);

    // Restore, as the README says: the copy becomes the database of a new installation.
    let restored = db.dir.path().join("restored.db");
    std::fs::copy(&backup, &restored).unwrap();
    let store = trygg::store::Store::connect(restored.to_str().unwrap())
        .await
        .unwrap();
    assert_eq!(store.count_responses(None).await.unwrap(), 5);
    let wave = store.wave("ryd", year).await.unwrap().unwrap();
    assert_eq!(store.responses(wave.id).await.unwrap().len(), 5);

    // A backup never overwrites a file and never leaves a partial copy.
    let again = trygg(&db.path(), &["backup", backup.to_str().unwrap()]);
    assert!(!again.status.success());
    assert!(text(&again).contains("already exists; a backup never overwrites a file"));
    let nowhere = db.dir.path().join("missing/backup.db");
    let out = trygg(&db.path(), &["backup", nowhere.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(text(&out).contains("does not exist"), "{}", text(&out));
    let names: Vec<String> = std::fs::read_dir(db.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.contains("partial")), "{names:?}");

    // A mistyped database is not a database to back up, and none is created for it.
    let typo = db.dir.path().join("tryg.db");
    let out = trygg(
        &typo,
        &["backup", db.dir.path().join("b2.db").to_str().unwrap()],
    );
    assert!(!out.status.success());
    assert!(
        text(&out).contains("there is no database at"),
        "{}",
        text(&out)
    );
    assert!(!typo.exists() && !db.dir.path().join("b2.db").exists());
}

#[test]
fn serve_refuses_bad_limits_and_origins_and_errors_name_each_cause_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    for (args, message) in [
        (
            &["serve", "--header-timeout", "0"][..],
            "--header-timeout 0 must be between 1 and 3600 seconds",
        ),
        (
            &["serve", "--body-timeout", "99999"],
            "--body-timeout 99999 must be between 1 and 3600 seconds",
        ),
        (
            &["serve", "--max-connections", "0"],
            "--max-connections 0 must be between 1 and 1000000",
        ),
        (
            &["serve", "--max-in-flight", "0"],
            "--max-in-flight 0 must be between 1 and 1000000",
        ),
        (
            &["serve", "--public-origin", "trygg.example.se"],
            "must start with https:// or http://",
        ),
        (
            &["serve", "--public-origin", "https://x.se/enkat"],
            "must be a scheme and host only",
        ),
    ] {
        let out = trygg(&db, args);
        assert!(!out.status.success(), "{args:?}");
        assert!(text(&out).contains(message), "{args:?}: {}", text(&out));
    }
    assert!(!db.exists(), "nothing was created");

    let missing = dir.path().join("no-such-folder/trygg.db");
    let out = trygg(&missing, &["demo"]);
    assert!(!out.status.success());
    let t = text(&out);
    assert!(
        t.contains("the folder") && t.contains("no-such-folder"),
        "{t}"
    );
    assert_eq!(t.matches("does not exist").count(), 1, "{t}");
}
