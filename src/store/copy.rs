//! `trygg db copy`: moves an installation from one database to another (SQLite to
//! PostgreSQL when a municipality joins a region's server, or back), verified.
//!
//! Every table is read from one snapshot of the source (a single read transaction) and
//! written to the destination in one transaction, with ids kept, so the destination holds
//! exactly what the source held at one moment or, if anything fails, nothing. The
//! destination must be empty (checked inside that transaction, under its write lock).
//! Before the commit, both sides are counted table by table and the answers hashed on both
//! sides (SHA-256 over every response in id order); only when every figure matches is the
//! copy committed and reported as verified. Frozen-wave records are not copied:
//! they describe files beside the source and are rebuilt by the first analysis.

use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::backend::Backend;
use super::encode::hex;
use super::pool::Store;
use crate::error::Error;

/// How a column is read and written.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Int,
    Text,
    Bytes,
}

use Kind::{Bytes, Int, Text};

/// A table to copy: its name, its columns, the key it is read in order of, and whether
/// its `id` is an identity whose PostgreSQL sequence must follow the copied ids.
struct Table {
    name: &'static str,
    columns: &'static [(&'static str, Kind)],
    order: &'static str,
    identity: bool,
}

/// Every table trygg keeps, parents before children (foreign keys hold at every insert).
const TABLES: &[Table] = &[
    Table {
        name: "questionnaires",
        columns: &[
            ("id", Int),
            ("code", Text),
            ("sha256", Text),
            ("source", Text),
            ("published_on", Text),
        ],
        order: "id",
        identity: true,
    },
    Table {
        name: "waves",
        columns: &[
            ("id", Int),
            ("district", Text),
            ("year", Int),
            ("questionnaire_id", Int),
            ("opens_on", Text),
            ("closes_on", Text),
        ],
        order: "id",
        identity: true,
    },
    Table {
        name: "sample_strata",
        columns: &[
            ("wave_id", Int),
            ("stratum", Text),
            ("population", Int),
            ("letters", Int),
            ("undeliverable", Int),
            ("declined", Int),
            ("answered_web", Int),
            ("answered_paper", Int),
        ],
        order: "wave_id, stratum",
        identity: false,
    },
    Table {
        // Read in hash order, as trygg writes them: nothing orders a code with its use.
        name: "codes",
        columns: &[
            ("hash", Bytes),
            ("wave_id", Int),
            ("stratum", Text),
            ("status", Text),
        ],
        order: "hash",
        identity: false,
    },
    Table {
        name: "responses",
        columns: RESPONSE_COLUMNS,
        order: "id",
        identity: true,
    },
    Table {
        // Read in hash order: nothing orders a draft with its resident.
        name: "drafts",
        columns: &[
            ("hash", Bytes),
            ("wave_id", Int),
            ("part", Int),
            ("lang", Text),
            ("answers", Text),
        ],
        order: "hash",
        identity: false,
    },
    Table {
        name: "held_responses",
        columns: &[
            ("id", Int),
            ("wave_id", Int),
            ("submitted_on", Text),
            ("lang", Text),
            ("reason", Text),
            ("answers", Text),
        ],
        order: "id",
        identity: true,
    },
    Table {
        name: "staff",
        columns: &[
            ("id", Int),
            ("email", Text),
            ("role", Text),
            ("districts", Text),
            ("password_hash", Text),
            ("disabled", Int),
            ("created_at", Text),
            ("organisation", Text),
        ],
        order: "id",
        identity: true,
    },
    Table {
        name: "staff_sessions",
        columns: &[
            ("hash", Bytes),
            ("staff_id", Int),
            ("csrf", Text),
            ("created_at", Int),
            ("seen_at", Int),
        ],
        order: "hash",
        identity: false,
    },
    Table {
        name: "password_tokens",
        columns: &[("hash", Bytes), ("staff_id", Int), ("expires_at", Int)],
        order: "hash",
        identity: false,
    },
    Table {
        name: "audit_log",
        columns: &[
            ("id", Int),
            ("at", Text),
            ("actor", Text),
            ("action", Text),
            ("detail", Text),
        ],
        order: "id",
        identity: true,
    },
    Table {
        name: "est_reports",
        columns: &[
            ("id", Int),
            ("district", Text),
            ("place_id", Text),
            ("other_place", Text),
            ("day", Text),
            ("part_of_day", Text),
            ("category", Text),
            ("description", Text),
            ("status", Text),
            ("merged_into", Int),
            ("organisation", Text),
            ("created_by", Text),
            ("source", Text),
        ],
        order: "id",
        identity: true,
    },
    Table {
        name: "est_place_versions",
        columns: &[
            ("version", Int),
            ("body", Text),
            ("edited_by", Text),
            ("edited_at", Text),
        ],
        order: "version",
        identity: false,
    },
    Table {
        name: "est_actions",
        columns: &[
            ("id", Int),
            ("district", Text),
            ("place_id", Text),
            ("kind", Text),
            ("presence", Text),
            ("owner", Text),
            ("due", Text),
            ("status", Text),
            ("note", Text),
            ("week", Text),
            ("created_by", Text),
            ("created_at", Text),
            ("edited_by", Text),
            ("edited_at", Text),
            ("measure_id", Text),
        ],
        order: "id",
        identity: true,
    },
    Table {
        name: "api_tokens",
        columns: &[
            ("hash", Bytes),
            ("name", Text),
            ("role", Text),
            ("created_by", Text),
            ("created_at", Text),
            ("revoked", Int),
            ("expires_on", Text),
            ("last_used_on", Text),
            ("districts", Text),
        ],
        order: "hash",
        identity: false,
    },
    Table {
        name: "measure_versions",
        columns: &[
            ("id", Text),
            ("version", Int),
            ("district", Text),
            ("start", Text),
            ("category", Text),
            ("title", Text),
            ("lag_months", Int),
            ("targets", Text),
            ("removed", Int),
            ("edited_by", Text),
            ("edited_at", Text),
        ],
        order: "id, version",
        identity: false,
    },
];

