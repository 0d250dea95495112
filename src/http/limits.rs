//! Connection and request limits: header and body timeouts, open connections, requests in
//! flight, and the shutdown grace — every one a `serve` flag.

use std::time::Duration;

/// Connection and request limits; every one is a `serve` flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest wait for a request's headers, including between keep-alive requests.
    pub header_timeout: Duration,
    /// Longest wait for a request's body once its headers arrived.
    pub body_timeout: Duration,
    /// Open connections at most.
    pub max_connections: usize,
    /// Requests handled at once at most; more get 503.
    pub max_in_flight: usize,
    /// How long shutdown waits for requests in flight.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            max_connections: 1024,
            max_in_flight: 256,
            shutdown_grace: Duration::from_secs(30),
        }
    }
}
