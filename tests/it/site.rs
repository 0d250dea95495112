//! The municipality's face (issue 23 point 5): `surveys/site.toml` and its faults, refused by
//! `check` and `serve`; the pages about the survey, privacy and accessibility in every
//! language; the footer and header on every resident page; the logo; the focus ring's
//! contrast.

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use axum::http::{StatusCode, header};
use trygg::questionnaire::{
    self, Colour, FOCUS_DARK, FOCUS_LIGHT, Logo, NON_TEXT_CONTRAST, contrast, parse_site,
    ratio_text,
};

use crate::helpers::*;

fn bundled_site_source() -> String {
    std::fs::read_to_string(surveys_dir().join("site.toml")).unwrap()
}

/// A logo reader that accepts any path: the file's own faults, without the disk.
fn any_logo(_: &str) -> Result<Logo, String> {
    Ok(Logo {
        bytes: b"<svg/>".to_vec(),
        content_type: "image/svg+xml",
    })
}

/// The faults of a site.toml text, as `file:line: message` lines.
fn faults_of(src: &str) -> Vec<String> {
    parse_site("site.toml", src, &any_logo)
        .expect_err("faults expected")
        .iter()
        .map(|f| f.to_string())
        .collect()
}

/// The 1-based line of the first occurrence of `needle`.
fn line_of(src: &str, needle: &str) -> usize {
    let at = src
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in source"));
    src[..at].matches('\n').count() + 1
}

#[test]
fn the_bundled_site_is_valid_and_its_colours_read() {
    let site = site();
    assert_eq!(site.name.get("sv"), "Linköpings kommun");
    assert_eq!(site.logo.content_type, "image/svg+xml");
    let white = Colour::WHITE;
    let c = site.colours;
    for (fore, back) in [(c.brand_text, c.brand), (c.link, white), (c.text, white)] {
        assert!(contrast(fore, back) >= 4.5, "{fore} on {back}");
    }
    parse_site("site.toml", &bundled_site_source(), &any_logo).unwrap();
}

#[test]
fn a_colour_under_4_5_to_1_is_refused_with_its_ratio_and_line() {
    let src = bundled_site_source();
    // Grey links on the white page: 4.47:1, just under.
    let low = src.replacen("link = \"#0b4f8a\"", "link = \"#777777\"", 1);
    let faults = faults_of(&low);
    assert_eq!(faults.len(), 1, "{faults:#?}");
    let line = line_of(&low, "link = \"#777777\"");
    assert!(
        faults[0].starts_with(&format!(
            "site.toml:{line}: colours.link #777777 on the white page"
        )),
        "{faults:#?}"
    );
    assert!(faults[0].contains("4.47:1"), "{faults:#?}");
    assert!(faults[0].contains("at least 4.5:1"), "{faults:#?}");
    // White text on a light brand colour; and body text: every pair is checked, all
    // faults are collected.
    let both = src
        .replacen("brand = \"#00558c\"", "brand = \"#4f8fc0\"", 1)
        .replacen("text = \"#1b1b1b\"", "text = \"#8a8a8a\"", 1);
    let faults = faults_of(&both);
    assert_eq!(faults.len(), 2, "{faults:#?}");
    let brand_text_line = line_of(&both, "brand_text = ");
    assert!(
        faults.iter().any(|f| f.starts_with(&format!(
            "site.toml:{brand_text_line}: colours.brand_text #ffffff on colours.brand #4f8fc0"
        )) && f.contains("3.48:1")),
        "{faults:#?}"
    );
    assert!(
        faults
            .iter()
            .any(|f| f.contains("colours.text #8a8a8a") && f.contains("3.45:1")),
        "{faults:#?}"
    );
    // The message's ratio is the contrast function's, cut to two decimals.
    assert_eq!(
        ratio_text(contrast(Colour::parse("#777777").unwrap(), Colour::WHITE)),
        "4.47:1"
    );
}

