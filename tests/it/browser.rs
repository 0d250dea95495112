//! What a resident sees, in a real browser: Debian's Chromium, driven through ChromeDriver
//! (WebDriver over plain HTTP), at a 360 px phone width.
//!
//! Chromium is not part of a fresh Rust machine, so this test skips (and says so) when it is
//! missing — unless `TRYGG_REQUIRE_BROWSER=1`, which `.ci/run` sets after installing it, so
//! in CI it always runs.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::durability::Server;
use crate::helpers::*;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

struct Driver {
    child: Child,
    port: u16,
    session: String,
    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.call("DELETE", &format!("/session/{}", self.session), None);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn http(port: u16, method: &str, path: &str, body: Option<&Value>) -> std::io::Result<Value> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    // ChromeDriver keeps the connection open: read the head, then Content-Length bytes.
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        if s.read(&mut byte)? == 0 {
            break;
        }
        buf.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&buf).to_ascii_lowercase();
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    s.read_exact(&mut body)?;
    Ok(serde_json::from_slice(&body).unwrap_or(Value::Null))
}

impl Driver {
    fn start() -> Driver {
        Self::start_at(360)
    }

    /// A headless Chromium emulating a phone `width` CSS pixels wide.
    fn start_at(width: u32) -> Driver {
        Self::start_with(width, true, None)
    }

    /// A headless Chromium `width` CSS pixels wide, with page scripts on or off, saving
    /// downloads into `downloads` without asking.
    fn start_with(width: u32, javascript: bool, downloads: Option<&std::path::Path>) -> Driver {
        let port = free_port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let deadline = Instant::now() + Duration::from_secs(20);
        while http(port, "GET", "/status", None).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not answer");
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = tempfile::tempdir().unwrap();
        let mut options = json!({
            "binary": CHROMIUM,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     format!("--window-size={},900", width.max(360)),
                     format!("--user-data-dir={}", profile.path().display())],
            "prefs": {
                "download.default_directory": downloads.map(|d| d.display().to_string()),
                "download.prompt_for_download": false,
                // 2 = block: the page's own scripts do not run (WebDriver's still do).
                "profile.managed_default_content_settings.javascript": if javascript { 1 } else { 2 },
            }
        });
        if width < 500 {
            // A phone's viewport: headless Chromium will not make a window narrower than
            // 500 px. (Emulation needs JavaScript on: with scripts blocked it hangs.)
            assert!(javascript, "phone widths are emulated with JavaScript on");
            options["mobileEmulation"] =
                json!({"deviceMetrics": {"width": width, "height": 740, "pixelRatio": 3.0}});
        }
        let caps = json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": options}}});
        let res = http(port, "POST", "/session", Some(&caps)).unwrap();
        let session = res["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {res}"))
            .to_string();
        Driver {
            child,
            port,
            session,
            _profile: profile,
        }
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let res = http(self.port, method, path, body.as_ref()).unwrap();
        res["value"].clone()
    }

    fn go(&self, url: &str) {
        self.call(
            "POST",
            &format!("/session/{}/url", self.session),
            Some(json!({"url": url})),
        );
    }

    fn script(&self, js: &str) -> Value {
        self.call(
            "POST",
            &format!("/session/{}/execute/sync", self.session),
            Some(json!({"script": js, "args": []})),
        )
    }

    /// Runs an asynchronous script; it calls its last argument with the result.
    fn script_async(&self, js: &str) -> Value {
        self.call(
            "POST",
            &format!("/session/{}/execute/async", self.session),
            Some(json!({"script": js, "args": []})),
        )
    }

    /// A PNG of the viewport.
    fn screenshot(&self) -> Vec<u8> {
        use base64::Engine;
        let data = self.call(
            "GET",
            &format!("/session/{}/screenshot", self.session),
            None,
        );
        base64::engine::general_purpose::STANDARD
            .decode(data.as_str().unwrap_or(""))
            .expect("a base64 PNG")
    }

    /// Types into a field (for a file input: the file's path).
    /// The WebDriver id of the first element matching `css`.
    fn element(&self, css: &str) -> String {
        let el = self.call(
            "POST",
            &format!("/session/{}/element", self.session),
            Some(json!({"using": "css selector", "value": css})),
        );
        el.as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no element {css}: {el}"))
            .to_string()
    }

    fn type_into(&self, css: &str, text: &str) {
        let id = self.element(css);
        self.call(
            "POST",
            &format!("/session/{}/element/{id}/value", self.session),
            Some(json!({"text": text})),
        );
    }

    fn click(&self, css: &str) {
        let id = self.element(css);
        self.call(
            "POST",
            &format!("/session/{}/element/{id}/click", self.session),
            Some(json!({})),
        );
    }
}

