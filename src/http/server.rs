//! Serving on a socket: connection limits, timeouts, load shedding and graceful shutdown.
//!
//! `axum::serve` has no header-read timeout and no cap on connections, so silent or
//! trickling clients could hold sockets forever until the process ran out of file
//! descriptors and the survey became unreachable. Here every connection is served by
//! hyper with
//! - a **header-read timeout** (`header_timeout`), which in hyper also bounds the idle
//!   time between keep-alive requests: a silent, trickling or idle connection is closed;
//! - a **body timeout** (`body_timeout`, applied by the handlers that read a body): a slow
//!   body gets 408;
//! - a **connection cap** (`max_connections`, never above the open-file limit less a
//!   reserve): at the cap, the connection that has been idle longest — no request being
//!   handled or answered — is closed to make room; when every connection is busy the new
//!   one is closed at once. So idle sockets, however many, cannot lock residents out;
//! - an **in-flight cap** (`max_in_flight`, in `guard.rs`): 503 with `Retry-After`;
//! - a **send timeout** (the body timeout again): a response body — a report download —
//!   that makes no progress for that long (a client that stopped reading) is cut off, so
//!   stalled downloads cannot hold connections and file descriptors;
//! - **graceful shutdown** on Ctrl-C or SIGTERM: stop accepting, let requests in flight
//!   (a resident's submission mid-commit) finish within `shutdown_grace`, then close the
//!   database. Evicting an idle connection is a graceful shutdown of that connection too,
//!   so a request that starts at the same moment is finished, never cut.
//!
//! Beside the connections runs the **upkeep** task: at start and then hourly it deletes the
//! letter codes of waves that have closed and the free text of EST reports past their
//! retention, and every few seconds it empties SQLite's WAL
//! once writes have gone quiet (or have kept coming for too long), so no file pairs a code
//! with its answer for longer than a minute.

use std::collections::BTreeMap;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Body;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tower::ServiceExt;

use crate::http::app::router;
use crate::http::limits::Limits;
use crate::http::state::AppState;

/// File descriptors kept free for the database, reports and logs.
const RESERVED_FDS: usize = 64;

/// How often the upkeep task looks at the WAL.
const UPKEEP_TICK: Duration = Duration::from_secs(5);
/// The WAL is emptied after this long without a write...
const WAL_QUIET: Duration = Duration::from_secs(30);
/// ...or, under steady load, once it has held writes this long (seen at a tick, so at most
/// one tick later): with the checkpoint's own time, within a minute of any commit.
const WAL_LONGEST: Duration = Duration::from_secs(45);
/// How often the codes of waves that have closed are looked for; a wave closes at
/// midnight, so its codes go within the hour.
const PURGE_EVERY: Duration = Duration::from_secs(3600);

/// Deletes closed waves' codes and EST free text past `retention` (at start, then every
/// [`PURGE_EVERY`]) and empties the WAL after writes
/// ([`crate::store::Store::checkpoint_when_quiet`]) until `closing` says stop. Failures are
/// logged and tried again at the next tick: residents are served regardless.
async fn upkeep(
    store: crate::store::Store,
    retention: crate::est::Retention,
    mut closing: tokio::sync::watch::Receiver<bool>,
) {
    let mut purged: Option<Instant> = None;
    let mut tick = tokio::time::interval(UPKEEP_TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = closing.changed() => return,
        }
        if purged.is_none_or(|t| t.elapsed() >= PURGE_EVERY) && purge(&store, retention).await {
            purged = Some(Instant::now());
        }
        if let Err(e) = store.checkpoint_when_quiet(WAL_QUIET, WAL_LONGEST).await {
            tracing::warn!(error = %e, "emptying the WAL failed");
        }
    }
}

/// The hourly deletions of the upkeep task; whether both went through.
async fn purge(store: &crate::store::Store, retention: crate::est::Retention) -> bool {
    let today = crate::http::respond::today();
    let codes = match store.purge_closed_codes(today, "server").await {
        Ok(n) => {
            if n > 0 {
                tracing::info!(codes = n, "deleted the letter codes of closed waves");
            }
            true
        }
        Err(e) => {
            tracing::warn!(error = %e, "deleting closed waves' codes failed");
            false
        }
    };
    let text = match store
        .purge_est_free_text(retention.keeps_from(today), "server")
        .await
    {
        Ok(n) => {
            if n > 0 {
                tracing::info!(reports = n, "deleted the free text of old EST reports");
            }
            true
        }
        Err(e) => {
            tracing::warn!(error = %e, "deleting old EST free text failed");
            false
        }
    };
    codes && text
}

