//! `trygg bench --load` and `trygg bench --crash`: residents' submissions over loopback
//! against a real `trygg serve` process, counted against what the database holds after.
//!
//! Every submission is a full, valid questionnaire whose free-text answer carries a token
//! unique to it (`bench-<client>-<n>`), so afterwards each receipt can be matched with its
//! stored row: none may be missing (a lost answer) and no token may be stored twice.
//!
//! - `--load`: `clients` keep-alive connections post for `seconds`; the report gives
//!   submissions per second, p50/p99 latency from sending to the whole receipt, the number
//!   of replies that were not 2xx, and stored rows against receipts.
//! - `--crash`: the same load, and the server is killed with SIGKILL at a random moment,
//!   `kills` times over, restarting it on the same database each time; after every kill the
//!   database is opened (SQLite recovers its WAL) and every receipt must be there once.
//!
//! Both run on a fresh SQLite file by default, or with `--postgres <server URL>` on a
//! database `trygg_bench` the benchmark creates (replacing it) on that server.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::body::Body;
use chrono::Datelike;
use hyper::Request;
use hyper_util::rt::TokioIo;

use super::timing::percentile;
use crate::error::Error;
use crate::questionnaire::{self, QuestionKind, Questionnaire};
use crate::store::{NewWave, Store};

/// The district the benchmark's open wave is published in.
const DISTRICT: &str = "ryd";

/// What one client saw.
#[derive(Default)]
struct Tally {
    /// Tokens of the submissions that got a receipt.
    receipts: Vec<String>,
    latencies: Vec<Duration>,
    /// Replies that came but were not 2xx (with a receipt).
    refused: usize,
    /// Submissions without any reply (the connection broke: the server was killed).
    unanswered: usize,
}

/// A running `trygg serve`.
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(exe: &Path, db: &str, surveys: &Path) -> Result<Server, Error> {
        let mut child = Command::new(exe)
            .arg("--database")
            .arg(db)
            .arg("--surveys")
            .arg(surveys)
            // Every client posts from 127.0.0.1: no limit on answers per address.
            .args(["serve", "--addr", "127.0.0.1:0", "--open-link-limit", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| Error::Internal(format!("starting {}: {e}", exe.display())))?;
        let stdout = child.stdout.take().expect("piped");
        let mut lines = BufReader::new(stdout).lines();
        let addr = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(rest) = line.strip_prefix("trygg listening on http://") {
                        break rest.trim().to_string();
                    }
                }
                _ => {
                    let _ = child.kill();
                    return Err(Error::Internal("the server did not start".into()));
                }
            }
        };
        // Keep reading its output so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Ok(Server { child, addr })
    }

    /// Ends the server as an operator does (SIGTERM), waiting for it to finish.
    fn stop(mut self) {
        // SAFETY: kill(2) on our own child's pid has no memory effects.
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGTERM);
        }
        let _ = self.child.wait();
    }

    /// SIGKILL: no shutdown, no flush, no goodbye.
    fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Where the benchmark's database lives.
#[derive(Debug, Clone)]
pub enum Target {
    /// A fresh SQLite file in this folder.
    Sqlite(PathBuf),
    /// A fresh database `trygg_bench` on the PostgreSQL server at this URL.
    Postgres(String),
}

/// The name of the database the benchmark makes on a PostgreSQL server.
const POSTGRES_DATABASE: &str = "trygg_bench";

impl Target {
    /// A new, empty database; its URL (a path for SQLite).
    async fn fresh(&self) -> Result<String, Error> {
        match self {
            Target::Sqlite(dir) => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| Error::Invalid(format!("{}: {e}", dir.display())))?;
                let db = dir.join("load.db");
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
                }
                let _ = std::fs::remove_dir_all(dir.join("load.db.frozen"));
                Ok(db.display().to_string())
            }
            Target::Postgres(server) => {
                use sqlx::Connection;
                let mut admin = sqlx::PgConnection::connect(server).await.map_err(|e| {
                    Error::Config(format!(
                        "PostgreSQL at {}: {e}",
                        crate::store::redact(server)
                    ))
                })?;
                for sql in [
                    format!("drop database if exists {POSTGRES_DATABASE} with (force)"),
                    format!("create database {POSTGRES_DATABASE}"),
                ] {
                    sqlx::query(sqlx::AssertSqlSafe(sql))
                        .execute(&mut admin)
                        .await?;
                }
                let mut url = url::Url::parse(server)
                    .map_err(|e| Error::Config(format!("--postgres: {e}")))?;
                url.set_path(POSTGRES_DATABASE);
                Ok(url.to_string())
            }
        }
    }

    fn name(&self) -> &'static str {
        match self {
            Target::Sqlite(_) => "SQLite",
            Target::Postgres(_) => "PostgreSQL",
        }
    }
}