/// Waits (up to 10 s) until a condition holds in the page: a form post navigates.
fn wait_for(driver: &Driver, condition: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while driver.script(&format!("return {condition};")) != Value::Bool(true) {
        if Instant::now() > deadline {
            let page = driver.script("return document.location.href + ' ' + document.title;");
            panic!("timed out waiting for {condition} on {page}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

const PASSWORD: &str = "ett långt lösenord för test";

/// Sets the password from an invitation's one-time link.
fn set_password(driver: &Driver, base: &str, link: &str) {
    driver.go(&format!("{base}{link}"));
    driver.type_into("#password", PASSWORD);
    driver.click("button[type=submit]");
    wait_for(
        driver,
        "document.readyState === 'complete' && document.querySelector('#email') !== null",
    );
}

/// Invites a member of staff and returns the password link the invitation shows once.
async fn invite(store: &trygg::store::Store, email: &str, role: trygg::auth::Role) -> String {
    trygg::operations::invite_account(store, "", email, role, None, "test")
        .await
        .unwrap()
}

/// Signs in with the sign-in form, as a person does.
fn sign_in(driver: &Driver, base: &str, email: &str) {
    driver.go(&format!("{base}/personal/logga-in"));
    driver.type_into("#email", email);
    driver.type_into("#password", PASSWORD);
    driver.click("button[type=submit]");
    wait_for(
        driver,
        "document.readyState === 'complete' && document.title.startsWith('Personal')",
    );
}

/// Whether the browser test can run here; in CI (`TRYGG_REQUIRE_BROWSER`) it must.
fn browser_available() -> bool {
    if !std::path::Path::new(CHROMIUM).exists() || !std::path::Path::new(CHROMEDRIVER).exists() {
        assert!(
            std::env::var("TRYGG_REQUIRE_BROWSER").is_err(),
            "TRYGG_REQUIRE_BROWSER is set but Chromium/ChromeDriver are missing"
        );
        eprintln!("skipped: Debian's chromium and chromium-driver are not installed");
        return false;
    }
    true
}

/// axe-core, run in the page for the WCAG 2.1 A and AA rules; returns the violations.
const AXE: &str = include_str!("../fixtures/axe.min.js");

fn axe_violations(driver: &Driver) -> Vec<String> {
    driver.script(AXE);
    let result = driver.script_async(
        "const done = arguments[arguments.length - 1];
         axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
            .then(r => done(r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))))
            .catch(e => done(['axe failed: ' + e]));",
    );
    result
        .as_array()
        .unwrap_or_else(|| panic!("axe returned {result}"))
        .iter()
        .map(|v| v.as_str().unwrap_or("").to_string())
        .collect()
}

/// What the page looks like to the test: its width against the viewport, and its language.
fn layout(driver: &Driver) -> (f64, f64, String, String) {
    let v = driver.script(
        "return {scroll: document.documentElement.scrollWidth, width: window.innerWidth,
                 lang: document.documentElement.lang, dir: document.documentElement.dir};",
    );
    (
        v["scroll"].as_f64().unwrap(),
        v["width"].as_f64().unwrap(),
        v["lang"].as_str().unwrap_or("").to_string(),
        v["dir"].as_str().unwrap_or("").to_string(),
    )
}

/// The folder the browser test writes its screenshots to (the README names it).
pub const SCREENSHOTS: &str = "target/screenshots";

#[tokio::test]
async fn every_language_reflows_at_320_and_360_px_and_passes_axe() {
    if !browser_available() {
        return;
    }
    let db = TestDb::new().await;
    let year = db.publish_open("skaggetorp").await;
    db.store.close().await;
    let server = Server::start(db.url(), &[]);
    let shots = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(SCREENSHOTS);
    std::fs::create_dir_all(&shots).unwrap();
    let languages = LANGUAGES;
    let mut problems = Vec::new();
    for width in [320u32, 360] {
        let driver = Driver::start_at(width);
        for (lang, dir) in languages {
            let mut visit = |what: &str, driver: &Driver| {
                let (scroll, inner, got_lang, got_dir) = layout(driver);
                if inner > width as f64 || scroll > inner {
                    problems.push(format!(
                        "{lang} {what} at {width}px: {scroll} px wide in a {inner} px viewport"
                    ));
                }
                if got_lang != lang || got_dir != dir {
                    problems.push(format!("{lang} {what}: lang={got_lang} dir={got_dir}"));
                }
                for v in axe_violations(driver) {
                    problems.push(format!("{lang} {what} at {width}px: {v}"));
                }
            };
            driver.go(&format!("http://{}/?lang={lang}", server.addr));
            visit("start page", &driver);
            driver.go(&format!(
                "http://{}/s/skaggetorp/{year}?lang={lang}",
                server.addr
            ));
            visit("questionnaire", &driver);
            if width == 360 && (lang == "ar" || lang == "ti") {
                std::fs::write(
                    shots.join(format!("questionnaire-{lang}-360.png")),
                    driver.screenshot(),
                )
                .unwrap();
            }
            // On to the page with the required question, sent without it: the errors.
            for _ in 0..4 {
                next_page(&driver);
            }
            assert!(
                driver.script("return document.querySelector('.error-summary') !== null")
                    == Value::Bool(true)
            );
            visit("error page", &driver);
            driver.click("label[for=T_OMRADET-ganska_trygg]");
            for _ in 0..3 {
                next_page(&driver);
            }
            visit("check page", &driver);
            driver.click("form button[value=send]");
            wait_for(
                &driver,
                "document.readyState === 'complete' && document.querySelector('.receipt') !== null",
            );
            visit("receipt", &driver);
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    drop(server);
    // Two widths × seven languages: every receipt was a stored answer.
    assert_eq!(db.count().await, 14);
    for lang in ["ar", "ti"] {
        let png = std::fs::read(shots.join(format!("questionnaire-{lang}-360.png"))).unwrap();
        assert!(
            png.starts_with(b"\x89PNG"),
            "a screenshot of the {lang} questionnaire"
        );
    }
}

/// Presses the questionnaire's Next button and waits for the page it leads to.
fn next_page(driver: &Driver) {
    driver.script("window.__left = true; return 0;");
    driver.click("form button[value=next]");
    wait_for(
        driver,
        "document.readyState === 'complete' && window.__left === undefined",
    );
}

/// Whether the page fits the window (no sideways scrolling of the page itself) and axe
/// finds no violation.
fn reads_at(driver: &Driver, width: u32, what: &str) {
    let faults = reading_faults(driver, width, what);
    assert!(faults.is_empty(), "{faults:#?}");
}

/// What keeps a page from reading at `width`: the page scrolls sideways (with the elements
/// that stick out), it is not in Swedish, or axe finds a violation.
fn reading_faults(driver: &Driver, width: u32, what: &str) -> Vec<String> {
    let mut faults = Vec::new();
    let (scroll, inner, lang, _) = layout(driver);
    if lang != "sv" {
        faults.push(format!("{what}: lang {lang}"));
    }
    if inner > f64::from(width) || scroll > inner {
        let too_wide = driver.script(&format!(
            "return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > {width} + 1 && !e.closest('.chart-scroll, .table-scroll'))
                .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right));"
        ));
        faults.push(format!(
            "{what} at {width} px: the page is {scroll} px wide in a {inner} px viewport; too wide: {too_wide}"
        ));
    }
    for v in axe_violations(driver) {
        faults.push(format!("{what} at {width} px: {v}"));
    }
    faults
}

/// The smallest text of the page's inline charts, in CSS px as drawn on the screen.
fn smallest_chart_text(driver: &Driver) -> f64 {
    driver
        .script(
            // The scale of the text's transform (rotated axis titles included).
            "return Math.min(...[...document.querySelectorAll('figure.chart svg text')].map(t => {
                const m = t.getScreenCTM();
                return parseFloat(t.getAttribute('font-size')) * Math.hypot(m.a, m.b);
            }));",
        )
        .as_f64()
        .unwrap()
}

