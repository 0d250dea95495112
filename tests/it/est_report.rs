//! The EST report form and review (issue 24, points 2–4, and their part of 9 and 11): a
//! reporter files a report and sees it in "Mina rapporter"; it counts in the week only once
//! accepted, never when rejected or merged; role and scope refusals; hostile input refused
//! with nothing stored; a write fault gives the form back and no receipt; the coordinator
//! sees the organisation, never the person. On SQLite, and on PostgreSQL with
//! `TRYGG_TEST_POSTGRES`.

use std::process::Command;

use axum::http::{StatusCode, header};
use trygg::auth::Role;
use trygg::est::{Category, ReportStatus, Week};

use crate::helpers::*;
use crate::staff::{form, request, session};

const REPORTER: &str = "vakt@stangastaden.se";
const ORGANISATION: &str = "Stångåstaden";

/// A reporter limited to Ryd and Berga, of Stångåstaden: its cookie and CSRF token.
async fn reporter(db: &TestDb, email: &str, districts: &[&str]) -> (String, String) {
    let districts: Vec<String> = districts.iter().map(|d| d.to_string()).collect();
    db.store
        .add_staff_with(
            email,
            Role::Reporter,
            Some(&districts),
            Some(ORGANISATION),
            "test",
        )
        .await
        .unwrap();
    let (cookie, csrf, _) = session(db, email, Role::Reporter).await;
    (cookie, csrf)
}

/// A hostile post: the fields changed, the status and a text the reply must hold.
type Case<'a> = (Vec<(&'a str, &'a str)>, StatusCode, &'a str);

async fn stored(db: &TestDb) -> i64 {
    db.scalar("select count(*) from est_reports").await
}

/// A register place of a district.
fn place_of(district: &str) -> String {
    let places =
        trygg::est::load_places(&surveys_dir().join("places.toml"), Some(&districts())).unwrap();
    places.in_district(district).next().unwrap().id.clone()
}

