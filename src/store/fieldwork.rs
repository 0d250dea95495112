//! The SQL of field work: sample strata, hashed letter codes, answers given with a code,
//! letters returned or declined, and response rates.
//!
//! A code row says only whether its letter is unused, used, undeliverable or declined —
//! never on which channel it was answered. What became of a wave's letters is counted per
//! stratum in `sample_strata` (undeliverable, declined, answered on the web, on paper),
//! incremented in the same transaction as the code's status; response rates and the
//! analysis read those counters. When a wave has closed its code rows are deleted
//! ([`Store::purge_closed_codes`]) and only the counters stay.

use chrono::NaiveDate;
use sqlx::Row;

use super::codes::{CodeInfo, CodeOutcome, CodeState, CodeStatus};
use super::draft::DraftKey;
use super::encode::DATE;
use super::pool::Store;
use super::response::NewResponse;
use super::waves::{Wave, WaveStatus};
use super::write::WriteTx;
use crate::error::Error;
use crate::strata::StratumCount;

/// The name of a wave's strata added up, in `trygg status`.
pub const TOTAL_STRATUM: &str = "total";

/// Letters and answers of one stratum of a wave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StratumRate {
    pub stratum: String,
    pub population: i64,
    pub letters: i64,
    pub undeliverable: i64,
    pub declined: i64,
    pub web: i64,
    pub paper: i64,
}

impl StratumRate {
    /// AAPOR RR1 with undeliverable letters as not eligible (METHODOLOGY §1):
    /// (web + paper) / (letters − undeliverable). `None` when no letter reached anyone.
    pub fn rate(&self) -> Option<f64> {
        let eligible = self.letters - self.undeliverable;
        (eligible > 0).then(|| (self.web + self.paper) as f64 / eligible as f64)
    }

    /// The strata of a wave added up (named [`TOTAL_STRATUM`]).
    pub fn total(rows: &[StratumRate]) -> StratumRate {
        let mut t = StratumRate {
            stratum: TOTAL_STRATUM.to_string(),
            population: 0,
            letters: 0,
            undeliverable: 0,
            declined: 0,
            web: 0,
            paper: 0,
        };
        for r in rows {
            t.population += r.population;
            t.letters += r.letters;
            t.undeliverable += r.undeliverable;
            t.declined += r.declined;
            t.web += r.web;
            t.paper += r.paper;
        }
        t
    }
}

impl Store {
    /// Stores a wave's sample: its strata (N_h, n_h) and the hashes of its letter codes,
    /// in hash order, with what became of them (`Unused` for new letters; the demo's
    /// history stores finished years): each code keeps its [`CodeState`], each stratum
    /// counts its letters' fates. A wave is sampled once; a second sample is refused.
    pub async fn save_sample(
        &self,
        wave_id: i64,
        strata: &[StratumCount],
        mut codes: Vec<(Vec<u8>, String, CodeStatus)>,
    ) -> Result<(), Error> {
        let mut tx = self.write().await?;
        let existing: i64 =
            sqlx::query_scalar("select count(*) from sample_strata where wave_id = $1")
                .bind(wave_id)
                .fetch_one(tx.conn())
                .await?;
        if existing > 0 {
            return Err(Error::Conflict(
                "this wave already has a sample; its letters are out (use `trygg reminders` for the ones not answered)".into(),
            ));
        }
        for s in strata {
            sqlx::query(
                "insert into sample_strata (wave_id, stratum, population, letters) values ($1, $2, $3, $4)",
            )
            .bind(wave_id)
            .bind(&s.stratum)
            .bind(s.population as i64)
            .bind(s.letters as i64)
            .execute(tx.conn())
            .await?;
        }
        // Hash order: the order rows are stored in says nothing about the draw or the print file.
        codes.sort_by(|a, b| a.0.cmp(&b.0));
        for (hash, stratum, fate) in &codes {
            sqlx::query(
                "insert into codes (hash, wave_id, stratum, status) values ($1, $2, $3, $4)",
            )
            .bind(hash)
            .bind(wave_id)
            .bind(stratum)
            .bind(fate.state().as_str())
            .execute(tx.conn())
            .await?;
            if let Some(count) = fate.count_statement() {
                sqlx::query(count)
                    .bind(wave_id)
                    .bind(stratum)
                    .execute(tx.conn())
                    .await?;
            }
        }
        tx.commit().await
    }

