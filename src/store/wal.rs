//! The WAL file a SQLite store watches, and when it was first seen holding writes
//! (`checkpoint.rs` empties it).

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::SystemTime;

/// The WAL file of a SQLite store and when it was first seen holding writes.
#[derive(Debug)]
pub(super) struct WalWatch {
    pub(super) path: PathBuf,
    pub(super) dirty_since: Mutex<Option<SystemTime>>,
}

impl WalWatch {
    pub(super) fn new(path: PathBuf) -> WalWatch {
        WalWatch {
            path,
            dirty_since: Mutex::new(None),
        }
    }
}
