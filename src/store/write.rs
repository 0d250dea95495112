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

use super::backend::{Backend, connection_lost};
use super::options::DEFAULT_BUSY_TIMEOUT;
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
    /// PostgreSQL: the transaction's id and the pool, to learn the outcome of a `COMMIT`
    /// whose connection broke before it answered.
    postgres: Option<(i64, AnyPool)>,
}

/// How long the outcome of a `COMMIT` whose connection broke is asked after (a restarting
/// server answers again within it) before it counts as failed: as long as a resident may
/// wait for a lock.
const IN_DOUBT_WAIT: std::time::Duration = DEFAULT_BUSY_TIMEOUT;

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
            postgres: None,
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
                let id: i64 = sqlx::query_scalar(
                    "select txid_current() from (select pg_advisory_xact_lock($1)) as locked",
                )
                .bind(WRITE_LOCK)
                .fetch_one(&mut *tx.conn)
                .await?;
                tx.postgres = Some((id, pool.clone()));
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
        match sqlx::query("COMMIT").execute(&mut *self.conn).await {
            Ok(_) => {
                self.committed = true;
                Ok(())
            }
            // The connection broke during COMMIT (the server ended it, a failover): the
            // commit may or may not have happened. A receipt must not lie either way, so
            // ask the server on another connection what became of the transaction.
            Err(e) if connection_lost(&e) && self.postgres.is_some() => {
                let (id, pool) = self.postgres.clone().expect("checked");
                match commit_outcome(&pool, id).await {
                    Some(true) => Ok(()),
                    Some(false) => Err(e.into()),
                    None => Err(Error::Internal(format!(
                        "the commit's connection broke and its outcome could not be learned: {e}"
                    ))),
                }
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Ends the transaction without changes; on failure the connection is closed.
    pub async fn rollback(mut self) -> Result<(), Error> {
        sqlx::query("ROLLBACK").execute(&mut *self.conn).await?;
        self.committed = true;
        Ok(())
    }
}

/// Whether PostgreSQL transaction `id` committed (`Some(true)`) or was rolled back
/// (`Some(false)`), asked on a fresh connection; `None` when that cannot be learned within
/// [`IN_DOUBT_WAIT`]. A backend that was told to end finishes its transaction first, so
/// "in progress" turns into an outcome within moments.
async fn commit_outcome(pool: &AnyPool, id: i64) -> Option<bool> {
    let started = std::time::Instant::now();
    while started.elapsed() < IN_DOUBT_WAIT {
        let status: Result<Option<String>, _> = sqlx::query_scalar("select txid_status($1)")
            .bind(id)
            .fetch_one(pool)
            .await;
        match status.ok().flatten().as_deref() {
            Some("committed") => return Some(true),
            Some("aborted") => return Some(false),
            _ => tokio::time::sleep(std::time::Duration::from_millis(20)).await,
        }
    }
    None
}

impl Drop for WriteTx {
    fn drop(&mut self) {
        if !self.committed {
            // Never hand a connection in an unknown transaction state back to the pool.
            self.conn.close_on_drop();
        }
    }
}