    /// Whether a wave was drawn as a random sample (it has letter codes).
    pub async fn is_sampled(&self, wave_id: i64) -> Result<bool, Error> {
        let n: i64 = sqlx::query_scalar("select count(*) from sample_strata where wave_id = $1")
            .bind(wave_id)
            .fetch_one(&self.pool)
            .await?;
        Ok(n > 0)
    }

    /// The strata of a sampled wave: (stratum, N_h, n_h).
    pub async fn sample_strata(&self, wave_id: i64) -> Result<Vec<StratumCount>, Error> {
        let rows = sqlx::query(
            "select stratum, population, letters from sample_strata where wave_id = $1 order by stratum",
        )
        .bind(wave_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| StratumCount {
                stratum: r.get("stratum"),
                population: r.get::<i64, _>("population") as u64,
                letters: r.get::<i64, _>("letters") as u64,
            })
            .collect())
    }

    /// The letter code with this hash.
    pub async fn code(&self, hash: &[u8]) -> Result<Option<CodeInfo>, Error> {
        let row = self
            .read(|| {
                sqlx::query("select wave_id, status from codes where hash = $1")
                    .bind(hash)
                    .fetch_optional(&self.pool)
            })
            .await?;
        row.map(|r| {
            Ok(CodeInfo {
                wave_id: r.get("wave_id"),
                status: CodeState::from_db(r.get("status"))?,
            })
        })
        .transpose()
    }

    /// Stores a response given with a code and marks the code used, in one transaction:
    /// of any number of concurrent submissions with one code, exactly one is stored. The
    /// response row gets nothing of the code; the draft it was sent from goes in the same
    /// transaction.
    pub async fn insert_response_with_code(
        &self,
        r: &NewResponse,
        hash: &[u8],
        draft: Option<&DraftKey>,
    ) -> Result<CodeOutcome, Error> {
        self.submit(r.clone(), Some(hash.to_vec()), draft.cloned())
            .await
    }

    /// Marks unused codes of a wave as undeliverable or declined, counting each in its
    /// stratum; returns, per hash, the status it had (`None`: no such code in the wave).
    /// Only unused codes change, so a letter is counted once and a count never goes back.
    pub async fn mark_codes(
        &self,
        wave_id: i64,
        hashes: &[Vec<u8>],
        status: CodeStatus,
    ) -> Result<Vec<Option<CodeState>>, Error> {
        let (Some(count), false) = (status.count_statement(), status.answered()) else {
            return Err(Error::Internal(format!(
                "letters are marked undeliverable or declined, not {}",
                status.as_str()
            )));
        };
        let mut tx = self.write().await?;
        let mut before = Vec::new();
        for h in hashes {
            let row: Option<(String, String)> = sqlx::query_as(
                "select status, stratum from codes where hash = $1 and wave_id = $2",
            )
            .bind(h)
            .bind(wave_id)
            .fetch_optional(tx.conn())
            .await?;
            let s = row
                .as_ref()
                .map(|(s, _)| CodeState::from_db(s))
                .transpose()?;
            if let (Some(CodeState::Unused), Some((_, stratum))) = (s, &row) {
                sqlx::query("update codes set status = $1 where hash = $2")
                    .bind(status.state().as_str())
                    .bind(h)
                    .execute(tx.conn())
                    .await?;
                sqlx::query(count)
                    .bind(wave_id)
                    .bind(stratum)
                    .execute(tx.conn())
                    .await?;
            }
            before.push(s);
        }
        tx.commit().await?;
        Ok(before)
    }

    /// The status of each code of a wave, by hash (`None`: not a code of the wave).
    pub async fn code_statuses(
        &self,
        wave_id: i64,
        hashes: &[Vec<u8>],
    ) -> Result<Vec<Option<CodeState>>, Error> {
        let mut out = Vec::with_capacity(hashes.len());
        for h in hashes {
            let s: Option<String> =
                sqlx::query_scalar("select status from codes where hash = $1 and wave_id = $2")
                    .bind(h)
                    .bind(wave_id)
                    .fetch_optional(&self.pool)
                    .await?;
            out.push(s.map(|s| CodeState::from_db(&s)).transpose()?);
        }
        Ok(out)
    }

    /// Letters, returns, refusals and answers per stratum of a sampled wave, from the
    /// strata's counters (a closed wave has no code rows left to count).
    pub async fn response_rates(&self, wave_id: i64) -> Result<Vec<StratumRate>, Error> {
        let rows = sqlx::query(
            r#"select stratum, population, letters, undeliverable, declined,
                      answered_web, answered_paper
               from sample_strata where wave_id = $1 order by stratum"#,
        )
        .bind(wave_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| StratumRate {
                stratum: r.get("stratum"),
                population: r.get("population"),
                letters: r.get("letters"),
                undeliverable: r.get("undeliverable"),
                declined: r.get("declined"),
                web: r.get("answered_web"),
                paper: r.get("answered_paper"),
            })
            .collect())
    }

    /// Deletes the code rows of every wave whose closing day is before `today` (only the
    /// strata's counters stay), logging each wave it emptied under `actor`, and the
    /// residents' unsent drafts of those waves; returns how many code rows went. Cheap when
    /// there is nothing to delete: one indexed read, no write.
    pub async fn purge_closed_codes(&self, today: NaiveDate, actor: &str) -> Result<u64, Error> {
        let due: i64 = sqlx::query_scalar(
            r#"select count(*) from waves w
               where w.closes_on < $1 and (exists (select 1 from codes c where c.wave_id = w.id)
                 or exists (select 1 from drafts d where d.wave_id = w.id))"#,
        )
        .bind(today.format(DATE).to_string())
        .fetch_one(&self.pool)
        .await?;
        if due == 0 {
            return Ok(0);
        }
        let mut tx = self.write().await?;
        let n = Self::purge_closed_codes_in(&mut tx, today, actor).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// [`Store::purge_closed_codes`] inside a write transaction (closing a wave does it in
    /// its own).
    pub(super) async fn purge_closed_codes_in(
        tx: &mut WriteTx,
        today: NaiveDate,
        actor: &str,
    ) -> Result<u64, Error> {
        let day = today.format(DATE).to_string();
        let drafts = super::drafts::purge_closed_drafts_in(tx, today).await?;
        if drafts > 0 {
            Self::audit_in(
                tx,
                actor,
                "drafts deleted",
                &format!("{drafts} unsent drafts of closed waves deleted"),
            )
            .await?;
        }
        let waves: Vec<(i64, String, i32)> = sqlx::query_as(
            r#"select w.id, w.district, w.year from waves w
               where w.closes_on < $1 and exists (select 1 from codes c where c.wave_id = w.id)
               order by w.id"#,
        )
        .bind(&day)
        .fetch_all(tx.conn())
        .await?;
        let mut total = 0;
        for (id, district, year) in waves {
            let n = sqlx::query("delete from codes where wave_id = $1")
                .bind(id)
                .execute(tx.conn())
                .await?
                .rows_affected();
            // Rewritten unchanged: on PostgreSQL each counter row's version otherwise keeps
            // the transaction id of the last answer counted in it, shared with that
            // answer's row (see ARCHITECTURE, "PostgreSQL and code privacy").
            sqlx::query("update sample_strata set letters = letters where wave_id = $1")
                .bind(id)
                .execute(tx.conn())
                .await?;
            Self::audit_in(
                tx,
                actor,
                "codes deleted",
                &format!(
                    "{district} {year}: the wave has closed; {n} letter codes deleted, counts kept"
                ),
            )
            .await?;
            total += n;
        }
        Ok(total)
    }
}

/// Why nothing can be done with the codes of a wave that has closed (`None` while it has
/// not): its codes were deleted when it closed, so a late paper answer, a mark or a
/// reminder list cannot be matched to a letter any more.
pub fn closed_refusal(wave: &Wave, today: NaiveDate) -> Option<String> {
    (wave.status(today) == WaveStatus::Closed).then(|| {
        format!(
            "wave {}/{} is closed (its last day was {}); its codes were deleted when it closed — late paper answers cannot be imported and letters can no longer be marked",
            wave.district, wave.year, wave.closes_on
        )
    })
}
