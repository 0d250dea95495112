//! Waves: publishing a questionnaire as a district's wave of a year (with an immutable
//! snapshot of its source), and reading waves and snapshots back.

use chrono::NaiveDate;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::encode::{DATE, date, sha256_hex};
use super::pool::Store;
use crate::error::Error;

/// A published wave.
#[derive(Debug, Clone, PartialEq)]
pub struct Wave {
    pub id: i64,
    pub district: String,
    pub year: i32,
    pub questionnaire_id: i64,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    /// Drawn as a random sample with letter codes; otherwise an open link anyone can answer.
    pub sampled: bool,
}

/// Where a wave stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaveStatus {
    NotOpen,
    Open,
    Closed,
}

impl Wave {
    pub fn status(&self, today: NaiveDate) -> WaveStatus {
        if today < self.opens_on {
            WaveStatus::NotOpen
        } else if today > self.closes_on {
            WaveStatus::Closed
        } else {
            WaveStatus::Open
        }
    }
}

/// A wave to publish, with the questionnaire source it snapshots.
#[derive(Debug, Clone)]
pub struct NewWave<'a> {
    pub district: &'a str,
    pub year: i32,
    pub questionnaire_code: &'a str,
    pub source: &'a str,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
}

/// What publishing did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Published {
    Created,
    /// The same questionnaire and dates were already published: nothing changed.
    Unchanged,
}

impl Store {
    /// Publishes a wave with an immutable snapshot of its questionnaire.
    ///
    /// Publishing the same file with the same dates again changes nothing; a different
    /// questionnaire or dates for an existing wave is refused.
    pub async fn publish(&self, w: &NewWave<'_>) -> Result<Published, Error> {
        let sha = sha256_hex(w.source);
        let mut tx = self.write().await?;
        let existing = sqlx::query(
            r#"select w.id, q.sha256, w.opens_on, w.closes_on
               from waves w join questionnaires q on q.id = w.questionnaire_id
               where w.district = $1 and w.year = $2"#,
        )
        .bind(w.district)
        .bind(w.year)
        .fetch_optional(tx.conn())
        .await?;
        if let Some(row) = existing {
            let old_sha: String = row.get("sha256");
            let opens: String = row.get("opens_on");
            let closes: String = row.get("closes_on");
            if old_sha != sha {
                return Err(Error::Conflict(format!(
                    "wave {} {} is already published with a different questionnaire; a published wave never changes (publish the edited file for a new year instead)",
                    w.district, w.year
                )));
            }
            if opens != w.opens_on.format(DATE).to_string()
                || closes != w.closes_on.format(DATE).to_string()
            {
                return Err(Error::Conflict(format!(
                    "wave {} {} is already published open {opens} to {closes}; its dates cannot be changed by publishing again",
                    w.district, w.year
                )));
            }
            return Ok(Published::Unchanged);
        }
        let qid: i64 = match sqlx::query_scalar("select id from questionnaires where sha256 = $1")
            .bind(&sha)
            .fetch_optional(tx.conn())
            .await?
        {
            Some(id) => id,
            None => {
                sqlx::query_scalar(
                    r#"insert into questionnaires (code, sha256, source, published_on)
                       values ($1, $2, $3, $4) returning id"#,
                )
                .bind(w.questionnaire_code)
                .bind(&sha)
                .bind(w.source)
                .bind(chrono::Local::now().date_naive().format(DATE).to_string())
                .fetch_one(tx.conn())
                .await?
            }
        };
        sqlx::query(
            r#"insert into waves (district, year, questionnaire_id, opens_on, closes_on)
               values ($1, $2, $3, $4, $5)"#,
        )
        .bind(w.district)
        .bind(w.year)
        .bind(qid)
        .bind(w.opens_on.format(DATE).to_string())
        .bind(w.closes_on.format(DATE).to_string())
        .execute(tx.conn())
        .await?;
        tx.commit().await?;
        Ok(Published::Created)
    }

    fn wave_from_row(row: &AnyRow) -> Result<Wave, Error> {
        Ok(Wave {
            id: row.get("id"),
            district: row.get("district"),
            year: row.get("year"),
            questionnaire_id: row.get("questionnaire_id"),
            opens_on: date(row.get("opens_on"))?,
            closes_on: date(row.get("closes_on"))?,
            sampled: row.get::<i64, _>("sampled") != 0,
        })
    }

    pub async fn wave(&self, district: &str, year: i32) -> Result<Option<Wave>, Error> {
        let row = self
            .read(|| {
                sqlx::query(
                    r#"select id, district, year, questionnaire_id, opens_on, closes_on,
                          (select count(*) from sample_strata s where s.wave_id = waves.id) as sampled
                   from waves where district = $1 and year = $2"#,
                )
                .bind(district)
                .bind(year)
                .fetch_optional(&self.pool)
            })
            .await?;
        row.as_ref().map(Self::wave_from_row).transpose()
    }

    /// The wave with this id.
    pub async fn wave_by_id(&self, id: i64) -> Result<Option<Wave>, Error> {
        let row = self
            .read(|| {
                sqlx::query(
                    r#"select id, district, year, questionnaire_id, opens_on, closes_on,
                          (select count(*) from sample_strata s where s.wave_id = waves.id) as sampled
                   from waves where id = $1"#,
                )
                .bind(id)
                .fetch_optional(&self.pool)
            })
            .await?;
        row.as_ref().map(Self::wave_from_row).transpose()
    }

    /// Every wave, by year and district.
    pub async fn waves(&self) -> Result<Vec<Wave>, Error> {
        let rows = self
            .read(|| {
                sqlx::query(
                    r#"select id, district, year, questionnaire_id, opens_on, closes_on,
                          (select count(*) from sample_strata s where s.wave_id = waves.id) as sampled
                   from waves order by year, district"#,
                )
                .fetch_all(&self.pool)
            })
            .await?;
        rows.iter().map(Self::wave_from_row).collect()
    }

    /// The questionnaire source a wave was published with.
    pub async fn snapshot(&self, questionnaire_id: i64) -> Result<String, Error> {
        Ok(self
            .read(|| {
                sqlx::query_scalar("select source from questionnaires where id = $1")
                    .bind(questionnaire_id)
                    .fetch_one(&self.pool)
            })
            .await?)
    }

    /// The questionnaire a wave was published with, parsed from its snapshot.
    pub async fn questionnaire(
        &self,
        questionnaire_id: i64,
    ) -> Result<crate::questionnaire::Questionnaire, Error> {
        let source = self.snapshot(questionnaire_id).await?;
        crate::questionnaire::parse(&format!("snapshot {questionnaire_id}"), &source).map_err(|f| {
            Error::Internal(format!(
                "stored questionnaire snapshot {questionnaire_id} no longer parses: {}",
                f[0]
            ))
        })
    }

    /// Whether the database holds no waves at all (then `serve --demo` fills it).
    pub async fn is_empty(&self) -> Result<bool, Error> {
        let n: i64 = sqlx::query_scalar("select count(*) from waves")
            .fetch_one(&self.pool)
            .await?;
        Ok(n == 0)
    }
}