/// One open connection: how many of its requests are being handled or answered, whether a
/// response body is being sent and when it last moved, and the signal that closes it.
#[derive(Default)]
struct Slot {
    busy: AtomicUsize,
    sending: AtomicUsize,
    /// Milliseconds since the server started at which the body being sent last moved.
    moved_at: AtomicU64,
    evict: Notify,
}

/// Milliseconds since the server started.
fn now_ms(epoch: Instant) -> u64 {
    epoch.elapsed().as_millis() as u64
}

/// The open connections, oldest first.
struct Connections {
    max: usize,
    next_id: AtomicU64,
    open: Mutex<BTreeMap<u64, Arc<Slot>>>,
}

/// A connection's place in [`Connections`]; leaving drops it from the table.
struct Admitted {
    id: u64,
    slot: Arc<Slot>,
    table: Arc<Connections>,
}

impl Drop for Admitted {
    fn drop(&mut self) {
        self.table
            .open
            .lock()
            .expect("connections")
            .remove(&self.id);
    }
}

impl Connections {
    /// Makes room for a new connection: at the cap, the oldest idle connection is told to
    /// close. `None` when every open connection is busy.
    fn admit(self: &Arc<Self>) -> Option<Admitted> {
        let mut open = self.open.lock().expect("connections");
        if open.len() >= self.max {
            let idle = open
                .iter()
                .find(|(_, s)| s.busy.load(Ordering::SeqCst) == 0)
                .map(|(id, _)| *id)?;
            if let Some(s) = open.remove(&idle) {
                // notify_one keeps the signal even if the task is not waiting yet.
                s.evict.notify_one();
            }
        }
        let id = self.next_id.fetch_add(1, Ordering::SeqCst);
        let slot = Arc::new(Slot::default());
        open.insert(id, slot.clone());
        Some(Admitted {
            id,
            slot,
            table: self.clone(),
        })
    }
}

/// Marks a connection busy from the moment a request reaches the service until its
/// response body has been sent (or dropped).
struct Busy(Arc<Slot>);

impl Busy {
    fn new(slot: &Arc<Slot>) -> Busy {
        slot.busy.fetch_add(1, Ordering::SeqCst);
        Busy(slot.clone())
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A response body that keeps its connection marked busy while it is being sent, so a
/// long report download is not taken for an idle connection, and records when it last
/// moved, so a stalled one can be cut off.
struct Tracked {
    inner: Body,
    busy: Busy,
    epoch: Instant,
}

impl Tracked {
    fn new(inner: Body, busy: Busy, epoch: Instant) -> Tracked {
        busy.0.sending.fetch_add(1, Ordering::SeqCst);
        busy.0.moved_at.store(now_ms(epoch), Ordering::SeqCst);
        Tracked { inner, busy, epoch }
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.busy.0.sending.fetch_sub(1, Ordering::SeqCst);
    }
}

impl http_body::Body for Tracked {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if polled.is_ready() {
            let now = now_ms(self.epoch);
            self.busy.0.moved_at.store(now, Ordering::SeqCst);
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// Raises the soft open-file limit to the hard limit and returns the descriptors usable
/// for connections.
fn usable_descriptors() -> usize {
    // SAFETY: getrlimit/setrlimit only read and write the struct passed to them.
    unsafe {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return 1024 - RESERVED_FDS;
        }
        if lim.rlim_cur < lim.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: lim.rlim_max,
                rlim_max: lim.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                lim = raised;
            }
        }
        (lim.rlim_cur as usize).saturating_sub(RESERVED_FDS).max(1)
    }
}

/// Resolves on Ctrl-C or SIGTERM (what systemd and container runtimes send).
async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = ctrl_c => {}
                _ = term.recv() => {}
            }
        }
        Err(_) => {
            let _ = ctrl_c.await;
        }
    }
}

/// Binds `addr` and serves until Ctrl-C or SIGTERM; prints the address it listens on.
pub async fn serve(state: AppState, addr: &str) -> anyhow::Result<()> {
    let listener = TcpListener::bind(addr).await?;
    serve_on(state, listener).await
}

