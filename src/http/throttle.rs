//! Throttling code guesses per client address, in memory only (never stored).
//!
//! Each address may try [`MAX_FAILURES`] codes that do not exist within a window of
//! [`WINDOW`]; after that every code request from it gets 429 until the window ends. A
//! resident who mistypes a few times is never stopped; a guesser trying codes of 60 bits
//! gets 10 tries per quarter hour. Only failures count, and other addresses are not
//! affected. The table forgets expired addresses and is bounded in size.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

/// Unknown codes one address may try per window.
pub const MAX_FAILURES: u32 = 10;
/// The window failures are counted in.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Addresses remembered at most; beyond it expired entries are dropped first.
const MAX_ADDRESSES: usize = 100_000;

#[derive(Debug, Default)]
pub struct Throttle {
    table: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl Throttle {
    /// Whether `addr` has used up its failures in the current window.
    pub fn blocked(&self, addr: Option<IpAddr>) -> bool {
        let Some(addr) = addr.map(crate::auth::throttle::network) else {
            return false;
        };
        let table = self.table.lock().expect("throttle");
        table
            .get(&addr)
            .is_some_and(|(since, n)| since.elapsed() < WINDOW && *n >= MAX_FAILURES)
    }

    /// Counts a failed code from `addr`.
    pub fn failed(&self, addr: Option<IpAddr>) {
        let Some(addr) = addr.map(crate::auth::throttle::network) else {
            return;
        };
        let mut table = self.table.lock().expect("throttle");
        if table.len() >= MAX_ADDRESSES {
            table.retain(|_, (since, _)| since.elapsed() < WINDOW);
            if table.len() >= MAX_ADDRESSES {
                // Under a flood of addresses forget everyone rather than grow without bound.
                table.clear();
            }
        }
        let entry = table.entry(addr).or_insert((Instant::now(), 0));
        if entry.0.elapsed() >= WINDOW {
            *entry = (Instant::now(), 0);
        }
        entry.1 += 1;
    }
}

/// The client's address: the peer of the connection, or — behind a proxy configured with
/// `--client-ip-header` — the address that header names.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub Option<IpAddr>);

impl FromRequestParts<super::AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &super::AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(name) = &state.client_ip_header {
            let ip = parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit(',').next())
                .and_then(|v| v.trim().parse().ok());
            return Ok(ClientAddr(ip));
        }
        Ok(ClientAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip()),
        ))
    }
}
