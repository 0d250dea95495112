//! The SQL of field work: sample strata, hashed letter codes, answers given with a code,
//! letters returned or declined, and response rates.

use sqlx::Row;

use super::{NewResponse, Store};
use crate::error::Error;
use crate::fieldwork::StratumCount;

/// What became of a letter; the database's `codes.status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeStatus {
    Unused,
    Web,
    Paper,
    Undeliverable,
    Declined,
}

impl CodeStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CodeStatus::Unused => "unused",
            CodeStatus::Web => "web",
            CodeStatus::Paper => "paper",
            CodeStatus::Undeliverable => "undeliverable",
            CodeStatus::Declined => "declined",
        }
    }

    fn from_db(s: &str) -> Result<CodeStatus, Error> {
        Ok(match s {
            "unused" => CodeStatus::Unused,
            "web" => CodeStatus::Web,
            "paper" => CodeStatus::Paper,
            "undeliverable" => CodeStatus::Undeliverable,
            "declined" => CodeStatus::Declined,
            other => return Err(Error::Internal(format!("unknown code status {other}"))),
        })
    }

    /// An answer was given with the code.
    pub fn answered(self) -> bool {
        matches!(self, CodeStatus::Web | CodeStatus::Paper)
    }
}

/// A letter code found by its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeInfo {
    pub wave_id: i64,
    pub status: CodeStatus,
}

/// What storing an answer with a code did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeOutcome {
    Stored,
    /// The code was used (or returned, or declined) before: nothing stored.
    NotUnused(CodeStatus),
    Unknown,
}

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
    /// in hash order, with their status (`unused` for new letters; the demo's history
    /// stores finished years). A wave is sampled once; a second sample is refused.
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
        for (hash, stratum, status) in &codes {
            sqlx::query(
                "insert into codes (hash, wave_id, stratum, status) values ($1, $2, $3, $4)",
            )
            .bind(hash)
            .bind(wave_id)
            .bind(stratum)
            .bind(status.as_str())
            .execute(tx.conn())
            .await?;
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
                status: CodeStatus::from_db(r.get("status"))?,
            })
        })
        .transpose()
    }

    /// Stores a response given with a code and marks the code used, in one transaction:
    /// of any number of concurrent submissions with one code, exactly one is stored. The
    /// response row gets nothing of the code.
    pub async fn insert_response_with_code(
        &self,
        r: &NewResponse,
        hash: &[u8],
    ) -> Result<CodeOutcome, Error> {
        self.submit(r.clone(), Some(hash.to_vec())).await
    }

    /// Marks a letter code used by an answer, inside a write transaction: `Stored` when it
    /// was unused (the caller then inserts the answer in the same transaction), otherwise
    /// what it is. Nothing is written unless the code was unused, so a refused code needs
    /// no rollback — and no savepoint, which on PostgreSQL would be a subtransaction whose
    /// own id, written on both the code and the answer, would pair them one to one.
    pub(super) async fn use_code_in(
        tx: &mut super::write::WriteTx,
        r: &NewResponse,
        hash: &[u8],
    ) -> Result<CodeOutcome, Error> {
        let used = sqlx::query(
            "update codes set status = $1 where hash = $2 and wave_id = $3 and status = 'unused'",
        )
        .bind(r.channel.as_str())
        .bind(hash)
        .bind(r.wave_id)
        .execute(tx.conn())
        .await?
        .rows_affected();
        if used == 1 {
            return Ok(CodeOutcome::Stored);
        }
        let status: Option<String> =
            sqlx::query_scalar("select status from codes where hash = $1 and wave_id = $2")
                .bind(hash)
                .bind(r.wave_id)
                .fetch_optional(tx.conn())
                .await?;
        Ok(match status {
            Some(s) => CodeOutcome::NotUnused(CodeStatus::from_db(&s)?),
            None => CodeOutcome::Unknown,
        })
    }

    /// Marks unused codes of a wave as undeliverable or declined; returns, per hash, the
    /// status it had (`None`: no such code in the wave). Answered codes are never changed.
    pub async fn mark_codes(
        &self,
        wave_id: i64,
        hashes: &[Vec<u8>],
        status: CodeStatus,
    ) -> Result<Vec<Option<CodeStatus>>, Error> {
        let mut tx = self.write().await?;
        let mut before = Vec::new();
        for h in hashes {
            let s: Option<String> =
                sqlx::query_scalar("select status from codes where hash = $1 and wave_id = $2")
                    .bind(h)
                    .bind(wave_id)
                    .fetch_optional(tx.conn())
                    .await?;
            let s = s.map(|s| CodeStatus::from_db(&s)).transpose()?;
            if s == Some(CodeStatus::Unused) {
                sqlx::query("update codes set status = $1 where hash = $2")
                    .bind(status.as_str())
                    .bind(h)
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
    ) -> Result<Vec<Option<CodeStatus>>, Error> {
        let mut out = Vec::with_capacity(hashes.len());
        for h in hashes {
            let s: Option<String> =
                sqlx::query_scalar("select status from codes where hash = $1 and wave_id = $2")
                    .bind(h)
                    .bind(wave_id)
                    .fetch_optional(&self.pool)
                    .await?;
            out.push(s.map(|s| CodeStatus::from_db(&s)).transpose()?);
        }
        Ok(out)
    }

    /// Letters, returns, refusals and answers per stratum of a sampled wave.
    pub async fn response_rates(&self, wave_id: i64) -> Result<Vec<StratumRate>, Error> {
        let rows = sqlx::query(
            r#"select s.stratum, s.population, s.letters,
                      count(case when c.status = 'undeliverable' then 1 end) as undeliverable,
                      count(case when c.status = 'declined' then 1 end) as declined,
                      count(case when c.status = 'web' then 1 end) as web,
                      count(case when c.status = 'paper' then 1 end) as paper
               from sample_strata s left join codes c
                 on c.wave_id = s.wave_id and c.stratum = s.stratum
               where s.wave_id = $1
               group by s.stratum, s.population, s.letters
               order by s.stratum"#,
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
                undeliverable: r.get::<Option<i64>, _>("undeliverable").unwrap_or(0),
                declined: r.get::<Option<i64>, _>("declined").unwrap_or(0),
                web: r.get::<Option<i64>, _>("web").unwrap_or(0),
                paper: r.get::<Option<i64>, _>("paper").unwrap_or(0),
            })
            .collect())
    }
}