/// A good report's fields, with `changes` put in place of (or beside) them.
fn fields(csrf: &str, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let today = today().to_string();
    let place = place_of("ryd");
    let mut f: Vec<(String, String)> = [
        ("csrf", csrf),
        ("district", "ryd"),
        ("place", place.as_str()),
        ("other_place", ""),
        ("day", today.as_str()),
        ("part_of_day", "kvall"),
        ("category", "klotter"),
        ("description", "Klotter på muren vid gångtunneln"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (k, v) in changes {
        match f.iter_mut().find(|(name, _)| name == k) {
            Some(slot) => slot.1 = v.to_string(),
            None => f.push((k.to_string(), v.to_string())),
        }
    }
    f
}

async fn file(app: &axum::Router, cookie: &str, body: &[(String, String)]) -> Reply {
    let req = form(Some(cookie), "/personal/est/rapportera", encode_owned(body));
    send(app, req).await
}

async fn get_page(app: &axum::Router, cookie: &str, uri: &str) -> Reply {
    send(app, request("GET", uri, Some(cookie), String::new(), "")).await
}

async fn decide(app: &axum::Router, cookie: &str, csrf: &str, body: &str) -> Reply {
    let req = form(
        Some(cookie),
        "/personal/est/granska",
        format!("csrf={csrf}&{body}"),
    );
    send(app, req).await
}

/// Files a good report (with `changes`) and returns its id from the receipt's address.
async fn file_ok(app: &axum::Router, cookie: &str, csrf: &str, changes: &[(&str, &str)]) -> i64 {
    let r = file(app, cookie, &fields(csrf, changes)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let to = r.headers[header::LOCATION].to_str().unwrap();
    to.strip_prefix("/personal/est/mina?sparad=")
        .unwrap()
        .parse()
        .unwrap()
}

async fn accepted_this_week(db: &TestDb, district: &str) -> i64 {
    let week = Week::of(today());
    (db.store.est_week_counts(Some(district), week, week).await)
        .unwrap()
        .iter()
        .map(|c| c.count)
        .sum()
}

#[tokio::test]
async fn a_reporter_files_a_report_sees_it_and_it_counts_once_an_admin_accepts_it() {
    let db = TestDb::new().await;
    let app = db.app();
    let (cookie, csrf) = reporter(&db, REPORTER, &["ryd", "berga"]).await;
    let home = get_page(&app, &cookie, "/personal").await;
    assert!(home.body.contains(r#"href="/personal/est/rapportera""#));
    let empty = get_page(&app, &cookie, "/personal/est/rapportera").await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(
        empty.body.contains(r#"<optgroup label="Ryd">"#),
        "{}",
        empty.body
    );
    assert!(empty.body.contains(r#"<optgroup label="Berga">"#));
    assert!(
        !empty.body.contains(&place_of("skaggetorp")),
        "only its districts"
    );
    assert!(
        empty
            .body
            .contains(&format!(r#"type="date" name="day" value="{}""#, today()))
    );
    for c in Category::ALL {
        assert!(empty.body.contains(c.description()), "{}", c.code());
    }

    let id = file_ok(&app, &cookie, &csrf, &[]).await;
    let receipt = get_page(&app, &cookie, &format!("/personal/est/mina?sparad={id}")).await;
    assert_eq!(receipt.status, StatusCode::OK);
    assert!(
        receipt
            .body
            .contains("Rapporten är sparad och väntar på granskning")
    );
    assert!(receipt.body.contains("ny, väntar på granskning"));
    let r = db.store.est_report(id).await.unwrap().unwrap();
    assert_eq!(
        (r.status, r.organisation.as_str(), r.created_by.as_deref()),
        (ReportStatus::New, ORGANISATION, Some(REPORTER))
    );
    assert_eq!(
        accepted_this_week(&db, "ryd").await,
        0,
        "new does not count"
    );

    let (admin, admin_csrf, _) = session(&db, "admin@kommun.se", Role::Admin).await;
    let week = Week::of(today());
    let picture = get_page(&app, &admin, &format!("/personal/est/ryd/{week}")).await;
    assert!(
        picture
            .body
            .contains("1 nya rapporter väntar på granskning"),
        "{}",
        picture.body
    );
    let queue = get_page(&app, &admin, "/personal/est/granska").await;
    assert!(queue.body.contains("Klotter på muren vid gångtunneln"));
    assert!(queue.body.contains(ORGANISATION), "the organisation");
    assert!(!queue.body.contains(REPORTER), "never the person");
    let done = decide(
        &app,
        &admin,
        &admin_csrf,
        &format!("id={id}&decision=accept"),
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(accepted_this_week(&db, "ryd").await, 1);
    let picture = get_page(&app, &cookie, &format!("/personal/est/ryd/{week}")).await;
    assert_eq!(
        picture.status,
        StatusCode::OK,
        "a reporter reads its districts' week"
    );
    assert!(
        picture
            .body
            .contains("<th scope=\"row\">Klotter</th><td>1</td>")
    );
    assert!(
        !picture.body.contains("export.csv"),
        "no export for a reporter"
    );
    let coordinator = get_page(&app, &admin, &format!("/personal/est/ryd/{week}")).await;
    assert!(
        coordinator
            .body
            .contains("<th scope=\"row\">Klotter</th><td>1</td>")
    );
    assert!(!coordinator.body.contains(REPORTER), "never the person");
    let mine = get_page(&app, &cookie, "/personal/est/mina").await;
    assert!(mine.body.contains("godkänd"));
    assert!(
        !mine.body.contains("Rapporten är sparad"),
        "a receipt only when asked"
    );
    assert!(
        audit_actions(&db.store, Some("admin@kommun.se"))
            .await
            .contains(&"est review".to_string())
    );
}

#[tokio::test]
async fn rejected_and_merged_reports_do_not_count_and_a_merge_across_districts_is_refused() {
    let db = TestDb::new().await;
    let app = db.app();
    let (cookie, csrf) = reporter(&db, REPORTER, &["ryd", "berga"]).await;
    let kept = file_ok(&app, &cookie, &csrf, &[]).await;
    let twin = file_ok(&app, &cookie, &csrf, &[("description", "Samma klotter")]).await;
    let wrong = file_ok(&app, &cookie, &csrf, &[("category", "ovrigt")]).await;
    let berga_place = place_of("berga");
    let berga = file_ok(
        &app,
        &cookie,
        &csrf,
        &[("district", "berga"), ("place", &berga_place)],
    )
    .await;
    let (admin, c, _) = session(&db, "admin@kommun.se", Role::Admin).await;
    let queue = get_page(&app, &admin, "/personal/est/granska").await;
    assert!(
        queue.body.contains(&format!(r#"<option value="{kept}">"#)),
        "a merge target"
    );
    for body in [
        format!("id={kept}&decision=accept"),
        format!("id={twin}&decision=merge&target={kept}"),
        format!("id={wrong}&decision=reject"),
    ] {
        let r = decide(&app, &admin, &c, &body).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{body}: {}", r.body);
    }
    assert_eq!(accepted_this_week(&db, "ryd").await, 1);
    let merged = db.store.est_report(twin).await.unwrap().unwrap();
    assert_eq!(
        (merged.status, merged.merged_into),
        (ReportStatus::Merged, Some(kept))
    );
    // Berga's report cannot be merged into Ryd's: 409, nothing changed.
    let r = decide(
        &app,
        &admin,
        &c,
        &format!("id={berga}&decision=merge&target={kept}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("samma område"), "{}", r.body);
    let r = db.store.est_report(berga).await.unwrap().unwrap();
    assert_eq!(r.status, ReportStatus::New);
    // A decided report is not decided again; an unknown one is 404.
    let r = decide(&app, &admin, &c, &format!("id={wrong}&decision=accept")).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = decide(&app, &admin, &c, "id=999999&decision=accept").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(accepted_this_week(&db, "ryd").await, 1);
    let mine = get_page(&app, &cookie, "/personal/est/mina").await;
    assert!(mine.body.contains("avvisad") && mine.body.contains("sammanslagen"));
}

#[tokio::test]
async fn reporters_and_limited_analysts_are_refused_outside_their_role_and_districts() {
    let db = TestDb::new().await;
    let app = db.app();
    let (cookie, csrf) = reporter(&db, REPORTER, &["ryd"]).await;
    let before = stored(&db).await;
    let berga_place = place_of("berga");
    let r = file(
        &app,
        &cookie,
        &fields(&csrf, &[("district", "berga"), ("place", &berga_place)]),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body.contains("Utanför dina områden"));
    assert_eq!(stored(&db).await, before, "nothing stored");
    let week = Week::of(today());
    for uri in [
        "/personal/est/granska".to_string(),
        "/personal/resultat".into(),
        "/personal/resultat.csv".into(),
        "/personal/atgarder".into(),
        "/personal/api".into(),
        "/personal/oversikt".into(),
        format!("/personal/est/alla/{week}"),
        format!("/personal/est/berga/{week}"),
        format!("/personal/est/export.csv?district=ryd&from={week}&to={week}"),
    ] {
        let r = get_page(&app, &cookie, &uri).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{uri}");
    }
    let r = send(
        &app,
        form(
            Some(&cookie),
            "/personal/api",
            format!("csrf={csrf}&role=reader&name=mine"),
        ),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "no API keys for a reporter"
    );
    // Nor can an administrator make a key with the reporter role.
    let (admin, admin_csrf, _) = session(&db, "admin@kommun.se", Role::Admin).await;
    let r = send(
        &app,
        form(
            Some(&admin),
            "/personal/api",
            format!("csrf={admin_csrf}&role=reporter&name=x"),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(db.store.api_tokens().await.unwrap().is_empty());

    // Another reporter never sees the first one's reports, not even through the receipt.
    let id = file_ok(&app, &cookie, &csrf, &[]).await;
    let (other, _) = reporter(&db, "faltare@kommun.se", &["ryd"]).await;
    let r = get_page(&app, &other, &format!("/personal/est/mina?sparad={id}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.body.contains("Rapporten är sparad"));
    assert!(!r.body.contains("Klotter"), "{}", r.body);

    // An analyst limited to Ryd cannot decide on a Berga report: 403, unchanged, audited.
    let (wide, wide_csrf) = reporter(&db, "bred@stangastaden.se", &["ryd", "berga"]).await;
    let berga = file_ok(
        &app,
        &wide,
        &wide_csrf,
        &[("district", "berga"), ("place", &berga_place)],
    )
    .await;
    let only_ryd = ["ryd".to_string()];
    (db.store
        .add_staff("polis@polisen.se", Role::Analyst, Some(&only_ryd), "test"))
    .await
    .unwrap();
    let (polis, polis_csrf, _) = session(&db, "polis@polisen.se", Role::Analyst).await;
    let queue = get_page(&app, &polis, "/personal/est/granska").await;
    assert!(queue.body.contains(&format!("Rapport {id}:")));
    assert!(
        !queue.body.contains(&format!("Rapport {berga}:")),
        "only its districts"
    );
    let r = decide(
        &app,
        &polis,
        &polis_csrf,
        &format!("id={berga}&decision=accept"),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = db.store.est_report(berga).await.unwrap().unwrap();
    assert_eq!(r.status, ReportStatus::New);
    assert!(
        audit_actions(&db.store, Some("polis@polisen.se"))
            .await
            .contains(&"scope refused".to_string())
    );
}

#[tokio::test]
async fn hostile_input_is_refused_with_nothing_stored() {
    let db = TestDb::new().await;
    let app = db.app();
    let (cookie, csrf) = reporter(&db, REPORTER, &["ryd", "berga"]).await;
    let tomorrow = (today() + chrono::Days::new(1)).to_string();
    let long_ago = (today() - chrono::Days::new(100)).to_string();
    let huge = "a".repeat(100_000);
    let berga_place = place_of("berga");
    let skaggetorp_place = place_of("skaggetorp");
    let cases: Vec<Case> = vec![
        (
            vec![("description", "Han heter 19811218-9876")],
            StatusCode::UNPROCESSABLE_ENTITY,
            "personnummer",
        ),
        (
            vec![("description", "811218-9876 stod vid muren")],
            StatusCode::UNPROCESSABLE_ENTITY,
            "aldrig om personer",
        ),
        (
            vec![("description", "Ring 070-123 45 67")],
            StatusCode::UNPROCESSABLE_ENTITY,
            "telefonnummer",
        ),
        (
            vec![("description", "Skriv till anna@example.se")],
            StatusCode::UNPROCESSABLE_ENTITY,
            "e-postadress",
        ),
        (
            vec![("place", "_annan"), ("other_place", "Vid 070-123 45 67")],
            StatusCode::UNPROCESSABLE_ENTITY,
            "telefonnummer",
        ),
        (
            vec![("description", &huge)],
            StatusCode::UNPROCESSABLE_ENTITY,
            "högst 500",
        ),
        (
            vec![("place", "finns-inte")],
            StatusCode::BAD_REQUEST,
            "finns inte",
        ),
        (
            vec![("place", &berga_place)],
            StatusCode::UNPROCESSABLE_ENTITY,
            "ligger inte i det valda området",
        ),
        (
            vec![("place", &skaggetorp_place)],
            StatusCode::BAD_REQUEST,
            "finns inte",
        ),
        (
            vec![("district", "skaggetorp")],
            StatusCode::FORBIDDEN,
            "Utanför dina områden",
        ),
        (
            vec![("district", "atlantis")],
            StatusCode::BAD_REQUEST,
            "finns inte",
        ),
        (
            vec![("category", "inbrott")],
            StatusCode::BAD_REQUEST,
            "Kategorin",
        ),
        (
            vec![("part_of_day", "xx")],
            StatusCode::BAD_REQUEST,
            "dygnet",
        ),
        (
            vec![("day", &tomorrow)],
            StatusCode::UNPROCESSABLE_ENTITY,
            "framtiden",
        ),
        (
            vec![("day", "2026-02-30")],
            StatusCode::UNPROCESSABLE_ENTITY,
            "ett datum som finns",
        ),
        (
            vec![("day", &long_ago)],
            StatusCode::UNPROCESSABLE_ENTITY,
            "dagar bakåt",
        ),
        (
            vec![("category", "")],
            StatusCode::UNPROCESSABLE_ENTITY,
            "Välj vad det gäller",
        ),
        (
            vec![("csrf", "")],
            StatusCode::FORBIDDEN,
            "Formuläret kunde inte tas emot",
        ),
        (
            vec![("organisation", "Polisen")],
            StatusCode::BAD_REQUEST,
            "Okänt fält",
        ),
    ];
    for (changes, status, text) in &cases {
        let before = stored(&db).await;
        let r = file(&app, &cookie, &fields(&csrf, changes)).await;
        assert_eq!(
            r.status,
            *status,
            "{changes:?}: {}",
            &r.body[..r.body.len().min(2000)]
        );
        assert!(r.body.contains(text), "{changes:?}: {text}");
        assert!(!r.body.contains("Rapporten är sparad"));
        assert_eq!(stored(&db).await, before, "{changes:?} stored something");
        if *status == StatusCode::UNPROCESSABLE_ENTITY {
            assert!(r.body.contains("error-summary"), "{changes:?}");
            assert!(
                r.body.contains(r#"value="kvall" checked"#),
                "answers kept: {changes:?}"
            );
        }
    }
    // A field twice.
    let mut twice = fields(&csrf, &[]);
    twice.push(("category".into(), "brand".into()));
    let r = file(&app, &cookie, &twice).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("mer än en gång"));
    assert_eq!(stored(&db).await, 0);
}

#[tokio::test]
async fn a_write_fault_gives_the_form_back_with_the_answers_and_no_receipt() {
    let faults = trygg::store::Faults::default();
    let db = TestDb::with_options(trygg::store::StoreOptions {
        faults: Some(faults.clone()),
        ..Default::default()
    })
    .await;
    let app = db.app();
    let (cookie, csrf) = reporter(&db, REPORTER, &["ryd"]).await;
    faults.fail_commits(true);
    let r = file(
        &app,
        &cookie,
        &fields(&csrf, &[("description", "Trasig lampa")]),
    )
    .await;
    faults.fail_commits(false);
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.body);
    assert!(r.body.contains("kunde inte sparas"));
    assert!(r.body.contains("Trasig lampa"), "the answers are kept");
    assert!(r.body.contains(r#"value="klotter" checked"#));
    assert!(!r.body.contains("Rapporten är sparad"));
    assert_eq!(stored(&db).await, 0);
    // Afterwards the same post is stored.
    file_ok(&app, &cookie, &csrf, &[]).await;
    assert_eq!(stored(&db).await, 1);
}

#[tokio::test]
async fn reporters_are_invited_on_the_users_page_and_with_trygg_user_add() {
    let db = TestDb::new().await;
    let app = db.app();
    let (admin, csrf, _) = session(&db, "admin@kommun.se", Role::Admin).await;
    let invite = |body: String| send(&app, form(Some(&admin), "/personal/anvandare", body));
    let r = invite(format!(
        "csrf={csrf}&email=ny@stangastaden.se&role=reporter&district=ryd&district=berga"
    ))
    .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an organisation is needed"
    );
    let r = invite(format!(
        "csrf={csrf}&email=ny@stangastaden.se&role=reporter&district=ryd&district=berga&organisation=St%C3%A5ng%C3%A5staden"
    ))
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let (a, _) = db
        .store
        .staff_by_email("ny@stangastaden.se")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(a.role, Role::Reporter);
    assert_eq!(
        a.districts,
        Some(vec!["ryd".to_string(), "berga".to_string()])
    );
    assert_eq!(a.organisation.as_deref(), Some(ORGANISATION));
    // The organisation changes on the account's row; a too long one changes nothing.
    let update = |body: String| {
        let uri = format!("/personal/anvandare/{}", a.id);
        send(&app, form(Some(&admin), &uri, body))
    };
    let long = "x".repeat(trygg::store::MAX_ORGANISATION_CHARS + 1);
    let r = update(format!("csrf={csrf}&role=analyst&organisation={long}")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = update(format!("csrf={csrf}&role=reporter&organisation=Securitas")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let (a, _) = db
        .store
        .staff_by_email("ny@stangastaden.se")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (a.role, a.organisation.as_deref()),
        (Role::Reporter, Some("Securitas"))
    );
    assert_eq!(
        a.districts.map(|d| d.len()),
        Some(2),
        "a reporter keeps its districts"
    );
    let page = send(
        &app,
        request(
            "GET",
            "/personal/anvandare",
            Some(&admin),
            String::new(),
            "",
        ),
    )
    .await;
    assert!(page.body.contains(r#"value="Securitas""#));
    assert!(page.body.contains("rapportör"));

    let o = Command::new(env!("CARGO_BIN_EXE_trygg"))
        .arg("--database")
        .arg(db.url())
        .arg("--surveys")
        .arg(surveys_dir())
        .args(["user", "add", "vakt@securitas.se", "--role", "reporter"])
        .args(["--districts", "skaggetorp", "--organisation", "Securitas"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let (a, _) = db
        .store
        .staff_by_email("vakt@securitas.se")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (a.role, a.districts, a.organisation.as_deref()),
        (
            Role::Reporter,
            Some(vec!["skaggetorp".to_string()]),
            Some("Securitas")
        )
    );
}

#[tokio::test]
async fn the_reporter_migration_keeps_accounts_sessions_and_password_links() {
    // A database as trygg left it before the reporter role, with an account signed in and
    // another invited; SQLite rebuilds `staff`, whose dropping would cascade to both.
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
    let all = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    let mut files: Vec<_> = (std::fs::read_dir(&all).unwrap())
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for f in (files.iter()).take_while(|f| !f.to_str().unwrap().contains("reporter_role")) {
        std::fs::copy(f, old.join(f.file_name().unwrap())).unwrap();
    }
    sqlx::any::install_default_drivers();
    let any_url = match backend {
        "sqlite" => format!("sqlite:{url}?mode=rwc"),
        _ => url.clone(),
    };
    let pool = sqlx::AnyPool::connect(&any_url).await.unwrap();
    let migrator = sqlx::migrate::Migrator::new(old.as_path()).await.unwrap();
    migrator.run(&pool).await.unwrap();
    let session = trygg::auth::token_hash("session");
    let link = trygg::auth::token_hash("link");
    let now = trygg::auth::now_secs();
    // (No explicit ids: PostgreSQL's identity would not move past them.)
    let sql = "insert into staff (email, role, districts, password_hash, created_at) values ('admin@kommun.se', 'admin', null, 'x', '2026-01-01'), ('polis@polisen.se', 'analyst', 'ryd', null, '2026-01-01')";
    sqlx::query(sql).execute(&pool).await.unwrap();
    let id = |email: &'static str| {
        sqlx::query_scalar::<_, i64>("select id from staff where email = $1")
            .bind(email)
            .fetch_one(&pool)
    };
    let (admin, polis) = (
        id("admin@kommun.se").await.unwrap(),
        id("polis@polisen.se").await.unwrap(),
    );
    sqlx::query("insert into staff_sessions (hash, staff_id, csrf, created_at, seen_at) values ($1, $2, 'c', $3, $3)")
        .bind(session.clone())
        .bind(admin)
        .bind(now)
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("insert into password_tokens (hash, staff_id, expires_at) values ($1, $2, $3)")
        .bind(link.clone())
        .bind(polis)
        .bind(now + 3600)
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;

    let store = trygg::store::Store::connect(&url).await.unwrap();
    let s = store.session(&session).await.unwrap().expect("the session");
    assert_eq!(s.account.email, "admin@kommun.se");
    let invited = store.password_token(&link, now).await.unwrap();
    let invited = invited.expect("the password link");
    assert_eq!(invited.districts, Some(vec!["ryd".to_string()]));
    assert_eq!(invited.organisation, None);
    let ryd = ["ryd".to_string()];
    let r = (store.add_staff_with(
        "vakt@x.se",
        Role::Reporter,
        Some(&ryd),
        Some("Vakt AB"),
        "t",
    ))
    .await
    .unwrap();
    assert_eq!(r.role, Role::Reporter);
    // The e-mail stays unique whatever its case (trygg lower-cases it before this).
    assert!(
        store
            .add_staff("admin@kommun.se", Role::Reader, None, "t")
            .await
            .is_err()
    );
    assert_eq!(store.staff_list().await.unwrap().len(), 3);
}
