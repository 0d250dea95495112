//! Open links resist stuffing. An open link cannot know who answers, so one address could
//! post hundreds of answers and move a district's shares. Per client address (IPv6 by its
//! /64) and wave, the first [`DEFAULT_OPEN_LINK_LIMIT`] answers within an hour count as
//! usual (the limit is `serve --open-link-limit`); later ones, and the third and later of
//! identical answers to one wave within ten minutes from anywhere, are stored apart and held
//! for staff review (`store::held`). Nothing is lost and nothing is refused: the resident's
//! receipt says the answer will be reviewed. Addresses are kept in memory only, for the
//! hour, never with an answer.

use std::net::IpAddr;
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::auth::throttle::{Table, network};
use crate::store::HoldReason;

/// Answers per address and wave per hour that count without review (0: no limit).
pub const DEFAULT_OPEN_LINK_LIMIT: u32 = 5;
/// The window answers from one address are counted in.
pub const ADDRESS_WINDOW: Duration = Duration::from_secs(60 * 60);
/// Identical answers to one wave within [`IDENTICAL_WINDOW`] that count without review.
pub const IDENTICAL_ALLOWED: u32 = 2;
/// The window identical answers are counted in.
pub const IDENTICAL_WINDOW: Duration = Duration::from_secs(10 * 60);
/// New resume drafts per address and open-link wave per hour: two school classes sharing
/// one address can each begin the questionnaire twice; a script cannot fill the disk.
pub const DRAFTS_PER_ADDRESS: u32 = 60;

/// What happens to an open-link answer beyond the limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Excess {
    /// Stored apart, for staff to accept or discard; the resident is told it is saved and
    /// will be reviewed.
    #[default]
    Hold,
    /// Not stored: the form comes back with the answers and "nothing was saved, try later".
    Refuse,
}

pub struct OpenLinkGuard {
    limit: u32,
    /// What an answer beyond the limits gets.
    pub excess: Excess,
    per_address: Table<(IpAddr, i64)>,
    identical: Table<(i64, [u8; 32])>,
    drafts: Table<(IpAddr, i64)>,
}

impl OpenLinkGuard {
    pub fn new(limit: u32) -> Self {
        OpenLinkGuard {
            limit,
            excess: Excess::Hold,
            per_address: Table::with_window(ADDRESS_WINDOW),
            identical: Table::with_window(IDENTICAL_WINDOW),
            drafts: Table::with_window(ADDRESS_WINDOW),
        }
    }

    /// Answers per address, wave and hour that count without review (0: no limit).
    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// Counts an answer to open-link wave `wave` from `addr`; whether it is held, and why.
    /// Without a limit, or without a known address (in-process calls), nothing is held.
    pub fn judge(&self, addr: Option<IpAddr>, wave: i64, answers: &str) -> Option<HoldReason> {
        let addr = addr.filter(|_| self.limit > 0)?;
        let from_there = self.per_address.count((network(addr), wave));
        let same = self
            .identical
            .count((wave, Sha256::digest(answers.as_bytes()).into()));
        // A count of 0 is a table too full to count in (a flood of addresses): then every
        // answer waits for review rather than none.
        if from_there > self.limit || from_there == 0 {
            Some(HoldReason::AddressLimit)
        } else if same > IDENTICAL_ALLOWED || same == 0 {
            Some(HoldReason::IdenticalBurst)
        } else {
            None
        }
    }
}

impl OpenLinkGuard {
    /// Counts a new resume draft on open-link wave `wave` from `addr`; whether it may be
    /// kept. Beyond [`DRAFTS_PER_ADDRESS`] an hour (or when the table is too full to count
    /// in) it may not: the resident gets the page back with the answers and "try later".
    /// Drafts are counted whatever `--open-link-limit` says: they are rows on disk, not
    /// answers.
    pub fn new_draft(&self, addr: Option<IpAddr>, wave: i64) -> bool {
        let Some(addr) = addr else { return true };
        let n = self.drafts.count((network(addr), wave));
        n != 0 && n <= DRAFTS_PER_ADDRESS
    }
}

impl Default for OpenLinkGuard {
    fn default() -> Self {
        OpenLinkGuard::new(DEFAULT_OPEN_LINK_LIMIT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_gets_its_limit_then_is_held_and_identical_bursts_are_held_from_anywhere() {
        let g = OpenLinkGuard::new(3);
        let school: IpAddr = "192.0.2.10".parse().unwrap();
        let held: Vec<Option<HoldReason>> = (0..5)
            .map(|i| g.judge(Some(school), 1, &format!("{{\"A\":\"{i}\"}}")))
            .collect();
        assert_eq!(held[..3], [None, None, None]);
        assert_eq!(held[3..], [Some(HoldReason::AddressLimit); 2]);
        // Another wave from the same address has its own count.
        assert_eq!(g.judge(Some(school), 2, "{\"A\":\"x\"}"), None);
        // The same answers from three addresses: the third is held.
        let same = "{\"A\":\"same\"}";
        let from = |i: u8| Some(IpAddr::from([198, 51, 100, i]));
        assert_eq!(g.judge(from(1), 3, same), None);
        assert_eq!(g.judge(from(2), 3, same), None);
        assert_eq!(g.judge(from(3), 3, same), Some(HoldReason::IdenticalBurst));
        // No limit, or no address: nothing is judged.
        let open = OpenLinkGuard::new(0);
        assert!((0..50).all(|_| open.judge(Some(school), 1, same).is_none()));
        assert_eq!(g.judge(None, 9, same), None);
    }
}
