//! Emptying SQLite's WAL soon after writes, so no file pairs a code with its answer for
//! long.
//!
//! One commit stores an answer and marks its letter code used; until that commit's pages
//! are copied into the database file, the WAL holds them side by side, and a forensic
//! reading of the WAL could pair the two. SQLite checkpoints by itself only as the WAL
//! fills (and never shrinks it), so the server asks for `wal_checkpoint(TRUNCATE)` — copy
//! every page back, then cut the WAL to zero bytes — once the WAL has been quiet for a
//! while, or has held writes for too long under steady load.
//!
//! Watching is a `stat` of the WAL file: its size says whether anything is waiting, its
//! modification time when the last write was. That costs nothing per answer, and it also
//! sees writes of other processes on the same file (a second server, a command).

use std::time::{Duration, SystemTime};

use super::backend::Backend;
use super::pool::Store;
use crate::error::Error;

impl Store {
    /// Checkpoints the WAL and truncates it when it holds writes and either nothing was
    /// written for `quiet`, or it has held writes for `longest` (seen by earlier calls);
    /// returns whether it did so completely. Call it every few seconds. Does nothing on
    /// PostgreSQL or for an in-memory database.
    pub async fn checkpoint_when_quiet(
        &self,
        quiet: Duration,
        longest: Duration,
    ) -> Result<bool, Error> {
        let Some(watch) = &self.wal else {
            return Ok(false);
        };
        let now = SystemTime::now();
        let written = match std::fs::metadata(&watch.path) {
            Ok(m) if m.len() > 0 => m.modified().unwrap_or(now),
            Ok(_) => {
                *watch.dirty_since.lock().expect("wal watch") = None;
                return Ok(false);
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                *watch.dirty_since.lock().expect("wal watch") = None;
                return Ok(false);
            }
            Err(e) => {
                return Err(Error::Internal(format!(
                    "reading {}: {e}",
                    watch.path.display()
                )));
            }
        };
        let dirty_since = *watch
            .dirty_since
            .lock()
            .expect("wal watch")
            .get_or_insert(now);
        let idle = now.duration_since(written).unwrap_or_default();
        let held = now.duration_since(dirty_since).unwrap_or_default();
        if idle < quiet && held < longest {
            return Ok(false);
        }
        let done = self.checkpoint().await?;
        if done {
            *watch.dirty_since.lock().expect("wal watch") = None;
        }
        Ok(done)
    }

    /// Copies every page of the WAL into the database file and truncates the WAL to zero
    /// bytes (SQLite; nothing to do on PostgreSQL). Returns false when a reader or writer
    /// kept it from finishing within the busy timeout (the next call tries again).
    pub async fn checkpoint(&self) -> Result<bool, Error> {
        if self.backend != Backend::Sqlite {
            return Ok(true);
        }
        let (busy, _, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_one(&self.pool)
            .await?;
        Ok(busy == 0)
    }
}
