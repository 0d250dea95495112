//! The free text of EST reports is kept for a configurable period (issue 24, point 9):
//! after it the description, the other place and the reporting account are gone — by
//! `trygg est purge` and by the server's hourly upkeep — while the reports still count.

use std::process::{Command, Output};

use chrono::{Duration, Months, NaiveDate};
use trygg::est::{Category, NewReport, PartOfDay, ReportStatus, Source, Week};

use crate::helpers::*;

fn report(day: NaiveDate, text: &str) -> NewReport {
    NewReport {
        district: "ryd".into(),
        place_id: None,
        other_place: Some(format!("Bakom {text}")),
        day,
        part_of_day: Some(PartOfDay::ALL[1]),
        category: Category::ALL[4],
        description: Some(format!("Trasig lampa vid {text}")),
        status: ReportStatus::Accepted,
        organisation: "Stångåstaden".into(),
        created_by: Some("rapportor@example.se".into()),
        source: Source::Web,
    }
}

/// Reports on both sides of the border of a `months`-month retention; by day, whether each
/// must lose its text.
async fn reports_around(db: &TestDb, months: u32) -> Vec<(NaiveDate, bool)> {
    let keeps_from = today().checked_sub_months(Months::new(months)).unwrap();
    let days = [
        (keeps_from - Duration::days(400), true),
        (keeps_from - Duration::days(1), true),
        (keeps_from, false),
        (keeps_from + Duration::days(1), false),
        (today(), false),
    ];
    for (i, (day, _)) in days.iter().enumerate() {
        db.store
            .insert_est_report(&report(*day, &format!("skolan {i}")))
            .await
            .unwrap();
    }
    days.to_vec()
}

async fn counts(db: &TestDb) -> Vec<trygg::est::WeekCount> {
    let from = Week::of(today() - Duration::days(3 * 366));
    db.store
        .est_week_counts(None, from, Week::of(today()))
        .await
        .unwrap()
}

fn purge(db: &TestDb, months: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trygg"))
        .args(["--database", &db.url(), "--surveys"])
        .arg(surveys_dir())
        .arg(format!("--est-free-text-months={months}"))
        .args(["est", "purge"])
        .output()
        .unwrap()
}

/// Every stored report's day against whether it still has any free text.
async fn text_kept(db: &TestDb) -> Vec<(NaiveDate, bool)> {
    let mut kept: Vec<(NaiveDate, bool)> = db
        .store
        .est_reports(None, None)
        .await
        .unwrap()
        .into_iter()
        .map(|r| {
            let any = r.description.is_some() || r.other_place.is_some() || r.created_by.is_some();
            let all = r.description.is_some() && r.other_place.is_some() && r.created_by.is_some();
            assert_eq!(any, all, "text half deleted: {r:?}");
            (r.day, any)
        })
        .collect();
    kept.sort();
    kept
}

#[tokio::test]
async fn purge_deletes_the_text_of_reports_past_the_period_and_keeps_their_counts() {
    let db = TestDb::new().await;
    let days = reports_around(&db, 12).await;
    let before = counts(&db).await;
    let o = purge(&db, "12");
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("free text deleted from 2 report(s)"),
        "{}",
        text(&o)
    );
    let expected: Vec<(NaiveDate, bool)> = days.iter().map(|(d, gone)| (*d, !gone)).collect();
    assert_eq!(text_kept(&db).await, expected);
    assert_eq!(counts(&db).await, before, "the reports must still count");
    // Nor is the text left in the database file or its WAL once the WAL is emptied.
    assert!(db.store.checkpoint().await.unwrap());
    assert!(!db.stored_text().await.contains("skolan 0"));
    assert!(!db.stored_text().await.contains("skolan 1"));
    assert!(db.stored_text().await.contains("skolan 2"));
    let log = db
        .store
        .audit_log(None, Some("est free text deleted"))
        .await
        .unwrap();
    assert_eq!(log.len(), 1);
    // Again: nothing left to delete, nothing audited.
    let o = purge(&db, "12");
    assert!(text(&o).contains("from 0 report(s)"), "{}", text(&o));
    let log = db
        .store
        .audit_log(None, Some("est free text deleted"))
        .await
        .unwrap();
    assert_eq!(log.len(), 1);
}

