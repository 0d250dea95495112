//! Part of `trygg bench --load`: how the server answers everyone else while staff sign in.
//! Sixteen clients sign in over and over with the right password (argon2 every time) while
//! one client asks `/healthz` every 10 ms; the figure is `/healthz`'s latency. Password
//! hashing runs on blocking threads with a cap (`auth::off_thread`), so it stays low.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::body::Body;
use hyper::Request;
use hyper_util::rt::TokioIo;

use crate::error::Error;
use crate::role::Role;
use crate::store::Store;

/// Clients signing in at once.
pub const LOGINS: usize = 16;
const EMAIL: &str = "bench@kommun.se";
const PASSWORD: &str = "bench-password-long-enough";

/// An account with a password the login clients use.
async fn account(db: &str) -> Result<(), Error> {
    let store = Store::connect(db).await?;
    let account = store.add_staff(EMAIL, Role::Reader, None, "bench").await?;
    let token = crate::auth::random_token();
    let hash = crate::auth::token_hash(&token);
    let now = crate::auth::now_secs();
    store
        .add_password_token(account.id, &hash, now + 3600)
        .await?;
    let phc = crate::auth::hash_password(PASSWORD).map_err(Error::Internal)?;
    store.set_password(&hash, &phc, now).await?;
    store.close().await;
    Ok(())
}

/// A keep-alive connection to `addr`.
async fn connect(addr: &str) -> Option<hyper::client::conn::http1::SendRequest<Body>> {
    let stream = tokio::net::TcpStream::connect(addr).await.ok()?;
    let _ = stream.set_nodelay(true);
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .ok()?;
    tokio::spawn(conn);
    Some(sender)
}

/// One client signing in until `stop`; counts the sign-ins that succeeded.
async fn sign_in(addr: String, stop: Arc<AtomicBool>, done: Arc<AtomicUsize>) {
    let body = format!("email={EMAIL}&password={PASSWORD}");
    while !stop.load(Ordering::Relaxed) {
        let Some(mut sender) = connect(&addr).await else {
            return;
        };
        let req = Request::post("/personal/logga-in")
            .header(hyper::header::HOST, addr.as_str())
            .header(
                hyper::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .header(hyper::header::CONNECTION, "close")
            .body(Body::from(body.clone()))
            .expect("a valid request");
        if let Ok(res) = sender.send_request(req).await
            && res.status() == hyper::StatusCode::SEE_OTHER
        {
            done.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// `/healthz` latency while [`LOGINS`] clients sign in for `seconds`.
pub async fn healthz_during_logins(addr: &str, db: &str, seconds: f64) -> Result<String, Error> {
    account(db).await?;
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicUsize::new(0));
    let clients: Vec<_> = (0..LOGINS)
        .map(|_| tokio::spawn(sign_in(addr.to_string(), stop.clone(), done.clone())))
        .collect();
    let mut sender = connect(addr)
        .await
        .ok_or_else(|| Error::Internal("no connection for /healthz".into()))?;
    let mut latencies = Vec::new();
    let started = Instant::now();
    while started.elapsed().as_secs_f64() < seconds {
        let req = Request::get("/healthz")
            .header(hyper::header::HOST, addr)
            .body(Body::empty())
            .expect("a valid request");
        let t = Instant::now();
        let res = sender
            .send_request(req)
            .await
            .map_err(|e| Error::Internal(format!("/healthz: {e}")))?;
        let _ = axum::body::to_bytes(Body::new(res.into_body()), 1024).await;
        latencies.push(t.elapsed());
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        let _ = c.await;
    }
    latencies.sort_unstable();
    let ms = |p: f64| super::timing::percentile(&latencies, p);
    Ok(format!(
        "/healthz during {LOGINS} simultaneous logins: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} probes, {} sign-ins in {seconds:.0} s)",
        ms(0.50),
        ms(0.99),
        ms(1.0),
        latencies.len(),
        done.load(Ordering::Relaxed)
    ))
}
