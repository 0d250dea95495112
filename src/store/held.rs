//! Open-link answers held for review (`held_responses`): stored as durably as any answer,
//! but apart, so no result, export or response figure counts them until staff accept them
//! (moved into `responses` in one transaction) or discard them. Both are audited.

use sqlx::Row;

use super::draft::{DraftKey, delete_draft_in};
use super::encode::DATE;
use super::pool::Store;
use super::response::NewResponse;
use crate::error::Error;

/// Why an open-link answer was held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldReason {
    /// More answers from one address to one wave within the hour than the limit allows.
    AddressLimit,
    /// One of a burst of identical answers to one wave.
    IdenticalBurst,
}

impl HoldReason {
    pub fn as_str(self) -> &'static str {
        match self {
            HoldReason::AddressLimit => "address_limit",
            HoldReason::IdenticalBurst => "identical_burst",
        }
    }
}

/// Held answers of one wave, by reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldCount {
    pub wave_id: i64,
    pub address_limit: i64,
    pub identical_burst: i64,
    /// The newest held answer's id: a decision covers the answers up to it, so one that
    /// arrives while staff look is not decided unseen.
    pub last_id: i64,
}

impl HeldCount {
    pub fn total(&self) -> i64 {
        self.address_limit + self.identical_burst
    }
}

impl Store {
    /// Stores an answer apart, for review; committed before the resident sees a receipt.
    /// The draft it was sent from, if any, is deleted in the same transaction.
    pub async fn hold_response(
        &self,
        r: &NewResponse,
        reason: HoldReason,
        draft: Option<&DraftKey>,
    ) -> Result<(), Error> {
        let mut tx = self.write().await?;
        if let Some(key) = draft
            && !delete_draft_in(&mut tx, key).await?
        {
            // Sent already (two clicks on Send): the first one stands.
            tx.rollback().await?;
            return Err(Error::Conflict("the draft is gone".into()));
        }
        sqlx::query(
            "insert into held_responses (wave_id, submitted_on, lang, reason, answers) values ($1, $2, $3, $4, $5)",
        )
        .bind(r.wave_id)
        .bind(r.submitted_on.format(DATE).to_string())
        .bind(r.lang.clone())
        .bind(reason.as_str())
        .bind(r.answers.clone())
        .execute(tx.conn())
        .await?;
        tx.commit().await
    }

    /// Held answers per wave (waves with none are left out).
    pub async fn held_counts(&self) -> Result<Vec<HeldCount>, Error> {
        let rows = sqlx::query(
            r#"select wave_id,
                      count(case when reason = 'address_limit' then 1 end) as address_limit,
                      count(case when reason = 'identical_burst' then 1 end) as identical_burst,
                      max(id) as last_id
               from held_responses group by wave_id order by wave_id"#,
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| HeldCount {
                wave_id: r.get("wave_id"),
                address_limit: r.get("address_limit"),
                identical_burst: r.get("identical_burst"),
                last_id: r.get("last_id"),
            })
            .collect())
    }

    /// Held answers of one wave (also counted where a wave must have no answers yet).
    pub async fn count_held(&self, wave_id: i64) -> Result<i64, Error> {
        Ok(
            sqlx::query_scalar("select count(*) from held_responses where wave_id = $1")
                .bind(wave_id)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Accepts a wave's held answers up to id `upto`: they become web answers of its open
    /// link, counted from now on. Refused for a wave that has a random sample (its answers
    /// must come with letters) or has closed (its results may be out). Returns how many.
    pub async fn accept_held(
        &self,
        wave_id: i64,
        upto: i64,
        today: chrono::NaiveDate,
        actor: &str,
    ) -> Result<u64, Error> {
        let mut tx = self.write().await?;
        let wave: Option<(String, i64)> = sqlx::query_as(
            "select closes_on, (select count(*) from sample_strata s where s.wave_id = w.id) from waves w where id = $1",
        )
        .bind(wave_id)
        .fetch_optional(tx.conn())
        .await?;
        let Some((closes_on, strata)) = wave else {
            return Err(Error::NotFound("Enkäten finns inte.".into()));
        };
        if strata > 0 {
            return Err(Error::Conflict(
                "Enkäten har nu ett slumpmässigt urval: dess svar kommer med breven, så svar via öppen länk kan bara tas bort.".into(),
            ));
        }
        if closes_on < today.format(DATE).to_string() {
            return Err(Error::Conflict(
                "Enkäten har stängt och resultaten kan redan vara ute, så väntande svar kan bara tas bort.".into(),
            ));
        }
        let moved = sqlx::query(
            r#"insert into responses (wave_id, submitted_on, channel, lang, synthetic, answers)
               select wave_id, submitted_on, 'web', lang, 0, answers
               from held_responses where wave_id = $1 and id <= $2 order by id"#,
        )
        .bind(wave_id)
        .bind(upto)
        .execute(tx.conn())
        .await?
        .rows_affected();
        sqlx::query("delete from held_responses where wave_id = $1 and id <= $2")
            .bind(wave_id)
            .bind(upto)
            .execute(tx.conn())
            .await?;
        if moved > 0 {
            Self::audit_in(
                &mut tx,
                actor,
                "held answers accepted",
                &format!("wave {wave_id}: {moved}"),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(moved)
    }

    /// Discards a wave's held answers up to id `upto`. Returns how many.
    pub async fn discard_held(&self, wave_id: i64, upto: i64, actor: &str) -> Result<u64, Error> {
        let mut tx = self.write().await?;
        let gone = sqlx::query("delete from held_responses where wave_id = $1 and id <= $2")
            .bind(wave_id)
            .bind(upto)
            .execute(tx.conn())
            .await?
            .rows_affected();
        if gone > 0 {
            Self::audit_in(
                &mut tx,
                actor,
                "held answers discarded",
                &format!("wave {wave_id}: {gone}"),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(gone)
    }
}