/// A fresh benchmark database with one open wave; returns its URL and the form path.
async fn setup(target: &Target, surveys: &Path) -> Result<(String, String, Questionnaire), Error> {
    let db = target.fresh().await?;
    let file = surveys.join("trygghet-2026.toml");
    let source = std::fs::read_to_string(&file)
        .map_err(|e| Error::Invalid(format!("{}: {e}", file.display())))?;
    let q = questionnaire::parse(&file.display().to_string(), &source)
        .map_err(|f| Error::Invalid(f[0].to_string()))?;
    let today = chrono::Local::now().date_naive();
    let store = Store::connect(&db).await?;
    store
        .publish(&NewWave {
            district: DISTRICT,
            year: today.year(),
            questionnaire_code: &q.code,
            source: &source,
            opens_on: today - chrono::Duration::days(1),
            closes_on: today + chrono::Duration::days(30),
        })
        .await?;
    store.close().await;
    Ok((db, format!("/s/{DISTRICT}/{}", today.year()), q))
}

/// A complete answer to every question, the free text carrying `token`, form-encoded.
fn form(q: &Questionnaire, token: &str) -> String {
    let enc = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    let mut out = vec!["lang=sv".to_string()];
    for question in &q.questions {
        let code = enc(&question.code);
        let first = question.options.first().map(|o| enc(&o.code));
        match question.kind {
            QuestionKind::Single | QuestionKind::Scale | QuestionKind::YesNo => {
                out.extend(first.map(|o| format!("{code}={o}")))
            }
            QuestionKind::Multi => out.extend(
                question
                    .options
                    .iter()
                    .take(2)
                    .map(|o| format!("{code}={}", enc(&o.code))),
            ),
            QuestionKind::Number => out.push(format!("{code}=7")),
            QuestionKind::FreeText => out.push(format!("{code}={}", enc(token))),
        }
    }
    out.join("&")
}

