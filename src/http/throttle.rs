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

use std::net::IpAddr;
use std::time::Duration;

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
