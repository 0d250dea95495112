//! Open links resist stuffing: one address posting hundreds of answers, or many addresses
//! posting the same answers, moves no result. The extra answers are stored apart, the
//! residents get a receipt that says they will be reviewed, and staff accept or discard them.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use trygg::auth::Role;

use crate::helpers::*;
use crate::staff::{form, session};

/// An answer to the open link: the whole questionnaire, its free text varied by `i`.
fn answers(i: usize) -> String {
    let mut fields = full_answers(&bundled());
    for (_, v) in fields.iter_mut() {
        if v == "Tunneln vid torget, åäö" {
            *v = format!("Plats {i}");
        }
    }
    encode_owned(&fields)
}

async fn post_from(app: &axum::Router, uri: &str, body: String, ip: &str) -> Reply {
    let mut req = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    let addr: std::net::SocketAddr = format!("{ip}:40000").parse().unwrap();
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo(addr));
    send(app, req).await
}

#[tokio::test]
async fn three_hundred_answers_from_one_address_count_five_and_the_rest_wait_for_review() {
    let db = TestDb::new().await;
    let year = db.publish_open("city").await;
    let wave = db.store.wave("city", year).await.unwrap().unwrap();
    let app = db.app();
    let path = format!("/s/city/{year}");
    let mut held = 0;
    for i in 0..300 {
        let r = post_from(&app, &path, answers(i), "203.0.113.7").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("Tack för dina svar!"));
        if r.body.contains("granskas innan de räknas") {
            held += 1;
        }
    }
    assert_eq!(held, 295);
    assert_eq!(db.store.count_responses(Some(wave.id)).await.unwrap(), 5);
    // A neighbour at another address is counted as usual.
    let r = post_from(&app, &path, answers(5000), "198.51.100.3").await;
    assert!(!r.body.contains("granskas"));
    assert_eq!(db.store.count_responses(Some(wave.id)).await.unwrap(), 6);
    // The same answers from three addresses: the third waits for review.
    for (n, ip) in ["192.0.2.1", "192.0.2.2", "192.0.2.3"].iter().enumerate() {
        let r = post_from(&app, &path, answers(7777), ip).await;
        assert_eq!(r.body.contains("granskas"), n == 2, "{ip}");
    }
    assert_eq!(db.store.count_responses(Some(wave.id)).await.unwrap(), 8);
    let counts = db.store.held_counts().await.unwrap();
    assert_eq!(counts.len(), 1);
    assert_eq!(
        (counts[0].address_limit, counts[0].identical_burst),
        (295, 1)
    );
    // No address is kept with them, held or not.
    let stored = db.stored_text().await;
    for ip in ["203.0.113.7", "198.51.100.3", "192.0.2.3"] {
        assert!(!stored.contains(ip), "{ip} stored");
    }

    // Staff see them, and only an administrator decides.
    let (reader, reader_csrf, _) = session(&db, "polis@polisen.se", Role::Reader).await;
    let refused = send(
        &app,
        form(
            Some(&reader),
            "/personal/granskning",
            format!("csrf={reader_csrf}&wave={}&action=accept", wave.id),
        ),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let (admin, csrf, _) = session(&db, "admin@kommun.se", Role::Admin).await;
    let page = send(
        &app,
        crate::staff::request(
            "GET",
            "/personal/granskning",
            Some(&admin),
            String::new(),
            "",
        ),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&format!("City {year}")), "{}", page.body);
    assert!(page.body.contains("295"));
    let bad = send(
        &app,
        form(
            Some(&admin),
            "/personal/granskning",
            format!("csrf={csrf}&action=accept"),
        ),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(db.store.count_responses(Some(wave.id)).await.unwrap(), 8);
    let accepted = send(
        &app,
        form(
            Some(&admin),
            "/personal/granskning",
            format!(
                "csrf={csrf}&wave={}&upto={}&action=accept",
                wave.id, counts[0].last_id
            ),
        ),
    )
    .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER);
    assert_eq!(db.store.count_responses(Some(wave.id)).await.unwrap(), 304);
    assert!(db.store.held_counts().await.unwrap().is_empty());
    assert!(
        audit_actions(&db.store, Some("admin@kommun.se"))
            .await
            .contains(&"held answers accepted".to_string())
    );
}

