//! The EST places register edited on the web (issue 24, point 1): an administrator adds,
//! changes and removes places; every save is a new version that the week's page, the
//! download and `trygg check` read; a place that reports name keeps its id and district and
//! stays; bad and hostile input changes nothing; only administrators may edit.

use axum::http::StatusCode;
use chrono::NaiveDate;
use trygg::auth::Role;
use trygg::est::{Category, NewReport, PartOfDay, ReportStatus, Source};

use crate::helpers::*;
use crate::staff::{form, request, session};

const PAGE: &str = "/personal/est/platser";

async fn post(app: &axum::Router, cookie: &str, csrf: &str, fields: &[(&str, &str)]) -> Reply {
    let mut all = vec![("csrf", csrf)];
    all.extend_from_slice(fields);
    send(app, form(Some(cookie), PAGE, encode(&all))).await
}

async fn get_as(app: &axum::Router, cookie: &str, uri: &str) -> Reply {
    send(app, request("GET", uri, Some(cookie), String::new(), "")).await
}

fn new_place() -> Vec<(&'static str, &'static str)> {
    vec![
        ("id", "ryd-lekplatsen"),
        ("name", "Lekplatsen vid Rydsvägen"),
        ("district", "ryd"),
        ("lat", "58,4102"),
        ("lon", "15.5623"),
    ]
}

async fn versions(db: &TestDb) -> i64 {
    db.scalar("select count(*) from est_place_versions").await
}

#[tokio::test]
async fn an_admin_adds_changes_and_removes_a_place_and_every_page_reads_the_new_register() {
    let db = TestDb::new().await;
    let app = db.app();
    let (cookie, csrf, _) = session(&db, "admin@kommun.se", Role::Admin).await;
    let before = get_as(&app, &cookie, PAGE).await;
    assert_eq!(before.status, StatusCode::OK);
    assert!(
        before
            .body
            .contains("Registret kommer från surveys/places.toml")
    );
    assert!(before.body.contains("Skäggetorps centrum"));

    let r = post(&app, &cookie, &csrf, &new_place()).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(versions(&db).await, 1);
    let page = get_as(&app, &cookie, PAGE).await.body;
    assert!(page.contains("Lekplatsen vid Rydsvägen"), "{page}");
    assert!(page.contains("version 1"));
    // The week's map of Ryd draws it.
    let week = get_as(&app, &cookie, "/personal/est/ryd/2026-W05")
        .await
        .body;
    assert!(week.contains("Lekplatsen vid Rydsvägen"));

    // Same id: a change, a new version.
    let mut changed = new_place();
    changed[1].1 = "Lekplatsen, Rydsvägen 12";
    let r = post(&app, &cookie, &csrf, &changed).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let download = get_as(&app, &cookie, "/personal/est/platser.toml").await;
    assert_eq!(download.status, StatusCode::OK);
    assert!(
        download
            .body
            .contains("name = \"Lekplatsen, Rydsvägen 12\"")
    );
    assert!(!download.body.contains("Lekplatsen vid Rydsvägen"));
    // The download is a places.toml that `trygg check` passes.
    let dir = tempfile::tempdir().unwrap();
    let copied = std::process::Command::new("cp")
        .arg("-r")
        .arg(surveys_dir())
        .arg(dir.path().join("s"))
        .status()
        .unwrap();
    assert!(copied.success());
    let dir = dir.path().join("s");
    std::fs::write(dir.join("places.toml"), &download.body).unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_trygg"))
        .arg("check")
        .arg(&dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));

    let r = post(
        &app,
        &cookie,
        &csrf,
        &[("id", "ryd-lekplatsen"), ("remove", "1")],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(versions(&db).await, 3);
    let page = get_as(&app, &cookie, PAGE).await.body;
    let at = page
        .find("Rydsvägen 12")
        .map(|i| page[i.saturating_sub(300)..i + 50].to_string());
    assert!(at.is_none(), "{at:?}");
    let log = db
        .store
        .audit_log(None, Some("est places edited"))
        .await
        .unwrap();
    assert_eq!(log.len(), 3);
    assert!(
        log.iter()
            .any(|e| e.detail.contains("ryd-lekplatsen removed"))
    );
}

