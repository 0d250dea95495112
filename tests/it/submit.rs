//! Submitting answers: a full questionnaire is stored whole; every bad input is refused
//! with a message and stores nothing.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{Datelike, Duration};

use crate::helpers::*;

async fn open_wave() -> (TestDb, String) {
    let db = TestDb::new().await;
    let year = db.publish_open("skaggetorp").await;
    (db, format!("/s/skaggetorp/{year}"))
}

#[tokio::test]
async fn a_full_answer_to_the_bundled_questionnaire_is_stored_and_acknowledged() {
    let (db, uri) = open_wave().await;
    let app = db.app();
    let q = bundled();
    let mut fields = full_answers(&q);
    fields[0].1 = "en".into();
    let reply = post_form(&app, &uri, encode_owned(&fields)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(reply.body.contains("Thank you for your answers!"));
    assert!(reply.body.contains(&format!("Received: {}", today())));

    // Read back through a fresh connection: what is on disk.
    let store = db.reopen().await;
    let wave = store
        .wave("skaggetorp", today().year())
        .await
        .unwrap()
        .unwrap();
    let stored = store.responses(wave.id).await.unwrap();
    assert_eq!(stored.len(), 1);
    let json: serde_json::Value = serde_json::from_str(&stored[0].answers).unwrap();
    let obj = json.as_object().unwrap();
    assert_eq!(obj.len(), q.questions.len(), "every question answered");
    assert_eq!(obj["P_BELYSNING"], "inget");
    assert_eq!(obj["B_AR_I_OMRADET"], 7);
    assert_eq!(
        obj["K_INFORMATION"],
        serde_json::json!(["grannar", "sociala_medier"])
    );
    assert_eq!(obj["F_OTRYGGA_PLATSER"], "Tunneln vid torget, åäö");
}

#[tokio::test]
async fn only_the_required_question_is_needed() {
    let (db, uri) = open_wave().await;
    let reply = post_form(&db.app(), &uri, "lang=sv&T_OMRADET=ganska_trygg").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(db.count().await, 1);
}

#[tokio::test]
async fn no_ip_address_or_user_agent_reaches_the_database() {
    let (db, uri) = open_wave().await;
    let req = Request::post(&uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::USER_AGENT, "UniqueAgent/7.7 (marker)")
        .header("x-forwarded-for", "203.0.113.77")
        .body(Body::from("lang=sv&T_OMRADET=ganska_trygg"))
        .unwrap();
    assert_eq!(send(&db.app(), req).await.status, StatusCode::OK);
    db.store.close().await;
    let text = db.stored_text().await;
    assert!(text.contains("ganska_trygg"), "the answer is stored");
    assert!(!text.contains("UniqueAgent") && !text.contains("203.0.113.77"));
}

/// Posts `body` and asserts the status, a message in the page, and that nothing was stored.
async fn refused(db: &TestDb, uri: &str, body: &[u8], status: StatusCode, message: &str) {
    let reply = post_form(&db.app(), uri, body.to_vec()).await;
    assert_eq!(
        reply.status,
        status,
        "{}: {}",
        String::from_utf8_lossy(body),
        reply.body
    );
    assert!(
        reply.body.contains(message),
        "expected {message:?} in {}",
        reply.body
    );
    assert_eq!(
        db.count().await,
        0,
        "nothing stored for {}",
        String::from_utf8_lossy(body)
    );
}

#[tokio::test]
async fn invalid_answers_come_back_with_messages_and_every_given_answer_kept() {
    let (db, uri) = open_wave().await;
    let base = "lang=en&T_OMRADET=ganska_trygg";
    let long = "x".repeat(1001);
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (
            format!("{base}&P_BELYSNING=enormt").into(),
            "The option &quot;enormt&quot; does not exist",
        ),
        (
            format!("{base}&B_AR_I_OMRADET=120").into(),
            "a whole number from 0 to 90",
        ),
        (
            format!("{base}&B_AR_I_OMRADET=tio").into(),
            "must be a whole number",
        ),
        (
            b"lang=en&P_BELYSNING=ganska".to_vec(),
            "This question must be answered",
        ),
        (
            format!("{base}&F_OTRYGGA_PLATSER={long}").into(),
            "at most 1000 characters",
        ),
        (
            format!("{base}&U_ANMALT=ej_utsatt&K_INFORMATION=grannar&K_INFORMATION=zzz").into(),
            "does not exist",
        ),
    ];
    for (body, message) in cases {
        refused(&db, &uri, &body, StatusCode::UNPROCESSABLE_ENTITY, message).await;
    }

    // The form comes back with the error summary linking to the question, the message
    // beside it, and what was answered still selected.
    let reply = post_form(
        &db.app(),
        &uri,
        "lang=en&P_BELYSNING=ganska&B_AR_I_OMRADET=12&F_OTRYGGA_PLATSER=Parken",
    )
    .await;
    assert!(reply.body.contains(r#"class="error-summary" role="alert""#));
    assert!(reply.body.contains(r##"<a href="#T_OMRADET-mycket_trygg">How safe do you feel in your neighbourhood as a whole?: This question must be answered.</a>"##), "{}", reply.body);
    assert!(reply.body.contains(
        r#"<p class="error-message" id="T_OMRADET-error">This question must be answered.</p>"#
    ));
    assert!(reply.body.contains(r#"value="ganska" checked>"#));
    assert!(reply.body.contains(r#"value="12""#));
    assert!(reply.body.contains(">Parken</textarea>"));
}

#[tokio::test]
async fn free_text_is_escaped_when_shown_again() {
    let (db, uri) = open_wave().await;
    let body = encode(&[
        ("lang", "sv"),
        ("F_OTRYGGA_PLATSER", "<script>alert(1)</script>"),
    ]);
    let reply = post_form(&db.app(), &uri, body).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!reply.body.contains("<script>alert(1)"));
    assert!(reply.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}

/// Why the form reader or the questionnaire check refuses a body outright.
fn malformed_reason(body: &[u8]) -> String {
    let fields = match trygg::http::form::parse(body) {
        Ok(f) => f,
        Err(e) => return e.0,
    };
    match trygg::questionnaire::validate(&bundled(), &fields) {
        Err(trygg::questionnaire::Rejection::Malformed(reason)) => reason,
        other => panic!("not malformed: {other:?}"),
    }
}

#[tokio::test]
async fn malformed_submissions_are_refused_and_store_nothing() {
    let (db, uri) = open_wave().await;
    let ok = "lang=sv&T_OMRADET=ganska_trygg";
    let many: String = (0..1200).map(|i| format!("&x{i}=1")).collect();
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (
            format!("{ok}&T_OMRADET=mycket_trygg").into(),
            "field \"T_OMRADET\" given twice",
        ),
        (
            format!("{ok}&K_INFORMATION=grannar&K_INFORMATION=grannar").into(),
            "given twice",
        ),
        (format!("{ok}&lang=en").into(), "given twice"),
        (format!("{ok}&ip=1.2.3.4").into(), "unknown field \"ip\""),
        (
            b"lang=sv&T_OMRADET=ganska_trygg&F_OTRYGGA_PLATSER=%FF%FE".to_vec(),
            "not valid UTF-8",
        ),
        (b"lang=sv&T_OMRADET=\xc3\x28".to_vec(), "not valid UTF-8"),
        (b"=x&T_OMRADET=ganska_trygg".to_vec(), "no name"),
        (format!("{ok}{many}").into(), "too many fields"),
    ];
    for (body, reason) in cases {
        // The reason is logged for the developer; the resident reads a plain message in
        // their own language, without it.
        assert!(malformed_reason(&body).contains(reason), "{reason}");
        refused(
            &db,
            &uri,
            &body,
            StatusCode::BAD_REQUEST,
            "Formuläret som skickades går inte att läsa, och inget har sparats.",
        )
        .await;
        let page = post_form(&db.app(), &uri, body.clone()).await.body;
        assert!(
            !page.contains("given twice") && !page.contains("UTF-8") && !page.contains("field"),
            "{page}"
        );
    }
    let huge = format!("{ok}&F_OTRYGGA_PLATSER={}", "a".repeat(70 * 1024));
    refused(
        &db,
        &uri,
        huge.as_bytes(),
        StatusCode::PAYLOAD_TOO_LARGE,
        "64 kB",
    )
    .await;
    let english = format!("/s/skaggetorp/{}?lang=en", today().year());
    refused(
        &db,
        &english,
        b"lang=en&T_OMRADET=ganska_trygg&ip=1",
        StatusCode::BAD_REQUEST,
        "The form that was sent cannot be read, and nothing has been saved.",
    )
    .await;
}

#[tokio::test]
async fn posts_from_other_sites_are_refused_and_store_nothing() {
    let (db, uri) = open_wave().await;
    let app = db.app();
    let post = |headers: &[(&str, &str)]| {
        let mut req = Request::post(format!("{uri}?lang=en"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::HOST, "trygg.test");
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.body(Body::from("lang=en&T_OMRADET=ganska_trygg"))
            .unwrap()
    };
    for evil in [
        &[
            ("origin", "https://evil.example"),
            ("sec-fetch-site", "cross-site"),
        ][..],
        &[("origin", "https://evil.example")],
        &[("sec-fetch-site", "cross-site")],
        &[("sec-fetch-site", "same-site")],
        &[("origin", "null")],
    ] {
        let reply = send(&app, post(evil)).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{evil:?}");
        assert!(
            reply.body.contains("The answers came from another website"),
            "{evil:?}"
        );
        assert!(reply.body.contains("nothing has been saved"));
    }
    assert_eq!(db.count().await, 0);
    // Same-origin browsers, old browsers and curl-like clients are served.
    for fine in [
        &[
            ("sec-fetch-site", "same-origin"),
            ("origin", "http://trygg.test"),
        ][..],
        &[("origin", "http://trygg.test")],
        &[],
    ] {
        let reply = send(&app, post(fine)).await;
        assert_eq!(reply.status, StatusCode::OK, "{fine:?}: {}", reply.body);
    }
    assert_eq!(db.count().await, 3);

    // Behind a proxy that rewrites Host, the configured public origin is same-origin, and
    // an https origin brings HSTS.
    let origin = trygg::http::PublicOrigin::parse("https://trygg.example.se").unwrap();
    let app = trygg::http::router(
        trygg::http::AppState::new(db.store.clone(), districts()).with_origin(Some(origin)),
    );
    let reply = send(&app, post(&[("origin", "https://trygg.example.se")])).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.headers[header::STRICT_TRANSPORT_SECURITY],
        "max-age=31536000"
    );
}

#[tokio::test]
async fn pages_with_forms_or_answers_are_never_cached() {
    let (db, uri) = open_wave().await;
    let app = db.app();
    let form = get(&app, &uri).await;
    let invalid = post_form(&app, &uri, "lang=sv&P_BELYSNING=ganska").await;
    let receipt = post_form(&app, &uri, "lang=sv&T_OMRADET=ganska_trygg").await;
    let home = get(&app, "/").await;
    for (what, reply, status) in [
        ("form", &form, 200),
        ("422", &invalid, 422),
        ("receipt", &receipt, 200),
        ("home", &home, 200),
    ] {
        assert_eq!(reply.status.as_u16(), status, "{what}");
        assert_eq!(reply.headers[header::CACHE_CONTROL], "no-store", "{what}");
    }
    assert!(!home.headers.contains_key(header::STRICT_TRANSPORT_SECURITY));
}

#[tokio::test]
async fn an_unreadable_path_gets_trygg_s_own_400_page() {
    let (db, _) = open_wave().await;
    let app = db.app();
    for path in [
        "/s/%FF%FE/2026?lang=en",
        "/rapporter/%C3%28/index.html?lang=en",
    ] {
        let reply = get(&app, path).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{path}");
        assert!(
            reply.body.contains("The address cannot be read"),
            "{path}: {}",
            reply.body
        );
        assert!(reply.body.contains("<html lang=\"en\""), "{path}");
    }
    let reply = post_form(&app, "/s/%FF/2026", "lang=sv&T_OMRADET=ganska_trygg").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.body.contains("Adressen går inte att läsa"));
    assert_eq!(db.count().await, 0);
}

#[tokio::test]
async fn invisible_format_characters_are_stripped_from_free_text() {
    let (db, uri) = open_wave().await;
    // A right-to-left override that would show "exe.gpj" as "jpg.exe", a zero-width space,
    // a byte-order mark and an invisible tag; the Persian zero-width non-joiner stays.
    let text = "Tunneln\u{202E}exe.gpj\u{202C} vid\u{200B} torget\u{FEFF}\u{E0041} می\u{200C}خواهم";
    let body = encode(&[
        ("lang", "sv"),
        ("T_OMRADET", "ganska_trygg"),
        ("F_OTRYGGA_PLATSER", text),
    ]);
    assert_eq!(
        post_form(&db.app(), &uri, body).await.status,
        StatusCode::OK
    );
    let store = db.reopen().await;
    let wave = store
        .wave("skaggetorp", today().year())
        .await
        .unwrap()
        .unwrap();
    let stored = store.responses(wave.id).await.unwrap();
    let json: serde_json::Value = serde_json::from_str(&stored[0].answers).unwrap();
    assert_eq!(
        json["F_OTRYGGA_PLATSER"],
        "Tunnelnexe.gpj vid torget می\u{200C}خواهم"
    );
}

#[tokio::test]
async fn a_body_that_is_not_a_form_is_refused() {
    let (db, uri) = open_wave().await;
    let req = Request::post(&uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"T_OMRADET":"ganska_trygg"}"#))
        .unwrap();
    let reply = send(&db.app(), req).await;
    assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(
        reply.body.contains("nothing has been saved") || reply.body.contains("inget har sparats")
    );
    assert_eq!(db.count().await, 0);
}

#[tokio::test]
async fn answers_to_a_closed_or_unknown_wave_are_refused() {
    let db = TestDb::new().await;
    let year = today().year();
    db.publish(
        "city",
        year,
        today() - Duration::days(30),
        today() - Duration::days(1),
    )
    .await;
    db.publish(
        "ryd",
        year,
        today() + Duration::days(1),
        today() + Duration::days(30),
    )
    .await;
    let app = db.app();
    let ok = "lang=en&T_OMRADET=ganska_trygg";
    let closed = post_form(&app, &format!("/s/city/{year}"), ok).await;
    assert_eq!(closed.status, StatusCode::FORBIDDEN);
    assert!(
        closed.body.contains("The survey is closed") || closed.body.contains("Enkäten är stängd")
    );
    let early = post_form(&app, &format!("/s/ryd/{year}"), ok).await;
    assert_eq!(early.status, StatusCode::FORBIDDEN);
    let unknown = post_form(&app, &format!("/s/berga/{year}?lang=en"), ok).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(unknown.body.contains("Page not found"));
    assert_eq!(db.count().await, 0);
}