#[tokio::test]
async fn held_answers_can_be_discarded_and_no_limit_holds_nothing() {
    let db = TestDb::new().await;
    let year = db.publish_open("ryd").await;
    let wave = db.store.wave("ryd", year).await.unwrap().unwrap();
    let app = db.app();
    let path = format!("/s/ryd/{year}");
    for i in 0..8 {
        post_from(&app, &path, answers(i), "203.0.113.8").await;
    }
    assert_eq!(db.store.count_responses(Some(wave.id)).await.unwrap(), 5);
    // `--open-link-limit 0`: nothing is held.
    let open = trygg::http::router(
        trygg::http::AppState::new(db.store.clone(), districts()).with_open_link_limit(0),
    );
    for i in 0..20 {
        let r = post_from(&open, &path, answers(100), "203.0.113.8").await;
        assert!(!r.body.contains("granskas"), "{i}");
    }
    assert_eq!(db.store.count_responses(Some(wave.id)).await.unwrap(), 25);
    let upto = db.store.held_counts().await.unwrap()[0].last_id;
    // A wave that got a random sample meanwhile: its held answers can only be discarded.
    db.store
        .save_sample(
            wave.id,
            &[trygg::fieldwork::sample::StratumCount {
                stratum: trygg::fieldwork::sample::ALL.into(),
                population: 100,
                letters: 1,
            }],
            vec![(
                vec![1u8; 32],
                trygg::fieldwork::sample::ALL.into(),
                trygg::store::CodeStatus::Unused,
            )],
        )
        .await
        .unwrap();
    let refused = db
        .store
        .accept_held(wave.id, upto, today(), "admin@kommun.se")
        .await;
    assert!(
        matches!(&refused, Err(trygg::error::Error::Conflict(m)) if m.contains("urval")),
        "{refused:?}"
    );
    assert_eq!(db.store.count_responses(Some(wave.id)).await.unwrap(), 25);
    assert_eq!(
        db.store
            .discard_held(wave.id, upto, "admin@kommun.se")
            .await
            .unwrap(),
        3
    );
    assert!(db.store.held_counts().await.unwrap().is_empty());
    assert_eq!(db.store.count_responses(Some(wave.id)).await.unwrap(), 25);
}

#[tokio::test]
async fn an_installation_can_refuse_the_extra_answers_instead_of_holding_them() {
    let db = TestDb::new().await;
    let year = db.publish_open("city").await;
    let wave = db.store.wave("city", year).await.unwrap().unwrap();
    let app = trygg::http::router(
        trygg::http::AppState::new(db.store.clone(), districts())
            .with_open_link_limit(5)
            .with_open_link_excess(trygg::http::stuffing::Excess::Refuse),
    );
    let path = format!("/s/city/{year}");
    for i in 0..7 {
        let r = post_from(&app, &path, answers(i), "203.0.113.9").await;
        if i < 5 {
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            continue;
        }
        // Not stored and not held: the form again, with the answers and why.
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(r.headers.contains_key(header::RETRY_AFTER));
        assert!(r.body.contains("Dina svar är inte sparade"));
        assert!(
            r.body
                .contains("det här svaret togs inte emot. Inget sparades")
        );
        assert!(
            r.body.contains(&format!(">Plats {i}</textarea>")),
            "the answers are kept"
        );
        assert!(!r.body.contains("Tack för dina svar"));
    }
    assert_eq!(db.store.count_responses(Some(wave.id)).await.unwrap(), 5);
    assert!(db.store.held_counts().await.unwrap().is_empty());
}