#[tokio::test]
async fn the_report_the_explorer_and_a_measure_page_read_on_a_phone_and_a_desktop() {
    if !browser_available() {
        return;
    }
    let db = TestDb::new().await;
    let q = bundled();
    let years: Vec<i32> = (2019..=2026).collect();
    fill_districts(&db.store, &q, &years, 5, |_, _| 150).await;
    let reports = tempfile::tempdir().unwrap();
    let inputs = trygg::analysis::Inputs {
        districts: districts(),
        surveys: surveys_dir(),
    };
    let options = trygg::report::ReportOptions {
        year: 2026,
        compare: None,
        out: reports.path().join("2026"),
    };
    trygg::report::generate(&db.store, &inputs, &options)
        .await
        .unwrap();
    let link = invite(&db.store, "analys@kommun.se", trygg::auth::Role::Analyst).await;
    db.store.close().await;
    let reports_arg = reports.path().to_str().unwrap().to_string();
    let server = Server::start(db.url(), &["--reports", &reports_arg]);
    let base = format!("http://{}", server.addr);
    let narrowest = f64::from(trygg::charts::MIN_DISPLAY_WIDTH);
    for width in [360, 1280] {
        let driver = Driver::start_at(width);
        driver.go(&format!("{base}/rapporter/2026/"));
        reads_at(&driver, width, "the report");
        // Every chart is a file loaded when scrolled near, shown no narrower than keeps its
        // text at 12 CSS px, in a box a keyboard reaches and a screen reader names.
        let charts = driver.script(
            "return [...document.querySelectorAll('figure.chart img')].map(i => ({
                width: i.getBoundingClientRect().width, lazy: i.loading,
                boxed: i.closest('.chart-scroll[tabindex=\"0\"][role=region][aria-label]') !== null}));",
        );
        let charts = charts.as_array().unwrap();
        assert!(charts.len() > 50, "{}", charts.len());
        for c in charts {
            assert!(c["width"].as_f64().unwrap() >= narrowest, "{c}");
            assert_eq!(c["lazy"], "lazy");
            assert_eq!(c["boxed"], true);
        }
        // A chart scrolled to loads (its file is served beside the page).
        driver.script("document.querySelector('figure.chart img').scrollIntoView(); return 0;");
        wait_for(
            &driver,
            "document.querySelector('figure.chart img').complete && document.querySelector('figure.chart img').naturalWidth === 800",
        );
        if width == 360 {
            set_password(&driver, &base, &link);
        }
        sign_in(&driver, &base, "analys@kommun.se");
        for (what, path) in [
            ("the explorer", "/personal/resultat"),
            (
                "a measure page",
                "/personal/atgarder/skaggetorp-belysning-2021",
            ),
        ] {
            driver.go(&format!("{base}{path}"));
            wait_for(&driver, "document.readyState === 'complete'");
            reads_at(&driver, width, what);
            let smallest = smallest_chart_text(&driver);
            assert!(
                smallest >= 12.0,
                "{what} at {width} px: text of {smallest} px"
            );
            if width == 1280 {
                // A desktop shows every chart whole: no chart's box scrolls.
                let scrolls = driver.script(
                    "return [...document.querySelectorAll('.chart-scroll')].some(b => b.scrollWidth > b.clientWidth);",
                );
                assert_eq!(scrolls, false, "{what} at 1280 px");
            }
        }
        std::fs::create_dir_all(SCREENSHOTS).unwrap();
        std::fs::write(
            format!("{SCREENSHOTS}/measure-page-{width}.png"),
            driver.screenshot(),
        )
        .unwrap();
    }
}

