//! Attacks a hostile review found on the EST web pages, each written as the test it failed:
//! two coordinators deciding one report, merges into rejected reports or into chains, a
//! due date far beyond any plan that broke a measure's page, a measure id the actions need,
//! a reporter's organisation emptied, and the action form shown to reporters who cannot
//! post it. On SQLite, and on PostgreSQL with `TRYGG_TEST_POSTGRES`.

use axum::http::StatusCode;
use chrono::Duration;
use trygg::auth::Role;
use trygg::error::Error;
use trygg::est::{Category, NewReport, PartOfDay, ReportStatus, Source, Week};

use crate::helpers::*;
use crate::staff::{form, request, session};

fn report(day_offset: i64) -> NewReport {
    NewReport {
        district: "ryd".into(),
        place_id: Some("ryd-centrum".into()),
        other_place: None,
        day: today() - Duration::days(day_offset),
        part_of_day: Some(PartOfDay::ALL[2]),
        category: Category::ALL[0],
        description: None,
        status: ReportStatus::New,
        organisation: "Stångåstaden".into(),
        created_by: None,
        source: Source::Web,
    }
}

#[tokio::test]
async fn a_review_decision_holds_once_and_merges_go_only_into_live_reports() {
    let db = TestDb::new().await;
    let s = &db.store;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(s.insert_est_report(&report(i)).await.unwrap());
    }
    let (a, b, c, d, e) = (ids[0], ids[1], ids[2], ids[3], ids[4]);
    // Coordinator 1 accepts a; coordinator 2, who saw it new, rejects it: a conflict.
    s.decide_new_est_report(a, ReportStatus::Accepted, None, "one@kommun.se")
        .await
        .unwrap();
    let late = s
        .decide_new_est_report(a, ReportStatus::Rejected, None, "two@kommun.se")
        .await;
    assert!(matches!(late, Err(Error::Conflict(_))), "{late:?}");
    assert_eq!(
        s.est_report(a).await.unwrap().unwrap().status,
        ReportStatus::Accepted
    );
    // Into a rejected report: refused.
    s.decide_new_est_report(b, ReportStatus::Rejected, None, "one@kommun.se")
        .await
        .unwrap();
    let into_rejected = s
        .decide_new_est_report(c, ReportStatus::Merged, Some(b), "one@kommun.se")
        .await;
    assert!(matches!(into_rejected, Err(Error::Conflict(_))));
    // d merged into c, then c into e: a chain, refused.
    s.decide_new_est_report(d, ReportStatus::Merged, Some(c), "one@kommun.se")
        .await
        .unwrap();
    let chain = s
        .decide_new_est_report(c, ReportStatus::Merged, Some(e), "one@kommun.se")
        .await;
    assert!(matches!(chain, Err(Error::Conflict(_))), "{chain:?}");
    assert_eq!(
        s.est_report(c).await.unwrap().unwrap().status,
        ReportStatus::New
    );
    let log = s.audit_log(None, Some("est review")).await.unwrap();
    assert_eq!(log.len(), 3, "only the three decisions that held");
}

#[tokio::test]
async fn the_queue_refuses_a_merge_target_outside_its_window() {
    let db = TestDb::new().await;
    let app = db.app();
    let near = db.store.insert_est_report(&report(0)).await.unwrap();
    let far = db.store.insert_est_report(&report(20)).await.unwrap();
    let (cookie, csrf, _) = session(&db, "admin@kommun.se", Role::Admin).await;
    let body = format!("csrf={csrf}&id={near}&decision=merge&target={far}");
    let r = send(&app, form(Some(&cookie), "/personal/est/granska", body)).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("högst 7 dagar"), "{}", r.body);
    assert_eq!(
        db.store.est_report(near).await.unwrap().unwrap().status,
        ReportStatus::New
    );
}

