//! The real server on a socket, against clients that are slow, silent, many or gone:
//! timeouts close what would otherwise be held forever, idle connections cannot lock
//! residents out, load is shed with 503, shutdown finishes what is in flight, and report
//! downloads are streamed from disk.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::durability::Server;
use crate::helpers::*;

/// Reads until the server closes the connection (or 10 s pass); returns what arrived and
/// how long it took.
fn read_until_closed(s: &mut TcpStream) -> (String, Duration) {
    let start = Instant::now();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(e) => panic!("the server did not close the connection: {e}"),
        }
    }
    (String::from_utf8_lossy(&out).into_owned(), start.elapsed())
}

async fn open_wave_db() -> (TestDb, i32) {
    let db = TestDb::new().await;
    let year = db.publish_open("ryd").await;
    db.store.close().await;
    (db, year)
}

/// Headers of a form post whose body is `len` bytes long, and its first part.
fn start_post(addr: &str, path: &str, body: &str, sent: usize) -> TcpStream {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
        body.len(),
        &body[..sent]
    )
    .unwrap();
    s
}

#[tokio::test]
async fn silent_and_trickling_connections_are_closed_by_the_header_timeout() {
    let (db, _) = open_wave_db().await;
    let server = Server::start(db.url(), &["--header-timeout", "1"]);

    let mut silent = TcpStream::connect(&server.addr).unwrap();
    let (_, waited) = read_until_closed(&mut silent);
    assert!(
        waited < Duration::from_secs(5),
        "silent: closed after {waited:?}"
    );

    // One header line every 300 ms: the headers never complete within the timeout.
    let mut trickle = TcpStream::connect(&server.addr).unwrap();
    let mut writer = trickle.try_clone().unwrap();
    std::thread::spawn(move || {
        let _ = writer.write_all(b"GET / HTTP/1.1\r\n");
        for i in 0..40 {
            std::thread::sleep(Duration::from_millis(300));
            if writer
                .write_all(format!("X-Slow-{i}: x\r\n").as_bytes())
                .is_err()
            {
                break;
            }
        }
    });
    let (_, waited) = read_until_closed(&mut trickle);
    assert!(
        waited < Duration::from_secs(5),
        "trickle: closed after {waited:?}"
    );

    // An idle keep-alive connection is closed too, after its first answer.
    let mut keep = TcpStream::connect(&server.addr).unwrap();
    write!(keep, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let (reply, waited) = read_until_closed(&mut keep);
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(
        waited < Duration::from_secs(5),
        "keep-alive: closed after {waited:?}"
    );
}

#[tokio::test]
async fn a_slow_body_gets_408_and_stores_nothing() {
    let (db, year) = open_wave_db().await;
    let server = Server::start(db.url(), &["--body-timeout", "1"]);
    let body = "lang=en&T_OMRADET=ganska_trygg&P_BELYSNING=mycket";
    let mut s = start_post(&server.addr, &format!("/s/ryd/{year}"), body, 10);
    let (reply, _) = read_until_closed(&mut s);
    assert!(reply.starts_with("HTTP/1.1 408"), "{reply}");
    assert!(reply.contains("nothing has been saved") || reply.contains("inget har sparats"));
    assert_eq!(db.count().await, 0);
}

#[tokio::test]
async fn a_thousand_idle_connections_do_not_lock_residents_out() {
    let (db, year) = open_wave_db().await;
    // 200 open files: the idle sockets alone would exhaust them many times over.
    let server = Server::start_with(db.url(), &[], Some(200));
    let idle: Vec<TcpStream> = (0..1000)
        .map(|_| TcpStream::connect(&server.addr).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let (status, body) = server.request("GET", &format!("/s/ryd/{year}"), "");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("P_BELYSNING"));
    let (status, body) = server.request(
        "POST",
        &format!("/s/ryd/{year}"),
        "lang=sv&T_OMRADET=ganska_trygg",
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(db.count().await, 1);
    drop(idle);
}

#[tokio::test]
async fn requests_beyond_the_in_flight_cap_get_503_with_retry_after() {
    let (db, year) = open_wave_db().await;
    let server = Server::start(db.url(), &["--max-in-flight", "1"]);
    // Another writer holds the database: a submission waits for it, holding the one place.
    let mut other = db.lock().await;
    let body = "lang=en&T_OMRADET=ganska_trygg";
    let mut waiting = start_post(&server.addr, &format!("/s/ryd/{year}"), body, body.len());
    std::thread::sleep(Duration::from_millis(500));
    let mut s = TcpStream::connect(&server.addr).unwrap();
    write!(
        s,
        "GET /?lang=en HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let (reply, _) = read_until_closed(&mut s);
    assert!(reply.starts_with("HTTP/1.1 503"), "{reply}");
    assert!(
        reply.to_ascii_lowercase().contains("retry-after: 5"),
        "{reply}"
    );
    assert!(reply.contains("Please try again in a little while"));

    // The lock is released: the waiting resident's answer is stored and acknowledged.
    sqlx::query("COMMIT").execute(&mut other).await.unwrap();
    let (reply, _) = read_until_closed(&mut waiting);
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert_eq!(db.count().await, 1);
    let (status, _) = server.request("GET", "/", "");
    assert_eq!(status, 200);
}

#[tokio::test]
async fn slow_bodies_do_not_take_the_places_of_others() {
    let (db, year) = open_wave_db().await;
    let server = Server::start(db.url(), &["--max-in-flight", "2"]);
    let body = "lang=en&T_OMRADET=ganska_trygg";
    let slow: Vec<TcpStream> = (0..6)
        .map(|_| start_post(&server.addr, &format!("/s/ryd/{year}"), body, 3))
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let (status, page) = server.request("GET", "/", "");
    assert_eq!(status, 200, "{page}");
    let (status, _) = server.request("POST", &format!("/s/ryd/{year}"), body);
    assert_eq!(status, 200);
    drop(slow);
}

#[tokio::test]
async fn stalled_downloads_are_cut_off_and_cannot_lock_residents_out() {
    let (db, _) = open_wave_db().await;
    let reports = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(reports.path().join("2026")).unwrap();
    // Far more than the socket buffers hold, so the server cannot finish sending.
    std::fs::write(
        reports.path().join("2026/results.parquet"),
        vec![b'x'; 40 * 1024 * 1024],
    )
    .unwrap();
    std::fs::write(reports.path().join("2026/index.html"), "<p>rapport</p>").unwrap();
    let reports_arg = reports.path().to_str().unwrap().to_string();
    let server = Server::start(
        db.url(),
        &[
            "--reports",
            &reports_arg,
            "--max-connections",
            "4",
            "--body-timeout",
            "2",
        ],
    );
    let stalled: Vec<TcpStream> = (0..4)
        .map(|_| {
            let mut s = TcpStream::connect(&server.addr).unwrap();
            write!(
                s,
                "GET /rapporter/2026/results.parquet HTTP/1.1\r\nHost: x\r\n\r\n"
            )
            .unwrap();
            s
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    // Every connection is busy sending; within the send timeout the stalled ones are cut
    // off and a resident gets in.
    let started = Instant::now();
    let answered = loop {
        let mut s = TcpStream::connect(&server.addr).unwrap();
        let _ = write!(
            s,
            "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        );
        let (reply, _) = read_until_closed(&mut s);
        if reply.starts_with("HTTP/1.1 200") {
            break true;
        }
        if started.elapsed() > Duration::from_secs(15) {
            break false;
        }
        std::thread::sleep(Duration::from_millis(250));
    };
    assert!(
        answered,
        "no answer while stalled downloads held every connection"
    );
    drop(stalled);
}

#[tokio::test]
async fn shutdown_finishes_a_submission_in_flight() {
    let (db, year) = open_wave_db().await;
    let mut server = Server::start(db.url(), &[]);
    let body = "lang=en&T_OMRADET=ganska_trygg&P_BELYSNING=mycket";
    let mut slow = start_post(&server.addr, &format!("/s/ryd/{year}"), body, 10);
    std::thread::sleep(Duration::from_millis(300));
    // SAFETY: signals our own child process.
    assert_eq!(unsafe { libc::kill(server.pid(), libc::SIGTERM) }, 0);
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        TcpStream::connect(&server.addr).is_err(),
        "no new connections during shutdown"
    );
    slow.write_all(&body.as_bytes()[10..]).unwrap();
    let (reply, _) = read_until_closed(&mut slow);
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(reply.contains("Thank you for your answers!"));
    let status = server.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    assert_eq!(db.count().await, 1);
}

#[tokio::test]
async fn report_downloads_are_streamed_and_memory_stays_flat() {
    let (db, _) = open_wave_db().await;
    let reports = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(reports.path().join("2026")).unwrap();
    // A report page the size of a real one (5.5 MB), of distinct lines.
    let page: String = (0..110_000)
        .map(|i| format!("<p>rad {i:07} i rapporten …………………</p>\n"))
        .collect();
    std::fs::write(reports.path().join("2026/index.html"), &page).unwrap();
    let reports_arg = reports.path().to_str().unwrap().to_string();
    let server = Server::start(db.url(), &["--reports", &reports_arg]);

    // A full download is the file, byte for byte; a range request gets its range.
    let mut s = TcpStream::connect(&server.addr).unwrap();
    write!(
        s,
        "GET /rapporter/2026/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let (reply, _) = read_until_closed(&mut s);
    let (head, got) = reply.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(
        head.to_ascii_lowercase().contains("last-modified:"),
        "{head}"
    );
    assert_eq!(got.len(), page.len());
    assert!(got == page);
    let mut s = TcpStream::connect(&server.addr).unwrap();
    write!(s, "GET /rapporter/2026/index.html HTTP/1.1\r\nHost: x\r\nRange: bytes=0-9\r\nConnection: close\r\n\r\n").unwrap();
    let (reply, _) = read_until_closed(&mut s);
    assert!(reply.starts_with("HTTP/1.1 206"), "{reply}");
    assert!(reply.ends_with(&page[..10]));

    let before = server.rss_kb();
    // 150 clients ask for the page and never read the reply.
    let stalled: Vec<TcpStream> = (0..150)
        .map(|_| {
            let mut s = TcpStream::connect(&server.addr).unwrap();
            write!(s, "GET /rapporter/2026/ HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
            s
        })
        .collect();
    std::thread::sleep(Duration::from_secs(2));
    let after = server.rss_kb();
    eprintln!("server RSS with 150 stalled report downloads: {before} kB -> {after} kB");
    // Whole pages in memory would be 150 × 5.5 MB ≈ 820 MB.
    assert!(
        after < before + 60 * 1024,
        "RSS grew from {before} kB to {after} kB"
    );
    let (status, _) = server.request("GET", "/", "");
    assert_eq!(status, 200);
    drop(stalled);
}

#[tokio::test]
async fn a_made_up_staff_cookie_buys_no_large_body() {
    let (db, _) = open_wave_db().await;
    let server = Server::start(db.url(), &[]);
    // One upload with a cookie that names no session: read no further than a resident's
    // body limit, then refused.
    let mut s = TcpStream::connect(&server.addr).unwrap();
    let chunk = vec![b'a'; 256 * 1024];
    write!(s, "POST /personal/falt/papper HTTP/1.1\r\nHost: x\r\nCookie: trygg_personal=made-up\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", 8 * 1024 * 1024).unwrap();
    let _ = s.write_all(&chunk);
    let (reply, _) = read_until_closed(&mut s);
    assert!(reply.starts_with("HTTP/1.1 413"), "{reply}");

    let before = server.rss_kb();
    // 100 such uploads send 1 MiB each and stall.
    let stalled: Vec<TcpStream> = (0..100)
        .map(|_| {
            let mut s = TcpStream::connect(&server.addr).unwrap();
            write!(s, "POST /personal/falt/papper HTTP/1.1\r\nHost: x\r\nCookie: trygg_personal=made-up\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: {}\r\n\r\n", 8 * 1024 * 1024).unwrap();
            s.set_write_timeout(Some(Duration::from_millis(500))).unwrap();
            for _ in 0..4 {
                if s.write_all(&chunk).is_err() {
                    break;
                }
            }
            s
        })
        .collect();
    std::thread::sleep(Duration::from_secs(1));
    let after = server.rss_kb();
    eprintln!("server RSS with 100 stalled made-up-cookie uploads: {before} kB -> {after} kB");
    assert!(
        after < before + 50 * 1024,
        "RSS grew from {before} kB to {after} kB"
    );
    let (status, _) = server.request("GET", "/", "");
    assert_eq!(status, 200);
    drop(stalled);
}