/// Serves on a bound listener until Ctrl-C or SIGTERM: the one way trygg's server starts
/// (`serve`, and through it `bench --load` and the tests, which run `trygg serve`).
pub async fn serve_on(state: AppState, listener: TcpListener) -> anyhow::Result<()> {
    let limits = state.limits;
    // A connection that streams a file holds two descriptors: the socket and the file.
    let max = limits.max_connections.min(usable_descriptors() / 2).max(1);
    let local = listener.local_addr()?;
    // Tests and scripts read this line to learn the port when started with port 0.
    println!("trygg listening on http://{local}");
    tracing::info!(%local, max_connections = max, "listening");
    let store = state.store.clone();
    let retention = state.est_retention;
    let server = Server {
        app: router(state),
        table: Arc::new(Connections {
            max,
            next_id: AtomicU64::new(0),
            open: Mutex::default(),
        }),
        epoch: Instant::now(),
        http: http_builder(limits),
        send_timeout_ms: limits.body_timeout.as_millis() as u64,
    };
    let (closing_tx, closing_rx) = tokio::sync::watch::channel(false);
    let upkeep = tokio::spawn(upkeep(store.clone(), retention, closing_rx.clone()));
    let mut tasks = tokio::task::JoinSet::new();
    let mut stop = std::pin::pin!(shutdown_signal());
    loop {
        while tasks.try_join_next().is_some() {}
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of descriptors or a connection reset before accept: wait a
                    // moment rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        let Some(admitted) = server.table.admit() else {
            tracing::warn!("every connection is busy; a new one was closed");
            continue;
        };
        let _ = stream.set_nodelay(true);
        tasks.spawn(server.connection(stream, peer, admitted, closing_rx.clone()));
    }
    // Stop accepting, then let what is in flight finish.
    drop(listener);
    tracing::info!("shutting down; finishing requests in flight");
    let _ = closing_tx.send(true);
    let finished = tokio::time::timeout(limits.shutdown_grace, async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    if finished.is_err() {
        tracing::warn!("requests still in flight after the grace period");
        tasks.abort_all();
    }
    // The upkeep stops at its next await once told; a checkpoint it is in finishes first.
    let _ = upkeep.await;
    store.close().await;
    Ok(())
}

/// HTTP/1.1 with a header-read timeout and a small response buffer.
fn http_builder(limits: Limits) -> hyper::server::conn::http1::Builder {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        // hyper buffers up to ~400 kB of a response per connection by default; a client
        // that does not read would hold that much. 64 kB is one file chunk.
        .max_buf_size(64 * 1024);
    http
}

/// What every connection shares.
struct Server {
    app: axum::Router,
    table: Arc<Connections>,
    epoch: Instant,
    http: hyper::server::conn::http1::Builder,
    /// How long a response may stand still before its connection is closed.
    send_timeout_ms: u64,
}

impl Server {
    /// One connection's life: its requests through the router, closed when it ends, when
    /// its slot is needed for a new one while idle, at shutdown, or when its response
    /// stalls because the client stopped reading.
    fn connection(
        &self,
        stream: tokio::net::TcpStream,
        peer: std::net::SocketAddr,
        admitted: Admitted,
        mut closing: tokio::sync::watch::Receiver<bool>,
    ) -> impl std::future::Future<Output = ()> + Send + 'static {
        let slot = admitted.slot.clone();
        let (app, epoch) = (self.app.clone(), self.epoch);
        let service =
            hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
                let busy = Busy::new(&slot);
                let app = app.clone();
                // The peer address, for throttling code guesses in memory; never stored.
                req.extensions_mut()
                    .insert(axum::extract::ConnectInfo(peer));
                async move {
                    let res = app.oneshot(req.map(Body::new)).await?;
                    Ok::<_, std::convert::Infallible>(
                        res.map(|inner| Body::new(Tracked::new(inner, busy, epoch))),
                    )
                }
            });
        let conn = self.http.serve_connection(TokioIo::new(stream), service);
        let send_timeout = self.send_timeout_ms;
        async move {
            let mut conn = std::pin::pin!(conn);
            let slot = admitted.slot.clone();
            let evicted = slot.evict.notified();
            let mut evicted = std::pin::pin!(evicted);
            let mut watchdog = tokio::time::interval(Duration::from_secs(1));
            let mut ending = false;
            loop {
                tokio::select! {
                    result = conn.as_mut() => {
                        if let Err(e) = result {
                            tracing::debug!(error = %e, "connection ended");
                        }
                        break;
                    }
                    _ = &mut evicted, if !ending => {
                        // Closes at once when idle; a request that just began is finished.
                        tracing::debug!("idle connection closed to make room");
                        conn.as_mut().graceful_shutdown();
                        ending = true;
                    }
                    _ = closing.changed(), if !ending => {
                        conn.as_mut().graceful_shutdown();
                        ending = true;
                    }
                    _ = watchdog.tick() => {
                        let still = now_ms(epoch)
                            .saturating_sub(slot.moved_at.load(Ordering::SeqCst));
                        if slot.sending.load(Ordering::SeqCst) > 0 && still > send_timeout {
                            tracing::info!("a response stalled (the client stopped reading); connection closed");
                            break;
                        }
                    }
                }
            }
            drop(admitted);
        }
    }
}
