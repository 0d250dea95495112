//! Slowing code guesses per client address, in memory only (never stored).
//!
//! A code is 60 random bits: guessing one is hopeless at any speed a web server allows, so
//! the throttle only has to keep guessing slow and must never stop a resident with a right
//! code. After [`FREE_FAILURES`] unknown codes posted from an address within a quarter of an
//! hour ([`crate::auth::throttle::WINDOW`]),
//! every code posted from it waits a growing, capped time
//! ([`crate::auth::throttle::delay`]) — and is then answered; one at a time per address
//! (a second one meanwhile is asked to try again in a moment). Only the forms of this site
//! count and wait (a post; cross-site posts are refused before they get here), so nobody can
//! slow a school or a library down with links or images on another site, and following a
//! link never waits.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

/// Unknown codes one address may post per window before its requests wait.
pub const FREE_FAILURES: u32 = 5;

#[derive(Default)]
pub struct Throttle {
    table: crate::auth::throttle::Table<IpAddr>,
    /// One request per address waits at a time: parallel ones neither skip the wait nor
    /// hold the server's request slots.
    waiting: crate::auth::throttle::Waiting,
}

impl Throttle {
    /// How long a code request from `addr` waits before it is answered.
    pub fn delay(&self, addr: Option<IpAddr>) -> Duration {
        let failures = addr
            .map(crate::auth::throttle::network)
            .map_or(0, |a| self.table.failures(&a));
        crate::auth::throttle::delay(failures, FREE_FAILURES)
    }

    /// Counts an unknown code posted from `addr` with a form of this site.
    pub fn failed(&self, addr: Option<IpAddr>) {
        if let Some(a) = addr.map(crate::auth::throttle::network) {
            self.table.count(a);
        }
    }

    /// Waits as long as `addr` has to; `Err(delay)` when a request from there is already
    /// waiting (answer 429 with that delay then).
    pub async fn wait(&self, addr: Option<IpAddr>) -> Result<(), Duration> {
        let d = self.delay(addr);
        if d.is_zero() {
            return Ok(());
        }
        let Some(_turn) = self.waiting.claim(addr) else {
            return Err(d);
        };
        tokio::time::sleep(d).await;
        Ok(())
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
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        let Some(name) = &state.client_ip_header else {
            return Ok(ClientAddr(peer));
        };
        let ip = parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse().ok());
        if ip.is_none() {
            // The proxy does not send what trygg was told it sends: a configuration error,
            // said once, and the throttles keep working on the connection's peer.
            static SAID: std::sync::Once = std::sync::Once::new();
            SAID.call_once(|| {
                tracing::error!(
                    header = %name,
                    "--client-ip-header names a header the requests do not carry; throttling by the connection's address instead"
                );
            });
        }
        Ok(ClientAddr(ip.or(peer)))
    }
}
