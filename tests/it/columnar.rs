//! Closed waves frozen into columnar files: the analysis gives the same results and the
//! same report whether it reads a wave from its file or from the database, and a file that
//! is missing, altered or out of date is rebuilt, never trusted.

use chrono::Datelike;
use trygg::analysis::{Analysis, Inputs, Options};

use crate::helpers::*;

fn inputs() -> Inputs {
    Inputs {
        districts: districts(),
        surveys: surveys_dir(),
    }
}

async fn analyse(db: &TestDb, columnar: bool) -> Analysis {
    let this_year = today().year();
    let mut o = Options::new(this_year - 2..=this_year);
    o.columnar = columnar;
    trygg::analysis::analyze(&db.store, &inputs(), &o)
        .await
        .unwrap()
}

/// What the tests compare: every result and measure row.
fn same(a: &Analysis, b: &Analysis) -> bool {
    a.results == b.results && a.measures == b.measures && a.weighting == b.weighting
}

fn frozen_files(db: &TestDb) -> Vec<std::path::PathBuf> {
    let dir = db.store.frozen_dir().unwrap();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

#[tokio::test]
async fn closed_waves_are_read_from_checked_columnar_files_with_identical_results() {
    let db = TestDb::new().await;
    let q = bundled();
    let this_year = today().year();
    // Two closed years in four districts, and this year's wave in Ryd still open.
    fill_districts(
        &db.store,
        &q,
        &[this_year - 2, this_year - 1],
        29,
        |_, _| 120,
    )
    .await;
    db.publish_open("ryd").await;
    let open = db.store.wave("ryd", this_year).await.unwrap().unwrap();
    let answers: Vec<_> = trygg::demo::responses(&q, "ryd", this_year, 29, 120).collect();
    for a in answers {
        db.store
            .insert_response(&trygg::store::NewResponse {
                wave_id: open.id,
                submitted_on: today(),
                channel: trygg::store::Channel::Web,
                lang: "sv".into(),
                synthetic: true,
                answers: a.to_json(),
            })
            .await
            .unwrap();
    }

    let plain = analyse(&db, false).await;
    assert_eq!(plain.timings.frozen.read + plain.timings.frozen.written, 0);
    assert!(frozen_files(&db).is_empty(), "no files without columnar");
    // The first run freezes the eight closed waves; the open one is never frozen.
    let first = analyse(&db, true).await;
    assert_eq!(
        (first.timings.frozen.read, first.timings.frozen.written),
        (0, 8)
    );
    let files = frozen_files(&db);
    assert_eq!(files.len(), 8);
    let dir = db.store.frozen_dir().unwrap();
    assert!(files.iter().all(|f| f.parent() == Some(dir.as_path())));
    assert!(!files.contains(&trygg::analysis::columnar::path(&dir, open.id)));
    let ryd = db.store.wave("ryd", this_year - 1).await.unwrap().unwrap();
    assert!(files.contains(&trygg::analysis::columnar::path(&dir, ryd.id)));
    let second = analyse(&db, true).await;
    assert_eq!(
        (second.timings.frozen.read, second.timings.frozen.written),
        (8, 0)
    );
    assert!(same(&plain, &first) && same(&plain, &second));

    // Deleted: rebuilt from the database.
    std::fs::remove_file(&files[0]).unwrap();
    let again = analyse(&db, true).await;
    assert_eq!(
        (again.timings.frozen.read, again.timings.frozen.written),
        (7, 1)
    );
    assert!(files[0].exists() && same(&plain, &again));
    // Altered (one byte in the middle), or swapped for another wave's valid file: the hash
    // does not match, so the wave is read from the database and its file rebuilt.
    let mut bytes = std::fs::read(&files[1]).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x55;
    std::fs::write(&files[1], &bytes).unwrap();
    std::fs::copy(&files[3], &files[2]).unwrap();
    let again = analyse(&db, true).await;
    assert_eq!(
        (again.timings.frozen.read, again.timings.frozen.written),
        (6, 2)
    );
    assert!(same(&plain, &again));
    assert_ne!(std::fs::read(&files[1]).unwrap(), bytes, "rebuilt");

    // A late paper answer in a closed wave: the file is out of date and is rebuilt, and the
    // results are those of the database.
    let closed = db
        .store
        .wave("berga", this_year - 1)
        .await
        .unwrap()
        .unwrap();
    let late: Vec<_> = trygg::demo::responses(&q, "berga", this_year - 1, 31, 1).collect();
    db.store
        .insert_response(&trygg::store::NewResponse {
            wave_id: closed.id,
            submitted_on: today(),
            channel: trygg::store::Channel::Paper,
            lang: "sv".into(),
            synthetic: true,
            answers: late[0].to_json(),
        })
        .await
        .unwrap();
    let after = analyse(&db, true).await;
    assert_eq!(
        (after.timings.frozen.read, after.timings.frozen.written),
        (7, 1)
    );
    assert!(same(&analyse(&db, false).await, &after));
    assert!(!same(&plain, &after), "the late answer counts");

    // A hand edit of a stored answer (trygg never changes one) forgets the wave's file.
    sqlx::query("update responses set answers = replace(answers, 'ganska', 'mycket') where id = (select min(id) from responses where wave_id = $1)")
        .bind(closed.id)
        .execute(&mut db.connection().await)
        .await
        .unwrap();
    let edited = analyse(&db, true).await;
    assert_eq!(
        (edited.timings.frozen.read, edited.timings.frozen.written),
        (7, 1)
    );
    assert!(same(&analyse(&db, false).await, &edited));

    // A folder that cannot be written costs speed, not the analysis.
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::write(&dir, b"not a folder").unwrap();
    let blocked = analyse(&db, true).await;
    assert_eq!(
        (blocked.timings.frozen.read, blocked.timings.frozen.written),
        (0, 0)
    );
    assert!(same(&edited, &blocked));
    std::fs::remove_file(&dir).unwrap();

    // The report is byte-identical whether its waves come from files or the database.
    let report = |name: &str| {
        let out = db.dir.path().join(name);
        let store = db.store.clone();
        async move {
            trygg::report::generate(
                &store,
                &inputs(),
                &trygg::report::ReportOptions {
                    year: this_year,
                    compare: None,
                    out: out.clone(),
                },
            )
            .await
            .unwrap();
            out
        }
    };
    let from_files = report("from-files").await;
    std::fs::remove_dir_all(db.store.frozen_dir().unwrap()).unwrap();
    let from_db = report("from-db").await;
    let listing = |dir: &std::path::Path| {
        let mut files = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().filter_map(Result::ok) {
                if e.path().is_dir() {
                    stack.push(e.path());
                } else {
                    files.push(e.path().strip_prefix(dir).unwrap().to_path_buf());
                }
            }
        }
        files.sort();
        files
    };
    let names = listing(&from_files);
    assert!(names.len() > 100);
    assert_eq!(names, listing(&from_db));
    for n in &names {
        assert!(
            std::fs::read(from_files.join(n)).unwrap() == std::fs::read(from_db.join(n)).unwrap(),
            "{} differs",
            n.display()
        );
    }
}

