//! The EST group's actions (issue 24, point 7, and the open actions of point 6): recording
//! one from the week's page, overdue ones standing out, follow-up, district scope, hostile
//! input (nothing stored), the one step into the measures register (exactly one measure,
//! however often), and a measure's page counting the accepted reports at its places 12
//! weeks before and after its start against an independent count. On SQLite, and on
//! PostgreSQL with `TRYGG_TEST_POSTGRES`.

use axum::http::{StatusCode, header};
use chrono::{Days, NaiveDate};
use trygg::auth::Role;
use trygg::est::action::REPORT_WEEKS;
use trygg::est::{
    ActionKind, ActionStatus, Category, NewAction, NewReport, Presence, ReportStatus, Source, Week,
};

use crate::helpers::*;
use crate::staff::{form, request, session};

async fn page(app: &axum::Router, cookie: &str, uri: &str) -> Reply {
    send(app, request("GET", uri, Some(cookie), String::new(), "")).await
}

async fn post(app: &axum::Router, cookie: &str, uri: &str, fields: &[(&str, &str)]) -> Reply {
    send(app, form(Some(cookie), uri, encode(fields))).await
}

fn action(district: &str, place: Option<&str>, due: NaiveDate, status: ActionStatus) -> NewAction {
    NewAction {
        district: district.into(),
        place_id: place.map(str::to_string),
        kind: ActionKind::Belysning,
        owner: format!("Ägare {district} {due} {}", status.code()),
        due,
        status,
        note: None,
        week: Week::of(today()),
    }
}

fn report(place: Option<&str>, district: &str, day: NaiveDate, status: ReportStatus) -> NewReport {
    NewReport {
        district: district.into(),
        place_id: place.map(str::to_string),
        other_place: None,
        day,
        part_of_day: None,
        category: Category::Belysning,
        description: None,
        status,
        organisation: "Stångåstaden".into(),
        created_by: None,
        source: Source::Import,
    }
}

async fn actions(db: &TestDb) -> i64 {
    db.scalar("select count(*) from est_actions").await
}

