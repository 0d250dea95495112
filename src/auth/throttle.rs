//! Failed attempts, in memory only, turned into *waiting*, never into a lockout someone else
//! can aim at a colleague or a school: after a few free mistakes the next attempts of the
//! same key wait a growing, capped time ([`delay`]) — a person who mistypes hardly notices,
//! a guesser gets a handful of tries a minute. For staff logins the keys are the account
//! and client address pair and the address across accounts; an account attacked from many
//! addresses at once is locked, but only for [`ACCOUNT_LOCK`] at a time, and the lock is
//! audited by the caller.
//!
//! Keys are bounded: e-mail addresses are hashed (and over-long ones refused before they
//! get here), IPv6 addresses are grouped by /64 (one customer's network), and entries are
//! dropped once their window has passed.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

/// Failed logins per account from one address that cost nothing; later ones wait.
pub const FREE_PER_ACCOUNT_AND_ADDRESS: u32 = 3;
/// Failed logins from one address (across accounts) that cost nothing.
pub const FREE_PER_ADDRESS: u32 = 10;
/// Addresses failing to sign in to one account within [`ACCOUNT_LOCK`] that lock it until
/// that minute is over: a guesser spread over many addresses. One address alone can never
/// lock anyone out, however many requests it sends at once.
pub const MAX_PER_ACCOUNT_PER_LOCK: u32 = 10;
/// Failed logins from one address across accounts within [`WINDOW`] after which that
/// address (and only it) is refused until the window ends: password spraying.
pub const MAX_PER_ADDRESS: u32 = 100;
/// The longest an account is ever locked at a time.
pub const ACCOUNT_LOCK: Duration = Duration::from_secs(60);
/// The window failures are counted in.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// The first wait after the free failures; each further failure doubles it…
pub const FIRST_DELAY: Duration = Duration::from_millis(500);
/// …up to this.
pub const MAX_DELAY: Duration = Duration::from_secs(4);
/// Entries kept per table; beyond it, expired entries are dropped, and new failures that
/// find no room are not counted.
const MAX_ENTRIES: usize = 100_000;

/// How long the next attempt waits after `failures` in the window, `free` of them costing
/// nothing: [`FIRST_DELAY`], doubling, at most [`MAX_DELAY`].
pub fn delay(failures: u32, free: u32) -> Duration {
    if failures <= free {
        return Duration::ZERO;
    }
    let doublings = (failures - free - 1).min(16);
    (FIRST_DELAY * 2u32.pow(doublings)).min(MAX_DELAY)
}

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

/// Failures per key within a window, bounded to [`MAX_ENTRIES`] keys; shared with the
/// residents' code throttle (`http::throttle`).
pub(crate) struct Table<K> {
    counts: Mutex<HashMap<K, (Instant, u32)>>,
    window: Duration,
}

impl<K> Default for Table<K> {
    fn default() -> Self {
        Table::with_window(WINDOW)
    }
}

impl<K> Table<K> {
    pub(crate) fn with_window(window: Duration) -> Self {
        Table {
            counts: Mutex::default(),
            window,
        }
    }
}

impl<K: std::hash::Hash + Eq + Clone> Table<K> {
    /// The failures of `k` in its current window.
    pub(crate) fn failures(&self, k: &K) -> u32 {
        self.counts
            .lock()
            .expect("throttle")
            .get(k)
            .filter(|(since, _)| since.elapsed() < self.window)
            .map_or(0, |(_, n)| *n)
    }

    /// What is left of `k`'s window.
    fn left(&self, k: &K) -> Duration {
        self.counts
            .lock()
            .expect("throttle")
            .get(k)
            .map_or(Duration::ZERO, |(since, _)| {
                self.window.saturating_sub(since.elapsed())
            })
    }

    /// Counts a failure of `k`. When the table is full of live entries a new key is not
    /// counted: the keys already locked stay locked (clearing the table instead would let a
    /// flood of addresses unlock everyone).
    /// Counts a failure of `k`; returns its failures in the window now.
    pub(crate) fn count(&self, k: K) -> u32 {
        let window = self.window;
        let mut t = self.counts.lock().expect("throttle");
        if t.len() >= MAX_ENTRIES && !t.contains_key(&k) {
            t.retain(|_, (since, _)| since.elapsed() < window);
            if t.len() >= MAX_ENTRIES {
                return 0;
            }
        }
        let e = t.entry(k).or_insert((Instant::now(), 0));
        if e.0.elapsed() >= window {
            *e = (Instant::now(), 0);
        }
        e.1 += 1;
        e.1
    }

    fn clear(&self, k: &K) {
        self.counts.lock().expect("throttle").remove(k);
    }
}

pub struct LoginThrottle {
    pairs: Table<(Account, Option<IpAddr>)>,
    addresses: Table<IpAddr>,
    /// Distinct addresses failing per account within the current lock period.
    accounts: Table<Account>,
    /// Addresses with a login waiting out its delay: one at a time each, so parallel
    /// requests neither skip the growing delay nor hold the server's request slots.
    waiting: Waiting,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        LoginThrottle {
            pairs: Table::default(),
            addresses: Table::default(),
            accounts: Table::with_window(ACCOUNT_LOCK),
            waiting: Waiting::default(),
        }
    }
}

/// What a failed login did to the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failed {
    /// Counted; later attempts may wait.
    Counted,
    /// This failure locked the account for what is left of the minute (to be audited).
    Locked,
}