#[tokio::test]
async fn dates_beyond_any_plan_and_reserved_measure_ids_are_refused() {
    let db = TestDb::new().await;
    let app = db.app();
    let (cookie, csrf, _) = session(&db, "admin@kommun.se", Role::Admin).await;
    let week = Week::of(today()).to_string();
    for due in ["+262142-12-31", "1999-12-31", "2101-01-01", "02026-01-01"] {
        let body = encode(&[
            ("csrf", &csrf),
            ("district", "ryd"),
            ("week", &week),
            ("place", "ryd-centrum"),
            ("kind", "belysning"),
            ("presence", ""),
            ("owner", "Tekniska förvaltningen"),
            ("due", due),
            ("status", "planerad"),
            ("note", ""),
        ]);
        let r = send(&app, form(Some(&cookie), "/personal/est/insatser", body)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{due}");
        assert!(r.body.contains("mellan år 2000 och 2100"), "{due}");
    }
    assert_eq!(db.scalar("select count(*) from est_actions").await, 0);
    let measure = |id: &str, start: &str| {
        encode(&[
            ("csrf", &csrf),
            ("id", id),
            ("district", "ryd"),
            ("start", start),
            ("category", "belysning"),
            ("title", "Belysning"),
            ("targets", "P_BELYSNING"),
            ("lag", "0"),
        ])
    };
    let r = send(
        &app,
        form(
            Some(&cookie),
            "/personal/atgarder",
            measure("ryd-ljus", "+262142-12-31"),
        ),
    )
    .await;
    assert!(r.body.contains("mellan år 2000 och 2100"), "{}", r.body);
    let r = send(
        &app,
        form(
            Some(&cookie),
            "/personal/atgarder",
            measure("est-1", "2027-01-01"),
        ),
    )
    .await;
    assert!(r.body.contains("reserverade"), "{}", r.body);
    assert!(!db.store.has_measures().await.unwrap());
}

#[tokio::test]
async fn a_reporters_organisation_cannot_be_emptied() {
    let db = TestDb::new().await;
    let app = db.app();
    let account = db
        .store
        .add_staff_with(
            "vakt@stangastaden.se",
            Role::Reporter,
            None,
            Some("Stångåstaden"),
            "test",
        )
        .await
        .unwrap();
    let other = db
        .store
        .add_staff("analytiker@kommun.se", Role::Analyst, None, "test")
        .await
        .unwrap();
    let (cookie, csrf, _) = session(&db, "admin@kommun.se", Role::Admin).await;
    let post =
        |id: i64, body: String| form(Some(&cookie), &format!("/personal/anvandare/{id}"), body);
    let r = send(
        &app,
        post(
            account.id,
            format!("csrf={csrf}&role=reporter&organisation=+"),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("måste ha en organisation"));
    // An analyst without an organisation made a reporter: the same.
    let r = send(&app, post(other.id, format!("csrf={csrf}&role=reporter"))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let list = db.store.staff_list().await.unwrap();
    let find = |id| list.iter().find(|a| a.id == id).unwrap();
    assert_eq!(
        find(account.id).organisation.as_deref(),
        Some("Stångåstaden")
    );
    assert_eq!(find(other.id).role, Role::Analyst);
}

#[tokio::test]
async fn a_reporter_reads_the_open_actions_without_a_form_it_cannot_post() {
    let db = TestDb::new().await;
    let app = db.app();
    db.store
        .add_staff_with(
            "vakt@stangastaden.se",
            Role::Reporter,
            None,
            Some("Stångåstaden"),
            "test",
        )
        .await
        .unwrap();
    let (cookie, _, _) = session(&db, "vakt@stangastaden.se", Role::Reporter).await;
    let uri = format!("/personal/est/ryd/{}", Week::of(today()));
    let r = send(&app, request("GET", &uri, Some(&cookie), String::new(), "")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Öppna insatser") || r.body.contains("Inga öppna insatser"));
    assert!(!r.body.contains("Ny insats"), "the form");
    assert!(!r.body.contains(r#"action="/personal/est/insatser""#));
}

#[tokio::test]
async fn organisations_and_place_names_carry_no_personal_data() {
    let db = TestDb::new().await;
    let org = db
        .store
        .add_staff_with(
            "vakt@x.se",
            Role::Reporter,
            None,
            Some("Securitas, ring 070-123 45 67"),
            "test",
        )
        .await;
    assert!(matches!(org, Err(Error::Invalid(_))), "{org:?}");
    assert!(
        db.store
            .staff_by_email("vakt@x.se")
            .await
            .unwrap()
            .is_none()
    );
    assert!(trygg::operations::check_organisation("anna.andersson@example.se").is_err());
    assert!(trygg::operations::check_organisation("Stångåstaden AB").is_ok());
    let app = db.app();
    let (cookie, csrf, _) = session(&db, "admin@kommun.se", Role::Admin).await;
    let body = encode(&[
        ("csrf", &csrf),
        ("id", "ryd-porten"),
        ("name", "Porten där 811218-9876 bor"),
        ("district", "ryd"),
        ("lat", "58.41"),
        ("lon", "15.56"),
    ]);
    let r = send(&app, form(Some(&cookie), "/personal/est/platser", body)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("ett personnummer"), "{}", r.body);
    assert_eq!(
        db.scalar("select count(*) from est_place_versions").await,
        0
    );
}
