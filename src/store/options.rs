//! How a store is opened: the busy timeout, the frozen-wave folder, and the storage faults
//! the tests inject.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// How long a writer waits for another writer's lock before the resident is told
/// "nothing was saved, try again".
pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// How the database is opened.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// How long a statement waits for a lock held by another connection or process.
    pub busy_timeout: Duration,
    /// Faults to inject; `None` in production.
    pub faults: Option<Faults>,
    /// Open only a database that exists, without bringing its schema up to date (for
    /// `backup`: a mistyped path must not create an empty database to back up).
    pub existing_only: bool,
    /// Where frozen closed waves are kept. `None`: beside a SQLite file
    /// (`<database>.frozen`); on PostgreSQL, no frozen files (every wave is read from the
    /// server).
    pub frozen_dir: Option<std::path::PathBuf>,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            busy_timeout: DEFAULT_BUSY_TIMEOUT,
            faults: None,
            existing_only: false,
            frozen_dir: None,
        }
    }
}

/// Storage faults the tests switch on and off while a server runs, without root: a full
/// disk (SQLite's real `SQLITE_FULL`, through `PRAGMA max_page_count` applied to every
/// connection as it is handed out) and an I/O failure at commit.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Largest database size in pages; 0 means no limit.
    pub(super) page_limit: Arc<AtomicU64>,
    pub(super) fail_commit: Arc<AtomicBool>,
}

impl Faults {
    /// From now on the database cannot grow beyond `pages` pages ("the disk is full").
    pub fn fill_disk_at(&self, pages: u64) {
        self.page_limit.store(pages.max(1), Ordering::SeqCst);
    }

    /// The disk has room again.
    pub fn free_disk(&self) {
        self.page_limit.store(0, Ordering::SeqCst);
    }

    /// Every commit fails with an I/O error while `on` is true.
    pub fn fail_commits(&self, on: bool) {
        self.fail_commit.store(on, Ordering::SeqCst);
    }
}
