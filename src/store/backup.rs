//! `trygg backup`: a consistent online copy of the SQLite database, verified before it is
//! given its name.
//!
//! `VACUUM INTO` reads one snapshot of the database while the server keeps taking answers,
//! and writes a compact copy. The copy is written to a temporary name beside the target,
//! opened, checked (`integrity_check`) and its row counts compared with the live database's
//! counts taken just before and just after the copy — answers that arrived meanwhile may be
//! missing from the copy, but never more rows than existed, and never fewer than before it
//! started. Only then is it renamed into place, so a failed backup leaves no file behind.
//! The copy is readable by its owner only (mode 0600), like the database.

use std::path::{Path, PathBuf};

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

use super::backend::Backend;
use super::pool::Store;
use crate::error::Error;

/// The tables whose rows are counted, in the order they are reported, with their count.
const TABLES: [(&str, &str); 3] = [
    ("questionnaires", "select count(*) from questionnaires"),
    ("waves", "select count(*) from waves"),
    ("responses", "select count(*) from responses"),
];

/// What a backup holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    pub path: PathBuf,
    pub bytes: u64,
    /// Rows per table in the copy, in the order of [`TABLES`].
    pub rows: Vec<(&'static str, i64)>,
}

impl std::fmt::Display for BackupSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let rows: Vec<String> = self.rows.iter().map(|(t, n)| format!("{n} {t}")).collect();
        write!(
            f,
            "backup written to {} ({:.1} MB; {}), verified",
            self.path.display(),
            self.bytes as f64 / 1e6,
            rows.join(", ")
        )
    }
}

impl Store {
    async fn table_counts(&self) -> Result<Vec<i64>, Error> {
        let mut out = Vec::new();
        for (_, count) in TABLES {
            out.push(sqlx::query_scalar(count).fetch_one(&self.pool).await?);
        }
        Ok(out)
    }

    /// Writes a verified copy of the database to `target`, which must not exist yet.
    pub async fn backup(&self, target: &Path) -> Result<BackupSummary, Error> {
        if self.backend == Backend::Postgres {
            return Err(Error::Invalid(
                "`trygg backup` copies a SQLite file; back up PostgreSQL with pg_dump, or copy it to a SQLite file with `trygg db copy`".into(),
            ));
        }
        if target.exists() {
            return Err(Error::Invalid(format!(
                "{} already exists; a backup never overwrites a file",
                target.display()
            )));
        }
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !dir.is_dir() {
            return Err(Error::Invalid(format!(
                "the folder {} does not exist",
                dir.display()
            )));
        }
        let name = target
            .file_name()
            .ok_or_else(|| Error::Invalid(format!("{} is not a file name", target.display())))?;
        // Unique per process, so two backups to one name never remove each other's copy.
        let partial = dir.join(format!(
            ".{}.{}.partial",
            name.to_string_lossy(),
            std::process::id()
        ));
        let _ = std::fs::remove_file(&partial);
        let result = self.backup_to(&partial, target).await;
        if result.is_err() {
            let _ = std::fs::remove_file(&partial);
        }
        result
    }

    async fn backup_to(&self, partial: &Path, target: &Path) -> Result<BackupSummary, Error> {
        let before = self.table_counts().await?;
        // The copy holds every answer: its file is made for the owner only first (SQLite
        // would create it with 0644 less the umask), and VACUUM INTO fills an empty file.
        crate::files::create_new(partial)
            .map_err(|e| Error::Invalid(format!("{}: {e}", partial.display())))?;
        let file = partial
            .to_str()
            .ok_or_else(|| Error::Invalid(format!("{} is not UTF-8", partial.display())))?;
        sqlx::query("VACUUM INTO $1")
            .bind(file)
            .execute(&self.pool)
            .await?;
        let after = self.table_counts().await?;

        let mut copy = SqliteConnectOptions::new()
            .filename(partial)
            .read_only(true)
            .connect()
            .await?;
        let check: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(&mut copy)
            .await?;
        if check != "ok" {
            return Err(Error::Internal(format!(
                "the copy failed its integrity check: {check}"
            )));
        }
        let mut rows = Vec::new();
        for (i, (t, count)) in TABLES.into_iter().enumerate() {
            let n: i64 = sqlx::query_scalar(count).fetch_one(&mut copy).await?;
            if n < before[i] || n > after[i] {
                return Err(Error::Internal(format!(
                    "the copy holds {n} {t}, the database held {} before and {} after copying",
                    before[i], after[i]
                )));
            }
            rows.push((t, n));
        }
        copy.close().await?;
        // The copy is complete and checked: make it durable, then give it its name. A hard
        // link fails if anything (even a dangling link) appeared at the target meanwhile,
        // so a backup never overwrites a file; the folder is synced so the name survives a
        // power cut.
        std::fs::File::open(partial)
            .and_then(|f| f.sync_all())
            .map_err(|e| Error::Internal(format!("syncing {}: {e}", partial.display())))?;
        std::fs::hard_link(partial, target).map_err(|e| {
            Error::Invalid(format!(
                "{}: {e}; nothing was overwritten",
                target.display()
            ))
        })?;
        let _ = std::fs::remove_file(partial);
        if let Some(dir) = target.parent() {
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
        }
        let bytes = std::fs::metadata(target).map(|m| m.len()).unwrap_or(0);
        Ok(BackupSummary {
            path: target.to_path_buf(),
            bytes,
            rows,
        })
    }
}