/// One client: a keep-alive connection posting until `stop`, reconnecting when it breaks.
async fn client(
    id: usize,
    addr: String,
    path: String,
    q: Arc<Questionnaire>,
    stop: Arc<AtomicBool>,
) -> Tally {
    let mut tally = Tally::default();
    let mut n = 0u64;
    'connect: while !stop.load(Ordering::Relaxed) {
        let Ok(stream) = tokio::net::TcpStream::connect(&addr).await else {
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        let Ok((mut sender, conn)) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await
        else {
            continue;
        };
        tokio::spawn(conn);
        while !stop.load(Ordering::Relaxed) {
            n += 1;
            let token = format!("bench-{id}-{n}");
            let req = Request::post(path.as_str())
                .header(hyper::header::HOST, addr.as_str())
                .header(
                    hyper::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .body(Body::from(form(&q, &token)))
                .expect("a valid request");
            let started = Instant::now();
            let reply = match sender.send_request(req).await {
                Ok(res) => {
                    let status = res.status();
                    axum::body::to_bytes(Body::new(res.into_body()), 1 << 22)
                        .await
                        .map(|body| (status, body))
                }
                Err(_) => {
                    tally.unanswered += 1;
                    continue 'connect;
                }
            };
            match reply {
                Ok((status, body))
                    if status.is_success() && body.windows(7).any(|w| w == b"receipt") =>
                {
                    tally.latencies.push(started.elapsed());
                    tally.receipts.push(token);
                }
                Ok(_) => tally.refused += 1,
                Err(_) => {
                    tally.unanswered += 1;
                    continue 'connect;
                }
            }
        }
    }
    tally
}

/// Runs `clients` clients against `addr` until `stop` is set by the caller.
async fn run_clients(
    clients: usize,
    addr: &str,
    path: &str,
    q: &Arc<Questionnaire>,
    stop: &Arc<AtomicBool>,
    round: usize,
) -> Vec<tokio::task::JoinHandle<Tally>> {
    (0..clients)
        .map(|c| {
            tokio::spawn(client(
                round * 10_000 + c,
                addr.to_string(),
                path.to_string(),
                q.clone(),
                stop.clone(),
            ))
        })
        .collect()
}

async fn gather(handles: Vec<tokio::task::JoinHandle<Tally>>) -> Tally {
    let mut all = Tally::default();
    for h in handles {
        if let Ok(t) = h.await {
            all.receipts.extend(t.receipts);
            all.latencies.extend(t.latencies);
            all.refused += t.refused;
            all.unanswered += t.unanswered;
        }
    }
    all
}

/// The tokens stored in the database, with how many times each is there.
async fn stored_tokens(db: &str, q: &Questionnaire) -> Result<HashMap<String, usize>, Error> {
    let text = q
        .questions
        .iter()
        .find(|x| x.kind == QuestionKind::FreeText)
        .map(|x| x.code.clone())
        .ok_or_else(|| Error::Invalid("the questionnaire has no free-text question".into()))?;
    let store = Store::connect(db).await?;
    let mut tokens: HashMap<String, usize> = HashMap::new();
    for w in store.waves().await? {
        store
            .scan_responses(w.id, |answers| {
                let v: serde_json::Value = serde_json::from_str(answers)
                    .map_err(|e| Error::Internal(format!("stored answers: {e}")))?;
                if let Some(t) = v.get(&text).and_then(|t| t.as_str()) {
                    *tokens.entry(t.to_string()).or_default() += 1;
                }
                Ok(())
            })
            .await?;
    }
    store.close().await;
    Ok(tokens)
}

/// Receipts missing from the database, and tokens stored more than once.
fn check(receipts: &[String], stored: &HashMap<String, usize>) -> (usize, usize) {
    let lost = receipts.iter().filter(|t| !stored.contains_key(*t)).count();
    let twice = stored.values().filter(|n| **n > 1).count();
    (lost, twice)
}

/// `trygg bench --load`.
pub async fn load(
    exe: &Path,
    target: &Target,
    surveys: &Path,
    clients: usize,
    seconds: f64,
) -> Result<String, Error> {
    let (db, path, q) = setup(target, surveys).await?;
    let q = Arc::new(q);
    let server = Server::start(exe, &db, surveys)?;
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let handles = run_clients(clients, &server.addr, &path, &q, &stop, 0).await;
    tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut tally = gather(handles).await;
    let elapsed = started.elapsed().as_secs_f64();
    let logins = super::logins::healthz_during_logins(&server.addr, &db, seconds.min(10.0)).await?;
    server.stop();
    let stored = stored_tokens(&db, &q).await?;
    let (lost, twice) = check(&tally.receipts, &stored);
    let rows: usize = stored.values().sum();
    tally.latencies.sort_unstable();
    let ok = tally.receipts.len();
    // Nothing stored, a server that stopped answering, or any refusal is a failure too.
    let verdict = if ok > 0
        && lost == 0
        && twice == 0
        && rows == ok
        && tally.refused == 0
        && tally.unanswered == 0
    {
        "OK"
    } else {
        "FAILED"
    };
    Ok(format!(
        "load: {clients} clients, {elapsed:.1} s, {} ({db})\n\
         durable submissions/s: {:.0}\n\
         latency p50 {:.1} ms, p99 {:.1} ms\n\
         receipts {ok}, non-2xx {}, without reply {}\n\
         stored rows {rows}, receipts missing {lost}, stored twice {twice}: {verdict}\n\
         {logins}",
        target.name(),
        ok as f64 / elapsed,
        percentile(&tally.latencies, 0.50),
        percentile(&tally.latencies, 0.99),
        tally.refused,
        tally.unanswered,
        db = crate::store::redact(&db),
    ))
}

/// `trygg bench --crash`.
pub async fn crash(
    exe: &Path,
    target: &Target,
    surveys: &Path,
    clients: usize,
    kills: usize,
) -> Result<String, Error> {
    let (db, path, q) = setup(target, surveys).await?;
    let q = Arc::new(q);
    let mut receipts = Vec::new();
    let mut lines = Vec::new();
    let (mut lost_total, mut twice_total, mut unacknowledged) = (0, 0, 0usize);
    for round in 1..=kills {
        let server = Server::start(exe, &db, surveys)?;
        let stop = Arc::new(AtomicBool::new(false));
        let handles = run_clients(clients, &server.addr, &path, &q, &stop, round).await;
        // A random moment between 0.5 and 2.5 s into the load.
        let mut r = [0u8; 2];
        getrandom::fill(&mut r).map_err(|e| Error::Internal(format!("getrandom: {e}")))?;
        let after = Duration::from_millis(500 + u64::from(u16::from_le_bytes(r)) % 2000);
        tokio::time::sleep(after).await;
        server.kill();
        stop.store(true, Ordering::Relaxed);
        let tally = gather(handles).await;
        receipts.extend(tally.receipts.iter().cloned());
        let stored = stored_tokens(&db, &q).await?;
        let (lost, twice) = check(&receipts, &stored);
        let rows: usize = stored.values().sum();
        unacknowledged = rows.saturating_sub(receipts.len() - lost);
        lost_total = lost;
        twice_total = twice;
        lines.push(format!(
            "kill {round:>2} after {:>4} ms: {:>5} receipts this round, {:>6} stored in all, missing {lost}, twice {twice}",
            after.as_millis(),
            tally.receipts.len(),
            rows
        ));
    }
    let verdict = if !receipts.is_empty() && lost_total == 0 && twice_total == 0 {
        "OK"
    } else {
        "FAILED"
    };
    Ok(format!(
        "{}\ncrash: {kills} SIGKILLs under {clients} clients on {}; {} receipts, {lost_total} missing, {twice_total} stored twice, {unacknowledged} stored without a receipt (in flight at the kill): {verdict}",
        lines.join("\n"),
        target.name(),
        receipts.len()
    ))
}