impl LoginThrottle {
    /// How long a login for this account from this address waits before it is checked.
    pub fn delay(&self, email: &str, addr: Option<IpAddr>) -> Duration {
        let net = addr.map(network);
        let pair = self.pairs.failures(&(account(email), net));
        let from_there = net.map_or(0, |n| self.addresses.failures(&n));
        delay(pair, FREE_PER_ACCOUNT_AND_ADDRESS).max(delay(from_there, FREE_PER_ADDRESS))
    }

    /// Whether this address has used up its failures across accounts (password spraying).
    pub fn address_blocked(&self, addr: Option<IpAddr>) -> bool {
        addr.map(network)
            .is_some_and(|n| self.addresses.failures(&n) >= MAX_PER_ADDRESS)
    }

    /// Claims the one waiting place of this address; `None` when a login from there is
    /// already waiting (answer 429 then).
    pub fn wait_turn(&self, addr: Option<IpAddr>) -> Option<WaitTurn<'_>> {
        self.waiting.claim(addr)
    }

    /// How long the account stays locked, if it is: at most [`ACCOUNT_LOCK`].
    pub fn locked(&self, email: &str) -> Option<Duration> {
        let a = account(email);
        (self.accounts.failures(&a) >= MAX_PER_ACCOUNT_PER_LOCK).then(|| self.accounts.left(&a))
    }

    pub fn failed(&self, email: &str, addr: Option<IpAddr>) -> Failed {
        let a = account(email);
        let net = addr.map(network);
        let from_pair = self.pairs.count((a, net));
        if let Some(n) = net {
            self.addresses.count(n);
        }
        // Only a new address counts towards the account's lock.
        if from_pair == 1 && self.accounts.count(a) == MAX_PER_ACCOUNT_PER_LOCK {
            Failed::Locked
        } else {
            Failed::Counted
        }
    }

    /// A successful login clears the count of that account from that address.
    pub fn succeeded(&self, email: &str, addr: Option<IpAddr>) {
        self.pairs.clear(&(account(email), addr.map(network)));
    }
}

/// Addresses with a request waiting out a delay, one each.
#[derive(Default)]
pub struct Waiting(Mutex<std::collections::HashSet<IpAddr>>);

/// The waiting place of one address, given back when dropped.
pub struct WaitTurn<'a> {
    waiting: &'a Waiting,
    addr: Option<IpAddr>,
}

impl Waiting {
    /// The waiting place of `addr` (always given when the address is unknown).
    pub fn claim(&self, addr: Option<IpAddr>) -> Option<WaitTurn<'_>> {
        let net = addr.map(network);
        if let Some(n) = net
            && !self.0.lock().expect("waiting").insert(n)
        {
            return None;
        }
        Some(WaitTurn {
            waiting: self,
            addr: net,
        })
    }
}

impl Drop for WaitTurn<'_> {
    fn drop(&mut self) {
        if let Some(n) = self.addr {
            self.waiting.0.lock().expect("waiting").remove(&n);
        }
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
    fn waiting_grows_from_nothing_to_a_cap() {
        assert_eq!(delay(3, 3), Duration::ZERO);
        assert_eq!(delay(4, 3), FIRST_DELAY);
        assert_eq!(delay(5, 3), FIRST_DELAY * 2);
        assert_eq!(delay(50, 3), MAX_DELAY);
        assert_eq!(delay(u32::MAX, 0), MAX_DELAY);
    }

    #[test]
    fn a_colleague_elsewhere_waits_for_nothing_and_a_spread_attack_locks_a_minute_at_most() {
        let t = LoginThrottle::default();
        let attacker: IpAddr = "203.0.113.9".parse().unwrap();
        let office: IpAddr = "198.51.100.1".parse().unwrap();
        for _ in 0..FREE_PER_ACCOUNT_AND_ADDRESS + 2 {
            t.failed("Admin@Kommun.se", Some(attacker));
        }
        assert!(
            t.delay("admin@kommun.se ", Some(attacker)) > Duration::ZERO,
            "case and spaces do not matter"
        );
        assert_eq!(t.delay("admin@kommun.se", Some(office)), Duration::ZERO);
        assert_eq!(t.locked("admin@kommun.se"), None);
        // One address alone, however often, never locks the account.
        for _ in 0..100 {
            t.failed("admin@kommun.se", Some(attacker));
        }
        assert_eq!(t.locked("admin@kommun.se"), None);
        let mut locks = 0;
        for i in 0..MAX_PER_ACCOUNT_PER_LOCK {
            let from = IpAddr::from([10, 1, (i / 250) as u8, (i % 250) as u8]);
            if t.failed("admin@kommun.se", Some(from)) == Failed::Locked {
                locks += 1;
            }
        }
        assert_eq!(locks, 1, "the lock is reported once, to be audited");
        let left = t.locked("admin@kommun.se").expect("locked");
        assert!(left <= ACCOUNT_LOCK && left > Duration::ZERO);
        // The office itself never waits for the attacker's pairs.
        assert_eq!(t.delay("admin@kommun.se", Some(office)), Duration::ZERO);
        // The attacker's address has sprayed enough to be refused; the office has not.
        assert!(t.address_blocked(Some(attacker)));
        assert!(!t.address_blocked(Some(office)));
        // One waiting place per address.
        let first = t.wait_turn(Some(attacker));
        assert!(first.is_some() && t.wait_turn(Some(attacker)).is_none());
        assert!(t.wait_turn(Some(office)).is_some());
        drop(first);
        assert!(t.wait_turn(Some(attacker)).is_some());
    }
}