#[tokio::test]
async fn an_administrator_publishes_a_wave_from_the_browser_and_sees_the_answers() {
    if !browser_available() {
        return;
    }
    let db = TestDb::new().await;
    let link = invite(&db.store, "admin@kommun.se", trygg::auth::Role::Admin).await;
    db.store.close().await;
    let server = Server::start(db.url(), &[]);
    let driver = Driver::start_at(360);
    let base = format!("http://{}", server.addr);
    set_password(&driver, &base, &link);
    sign_in(&driver, &base, "admin@kommun.se");
    assert_eq!(
        driver.script("return document.scripts.length;"),
        0,
        "no JavaScript needed"
    );
    // Upload the questionnaire and publish it for Ryd.
    driver.go(&format!("{base}/personal/vagor"));
    let year = chrono::Datelike::year(&today());
    driver.type_into("#file", bundled_path().to_str().unwrap());
    driver.type_into("#year", &year.to_string());
    driver.type_into("#opens", &(today() - chrono::Duration::days(1)).to_string());
    driver.type_into(
        "#closes",
        &(today() + chrono::Duration::days(30)).to_string(),
    );
    driver.click("label[for=d-ryd]");
    driver.click("form[enctype] button[type=submit]");
    // Checked, it asks before it publishes, and says what will happen.
    wait_for(
        &driver,
        "document.readyState === 'complete' && document.title.startsWith('Bekräfta publicering')",
    );
    let summary = driver.script("return document.querySelector('main dl').innerText;");
    assert!(summary.as_str().unwrap().contains("Ryd"), "{summary}");
    driver.click("main form button[type=submit]");
    wait_for(
        &driver,
        "document.readyState === 'complete' && document.body.innerText.includes('Stäng Ryd')",
    );
    // Through the browser's form and back, the questionnaire is stored byte for byte.
    let store = db.reopen().await;
    let ryd = store.wave("ryd", year).await.unwrap().unwrap();
    assert!(store.snapshot(ryd.questionnaire_id).await.unwrap() == bundled_source());
    store.close().await;
    // The letters go out: the sample is drawn on the server (`trygg sample`), which then
    // serves with the code key.
    drop(server);
    let frame = db.dir.path().join("frame.csv");
    std::fs::write(&frame, trygg::demo::frame_csv(&["ryd"], 400, year, 9)).unwrap();
    let key = db.dir.path().join("codes.key");
    let print = db.dir.path().join("print");
    std::fs::create_dir_all(&print).unwrap();
    let letters = print.join("letters.csv");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_trygg"))
        .arg("--database")
        .arg(db.url())
        .arg("--surveys")
        .arg(surveys_dir())
        .arg("--code-key")
        .arg(&key)
        .args([
            "sample",
            "--wave",
            &format!("ryd/{year}"),
            "--size",
            "20",
            "--frame",
        ])
        .arg(&frame)
        .arg("--out")
        .arg(&letters)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let code = std::fs::read_to_string(&letters)
        .unwrap()
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .rev()
        .nth(2)
        .unwrap()
        .to_string();
    let key_arg = key.to_str().unwrap().to_string();
    let server = Server::start(db.url(), &["--code-key", &key_arg]);
    let base = format!("http://{}", server.addr);
    // A resident types the code from the letter and answers.
    driver.go(&format!("{base}/?lang=sv"));
    driver.type_into("#kod", &code);
    driver.click("form.code-box button[type=submit]");
    wait_for(
        &driver,
        "document.readyState === 'complete' && document.querySelector('#progress-text') !== null",
    );
    // Page by page to the one required question, then to the check page and send.
    for _ in 0..3 {
        next_page(&driver);
    }
    driver.click("label[for=T_OMRADET-ganska_trygg]");
    for _ in 0..3 {
        next_page(&driver);
    }
    driver.click("form button[value=send]");
    wait_for(
        &driver,
        "document.readyState === 'complete' && document.querySelector('.receipt') !== null",
    );
    // The administrator (still signed in) sees the response rate.
    driver.go(&format!("{base}/personal/oversikt"));
    let card = driver.script(
        "const c = document.getElementById('omrade-ryd');
         return c ? c.closest('section').innerText : null;",
    );
    let card = card.as_str().unwrap_or("").to_string();
    assert!(
        card.contains("Öppen till")
            && card.contains("5 %")
            && card.contains("svarsfrekvens")
            && card.contains("av 20 brev"),
        "{card}"
    );
    let (scroll, width, lang, _) = layout(&driver);
    assert_eq!(lang, "sv");
    assert!(
        scroll <= width,
        "the overview fits a phone: {scroll} > {width}"
    );
}

