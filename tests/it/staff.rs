//! Staff sign in: roles checked in one place (the role × route table), passwords, sessions,
//! CSRF, throttling, logout everywhere, the audit log, and publishing from the browser.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use trygg::auth::{self, Role};
use trygg::http::staff::ROUTES;

use crate::helpers::*;

/// A signed-in session for an account of `role`: its cookie and CSRF token.
pub async fn session(db: &TestDb, email: &str, role: Role) -> (String, String, i64) {
    let account = match db.store.staff_by_email(email).await.unwrap() {
        Some((a, _)) => a,
        None => db.store.add_staff(email, role, None, "test").await.unwrap(),
    };
    let token = auth::random_token();
    let csrf = auth::random_token();
    db.store
        .add_session(
            &auth::token_hash(&token),
            account.id,
            &csrf,
            auth::now_secs(),
        )
        .await
        .unwrap();
    (format!("{}={token}", auth::COOKIE), csrf, account.id)
}

/// Creates an API key on the admin page (`role_and_name`: `analyst&name=BI`); the key the
/// page shows once.
async fn create_api_token(
    app: &axum::Router,
    cookie: &str,
    csrf: &str,
    role_and_name: &str,
) -> String {
    let created = send(
        app,
        form(
            Some(cookie),
            "/personal/api",
            format!("csrf={csrf}&role={role_and_name}"),
        ),
    )
    .await;
    assert_eq!(created.status, StatusCode::OK);
    created
        .body
        .split("<code>")
        .nth(1)
        .unwrap()
        .split("</code>")
        .next()
        .unwrap()
        .to_string()
}

pub fn request(
    method: &str,
    uri: &str,
    cookie: Option<&str>,
    body: String,
    content_type: &str,
) -> Request<Body> {
    let mut r = Request::builder().method(method).uri(uri);
    if let Some(c) = cookie {
        r = r.header(header::COOKIE, c);
    }
    if method == "POST" {
        r = r.header(header::CONTENT_TYPE, content_type);
    }
    r.body(Body::from(body)).unwrap()
}

pub fn form(cookie: Option<&str>, uri: &str, body: String) -> Request<Body> {
    request(
        "POST",
        uri,
        cookie,
        body,
        "application/x-www-form-urlencoded",
    )
}

/// The confirming post of a publication page: every hidden field of its form, encoded.
pub fn confirmation(page: &str) -> String {
    let form = page
        .split(r#"<form method="post" action="/personal/vagor">"#)
        .nth(1)
        .unwrap();
    let form = form.split("</form>").next().unwrap();
    let unescape = |v: &str| {
        v.replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    };
    let fields: Vec<(String, String)> = form
        .split(r#"<input type="hidden" name=""#)
        .skip(1)
        .map(|i| {
            let (name, rest) = i.split_once('"').unwrap();
            let value = rest.split_once(r#"value=""#).unwrap().1;
            (name.to_string(), unescape(value.split_once('"').unwrap().0))
        })
        .collect();
    encode_owned(&fields)
}

pub fn multipart(fields: &[(&str, &str)], file: Option<&str>) -> (String, String) {
    let b = "XtryggBoundary";
    let mut body = String::new();
    for (k, v) in fields {
        body.push_str(&format!(
            "--{b}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
        ));
    }
    if let Some(f) = file {
        body.push_str(&format!(
            "--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"q.toml\"\r\nContent-Type: application/toml\r\n\r\n{f}\r\n"
        ));
    }
    body.push_str(&format!("--{b}--\r\n"));
    (body, format!("multipart/form-data; boundary={b}"))
}

#[tokio::test]
async fn every_personal_route_answers_each_role_as_the_role_table_says() {
    let db = TestDb::new().await;
    db.publish_open("ryd").await;
    let app = db.app();
    let other = db
        .store
        .add_staff("someone@kommun.se", Role::Reader, None, "test")
        .await
        .unwrap();
    for &(method, path) in ROUTES {
        // No session: to the sign-in page.
        let r = send(
            &app,
            request(
                method,
                path,
                None,
                String::new(),
                "application/x-www-form-urlencoded",
            ),
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "{method} {path} without a session"
        );
        assert_eq!(r.headers[header::LOCATION], "/personal/logga-in");
        for role in Role::ALL {
            let (cookie, csrf, _) =
                session(&db, &format!("{}@kommun.se", role.as_str()), role).await;
            let path = path.replace("anvandare/1", &format!("anvandare/{}", other.id));
            let req = match (method, path.as_str()) {
                ("POST", "/personal/vagor" | "/personal/falt/papper") => {
                    let (body, ct) = multipart(&[("csrf", &csrf)], None);
                    request("POST", &path, Some(&cookie), body, &ct)
                }
                ("POST", "/personal/anvandare") => form(
                    Some(&cookie),
                    &path,
                    format!(
                        "csrf={csrf}&role=reader&email=new-{}@kommun.se",
                        role.as_str()
                    ),
                ),
                ("POST", "/personal/api") => form(
                    Some(&cookie),
                    &path,
                    format!("csrf={csrf}&role=reader&name=bi-{}", role.as_str()),
                ),
                ("POST", p) if p.starts_with("/personal/anvandare/") => {
                    form(Some(&cookie), &path, format!("csrf={csrf}&role=reader"))
                }
                ("POST", _) => form(Some(&cookie), &path, format!("csrf={csrf}")),
                _ => request("GET", &path, Some(&cookie), String::new(), ""),
            };
            let r = send(&app, req).await;
            let coordinator = matches!(role, Role::Admin | Role::Analyst);
            let allowed = match path.as_str() {
                "/personal" | "/personal/logga-ut" | "/personal/logga-ut-overallt" => true,
                // A reporter sees nothing of the survey beyond what is published.
                "/personal/resultat"
                | "/personal/resultat.csv"
                | "/personal/resultat.xlsx"
                | "/personal/resultat.parquet" => role != Role::Reporter,
                "/personal/atgarder" | "/personal/atgarder/00" => {
                    (method == "GET" && role == Role::Reader) || coordinator
                }
                "/personal/oversikt" | "/personal/rapporter" | "/personal/est/granska" => {
                    coordinator
                }
                "/personal/est"
                | "/personal/est/ryd/2026-W05"
                | "/personal/est/rapportera"
                | "/personal/est/mina" => role != Role::Reader,
                "/personal/est/platser.toml"
                | "/personal/est/insatser"
                | "/personal/est/insatser/00"
                | "/personal/est/insatser/00/atgard" => coordinator,
                "/personal/est/platser" => match method {
                    "GET" => coordinator,
                    _ => role == Role::Admin,
                },
                _ => role == Role::Admin,
            };
            if allowed {
                let expected = match (method, path.as_str()) {
                    // (the explorer has no answers to analyse yet: it says so)
                    (
                        "GET",
                        "/personal/resultat.csv"
                        | "/personal/resultat.xlsx"
                        | "/personal/resultat.parquet",
                    ) => StatusCode::CONFLICT,
                    ("POST", "/personal/api") => StatusCode::OK,
                    // (an empty measure: the form again with its faults)
                    ("POST", "/personal/atgarder") => StatusCode::UNPROCESSABLE_ENTITY,
                    // (an empty place: the form again with its faults)
                    ("POST", "/personal/est/platser") => StatusCode::BAD_REQUEST,
                    // (there is no token "00" to revoke)
                    ("POST", "/personal/api/00/aterkalla") => StatusCode::NOT_FOUND,
                    // (no year given: the list again, with why)
                    ("POST", "/personal/rapporter") => StatusCode::UNPROCESSABLE_ENTITY,
                    // (there is no measure "00")
                    ("GET", "/personal/atgarder/00") => StatusCode::NOT_FOUND,
                    // (to this week of the first district)
                    ("GET", "/personal/est") => StatusCode::SEE_OTHER,
                    ("GET", _) => StatusCode::OK,
                    // No file, or no sampled wave: the form again, with why.
                    (
                        "POST",
                        "/personal/vagor"
                        | "/personal/falt/papper"
                        | "/personal/falt/markera"
                        | "/personal/granskning",
                    ) => StatusCode::UNPROCESSABLE_ENTITY,
                    ("POST", "/personal/anvandare") => StatusCode::OK,
                    // (an empty report: the form again with what to choose)
                    ("POST", "/personal/est/rapportera") => StatusCode::UNPROCESSABLE_ENTITY,
                    // (no report named)
                    ("POST", "/personal/est/granska") => StatusCode::BAD_REQUEST,
                    // (an empty action: the form again, with why)
                    ("POST", "/personal/est/insatser") => StatusCode::BAD_REQUEST,
                    // (there is no action "00")
                    ("POST", "/personal/est/insatser/00" | "/personal/est/insatser/00/atgard") => {
                        StatusCode::NOT_FOUND
                    }
                    _ => StatusCode::SEE_OTHER,
                };
                assert_eq!(
                    r.status,
                    expected,
                    "{method} {path} as {}: {}",
                    role.as_str(),
                    r.body
                );
                if r.status == StatusCode::SEE_OTHER && path.contains("logga-ut") {
                    // Signed out: the cookie is cleared (a missing session sets none).
                    let cleared = r.headers[header::SET_COOKIE].to_str().unwrap();
                    assert!(cleared.contains("Max-Age=0"), "{path}: {cleared}");
                } else if r.status == StatusCode::SEE_OTHER {
                    assert_ne!(r.headers[header::LOCATION], "/personal/logga-in", "{path}");
                }
            } else {
                assert_eq!(
                    r.status,
                    StatusCode::FORBIDDEN,
                    "{method} {path} as {}",
                    role.as_str()
                );
                assert!(r.body.contains("Ingen behörighet"));
            }
        }
    }
}

#[tokio::test]
async fn signing_in_setting_a_password_throttling_and_logging_out_everywhere() {
    let db = TestDb::new().await;
    let app = db.app();
    let link = trygg::operations::invite_account(
        &db.store,
        "http://x",
        "Anna@Kommun.se",
        Role::Analyst,
        None,
        "test",
    )
    .await
    .unwrap();
    let path = link.trim_start_matches("http://x");
    assert_eq!(get(&app, path).await.status, StatusCode::OK);
    let short = send(&app, form(None, path, "password=kort".into())).await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.body.contains("minst 12 tecken"));
    // A password that could be set but never used to sign in is refused when set.
    let long = send(
        &app,
        form(None, path, encode(&[("password", &"å".repeat(600))])),
    )
    .await;
    assert_eq!(long.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(long.body.contains("högst 1024 byte"), "{}", long.body);
    assert_eq!(
        get(&app, path).await.status,
        StatusCode::OK,
        "the link still works"
    );
    let set = send(&app, form(None, path, "password=en+lång+lösenfras".into())).await;
    assert_eq!(set.status, StatusCode::SEE_OTHER);
    assert_eq!(
        get(&app, path).await.status,
        StatusCode::NOT_FOUND,
        "the link works once"
    );

    let login = |email: &str, pw: &str, ip: &str| {
        let mut r = form(
            None,
            "/personal/logga-in",
            encode(&[("email", email), ("password", pw)]),
        );
        let addr: std::net::SocketAddr = format!("{ip}:1").parse().unwrap();
        r.extensions_mut().insert(axum::extract::ConnectInfo(addr));
        r
    };
    let ok = send(
        &app,
        login("anna@kommun.se", "en lång lösenfras", "10.0.0.1"),
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let cookie = ok.headers[header::SET_COOKIE].to_str().unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict")
            && cookie.contains("Path=/personal")
    );
    assert!(!cookie.contains("Secure"), "plain http in the test");
    let cookie = cookie.split(';').next().unwrap().to_string();
    let home = send(
        &app,
        request("GET", "/personal", Some(&cookie), String::new(), ""),
    )
    .await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("anna@kommun.se (analytiker)"));

    let wrong = send(&app, login("anna@kommun.se", "fel", "10.0.0.2")).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("Fel e-post eller lösenord."));
    let unknown = send(&app, login("okand@kommun.se", "fel", "10.0.0.2")).await;
    assert!(
        unknown.body.contains("Fel e-post eller lösenord."),
        "the same answer for an unknown account"
    );
    // A failed login of an account is in the audit log (at most once a minute per account);
    // an address nobody has is not.
    let failed = db
        .store
        .audit_log(None, Some("login failed"))
        .await
        .unwrap();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0].detail, "anna@kommun.se");
    // Mistakes from one address slow the next attempts there, never stop them: the right
    // password still signs in, a little later.
    for _ in 0..5 {
        send(&app, login("anna@kommun.se", "fel", "10.0.0.3")).await;
    }
    let started = std::time::Instant::now();
    let slowed = send(
        &app,
        login("anna@kommun.se", "en lång lösenfras", "10.0.0.3"),
    )
    .await;
    assert_eq!(slowed.status, StatusCode::SEE_OTHER, "{}", slowed.body);
    assert!(started.elapsed() >= auth::throttle::FIRST_DELAY);
    let elsewhere = send(
        &app,
        login("Anna@Kommun.se ", "en lång lösenfras", "10.0.0.4"),
    )
    .await;
    assert_eq!(
        elsewhere.status,
        StatusCode::SEE_OTHER,
        "{}",
        elsewhere.body
    );
    // An address far longer than any e-mail is refused without being remembered.
    let long = "a".repeat(60_000) + "@kommun.se";
    let r = send(&app, login(&long, "fel", "10.0.0.8")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // Many accounts tried from one address: that address waits, nobody is locked out.
    db.store
        .add_staff("bo@kommun.se", Role::Reader, None, "test")
        .await
        .unwrap();
    for i in 0..12 {
        send(&app, login(&format!("x{i}@kommun.se"), "fel", "10.9.9.9")).await;
    }
    let started = std::time::Instant::now();
    let from_there = send(&app, login("bo@kommun.se", "whatever", "10.9.9.9")).await;
    assert_eq!(from_there.status, StatusCode::UNAUTHORIZED);
    assert!(started.elapsed() >= auth::throttle::FIRST_DELAY);
    // One account tried from many addresses at once rests for a minute at most, audited.
    for i in 0..auth::throttle::MAX_PER_ACCOUNT_PER_LOCK {
        send(
            &app,
            login(
                "anna@kommun.se",
                "fel",
                &format!("10.7.{}.{}", i / 200, i % 200),
            ),
        )
        .await;
    }
    let locked = send(
        &app,
        login("anna@kommun.se", "en lång lösenfras", "10.0.0.4"),
    )
    .await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(locked.body.contains("Vänta en minut"));
    let retry: u64 = locked.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    assert!(
        audit_actions(&db.store, Some("server"))
            .await
            .contains(&"login locked".to_string())
    );

    // Log out everywhere: a second session ends too.
    let (other_cookie, _, _) = session(&db, "anna@kommun.se", Role::Analyst).await;
    let (third, csrf, _) = session(&db, "anna@kommun.se", Role::Analyst).await;
    let bad = send(
        &app,
        form(
            Some(&third),
            "/personal/logga-ut-overallt",
            "csrf=wrong".into(),
        ),
    )
    .await;
    assert_eq!(
        bad.status,
        StatusCode::FORBIDDEN,
        "no CSRF token, no logout"
    );
    let out = send(
        &app,
        form(
            Some(&third),
            "/personal/logga-ut-overallt",
            format!("csrf={csrf}"),
        ),
    )
    .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    for c in [&cookie, &other_cookie, &third] {
        let r = send(
            &app,
            request("GET", "/personal", Some(c), String::new(), ""),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "every session ended");
    }
    let log = audit_actions(&db.store, None).await;
    assert!(
        log.contains(&"password set".to_string())
            && log.contains(&"logged out everywhere".to_string()),
        "{log:?}"
    );
}

