//! Failed logins, per account and per client address, in memory only.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed logins an account may have per window before it is locked for the window.
pub const MAX_PER_ACCOUNT: u32 = 5;
/// Failed logins one address may have per window (across accounts).
pub const MAX_PER_ADDRESS: u32 = 20;
/// The window failures are counted in.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Entries remembered at most per table.
const MAX_ENTRIES: usize = 100_000;

#[derive(Default)]
pub struct LoginThrottle {
    accounts: Mutex<HashMap<String, (Instant, u32)>>,
    addresses: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

fn over<K: std::hash::Hash + Eq>(t: &Mutex<HashMap<K, (Instant, u32)>>, k: &K, max: u32) -> bool {
    t.lock()
        .expect("throttle")
        .get(k)
        .is_some_and(|(since, n)| since.elapsed() < WINDOW && *n >= max)
}

fn count<K: std::hash::Hash + Eq>(t: &Mutex<HashMap<K, (Instant, u32)>>, k: K) {
    let mut t = t.lock().expect("throttle");
    if t.len() >= MAX_ENTRIES {
        t.retain(|_, (since, _)| since.elapsed() < WINDOW);
        if t.len() >= MAX_ENTRIES {
            t.clear();
        }
    }
    let e = t.entry(k).or_insert((Instant::now(), 0));
    if e.0.elapsed() >= WINDOW {
        *e = (Instant::now(), 0);
    }
    e.1 += 1;
}

impl LoginThrottle {
    /// Whether a login for this account from this address is refused without checking.
    pub fn blocked(&self, email: &str, addr: Option<IpAddr>) -> bool {
        over(&self.accounts, &email.to_lowercase(), MAX_PER_ACCOUNT)
            || addr.is_some_and(|a| over(&self.addresses, &a, MAX_PER_ADDRESS))
    }

    pub fn failed(&self, email: &str, addr: Option<IpAddr>) {
        count(&self.accounts, email.to_lowercase());
        if let Some(a) = addr {
            count(&self.addresses, a);
        }
    }

    /// A successful login clears the account's count.
    pub fn succeeded(&self, email: &str) {
        self.accounts
            .lock()
            .expect("throttle")
            .remove(&email.to_lowercase());
    }
}
