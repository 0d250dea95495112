//! The questionnaire page by page: a resident with a letter's code leaves after a page and
//! comes back with the code; an open-link resident with the resume link; switching
//! language on any page keeps every answer; errors come first, in the resident's language;
//! drafts are written before the next page, deleted with the answer and with the wave, and
//! never counted; hostile posts change nothing.

use axum::http::StatusCode;
use chrono::Duration;
use trygg::questionnaire::paging::Parts;

use crate::fieldwork::{Year, answer, post_from};
use crate::helpers::*;

/// The question codes of each page of the bundled questionnaire.
fn pages() -> Vec<Vec<String>> {
    let q = bundled();
    let parts = Parts::new(&q);
    (0..parts.len())
        .map(|p| {
            let section = parts.section(p).unwrap();
            q.questions_in(&section.code)
                .map(|x| x.code.clone())
                .collect()
        })
        .collect()
}

/// A complete answer's fields (without `lang`) for page `part`.
fn answers_for(part: usize) -> Vec<(String, String)> {
    let wanted = &pages()[part];
    full_answers(&bundled())
        .into_iter()
        .filter(|(k, _)| wanted.contains(k))
        .collect()
}

/// The body of a page's post: its answers, the page and the button.
fn page_post(lang: &str, part: usize, go: &str, answers: &[(String, String)]) -> String {
    let mut fields = vec![
        ("lang".to_string(), lang.to_string()),
        ("part".to_string(), part.to_string()),
        ("go".to_string(), go.to_string()),
    ];
    fields.extend(answers.iter().cloned());
    encode_owned(&fields)
}

/// Posts a page and follows the redirect, as a browser does: the page shown next.
async fn step(app: &axum::Router, at: &str, body: String) -> (String, Reply) {
    let posted = post_form(app, at, body).await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.body);
    let to = posted.headers["location"].to_str().unwrap().to_string();
    let shown = get(app, &to).await;
    assert_eq!(shown.status, StatusCode::OK, "{to}: {}", shown.body);
    (to, shown)
}

/// The address without its query.
fn path(to: &str) -> String {
    to.split('?').next().unwrap().to_string()
}

/// Every page of the questionnaire as a resident sees it going on with complete answers:
/// the question pages, then the check page.
pub async fn walk(app: &axum::Router, start: &str, lang: &str) -> Vec<String> {
    let mut shown = vec![get(app, &format!("{start}?lang={lang}")).await.body];
    let mut at = start.to_string();
    for part in 0..pages().len() {
        let (to, page) = step(app, &at, page_post(lang, part, "next", &answers_for(part))).await;
        at = path(&to);
        shown.push(page.body);
    }
    shown
}

/// An open Ryd wave on a database whose commits can be made to fail.
async fn faulty_ryd() -> (TestDb, trygg::store::Faults, i32) {
    let faults = trygg::store::Faults::default();
    let db = TestDb::with_options(trygg::store::StoreOptions {
        faults: Some(faults.clone()),
        ..Default::default()
    })
    .await;
    let year = db.publish_open("ryd").await;
    (db, faults, year)
}

async fn drafts(db: &TestDb) -> i64 {
    db.store.count_drafts(None).await.unwrap()
}