#[tokio::test]
async fn sessions_expire_after_idle_and_absolute_timeouts() {
    let db = TestDb::new().await;
    let app = db.app();
    let (cookie, _, _) = session(&db, "a@kommun.se", Role::Admin).await;
    assert_eq!(
        send(
            &app,
            request("GET", "/personal", Some(&cookie), String::new(), "")
        )
        .await
        .status,
        StatusCode::OK
    );
    let mut c = db.connection().await;
    let idle = auth::IDLE_TIMEOUT.as_secs() as i64 + 5;
    sqlx::query("update staff_sessions set seen_at = seen_at - $1")
        .bind(idle)
        .execute(&mut c)
        .await
        .unwrap();
    let r = send(
        &app,
        request("GET", "/personal", Some(&cookie), String::new(), ""),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "idle for 30 minutes");
    let (cookie, _, _) = session(&db, "a@kommun.se", Role::Admin).await;
    let old = auth::ABSOLUTE_TIMEOUT.as_secs() as i64 + 5;
    sqlx::query("update staff_sessions set created_at = created_at - $1")
        .bind(old)
        .execute(&mut c)
        .await
        .unwrap();
    let r = send(
        &app,
        request("GET", "/personal", Some(&cookie), String::new(), ""),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "older than 12 hours, however active"
    );
    let left: i64 = sqlx::query_scalar("select count(*) from staff_sessions")
        .fetch_one(&mut c)
        .await
        .unwrap();
    assert_eq!(left, 0, "expired sessions are removed");
}