#[tokio::test]
async fn a_resident_answers_on_a_360_px_phone_without_javascript() {
    if !browser_available() {
        return;
    }
    let db = TestDb::new().await;
    let year = db.publish_open("skaggetorp").await;
    db.store.close().await;
    let server = Server::start(db.url(), &[]);
    let driver = Driver::start();

    driver.go(&format!(
        "http://{}/s/skaggetorp/{year}?lang=en",
        server.addr
    ));
    let page = driver.script(
        "const r = document.querySelector('#P_BELYSNING-mycket').getBoundingClientRect();
         return {scroll: document.documentElement.scrollWidth, width: window.innerWidth,
                 lang: document.documentElement.lang, scripts: document.scripts.length,
                 radio: r.width, font: parseFloat(getComputedStyle(document.body).fontSize)};",
    );
    assert_eq!(page["lang"], "en");
    assert_eq!(page["scripts"], 0, "the page runs no JavaScript");
    let (scroll, width) = (
        page["scroll"].as_f64().unwrap(),
        page["width"].as_f64().unwrap(),
    );
    assert!(width <= 360.0, "viewport {width}");
    assert!(
        scroll <= width,
        "no sideways scrolling at {width} px: content is {scroll} px wide"
    );
    assert!(
        page["radio"].as_f64().unwrap() >= 20.0,
        "radio buttons big enough to tap: {page}"
    );
    assert!(
        page["font"].as_f64().unwrap() >= 16.0,
        "readable text size: {page}"
    );

    // Three pages on, the required question left out: the error summary takes the focus.
    driver.click("label[for=P_BELYSNING-mycket]");
    for _ in 0..4 {
        next_page(&driver);
    }
    let summary = driver.script(
        "const s = document.querySelector('.error-summary');
         return s ? {text: s.innerText, focused: document.activeElement === s} : null;",
    );
    assert!(
        summary["text"]
            .as_str()
            .unwrap_or("")
            .contains("This question must be answered"),
        "{summary}"
    );
    assert_eq!(
        summary["focused"], true,
        "the summary has the focus: {summary}"
    );
    // Its link moves the focus to the question's first option.
    driver.click(".error-summary a");
    let focused = driver.script("return document.activeElement.id;");
    assert_eq!(focused, "T_OMRADET-mycket_trygg");
    driver.click("label[for=T_OMRADET-ganska_trygg]");
    for _ in 0..3 {
        next_page(&driver);
    }
    driver.click("form button[value=send]");
    wait_for(
        &driver,
        "document.readyState === 'complete' && document.querySelector('.receipt') !== null",
    );
    let h1 = driver.script("return document.querySelector('h1').innerText;");
    assert_eq!(h1, "Thank you for your answers!");
    drop(driver);
    drop(server);

    let store = db.reopen().await;
    let wave = store.wave("skaggetorp", year).await.unwrap().unwrap();
    let stored = store.responses(wave.id).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert!(
        stored[0].answers.contains(r#""P_BELYSNING":"mycket""#)
            && stored[0].answers.contains(r#""T_OMRADET":"ganska_trygg""#)
    );
}

#[tokio::test]
async fn an_analyst_explores_results_and_downloads_a_csv_with_and_without_javascript() {
    if !browser_available() {
        return;
    }
    let db = TestDb::new().await;
    let q = bundled();
    fill_districts(&db.store, &q, &[2025, 2026], 23, |_, _| 150).await;
    let link = invite(&db.store, "analys@kommun.se", trygg::auth::Role::Analyst).await;
    db.store.close().await;
    let server = Server::start(db.url(), &[]);
    let base = format!("http://{}", server.addr);
    let label = q
        .question("T_UTE_KVALL")
        .and_then(|x| x.indicator.as_ref())
        .map(|i| i.label.get("sv").to_string())
        .unwrap();
    let mut downloaded = Vec::new();
    for javascript in [true, false] {
        let downloads = tempfile::tempdir().unwrap();
        let driver = Driver::start_with(1024, javascript, Some(downloads.path()));
        // The mode is real: a page's own script runs only with JavaScript on.
        driver.go("data:text/html,<p id=x>off</p><script>x.textContent='on'</script>");
        assert_eq!(
            driver.script("return document.getElementById('x').textContent;"),
            if javascript { "on" } else { "off" }
        );
        if javascript {
            set_password(&driver, &base, &link);
        }
        sign_in(&driver, &base, "analys@kommun.se");
        driver.click("a[href='/personal/resultat']");
        wait_for(
            &driver,
            "document.readyState === 'complete' && document.querySelector('form.explorer') !== null",
        );
        if javascript {
            let violations = axe_violations(&driver);
            assert!(violations.is_empty(), "{violations:#?}");
        }
        // From Skäggetorp to Ryd, and to "out alone in the evening".
        driver.click("#d-skaggetorp");
        driver.click("#d-ryd");
        driver.click("#indicator option[value=T_UTE_KVALL]");
        driver.click("form.explorer button[type=submit]");
        wait_for(
            &driver,
            "document.readyState === 'complete' && location.search.includes('indicator=T_UTE_KVALL')",
        );
        let view = driver.script(
            "return {ryd: document.getElementById('d-ryd').checked,
                     skaggetorp: document.getElementById('d-skaggetorp').checked,
                     indicator: document.getElementById('indicator').value,
                     title: document.querySelector('main h2').textContent,
                     rows: [...[...document.querySelectorAll('main table')].find(t => !t.closest('figure')).tBodies[0].rows].map(r => r.cells[0].textContent + ' ' + r.cells[1].firstChild.textContent),
                     selfSelected: [...[...document.querySelectorAll('main table')].find(t => !t.closest('figure')).tBodies[0].rows].filter(r => r.cells[1].textContent.includes('öppen länk, självselekterat')).length,
                     charts: document.querySelectorAll('figure.chart svg').length,
                     errors: (document.querySelector('.error-summary') || {}).innerText};",
        );
        assert_eq!(view["ryd"], true, "{view}");
        assert_eq!(view["skaggetorp"], false, "{view}");
        assert_eq!(view["indicator"], "T_UTE_KVALL");
        assert_eq!(view["title"], label.as_str());
        assert_eq!(
            view["rows"],
            json!([
                "Ryd 2025",
                "Ryd 2026",
                "Alla områden 2025",
                "Alla områden 2026"
            ])
        );
        assert_eq!(view["charts"], 2);
        // Every wave here is an open link: every row says its answers are self-selected.
        assert_eq!(view["selfSelected"], 4, "{view}");
        std::fs::create_dir_all(SCREENSHOTS).unwrap();
        std::fs::write(
            format!("{SCREENSHOTS}/explorer-js-{javascript}.png"),
            driver.screenshot(),
        )
        .unwrap();
        driver.click("a[href*='sep=semicolon']");
        let deadline = Instant::now() + Duration::from_secs(15);
        // Finished: a CSV, no partial download beside it, and its size the same twice over
        // (a busy machine can show the file before Chrome has written all of it).
        let mut last_size = None;
        let file = loop {
            let entries: Vec<std::path::PathBuf> = std::fs::read_dir(downloads.path())
                .unwrap()
                .filter_map(Result::ok)
                .map(|e| e.path())
                .collect();
            let partial = entries
                .iter()
                .any(|p| p.extension().is_some_and(|x| x == "crdownload"));
            let done = entries
                .into_iter()
                .find(|p| p.extension().is_some_and(|x| x == "csv"));
            if let Some(f) = done.filter(|_| !partial) {
                let size = std::fs::metadata(&f).map(|m| m.len()).ok();
                if size.is_some_and(|n| n > 0) && size == last_size {
                    break f;
                }
                last_size = size;
            }
            assert!(Instant::now() < deadline, "no CSV was downloaded");
            std::thread::sleep(Duration::from_millis(200));
        };
        assert!(
            file.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("trygg-t-ute-kvall-all-2025-2026"),
            "{file:?}"
        );
        downloaded.push(std::fs::read_to_string(&file).unwrap());
    }
    drop(server);
    assert_eq!(downloaded[0], downloaded[1], "the same file either way");
    let csv = downloaded[0].trim_start_matches('\u{feff}');
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("district;area;year;group;indicator;kind;estimate;"));
    assert_eq!(lines.len(), 5, "{csv}");
    // The downloaded share is the analysis's own.
    let store = db.reopen().await;
    let a = trygg::analysis::analyze(
        &store,
        &trygg::analysis::Inputs {
            districts: districts(),
            surveys: surveys_dir(),
        },
        &trygg::analysis::Options::new(2025..=2026),
    )
    .await
    .unwrap();
    let want = a
        .results
        .iter()
        .find(|r| {
            r.year == 2026
                && r.district.to_string() == "ryd"
                && r.indicator.is("T_UTE_KVALL")
                && r.group == trygg::analysis::Group::All
        })
        .and_then(|r| r.estimate)
        .unwrap();
    let ryd_2026: Vec<&str> = lines[2].split(';').collect();
    assert_eq!(
        &ryd_2026[..6],
        ["ryd", "Ryd", "2026", "all", "T_UTE_KVALL", "share"]
    );
    let got: f64 = ryd_2026[6].replace(',', ".").parse().unwrap();
    assert_eq!(got, want);
}

/// The pages of a PDF Chromium wrote: its page objects (not the `/Pages` tree nodes), and
/// the size of the first page's media box in points.
fn pdf_pages(pdf: &[u8]) -> (usize, Option<(f64, f64)>) {
    let text = String::from_utf8_lossy(pdf);
    let pages = text
        .match_indices("/Type /Page")
        .filter(|(i, m)| !text[i + m.len()..].starts_with('s'))
        .count();
    let media = text.split("/MediaBox [").nth(1).and_then(|b| {
        let v: Vec<f64> = b
            .split(']')
            .next()?
            .split_whitespace()
            .filter_map(|x| x.parse().ok())
            .collect();
        (v.len() == 4).then(|| (v[2] - v[0], v[3] - v[1]))
    });
    (pages, media)
}