#[test]
fn malformed_colours_unknown_keys_and_missing_fields_are_faults_with_lines() {
    let src = bundled_site_source();
    let bad = src.replacen("brand = \"#00558c\"", "brand = \"blue\"", 1);
    let faults = faults_of(&bad);
    let line = line_of(&bad, "brand = \"blue\"");
    assert_eq!(
        faults,
        [format!(
            "site.toml:{line}: colours.brand \"blue\" is not a colour like #00558c"
        )]
    );

    let unknown = src.replacen("[colours]\n", "[colours]\nbackground = \"#ffffff\"\n", 1);
    let faults = faults_of(&unknown);
    let line = line_of(&unknown, "background = ");
    assert_eq!(faults.len(), 1, "{faults:#?}");
    assert!(
        faults[0].starts_with(&format!("site.toml:{line}: unknown field `background`")),
        "{faults:#?}"
    );

    let missing = src.replacen("email = \"trygghet@linkoping.se\"\n", "", 1);
    let faults = faults_of(&missing);
    assert_eq!(faults.len(), 1, "{faults:#?}");
    assert!(faults[0].contains("missing field `email`"), "{faults:#?}");

    let no_swedish = src.replacen(
        "name = { sv = \"Linköpings kommun\", en = \"Linköping Municipality\" }",
        "name = { en = \"Linköping Municipality\", xx = \"?\" }",
        1,
    );
    let faults = faults_of(&no_swedish);
    assert!(
        faults.iter().any(|f| f
            == &format!(
                "site.toml:{}: name: the Swedish text (sv) is required",
                line_of(&no_swedish, "name = {")
            )),
        "{faults:#?}"
    );
    assert!(
        faults.iter().any(|f| f.contains("unknown language \"xx\"")),
        "{faults:#?}"
    );

    let statuses = src.replacen("status = \"partial\"", "status = \"mostly\"", 1);
    let faults = faults_of(&statuses);
    assert!(
        faults[0].contains("accessibility.status \"mostly\" must be full, partial or none"),
        "{faults:#?}"
    );

    let garbage = faults_of("@@@ this is not toml\n");
    assert_eq!(garbage.len(), 1);
    assert!(garbage[0].starts_with("site.toml:1: "), "{garbage:?}");
}

/// A surveys folder with the bundled districts, logo and the given site.toml (none: none).
fn surveys_with(site: Option<&[u8]>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        surveys_dir().join("districts.toml"),
        dir.path().join("districts.toml"),
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("assets")).unwrap();
    std::fs::copy(
        surveys_dir().join("assets/logo.svg"),
        dir.path().join("assets/logo.svg"),
    )
    .unwrap();
    if let Some(site) = site {
        std::fs::write(dir.path().join("site.toml"), site).unwrap();
    }
    dir
}