/// A valid new action's fields for Ryd in this week.
fn new_fields(csrf: &str, week: &str) -> Vec<(String, String)> {
    [
        ("csrf", csrf),
        ("district", "ryd"),
        ("week", week),
        ("place", "ryd-centrum"),
        ("kind", "belysning"),
        ("presence", ""),
        ("owner", "Tekniska förvaltningen"),
        ("due", "2099-01-31"),
        ("status", "planerad"),
        ("note", ""),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

fn with(fields: &[(String, String)], name: &str, value: &str) -> Vec<(String, String)> {
    (fields.iter())
        .map(|(k, v)| {
            (
                k.clone(),
                if k == name {
                    value.to_string()
                } else {
                    v.clone()
                },
            )
        })
        .collect()
}

async fn post_owned(app: &axum::Router, cookie: &str, uri: &str, f: &[(String, String)]) -> Reply {
    send(app, form(Some(cookie), uri, encode_owned(f))).await
}

#[tokio::test]
async fn an_action_recorded_from_the_week_page_shows_as_open() {
    let db = TestDb::new().await;
    let app = db.app();
    let (cookie, csrf, _) = session(&db, "samordnare@kommun.se", Role::Analyst).await;
    let week = Week::of(today()).to_string();
    let uri = format!("/personal/est/ryd/{week}");
    let before = page(&app, &cookie, &uri).await;
    assert_eq!(before.status, StatusCode::OK);
    assert!(before.body.contains("Öppna insatser") && before.body.contains("Inga öppna insatser."));
    assert!(before.body.contains("Ny insats"));
    assert!(
        before
            .body
            .contains(&format!(r#"name="week" value="{week}""#))
    );
    assert!(before.body.contains(r#"<option value="ryd" selected>"#));
    let r = post_owned(
        &app,
        &cookie,
        "/personal/est/insatser",
        &new_fields(&csrf, &week),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.headers[header::LOCATION], uri);
    assert_eq!(actions(&db).await, 1);
    let stored = db.store.est_actions(Some("ryd"), true).await.unwrap();
    assert_eq!(stored.len(), 1);
    let a = &stored[0].new;
    assert_eq!(
        (a.place_id.as_deref(), a.kind, a.status, a.week.to_string()),
        (
            Some("ryd-centrum"),
            ActionKind::Belysning,
            ActionStatus::Planerad,
            week.clone()
        )
    );
    for at in [
        uri.clone(),
        format!("/personal/est/alla/{week}"),
        "/personal/est/insatser".into(),
    ] {
        let r = page(&app, &cookie, &at).await;
        assert_eq!(r.status, StatusCode::OK, "{at}");
        assert!(r.body.contains("Tekniska förvaltningen"), "{at}");
        assert!(
            r.body.contains("Ryds centrum") && r.body.contains("2099-01-31"),
            "{at}"
        );
        assert!(!r.body.contains("Försenad"), "{at}");
    }
    // Not on Berga's page.
    let berga = page(&app, &cookie, &format!("/personal/est/berga/{week}")).await;
    assert!(!berga.body.contains("Tekniska förvaltningen"));
    let log = audit_actions(&db.store, Some("samordnare@kommun.se")).await;
    assert!(log.contains(&"est action recorded".to_string()), "{log:?}");
}

#[tokio::test]
async fn an_overdue_action_stands_out_and_a_done_one_does_not() {
    let db = TestDb::new().await;
    let app = db.app();
    let (cookie, _, _) = session(&db, "admin@kommun.se", Role::Admin).await;
    let (yesterday, tomorrow) = (today() - Days::new(1), today() + Days::new(1));
    let late = action("ryd", Some("ryd-centrum"), yesterday, ActionStatus::Pagar);
    let done = action("ryd", None, yesterday, ActionStatus::Klar);
    let soon = action("ryd", None, tomorrow, ActionStatus::Planerad);
    for a in [&late, &done, &soon] {
        db.store.insert_est_action(a, "test").await.unwrap();
    }
    let week = page(
        &app,
        &cookie,
        &format!("/personal/est/ryd/{}", Week::of(today())),
    )
    .await;
    let row = |body: &str, owner: &str| -> String {
        let at = body
            .find(owner)
            .unwrap_or_else(|| panic!("{owner} not shown"));
        let start = body[..at].rfind("<tr").unwrap();
        body[start..at + body[at..].find("</tr>").unwrap()].to_string()
    };
    let late_row = row(&week.body, &late.owner);
    assert!(
        late_row.contains("Försenad") && late_row.contains("overdue-mark"),
        "{late_row}"
    );
    assert!(late_row.contains(r#"class="overdue""#));
    assert!(!row(&week.body, &soon.owner).contains("Försenad"));
    assert!(
        !week.body.contains(&done.owner),
        "a done action is not open"
    );
    // The actions page: open first, the overdue one at the top; the done one last, not late.
    let list = page(&app, &cookie, "/personal/est/insatser").await;
    assert_eq!(list.status, StatusCode::OK);
    let at = |o: &str| list.body.find(o).unwrap();
    assert!(at(&late.owner) < at(&soon.owner) && at(&soon.owner) < at(&done.owner));
    let card = |owner: &str| -> String {
        let i = at(owner);
        let start = list.body[..i].rfind("<section").unwrap();
        list.body[start..i + list.body[i..].find("</section>").unwrap()].to_string()
    };
    assert!(card(&late.owner).contains("Försenad"));
    assert!(card(&late.owner).starts_with(r#"<section class="action-card overdue""#));
    assert!(!card(&done.owner).contains("Försenad"));
    assert!(!card(&soon.owner).contains("Försenad"));
}

#[tokio::test]
async fn status_and_note_are_followed_up() {
    let db = TestDb::new().await;
    let app = db.app();
    let (cookie, csrf, _) = session(&db, "admin@kommun.se", Role::Admin).await;
    let a = action(
        "ryd",
        Some("ryd-centrum"),
        today() - Days::new(3),
        ActionStatus::Planerad,
    );
    let id = db.store.insert_est_action(&a, "test").await.unwrap();
    let uri = format!("/personal/est/insatser/{id}");
    let note = "Armaturerna är beställda, monteras vecka 12.";
    let r = post(
        &app,
        &cookie,
        &uri,
        &[("csrf", &csrf), ("status", "pagar"), ("note", note)],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        r.headers[header::LOCATION],
        format!("/personal/est/insatser#insats-{id}")
    );
    let got = db.store.est_action(id).await.unwrap().unwrap();
    assert_eq!(
        (got.new.status, got.new.note.as_deref()),
        (ActionStatus::Pagar, Some(note))
    );
    let list = page(&app, &cookie, "/personal/est/insatser").await;
    assert!(list.body.contains(note) && list.body.contains("Försenad"));
    let r = post(
        &app,
        &cookie,
        &uri,
        &[("csrf", &csrf), ("status", "klar"), ("note", note)],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let week = page(
        &app,
        &cookie,
        &format!("/personal/est/ryd/{}", Week::of(today())),
    )
    .await;
    assert!(!week.body.contains(&a.owner), "done: no longer open");
    assert!(
        db.store
            .est_actions(Some("ryd"), true)
            .await
            .unwrap()
            .is_empty()
    );
    let log = audit_actions(&db.store, Some("admin@kommun.se")).await;
    assert_eq!(
        log.iter()
            .filter(|x| *x == "est action followed up")
            .count(),
        2
    );
}

#[tokio::test]
async fn a_limited_analyst_cannot_record_or_follow_up_or_convert_another_districts_action() {
    let db = TestDb::new().await;
    let only_ryd = ["ryd".to_string()];
    db.store
        .add_staff("polis@polisen.se", Role::Analyst, Some(&only_ryd), "test")
        .await
        .unwrap();
    let (cookie, csrf, _) = session(&db, "polis@polisen.se", Role::Analyst).await;
    let app = db.app();
    let berga = action("berga", Some("berga-torg"), today(), ActionStatus::Planerad);
    let id = db.store.insert_est_action(&berga, "test").await.unwrap();
    let week = Week::of(today()).to_string();
    let fields = with(
        &with(&new_fields(&csrf, &week), "district", "berga"),
        "place",
        "berga-torg",
    );
    let r = post_owned(&app, &cookie, "/personal/est/insatser", &fields).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body.contains("Utanför dina områden"));
    let uri = format!("/personal/est/insatser/{id}");
    let r = post(
        &app,
        &cookie,
        &uri,
        &[("csrf", &csrf), ("status", "klar"), ("note", "x")],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = post(&app, &cookie, &format!("{uri}/atgard"), &[("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(actions(&db).await, 1);
    let stored = db.store.est_action(id).await.unwrap().unwrap();
    assert_eq!((stored.new, stored.measure_id), (berga.clone(), None));
    assert_eq!(db.store.measure_edits().await.unwrap(), 0);
    // The list shows Ryd's only; Ryd's form works.
    let list = page(&app, &cookie, "/personal/est/insatser").await;
    assert!(!list.body.contains(&berga.owner));
    let r = post_owned(
        &app,
        &cookie,
        "/personal/est/insatser",
        &new_fields(&csrf, &week),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(actions(&db).await, 2);
    let log = audit_actions(&db.store, Some("polis@polisen.se")).await;
    assert!(
        log.iter().filter(|x| *x == "scope refused").count() >= 1,
        "{log:?}"
    );
}

#[tokio::test]
async fn hostile_input_is_refused_with_the_values_kept_and_nothing_stored() {
    let db = TestDb::new().await;
    let app = db.app();
    let (cookie, csrf, _) = session(&db, "admin@kommun.se", Role::Admin).await;
    let week = Week::of(today()).to_string();
    let good = with(&new_fields(&csrf, &week), "owner", "Stångåstaden AB");
    let mut twice = good.clone();
    twice.push(("owner".into(), "Någon annan".into()));
    let mut extra = good.clone();
    extra.push(("created_by".into(), "någon@annan.se".into()));
    let cases: Vec<(Vec<(String, String)>, &str)> = vec![
        (with(&good, "kind", "lampor"), "Välj vad insatsen är"),
        (
            with(&good, "kind", "narvaro"),
            "behöver ange vem som är på plats",
        ),
        (
            with(&good, "presence", "polis"),
            "bara för en insats med närvaro",
        ),
        (
            with(&good, "place", "berga-torg"),
            "Platsen finns inte i Ryd",
        ),
        (with(&good, "due", "31/1 2099"), "ett datum som ÅÅÅÅ-MM-DD"),
        (with(&good, "due", "2099-02-30"), "ett datum som ÅÅÅÅ-MM-DD"),
        (
            with(&good, "note", "Kontakta 19811218-9876 om lampan"),
            "personnummer",
        ),
        (with(&good, "note", &"x".repeat(501)), "högst 500"),
        (
            with(&good, "week", "2026-W54"),
            "Veckan saknas eller är fel",
        ),
        (with(&good, "district", "atlantis"), "Välj ett område"),
        (with(&good, "status", "glomd"), "Välj en status"),
        (extra, "inget fält som heter created_by"),
        (twice, "Fältet owner skickades mer än en gång"),
        (with(&good, "owner", "Ring 013-20 60 00"), "telefonnummer"),
        (with(&good, "owner", &"o".repeat(101)), "1–100 tecken"),
    ];
    for (fields, why) in &cases {
        let r = post_owned(&app, &cookie, "/personal/est/insatser", fields).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{why}: {}", r.body);
        assert!(r.body.contains(why), "{why}: {}", r.body);
        assert!(r.body.contains("Insatsen sparades inte"));
        let owner = (fields.iter())
            .find(|(k, _)| k == "owner")
            .unwrap()
            .1
            .clone();
        assert!(
            r.body.contains(&format!(r#"value="{owner}""#)),
            "{why}: the owner kept"
        );
    }
    assert_eq!(actions(&db).await, 0);
    // A follow-up with personal data, a status twice or an unknown one changes nothing.
    let id = (db.store)
        .insert_est_action(
            &action("ryd", None, today(), ActionStatus::Planerad),
            "test",
        )
        .await
        .unwrap();
    let before = db.store.est_action(id).await.unwrap();
    let uri = format!("/personal/est/insatser/{id}");
    let note = "Hör av dig till kalle@example.se";
    for (fields, why) in [
        (
            vec![("csrf", csrf.as_str()), ("status", "pagar"), ("note", note)],
            "e-postadress",
        ),
        (
            vec![("csrf", &csrf), ("status", "pagar"), ("status", "klar")],
            "skickades mer än en gång",
        ),
        (
            vec![("csrf", &csrf), ("status", "avbruten")],
            "Välj en status",
        ),
    ] {
        let r = post(&app, &cookie, &uri, &fields).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{why}");
        assert!(
            r.body.contains(why) && r.body.contains("Ändringen sparades inte"),
            "{why}"
        );
    }
    let r = post(
        &app,
        &cookie,
        &uri,
        &[("csrf", &csrf), ("status", "pagar"), ("note", note)],
    )
    .await;
    assert!(r.body.contains(note), "the typed note is kept");
    assert_eq!(db.store.est_action(id).await.unwrap(), before);
    for bad in ["/personal/est/insatser/999", "/personal/est/insatser/x1"] {
        let r = post(&app, &cookie, bad, &[("csrf", &csrf), ("status", "klar")]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{bad}");
    }
    assert_eq!(actions(&db).await, 1);
}

#[tokio::test]
async fn one_step_makes_exactly_one_measure_in_the_register() {
    let db = TestDb::new().await;
    let app = db.app();
    let (cookie, csrf, _) = session(&db, "admin@kommun.se", Role::Admin).await;
    let mut a = action(
        "berga",
        Some("berga-torg"),
        today() + Days::new(30),
        ActionStatus::Pagar,
    );
    a.kind = ActionKind::Narvaro(Presence::Nattvandrare);
    let id = db.store.insert_est_action(&a, "test").await.unwrap();
    let file = trygg::analysis::measures::load(&surveys_dir().join("measures.toml"), &districts())
        .unwrap();
    let uri = format!("/personal/est/insatser/{id}/atgard");
    let mid = format!("est-{id}");
    for _ in 0..2 {
        let r = post(&app, &cookie, &uri, &[("csrf", &csrf)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(
            r.headers[header::LOCATION],
            format!("/personal/atgarder/{mid}")
        );
    }
    let register = db.store.measures().await.unwrap();
    assert_eq!(
        register.len(),
        file.len() + 1,
        "the file's register moved in, plus one"
    );
    let m: Vec<_> = register.iter().filter(|m| m.id == mid).collect();
    assert_eq!(m.len(), 1);
    let m = m[0];
    assert_eq!(
        (m.district.as_str(), m.start, m.category.as_str()),
        ("berga", a.due, "nattvandring")
    );
    assert_eq!(m.targets, ["P_UNGDOMSGANG", "P_BRAK", "T_UTE_KVALL"]);
    assert_eq!(m.lag_months, trygg::measure::DEFAULT_LAG_MONTHS);
    assert!(
        m.title.contains("Nattvandrare") && m.title.contains("Berga torg"),
        "{}",
        m.title
    );
    assert_eq!(db.store.measure_history(&mid).await.unwrap().len(), 1);
    assert_eq!(
        db.store.measure_edits().await.unwrap(),
        file.len() as i64 + 1
    );
    let linked = db.store.est_action(id).await.unwrap().unwrap();
    assert_eq!(linked.measure_id.as_deref(), Some(mid.as_str()));
    let log = audit_actions(&db.store, Some("admin@kommun.se")).await;
    assert_eq!(
        log.iter().filter(|x| *x == "est action to measure").count(),
        1
    );
    // The actions page links the measure instead of offering the step again.
    let list = page(&app, &cookie, "/personal/est/insatser").await;
    assert!(
        list.body
            .contains(&format!(r#"href="/personal/atgarder/{mid}""#))
    );
    assert!(!list.body.contains("Gör till åtgärd i registret"));
    let r = page(&app, &cookie, &format!("/personal/atgarder/{mid}")).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = page(&app, &cookie, "/personal/atgarder").await;
    assert!(r.body.contains(&mid));
}

#[tokio::test]
async fn a_measures_page_counts_the_reports_at_its_places_12_weeks_around_its_start() {
    let db = TestDb::new().await;
    let app = db.app();
    let (cookie, csrf, _) = session(&db, "admin@kommun.se", Role::Admin).await;
    let start = NaiveDate::from_ymd_opt(2026, 6, 10).unwrap();
    let id = (db.store)
        .insert_est_action(
            &action("ryd", Some("ryd-centrum"), start, ActionStatus::Klar),
            "test",
        )
        .await
        .unwrap();
    let r = post(
        &app,
        &cookie,
        &format!("/personal/est/insatser/{id}/atgard"),
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let days = 7 * REPORT_WEEKS;
    let d = |n: i64| start + chrono::Duration::days(n);
    let accepted = ReportStatus::Accepted;
    let mut reports = Vec::new();
    for n in [
        -days - 1,
        -days,
        -days + 3,
        -30,
        -1,
        0,
        1,
        20,
        20,
        days - 1,
        days,
        days + 5,
    ] {
        reports.push(report(Some("ryd-centrum"), "ryd", d(n), accepted));
        reports.push(report(Some("ryd-gangtunneln"), "ryd", d(n), accepted));
        reports.push(report(None, "ryd", d(n), accepted));
        reports.push(report(Some("berga-torg"), "berga", d(n), accepted));
    }
    for n in [-10, 10] {
        reports.push(report(
            Some("ryd-centrum"),
            "ryd",
            d(n),
            ReportStatus::Rejected,
        ));
        reports.push(report(Some("ryd-centrum"), "ryd", d(n), ReportStatus::New));
    }
    db.store
        .insert_est_reports(&reports, "test", "est test", "around")
        .await
        .unwrap();
    // An independent count: accepted, at the place, within the days.
    let count = |place: Option<&str>, district: &str, from: i64, to: i64| {
        (reports.iter())
            .filter(|r| r.status == accepted && r.district == district)
            .filter(|r| place.is_none() || r.place_id.as_deref() == place)
            .filter(|r| (d(from)..=d(to)).contains(&r.day))
            .count()
    };
    let (before, after) = (
        count(Some("ryd-centrum"), "ryd", -days, -1),
        count(Some("ryd-centrum"), "ryd", 0, days - 1),
    );
    assert_eq!((before, after), (4, 5));
    let r = page(&app, &cookie, &format!("/personal/atgarder/est-{id}")).await;
    assert_eq!(r.status, StatusCode::OK);
    let line = format!("{before} rapporter de 12 veckorna före, {after} de 12 veckorna efter");
    assert!(r.body.contains(&line), "{line}: {}", r.body);
    assert!(
        r.body
            .contains("Antalet rapporter följer också hur mycket som rapporteras")
    );
    assert!(r.body.contains("Ryds centrum"));
    // Week +3 (days 14-20) holds the two reports of day 20.
    assert!(r.body.contains(&format!(
        r#"<th scope="row">+3</th><td>{} – {}</td><td>2</td>"#,
        d(14),
        d(20)
    )));
    // A measure without actions: the district's reports, said so.
    let m = db.store.measures().await.unwrap();
    let file = m.iter().find(|m| m.id == "ryd-vaktare-2024").unwrap();
    let near = |n: i64| file.start + chrono::Duration::days(n);
    let around: Vec<NewReport> = [-days - 1, -days, -2, 0, 9, days - 1, days]
        .into_iter()
        .flat_map(|n| {
            [
                report(Some("ryd-centrum"), "ryd", near(n), accepted),
                report(None, "ryd", near(n), accepted),
                report(None, "berga", near(n), accepted),
                report(None, "ryd", near(n), ReportStatus::Rejected),
            ]
        })
        .collect();
    db.store
        .insert_est_reports(&around, "test", "est test", "file")
        .await
        .unwrap();
    let in_ryd = |from: i64, to: i64| {
        (around.iter())
            .filter(|r| r.status == accepted && r.district == "ryd")
            .filter(|r| (near(from)..=near(to)).contains(&r.day))
            .count()
    };
    let (before, after) = (in_ryd(-days, -1), in_ryd(0, days - 1));
    assert_eq!((before, after), (4, 6));
    let r = page(&app, &cookie, "/personal/atgarder/ryd-vaktare-2024").await;
    assert_eq!(r.status, StatusCode::OK);
    let line = format!("{before} rapporter de 12 veckorna före, {after} de 12 veckorna efter");
    assert!(r.body.contains(&line), "{}", r.body);
    assert!(
        r.body
            .contains("så här räknas alla godkända rapporter i Ryd")
    );
    // A reader sees the measure, not the EST group's reports.
    let (reader, _, _) = session(&db, "styrgrupp@kommun.se", Role::Reader).await;
    let r = page(&app, &reader, &format!("/personal/atgarder/est-{id}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.body.contains("EST-rapporter") && !r.body.contains("12 veckorna"));
}

#[tokio::test]
async fn actions_move_with_db_copy_with_their_link_to_the_measure() {
    let db = TestDb::new().await;
    let mut a = action(
        "city",
        Some("city-resecentrum"),
        today(),
        ActionStatus::Pagar,
    );
    a.note = Some("Ny armatur beställd.".into());
    let id = db.store.insert_est_action(&a, "test").await.unwrap();
    let b = action("city", None, today(), ActionStatus::Klar);
    db.store.insert_est_action(&b, "test").await.unwrap();
    let app = db.app();
    let (cookie, csrf, _) = session(&db, "admin@kommun.se", Role::Admin).await;
    let uri = format!("/personal/est/insatser/{id}/atgard");
    let r = post(&app, &cookie, &uri, &[("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let before = db.store.est_actions(None, false).await.unwrap();
    let to = db.dir.path().join("copy.db");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_trygg"))
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
    assert!(o.status.success(), "{}", text(&o));
    let copy = trygg::store::Store::connect(to.to_str().unwrap())
        .await
        .unwrap();
    assert_eq!(copy.est_actions(None, false).await.unwrap(), before);
    assert_eq!(before.len(), 2);
    assert_eq!(
        before[0].measure_id.as_deref(),
        Some(format!("est-{id}").as_str())
    );
    // The copy's ids go on after the copied ones.
    let next = copy.insert_est_action(&b, "test").await.unwrap();
    assert!(next > id + 1, "{next}");
}

#[tokio::test]
async fn the_yearly_survey_evaluates_a_measure_made_from_an_action() {
    let db = TestDb::new().await;
    fill_districts(&db.store, &bundled(), &[2020, 2021], 23, |_, _| 120).await;
    let app = db.app();
    let (cookie, csrf, _) = session(&db, "admin@kommun.se", Role::Admin).await;
    let mut a = action(
        "berga",
        Some("berga-lekplatsen"),
        NaiveDate::from_ymd_opt(2021, 3, 1).unwrap(),
        ActionStatus::Klar,
    );
    a.kind = ActionKind::Narvaro(Presence::Fritidsledare);
    let id = db.store.insert_est_action(&a, "test").await.unwrap();
    let uri = format!("/personal/est/insatser/{id}/atgard");
    let r = post(&app, &cookie, &uri, &[("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let inputs = trygg::analysis::Inputs {
        districts: districts(),
        surveys: surveys_dir(),
    };
    let options = trygg::analysis::Options::new(2020..=2021);
    let analysed = trygg::analysis::analyze(&db.store, &inputs, &options)
        .await
        .unwrap();
    let mid = format!("est-{id}");
    let targets: Vec<&str> = (analysed.measures.iter())
        .filter(|r| r.measure == mid && r.target)
        .map(|r| r.indicator.as_str())
        .collect();
    assert_eq!(targets, a.kind.targets(), "each target evaluated");
    let row = (analysed.measures.iter())
        .find(|r| r.measure == mid)
        .unwrap();
    assert_eq!(
        (row.district.as_str(), row.before_year, row.after_year),
        ("berga", 2020, 2021)
    );
    // Its page: the evaluation and the reports around its start.
    let r = page(&app, &cookie, &format!("/personal/atgarder/{mid}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.body.matches(r#"<figure class="chart""#).count(),
        targets.len()
    );
    assert!(
        r.body
            .contains("0 rapporter de 12 veckorna före, 0 de 12 veckorna efter")
    );
}