#[tokio::test]
async fn a_wave_that_changed_while_it_was_frozen_is_not_recorded() {
    let db = TestDb::new().await;
    let this_year = today().year();
    fill_districts(&db.store, &bundled(), &[this_year - 1], 5, |_, _| 30).await;
    let wave = db.store.waves().await.unwrap()[0].clone();
    let (count, last) = (
        db.store.count_responses(Some(wave.id)).await.unwrap(),
        db.store.wave_last_id(wave.id).await.unwrap(),
    );
    let record = |responses, last_response_id| trygg::store::FrozenWave {
        wave_id: wave.id,
        reference_questionnaire_id: wave.questionnaire_id,
        responses,
        last_response_id,
        sha256: "0".repeat(64),
    };
    // A file made of one answer fewer (one was added meanwhile), or with an older last id.
    assert!(
        !db.store
            .record_frozen(&record(count - 1, last))
            .await
            .unwrap()
    );
    assert!(
        !db.store
            .record_frozen(&record(count, last - 1))
            .await
            .unwrap()
    );
    assert!(db.store.frozen_waves().await.unwrap().is_empty());
    // The file of exactly the wave's answers is recorded.
    assert!(db.store.record_frozen(&record(count, last)).await.unwrap());
    assert_eq!(db.store.frozen_waves().await.unwrap().len(), 1);
}
