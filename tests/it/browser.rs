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
        let caps = json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": {
            "binary": CHROMIUM,
            // A phone's viewport: headless Chromium will not make a window narrower than 500 px.
            "mobileEmulation": {"deviceMetrics": {"width": 360, "height": 740, "pixelRatio": 3.0}},
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--window-size=360,800", format!("--user-data-dir={}", profile.path().display())]
        }}}});
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

    fn click(&self, css: &str) {
        let el = self.call(
            "POST",
            &format!("/session/{}/element", self.session),
            Some(json!({"using": "css selector", "value": css})),
        );
        let id = el
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no element {css}: {el}"))
            .to_string();
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

#[tokio::test]
async fn a_resident_answers_on_a_360_px_phone_without_javascript() {
    if !std::path::Path::new(CHROMIUM).exists() || !std::path::Path::new(CHROMEDRIVER).exists() {
        assert!(
            std::env::var("TRYGG_REQUIRE_BROWSER").is_err(),
            "TRYGG_REQUIRE_BROWSER is set but Chromium/ChromeDriver are missing"
        );
        eprintln!("skipped: Debian's chromium and chromium-driver are not installed");
        return;
    }
    let db = TestDb::new().await;
    let year = db.publish_open("skaggetorp").await;
    db.store.close().await;
    let server = Server::start(&db.path(), &[]);
    let driver = Driver::start();

    driver.go(&format!(
        "http://{}/s/skaggetorp/{year}?lang=en",
        server.addr
    ));
    let page = driver.script(
        "const r = document.querySelector('#T_OMRADET-ganska_trygg').getBoundingClientRect();
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

    // Submitting without the required answer: the error summary, then a correct answer.
    driver.click("button[type=submit]");
    wait_for(
        &driver,
        "document.readyState === 'complete' && document.querySelector('.error-summary') !== null",
    );
    let summary = driver.script(
        "const s = document.querySelector('.error-summary'); return s ? s.innerText : null;",
    );
    assert!(
        summary
            .as_str()
            .unwrap_or("")
            .contains("This question must be answered"),
        "{summary}"
    );
    driver.click("label[for=T_OMRADET-ganska_trygg]");
    driver.click("label[for=P_BELYSNING-mycket]");
    driver.click("button[type=submit]");
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
