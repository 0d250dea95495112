//! The SQL of frozen closed waves: what each wave's Parquet file was made from and its hash
//! (the files themselves are written by `analysis::columnar`).

use std::path::PathBuf;

use sqlx::Row;

use super::encode::DATE;
use super::pool::Store;
use crate::error::Error;

/// The record of one frozen wave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrozenWave {
    pub wave_id: i64,
    /// The questionnaire snapshot whose question order the file's columns follow.
    pub reference_questionnaire_id: i64,
    pub responses: i64,
    pub last_response_id: i64,
    /// SHA-256 of the file, in hex.
    pub sha256: String,
}

fn frozen(r: &sqlx::any::AnyRow) -> FrozenWave {
    FrozenWave {
        wave_id: r.get("wave_id"),
        reference_questionnaire_id: r.get("reference_questionnaire_id"),
        responses: r.get("responses"),
        last_response_id: r.get("last_response_id"),
        sha256: r.get("sha256"),
    }
}

impl Store {
    /// The folder of frozen waves: the one chosen when the store was opened, else
    /// `<database>.frozen` beside a SQLite file (none for an in-memory database, nor for
    /// PostgreSQL without a chosen folder).
    pub fn frozen_dir(&self) -> Option<PathBuf> {
        self.frozen.clone()
    }

    /// A wave's last response id (0 for none): with the triggers that drop a wave's record
    /// whenever one of its responses is added, changed or removed, what a frozen file must
    /// still match. An index lookup, not a count: counting a million answers' rows took a
    /// tenth of a second per analysis.
    pub async fn wave_last_id(&self, wave_id: i64) -> Result<i64, Error> {
        Ok(
            sqlx::query_scalar("select coalesce(max(id), 0) from responses where wave_id = $1")
                .bind(wave_id)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Every frozen wave's record with its wave's last response id now, by wave id.
    pub async fn frozen_waves(
        &self,
    ) -> Result<std::collections::HashMap<i64, (FrozenWave, i64)>, Error> {
        let rows = sqlx::query(
            r#"select f.*,
                      (select coalesce(max(r.id), 0) from responses r where r.wave_id = f.wave_id) as last_now
               from frozen_waves f"#,
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| (r.get("wave_id"), (frozen(r), r.get("last_now"))))
            .collect())
    }

    /// Records (or replaces) a wave's frozen file, after the file is on disk.
    ///
    /// Only if the wave still has exactly the file's responses (count and last id, checked
    /// under the write lock, so nothing changes before the record is in and the triggers
    /// watch it): an answer added or removed while the file was being made leaves the
    /// wave unrecorded (`Ok(false)`), and the next analysis builds the file again.
    pub async fn record_frozen(&self, f: &FrozenWave) -> Result<bool, Error> {
        let mut tx = self.write().await?;
        let (count, last): (i64, i64) = sqlx::query_as(
            "select count(*), coalesce(max(id), 0) from responses where wave_id = $1",
        )
        .bind(f.wave_id)
        .fetch_one(tx.conn())
        .await?;
        if (count, last) != (f.responses, f.last_response_id) {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query(
            r#"insert into frozen_waves
               (wave_id, reference_questionnaire_id, responses, last_response_id, sha256, frozen_on)
               values ($1, $2, $3, $4, $5, $6)
               on conflict (wave_id) do update set
                 reference_questionnaire_id = excluded.reference_questionnaire_id,
                 responses = excluded.responses,
                 last_response_id = excluded.last_response_id,
                 sha256 = excluded.sha256,
                 frozen_on = excluded.frozen_on"#,
        )
        .bind(f.wave_id)
        .bind(f.reference_questionnaire_id)
        .bind(f.responses)
        .bind(f.last_response_id)
        .bind(&f.sha256)
        .bind(chrono::Utc::now().date_naive().format(DATE).to_string())
        .execute(tx.conn())
        .await?;
        tx.commit().await?;
        Ok(true)
    }
}