/// Prints `url` to a PDF the way `chromium --headless --print-to-pdf` does (the page's own
/// `@page` size and margins, no header or footer) and returns the file's bytes.
fn print_to_pdf(url: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("page.pdf");
    let status = std::process::Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(url)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("chromium starts");
    assert!(status.success(), "chromium --print-to-pdf {url}: {status}");
    std::fs::read(&pdf).unwrap()
}

#[tokio::test]
async fn district_pages_print_on_two_a4_pages_and_reflow_at_360_px() {
    if !browser_available() {
        return;
    }
    // The demo's answers for every year, as the steering group's report has them.
    let db = TestDb::new().await;
    let q = bundled();
    for year in 2019..=2026 {
        for d in ["skaggetorp", "ryd", "berga", "city"] {
            let answers = trygg::demo::wave_responses(&q, d, year, trygg::demo::DEFAULT_SEED);
            fill_wave(&db.store, d, year, answers).await;
        }
    }
    let reports = tempfile::tempdir().unwrap();
    let inputs = trygg::analysis::Inputs {
        districts: districts(),
        surveys: surveys_dir(),
    };
    let out = reports.path().join("2026");
    let options = trygg::report::ReportOptions {
        year: 2026,
        compare: None,
        out: out.clone(),
    };
    trygg::report::generate(&db.store, &inputs, &options)
        .await
        .unwrap();
    db.store.close().await;
    let reports_arg = reports.path().to_str().unwrap().to_string();
    let server = Server::start(db.url(), &["--reports", &reports_arg]);
    let phone = Driver::start_at(360);
    let shots = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(SCREENSHOTS);
    std::fs::create_dir_all(&shots).unwrap();
    let mut problems = Vec::new();
    let mut pages = 0;
    for d in districts().codes() {
        let file = out.join(format!("{d}.html"));
        let Ok(bytes) = std::fs::metadata(&file).map(|m| m.len()) else {
            continue;
        };
        pages += 1;
        let url = format!("http://{}/rapporter/2026/{d}.html", server.addr);
        let pdf = print_to_pdf(&url);
        std::fs::write(shots.join(format!("district-{d}.pdf")), &pdf).unwrap();
        let (printed, media) = pdf_pages(&pdf);
        eprintln!("{d}.html: {bytes} bytes, {printed} A4 page(s) printed, media box {media:?}");
        if printed == 0 || printed > 2 {
            problems.push(format!("{d}: {printed} printed pages"));
        }
        // A4 is 595 × 842 points: the page's own @page size, not the printer's default.
        match media {
            Some((w, h)) if (w - 595.0).abs() < 2.0 && (h - 842.0).abs() < 2.0 => {}
            other => problems.push(format!("{d}: printed on {other:?}, not A4")),
        }
        phone.go(&url);
        let (scroll, width, lang, _) = layout(&phone);
        if lang != "sv" || width > 360.0 || scroll > 360.0 {
            problems.push(format!(
                "{d}: lang {lang}, {scroll} px wide in a {width} px viewport"
            ));
        }
        for v in axe_violations(&phone) {
            problems.push(format!("{d} at 360 px: {v}"));
        }
        std::fs::write(
            shots.join(format!("district-{d}-360.png")),
            phone.screenshot(),
        )
        .unwrap();
    }
    assert_eq!(pages, 4, "a page per district");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[tokio::test]
async fn every_staff_page_reflows_at_320_px_and_uses_the_width_at_1280() {
    if !browser_available() {
        return;
    }
    let db = TestDb::new().await;
    trygg::demo::fill(
        &db.store,
        &districts(),
        &surveys_dir(),
        trygg::demo::DEFAULT_SEED,
    )
    .await
    .unwrap();
    // An overdue action, so the actions page and the week's open actions show one.
    let action = trygg::est::NewAction {
        district: "skaggetorp".into(),
        place_id: Some("skaggetorp-centrum".into()),
        kind: trygg::est::ActionKind::Narvaro(trygg::est::Presence::Fritidsledare),
        owner: "Fritidsförvaltningen".into(),
        due: today() - chrono::Days::new(2),
        status: trygg::est::ActionStatus::Pagar,
        note: Some("Kvällsöppet på fritidsgården från vecka 3.".into()),
        week: trygg::est::Week::of(today()),
    };
    db.store.insert_est_action(&action, "test").await.unwrap();
    let link = invite(&db.store, "admin@kommun.se", trygg::auth::Role::Admin).await;
    db.store.close().await;
    let server = Server::start(db.url(), &[]);
    let base = format!("http://{}", server.addr);
    let pages = [
        "/personal",
        "/personal/oversikt",
        "/personal/vagor",
        "/personal/falt",
        "/personal/granskning",
        "/personal/anvandare",
        "/personal/api",
        "/personal/logg",
        "/personal/resultat",
        "/personal/atgarder",
        "/personal/atgarder/skaggetorp-belysning-2021",
        "/personal/rapporter",
        // The EST week's picture (this week of the first district), and the actions.
        "/personal/est",
        // The EST report form, one's own reports and the review queue.
        "/personal/est/rapportera",
        "/personal/est/mina",
        "/personal/est/granska",
        "/personal/est/insatser",
    ];
    let mut faults = Vec::new();
    for width in [320, 1280] {
        let driver = Driver::start_at(width);
        if width == 320 {
            set_password(&driver, &base, &link);
        }
        sign_in(&driver, &base, "admin@kommun.se");
        for page in pages {
            driver.go(&format!("{base}{page}"));
            wait_for(&driver, "document.readyState === 'complete'");
            faults.extend(reading_faults(&driver, width, page));
            if width == 1280 {
                let main = driver
                    .script("return document.querySelector('main').getBoundingClientRect().width;");
                if main.as_f64().unwrap() < 1000.0 {
                    faults.push(format!("{page} at 1280 px: main is only {main} px wide"));
                }
            }
        }
    }
    assert!(faults.is_empty(), "{faults:#?}");
}

/// The text of the page's progress line ("Del 2 av 6").
fn progress_text(driver: &Driver) -> String {
    driver
        .script("const p = document.querySelector('#progress-text'); return p ? p.innerText : '';")
        .as_str()
        .unwrap_or("")
        .replace(['\u{2068}', '\u{2069}'], "")
}

#[tokio::test]
async fn a_resident_leaves_after_page_two_and_sends_with_the_code_from_a_fresh_browser() {
    if !browser_available() {
        return;
    }
    let y = crate::fieldwork::Year::new().await;
    let codes = y.sample(20, "8");
    y.db.store.close().await;
    let key = y.key_path();
    let server = Server::start(y.db.url(), &["--code-key", key.to_str().unwrap()]);
    let base = format!("http://{}", server.addr);
    let code = &codes[0];
    {
        // The code typed on the start page, two pages answered, then the browser is closed.
        let driver = Driver::start();
        driver.go(&format!("{base}/?lang=sv"));
        driver.type_into("#kod", &code.grouped());
        driver.click(".code-box button[type=submit]");
        wait_for(
            &driver,
            "document.readyState === 'complete' && document.querySelector('#progress-text') !== null",
        );
        assert_eq!(progress_text(&driver), "Del 1 av 6");
        driver.click("label[for=P_BELYSNING-mycket]");
        next_page(&driver);
        assert_eq!(progress_text(&driver), "Del 2 av 6");
        driver.click("label[for=U_VALD-ja]");
        next_page(&driver);
        assert_eq!(progress_text(&driver), "Del 3 av 6");
    }
    // A fresh browser (a new profile: no cookies, no history) follows the letter's QR link.
    let driver = Driver::start();
    driver.go(&format!("{base}/k/{}", code.as_str()));
    wait_for(
        &driver,
        "document.readyState === 'complete' && document.querySelector('#progress-text') !== null",
    );
    // Where it stopped, in the language chosen there (not the browser's English).
    assert_eq!(progress_text(&driver), "Del 3 av 6");
    // An answer on this page, then English from the language switch: the answer stays.
    driver.click("label[for=O_MISSHANDEL-ibland]");
    driver.script("window.__left = true; return 0;");
    driver.click("nav.languages button[value='lang:en']");
    wait_for(
        &driver,
        "document.readyState === 'complete' && window.__left === undefined && document.documentElement.lang === 'en'",
    );
    assert_eq!(progress_text(&driver), "Part 3 of 6");
    assert_eq!(
        driver.script("return document.querySelector('#O_MISSHANDEL-ibland').checked;"),
        Value::Bool(true)
    );
    // Back to page 1 and forward again: the first browser's answers are there.
    driver.click("form button[value=back]");
    wait_for(&driver, "document.readyState === 'complete'");
    wait_for(&driver, "document.querySelector('#U_VALD-ja') !== null");
    assert_eq!(
        driver.script("return document.querySelector('#U_VALD-ja').checked;"),
        Value::Bool(true)
    );
    next_page(&driver);
    next_page(&driver);
    assert_eq!(progress_text(&driver), "Part 4 of 6");
    driver.click("label[for=T_OMRADET-ganska_trygg]");
    for _ in 0..3 {
        next_page(&driver);
    }
    let check = driver.script("return document.querySelector('main').innerText;");
    let check = check.as_str().unwrap_or("");
    assert!(check.contains("Check your answers"), "{check}");
    assert!(
        check.contains("Very big problem") || check.contains("A very big problem"),
        "{check}"
    );
    reads_at_lang(&driver, 360, "the check page", "en");
    driver.click("form button[value=send]");
    wait_for(
        &driver,
        "document.readyState === 'complete' && document.querySelector('.receipt') !== null",
    );
    drop(driver);
    drop(server);

    let store = y.db.reopen().await;
    let wave = store.wave("ryd", y.year).await.unwrap().unwrap();
    let stored = store.responses(wave.id).await.unwrap();
    assert_eq!(stored.len(), 1);
    let json: serde_json::Value = serde_json::from_str(&stored[0].answers).unwrap();
    let expected = json!({
        "P_BELYSNING": "mycket",
        "U_VALD": "ja",
        "O_MISSHANDEL": "ibland",
        "T_OMRADET": "ganska_trygg",
    });
    assert_eq!(
        json, expected,
        "the stored answer is what was chosen, nothing more"
    );
    assert_eq!(
        store.count_drafts(None).await.unwrap(),
        0,
        "no draft remains"
    );
}

/// [`reads_at`] for a page in another language than Swedish.
fn reads_at_lang(driver: &Driver, width: u32, what: &str, lang: &str) {
    let (scroll, inner, got, _) = layout(driver);
    assert_eq!(got, lang, "{what}");
    assert!(
        scroll <= inner && inner <= f64::from(width),
        "{what}: {scroll} in {inner}"
    );
    let violations = axe_violations(driver);
    assert!(violations.is_empty(), "{what}: {violations:#?}");
}

#[tokio::test]
async fn the_pages_about_the_site_reflow_at_320_px_pass_axe_and_show_the_focus_ring() {
    if !browser_available() {
        return;
    }
    let db = TestDb::new().await;
    db.store.close().await;
    let server = Server::start(db.url(), &[]);
    let base = format!("http://{}", server.addr);
    let width = 320;
    let driver = Driver::start_at(width);
    let mut problems = Vec::new();
    for (lang, dir) in LANGUAGES {
        for page in ["/om", "/integritet", "/tillganglighet"] {
            driver.go(&format!("{base}{page}?lang={lang}"));
            wait_for(&driver, "document.readyState === 'complete'");
            let (scroll, inner, got_lang, got_dir) = layout(&driver);
            if inner > f64::from(width) || scroll > inner {
                problems.push(format!(
                    "{page} {lang}: {scroll} px wide in a {inner} px viewport"
                ));
            }
            if got_lang != lang || got_dir != dir {
                problems.push(format!("{page} {lang}: lang={got_lang} dir={got_dir}"));
            }
            for v in axe_violations(&driver) {
                problems.push(format!("{page} {lang} at {width} px: {v}"));
            }
        }
    }
    // The logo loads (its type and the page's policy allow it), and a focused link in the
    // header and on the page draws both rings: dark inside, yellow outside.
    let logo = driver.script("return document.querySelector('img.logo').naturalWidth;");
    assert!(logo.as_f64().unwrap() > 0.0, "the logo loads: {logo}");
    // Two presses of Tab: the skip link, then the header's link home.
    let tab = json!({"type": "keyDown", "value": "\u{E004}"});
    let up = json!({"type": "keyUp", "value": "\u{E004}"});
    driver.call(
        "POST",
        &format!("/session/{}/actions", driver.session),
        Some(
            json!({"actions": [{"type": "key", "id": "keyboard", "actions": [tab, up, tab, up]}]}),
        ),
    );
    for link in ["header a.brand", "footer a"] {
        let ring = driver.script(&format!(
            "const a = document.querySelector('{link}');
             if (document.activeElement !== a) a.focus();
             const s = getComputedStyle(a);
             return [s.outlineColor, s.outlineStyle, s.boxShadow, a.matches(':focus')];"
        ));
        let ring = ring.to_string();
        if !(ring.contains("rgb(11, 12, 12)") && ring.contains("rgb(255, 221, 0)")) {
            problems.push(format!("{link}: focus ring {ring}"));
        }
    }
    let header = driver.script(
        "return getComputedStyle(document.querySelector('header.masthead')).backgroundColor;",
    );
    assert_eq!(
        header, "rgb(0, 85, 140)",
        "the header in the site's brand colour"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[tokio::test]
async fn the_residents_results_reflow_at_320_px_and_pass_axe_in_every_language() {
    if !browser_available() {
        return;
    }
    use chrono::Datelike;
    let db = TestDb::new().await;
    let last = today().year() - 1;
    fill_districts(&db.store, &bundled(), &[last - 1, last], 9, |_, _| 80).await;
    db.store.close().await;
    let server = Server::start(db.url(), &[]);
    let driver = Driver::start_at(320);
    let mut problems = Vec::new();
    for (lang, dir) in LANGUAGES {
        for path in ["/resultat", "/resultat/skaggetorp"] {
            driver.go(&format!("http://{}{path}?lang={lang}", server.addr));
            let (scroll, inner, got_lang, got_dir) = layout(&driver);
            if inner > 320.0 || scroll > inner {
                problems.push(format!(
                    "{lang} {path}: {scroll} px wide in a {inner} px viewport"
                ));
            }
            if got_lang != lang || got_dir != dir {
                problems.push(format!("{lang} {path}: lang={got_lang} dir={got_dir}"));
            }
            for v in axe_violations(&driver) {
                problems.push(format!("{lang} {path}: {v}"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[tokio::test]
async fn a_reporter_files_a_report_on_a_320_px_phone_and_a_refusal_keeps_every_answer() {
    if !browser_available() {
        return;
    }
    let db = TestDb::new().await;
    let ryd = ["ryd".to_string()];
    let invite = trygg::operations::Invite {
        email: "vakt@stangastaden.se",
        role: trygg::auth::Role::Reporter,
        districts: Some(&ryd),
        organisation: Some("Stångåstaden"),
    };
    let link = trygg::operations::invite_staff(&db.store, "", &invite, "test")
        .await
        .unwrap();
    db.store.close().await;
    let server = Server::start(db.url(), &[]);
    let base = format!("http://{}", server.addr);
    let driver = Driver::start_at(320);
    set_password(&driver, &base, &link);
    sign_in(&driver, &base, "vakt@stangastaden.se");
    driver.click("main a[href='/personal/est/rapportera']");
    wait_for(
        &driver,
        "document.readyState === 'complete' && document.querySelector('#place') !== null",
    );
    reads_at(&driver, 320, "the report form");
    assert_eq!(
        driver.script("return document.scripts.length;"),
        0,
        "no JavaScript"
    );
    // The district is fixed (one only); a place, the evening, graffiti, and a phone number.
    driver.script("document.querySelector('#place').selectedIndex = 1;");
    driver.click("label[for=pod-kvall]");
    driver.click("label[for=cat-klotter]");
    driver.type_into("#description", "Ring 070-123 45 67");
    driver.click("form.est-report button[type=submit]");
    wait_for(
        &driver,
        "document.readyState === 'complete' && document.querySelector('.error-summary') !== null",
    );
    reads_at(&driver, 320, "the refused report form");
    let kept = driver.script(
        "return {summary: document.querySelector('.error-summary').innerText,
                 focused: document.activeElement === document.querySelector('.error-summary'),
                 evening: document.querySelector('#pod-kvall').checked,
                 graffiti: document.querySelector('#cat-klotter').checked,
                 place: document.querySelector('#place').selectedIndex};",
    );
    assert!(
        kept["summary"]
            .as_str()
            .unwrap()
            .contains("aldrig om personer"),
        "{kept}"
    );
    assert_eq!(
        (
            &kept["focused"],
            &kept["evening"],
            &kept["graffiti"],
            &kept["place"]
        ),
        (&json!(true), &json!(true), &json!(true), &json!(1)),
        "{kept}"
    );
    driver.script("document.querySelector('#description').value = '';");
    driver.type_into("#description", "Klotter på muren");
    driver.click("form.est-report button[type=submit]");
    wait_for(
        &driver,
        "document.readyState === 'complete' && document.querySelector('.receipt') !== null",
    );
    reads_at(&driver, 320, "Mina rapporter with the receipt");
    let receipt = driver.script("return document.querySelector('.receipt').innerText;");
    assert!(
        receipt
            .as_str()
            .unwrap()
            .contains("Rapporten är sparad och väntar på granskning")
    );
    drop(driver);
    drop(server);
    let store = db.reopen().await;
    let stored = store.est_reports(Some("ryd"), None).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].description.as_deref(), Some("Klotter på muren"));
    assert_eq!(stored[0].organisation, "Stångåstaden");
}