#[tokio::test]
async fn a_letter_code_resident_leaves_after_page_two_and_continues_with_the_code() {
    let y = Year::new().await;
    let codes = y.sample(40, "41");
    let code = codes[0].as_str().to_string();
    let app = y.app();
    let at = format!("/k/{code}");
    let first = get(&app, &format!("{at}?lang=sv")).await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(first.body.contains("Del 1 av 6"), "{}", first.body);
    assert!(first.body.contains(r#"<progress value="0" max="6""#));
    assert!(first.body.contains(r#"name="P_BELYSNING""#));
    assert!(
        !first.body.contains(r#"name="T_OMRADET""#),
        "one part per page"
    );
    assert!(first.body.contains("skriva in koden i brevet igen"));
    assert_eq!(drafts(&y.db).await, 0, "looking writes nothing");

    // Page 1 and 2, then the resident leaves.
    let mut chosen = answers_for(0);
    chosen.retain(|(k, _)| k != "P_BELYSNING");
    chosen.push(("P_BELYSNING".into(), "mycket".into()));
    let (to, second) = step(&app, &at, page_post("sv", 0, "next", &chosen)).await;
    assert_eq!(to, format!("{at}?lang=sv"));
    assert!(second.body.contains("Del 2 av 6"));
    assert_eq!(
        drafts(&y.db).await,
        1,
        "written before the next page is shown"
    );
    let (_, third) = step(&app, &at, page_post("sv", 1, "next", &answers_for(1))).await;
    assert!(third.body.contains("Del 3 av 6"));
    // The draft is kept under its own hash, never the code's.
    assert_eq!(
        y.db.scalar("select count(*) from drafts d join codes c on c.hash = d.hash")
            .await,
        0
    );
    assert!(!y.db.stored_text().await.contains(&code));

    // Another browser, the code typed on the start page: where it stopped, answers kept.
    let fresh = y.app();
    let typed = post_form(&fresh, "/k", format!("lang=sv&kod={}", codes[0].grouped())).await;
    assert_eq!(typed.status, StatusCode::SEE_OTHER);
    let back = get(&fresh, typed.headers["location"].to_str().unwrap()).await;
    assert!(back.body.contains("Del 3 av 6"), "{}", back.body);
    let scanned = get(&fresh, &at).await;
    assert!(
        scanned.body.contains("Del 3 av 6"),
        "the QR link, in the draft's language"
    );
    let (_, page1) = step(&fresh, &at, page_post("sv", 2, "back", &[])).await;
    let (_, page0) = step(&fresh, &at, page_post("sv", 1, "back", &answers_for(1))).await;
    assert!(page1.body.contains("Del 2 av 6"));
    assert!(
        page0.body.contains(r#"value="mycket" checked"#),
        "answers kept"
    );

    // On to the end: the check page lists the answers; sending stores them and the draft goes.
    for part in 0..6 {
        let answers = if part == 0 {
            chosen.clone()
        } else {
            answers_for(part)
        };
        step(&fresh, &at, page_post("sv", part, "next", &answers)).await;
    }
    let check = get(&fresh, &at).await;
    assert!(check.body.contains("Kontrollera dina svar"));
    assert!(check.body.contains("<dd>Mycket stort problem</dd>"));
    let sent = post_form(&fresh, &at, page_post("sv", 6, "send", &[])).await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert!(sent.body.contains("Tack för dina svar!"));
    assert_eq!(drafts(&y.db).await, 0, "no draft remains");
    let wave = y.db.store.wave("ryd", y.year).await.unwrap().unwrap();
    let stored = y.db.store.responses(wave.id).await.unwrap();
    assert_eq!(stored.len(), 1);
    let json: serde_json::Value = serde_json::from_str(&stored[0].answers).unwrap();
    assert_eq!(json["P_BELYSNING"], "mycket");
    assert_eq!(json.as_object().unwrap().len(), bundled().questions.len());
    // The code has given its answer.
    assert_eq!(get(&fresh, &at).await.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn switching_language_on_every_page_keeps_every_answer() {
    let db = TestDb::new().await;
    let year = db.publish_open("berga").await;
    let app = db.app();
    let mut at = format!("/s/berga/{year}");
    let langs = ["en", "ar", "so", "fa", "ti", "prs"];
    for (part, lang) in langs.into_iter().enumerate() {
        let answers = answers_for(part);
        let (to, shown) = step(
            &app,
            &at,
            page_post("sv", part, &format!("lang:{lang}"), &answers),
        )
        .await;
        at = path(&to);
        assert!(to.ends_with(&format!("?lang={lang}")), "{to}");
        assert!(shown.body.contains(&format!(r#"<html lang="{lang}""#)));
        for (code, value) in &answers {
            let checked = format!(r#"name="{code}" value="{value}" checked"#);
            let typed = format!(">{value}</textarea>");
            let number = format!(r#"value="{value}""#);
            assert!(
                shown.body.contains(&checked)
                    || shown.body.contains(&typed)
                    || shown.body.contains(&number),
                "page {part} in {lang} lost {code}={value}"
            );
        }
        step(&app, &at, page_post(lang, part, "next", &answers)).await;
    }
    let sent = post_form(&app, &at, page_post("prs", 6, "send", &[])).await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    let wave = db.store.wave("berga", year).await.unwrap().unwrap();
    let stored = db.store.responses(wave.id).await.unwrap();
    let json: serde_json::Value = serde_json::from_str(&stored[0].answers).unwrap();
    let whole = full_answers(&bundled());
    assert_eq!(
        json["K_INFORMATION"],
        serde_json::json!(["grannar", "sociala_medier"])
    );
    assert_eq!(
        json.as_object().unwrap().len(),
        bundled().questions.len(),
        "{whole:?}"
    );
    assert_eq!(drafts(&db).await, 0);
}

#[tokio::test]
async fn a_page_with_errors_puts_the_summary_first_in_the_residents_language() {
    let db = TestDb::new().await;
    let year = db.publish_open("ryd").await;
    let app = db.app();
    let at = format!("/s/ryd/{year}");
    let mut at_now = at.clone();
    for part in 0..3 {
        let (to, _) = step(
            &app,
            &at_now,
            page_post("en", part, "next", &answers_for(part)),
        )
        .await;
        at_now = path(&to);
    }
    // Page 4 holds the one required question; sent without it, and with a bad number.
    for (lang, message) in [
        ("en", "This question must be answered."),
        ("ar", "يجب الإجابة عن هذا السؤال."),
    ] {
        let reply = post_form(&app, &at_now, page_post(lang, 3, "next", &[])).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        let body = &reply.body;
        let summary = body.find(r#"class="error-summary""#).expect("a summary");
        assert!(
            summary < body.find("<form").unwrap(),
            "the summary comes before the form"
        );
        assert!(
            body.contains(r#"id="error-summary" autofocus"#),
            "it takes the focus"
        );
        assert!(
            body.contains(r##"<a href="#T_OMRADET-mycket_trygg">"##),
            "it links to the field"
        );
        assert!(
            body.contains(&format!(
                r#"<p class="error-message" id="T_OMRADET-error">{message}</p>"#
            )),
            "{body}"
        );
        assert!(body.contains(&format!(r#"<html lang="{lang}""#)));
    }
    // The draft stays on that page with what was answered before.
    let again = get(&app, &at_now).await;
    assert!(again.body.contains(r#"<html lang="ar""#));
    assert!(
        again.body.contains(r#"<progress value="3" max="6""#),
        "page 4 of 6"
    );
}

#[tokio::test]
async fn an_open_link_resident_gets_a_resume_link_that_ends_with_the_answer() {
    let db = TestDb::new().await;
    let year = db.publish_open("city").await;
    let app = db.app();
    let start = format!("/s/city/{year}");
    let first = get(&app, &format!("{start}?lang=en")).await;
    assert!(first.body.contains("a link appears here"));
    let (to, second) = step(&app, &start, page_post("en", 0, "next", &answers_for(0))).await;
    let resume = path(&to);
    assert!(
        resume.starts_with(&format!("/s/city/{year}/u/")) && resume.len() > start.len() + 20,
        "{resume}"
    );
    assert!(
        second
            .body
            .contains(&format!(r#"<a href="{resume}">{resume}</a>"#)),
        "the link is on the page"
    );
    // The plain address starts afresh; the resume link continues, in any browser.
    assert!(get(&app, &start).await.body.contains("Del 1 av 6"));
    assert!(
        get(&db.app(), &resume).await.body.contains("Part 2 of 6"),
        "in the draft's language"
    );
    let mut at = resume.clone();
    for part in 1..6 {
        let (to, _) = step(&app, &at, page_post("en", part, "next", &answers_for(part))).await;
        at = path(&to);
    }
    let sent = post_form(&app, &at, page_post("en", 6, "send", &[])).await;
    assert!(
        sent.body.contains("Thank you for your answers!"),
        "{}",
        sent.body
    );
    assert_eq!(db.count().await, 1);
    assert_eq!(drafts(&db).await, 0);
    let gone = get(&app, &format!("{resume}?lang=en")).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert!(gone.body.contains("This link no longer works"));
    // Posting to it again stores nothing more.
    let again = post_form(&app, &resume, page_post("en", 6, "send", &[])).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert_eq!(db.count().await, 1);
}

#[tokio::test]
async fn hostile_page_posts_are_refused_and_change_nothing() {
    let db = TestDb::new().await;
    let year = db.publish_open("ryd").await;
    let app = db.app();
    let start = format!("/s/ryd/{year}");
    let (to, _) = step(&app, &start, page_post("sv", 0, "next", &answers_for(0))).await;
    let resume = path(&to);
    let before = db.stored_text().await;
    let other_page = answers_for(3);
    let cases: Vec<(String, String)> = vec![
        (resume.clone(), "lang=sv&part=99&go=next".into()),
        (resume.clone(), "lang=sv&part=-1&go=next".into()),
        (resume.clone(), "lang=sv&part=x&go=next".into()),
        (resume.clone(), "lang=sv&part=1&go=delete".into()),
        (resume.clone(), "lang=sv&part=1&go=part:99".into()),
        (resume.clone(), "lang=sv&part=1&go=send".into()),
        (resume.clone(), "lang=sv&part=1&part=2&go=next".into()),
        (resume.clone(), page_post("sv", 1, "next", &other_page)),
        (
            resume.clone(),
            "lang=sv&part=0&go=next&P_BELYSNING=inget&P_BELYSNING=mycket".into(),
        ),
        (
            resume.clone(),
            format!("lang=sv&part=0&go=next&{}=x", "Z".repeat(5000)),
        ),
        (
            start.clone(),
            "lang=sv&part=0&go=next&T_OMRADET=ganska_trygg".into(),
        ),
    ];
    for (at, body) in cases {
        let reply = post_form(&app, &at, body.clone()).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{body}: {}",
            reply.body
        );
        assert!(
            reply
                .body
                .contains("Formuläret som skickades går inte att läsa"),
            "{}",
            reply.body
        );
    }
    for bad in ["/u/AAAAAAAAAAAAAAAAAAAAAAAAAA", "/u/short", "/u/%FF%FE"] {
        let reply = post_form(
            &app,
            &format!("{start}{bad}"),
            page_post("sv", 1, "next", &[]),
        )
        .await;
        assert!(
            matches!(
                reply.status,
                StatusCode::NOT_FOUND | StatusCode::BAD_REQUEST
            ),
            "{bad}"
        );
        assert!(
            !get(&app, &format!("{start}{bad}"))
                .await
                .status
                .is_success()
        );
    }
    assert_eq!(db.stored_text().await, before, "nothing changed");
    assert_eq!(drafts(&db).await, 1);
    assert_eq!(db.count().await, 0);
}

#[tokio::test]
async fn drafts_count_in_no_result_and_go_when_their_wave_closes() {
    let db = TestDb::new().await;
    let year = db.publish_open("ryd").await;
    db.publish_open("berga").await;
    let app = db.app();
    for (district, n) in [("ryd", 3), ("berga", 2)] {
        for _ in 0..n {
            step(
                &app,
                &format!("/s/{district}/{year}"),
                page_post("sv", 0, "next", &answers_for(0)),
            )
            .await;
        }
    }
    assert_eq!(drafts(&db).await, 5);
    assert_eq!(db.count().await, 0, "a draft is not an answer");
    let overview = db.store.held_counts().await.unwrap();
    assert!(overview.is_empty());
    let ryd = db.store.wave("ryd", year).await.unwrap().unwrap();
    db.store
        .close_wave(ryd.id, today() - Duration::days(1), "test")
        .await
        .unwrap();
    assert_eq!(db.store.count_drafts(Some(ryd.id)).await.unwrap(), 0);
    assert_eq!(drafts(&db).await, 2, "another wave's drafts stay");
    assert!(
        audit_actions(&db.store, Some("test"))
            .await
            .contains(&"drafts deleted".to_string())
    );
}

#[tokio::test]
async fn a_draft_that_cannot_be_written_gives_the_page_back_with_its_answers() {
    let (db, faults, year) = faulty_ryd().await;
    let app = db.app();
    faults.fail_commits(true);
    let reply = post_form(
        &app,
        &format!("/s/ryd/{year}"),
        page_post("en", 0, "next", &answers_for(0)),
    )
    .await;
    faults.fail_commits(false);
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(reply.body.contains("Part 1 of 6"));
    assert!(
        reply.body.contains(r#"value="inget" checked"#),
        "the answers are kept"
    );
    assert!(!reply.body.contains("Part 2 of 6"));
    assert_eq!(drafts(&db).await, 0);
}

#[tokio::test]
async fn one_address_cannot_fill_the_disk_with_drafts() {
    let db = TestDb::new().await;
    let year = db.publish_open("ryd").await;
    let app = db.app();
    let at = format!("/s/ryd/{year}");
    let limit = trygg::http::stuffing::DRAFTS_PER_ADDRESS;
    for _ in 0..limit {
        let r = post_from(
            &app,
            &at,
            page_post("en", 0, "next", &answers_for(0)),
            "198.51.100.7",
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
    }
    let over = post_from(
        &app,
        &at,
        page_post("en", 0, "next", &answers_for(0)),
        "198.51.100.7",
    )
    .await;
    assert_eq!(over.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(over.headers.contains_key("retry-after"));
    assert!(
        over.body.contains(r#"value="inget" checked"#),
        "answers kept"
    );
    assert!(over.body.contains("Nothing was saved"));
    assert_eq!(drafts(&db).await, i64::from(limit));
    // Another address, and a draft already begun, go on as usual.
    let other = post_from(
        &app,
        &at,
        page_post("en", 0, "next", &answers_for(0)),
        "203.0.113.9",
    )
    .await;
    assert_eq!(other.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_code_answered_in_another_browser_keeps_no_draft() {
    let y = Year::new().await;
    let codes = y.sample(40, "42");
    let app = y.app();
    let at = format!("/k/{}", codes[1].as_str());
    step(&app, &at, page_post("sv", 0, "next", &answers_for(0))).await;
    assert_eq!(drafts(&y.db).await, 1);
    // The whole questionnaire sent at once with the same code: stored, and the draft goes.
    let whole = post_from(&app, &at, answer("sv"), "192.0.2.1").await;
    assert_eq!(whole.status, StatusCode::OK, "{}", whole.body);
    assert_eq!(drafts(&y.db).await, 0);
    // The first browser's next page: the code has answered, nothing is kept.
    let late = post_form(&app, &at, page_post("sv", 1, "next", &answers_for(1))).await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    assert_eq!(drafts(&y.db).await, 0);
    assert_eq!(y.db.count().await, 1);
}

#[tokio::test]
async fn a_first_page_that_could_not_be_kept_promises_no_link_and_can_be_sent_again() {
    let (db, faults, year) = faulty_ryd().await;
    let app = db.app();
    let start = format!("/s/ryd/{year}");
    faults.fail_commits(true);
    let failed = post_form(&app, &start, page_post("en", 0, "next", &answers_for(0))).await;
    faults.fail_commits(false);
    assert_eq!(failed.status, StatusCode::SERVICE_UNAVAILABLE);
    // The page posts where it came from, and shows no link that leads nowhere.
    assert!(
        failed.body.contains(&format!(r#"action="{start}""#)),
        "{}",
        failed.body
    );
    assert!(!failed.body.contains("/u/"));
    // Sent again from that page: kept this time.
    let (to, shown) = step(&app, &start, page_post("en", 0, "next", &answers_for(0))).await;
    assert!(to.contains("/u/") && shown.body.contains("Part 2 of 6"));
    assert_eq!(drafts(&db).await, 1);
}

#[tokio::test]
async fn an_open_link_draft_is_sent_once_however_often_send_is_pressed() {
    let db = TestDb::new().await;
    let year = db.publish_open("berga").await;
    let app = db.app();
    let mut at = format!("/s/berga/{year}");
    for part in 0..6 {
        let (to, _) = step(&app, &at, page_post("sv", part, "next", &answers_for(part))).await;
        at = path(&to);
    }
    // Two clicks on Send at once, and a page posted beside them.
    let send = || post_form(&app, &at, page_post("sv", 6, "send", &[]));
    let late_page = post_form(&app, &at, page_post("sv", 2, "next", &answers_for(2)));
    let (a, b, c) = tokio::join!(send(), send(), late_page);
    let receipts = [&a, &b]
        .iter()
        .filter(|r| r.status == StatusCode::OK)
        .count();
    assert_eq!(receipts, 1, "{} {}", a.status, b.status);
    assert_eq!(db.count().await, 1, "one answer stored");
    // Whatever order they ran in, no draft is left behind the answer.
    let _ = c;
    assert_eq!(drafts(&db).await, 0);
    let again = post_form(&app, &at, page_post("sv", 2, "next", &answers_for(2))).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert_eq!(
        drafts(&db).await,
        0,
        "a page posted after sending brings nothing back"
    );
    assert_eq!(db.count().await, 1);
}

#[tokio::test]
async fn an_open_link_wave_past_its_last_day_loses_its_drafts_at_the_next_purge() {
    let db = TestDb::new().await;
    let year = db.publish_open("city").await;
    let app = db.app();
    step(
        &app,
        &format!("/s/city/{year}"),
        page_post("sv", 0, "next", &answers_for(0)),
    )
    .await;
    assert_eq!(drafts(&db).await, 1);
    // The server's hourly purge, on a day after the wave's last day: no codes, a draft.
    db.store
        .purge_closed_codes(today() + Duration::days(400), "server")
        .await
        .unwrap();
    assert_eq!(drafts(&db).await, 0);
}

#[tokio::test]
async fn a_draft_keeps_no_more_than_a_full_answer_could_hold() {
    let db = TestDb::new().await;
    let year = db.publish_open("ryd").await;
    let app = db.app();
    let start = format!("/s/ryd/{year}");
    let (to, _) = step(&app, &start, page_post("sv", 0, "next", &answers_for(0))).await;
    let at = path(&to);
    // Back (nothing is checked) with made-up options and a long text on the fourth page.
    let mut junk: Vec<(String, String)> = vec![("T_OMRADET".into(), "enormt".into())];
    junk.push(("F_OTRYGGA_PLATSER".into(), "x".repeat(20_000)));
    step(&app, &at, page_post("sv", 3, "back", &junk)).await;
    let stored = db.stored_text().await;
    assert!(!stored.contains("enormt"), "no made-up option is kept");
    assert!(
        !stored.contains(&"x".repeat(1001)),
        "text is cut to the question's length"
    );
    assert!(stored.contains(&"x".repeat(1000)));
}

#[tokio::test]
async fn a_code_typed_again_continues_in_the_language_chosen_on_the_questionnaire() {
    let y = Year::new().await;
    let codes = y.sample(40, "43");
    let app = y.app();
    let at = format!("/k/{}", codes[2].as_str());
    step(&app, &at, page_post("ti", 0, "next", &answers_for(0))).await;
    // The start page is in Swedish (the browser's, or chosen there): the draft's Tigrinya wins.
    let typed = post_form(&app, "/k", format!("lang=sv&kod={}", codes[2].grouped())).await;
    let back = get(&app, typed.headers["location"].to_str().unwrap()).await;
    assert!(
        back.body.contains(r#"<html lang="ti""#),
        "{}",
        &back.body[..200]
    );
    assert!(back.body.contains(r#"<progress value="1" max="6""#));
}

#[tokio::test]
async fn a_resident_can_delete_the_saved_answers() {
    let y = Year::new().await;
    let codes = y.sample(40, "44");
    let app = y.app();
    let at = format!("/k/{}", codes[3].as_str());
    let (_, second) = step(&app, &at, page_post("en", 0, "next", &answers_for(0))).await;
    assert!(
        second
            .body
            .contains("Whoever has the letter can also open the saved answers")
    );
    assert!(
        second
            .body
            .contains(r#"form="survey" name="go" value="discard""#)
    );
    let gone = post_form(&app, &at, page_post("en", 1, "discard", &answers_for(1))).await;
    assert_eq!(gone.status, StatusCode::OK);
    assert!(gone.body.contains("Your saved answers have been deleted"));
    assert_eq!(drafts(&y.db).await, 0);
    assert_eq!(y.db.count().await, 0, "nothing was sent");
    // The code starts afresh, with nothing filled in.
    let again = get(&app, &format!("{at}?lang=en")).await;
    assert!(again.body.contains("Part 1 of 6"));
    assert!(!again.body.contains("checked"));
}

#[tokio::test]
async fn change_from_the_check_page_leads_straight_back_to_it() {
    let db = TestDb::new().await;
    let year = db.publish_open("ryd").await;
    let app = db.app();
    let mut at = format!("/s/ryd/{year}");
    for part in 0..6 {
        let (to, _) = step(&app, &at, page_post("sv", part, "next", &answers_for(part))).await;
        at = path(&to);
    }
    let (to, second) = step(&app, &at, page_post("sv", 6, "part:1", &[])).await;
    assert!(to.ends_with("&granska=1"), "{to}");
    assert!(second.body.contains("Del 2 av 6"));
    assert!(
        second
            .body
            .contains(r#"<input type="hidden" name="check" value="1">"#)
    );
    assert!(second.body.contains("Spara och tillbaka till kontrollen"));
    let mut changed = answers_for(1);
    changed.retain(|(k, _)| k != "U_VALD");
    changed.push(("U_VALD".into(), "nej".into()));
    changed.push(("check".into(), "1".into()));
    let (to, check) = step(&app, &at, page_post("sv", 1, "next", &changed)).await;
    assert!(!to.contains("granska"), "{to}");
    assert!(
        check.body.contains("Kontrollera dina svar"),
        "straight back to the check page"
    );
    let sent = post_form(&app, &at, page_post("sv", 6, "send", &[])).await;
    assert_eq!(sent.status, StatusCode::OK);
    let wave = db.store.wave("ryd", year).await.unwrap().unwrap();
    let stored = db.store.responses(wave.id).await.unwrap();
    assert!(
        stored[0].answers.contains(r#""U_VALD":"nej""#),
        "{}",
        stored[0].answers
    );
}
