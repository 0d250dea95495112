//! Failed logins, in memory only: per account *and client address* pair (so nobody can
//! lock a colleague out from elsewhere), per account overall at a much higher limit (so a
//! distributed guesser is still stopped), and per address across accounts.
//!
//! Keys are bounded: e-mail addresses are hashed (and over-long ones refused before they
//! get here), IPv6 addresses are grouped by /64 (one customer's network), and entries are
//! dropped once their window has passed — never while they still hold a lock.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

/// Failed logins per account from one address before that pair is locked for the window.
pub const MAX_PER_ACCOUNT_AND_ADDRESS: u32 = 5;
/// Failed logins per account from all addresses together before the account is locked.
pub const MAX_PER_ACCOUNT: u32 = 50;
/// Failed logins from one address (across accounts) before the address is locked.
pub const MAX_PER_ADDRESS: u32 = 20;
/// The window failures are counted in.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Entries kept per table; beyond it, expired entries are dropped, and new failures that
/// find no room are not counted (the locked ones stay).
const MAX_ENTRIES: usize = 100_000;

type Account = [u8; 32];

/// The address a throttle counts: IPv4 as is, IPv6 by its /64 network.
pub fn network(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V4(_) => addr,
        IpAddr::V6(v6) => {
            let mut s = v6.segments();
            s[4..].iter_mut().for_each(|x| *x = 0);
            IpAddr::V6(s.into())
        }
    }
}

fn account(email: &str) -> Account {
    Sha256::digest(email.trim().to_lowercase().as_bytes()).into()
}

/// Failures per key within [`WINDOW`], bounded to [`MAX_ENTRIES`] keys; shared with the
/// residents' code throttle (`http::throttle`).
pub(crate) struct Table<K>(Mutex<HashMap<K, (Instant, u32)>>);

impl<K> Default for Table<K> {
    fn default() -> Self {
        Table(Mutex::default())
    }
}

impl<K: std::hash::Hash + Eq + Clone> Table<K> {
    /// Whether `k` has `max` failures in its current window.
    pub(crate) fn over(&self, k: &K, max: u32) -> bool {
        self.0
            .lock()
            .expect("throttle")
            .get(k)
            .is_some_and(|(since, n)| since.elapsed() < WINDOW && *n >= max)
    }

    /// Counts a failure of `k`. When the table is full of live entries a new key is not
    /// counted: the keys already locked stay locked (clearing the table instead would let a
    /// flood of addresses unlock everyone).
    pub(crate) fn count(&self, k: K) {
        let mut t = self.0.lock().expect("throttle");
        if t.len() >= MAX_ENTRIES && !t.contains_key(&k) {
            t.retain(|_, (since, _)| since.elapsed() < WINDOW);
            if t.len() >= MAX_ENTRIES {
                return;
            }
        }
        let e = t.entry(k).or_insert((Instant::now(), 0));
        if e.0.elapsed() >= WINDOW {
            *e = (Instant::now(), 0);
        }
        e.1 += 1;
    }

    fn clear(&self, k: &K) {
        self.0.lock().expect("throttle").remove(k);
    }
}

#[derive(Default)]
pub struct LoginThrottle {
    pairs: Table<(Account, Option<IpAddr>)>,
    accounts: Table<Account>,
    addresses: Table<IpAddr>,
}

impl LoginThrottle {
    /// Whether a login for this account from this address is refused without checking.
    pub fn blocked(&self, email: &str, addr: Option<IpAddr>) -> bool {
        let a = account(email);
        let net = addr.map(network);
        self.pairs.over(&(a, net), MAX_PER_ACCOUNT_AND_ADDRESS)
            || self.accounts.over(&a, MAX_PER_ACCOUNT)
            || net.is_some_and(|n| self.addresses.over(&n, MAX_PER_ADDRESS))
    }

    pub fn failed(&self, email: &str, addr: Option<IpAddr>) {
        let a = account(email);
        let net = addr.map(network);
        self.pairs.count((a, net));
        self.accounts.count(a);
        if let Some(n) = net {
            self.addresses.count(n);
        }
    }

    /// A successful login clears the count of that account from that address.
    pub fn succeeded(&self, email: &str, addr: Option<IpAddr>) {
        self.pairs.clear(&(account(email), addr.map(network)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_is_grouped_by_its_64_network() {
        let a: IpAddr = "2001:db8:1:2:aaaa:bbbb:cccc:dddd".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:1:2:3:4".parse().unwrap();
        assert_eq!(network(a), network(b));
        let v4: IpAddr = "10.0.0.1".parse().unwrap();
        assert_eq!(network(v4), v4);
    }

    #[test]
    fn a_colleague_elsewhere_is_not_locked_out_but_a_spread_attack_is_stopped() {
        let t = LoginThrottle::default();
        let attacker: IpAddr = "203.0.113.9".parse().unwrap();
        let office: IpAddr = "198.51.100.1".parse().unwrap();
        for _ in 0..MAX_PER_ACCOUNT_AND_ADDRESS {
            t.failed("Admin@Kommun.se", Some(attacker));
        }
        assert!(
            t.blocked("admin@kommun.se ", Some(attacker)),
            "case and spaces do not matter"
        );
        assert!(!t.blocked("admin@kommun.se", Some(office)));
        for i in 0..MAX_PER_ACCOUNT {
            t.failed(
                "admin@kommun.se",
                Some(IpAddr::from([10, 1, (i / 250) as u8, (i % 250) as u8])),
            );
        }
        assert!(
            t.blocked("admin@kommun.se", Some(office)),
            "50 failures from anywhere lock the account"
        );
    }
}