const RESPONSE_COLUMNS: &[(&str, Kind)] = &[
    ("id", Int),
    ("wave_id", Int),
    ("submitted_on", Text),
    ("channel", Text),
    ("lang", Text),
    ("synthetic", Int),
    ("answers", Text),
];

/// Rows per insert statement: few statements, and far below either backend's limit on
/// parameters (SQLite 32,766; PostgreSQL 65,535) for the widest table.
const ROWS_PER_INSERT: usize = 500;

/// One value read from the source.
enum Value {
    Int(Option<i64>),
    Text(Option<String>),
    Bytes(Option<Vec<u8>>),
}

/// What a copy moved, for the command's report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopySummary {
    /// Rows per table, the same on both sides.
    pub rows: Vec<(&'static str, i64)>,
    /// SHA-256 of every response, in id order, on both sides.
    pub answers_sha256: String,
}

impl std::fmt::Display for CopySummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let rows: Vec<String> = self
            .rows
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(t, n)| format!("{n} {t}"))
            .collect();
        write!(
            f,
            "copied and verified: {}; answers SHA-256 {} on both sides",
            if rows.is_empty() {
                "an empty database".to_string()
            } else {
                rows.join(", ")
            },
            self.answers_sha256
        )
    }
}

impl Store {
    /// Copies everything in `self` into `to`, which must be empty, and verifies the copy.
    /// `progress` is told how many rows there are, then each batch written.
    pub async fn copy_to(
        &self,
        to: &Store,
        mut progress: impl FnMut(CopyProgress),
    ) -> Result<CopySummary, Error> {
        // The destination's write transaction first: its lock keeps any other writer out
        // from the emptiness check to the commit.
        let mut tx = to.write().await?;
        let held = table_rows(tx.conn()).await?;
        if let Some((t, n)) = held.iter().find(|(_, n)| *n > 0) {
            return Err(Error::Invalid(format!(
                "the destination already holds {n} rows of {t}; `db copy` only fills an empty database (nothing was copied)"
            )));
        }
        // One snapshot of the source for the rows, their counts and their hash.
        let mut source = self.pool.acquire().await?;
        let begin = match self.backend {
            Backend::Sqlite => "BEGIN",
            Backend::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        };
        sqlx::query(begin).execute(&mut *source).await?;
        let counts = table_rows(&mut source).await?;
        progress(CopyProgress::Total(
            counts.iter().map(|(_, n)| *n as u64).sum(),
        ));
        let expected_sha = answers_sha256(&mut source).await?;

        for table in TABLES {
            copy_table(table, &mut source, tx.conn(), &mut progress).await?;
        }
        if to.backend == Backend::Postgres {
            for table in TABLES.iter().filter(|t| t.identity) {
                // The next id handed out follows the copied ones.
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "select setval(pg_get_serial_sequence('{0}', 'id'), coalesce((select max(id) from {0}), 0) + 1, false)",
                    table.name
                )))
                .execute(tx.conn())
                .await?;
            }
        }
        // Verified before it is committed: a copy that does not match is rolled back (the
        // transaction is dropped) and leaves the destination as empty as it was.
        let copied = table_rows(tx.conn()).await?;
        for ((t, n), (_, m)) in counts.iter().zip(&copied) {
            if n != m {
                return Err(Error::Internal(format!(
                    "the copy holds {m} rows of {t}, the source {n}: nothing was copied"
                )));
            }
        }
        let copied_sha = answers_sha256(tx.conn()).await?;
        if copied_sha != expected_sha {
            return Err(Error::Internal(format!(
                "the answers' checksum differs (source {expected_sha}, copy {copied_sha}): nothing was copied"
            )));
        }
        tx.commit().await?;
        sqlx::query("COMMIT").execute(&mut *source).await?;
        Ok(CopySummary {
            rows: counts,
            answers_sha256: expected_sha,
        })
    }
}

