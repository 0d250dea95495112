//! The resident pages, requested in-process.

use axum::http::StatusCode;
use chrono::{Datelike, Duration};

use crate::helpers::*;

#[tokio::test]
async fn the_start_page_lists_open_surveys_in_the_chosen_language() {
    let db = TestDb::new().await;
    let year = db.publish_open("skaggetorp").await;
    db.publish(
        "ryd",
        year - 1,
        today() - Duration::days(400),
        today() - Duration::days(340),
    )
    .await;
    let app = db.app();

    let sv = get(&app, "/").await;
    assert_eq!(sv.status, StatusCode::OK);
    assert!(sv.body.contains(r#"<html lang="sv" dir="ltr">"#));
    assert!(
        sv.body
            .contains(&format!("Svara på enkäten för Skäggetorp {year}")),
        "{}",
        sv.body
    );
    assert!(
        sv.body
            .contains(&format!(r#"href="/s/skaggetorp/{year}?lang=sv""#))
    );
    assert!(!sv.body.contains("Ryd"), "closed wave listed");

    let en = get(&app, "/?lang=en").await;
    assert!(en.body.contains(r#"<html lang="en" dir="ltr">"#));
    assert!(
        en.body
            .contains(&format!("Answer the survey for Skäggetorp {year}"))
    );
    assert!(en.body.contains(r#"href="/?lang=sv""#), "language switch");
}

#[tokio::test]
async fn the_start_page_says_when_nothing_is_open() {
    let db = TestDb::new().await;
    let page = get(&db.app(), "/?lang=en").await;
    assert!(page.body.contains("No survey is open right now"));
}

#[tokio::test]
async fn the_survey_page_is_an_accessible_form_in_both_languages() {
    let db = TestDb::new().await;
    let year = db.publish_open("berga").await;
    let app = db.app();
    let page = get(&app, &format!("/s/berga/{year}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let body = &page.body;
    assert!(body.contains("Trygghetsundersökning 2026"));
    assert!(body.contains("<h1>Problem i ditt bostadsområde</h1>"));
    // Every page of the questionnaire, walked with the Next button: choice questions are
    // fieldsets with a legend; every control has a label.
    let q = bundled();
    let pages = crate::paged::walk(&app, &format!("/s/berga/{year}"), "sv").await;
    let all: String = pages.concat();
    let choice_questions = q.questions.iter().filter(|x| x.kind.has_options()).count();
    assert_eq!(all.matches("<fieldset").count(), choice_questions);
    assert_eq!(all.matches("<legend").count(), choice_questions);
    for page in &pages {
        let controls = page.matches("<input id=").count() + page.matches("<textarea id=").count();
        let labels = page.matches("<label ").count();
        assert_eq!(controls, labels, "every control has a label");
    }
    assert!(body.contains(
        r#"<input id="P_BELYSNING-ganska" type="radio" name="P_BELYSNING" value="ganska">"#
    ));
    assert!(body.contains(r#"<label for="P_BELYSNING-ganska">Ganska stort problem</label>"#));
    assert!(all.contains(r#"type="checkbox" name="K_INFORMATION""#));
    assert!(body.contains(r#"<input type="hidden" name="lang" value="sv">"#));
    // Phone first, no third-party assets, no scripts, no cookies.
    assert!(body.contains(r#"name="viewport" content="width=device-width, initial-scale=1""#));
    assert!(!body.contains("<script"));
    assert!(!body.contains("http://") && !body.contains("https://"));
    assert!(page.headers.get("set-cookie").is_none());
    let csp = page
        .headers
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(csp.contains("default-src 'none'"));

    let en = get(&app, &format!("/s/berga/{year}?lang=en")).await;
    assert!(en.body.contains(r#"<html lang="en" dir="ltr">"#));
    assert!(
        en.body
            .contains("Poor lighting on streets, footpaths and in parks")
    );
    assert!(
        en.body
            .contains(r#"<input type="hidden" name="lang" value="en">"#)
    );
}

#[tokio::test]
async fn unknown_district_or_year_is_a_404_in_the_residents_language() {
    let db = TestDb::new().await;
    let year = db.publish_open("ryd").await;
    let app = db.app();
    for uri in [
        format!("/s/nowhere/{year}?lang=en"),
        format!("/s/ryd/{}?lang=en", year + 5),
        "/s/ryd/abc?lang=en".to_string(),
        "/no/such/page?lang=en".to_string(),
    ] {
        let page = get(&app, &uri).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(page.body.contains("Page not found"), "{uri}");
        assert!(page.body.contains(r#"lang="en""#));
    }
    let sv = get(&app, "/s/nowhere/2026").await;
    assert!(sv.body.contains("Sidan finns inte"));
}

#[tokio::test]
async fn a_closed_or_unopened_wave_says_so_and_when() {
    let db = TestDb::new().await;
    let year = today().year();
    let closed_on = today() - Duration::days(3);
    let opens_on = today() + Duration::days(3);
    db.publish("city", year, today() - Duration::days(30), closed_on)
        .await;
    db.publish("ryd", year, opens_on, today() + Duration::days(30))
        .await;
    let app = db.app();

    let closed = get(&app, &format!("/s/city/{year}?lang=en")).await;
    assert!(closed.body.contains("The survey is closed"));
    assert!(closed.body.contains(&closed_on.to_string()));
    assert!(!closed.body.contains("<form"));

    let early = get(&app, &format!("/s/ryd/{year}")).await;
    assert!(early.body.contains("Enkäten har inte öppnat än"));
    assert!(early.body.contains(&opens_on.to_string()));
}

#[tokio::test]
async fn a_closed_wave_with_letters_says_so_and_an_old_code_says_why_it_no_longer_works() {
    let db = TestDb::new().await;
    let year = today().year();
    let closed_on = today() - Duration::days(3);
    db.publish("ryd", year, today() - Duration::days(30), closed_on)
        .await;
    record_sample(&db.store, "ryd", year, 0, 10).await;
    let app = db.app();
    // The wave's page says it has closed, and asks for no code.
    let closed = get(&app, &format!("/s/ryd/{year}")).await;
    assert!(closed.body.contains("Enkäten är stängd"), "{}", closed.body);
    assert!(closed.body.contains(&closed_on.to_string()));
    assert!(!closed.body.contains("<form"));
    // A code typed after the close (its row is gone): not "check your typing", but that no
    // survey with letters is open, in the resident's language.
    let r = post_form(&app, "/k", "lang=en&kod=K7QF-M2XD-9PTA").await;
    assert_eq!(r.status, axum::http::StatusCode::NOT_FOUND);
    assert!(
        r.body
            .contains("The survey sent by letter is not open right now"),
        "{}",
        r.body
    );
    assert!(!r.body.contains("copied the code correctly"));
}

#[tokio::test]
async fn the_stylesheet_is_served_from_our_own_origin() {
    let db = TestDb::new().await;
    let css = get(&db.app(), "/static/style.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(
        css.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    assert!(css.body.contains(".error-summary"));
}