/// `trygg` with a surveys folder and a database in it; a command that is still running
/// after 20 s (a server that started) is killed and fails the test.
fn trygg_in(surveys: &Path, args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_trygg"))
        .arg("--database")
        .arg(surveys.join("t.db"))
        .arg("--surveys")
        .arg(surveys)
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(20) {
            child.kill().unwrap();
            panic!("trygg {args:?} did not stop: it should have refused");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

/// `check` prints the fault and fails; `serve` refuses to start with the same fault and
/// never opens the database.
fn both_refuse(surveys: &Path, expected: &str) {
    let checked = trygg_in(surveys, &["check", surveys.to_str().unwrap()]);
    assert!(!checked.status.success(), "{}", text(&checked));
    assert!(
        text(&checked).contains(expected),
        "check: {}",
        text(&checked)
    );
    let served = trygg_in(surveys, &["serve", "--addr", "127.0.0.1:0"]);
    assert!(!served.status.success(), "{}", text(&served));
    assert!(text(&served).contains(expected), "serve: {}", text(&served));
    assert!(
        !surveys.join("t.db").exists(),
        "serve refused before opening the database"
    );
}

#[test]
fn check_and_serve_refuse_a_bad_site_file() {
    let src = bundled_site_source();
    let low = src.replacen("link = \"#0b4f8a\"", "link = \"#777777\"", 1);
    let line = line_of(&low, "link = \"#777777\"");
    let dir = surveys_with(Some(low.as_bytes()));
    let file = dir.path().join("site.toml").display().to_string();
    both_refuse(
        dir.path(),
        &format!(
            "{file}:{line}: colours.link #777777 on the white page #ffffff has a contrast of 4.47:1"
        ),
    );

    let unknown = format!("twitter = \"@linkoping\"\n{src}");
    let dir = surveys_with(Some(unknown.as_bytes()));
    let file = dir.path().join("site.toml").display().to_string();
    both_refuse(dir.path(), &format!("{file}:1: unknown field `twitter`"));

    let missing = src.replacen("phone = \"013-20 60 00\"\n", "", 1);
    let dir = surveys_with(Some(missing.as_bytes()));
    both_refuse(dir.path(), "missing field `phone`");

    // Oversized and garbage files are refused whole, before any parsing.
    let mut big = src.clone().into_bytes();
    big.extend(std::iter::repeat_n(
        b'#',
        questionnaire::MAX_SITE_BYTES as usize,
    ));
    let dir = surveys_with(Some(&big));
    both_refuse(dir.path(), "site.toml may be at most 65536");
    let dir = surveys_with(Some(b"name = \"\xff\xfe\"\n"));
    both_refuse(dir.path(), "not valid UTF-8");

    // No site.toml beside districts.toml: serve needs one, and check says so.
    let dir = surveys_with(None);
    both_refuse(dir.path(), "site.toml");
}

#[test]
fn a_logo_that_could_run_script_or_escape_the_folder_is_refused() {
    let src = bundled_site_source();
    let dir = surveys_with(Some(src.as_bytes()));
    let logo = dir.path().join("assets/logo.svg");
    std::fs::write(
        &logo,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"></svg>",
    )
    .unwrap();
    let line = line_of(&src, "logo = ");
    let faults: Vec<String> = questionnaire::load_site(&dir.path().join("site.toml"))
        .unwrap_err()
        .iter()
        .map(|f| f.to_string())
        .collect();
    assert_eq!(faults.len(), 1, "{faults:#?}");
    assert!(faults[0].contains(&format!("site.toml:{line}: logo \"assets/logo.svg\": an SVG logo may not contain event handlers (onload)")), "{faults:#?}");
    std::fs::write(&logo, "<svg><script>alert(1)</script></svg>").unwrap();
    assert!(
        questionnaire::load_site(&dir.path().join("site.toml")).unwrap_err()[0]
            .message
            .contains("<script")
    );
    std::fs::write(&logo, vec![b' '; questionnaire::MAX_LOGO_BYTES + 1]).unwrap();
    assert!(
        questionnaire::load_site(&dir.path().join("site.toml")).unwrap_err()[0]
            .message
            .contains("at most")
    );
    let outside = src.replacen("logo = \"assets/logo.svg\"", "logo = \"../logo.svg\"", 1);
    let faults = faults_of(&outside);
    assert!(
        faults[0].contains("must be a path inside the surveys folder"),
        "{faults:#?}"
    );
    let png = src.replacen(
        "logo = \"assets/logo.svg\"",
        "logo = \"assets/logo.gif\"",
        1,
    );
    std::fs::write(dir.path().join("site.toml"), png).unwrap();
    std::fs::write(dir.path().join("assets/logo.gif"), b"GIF89a").unwrap();
    assert!(
        questionnaire::load_site(&dir.path().join("site.toml")).unwrap_err()[0]
            .message
            .contains(".svg or a .png")
    );
}

const PAGES: [&str; 3] = ["/om", "/integritet", "/tillganglighet"];

#[tokio::test]
async fn the_three_pages_speak_every_language_with_the_site_s_facts() {
    let db = TestDb::new().await;
    let app = db.app();
    let site = site();
    for (lang, dir) in LANGUAGES {
        for path in PAGES {
            let page = get(&app, &format!("{path}?lang={lang}")).await;
            let what = format!("{path} {lang}");
            assert_eq!(page.status, StatusCode::OK, "{what}");
            assert!(
                page.body
                    .contains(&format!(r#"<html lang="{lang}" dir="{dir}">"#)),
                "{what}"
            );
            // The organisation's name (the Swedish one where the settings have none in the
            // language), its e-mail and telephone, and the language switch back to this page.
            assert!(page.body.contains(site.name.get(lang)), "{what}: name");
            assert!(page.body.contains("mailto:trygghet@linkoping.se"), "{what}");
            assert!(page.body.contains("013-20 60 00"), "{what}: phone");
            assert!(page.body.contains("tel:013206000"), "{what}");
            assert!(
                page.body.contains(&format!("href=\"{path}?lang=en\"")) || lang == "en",
                "{what}: switch"
            );
            // No placeholder left unfilled, no catalogue key missing.
            let main = &page.body[page.body.find("<main").unwrap()..];
            assert!(!main.contains('{') && !main.contains('}'), "{what}: {main}");
            assert!(!main.contains(">?<"), "{what}: a missing text");
        }
        let privacy = get(&app, &format!("/integritet?lang={lang}")).await.body;
        assert!(
            privacy.contains("IMY"),
            "{lang}: the right to complain to IMY"
        );
        assert!(privacy.contains("https://www.imy.se"), "{lang}");
        assert!(
            privacy.contains("mailto:dataskyddsombud@linkoping.se"),
            "{lang}: the DPO"
        );
        let a11y = get(&app, &format!("/tillganglighet?lang={lang}"))
            .await
            .body;
        assert!(a11y.contains("DIGG"), "{lang}: the supervisory authority");
        assert!(
            a11y.contains("href=\"https://www.digg.se/tdosanmalan\""),
            "{lang}: its form"
        );
        assert!(a11y.contains("2026-11-20"), "{lang}: the statement's date");
        let about = get(&app, &format!("/om?lang={lang}")).await.body;
        assert!(
            about.contains("16") && about.contains("84") || about.contains("۱۶"),
            "{lang}: who is asked"
        );
    }
    // In Swedish the facts read as the law asks.
    let sv = get(&app, "/integritet?lang=sv").await.body;
    for fact in [
        "Kommunstyrelsen i Linköpings kommun är personuppgiftsansvarig",
        "Integritetsskyddsmyndigheten (IMY)",
        "IP-adress",
        "klockslag",
        "Listan med koder raderas när enkäten stänger",
        "lagen (2023:196)",
        "kan vi inte hitta ditt svar igen",
    ] {
        assert!(sv.contains(fact), "{fact}");
    }
    let sv = get(&app, "/tillganglighet?lang=sv").await.body;
    for fact in [
        "<h1>Tillgänglighet för trygg</h1>",
        "delvis förenlig med lagen om tillgänglighet till digital offentlig service",
        "Myndigheten för digital förvaltning (DIGG)",
        "Texterna på arabiska",
    ] {
        assert!(sv.contains(fact), "{fact}");
    }
    // A text the settings have only in Swedish is marked as Swedish on an Arabic page.
    let ar = get(&app, "/integritet?lang=ar").await.body;
    assert!(
        ar.contains("<p lang=\"sv\" dir=\"ltr\">Svaren sparas"),
        "{ar}"
    );
    let en = get(&app, "/integritet?lang=en").await.body;
    assert!(!en.contains("lang=\"sv\" dir"), "English has its own texts");
}

/// The footer's three links in the page's language and the organisation's contact, and the
/// header's logo with the organisation's name as its text alternative.
fn assert_face(body: &str, lang: &str, what: &str) {
    for path in PAGES {
        assert!(
            body.contains(&format!("href=\"{path}?lang={lang}\"")),
            "{what}: footer link {path}"
        );
    }
    let footer = &body[body
        .find("<footer")
        .unwrap_or_else(|| panic!("{what}: footer"))..];
    assert!(footer.contains("mailto:trygghet@linkoping.se"), "{what}");
    assert!(footer.contains("013-20 60 00"), "{what}");
    assert!(footer.contains("Linköping"), "{what}");
    assert!(
        body.contains(r#"<img class="logo" src="/site/logo" alt="Linköping"#),
        "{what}: logo"
    );
    assert!(
        body.contains("href=\"/static/site.css\""),
        "{what}: colours"
    );
}

#[tokio::test]
async fn every_resident_page_wears_the_face() {
    let db = TestDb::new().await;
    let year = db.publish_open("ryd").await;
    let app = db.app();
    for (lang, _) in LANGUAGES {
        let start = get(&app, &format!("/?lang={lang}")).await;
        assert_face(&start.body, lang, &format!("start page {lang}"));
        let form = get(&app, &format!("/s/ryd/{year}?lang={lang}")).await;
        assert_face(&form.body, lang, &format!("questionnaire {lang}"));
        let missing = get(&app, &format!("/s/nowhere/{year}?lang={lang}")).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert_face(&missing.body, lang, &format!("404 {lang}"));
        let elsewhere = get(&app, &format!("/no/such/page?lang={lang}")).await;
        assert_face(&elsewhere.body, lang, &format!("fallback 404 {lang}"));
    }
    let receipt = post_form(
        &app,
        &format!("/s/ryd/{year}"),
        "lang=en&T_OMRADET=ganska_trygg",
    )
    .await;
    assert_eq!(receipt.status, StatusCode::OK, "{}", receipt.body);
    assert!(receipt.body.contains("Thank you for your answers!"));
    assert_face(&receipt.body, "en", "receipt");
    let invalid = post_form(&app, &format!("/s/ryd/{year}"), "lang=so&P_BELYSNING=x").await;
    assert_face(&invalid.body, "so", "a refused answer");
    // A refusal made by the request guard, before any handler, wears it too.
    let cross_site = send(
        &app,
        axum::http::Request::post(format!("/s/ryd/{year}?lang=ti"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "cross-site")
            .body(axum::body::Body::from("lang=ti&T_OMRADET=ganska_trygg"))
            .unwrap(),
    )
    .await;
    assert_eq!(cross_site.status, StatusCode::FORBIDDEN);
    assert_face(&cross_site.body, "ti", "the guard's cross-site refusal");
    // The list of reports is in Swedish only, with the same face.
    let reports = get(&app, "/rapporter").await;
    assert_face(&reports.body, "sv", "the reports");
}

#[tokio::test]
async fn the_logo_and_the_colours_are_served_safely() {
    let db = TestDb::new().await;
    let app = db.app();
    let logo = get(&app, "/site/logo").await;
    assert_eq!(logo.status, StatusCode::OK);
    assert_eq!(logo.headers[header::CONTENT_TYPE], "image/svg+xml");
    assert_eq!(logo.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    let csp = logo.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("sandbox"),
        "{csp}"
    );
    assert!(!csp.contains("script"), "{csp}");
    assert_eq!(
        logo.bytes,
        std::fs::read(surveys_dir().join("assets/logo.svg")).unwrap()
    );
    let css = get(&app, "/static/site.css").await;
    assert_eq!(css.headers[header::CONTENT_TYPE], "text/css; charset=utf-8");
    assert!(css.body.contains("--brand: #00558c;"), "{}", css.body);
    assert!(css.body.contains("--brand-text: #ffffff;"));
    // Without settings (a router built without them) there is no logo to serve.
    let bare = trygg::http::router(trygg::http::AppState::new(db.store.clone(), districts()));
    assert_eq!(get(&bare, "/site/logo").await.status, StatusCode::NOT_FOUND);
}

/// The value of a custom property in the stylesheet's `:root`.
fn css_colour(css: &str, name: &str) -> Colour {
    let at = css
        .find(&format!("{name}:"))
        .unwrap_or_else(|| panic!("{name} not in the stylesheet"));
    let value = css[at + name.len() + 1..].trim_start();
    Colour::parse(&value[..7]).unwrap_or_else(|| panic!("{name}: {}", &value[..7]))
}

#[test]
fn the_focus_ring_stands_out_from_every_background_it_is_drawn_on() {
    let css = trygg::views::STYLESHEET;
    let dark = css_colour(css, "--focus-dark");
    let light = css_colour(css, "--focus-light");
    // The stylesheet draws what the site check measures against.
    assert_eq!((dark, light), (FOCUS_DARK, FOCUS_LIGHT));
    assert!(
        css.contains("outline: 3px solid var(--focus-dark)")
            && css.contains("box-shadow: 0 0 0 6px var(--focus-light)"),
        "both rings are drawn on focus"
    );
    let site = site();
    let default_brand = css_colour(css, "--brand");
    for (background, what) in [
        (Colour::WHITE, "the white page"),
        (site.colours.brand, "the site's header"),
        (default_brand, "the stylesheet's default header"),
    ] {
        let ring = contrast(dark, background).max(contrast(light, background));
        assert!(
            ring >= NON_TEXT_CONTRAST,
            "on {what} {background}: {}",
            ratio_text(ring)
        );
    }
    // The two rings stand out from each other too, so the ring reads wherever it crosses.
    assert!(contrast(dark, light) >= NON_TEXT_CONTRAST);
    // And a brand colour no ring colour stands out from would be refused — none exists
    // for this pair, so every brand colour passes this part of the check.
    for grey in (0..=255u8).step_by(5) {
        let c = Colour([grey, grey, grey]);
        assert!(
            contrast(dark, c).max(contrast(light, c)) >= NON_TEXT_CONTRAST,
            "{c}"
        );
    }
}
