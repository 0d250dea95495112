//! `trygg db copy`: an installation moved to another database (and back) keeps every row,
//! the same answers to the byte and the same results; a destination that is not empty, or
//! a source that is not a trygg database, is refused and nothing is written.

use std::process::{Command, Output};

use trygg::auth::Role;
use trygg::store::Store;

use crate::helpers::*;

fn db_copy(from: &str, to: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trygg"))
        .args(["--surveys", surveys_dir().to_str().unwrap()])
        .args(["db", "copy", "--from", from, "--to", to])
        .output()
        .unwrap()
}

/// What the tests compare: every result and measure row of the last three years.
async fn results(store: &Store) -> trygg::analysis::Analysis {
    use chrono::Datelike;
    let year = today().year();
    let mut o = trygg::analysis::Options::new(year - 2..=year);
    o.columnar = false;
    let inputs = trygg::analysis::Inputs {
        districts: districts(),
        surveys: surveys_dir(),
    };
    trygg::analysis::analyze(store, &inputs, &o).await.unwrap()
}

#[tokio::test]
async fn an_installation_moves_to_another_database_and_back_unchanged() {
    // The source: the demo's eight years with samples and codes, staff, a token, measures.
    let dir = tempfile::tempdir().unwrap();
    let source_path = dir.path().join("source.db");
    let source_url = source_path.to_str().unwrap().to_string();
    let source = Store::connect(&source_url).await.unwrap();
    trygg::demo::fill(&source, &districts(), &surveys_dir(), 7)
        .await
        .unwrap();
    source
        .add_staff("analytiker@kommun.se", Role::Analyst, None, "test")
        .await
        .unwrap();
    let scope = ["ryd".to_string()];
    source
        .add_api_token(
            &trygg::store::NewApiToken {
                hash: &[7u8; 32],
                name: "BI",
                role: Role::Reader,
                expires_on: today() + chrono::Duration::days(30),
                districts: Some(&scope),
            },
            "test",
        )
        .await
        .unwrap();
    let register =
        trygg::analysis::measures::load(&surveys_dir().join("measures.toml"), &districts())
            .unwrap();
    source
        .save_measures(&register, false, "test")
        .await
        .unwrap();
    let before = results(&source).await;
    let answers = source.count_responses(None).await.unwrap();
    source.close().await;

    // To the suite's backend (PostgreSQL in the second run) ...
    let middle = TestDb::new().await;
    let out = db_copy(&source_url, &middle.url());
    assert!(out.status.success(), "{}", text(&out));
    let said = text(&out);
    assert!(said.contains("copied and verified"), "{said}");
    assert!(said.contains(&format!("{answers} responses")), "{said}");
    assert!(
        said.contains("1 staff") && said.contains("1 api_tokens"),
        "{said}"
    );
    let store = middle.reopen().await;
    assert_eq!(store.count_responses(None).await.unwrap(), answers);
    assert_eq!(
        store
            .staff_by_email("analytiker@kommun.se")
            .await
            .unwrap()
            .map(|(a, _)| a.role),
        Some(Role::Analyst)
    );
    assert_eq!(
        store.check_api_token(&[7u8; 32], today()).await.unwrap(),
        trygg::store::TokenCheck::Live {
            name: "BI".into(),
            role: Role::Reader,
            districts: Some(scope.to_vec()),
        }
    );
    let moved = results(&store).await;
    assert!(moved.results == before.results && moved.measures == before.measures);

    // ... it takes new answers there, with ids after the copied ones ...
    let wave = store.waves().await.unwrap().pop().unwrap();
    store.insert_response(&web_answer(wave.id)).await.unwrap();
    assert_eq!(store.count_responses(None).await.unwrap(), answers + 1);
    store.close().await;

    // ... and back to a SQLite file, with the same checksum both ways.
    let back = dir.path().join("back.db");
    let out = db_copy(&middle.url(), back.to_str().unwrap());
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains(&format!("{} responses", answers + 1)));
    let back = Store::connect(back.to_str().unwrap()).await.unwrap();
    assert_eq!(back.count_responses(None).await.unwrap(), answers + 1);
    assert_eq!(back.measures().await.unwrap().len(), register.len());
}

#[tokio::test]
async fn a_copy_into_a_database_with_data_or_from_nothing_is_refused_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("source.db");
    let store = Store::connect(source.to_str().unwrap()).await.unwrap();
    fill_districts(&store, &bundled(), &[2025], 3, |_, _| 40).await;
    store.close().await;

    // A destination that holds anything is never mixed into.
    let dest = TestDb::new().await;
    dest.publish_open("ryd").await;
    let out = db_copy(source.to_str().unwrap(), &dest.url());
    assert!(!out.status.success());
    assert!(
        text(&out).contains("the destination already holds 1 rows of questionnaires")
            && text(&out).contains("nothing was copied"),
        "{}",
        text(&out)
    );
    assert_eq!(dest.count().await, 0);
    assert_eq!(dest.store.waves().await.unwrap().len(), 1);

    // The same database on both sides.
    let out = db_copy(source.to_str().unwrap(), source.to_str().unwrap());
    assert!(!out.status.success());
    assert!(text(&out).contains("the same database"), "{}", text(&out));

    // A source that does not exist is not created, and the destination stays empty.
    let empty = TestDb::new().await;
    let missing = dir.path().join("missing.db");
    let out = db_copy(missing.to_str().unwrap(), &empty.url());
    assert!(!out.status.success());
    assert!(
        text(&out).contains("there is no database at"),
        "{}",
        text(&out)
    );
    assert!(!missing.exists());
    assert!(empty.store.is_empty().await.unwrap());

    // A file that is not a trygg database.
    let stranger = dir.path().join("stranger.db");
    std::fs::write(&stranger, b"").unwrap();
    let out = db_copy(stranger.to_str().unwrap(), &empty.url());
    assert!(!out.status.success());
    assert!(
        text(&out).contains("is not a trygg database"),
        "{}",
        text(&out)
    );
    assert!(empty.store.is_empty().await.unwrap());

    // A server that does not answer: a clear error, without the password however it is
    // given (in the user part, as a parameter, with the scheme in capitals).
    for url in [
        "postgres://trygg:hemligt@127.0.0.1:1/trygg",
        "postgresql://trygg@127.0.0.1:1/trygg?password=hemligt",
        "POSTGRES://trygg:hemligt@127.0.0.1:1/trygg",
    ] {
        let out = db_copy(source.to_str().unwrap(), url);
        assert!(!out.status.success());
        assert!(text(&out).contains("127.0.0.1:1"), "{}", text(&out));
        assert!(!text(&out).contains("hemligt"), "{}", text(&out));
    }
    // One that cannot even be read is not echoed.
    let out = db_copy(
        source.to_str().unwrap(),
        "postgres://trygg:hem#ligt@127.0.0.1:1/trygg",
    );
    assert!(!out.status.success());
    assert!(!text(&out).contains("hem#ligt"), "{}", text(&out));
}
