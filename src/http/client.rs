//! The client's address, for the throttles: the connection's peer, or the address a
//! trusted proxy's header names. It is held in memory only, never with an answer.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

use crate::http::state::AppState;

/// The client's address: the peer of the connection, or — behind a proxy configured with
/// `--client-ip-header` — the address that header names.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
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