#[tokio::test]
async fn a_place_that_reports_name_keeps_its_district_and_stays() {
    let db = TestDb::new().await;
    let app = db.app();
    let (cookie, csrf, _) = session(&db, "admin@kommun.se", Role::Admin).await;
    db.store
        .insert_est_report(&NewReport {
            district: "ryd".into(),
            place_id: Some("ryd-centrum".into()),
            other_place: None,
            day: NaiveDate::from_ymd_opt(2026, 11, 2).unwrap(),
            part_of_day: Some(PartOfDay::ALL[2]),
            category: Category::ALL[0],
            description: None,
            status: ReportStatus::Rejected,
            organisation: "Polisen".into(),
            created_by: None,
            source: Source::Web,
        })
        .await
        .unwrap();
    let r = post(
        &app,
        &cookie,
        &csrf,
        &[("id", "ryd-centrum"), ("remove", "1")],
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(
        r.body
            .contains("har 1 rapporter eller insatser och kan inte tas bort"),
        "{}",
        r.body
    );
    let moved = [
        ("id", "ryd-centrum"),
        ("name", "Ryds centrum"),
        ("district", "berga"),
        ("lat", "58.41"),
        ("lon", "15.56"),
    ];
    let r = post(&app, &cookie, &csrf, &moved).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("kan inte flyttas"), "{}", r.body);
    // Renaming it is fine: the reports keep its id.
    let renamed = [
        ("id", "ryd-centrum"),
        ("name", "Ryds centrum, torget"),
        ("district", "ryd"),
        ("lat", "58.41"),
        ("lon", "15.56"),
    ];
    let r = post(&app, &cookie, &csrf, &renamed).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(versions(&db).await, 1);
}