#[tokio::test]
async fn the_default_keeps_text_for_24_months() {
    let db = TestDb::new().await;
    let days = reports_around(&db, 24).await;
    let o = Command::new(env!("CARGO_BIN_EXE_trygg"))
        .args(["--database", &db.url(), "est", "purge"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("kept 24 months"), "{}", text(&o));
    let expected: Vec<(NaiveDate, bool)> = days.iter().map(|(d, gone)| (*d, !gone)).collect();
    assert_eq!(text_kept(&db).await, expected);
}

#[tokio::test]
async fn a_period_out_of_range_is_refused_and_deletes_nothing() {
    let db = TestDb::new().await;
    reports_around(&db, 1).await;
    let before = db.stored_text().await;
    for bad in ["0", "2", "121", "-3", "tolv", "99999999999"] {
        let o = purge(&db, bad);
        assert!(!o.status.success(), "{bad}: {}", text(&o));
        assert!(
            text(&o).contains("est-free-text-months"),
            "{bad}: {}",
            text(&o)
        );
    }
    assert!(text(&purge(&db, "0")).contains("3 to 120"));
    assert_eq!(db.stored_text().await, before);
}

#[tokio::test]
async fn the_server_deletes_old_text_when_it_starts() {
    let db = TestDb::new().await;
    let days = reports_around(&db, 6).await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_trygg"))
        .args(["--database", &db.url(), "--surveys"])
        .arg(surveys_dir())
        .args([
            "--est-free-text-months",
            "6",
            "serve",
            "--addr",
            "127.0.0.1:0",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let expected: Vec<(NaiveDate, bool)> = days.iter().map(|(d, gone)| (*d, !gone)).collect();
    let mut kept = text_kept(&db).await;
    for _ in 0..300 {
        if kept == expected {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        kept = text_kept(&db).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(kept, expected, "the upkeep did not delete the old text");
}

#[tokio::test]
async fn an_actions_note_goes_when_the_action_was_last_written_before_the_period() {
    use trygg::est::{ActionKind, ActionStatus, NewAction};
    let db = TestDb::new().await;
    let keeps_from = today().checked_sub_months(Months::new(24)).unwrap();
    // A due date far ahead does not keep a note: the period runs from the last write.
    let action = |status: ActionStatus, note: &str| NewAction {
        district: "ryd".into(),
        place_id: None,
        kind: ActionKind::Belysning,
        owner: "Tekniska förvaltningen".into(),
        due: today() + Duration::days(3000),
        status,
        note: Some(note.into()),
        week: Week::of(keeps_from - Duration::days(30)),
    };
    let old = db
        .store
        .insert_est_action(
            &action(ActionStatus::Planerad, "Ring fastighetsägaren"),
            "a@kommun.se",
        )
        .await
        .unwrap();
    let fresh = db
        .store
        .insert_est_action(&action(ActionStatus::Klar, "Lampor bytta"), "a@kommun.se")
        .await
        .unwrap();
    let mut c = db.connection().await;
    let written = format!("{} 12:00:00", keeps_from - Duration::days(1));
    sqlx::query("update est_actions set created_at = $1 where id = $2")
        .bind(written)
        .bind(old)
        .execute(&mut c)
        .await
        .unwrap();
    let o = purge(&db, "24");
    assert!(o.status.success(), "{}", text(&o));
    let note = |id| {
        let store = db.store.clone();
        async move { store.est_action(id).await.unwrap().unwrap().new.note }
    };
    assert_eq!(note(old).await, None);
    assert_eq!(note(fresh).await.as_deref(), Some("Lampor bytta"));
    let log = db
        .store
        .audit_log(None, Some("est free text deleted"))
        .await
        .unwrap();
    assert!(log[0].detail.contains("1 note(s)"), "{}", log[0].detail);
}
