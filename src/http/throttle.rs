//! Throttling code guesses per client address, in memory only (never stored).
//!
//! Each address may try [`MAX_FAILURES`] codes that do not exist within a window of
//! [`WINDOW`]; after that every code request from it gets 429 until the window ends. A
//! resident who mistypes a few times is never stopped; a guesser trying codes of 60 bits
//! gets 10 tries per quarter hour. Only failures count, and other addresses are not
//! affected. The table is the login throttle's: expired addresses are forgotten, it is
//! bounded in size, and a full table keeps the addresses it has locked.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

/// Unknown codes one address may try per window.
pub const MAX_FAILURES: u32 = 10;
/// The window failures are counted in (the same as for staff logins).
pub const WINDOW: Duration = crate::auth::throttle::WINDOW;

#[derive(Default)]
pub struct Throttle {
    table: crate::auth::throttle::Table<IpAddr>,
}

impl Throttle {
    /// Whether `addr` has used up its failures in the current window.
    pub fn blocked(&self, addr: Option<IpAddr>) -> bool {
        addr.map(crate::auth::throttle::network)
            .is_some_and(|a| self.table.over(&a, MAX_FAILURES))
    }

    /// Counts a failed code from `addr`.
    pub fn failed(&self, addr: Option<IpAddr>) {
        if let Some(a) = addr.map(crate::auth::throttle::network) {
            self.table.count(a);
        }
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