#[tokio::test]
async fn administrators_publish_and_close_waves_and_every_change_is_logged() {
    let db = TestDb::new().await;
    let app = db.app();
    let (cookie, csrf, admin_id) = session(&db, "admin@kommun.se", Role::Admin).await;
    let year = chrono::Datelike::year(&today());
    let opens = (today() - chrono::Duration::days(3)).to_string();
    let closes = (today() + chrono::Duration::days(30)).to_string();
    // A file with a fault: listed with its line, nothing published.
    let broken = bundled_source().replacen(
        "counts = [\"ganska\", \"mycket\"], norm = 0.15",
        "counts = [\"ganska\", \"enormt\"], norm = 0.15",
        1,
    );
    let y = year.to_string();
    let fields = [
        ("csrf", csrf.as_str()),
        ("year", y.as_str()),
        ("opens", opens.as_str()),
        ("closes", closes.as_str()),
        ("district", "ryd"),
        ("district", "berga"),
    ];
    let (body, ct) = multipart(&fields, Some(&broken));
    let r = send(
        &app,
        request("POST", "/personal/vagor", Some(&cookie), body, &ct),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("enkätfilen:"), "{}", r.body);
    assert!(
        r.body
            .contains("indicator counts unknown option &quot;enormt&quot;"),
        "{}",
        r.body
    );
    assert!(db.store.waves().await.unwrap().is_empty());
    // Without the CSRF token: refused.
    let no_token = [
        ("year", y.as_str()),
        ("opens", opens.as_str()),
        ("closes", closes.as_str()),
        ("district", "ryd"),
    ];
    let (body, ct) = multipart(&no_token, Some(&bundled_source()));
    let r = send(
        &app,
        request("POST", "/personal/vagor", Some(&cookie), body, &ct),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(db.store.waves().await.unwrap().is_empty());
    // The valid file for two districts: checked, it is shown for confirmation first, and
    // nothing is published until the administrator confirms.
    let (body, ct) = multipart(&fields, Some(&bundled_source()));
    let r = send(
        &app,
        request("POST", "/personal/vagor", Some(&cookie), body, &ct),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("<title>Bekräfta publicering"), "{}", r.body);
    assert!(r.body.contains("<dd>Ryd, Berga</dd>"), "{}", r.body);
    assert!(
        r.body.contains(&format!("<dd>{opens} – {closes}</dd>")),
        "{}",
        r.body
    );
    assert!(db.store.waves().await.unwrap().is_empty());
    let r = send(
        &app,
        form(Some(&cookie), "/personal/vagor", confirmation(&r.body)),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let waves = db.store.waves().await.unwrap();
    assert_eq!(waves.len(), 2);
    let ryd = waves.iter().find(|w| w.district == "ryd").unwrap();
    assert_eq!(ryd.status(today()), trygg::store::WaveStatus::Open);
    // A resident answers; the overview shows it (as "<5").
    let a = post_form(
        &app,
        &format!("/s/ryd/{year}"),
        "lang=sv&T_OMRADET=ganska_trygg",
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    let over = send(
        &app,
        request(
            "GET",
            "/personal/oversikt",
            Some(&cookie),
            String::new(),
            "",
        ),
    )
    .await;
    assert!(over.body.contains("<td>&lt;5</td>"), "{}", over.body);
    // Close it.
    let r = send(
        &app,
        form(
            Some(&cookie),
            &format!("/personal/vagor/{}/stang", ryd.id),
            format!("csrf={csrf}"),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let ryd = db.store.wave("ryd", year).await.unwrap().unwrap();
    assert_eq!(ryd.status(today()), trygg::store::WaveStatus::Closed);
    // Users: invite, change a role; an admin cannot demote themselves.
    let r = send(
        &app,
        form(
            Some(&cookie),
            "/personal/anvandare",
            format!("csrf={csrf}&email=eva%40polisen.se&role=reader"),
        ),
    )
    .await;
    assert!(
        r.body.contains("/personal/losenord/"),
        "the one-time link is shown"
    );
    let eva = db
        .store
        .staff_by_email("eva@polisen.se")
        .await
        .unwrap()
        .unwrap()
        .0;
    let r = send(
        &app,
        form(
            Some(&cookie),
            &format!("/personal/anvandare/{}", eva.id),
            format!("csrf={csrf}&role=analyst"),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = send(
        &app,
        form(
            Some(&cookie),
            &format!("/personal/anvandare/{admin_id}"),
            format!("csrf={csrf}&role=reader"),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    let log = db
        .store
        .audit_log(Some("admin@kommun.se"), None)
        .await
        .unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    for a in [
        "wave published",
        "wave closed",
        "user added",
        "role changed",
    ] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
    assert_eq!(
        actions.iter().filter(|a| **a == "wave published").count(),
        2
    );
    let page = send(
        &app,
        request(
            "GET",
            "/personal/logg?action=wave+closed",
            Some(&cookie),
            String::new(),
            "",
        ),
    )
    .await;
    assert!(
        page.body.contains("ryd ") && !page.body.contains("wave published"),
        "filtered log"
    );
    // The log is append-only, whoever asks.
    let mut c = db.connection().await;
    let err = sqlx::query("delete from audit_log")
        .execute(&mut c)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("append-only"));
}

#[tokio::test]
async fn no_password_session_or_link_reaches_the_log() {
    use std::io::{Read, Write};
    let db = TestDb::new().await;
    let link = trygg::operations::invite_account(
        &db.store,
        "http://x",
        "logg@kommun.se",
        Role::Admin,
        None,
        "test",
    )
    .await
    .unwrap();
    db.store.close().await;
    let log = db.dir.path().join("server.log");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_trygg"))
        .args([
            "--database",
            &db.url(),
            "--surveys",
            surveys_dir().to_str().unwrap(),
            "serve",
            "--addr",
            "127.0.0.1:0",
        ])
        .env("TRYGG_LOG", "debug")
        .stdout(std::process::Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut out, &mut line).unwrap();
    let addr = line
        .trim()
        .trim_start_matches("trygg listening on http://")
        .to_string();
    let post = |path: &str, body: &str, cookie: &str| -> String {
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        write!(s, "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n{body}", body.len()).unwrap();
        let mut r = String::new();
        s.read_to_string(&mut r).unwrap();
        r
    };
    let password = "hemligt-lösenord-4711";
    let token_path = link.trim_start_matches("http://x");
    // A cross-site post to the link is refused and logged — without the token.
    {
        let mut st = std::net::TcpStream::connect(&addr).unwrap();
        write!(st, "POST {token_path} HTTP/1.1\r\nHost: x\r\nSec-Fetch-Site: cross-site\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 10\r\nConnection: close\r\n\r\npassword=x").unwrap();
        let mut r = String::new();
        st.read_to_string(&mut r).unwrap();
        assert!(r.starts_with("HTTP/1.1 403"), "{r}");
    }
    post(token_path, &encode(&[("password", password)]), "");
    let reply = post(
        "/personal/logga-in",
        &encode(&[("email", "logg@kommun.se"), ("password", password)]),
        "",
    );
    let cookie = reply
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .map(|c| c.split(';').next().unwrap().to_string())
        .expect("a session cookie");
    post(
        "/personal/logga-in",
        &encode(&[
            ("email", "logg@kommun.se"),
            ("password", "wrong-secret-0815"),
        ]),
        "",
    );
    post("/personal/logga-ut", "csrf=forged", &cookie);
    child.kill().unwrap();
    child.wait().unwrap();
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(!text.is_empty(), "the server logged at debug level");
    let session = cookie.split('=').nth(1).unwrap();
    let link_token = token_path.rsplit('/').next().unwrap();
    for secret in [password, "wrong-secret-0815", session, link_token] {
        assert!(!text.contains(secret), "{secret} in the log");
    }
}

#[tokio::test]
async fn an_analyst_limited_to_districts_sees_only_those() {
    let db = TestDb::new().await;
    db.publish_open("ryd").await;
    db.publish_open("berga").await;
    let app = db.app();
    let only_ryd = ["ryd".to_string()];
    db.store
        .add_staff("polis@polisen.se", Role::Analyst, Some(&only_ryd), "test")
        .await
        .unwrap();
    let (cookie, _, _) = session(&db, "polis@polisen.se", Role::Analyst).await;
    let page = send(
        &app,
        request(
            "GET",
            "/personal/oversikt",
            Some(&cookie),
            String::new(),
            "",
        ),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("<td>Ryd</td>") && !page.body.contains("<td>Berga</td>"),
        "{}",
        page.body
    );
    let (admin, _, _) = session(&db, "admin@kommun.se", Role::Admin).await;
    let page = send(
        &app,
        request("GET", "/personal/oversikt", Some(&admin), String::new(), ""),
    )
    .await;
    assert!(page.body.contains("<td>Ryd</td>") && page.body.contains("<td>Berga</td>"));
}

#[tokio::test]
async fn staff_uploads_may_be_larger_than_answers_and_disabled_accounts_lose_their_links() {
    let db = TestDb::new().await;
    let app = db.app();
    let (cookie, csrf, _) = session(&db, "admin@kommun.se", Role::Admin).await;
    // A questionnaire file with a long comment: over a resident's 64 KiB, under 1 MiB.
    let big = format!("{}\n# {}\n", bundled_source(), "x".repeat(80 * 1024));
    let y = chrono::Datelike::year(&today()).to_string();
    let (o, c) = (
        today().to_string(),
        (today() + chrono::Duration::days(9)).to_string(),
    );
    let fields = [
        ("csrf", csrf.as_str()),
        ("year", y.as_str()),
        ("opens", o.as_str()),
        ("closes", c.as_str()),
        ("district", "city"),
    ];
    // With Windows line breaks: stored byte for byte, whatever a browser does to form text.
    let big = big.replace('\n', "\r\n");
    let (body, ct) = multipart(&fields, Some(&big));
    let r = send(
        &app,
        request("POST", "/personal/vagor", Some(&cookie), body.clone(), &ct),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // Confirming sends the file's text back: over 64 KiB too, from a live session.
    let confirm = confirmation(&r.body);
    assert!(confirm.len() > 80 * 1024);
    let r = send(&app, form(Some(&cookie), "/personal/vagor", confirm)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let waves = db.store.waves().await.unwrap();
    assert_eq!(waves.len(), 1);
    let stored = db.store.snapshot(waves[0].questionnaire_id).await.unwrap();
    assert!(stored == big, "the file is stored as uploaded");
    // The same body without a staff session is refused at the residents' limit.
    let r = send(&app, request("POST", "/personal/vagor", None, body, &ct)).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);

    let link = trygg::operations::invite_account(
        &db.store,
        "",
        "borta@kommun.se",
        Role::Reader,
        None,
        "test",
    )
    .await
    .unwrap();
    let id = db
        .store
        .staff_by_email("borta@kommun.se")
        .await
        .unwrap()
        .unwrap()
        .0
        .id;
    let r = send(
        &app,
        form(
            Some(&cookie),
            &format!("/personal/anvandare/{id}"),
            format!("csrf={csrf}&role=reader&disabled=1"),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        get(&app, &link).await.status,
        StatusCode::NOT_FOUND,
        "a disabled account's link is void"
    );
    let r = send(
        &app,
        form(None, &link, "password=ett+långt+lösenord".into()),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(
        !db.store
            .staff_by_email("borta@kommun.se")
            .await
            .unwrap()
            .unwrap()
            .0
            .has_password
    );
}

/// A GET with the session cookie.
pub(crate) async fn staff_get(app: &axum::Router, cookie: &str, path: &str) -> Reply {
    send(app, request("GET", path, Some(cookie), String::new(), "")).await
}

/// Every text inside an XLSX file's XML parts (the cells, shared strings and properties).
fn xlsx_text(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("an xlsx is a zip");
    let mut all = String::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        std::io::Read::read_to_string(&mut f, &mut all).unwrap();
    }
    all
}

#[tokio::test]
async fn the_explorer_shows_a_district_over_the_years_and_exports_csv_without_suppressed_values() {
    let db = TestDb::new().await;
    let q = bundled();
    // City 2026 is too small to publish (25 < 30), and big enough that with the thresholds
    // lowered to 5 below it is published even after the cells hidden to protect others.
    fill_districts(&db.store, &q, &[2025, 2026], 11, |d, year| {
        if d == "city" && year == 2026 { 25 } else { 200 }
    })
    .await;
    let app = db.app();
    let (cookie, _, _) = session(&db, "polis@polisen.se", Role::Reader).await;
    let page = staff_get(
        &app,
        &cookie,
        "/personal/resultat?district=ryd&district=ALL&indicator=P_BELYSNING&year=2025",
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("<svg"));
    // Both charts say what they show, in words and as numbers.
    assert_eq!(page.body.matches("<figcaption>").count(), 2);
    let caption = page.body.split("<figcaption>").nth(1).unwrap();
    let caption = caption.split("</figcaption>").next().unwrap();
    assert!(
        caption.contains("Ryd") && caption.contains("2025"),
        "{caption}"
    );
    // Numbers as Swedes write them: changes in percentage points, q with a decimal comma.
    assert!(page.body.contains("Förändring (procentenheter)"));
    assert!(
        !page.body.contains("<td>0."),
        "a decimal point in a table cell"
    );
    assert!(
        page.body.contains("<td>+") || page.body.contains("<td>−"),
        "a signed change"
    );
    assert!(
        page.body
            .contains(r#"<input type="checkbox" id="d-ryd" name="district" value="ryd" checked>"#)
    );
    assert!(
        page.body
            .contains(r#"<input type="checkbox" id="d-berga" name="district" value="berga">"#)
    );
    assert_eq!(
        page.body.matches(r#"<th scope="row">Ryd</th>"#).count(),
        4,
        "two years of Ryd, and Ryd among the districts in 2025 (in the table and in the comparison chart's numbers)"
    );
    let csv = staff_get(
        &app,
        &cookie,
        "/personal/resultat.csv?district=ryd&district=ALL&indicator=P_BELYSNING&sep=semicolon",
    )
    .await;
    assert_eq!(csv.headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    let body = csv.body.trim_start_matches('\u{feff}');
    let lines: Vec<&str> = body.lines().collect();
    assert!(lines[0].starts_with("district;area;year;group;indicator;kind;estimate;"));
    assert_eq!(
        lines.len(),
        1 + 4,
        "Ryd and the municipality, two years each"
    );
    assert!(
        lines[1].starts_with("ryd;Ryd;2025;all;P_BELYSNING;share;0,"),
        "decimal comma: {}",
        lines[1]
    );

    // A group and a span of years: women in Ryd, 2026 only.
    let women = staff_get(
        &app,
        &cookie,
        "/personal/resultat.csv?district=ryd&indicator=P_BELYSNING&group=sex:kvinna&from=2026&to=2026",
    )
    .await;
    let lines: Vec<&str> = women.body.lines().collect();
    assert_eq!(lines.len(), 2, "{}", women.body);
    assert!(lines[1].starts_with("ryd,Ryd,2026,sex:kvinna,P_BELYSNING,share,"));
    // An index, on its own scale.
    let index = staff_get(
        &app,
        &cookie,
        "/personal/resultat?district=berga&indicator=index:total",
    )
    .await;
    assert_eq!(index.status, StatusCode::OK);
    assert!(index.body.contains("Indexnivå (0–6)"));

    // A district named twice is shown once; an index is no percentage in the workbook.
    let twice = staff_get(
        &app,
        &cookie,
        "/personal/resultat.csv?district=ryd&district=ryd&district=ryd&indicator=P_BELYSNING",
    )
    .await;
    assert_eq!(twice.body.lines().count(), 1 + 2, "{}", twice.body);
    let index = send(
        &app,
        request(
            "GET",
            "/personal/resultat.xlsx?district=berga&indicator=index:total&from=2026",
            Some(&cookie),
            String::new(),
            "",
        ),
    )
    .await;
    let level = staff_get(
        &app,
        &cookie,
        "/personal/resultat.csv?district=berga&indicator=index:total&from=2026",
    )
    .await;
    let level: f64 = level
        .body
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .nth(6)
        .unwrap()
        .parse()
        .unwrap();
    assert!((0.0..=6.0).contains(&level));
    let sheet = xlsx_text(&index.bytes);
    let sheet = &sheet[sheet.find("<sheetData").unwrap()..];
    // The level's cell carries no number format (a share's would be 0.0%).
    let at = sheet
        .find(&format!("<v>{level}</v>"))
        .expect("the level in the sheet");
    let cell = &sheet[sheet[..at].rfind("<c ").unwrap()..at];
    assert!(!cell.contains(" s=\""), "{cell}");

    // Bad views: the faults are named, and exports refuse them.
    for (query, says) in [
        ("district=nowhere", "Okänt område: nowhere"),
        ("indicator=DROP+TABLE", "Okänd indikator: DROP TABLE"),
        ("group=sex:robot", "Okänd grupp: sex:robot"),
        ("from=1999", "1999 är inget undersökningsår"),
        ("from=2026&to=2025", "Från-året ligger efter till-året"),
        ("colour=red", "Okänd parameter: colour"),
        ("indicator=P_BELYSNING&group=all", "Välj minst ett område."),
        (
            "district=ryd&sep=tab",
            "sep: comma eller semicolon, inte tab",
        ),
    ] {
        let page = staff_get(&app, &cookie, &format!("/personal/resultat?{query}")).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(
            page.body.contains(&says.replace('<', "&lt;")),
            "{query}: {}",
            page.body
        );
        for ext in ["csv", "xlsx", "parquet"] {
            let r = staff_get(&app, &cookie, &format!("/personal/resultat.{ext}?{query}")).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{ext}?{query}");
            assert!(r.body.contains(says), "{ext}?{query}: {}", r.body);
        }
    }

    // City 2026 is suppressed: its values are in neither the page nor any export, while the
    // same kind of value of a published row is (so the search could find them).
    let inputs = trygg::analysis::Inputs {
        districts: districts(),
        surveys: surveys_dir(),
    };
    let mut open = trygg::analysis::Options::new(2025..=2026);
    open.min_n = 5.0;
    open.min_n_eff = 1.0;
    let unsuppressed = trygg::analysis::analyze(&db.store, &inputs, &open)
        .await
        .unwrap();
    let estimate = |district: &str, year: i32| {
        unsuppressed
            .results
            .iter()
            .find(|r| {
                r.year == year
                    && r.district.to_string() == district
                    && r.indicator.is("P_BELYSNING")
                    && r.group == trygg::analysis::Group::All
            })
            .and_then(|r| r.estimate)
            .expect("a value without suppression")
    };
    let hidden = estimate("city", 2026);
    let shown = estimate("city", 2025);
    let view = "district=city&indicator=P_BELYSNING";
    for sep in ["", "&sep=semicolon"] {
        let csv = staff_get(
            &app,
            &cookie,
            &format!("/personal/resultat.csv?{view}{sep}"),
        )
        .await;
        for (v, present) in [(hidden, false), (shown, true)] {
            let found = csv.body.contains(&format!("{v}"))
                || csv.body.contains(&format!("{v}").replace('.', ","));
            assert_eq!(found, present, "{v} in {}", csv.body);
        }
        assert!(
            csv.body.contains(",2026,all,P_BELYSNING,share,,,,")
                || csv.body.contains(";2026;all;P_BELYSNING;share;;;;"),
            "{}",
            csv.body
        );
    }
    let xlsx = send(
        &app,
        request(
            "GET",
            &format!("/personal/resultat.xlsx?{view}"),
            Some(&cookie),
            String::new(),
            "",
        ),
    )
    .await;
    assert_eq!(xlsx.status, StatusCode::OK);
    let text = xlsx_text(&xlsx.bytes);
    assert!(text.contains(&format!("{shown}")) && !text.contains(&format!("{hidden}")));
    assert!(text.contains("0.0%") && text.contains("autoFilter") && text.contains("frozen"));
    let parquet = send(
        &app,
        request(
            "GET",
            &format!("/personal/resultat.parquet?{view}"),
            Some(&cookie),
            String::new(),
            "",
        ),
    )
    .await;
    use polars::prelude::SerReader;
    let df = polars::prelude::ParquetReader::new(std::io::Cursor::new(parquet.bytes.clone()))
        .finish()
        .unwrap();
    let est = df.column("estimate").unwrap().f64().unwrap().clone();
    let sup = df.column("suppressed").unwrap().bool().unwrap().clone();
    let est: Vec<Option<f64>> = (0..df.height()).map(|i| est.get(i)).collect();
    let sup: Vec<Option<bool>> = (0..df.height()).map(|i| sup.get(i)).collect();
    assert_eq!(est, vec![Some(shown), None]);
    assert_eq!(sup, vec![Some(false), Some(true)]);
    let page = staff_get(&app, &cookie, &format!("/personal/resultat?{view}")).await;
    assert!(page.body.contains("för få svar"));
    for (v, present) in [(hidden, false), (shown, true)] {
        let as_shown = format!("{:.1} %", 100.0 * v).replace('.', ",");
        assert_eq!(page.body.contains(&as_shown), present, "{as_shown}");
    }
}

/// Checks a JSON value against a schema of the OpenAPI document (the subset of JSON Schema
/// it uses: `$ref`, `type` and type lists, `properties`, `required`,
/// `additionalProperties: false`, `items`, `minimum` and `maximum`).
pub fn conforms(
    doc: &serde_json::Value,
    schema: &serde_json::Value,
    v: &serde_json::Value,
    at: &str,
) -> Result<(), String> {
    if let Some(r) = schema.get("$ref").and_then(|r| r.as_str()) {
        let name = r.strip_prefix("#/components/schemas/").ok_or(r)?;
        let target = &doc["components"]["schemas"][name];
        if target.is_null() {
            return Err(format!("{at}: no schema {name}"));
        }
        return conforms(doc, target, v, at);
    }
    if let Some(t) = schema.get("type") {
        let types: Vec<&str> = match t {
            serde_json::Value::String(s) => vec![s.as_str()],
            serde_json::Value::Array(a) => a.iter().filter_map(|x| x.as_str()).collect(),
            _ => return Err(format!("{at}: bad type {t}")),
        };
        let ok = types.iter().any(|t| match *t {
            "integer" => v.is_i64() || v.is_u64(),
            "number" => v.is_number(),
            "string" => v.is_string(),
            "boolean" => v.is_boolean(),
            "null" => v.is_null(),
            "object" => v.is_object(),
            "array" => v.is_array(),
            _ => false,
        });
        if !ok {
            return Err(format!("{at} = {v} is not {types:?}"));
        }
    }
    if let Some(n) = v.as_f64()
        && (schema["minimum"].as_f64().is_some_and(|m| n < m)
            || schema["maximum"].as_f64().is_some_and(|m| n > m))
    {
        return Err(format!("{at} = {n} is out of range"));
    }
    if let Some(obj) = v.as_object() {
        let props = schema.get("properties").and_then(|p| p.as_object());
        for name in schema["required"].as_array().into_iter().flatten() {
            let name = name.as_str().unwrap();
            if !obj.contains_key(name) {
                return Err(format!("{at}: missing {name}"));
            }
        }
        for (key, value) in obj {
            match props.and_then(|p| p.get(key)) {
                Some(s) => conforms(doc, s, value, &format!("{at}.{key}"))?,
                None if schema["additionalProperties"] == false => {
                    return Err(format!("{at}: unexpected field {key}"));
                }
                None => {}
            }
        }
    }
    if let (Some(items), Some(list)) = (schema.get("items"), v.as_array()) {
        for (i, it) in list.iter().enumerate() {
            conforms(doc, items, it, &format!("{at}[{i}]"))?;
        }
    }
    Ok(())
}

/// The schema the document gives for a path's reply with this status.
pub fn response_schema<'a>(
    doc: &'a serde_json::Value,
    path: &str,
    status: StatusCode,
) -> &'a serde_json::Value {
    // Errors are problem details (RFC 9457), everything else plain JSON.
    let media = if status.is_success() {
        "application/json"
    } else {
        "application/problem+json"
    };
    let s = &doc["paths"][path]["get"]["responses"][status.as_str()]["content"][media]["schema"];
    assert!(!s.is_null(), "{path} {status} is described");
    s
}

#[tokio::test]
async fn the_api_answers_with_a_token_matches_its_openapi_document_and_never_leaks() {
    let db = TestDb::new().await;
    let q = bundled();
    fill_districts(&db.store, &q, &[2025, 2026], 13, |d, year| {
        if d == "city" && year == 2026 { 12 } else { 150 }
    })
    .await;
    // Ryd 2025 was a sample of 400 letters (the response-rates endpoint has a row).
    let ryd = db.store.wave("ryd", 2025).await.unwrap().unwrap();
    db.store
        .save_sample(
            ryd.id,
            &[trygg::fieldwork::sample::StratumCount {
                stratum: trygg::fieldwork::sample::ALL.into(),
                population: 9000,
                letters: 400,
            }],
            (0..400u32)
                .map(|i| {
                    (
                        i.to_be_bytes().to_vec(),
                        trygg::fieldwork::sample::ALL.to_string(),
                        trygg::store::CodeStatus::Unused,
                    )
                })
                .collect(),
        )
        .await
        .unwrap();
    // A measure between the two years, so the measures endpoint has rows.
    db.store
        .save_measures(
            &[trygg::analysis::Measure {
                id: "ryd-belysning-2026".into(),
                district: "ryd".into(),
                start: chrono::NaiveDate::from_ymd_opt(2026, 1, 15).unwrap(),
                category: "belysning".into(),
                title: "Belysning".into(),
                lag_months: 0,
                targets: vec!["P_BELYSNING".into()],
                version: None,
            }],
            false,
            "test",
        )
        .await
        .unwrap();
    let app = db.app();
    let (cookie, csrf, _) = session(&db, "admin@kommun.se", Role::Admin).await;
    // An analyst's token: it sees field work too (a reader's does not: tested below).
    let token = create_api_token(&app, &cookie, &csrf, "analyst&name=Power+BI").await;
    assert_eq!(token.len(), 64, "the token is shown once");
    let api = |path: &str, token: Option<&str>| {
        let mut r = Request::get(path);
        if let Some(t) = token {
            r = r.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        r.body(Body::empty()).unwrap()
    };
    // No token, a wrong one: 401.
    assert_eq!(
        send(&app, api("/api/v1/results", None)).await.status,
        StatusCode::UNAUTHORIZED
    );
    let wrong = "0".repeat(64);
    assert_eq!(
        send(&app, api("/api/v1/results", Some(&wrong)))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    // The document describes every route of /api/v1, and every reply conforms to it.
    let doc: serde_json::Value =
        serde_json::from_str(&get(&app, "/api/v1/openapi.json").await.body).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let mut paths: Vec<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    paths.sort_unstable();
    assert_eq!(
        paths,
        [
            "/api/v1/est/weeks",
            "/api/v1/measures",
            "/api/v1/response-rates",
            "/api/v1/results",
            "/api/v1/waves"
        ]
    );
    // (one accepted EST report, so the weeks endpoint has an item)
    let mut est = trygg::est::NewReport {
        district: "ryd".into(),
        place_id: None,
        other_place: None,
        day: chrono::NaiveDate::from_ymd_opt(2026, 1, 7).unwrap(),
        part_of_day: None,
        category: trygg::est::Category::Klotter,
        description: None,
        status: trygg::est::ReportStatus::Accepted,
        organisation: "Polisen".into(),
        created_by: None,
        source: trygg::est::Source::Web,
    };
    db.store.insert_est_report(&est).await.unwrap();
    est.district = "berga".into();
    db.store.insert_est_report(&est).await.unwrap();
    for path in &paths {
        // (the weeks endpoint needs its range of weeks)
        let base = if *path == "/api/v1/est/weeks" {
            "from=2026-W01&to=2026-W10&"
        } else {
            ""
        };
        let r = send(
            &app,
            api(&format!("{path}?{base}per_page=1000"), Some(&token)),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
        let page: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert!(
            page["items"].as_array().is_some_and(|i| !i.is_empty()),
            "{path} has items to check"
        );
        conforms(
            &doc,
            response_schema(&doc, path, StatusCode::OK),
            &page,
            path,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        for (status, req) in [
            (StatusCode::UNAUTHORIZED, api(path, None)),
            (
                StatusCode::BAD_REQUEST,
                api(&format!("{path}?{base}page=0"), Some(&token)),
            ),
        ] {
            let r = send(&app, req).await;
            assert_eq!(r.status, status, "{path}");
            let body: serde_json::Value = serde_json::from_str(&r.body).unwrap();
            conforms(&doc, response_schema(&doc, path, status), &body, path)
                .unwrap_or_else(|e| panic!("{e}"));
        }
    }
    // Malformed, unknown and misplaced parameters: a JSON error that names them, never
    // everything unfiltered.
    for (path, says) in [
        ("/api/v1/results?colour=red", "unknown field `colour`"),
        ("/api/v1/results?page=-1", "page"),
        ("/api/v1/results?year=twenty", "year"),
        (
            "/api/v1/measures?year=2026",
            "this endpoint has no year filter",
        ),
        (
            "/api/v1/waves?indicator=P_BELYSNING",
            "this endpoint has no indicator filter",
        ),
    ] {
        let r = send(&app, api(path, Some(&token))).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}");
        let body: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert!(
            body["detail"].as_str().unwrap().contains(says)
                && body["status"] == 400
                && body["title"] == "Bad Request",
            "{path}: {body}"
        );
    }
    // The check can fail: a row with a field the document does not have is refused.
    let item = &doc["components"]["schemas"]["Page_WaveItem"];
    let forged = serde_json::json!({"items": [{"district": "ryd", "year": 2026, "opens_on": "",
        "closes_on": "", "status": "open", "random_sample": false, "address": "x"}],
        "page": 1, "per_page": 1, "total": 1});
    assert!(conforms(&doc, item, &forged, "forged").is_err());
    // Routes under /api/v1 that the document does not describe do not exist.
    assert_eq!(
        send(&app, api("/api/v1/responses", Some(&token)))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Filters and pages.
    let r = send(
        &app,
        api(
            "/api/v1/results?district=ryd&year=2025&indicator=P_BELYSNING&group=all&kind=share",
            Some(&token),
        ),
    )
    .await;
    let page: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(page["total"], 1);
    assert!(page["items"][0]["estimate"].as_f64().is_some());
    let second: serde_json::Value = serde_json::from_str(
        &send(&app, api("/api/v1/results?per_page=7&page=2", Some(&token)))
            .await
            .body,
    )
    .unwrap();
    assert_eq!(second["items"].as_array().unwrap().len(), 7);
    assert_eq!(
        send(&app, api("/api/v1/results?per_page=5000", Some(&token)))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    // City 2026 is suppressed: no value for it, for any indicator.
    let r = send(
        &app,
        api(
            "/api/v1/results?district=city&year=2026&group=all&per_page=1000",
            Some(&token),
        ),
    )
    .await;
    let page: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    let items = page["items"].as_array().unwrap();
    assert!(items.iter().any(|it| it["suppressed"] == true));
    for it in items.iter().filter(|it| it["suppressed"] == true) {
        for key in [
            "estimate",
            "se",
            "ci_low",
            "ci_high",
            "n_eff",
            "level",
            "change_from_previous",
        ] {
            assert!(it[key].is_null(), "{key} of a suppressed row: {it}");
        }
    }
    // The report's leak test: the exact values an unsuppressed run gives for the suppressed
    // rows appear in no reply of the API, on any page, while a published value does.
    let mut open = trygg::analysis::Options::new(2025..=2026);
    open.min_n = 5.0;
    open.min_n_eff = 1.0;
    let unsuppressed = trygg::analysis::analyze(
        &db.store,
        &trygg::analysis::Inputs {
            districts: districts(),
            surveys: surveys_dir(),
        },
        &open,
    )
    .await
    .unwrap();
    let values = |pick: &dyn Fn(&trygg::analysis::ResultRow) -> bool| -> Vec<String> {
        unsuppressed
            .results
            .iter()
            // (index levels are means of a few whole levels, like 15/7, and recur in
            // other districts by chance: they are no fingerprint)
            .filter(|r| pick(r) && r.kind != trygg::analysis::Kind::Index)
            .flat_map(|r| [r.estimate, r.ci_low, r.ci_high, r.se])
            .flatten()
            // Values with few digits (0.5, 1) could be anything; the others are fingerprints.
            .map(|v| v.to_string())
            .filter(|v| v.len() > 8)
            .collect()
    };
    let hidden = values(&|r| r.year == 2026 && r.district.to_string() == "city");
    // (Ryd 2025: in 2026 a district beside the small City is hidden to protect it.)
    let published = values(&|r| {
        r.year == 2025
            && r.district.to_string() == "ryd"
            && r.group == trygg::analysis::Group::All
            && r.kind == trygg::analysis::Kind::Share
    });
    assert!(hidden.len() > 50 && !published.is_empty());
    let mut everything = String::new();
    for page in 1.. {
        let r = send(
            &app,
            api(
                &format!("/api/v1/results?per_page=1000&page={page}"),
                Some(&token),
            ),
        )
        .await;
        let body: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        everything.push_str(&r.body);
        if body["items"].as_array().unwrap().is_empty() {
            break;
        }
    }
    everything.push_str(
        &send(&app, api("/api/v1/measures?per_page=1000", Some(&token)))
            .await
            .body,
    );
    for v in &hidden {
        assert!(
            !everything.contains(v.as_str()),
            "suppressed value {v} in the API"
        );
    }
    assert!(published.iter().all(|v| everything.contains(v.as_str())));

    // Revoked: 401 from then on, and both changes are in the audit log.
    let id = db.store.api_tokens().await.unwrap()[0].id.clone();
    let r = send(
        &app,
        form(
            Some(&cookie),
            &format!("/personal/api/{id}/aterkalla"),
            format!("csrf={csrf}"),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        send(&app, api("/api/v1/waves", Some(&token))).await.status,
        StatusCode::UNAUTHORIZED
    );
    let actions = audit_actions(&db.store, None).await;
    assert!(
        actions.contains(&"API token created".to_string())
            && actions.contains(&"API token revoked".to_string())
    );
    // Only the token's hash is stored.
    let stored = db.stored_text().await;
    assert!(stored.contains("API token created") && !stored.contains(&token));
}

#[tokio::test]
async fn the_measures_register_keeps_its_history_and_the_report_says_which_version() {
    let db = TestDb::new().await;
    let q = bundled();
    fill_districts(&db.store, &q, &[2020, 2021], 17, |_, _| 120).await;
    let app = db.app();
    let (cookie, csrf, _) = session(&db, "analys@kommun.se", Role::Analyst).await;
    let page = send(
        &app,
        request(
            "GET",
            "/personal/atgarder",
            Some(&cookie),
            String::new(),
            "",
        ),
    )
    .await;
    assert!(
        page.body.contains("skaggetorp-belysning-2021") && page.body.contains("fil"),
        "the file's register before any edit"
    );
    // A bad edit: every fault listed, nothing stored.
    let bad = send(
        &app,
        form(
            Some(&cookie),
            "/personal/atgarder",
            encode(&[
                ("csrf", &csrf),
                ("id", "Ny Åtgärd"),
                ("district", "ryd"),
                ("start", "2021-13-01"),
                ("title", ""),
                ("category", "x"),
                ("targets", "P_BELYSNING, p_fel"),
            ]),
        ),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    for msg in [
        "Id: 1–80 tecken",
        "Start: ett datum",
        "Ange titel",
        "Målindikatorer: frågekoder",
    ] {
        assert!(bad.body.contains(msg), "{msg}");
    }
    assert!(!db.store.has_measures().await.unwrap());
    // The measure's page: a chart per target indicator (the analysis is now cached).
    let measure_page = "/personal/atgarder/skaggetorp-belysning-2021";
    let before = staff_get(&app, &cookie, measure_page).await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.body);
    assert_eq!(before.body.matches(r#"<figure class="chart""#).count(), 3);
    // The lighting measure gets one more target.
    let edit = encode(&[
        ("csrf", &csrf),
        ("id", "skaggetorp-belysning-2021"),
        ("district", "skaggetorp"),
        ("start", "2021-03-15"),
        ("category", "belysning"),
        (
            "title",
            "Ny belysning längs gång- och cykelvägar och i Skäggetorps centrum",
        ),
        ("targets", "P_BELYSNING, T_UTE_KVALL, T_UNDVIKER, P_BRAK"),
        ("lag", "0"),
    ]);
    let r = send(&app, form(Some(&cookie), "/personal/atgarder", edit)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let history = db
        .store
        .measure_history("skaggetorp-belysning-2021")
        .await
        .unwrap();
    assert_eq!(history.len(), 2, "the imported version and the edit");
    assert_eq!(
        history[0].targets,
        ["P_BELYSNING", "T_UTE_KVALL", "T_UNDVIKER"]
    );
    assert_eq!(history[1].targets.len(), 4);
    assert_eq!(
        history[1].version.as_ref().unwrap().edited_by,
        "analys@kommun.se"
    );
    // The analysis and the report use the current version and say which.
    let inputs = trygg::analysis::Inputs {
        districts: districts(),
        surveys: surveys_dir(),
    };
    let a = trygg::analysis::analyze(
        &db.store,
        &inputs,
        &trygg::analysis::Options::new(2020..=2021),
    )
    .await
    .unwrap();
    let m = a
        .register
        .iter()
        .find(|m| m.id == "skaggetorp-belysning-2021")
        .unwrap();
    assert_eq!(m.version.as_ref().unwrap().version, 2);
    assert!(
        a.measures
            .iter()
            .any(|r| r.measure == m.id && r.indicator == "P_BRAK" && r.target)
    );
    // A police reader sees the new version on the measure's page (not a stale analysis):
    // four target charts, the DiD of each from the measures table, and the history, but no
    // edit form.
    let (reader, _, _) = session(&db, "polis@polisen.se", Role::Reader).await;
    let after = staff_get(&app, &reader, measure_page).await;
    assert_eq!(after.status, StatusCode::OK);
    assert_eq!(after.body.matches(r#"<figure class="chart""#).count(), 4);
    let brak = a
        .measures
        .iter()
        .find(|r| r.measure == m.id && r.indicator == "P_BRAK")
        .unwrap();
    match brak.did {
        Some(did) => assert!(
            after
                .body
                .contains(&trygg::report::figures::signed_points(did))
        ),
        None => assert!(after.body.contains("för få svar")),
    }
    assert!(after.body.contains("Tidigare versioner"));
    assert!(!after.body.contains(r#"action="/personal/atgarder""#));
    let register = staff_get(&app, &reader, "/personal/atgarder").await;
    assert_eq!(register.status, StatusCode::OK);
    assert!(
        register
            .body
            .contains(r#"href="/personal/atgarder/skaggetorp-belysning-2021""#)
    );
    assert!(!register.body.contains(r#"action="/personal/atgarder""#));
    let out = db.dir.path().join("report");
    trygg::report::generate(
        &db.store,
        &inputs,
        &trygg::report::ReportOptions {
            year: 2021,
            compare: None,
            out: out.clone(),
        },
    )
    .await
    .unwrap();
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        html.contains("Åtgärdsregistret, version 2 (ändrad "),
        "the report names the register's version"
    );
    // Removing keeps the history.
    let remove = encode(&[
        ("csrf", &csrf),
        ("id", "ryd-vaktare-2024"),
        ("district", "ryd"),
        ("start", "2024-01-15"),
        ("category", "vaktare"),
        ("title", "Ordningsvakter"),
        ("remove", "1"),
    ]);
    let r = send(&app, form(Some(&cookie), "/personal/atgarder", remove)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        !db.store
            .measures()
            .await
            .unwrap()
            .iter()
            .any(|m| m.id == "ryd-vaktare-2024")
    );
    assert_eq!(
        db.store
            .measure_history("ryd-vaktare-2024")
            .await
            .unwrap()
            .len(),
        2
    );
    let log = audit_actions(&db.store, Some("analys@kommun.se")).await;
    assert!(
        log.contains(&"measure edited".to_string()) && log.contains(&"measure removed".to_string()),
        "{log:?}"
    );
}

#[tokio::test]
async fn an_analyst_generates_and_publishes_the_yearly_report_from_the_browser() {
    let db = TestDb::new().await;
    let q = bundled();
    fill_districts(&db.store, &q, &[2025, 2026], 19, |_, _| 120).await;
    let reports = db.dir.path().join("reports");
    let app = trygg::http::router(
        trygg::http::AppState::new(db.store.clone(), districts())
            .with_surveys(surveys_dir())
            .with_reports(&reports),
    );
    let (cookie, csrf, _) = session(&db, "analys@kommun.se", Role::Analyst).await;
    let list = staff_get(&app, &cookie, "/personal/rapporter").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("Ta fram och publicera 2026"));
    assert_eq!(
        get(&app, "/rapporter/2026/").await.status,
        StatusCode::NOT_FOUND
    );

    // Bad years change nothing.
    for year in ["2019", "", "2026; rm -rf /", "../../etc"] {
        let r = send(
            &app,
            form(
                Some(&cookie),
                "/personal/rapporter",
                encode(&[("csrf", &csrf), ("year", year)]),
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{year}");
        assert!(r.body.contains("är inget år med enkäter"), "{year}");
    }
    assert!(!reports.exists(), "nothing written");
    // Without the session's CSRF token: refused.
    let r = send(
        &app,
        form(
            Some(&cookie),
            "/personal/rapporter",
            "csrf=x&year=2026".into(),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(!reports.exists());

    let r = send(
        &app,
        form(
            Some(&cookie),
            "/personal/rapporter",
            encode(&[("csrf", &csrf), ("year", "2026")]),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body
            .contains("Rapporten för 2026 är publicerad på /rapporter/2026/")
    );
    let published = get(&app, "/rapporter/2026/").await;
    assert_eq!(published.status, StatusCode::OK);
    assert!(published.body.contains("2026"));
    assert!(
        get(&app, "/rapporter")
            .await
            .body
            .contains(r#"href="/rapporter/2026/""#)
    );
    // The same report as the command line's.
    let cli = db.dir.path().join("cli-2026");
    trygg::report::generate(
        &db.store,
        &trygg::analysis::Inputs {
            districts: districts(),
            surveys: surveys_dir(),
        },
        &trygg::report::ReportOptions {
            year: 2026,
            compare: None,
            out: cli.clone(),
        },
    )
    .await
    .unwrap();
    assert_eq!(
        std::fs::read(cli.join("index.html")).unwrap(),
        std::fs::read(reports.join("2026/index.html")).unwrap()
    );
    let log = db
        .store
        .audit_log(Some("analys@kommun.se"), Some("report generated"))
        .await
        .unwrap();
    assert_eq!(log.len(), 1);
    assert!(log[0].detail.contains("2026"));
    // A reader may read the report but not make one.
    let (reader, reader_csrf, _) = session(&db, "polis@polisen.se", Role::Reader).await;
    let r = send(
        &app,
        form(
            Some(&reader),
            "/personal/rapporter",
            encode(&[("csrf", &reader_csrf), ("year", "2025")]),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(!reports.join("2025").exists());
}

#[tokio::test]
async fn the_api_speaks_json_whatever_the_client_sends() {
    let db = TestDb::new().await;
    let q = bundled();
    fill_districts(&db.store, &q, &[2026], 3, |_, _| 60).await;
    let token = api_key(&db.store, Role::Analyst, None, 365, "admin@x.se").await;
    let app = db.app();
    let call = |method: &str, path: &str, headers: &[(&str, &str)]| {
        let mut r = Request::builder().method(method).uri(path);
        r = r.header(header::AUTHORIZATION, format!("Bearer {token}"));
        for (k, v) in headers {
            r = r.header(*k, *v);
        }
        r.body(Body::empty()).unwrap()
    };
    // Browsers, Power BI and HTTP libraries send Accept-Language: the answer is the same.
    let plain = send(&app, call("GET", "/api/v1/waves", &[])).await;
    assert_eq!(plain.status, StatusCode::OK, "{}", plain.body);
    for headers in [
        &[("accept-language", "sv-SE,sv;q=0.9,en;q=0.8")][..],
        &[("accept-language", "ar")],
        &[("accept", "text/html"), ("accept-language", "fa-IR")],
    ] {
        let r = send(&app, call("GET", "/api/v1/waves", headers)).await;
        assert_eq!(r.status, StatusCode::OK, "{headers:?}: {}", r.body);
        assert_eq!(r.body, plain.body, "{headers:?}");
    }
    // Every error is problem details, also where no handler answered.
    for (method, path, status) in [
        ("GET", "/api/v1/nothing-here", StatusCode::NOT_FOUND),
        ("POST", "/api/v1/waves", StatusCode::METHOD_NOT_ALLOWED),
        ("GET", "/api/v1/results?page=zero", StatusCode::BAD_REQUEST),
    ] {
        let r = send(&app, call(method, path, &[("accept-language", "sv")])).await;
        assert_eq!(r.status, status, "{method} {path}: {}", r.body);
        assert_eq!(
            r.headers[header::CONTENT_TYPE],
            "application/problem+json",
            "{method} {path}"
        );
        let body: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(body["status"], status.as_u16(), "{body}");
        assert_eq!(body["type"], "about:blank");
        assert!(body["detail"].as_str().is_some_and(|d| !d.is_empty()));
    }
    // Without a token: 401, problem details, and the scheme to use.
    let r = send(
        &app,
        Request::get("/api/v1/waves").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.headers[header::WWW_AUTHENTICATE], "Bearer");
    assert_eq!(r.headers[header::CONTENT_TYPE], "application/problem+json");
}

#[tokio::test]
async fn a_readers_token_sees_no_field_work_and_small_counts_are_never_given() {
    let db = TestDb::new().await;
    let q = bundled();
    fill_districts(&db.store, &q, &[2026], 5, |_, _| 40).await;
    // Ryd 2026: 100 letters, 3 answered on the web and 60 on paper.
    let ryd = db.store.wave("ryd", 2026).await.unwrap().unwrap();
    let status = |i: u32| match i {
        0..3 => trygg::store::CodeStatus::Web,
        3..63 => trygg::store::CodeStatus::Paper,
        _ => trygg::store::CodeStatus::Unused,
    };
    db.store
        .save_sample(
            ryd.id,
            &[trygg::fieldwork::sample::StratumCount {
                stratum: trygg::fieldwork::sample::ALL.into(),
                population: 5000,
                letters: 100,
            }],
            (0..100u32)
                .map(|i| {
                    (
                        i.to_be_bytes().to_vec(),
                        trygg::fieldwork::sample::ALL.to_string(),
                        status(i),
                    )
                })
                .collect(),
        )
        .await
        .unwrap();
    let app = db.app();
    let mut tokens = Vec::new();
    for role in [Role::Reader, Role::Analyst, Role::Admin] {
        let token = api_key(&db.store, role, None, 365, "a@x.se").await;
        tokens.push((role, token));
    }
    let call = |token: &str| {
        Request::get("/api/v1/response-rates?district=ryd")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap()
    };
    for (role, token) in &tokens {
        let r = send(&app, call(token)).await;
        let body: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        if *role == Role::Reader {
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
            assert!(body["detail"].as_str().unwrap().contains("field work"));
            assert!(!r.body.contains("\"web\""));
            continue;
        }
        assert_eq!(r.status, StatusCode::OK, "{role:?}: {}", r.body);
        let item = &body["items"][0];
        assert_eq!(item["letters"], 100);
        assert_eq!(item["paper"], 60, "{item}");
        // 3 on the web is under 5: neither it nor a rate that would give it back.
        assert!(item["web"].is_null() && item["rate"].is_null(), "{item}");
    }
}

#[tokio::test]
async fn an_invitation_offers_the_least_privileged_role_first() {
    let db = TestDb::new().await;
    let app = db.app();
    let (cookie, _, _) = session(&db, "admin@kommun.se", Role::Admin).await;
    let page = send(
        &app,
        request(
            "GET",
            "/personal/anvandare",
            Some(&cookie),
            String::new(),
            "",
        ),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    let invite = page
        .body
        .split(r#"<button type="submit">Bjud in</button>"#)
        .next()
        .unwrap();
    assert!(
        invite.contains(r#"<option value="reader" selected>"#),
        "{invite}"
    );
    assert!(!invite.contains(r#"<option value="admin" selected>"#));
}

#[tokio::test]
async fn the_keys_of_a_disabled_account_stop_working_at_once() {
    let db = TestDb::new().await;
    let q = bundled();
    fill_districts(&db.store, &q, &[2026], 3, |_, _| 40).await;
    let app = db.app();
    let (cookie, csrf, id) = session(&db, "analys@kommun.se", Role::Admin).await;
    let token = create_api_token(&app, &cookie, &csrf, "analyst&name=BI").await;
    let call = || {
        Request::get("/api/v1/waves")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap()
    };
    assert_eq!(send(&app, call()).await.status, StatusCode::OK);
    // Another administrator disables the account that made the key: it stops, unrevoked.
    db.store
        .update_staff(id, Role::Admin, true, "chef@kommun.se")
        .await
        .unwrap();
    let r = send(&app, call()).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    assert_eq!(r.headers[header::CONTENT_TYPE], "application/problem+json");
    // Enabled again, the key works again (it was never revoked).
    db.store
        .update_staff(id, Role::Admin, false, "chef@kommun.se")
        .await
        .unwrap();
    assert_eq!(send(&app, call()).await.status, StatusCode::OK);
    // Demoted from administrator, the account's keys stop too; refused again and again,
    // the refusal is written once a minute.
    db.store
        .update_staff(id, Role::Analyst, false, "chef@kommun.se")
        .await
        .unwrap();
    for _ in 0..3 {
        let r = send(&app, call()).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(r.body.contains("no longer an administrator"), "{}", r.body);
    }
    let refused = db
        .store
        .audit_log(Some("api"), Some("API token refused"))
        .await
        .unwrap();
    // (Disabled or demoted is the same refusal within the minute: one line.)
    assert_eq!(refused.len(), 1, "{refused:?}");
}

/// What a refused staff post must leave as it was: the audit log (every change is logged),
/// the waves with their dates, the accounts and the API keys.
async fn staff_state(db: &TestDb) -> String {
    format!(
        "{:?}\n{:?}\n{:?}\n{}",
        db.store.audit_log(None, None).await.unwrap(),
        db.store.waves().await.unwrap(),
        db.store.staff_list().await.unwrap(),
        db.store.api_tokens().await.unwrap().len()
    )
}

#[tokio::test]
async fn every_staff_post_refuses_a_missing_token_a_cross_site_origin_and_a_wrong_role() {
    let db = TestDb::new().await;
    db.publish_open("ryd").await;
    let app = db.app();
    let wave = db.store.waves().await.unwrap()[0].id;
    let (admin, admin_csrf, _) = session(&db, "admin@kommun.se", Role::Admin).await;
    let (reader, reader_csrf, reader_id) = session(&db, "reader@kommun.se", Role::Reader).await;
    let posts: Vec<String> = ROUTES
        .iter()
        .filter(|(m, _)| *m == "POST")
        .map(|(_, p)| {
            p.replace("vagor/1/", &format!("vagor/{wave}/"))
                .replace("anvandare/1", &format!("anvandare/{reader_id}"))
        })
        .collect();
    assert!(posts.len() >= 13, "{posts:?}");
    // A body each route would act on, given a valid token.
    let body = |path: &str, csrf: &str| match path {
        "/personal/anvandare" => format!("csrf={csrf}&role=admin&email=mallory@example.se"),
        "/personal/api" => format!("csrf={csrf}&role=admin&name=stolen"),
        p if p.starts_with("/personal/anvandare/") => format!("csrf={csrf}&role=admin"),
        "/personal/atgarder" => format!(
            "csrf={csrf}&id=fake-1&district=ryd&start=2020-01-01&title=x&category=x&targets="
        ),
        _ => format!("csrf={csrf}&year=2020&wave={wave}"),
    };
    let before = staff_state(&db).await;
    for path in &posts {
        // 1. Signed in as an administrator, without the token, then with another's token.
        for token in ["", reader_csrf.as_str()] {
            let r = send(&app, form(Some(&admin), path, body(path, token))).await;
            assert_eq!(
                r.status,
                StatusCode::FORBIDDEN,
                "{path} with token {token:?}"
            );
            assert!(
                r.body.contains("Formuläret kunde inte tas emot"),
                "{path}: {}",
                r.body
            );
        }
        // 2. The right token, but the request comes from another site.
        for (name, value) in [
            ("origin", "https://evil.example"),
            ("sec-fetch-site", "cross-site"),
        ] {
            let mut req = form(Some(&admin), path, body(path, &admin_csrf));
            req.headers_mut().insert(name, value.parse().unwrap());
            let r = send(&app, req).await;
            assert_eq!(
                r.status,
                StatusCode::FORBIDDEN,
                "{path} with {name}: {value}"
            );
        }
        // 3. A reader with a reader's valid token, where readers may not post.
        if !path.contains("logga-ut") {
            let r = send(&app, form(Some(&reader), path, body(path, &reader_csrf))).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{path} as a reader");
            assert!(r.body.contains("Ingen behörighet"), "{path}: {}", r.body);
        }
        assert_eq!(staff_state(&db).await, before, "{path} changed something");
    }
    // Both sessions survived every refused logout.
    for cookie in [&admin, &reader] {
        let r = send(
            &app,
            request("GET", "/personal", Some(cookie), String::new(), ""),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn an_analyst_limited_to_a_district_reads_and_writes_only_its_data_on_every_route() {
    let db = TestDb::new().await;
    let q = bundled();
    fill_districts(&db.store, &q, &[2025, 2026], 11, |_, _| 200).await;
    let app = db.app();
    let only_ryd = ["ryd".to_string()];
    db.store
        .add_staff("polis@polisen.se", Role::Analyst, Some(&only_ryd), "test")
        .await
        .unwrap();
    let (cookie, csrf, _) = session(&db, "polis@polisen.se", Role::Analyst).await;
    let get = |path: &'static str| staff_get(&app, &cookie, path);

    // The explorer offers Ryd only, and no municipality total (it sums over the others).
    let page = get("/personal/resultat").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(r#"value="ryd""#));
    // Not even as the reference line of the comparison chart.
    assert!(!page.body.contains("Alla områden"), "{}", page.body);
    for other in ["berga", "city", "skaggetorp", "ALL"] {
        assert!(
            !page.body.contains(&format!(r#"value="{other}""#)),
            "{other}"
        );
    }
    for other in ["berga", "ALL"] {
        for path in ["/personal/resultat", "/personal/resultat.csv"] {
            let uri = format!("{path}?district={other}&indicator=P_BELYSNING");
            let r = send(&app, request("GET", &uri, Some(&cookie), String::new(), "")).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{uri}");
            assert!(
                r.body.contains(&format!("Okänt område: {other}")),
                "{uri}: {}",
                r.body
            );
        }
    }
    let csv = get("/personal/resultat.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    let body = csv.body.trim_start_matches('\u{feff}');
    assert!(
        body.lines().skip(1).all(|l| l.starts_with("ryd,")),
        "{body}"
    );
    assert!(body.lines().count() > 1);

    // The measures register: Ryd's measure only; another district's neither shown nor
    // writable, and its page refused.
    let register = get("/personal/atgarder").await;
    assert!(register.body.contains("ryd-vaktare-2024"));
    assert!(!register.body.contains("berga-faltassistenter-2023"));
    let refused = get("/personal/atgarder/berga-faltassistenter-2023").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("Utanför dina områden"));
    let before = staff_state(&db).await;
    let measures_before = db.store.has_measures().await.unwrap();
    for body in [
        // A new measure in another district.
        format!("csrf={csrf}&id=berga-ny&district=berga&start=2025-01-01&title=x&category=x"),
        // Another district's measure moved into Ryd (or removed).
        format!(
            "csrf={csrf}&id=berga-faltassistenter-2023&district=ryd&start=2025-01-01&title=x&category=x"
        ),
        format!(
            "csrf={csrf}&id=berga-faltassistenter-2023&district=ryd&start=2025-01-01&title=x&category=x&remove=1"
        ),
    ] {
        let r = send(
            &app,
            form(Some(&cookie), "/personal/atgarder", body.clone()),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{body}");
        assert!(r.body.contains("Utanför dina områden"));
    }
    // The yearly report covers every district: not built by a limited analyst.
    let r = send(
        &app,
        form(
            Some(&cookie),
            "/personal/rapporter",
            format!("csrf={csrf}&year=2026"),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(db.store.has_measures().await.unwrap(), measures_before);
    // Nothing changed but the audit log, which names each refusal.
    let refusals: Vec<String> = db
        .store
        .audit_log(Some("polis@polisen.se"), Some("scope refused"))
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.detail)
        .collect();
    for what in [
        "results: district berga",
        "results: district ALL",
        "measure berga-faltassistenter-2023",
        "measure berga-ny (berga)",
        "measure berga-faltassistenter-2023 (ryd)",
        "the yearly report (every district)",
    ] {
        assert!(refusals.iter().any(|d| d == what), "{what}: {refusals:?}");
    }
    // The same refusal again within a minute is not written twice (the CSV asked for the
    // same districts as the page; the last two posts were the same refusal).
    assert_eq!(refusals.len(), 6, "{refusals:?}");
    let after = staff_state(&db).await;
    let strip = |s: &str| s.split('\n').skip(1).collect::<Vec<_>>().join("\n");
    assert_eq!(strip(&after), strip(&before));

    // Ryd's own measure can be edited.
    let r = send(
        &app,
        form(
            Some(&cookie),
            "/personal/atgarder",
            format!("csrf={csrf}&id=ryd-vaktare-2024&district=ryd&start=2024-03-01&title=Väktare&category=bevakning&targets=P_OTRYGG_KVALL"),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}

#[tokio::test]
async fn api_keys_expire_are_logged_when_used_and_read_only_their_districts() {
    let db = TestDb::new().await;
    let q = bundled();
    fill_districts(&db.store, &q, &[2025, 2026], 11, |_, _| 200).await;
    let app = db.app();
    let call = |token: &str, path: &str| {
        Request::get(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap()
    };
    let json = |r: &Reply| serde_json::from_str::<serde_json::Value>(&r.body).unwrap();

    // A key that ended yesterday is refused, and the refusal is logged with why.
    let expired = api_key(&db.store, Role::Analyst, None, -1, "admin@kommun.se").await;
    let r = send(&app, call(&expired, "/api/v1/waves")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(json(&r)["detail"], "the token is expired");
    let log = db
        .store
        .audit_log(None, Some("API token refused"))
        .await
        .unwrap();
    assert!(
        log.iter().any(|e| e.detail.ends_with(": expired")),
        "{log:?}"
    );

    // A live key's use is recorded once a day, in the list and the log.
    let live = api_key(&db.store, Role::Analyst, None, 0, "admin@kommun.se").await;
    for _ in 0..3 {
        assert_eq!(
            send(&app, call(&live, "/api/v1/waves")).await.status,
            StatusCode::OK
        );
    }
    let used = db
        .store
        .audit_log(None, Some("API token used"))
        .await
        .unwrap();
    assert_eq!(used.len(), 1, "{used:?}");
    let day = today().format("%Y-%m-%d").to_string();
    let keys = db.store.api_tokens().await.unwrap();
    assert!(
        keys.iter()
            .any(|k| k.last_used_on.as_deref() == Some(day.as_str()))
    );

    // A key limited to Ryd sees Ryd only — no other district, no municipality total — and
    // asking for another district is refused and logged.
    let ryd = ["ryd".to_string()];
    let scoped = api_key(&db.store, Role::Analyst, Some(&ryd), 30, "admin@kommun.se").await;
    for path in [
        "/api/v1/results?per_page=1000",
        "/api/v1/waves",
        "/api/v1/measures",
        "/api/v1/response-rates",
    ] {
        let r = send(&app, call(&scoped, path)).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
        let items = json(&r)["items"].as_array().unwrap().clone();
        assert!(
            items.iter().all(|i| i["district"] == "ryd"),
            "{path}: {items:?}"
        );
        if path.contains("results") || path.contains("waves") {
            assert!(!items.is_empty(), "{path}");
        }
    }
    for path in [
        "/api/v1/results?district=berga",
        "/api/v1/results?district=ALL",
        "/api/v1/waves?district=city",
        "/api/v1/measures?district=skaggetorp",
    ] {
        let r = send(&app, call(&scoped, path)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(r.headers[header::CONTENT_TYPE], "application/problem+json");
    }
    let refused = db
        .store
        .audit_log(Some("api"), Some("scope refused"))
        .await
        .unwrap();
    assert_eq!(refused.len(), 4, "{refused:?}");
}

#[tokio::test]
async fn an_api_key_is_made_with_its_days_and_districts_and_bad_ones_store_nothing() {
    let db = TestDb::new().await;
    let app = db.app();
    let (cookie, csrf, _) = session(&db, "admin@kommun.se", Role::Admin).await;
    for bad in ["days=0", "days=731", "days=ett", "district=narnia"] {
        let body = format!("csrf={csrf}&role=reader&name=bi&{bad}");
        let r = send(&app, form(Some(&cookie), "/personal/api", body)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(r.body.contains("Ingen nyckel skapades"), "{bad}");
    }
    assert!(db.store.api_tokens().await.unwrap().is_empty());
    let body = format!("csrf={csrf}&role=reader&name=bi&days=30&district=ryd&district=berga");
    let r = send(&app, form(Some(&cookie), "/personal/api", body)).await;
    assert_eq!(r.status, StatusCode::OK);
    let keys = db.store.api_tokens().await.unwrap();
    assert_eq!(keys.len(), 1);
    // Thirty days, today the first of them.
    let until = (today() + chrono::Duration::days(29))
        .format("%Y-%m-%d")
        .to_string();
    assert_eq!(keys[0].expires_on, until);
    assert_eq!(
        keys[0].districts,
        Some(vec!["ryd".to_string(), "berga".to_string()])
    );
    assert!(
        r.body.contains(&until) && r.body.contains("ryd, berga"),
        "{}",
        r.body
    );
    // Without days, a year.
    let body = format!("csrf={csrf}&role=reader&name=bi2");
    send(&app, form(Some(&cookie), "/personal/api", body)).await;
    let year = (today() + chrono::Duration::days(364))
        .format("%Y-%m-%d")
        .to_string();
    assert!(
        db.store
            .api_tokens()
            .await
            .unwrap()
            .iter()
            .any(|k| k.expires_on == year)
    );
}

#[tokio::test]
async fn a_staff_upload_over_two_mebibytes_is_read() {
    let db = TestDb::new().await;
    let app = db.app();
    let (cookie, csrf, _) = session(&db, "admin@kommun.se", Role::Admin).await;
    // 3 MiB of scanning rows: more than axum's multipart default, less than the staff limit.
    let big = "x,".repeat(3 * 512 * 1024);
    let (body, ct) = multipart(&[("csrf", &csrf), ("wave", "")], Some(&big));
    let r = send(
        &app,
        request("POST", "/personal/falt/papper", Some(&cookie), body, &ct),
    )
    .await;
    // Read, and answered about its content (no sampled wave chosen), not "unreadable".
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(!r.body.contains("kunde inte läsas"));
}

#[tokio::test]
async fn a_report_for_a_year_still_open_is_published_only_as_preliminary() {
    let db = TestDb::new().await;
    let q = bundled();
    for d in ["skaggetorp", "berga", "city"] {
        let answers = trygg::demo::responses(&q, d, 2026, 5, 120).collect();
        fill_wave(&db.store, d, 2026, answers).await;
    }
    // Ryd's survey of 2026 takes answers for another month.
    let src = bundled_source();
    let open = trygg::store::NewWave {
        district: "ryd",
        year: 2026,
        questionnaire_code: "trygghet-2026",
        source: &src,
        opens_on: chrono::NaiveDate::from_ymd_opt(2026, 9, 1).unwrap(),
        closes_on: today() + chrono::Duration::days(30),
    };
    let answers: Vec<_> = trygg::demo::responses(&q, "ryd", 2026, 5, 120).collect();
    trygg::demo::publish_with_answers(&db.store, &open, answers, |_| {})
        .await
        .unwrap();
    let reports = db.dir.path().join("reports");
    let app = trygg::http::router(
        trygg::http::AppState::new(db.store.clone(), districts())
            .with_surveys(surveys_dir())
            .with_reports(&reports),
    );
    let (cookie, csrf, _) = session(&db, "analys@kommun.se", Role::Analyst).await;

    // The web: refused with why, nothing written, nothing logged.
    let post = |extra: &str| {
        form(
            Some(&cookie),
            "/personal/rapporter",
            format!("csrf={csrf}&year=2026{extra}"),
        )
    };
    let r = send(&app, post("")).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.contains("pågår fortfarande i Ryd"), "{}", r.body);
    assert!(!reports.join("2026").exists());
    assert!(
        audit_actions(&db.store, Some("analys@kommun.se"))
            .await
            .is_empty()
    );
    // Ticked: published, and the page says so at its top and in its title.
    let r = send(&app, post("&preliminary=1")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let page = std::fs::read_to_string(reports.join("2026/index.html")).unwrap();
    assert!(page.contains("<title>Preliminär: Trygghetsundersökning 2026</title>"));
    assert!(
        page.contains("Enkäten 2026 pågår fortfarande i Ryd"),
        "preliminary note"
    );
    let log = db
        .store
        .audit_log(None, Some("report generated"))
        .await
        .unwrap();
    assert!(log[0].detail.ends_with(", preliminary"), "{log:?}");

    // The command line: the same rule, the same mark.
    let cli = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_trygg"))
            .arg("--database")
            .arg(db.url())
            .arg("--surveys")
            .arg(surveys_dir())
            .args(args)
            .output()
            .unwrap()
    };
    let out = db.dir.path().join("cli-2026");
    let refused = cli(&["report", "--year", "2026", "--out", out.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("still open in Ryd") && text(&refused).contains("--preliminary"),
        "{}",
        text(&refused)
    );
    assert!(!out.exists());
    let made = cli(&[
        "report",
        "--year",
        "2026",
        "--preliminary",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(made.status.success(), "{}", text(&made));
    let page = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(page.contains("Preliminär"));
}

#[tokio::test]
async fn editing_a_measure_starts_from_its_values_and_a_refused_form_keeps_what_was_typed() {
    let db = TestDb::new().await;
    let app = db.app();
    let (cookie, csrf, _) = session(&db, "analys@kommun.se", Role::Analyst).await;
    let page = staff_get(&app, &cookie, "/personal/atgarder?andra=ryd-vaktare-2024").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains(r#"href="/personal/atgarder?andra=ryd-vaktare-2024#andra""#)
    );
    assert!(
        page.body.contains(r#"name="id" value="ryd-vaktare-2024""#),
        "{}",
        page.body
    );
    assert!(page.body.contains(r#"<option value="ryd" selected>"#));
    // A fault: the form comes back with every field as typed.
    let typed = format!(
        "csrf={csrf}&id=ryd-vaktare-2024&district=ryd&start=2024-13-01&title=Nya+v%C3%A4ktare&category=bevakning&targets=P_BELYSNING&lag=3"
    );
    let r = send(&app, form(Some(&cookie), "/personal/atgarder", typed)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body
            .contains("Start: ett datum som ÅÅÅÅ-MM-DD mellan år 2000 och 2100.")
    );
    for kept in [
        r#"name="start" value="2024-13-01""#,
        r#"name="title" value="Nya väktare""#,
        r#"name="targets" value="P_BELYSNING""#,
        r#"name="lag" min="0" max="60" value="3""#,
    ] {
        assert!(r.body.contains(kept), "{kept}");
    }
    assert!(!db.store.has_measures().await.unwrap(), "nothing saved");
}

#[tokio::test]
async fn the_overview_shows_each_district_on_a_card_with_what_needs_doing() {
    let db = TestDb::new().await;
    let year = chrono::Datelike::year(&today());
    // Ryd: a random sample closing in ten days with 20 of 1,000 letters answered.
    db.publish(
        "ryd",
        year,
        today() - chrono::Duration::days(20),
        today() + chrono::Duration::days(10),
    )
    .await;
    record_sample(&db.store, "ryd", year, 20, 1000).await;
    // Berga: an open link with two answers held for review.
    db.publish_open("berga").await;
    let berga = db.store.wave("berga", year).await.unwrap().unwrap();
    for _ in 0..2 {
        db.store
            .hold_response(
                &web_answer(berga.id),
                trygg::store::HoldReason::AddressLimit,
                None,
            )
            .await
            .unwrap();
    }
    // City: last year's wave, closed, and an older one that is not its card.
    fill_wave(&db.store, "city", year - 2, Vec::new()).await;
    fill_wave(&db.store, "city", year - 1, Vec::new()).await;
    let app = db.app();
    let (cookie, _, _) = session(&db, "admin@kommun.se", Role::Admin).await;
    let page = staff_get(&app, &cookie, "/personal/oversikt").await;
    assert_eq!(page.status, StatusCode::OK);
    let card = |district: &str| {
        page.body
            .split(r#"<section class="card""#)
            .skip(1)
            .find(|c| c.contains(&format!(r#"id="omrade-{district}""#)))
            .map(|c| c.split("</section>").next().unwrap().to_string())
            .unwrap_or_else(|| panic!("a card for {district}: {}", page.body))
    };
    let ryd = card("ryd");
    assert!(ryd.contains("10 dagar kvar"), "{ryd}");
    assert!(ryd.contains("<strong>2 %</strong> svarsfrekvens"), "{ryd}");
    assert!(
        ryd.contains(r#"<a href="/personal/falt">Svarsfrekvensen är 2 % med 10 dagar kvar: skicka påminnelser.</a>"#),
        "{ryd}"
    );
    let berga = card("berga");
    assert!(
        berga.contains(
            r#"<a href="/personal/granskning">&lt;5 svar via öppen länk väntar på granskning.</a>"#
        ),
        "{berga}"
    );
    assert!(berga.contains("självselekterade"), "{berga}");
    let city = card("city");
    assert!(city.contains(&format!("City {}", year - 1)), "{city}");
    assert!(
        city.contains("Stängd") && city.contains("Inget att åtgärda."),
        "{city}"
    );
    assert_eq!(page.body.matches(r#"<section class="card""#).count(), 3);
    // Every wave, with its strata, is a click away.
    assert!(
        page.body
            .contains("<summary>Alla enkäter, med svar per urvalsgrupp</summary>")
    );
    assert!(page.body.contains(&format!("<td>{}</td>", year - 2)));
}

#[tokio::test]
async fn publishing_lists_every_fault_at_once_and_publishes_nothing() {
    let db = TestDb::new().await;
    let app = db.app();
    let (cookie, csrf, _) = session(&db, "admin@kommun.se", Role::Admin).await;
    // Two faults in the file, no year, closing before opening, no district.
    let broken = bundled_source()
        .replacen(
            "counts = [\"ganska\", \"mycket\"], norm = 0.15",
            "counts = [\"ganska\", \"enormt\"], norm = 0.15",
            1,
        )
        .replacen(
            "code = \"T_OMRADET\"",
            "code = \"T_OMRADET\"\nnonsense = 1",
            1,
        );
    let fields = [
        ("csrf", csrf.as_str()),
        ("year", ""),
        ("opens", "2026-10-01"),
        ("closes", "2026-09-01"),
    ];
    let (body, ct) = multipart(&fields, Some(&broken));
    let r = send(
        &app,
        request("POST", "/personal/vagor", Some(&cookie), body, &ct),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let summary = r
        .body
        .split(r#"<div class="error-summary""#)
        .nth(1)
        .unwrap();
    let summary = summary.split("</div>").next().unwrap();
    for expected in [
        "Ange ett år mellan 2000 och 2100.",
        "Ange datum som ÅÅÅÅ-MM-DD, och stängning efter öppning.",
        "Välj minst ett område.",
        "enkätfilen:",
    ] {
        assert!(summary.contains(expected), "{expected}: {summary}");
    }
    assert!(summary.matches("<li>").count() >= 4, "{summary}");
    assert!(db.store.waves().await.unwrap().is_empty());
}

#[tokio::test]
async fn field_work_opens_on_the_newest_open_wave() {
    let db = TestDb::new().await;
    let year = chrono::Datelike::year(&today());
    // Older sampled waves, closed, and this year's open one in City.
    for (district, y) in [("ryd", year - 2), ("berga", year - 1)] {
        fill_wave(&db.store, district, y, Vec::new()).await;
        record_sample(&db.store, district, y, 0, 10).await;
    }
    db.publish_open("city").await;
    record_sample(&db.store, "city", year, 0, 10).await;
    let app = db.app();
    let (cookie, _, _) = session(&db, "admin@kommun.se", Role::Admin).await;
    let page = staff_get(&app, &cookie, "/personal/falt").await;
    assert_eq!(page.status, StatusCode::OK);
    // Every wave form's first choice (the browser's default) is City this year.
    let selects: Vec<&str> = page.body.split("<select").skip(1).collect();
    assert!(!selects.is_empty());
    for select in selects.iter().filter(|s| s.contains(r#"name="wave""#)) {
        let first = select.split("<option").nth(1).unwrap();
        assert!(first.contains(&format!(">City {year}</option>")), "{first}");
    }
}
