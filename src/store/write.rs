//! Write transactions that never leave a connection in an unknown state.
//!
//! sqlx's own `Transaction` tracks its depth in the pool connection. When SQLite rolls a
//! transaction back by itself — as it does when `COMMIT` fails with `SQLITE_FULL` or an I/O
//! error — the follow-up `ROLLBACK` fails, sqlx still believes a transaction is open, and
//! the connection goes back to the pool holding a transaction that never ends: every later
//! "commit" on it only releases a savepoint, and it keeps the write lock. A receipt then
//! lies. [`WriteTx`] instead issues `BEGIN IMMEDIATE` / `COMMIT` itself and, on any failure
//! or when dropped before committing (an error, a cancelled request), closes the connection
//! rather than returning it to the pool. Closing a SQLite connection rolls back whatever it
//! had open; the pool opens a fresh connection for the next caller, so the server recovers
//! by itself once the fault is gone.
//!
//! Writers are serialised on both backends, so every read-then-write of trygg (a letter
//! code still unused, the first administrator, the next version of a measure) sees the
//! state no other writer can change before it commits. SQLite does it with its one write
//! lock; on PostgreSQL, where several servers share the database, every write transaction
//! first takes one transaction-scoped advisory lock ([`WRITE_LOCK`]). Readers never wait.
//! A batch of residents' answers holds it for one commit (`group.rs`), so the cost is one
//! commit at a time, as on SQLite.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use sqlx::Any;
use sqlx::pool::PoolConnection;
use sqlx::{AnyConnection, AnyPool};

use super::Backend;
use crate::error::Error;

/// The PostgreSQL advisory lock every write transaction takes: an arbitrary constant that
/// spells "trygg" in ASCII, so it cannot clash with another application's by accident.
pub const WRITE_LOCK: i64 = 0x0074_7279_6767;

/// One write transaction on its own pool connection.
pub struct WriteTx {
    conn: PoolConnection<Any>,
    /// The transaction ended (committed or rolled back): the connection is clean.
    committed: bool,
    fail_commit: Option<Arc<AtomicBool>>,
}

impl WriteTx {
    /// Takes a connection and the database's write lock (SQLite: `BEGIN IMMEDIATE`;
    /// PostgreSQL: [`WRITE_LOCK`]), waiting up to the busy timeout for another writer; the
    /// lock is taken up front so that two writers never deadlock upgrading a read
    /// transaction.
    pub async fn begin(
        pool: &AnyPool,
        backend: Backend,
        fail_commit: Option<Arc<AtomicBool>>,
    ) -> Result<WriteTx, Error> {
        let conn = pool.acquire().await?;
        let mut tx = WriteTx {
            conn,
            committed: false,
            fail_commit,
        };
        // If BEGIN fails the guard is dropped uncommitted and the connection closed.
        match backend {
            Backend::Sqlite => {
                sqlx::query("BEGIN IMMEDIATE")
                    .execute(&mut *tx.conn)
                    .await?;
            }
            Backend::Postgres => {
                sqlx::query("BEGIN").execute(&mut *tx.conn).await?;
                sqlx::query("select pg_advisory_xact_lock($1)")
                    .bind(WRITE_LOCK)
                    .execute(&mut *tx.conn)
                    .await?;
            }
        }
        Ok(tx)
    }

    /// The connection, for the statements of this transaction.
    pub fn conn(&mut self) -> &mut AnyConnection {
        &mut self.conn
    }

    /// Commits; when this returns Ok the transaction is durably on disk (SQLite's
    /// `synchronous = FULL`, PostgreSQL's default `synchronous_commit = on`). On any failure
    /// the connection is closed.
    pub async fn commit(mut self) -> Result<(), Error> {
        if let Some(flag) = &self.fail_commit
            && flag.load(Ordering::SeqCst)
        {
            // An injected failure of COMMIT itself: a row that breaks a deferred foreign
            // key makes SQLite refuse the COMMIT and leave the transaction open — the state
            // in which a pooled connection used to go on holding the write lock.
            sqlx::query("PRAGMA defer_foreign_keys = ON")
                .execute(&mut *self.conn)
                .await?;
            sqlx::query(
                "insert into sample_strata (wave_id, stratum, population, letters) values (-1, 'injected fault', 0, 0)",
            )
            .execute(&mut *self.conn)
            .await?;
        }
        sqlx::query("COMMIT").execute(&mut *self.conn).await?;
        self.committed = true;
        Ok(())
    }

    /// Ends the transaction without changes; on failure the connection is closed.
    pub async fn rollback(mut self) -> Result<(), Error> {
        sqlx::query("ROLLBACK").execute(&mut *self.conn).await?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for WriteTx {
    fn drop(&mut self) {
        if !self.committed {
            // Never hand a connection in an unknown transaction state back to the pool.
            self.conn.close_on_drop();
        }
    }
}
