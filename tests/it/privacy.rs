//! What trygg keeps at rest (issue 19): a used letter code records only that it was used,
//! a closed wave keeps its strata's counts and no code at all, nothing may be added to a
//! wave after its codes are gone, and every file that holds answers or leads to a person
//! is its owner's only, whatever the umask.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use axum::http::StatusCode;
use trygg::store::StratumRate;

use crate::fieldwork::{Year, answer, post_from};
use crate::helpers::*;

/// Every value of every column of every table, as lower-case text (bytes in hex), keyed
/// `table.column`: what anyone reading the database could find.
async fn every_column(db: &TestDb) -> BTreeMap<String, Vec<String>> {
    let sqlite = !db.url().contains("://");
    let mut c = db.connection().await;
    let tables: Vec<String> = sqlx::query_scalar(if sqlite {
        "select name from sqlite_master where type = 'table'"
    } else {
        "select table_name::text from information_schema.tables where table_schema = 'public'"
    })
    .fetch_all(&mut c)
    .await
    .unwrap();
    let mut out = BTreeMap::new();
    for t in tables {
        for col in db.columns(&t).await {
            let sql = if sqlite {
                format!(
                    "select case when typeof(\"{col}\") = 'blob' then hex(\"{col}\") else cast(\"{col}\" as text) end from \"{t}\""
                )
            } else {
                format!("select cast(\"{col}\" as text) from \"{t}\"")
            };
            let values: Vec<Option<String>> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_all(&mut c)
                .await
                .unwrap();
            out.insert(
                format!("{t}.{col}"),
                values
                    .into_iter()
                    .flatten()
                    .map(|v| v.to_lowercase())
                    .collect(),
            );
        }
    }
    assert!(out.contains_key("codes.hash") && out.contains_key("responses.answers"));
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The rates of Ryd's wave and the total line of `trygg status`.
async fn rates_and_status(y: &Year) -> (Vec<StratumRate>, String) {
    let wave = y.db.store.wave("ryd", y.year).await.unwrap().unwrap();
    let rates = y.db.store.response_rates(wave.id).await.unwrap();
    let o = y.trygg(&["status", "--year", &y.year.to_string()]);
    assert!(o.status.success(), "{}", text(&o));
    let t = text(&o);
    let total = t
        .lines()
        .find(|l| l.trim_start().starts_with("total"))
        .unwrap_or_else(|| panic!("{t}"))
        .to_string();
    (rates, total)
}

/// A sampled wave with 4 web answers, 2 paper answers, a returned and a declined letter;
/// returns the codes.
async fn field_work(y: &Year) -> Vec<trygg::fieldwork::Code> {
    let codes = y.sample(40, "19");
    let app = y.app();
    for c in &codes[..4] {
        let r = post_from(
            &app,
            &format!("/k/{}", c.as_str()),
            answer("sv"),
            "10.0.0.1",
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let wave = format!("ryd/{}", y.year);
    let scans = y.db.dir.path().join("scans.csv");
    std::fs::write(
        &scans,
        format!(
            "code,T_OMRADET,B_KON,B_ALDER\n{},mycket_trygg,man,65-84\n{},ganska_trygg,kvinna,16-24\n",
            codes[4].grouped(),
            codes[5].grouped()
        ),
    )
    .unwrap();
    let o = y.trygg(&["import-paper", "--wave", &wave, scans.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    for (status, c) in [("undeliverable", &codes[6]), ("declined", &codes[7])] {
        let o = y.trygg(&["mark", "--wave", &wave, "--status", status, &c.grouped()]);
        assert!(o.status.success(), "{}", text(&o));
    }
    codes
}

#[tokio::test]
async fn a_closed_wave_keeps_its_counts_and_nothing_that_ties_a_code_to_an_answer() {
    let y = Year::new().await;
    let codes = field_work(&y).await;
    let wave = y.db.store.wave("ryd", y.year).await.unwrap().unwrap();
    let key = y.key();
    let hashes: Vec<String> = codes.iter().map(|c| hex(&key.hash(c))).collect();

    // While the wave is open: the counts are the answers by channel, and a used code says
    // only "used".
    let (open_rates, open_total) = rates_and_status(&y).await;
    let total = StratumRate::total(&open_rates);
    assert_eq!(
        (
            total.letters,
            total.web,
            total.paper,
            total.undeliverable,
            total.declined
        ),
        (40, 4, 2, 1, 1)
    );
    let mut c = y.db.connection().await;
    let by_channel: Vec<(String, i64)> = sqlx::query_as(
        "select channel, count(*) from responses where wave_id = $1 group by channel order by channel",
    )
    .bind(wave.id)
    .fetch_all(&mut c)
    .await
    .unwrap();
    drop(c);
    assert_eq!(
        by_channel,
        [("paper".to_string(), 2), ("web".to_string(), 4)]
    );
    let cols: Vec<&str> = open_total.split_whitespace().collect();
    assert_eq!(&cols[1..6], &["40", "1", "1", "4", "2"], "{open_total}");
    let open = every_column(&y.db).await;
    assert_eq!(open["codes.hash"].len(), 40);
    let mut states: Vec<&String> = open["codes.status"].iter().collect();
    states.sort();
    states.dedup();
    assert_eq!(states, ["declined", "undeliverable", "unused", "used"]);

    // Staff close the wave: its codes go in the same transaction, the counts stay.
    y.db.store
        .close_wave(
            wave.id,
            today() - chrono::Duration::days(1),
            "admin@kommun.se",
        )
        .await
        .unwrap();
    let (closed_rates, closed_total) = rates_and_status(&y).await;
    assert_eq!(closed_rates, open_rates, "the counts outlive the codes");
    assert_eq!(
        closed_total, open_total,
        "trygg status shows the same numbers"
    );
    assert_eq!(y.db.store.count_responses(Some(wave.id)).await.unwrap(), 6);

    // Every column of every table: no code of the wave in any form, and "web" or "paper"
    // only where an answer keeps its own channel.
    let closed = every_column(&y.db).await;
    assert!(
        closed["codes.hash"].is_empty(),
        "{:?}",
        closed["codes.hash"]
    );
    let all_codes_text: Vec<String> = codes
        .iter()
        .flat_map(|c| [c.as_str().to_lowercase(), c.grouped().to_lowercase()])
        .collect();
    for (column, values) in &closed {
        for v in values {
            for h in hashes.iter().chain(&all_codes_text) {
                assert!(!v.contains(h.as_str()), "{column} holds a letter code: {v}");
            }
            if column != "responses.channel" {
                assert!(v != "web" && v != "paper", "{column} holds a channel: {v}");
            }
        }
    }
    let audit = audit_actions(&y.db.store, Some("admin@kommun.se")).await;
    assert!(audit.contains(&"codes deleted".to_string()), "{audit:?}");

    // On PostgreSQL, no live counter row shares its writing transaction with an answer.
    if postgres_server().is_some() {
        let shared = y
            .db
            .scalar(
                "select count(*) from sample_strata s join responses r on s.xmin::text = r.xmin::text",
            )
            .await;
        assert_eq!(shared, 0);
    }
    // On SQLite, not even the file's bytes: deleted rows are zeroed (secure_delete) and
    // the WAL is emptied into the file and cut to nothing.
    if postgres_server().is_none() {
        assert!(y.db.store.checkpoint().await.unwrap());
        let wal = std::fs::metadata(format!("{}-wal", y.db.path().display()))
            .map(|m| m.len())
            .unwrap_or(0);
        assert_eq!(wal, 0, "the WAL is empty after a checkpoint");
        let file = std::fs::read(y.db.path()).unwrap();
        for c in &codes {
            let h = key.hash(c);
            assert!(
                !file.windows(h.len()).any(|w| w == h.as_slice()),
                "a deleted code's hash is still in the database file"
            );
        }
    }
}

#[tokio::test]
async fn a_late_paper_answer_is_refused_and_nothing_is_stored() {
    let y = Year::new().await;
    let codes = field_work(&y).await;
    let wave = y.db.store.wave("ryd", y.year).await.unwrap().unwrap();
    let before = y.db.store.response_rates(wave.id).await.unwrap();
    y.db.store
        .close_wave(
            wave.id,
            today() - chrono::Duration::days(1),
            "admin@kommun.se",
        )
        .await
        .unwrap();
    let name = format!("ryd/{}", y.year);
    let scans = y.db.dir.path().join("late.csv");
    std::fs::write(
        &scans,
        format!("code,T_OMRADET\n{},ganska_trygg\n", codes[10].grouped()),
    )
    .unwrap();
    let o = y.trygg(&["import-paper", "--wave", &name, scans.to_str().unwrap()]);
    let t = text(&o);
    assert!(!o.status.success(), "{t}");
    assert!(
        t.contains(&format!("wave {name} is closed"))
            && t.contains("its codes were deleted when it closed")
            && t.contains("late paper answers cannot be imported")
            && t.contains("nothing was imported"),
        "{t}"
    );
    // Marks and reminders say the same; a new sample of a closed wave is refused too.
    let o = y.trygg(&[
        "mark",
        "--wave",
        &name,
        "--status",
        "declined",
        &codes[11].grouped(),
    ]);
    assert!(
        !o.status.success() && text(&o).contains("is closed"),
        "{}",
        text(&o)
    );
    let o = y.trygg(&[
        "reminders",
        "--wave",
        &name,
        "--letters",
        &y.path("print/letters.csv"),
        "--out",
        &y.path("print/late-reminders.csv"),
    ]);
    assert!(
        !o.status.success() && text(&o).contains("is closed"),
        "{}",
        text(&o)
    );
    assert!(!Path::new(&y.path("print/late-reminders.csv")).exists());

    // From the staff pages: refused with the reason, nothing stored.
    use crate::staff::{multipart, request, session};
    let app = y.app();
    let (cookie, csrf, _) = session(&y.db, "admin@kommun.se", trygg::auth::Role::Admin).await;
    let id = wave.id.to_string();
    let scan = format!("code,T_OMRADET\n{},ganska_trygg\n", codes[12].grouped());
    let (body, ct) = multipart(&[("csrf", &csrf), ("wave", &id)], Some(&scan));
    let r = send(
        &app,
        request("POST", "/personal/falt/papper", Some(&cookie), body, &ct),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("är stängd"), "{}", r.body);
    assert!(r.body.contains("sena pappersenkäter kan inte importeras"));

    // A resident with a letter of the closed wave: the code is gone.
    let r = post_from(
        &app,
        &format!("/k/{}", codes[13].as_str()),
        answer("sv"),
        "10.0.0.2",
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    assert_eq!(y.db.store.count_responses(Some(wave.id)).await.unwrap(), 6);
    assert_eq!(y.db.store.response_rates(wave.id).await.unwrap(), before);
    assert_eq!(y.db.scalar("select count(*) from codes").await, 0);
}

#[tokio::test]
async fn a_server_deletes_the_codes_of_waves_that_closed_while_it_was_away() {
    use crate::durability::Server;
    let db = TestDb::new().await;
    let year = chrono::Datelike::year(&today());
    // Last year's wave, closed, with codes it should no longer have (written directly, as
    // an installation from before this rule would hold them), and this year's, open.
    fill_wave(&db.store, "ryd", year - 1, Vec::new()).await;
    db.publish_open("berga").await;
    let strata = [trygg::fieldwork::StratumCount {
        stratum: trygg::fieldwork::sample::ALL.into(),
        population: 1000,
        letters: 20,
    }];
    for (district, y) in [("ryd", year - 1), ("berga", year)] {
        let wave = db.store.wave(district, y).await.unwrap().unwrap();
        let codes = (0..20u8)
            .map(|i| {
                let status = match i {
                    0..5 => trygg::store::CodeStatus::Web,
                    5 => trygg::store::CodeStatus::Paper,
                    6 => trygg::store::CodeStatus::Undeliverable,
                    _ => trygg::store::CodeStatus::Unused,
                };
                (
                    vec![i, district.len() as u8, 7, 7],
                    trygg::fieldwork::sample::ALL.to_string(),
                    status,
                )
            })
            .collect();
        db.store.save_sample(wave.id, &strata, codes).await.unwrap();
    }
    let ryd = db.store.wave("ryd", year - 1).await.unwrap().unwrap();
    let before = db.store.response_rates(ryd.id).await.unwrap();
    assert_eq!(
        (before[0].web, before[0].paper, before[0].undeliverable),
        (5, 1, 1)
    );
    assert_eq!(db.scalar("select count(*) from codes").await, 40);

    let server = Server::start(db.url(), &[]);
    let started = std::time::Instant::now();
    while db.scalar("select count(*) from codes").await != 20 {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "the server did not delete the closed wave's codes"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    drop(server);
    let berga = db.store.wave("berga", year).await.unwrap().unwrap();
    let mut c = db.connection().await;
    let left: Vec<i64> = sqlx::query_scalar("select wave_id from codes")
        .fetch_all(&mut c)
        .await
        .unwrap();
    assert!(
        left.iter().all(|w| *w == berga.id),
        "the open wave keeps its codes"
    );
    assert_eq!(db.store.response_rates(ryd.id).await.unwrap(), before);
    let log = audit_actions(&db.store, Some("server")).await;
    assert_eq!(log, ["codes deleted"]);
}

#[tokio::test]
async fn the_migration_counts_what_the_codes_said_and_forgets_the_channel() {
    // A database as trygg left it before the counters: its schema up to the migration
    // before them, with codes used on the web and on paper.
    let dir = tempfile::tempdir().unwrap();
    let (url, _pg, backend) = match postgres_server() {
        Some(server) => {
            let (url, db) = create_postgres_database(&server);
            (url, Some(db), "postgres")
        }
        None => (
            dir.path().join("old.db").to_str().unwrap().to_string(),
            None,
            "sqlite",
        ),
    };
    let old = dir.path().join("migrations");
    std::fs::create_dir(&old).unwrap();
    let all = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    let mut files: Vec<_> = std::fs::read_dir(&all)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for f in files
        .iter()
        .take_while(|f| !f.to_str().unwrap().contains("code_counters"))
    {
        std::fs::copy(f, old.join(f.file_name().unwrap())).unwrap();
    }
    sqlx::any::install_default_drivers();
    let any_url = if backend == "sqlite" {
        format!("sqlite:{url}?mode=rwc")
    } else {
        url.clone()
    };
    let pool = sqlx::AnyPool::connect(&any_url).await.unwrap();
    sqlx::migrate::Migrator::new(old.as_path())
        .await
        .unwrap()
        .run(&pool)
        .await
        .unwrap();
    for sql in [
        "insert into questionnaires (id, code, sha256, source, published_on) values (1, 'q', 'x', 'x', '2025-01-01')",
        "insert into waves (id, district, year, questionnaire_id, opens_on, closes_on) values (1, 'ryd', 2025, 1, '2025-09-01', '2099-10-31')",
        "insert into sample_strata (wave_id, stratum, population, letters) values (1, 'kvinna/16-24', 500, 6), (1, 'man/16-24', 400, 5)",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&pool)
            .await
            .unwrap();
    }
    let statuses = [
        (
            "kvinna/16-24",
            ["web", "web", "paper", "undeliverable", "declined", "unused"].as_slice(),
        ),
        (
            "man/16-24",
            ["paper", "paper", "web", "undeliverable", "undeliverable"].as_slice(),
        ),
    ];
    let mut n = 0u8;
    for (stratum, list) in statuses {
        for status in list {
            n += 1;
            sqlx::query(
                "insert into codes (hash, wave_id, stratum, status) values ($1, 1, $2, $3)",
            )
            .bind(vec![n; 32])
            .bind(stratum)
            .bind(*status)
            .execute(&pool)
            .await
            .unwrap();
        }
    }
    pool.close().await;

    let store = trygg::store::Store::connect(&url).await.unwrap();
    let rates = store.response_rates(1).await.unwrap();
    let got: Vec<(&str, i64, i64, i64, i64, i64)> = rates
        .iter()
        .map(|r| {
            (
                r.stratum.as_str(),
                r.letters,
                r.web,
                r.paper,
                r.undeliverable,
                r.declined,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("kvinna/16-24", 6, 2, 1, 1, 1),
            ("man/16-24", 5, 1, 2, 2, 0)
        ]
    );
    let mut c = {
        use sqlx::Connection;
        sqlx::AnyConnection::connect(&any_url).await.unwrap()
    };
    let mut left: Vec<String> = sqlx::query_scalar("select status from codes")
        .fetch_all(&mut c)
        .await
        .unwrap();
    left.sort();
    left.dedup();
    assert_eq!(left, ["declined", "undeliverable", "unused", "used"]);
    // The new rule holds: a channel can no longer be written into a code.
    let refused = sqlx::query("update codes set status = 'web' where status = 'used'")
        .execute(&mut c)
        .await;
    assert!(refused.is_err(), "the check constraint allows 'web'");
    store.close().await;
}

#[tokio::test]
async fn the_wal_is_emptied_once_writes_are_quiet() {
    if postgres_server().is_some() {
        return; // no WAL file of trygg's on PostgreSQL
    }
    let db = TestDb::new().await;
    db.publish_open("ryd").await;
    let year = chrono::Datelike::year(&today());
    let wave = db.store.wave("ryd", year).await.unwrap().unwrap();
    db.store
        .insert_response(&web_answer(wave.id))
        .await
        .unwrap();
    let wal = || {
        std::fs::metadata(format!("{}-wal", db.path().display()))
            .map(|m| m.len())
            .unwrap_or(0)
    };
    assert!(wal() > 0, "the answer is in the WAL");
    let hour = std::time::Duration::from_secs(3600);
    // Neither quiet for an hour nor holding writes for an hour: left alone.
    assert!(!db.store.checkpoint_when_quiet(hour, hour).await.unwrap());
    assert!(wal() > 0);
    // Writes that keep coming are emptied after `longest` all the same.
    let second = std::time::Duration::from_millis(300);
    tokio::time::sleep(second).await;
    assert!(db.store.checkpoint_when_quiet(hour, second).await.unwrap());
    assert_eq!(wal(), 0);
    // Quiet: emptied.
    db.store
        .insert_response(&web_answer(wave.id))
        .await
        .unwrap();
    assert!(wal() > 0);
    tokio::time::sleep(second).await;
    assert!(db.store.checkpoint_when_quiet(second, hour).await.unwrap());
    assert_eq!(wal(), 0);
    assert_eq!(db.count().await, 2);
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .permissions()
        .mode()
        & 0o777
}

#[tokio::test]
async fn every_private_file_is_its_owners_only_whatever_the_umask() {
    // The most permissive umask: every mode below is trygg's own doing. (The umask is the
    // process's; other tests running meanwhile only get looser files, which none checks.)
    // SAFETY: umask only sets the process's file mode mask.
    let before = unsafe { libc::umask(0) };
    let dir = tempfile::tempdir().unwrap();

    // The database, its WAL and shared memory, and a backup (SQLite, on either suite).
    let path = dir.path().join("trygg.db");
    let store = trygg::store::Store::connect(path.to_str().unwrap())
        .await
        .unwrap();
    let year = chrono::Datelike::year(&today());
    let src = bundled_source();
    store
        .publish(&trygg::store::NewWave {
            district: "ryd",
            year,
            questionnaire_code: "trygghet-2026",
            source: &src,
            opens_on: today(),
            closes_on: today(),
        })
        .await
        .unwrap();
    let wave = store.wave("ryd", year).await.unwrap().unwrap();
    store.insert_response(&web_answer(wave.id)).await.unwrap();
    for suffix in ["", "-wal", "-shm"] {
        let f = Path::new(&format!("{}{suffix}", path.display())).to_path_buf();
        assert_eq!(mode(&f), 0o600, "{}", f.display());
    }
    let backup = dir.path().join("backup.db");
    store.backup(&backup).await.unwrap();
    assert_eq!(mode(&backup), 0o600);

    // A frozen wave (every answer of a closed wave) in folders trygg makes.
    let frozen = dir.path().join("frozen/waves");
    let df = polars::df!("x" => [1u32, 2, 3]).unwrap();
    trygg::analysis::columnar::write(&frozen, 7, &df).unwrap();
    assert_eq!(mode(&dir.path().join("frozen")), 0o700);
    assert_eq!(mode(&frozen), 0o700);
    assert_eq!(mode(&trygg::analysis::columnar::path(&frozen, 7)), 0o600);
    store.close().await;

    // The code key, in a folder that did not exist.
    let key = dir.path().join("secrets/trygg/codes.key");
    trygg::fieldwork::CodeKey::load_or_create(&key).unwrap();
    assert_eq!(mode(&key), 0o600);
    assert_eq!(mode(&dir.path().join("secrets")), 0o700);
    assert_eq!(mode(&dir.path().join("secrets/trygg")), 0o700);

    // Print file, QR codes and their folder, reminders, a paper form with a code.
    let y = Year::new().await;
    let codes = y.sample(5, "3");
    assert_eq!(mode(&y.key_path()), 0o600);
    assert_eq!(mode(Path::new(&y.path("print/letters.csv"))), 0o600);
    let qr = Path::new(&y.path("print/qr")).to_path_buf();
    assert_eq!(mode(&qr), 0o700);
    assert_eq!(mode(&qr.join(format!("{}.svg", codes[0].as_str()))), 0o600);
    let o = y.trygg(&[
        "reminders",
        "--wave",
        &format!("ryd/{}", y.year),
        "--letters",
        &y.path("print/letters.csv"),
        "--out",
        &y.path("print/reminders.csv"),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(mode(Path::new(&y.path("print/reminders.csv"))), 0o600);
    let form = y.path("form.html");
    let o = y.trygg(&[
        "paper-form",
        "--wave",
        &format!("ryd/{}", y.year),
        "--lang",
        "sv",
        "--code",
        &codes[0].grouped(),
        "--out",
        &form,
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(mode(Path::new(&form)), 0o600);
    // SAFETY: as above.
    unsafe { libc::umask(before) };
}