/// Rows of every copied table, in [`TABLES`] order.
async fn table_rows(c: &mut AnyConnection) -> Result<Vec<(&'static str, i64)>, Error> {
    let mut out = Vec::with_capacity(TABLES.len());
    for t in TABLES {
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "select count(*) from {}",
            t.name
        )))
        .fetch_one(&mut *c)
        .await?;
        out.push((t.name, n));
    }
    Ok(out)
}

/// Progress of a copy.
#[derive(Debug, Clone, Copy)]
pub enum CopyProgress {
    /// Rows to copy in all.
    Total(u64),
    /// Rows just written.
    Copied(u64),
}

async fn copy_table(
    table: &Table,
    source: &mut AnyConnection,
    dest: &mut AnyConnection,
    progress: &mut impl FnMut(CopyProgress),
) -> Result<(), Error> {
    use futures_util::TryStreamExt;
    let names: Vec<&str> = table.columns.iter().map(|(n, _)| *n).collect();
    let select = format!(
        "select {} from {} order by {}",
        names.join(", "),
        table.name,
        table.order
    );
    let mut rows = sqlx::query(sqlx::AssertSqlSafe(select)).fetch(&mut *source);
    let mut batch: Vec<Vec<Value>> = Vec::with_capacity(ROWS_PER_INSERT);
    while let Some(row) = rows.try_next().await? {
        batch.push(read_row(table, &row)?);
        if batch.len() == ROWS_PER_INSERT {
            insert_rows(table, &names, &batch, dest).await?;
            progress(CopyProgress::Copied(batch.len() as u64));
            batch.clear();
        }
    }
    if !batch.is_empty() {
        insert_rows(table, &names, &batch, dest).await?;
        progress(CopyProgress::Copied(batch.len() as u64));
    }
    Ok(())
}

fn read_row(table: &Table, row: &AnyRow) -> Result<Vec<Value>, Error> {
    table
        .columns
        .iter()
        .enumerate()
        .map(|(i, (_, kind))| {
            Ok(match kind {
                Int => Value::Int(row.try_get(i)?),
                Text => Value::Text(row.try_get(i)?),
                Bytes => Value::Bytes(row.try_get(i)?),
            })
        })
        .collect()
}

async fn insert_rows(
    table: &Table,
    names: &[&str],
    rows: &[Vec<Value>],
    dest: &mut AnyConnection,
) -> Result<(), Error> {
    let width = names.len();
    let values: Vec<String> = (0..rows.len())
        .map(|r| {
            let params: Vec<String> = (1..=width).map(|c| format!("${}", r * width + c)).collect();
            format!("({})", params.join(", "))
        })
        .collect();
    let sql = format!(
        "insert into {} ({}) values {}",
        table.name,
        names.join(", "),
        values.join(", ")
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for row in rows {
        for v in row {
            q = match v {
                Value::Int(x) => q.bind(*x),
                Value::Text(x) => q.bind(x.clone()),
                Value::Bytes(x) => q.bind(x.clone()),
            };
        }
    }
    q.execute(&mut *dest).await?;
    Ok(())
}

/// SHA-256 over every response in id order: each column's text, length-prefixed so no
/// two different rows hash alike.
async fn answers_sha256(c: &mut AnyConnection) -> Result<String, Error> {
    use futures_util::TryStreamExt;
    let names: Vec<&str> = RESPONSE_COLUMNS.iter().map(|(n, _)| *n).collect();
    let mut rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select {} from responses order by id",
        names.join(", ")
    )))
    .fetch(&mut *c);
    let mut hash = Sha256::new();
    while let Some(row) = rows.try_next().await? {
        for (i, (_, kind)) in RESPONSE_COLUMNS.iter().enumerate() {
            let text = match kind {
                Int => row.try_get::<i64, _>(i)?.to_string(),
                _ => row.try_get::<String, _>(i)?,
            };
            hash.update((text.len() as u64).to_le_bytes());
            hash.update(text.as_bytes());
        }
    }
    Ok(hex(&hash.finalize()))
}