#[tokio::test]
async fn bad_and_hostile_input_is_refused_with_its_reason_and_nothing_stored() {
    let db = TestDb::new().await;
    let app = db.app();
    let (cookie, csrf, _) = session(&db, "admin@kommun.se", Role::Admin).await;
    let with = |key: &'static str, value: &'static str| {
        let mut f = new_place();
        match f.iter_mut().find(|(k, _)| *k == key) {
            Some(x) => x.1 = value,
            None => f.push((key, value)),
        }
        f
    };
    let long_name: &'static str = Box::leak("x".repeat(101).into_boxed_str());
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (with("id", "Ryd Lekplats"), "Id: 1–64 tecken"),
        (with("id", ""), "Id: 1–64 tecken"),
        (with("id", "../../etc"), "Id: 1–64 tecken"),
        (with("name", ""), "Namn: 1–100 tecken"),
        (with("name", long_name), "Namn: 1–100 tecken"),
        (with("name", "Rad\nbrytning"), "Namn: 1–100 tecken"),
        (with("district", "mars"), "Välj ett område"),
        (with("lat", "15.56"), "Latitud: decimalgrader"),
        (with("lat", "NaN"), "Latitud: decimalgrader"),
        (with("lon", "inf"), "Longitud: decimalgrader"),
        (with("lon", "58.41"), "Longitud: decimalgrader"),
        (with("colour", "red"), "okända eller dubbla fält"),
        (
            {
                let mut f = new_place();
                f.push(("id", "ryd-annat"));
                f
            },
            "okända eller dubbla fält",
        ),
        (
            vec![("id", "finns-inte"), ("remove", "1")],
            "Det finns ingen plats finns-inte",
        ),
    ];
    for (fields, says) in cases {
        let r = post(&app, &cookie, &csrf, &fields).await;
        assert!(r.status.is_client_error(), "{fields:?}: {}", r.status);
        assert!(r.body.contains(says), "{fields:?}: expected {says}");
        // What was typed stays in the form (but never as markup).
        assert!(!r.body.contains("<script>"));
    }
    let r = post(
        &app,
        &cookie,
        &csrf,
        &with("name", "<script>alert(1)</script>"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = get_as(&app, &cookie, PAGE).await.body;
    assert!(!page.contains("<script>alert(1)"));
    assert!(page.contains("&lt;script&gt;alert(1)"));
    assert_eq!(
        versions(&db).await,
        1,
        "only the last, good post was stored"
    );
    // Without the CSRF token: refused, nothing stored.
    let r = send(&app, form(Some(&cookie), PAGE, encode(&new_place()))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(versions(&db).await, 1);
}

#[tokio::test]
async fn only_administrators_edit_and_analysts_see_the_register() {
    let db = TestDb::new().await;
    let app = db.app();
    for role in [Role::Analyst, Role::Reader] {
        let (cookie, csrf, _) = session(&db, &format!("{}@kommun.se", role.as_str()), role).await;
        let r = post(&app, &cookie, &csrf, &new_place()).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", role.as_str());
        let page = get_as(&app, &cookie, PAGE).await;
        if role == Role::Analyst {
            assert_eq!(page.status, StatusCode::OK);
            assert!(page.body.contains("Skäggetorps centrum"));
            assert!(!page.body.contains("Lägg till eller ändra"));
        } else {
            assert_eq!(page.status, StatusCode::FORBIDDEN);
        }
    }
    assert_eq!(versions(&db).await, 0);
}

#[tokio::test]
async fn an_edit_based_on_an_old_version_or_losing_a_used_place_is_refused_in_the_store() {
    let db = TestDb::new().await;
    let body = std::fs::read_to_string(surveys_dir().join("places.toml")).unwrap();
    let v1 = db
        .store
        .save_places_version(&body, 0, None, "a@kommun.se", "first")
        .await
        .unwrap();
    assert_eq!(v1, 1);
    // A second admin's edit read version 0 too: it would undo the first.
    let late = db
        .store
        .save_places_version(&body, 0, None, "b@kommun.se", "late")
        .await;
    assert!(
        matches!(late, Err(trygg::error::Error::Conflict(_))),
        "{late:?}"
    );
    // An action names the place meanwhile: removing it is refused at the write.
    db.store
        .insert_est_action(
            &trygg::est::NewAction {
                district: "ryd".into(),
                place_id: Some("ryd-centrum".into()),
                kind: trygg::est::ActionKind::Belysning,
                owner: "Tekniska förvaltningen".into(),
                due: today(),
                status: trygg::est::ActionStatus::Planerad,
                note: None,
                week: trygg::est::Week::of(today()),
            },
            "a@kommun.se",
        )
        .await
        .unwrap();
    let gone = db
        .store
        .save_places_version(&body, 1, Some("ryd-centrum"), "a@kommun.se", "removed")
        .await;
    assert!(
        matches!(gone, Err(trygg::error::Error::Conflict(_))),
        "{gone:?}"
    );
    assert_eq!(versions(&db).await, 1);
    // And on the page it says why.
    let app = db.app();
    let (cookie, csrf, _) = session(&db, "admin@kommun.se", Role::Admin).await;
    let r = post(
        &app,
        &cookie,
        &csrf,
        &[("id", "ryd-centrum"), ("remove", "1")],
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(
        r.body.contains("har 1 rapporter eller insatser"),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn a_limited_analyst_downloads_only_the_places_of_their_districts() {
    let db = TestDb::new().await;
    let app = db.app();
    let limited = db
        .store
        .add_staff(
            "ryd@kommun.se",
            Role::Analyst,
            Some(&["ryd".to_string()]),
            "test",
        )
        .await
        .unwrap();
    let (cookie, _, id) = session(&db, "ryd@kommun.se", Role::Analyst).await;
    assert_eq!(id, limited.id);
    let r = get_as(&app, &cookie, "/personal/est/platser.toml").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("ryd-centrum"));
    assert!(!r.body.contains("city-"), "{}", r.body);
    let page = get_as(&app, &cookie, PAGE).await.body;
    assert!(!page.contains("Stora torget"));
}
