//! Drafts: what a resident has answered so far on a paged questionnaire, so they can stop
//! after any page and continue later, in any browser.
//!
//! A draft is keyed by a [`DraftKey`] — a hash, never the code or resume token itself — and
//! holds the page to show next, the language and the form's fields so far. It lives only as
//! long as it is needed: the answer it becomes deletes it in the same transaction (the
//! group-commit writer and [`Store::hold_response`] do that), and a closed wave's drafts go
//! with its letter codes ([`purge_closed_drafts_in`]). Drafts are not responses: no count,
//! result or export reads this table.

use chrono::NaiveDate;
use sqlx::Row;

use super::codes::CodeState;
pub use super::draft::DraftKey;
use super::encode::DATE;
use super::pool::Store;
use super::write::WriteTx;
use crate::error::Error;

/// Whose draft is written, which decides what a write may do.
#[derive(Debug, Clone, Copy)]
pub enum DraftOwner<'a> {
    /// A letter's code (its hash): written over while the code is unused.
    Code(&'a [u8]),
    /// An open link's first page: a new draft under a new token.
    NewLink,
    /// An open link's later page: only a draft that is still there is written, so a page
    /// posted beside the Send that deleted it cannot bring it back.
    Link,
}

/// A resident's answers so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// The page to show when the resident comes back (0 is the first; one past the last
    /// question page is the page to check and send).
    pub part: usize,
    pub lang: String,
    /// The form's fields so far as JSON (`{"CODE": ["value", …]}`), not yet validated as a
    /// whole: the answers are checked page by page and all together when sent.
    pub answers: String,
}

impl Store {
    /// The draft of wave `wave_id` kept under `key`, if any.
    pub async fn draft(&self, wave_id: i64, key: &DraftKey) -> Result<Option<Draft>, Error> {
        let row =
            sqlx::query("select part, lang, answers from drafts where hash = $1 and wave_id = $2")
                .bind(key.0.clone())
                .bind(wave_id)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|r| {
            let part: i64 = r.try_get("part")?;
            Ok(Draft {
                part: usize::try_from(part)
                    .map_err(|_| Error::Internal(format!("draft page {part}")))?,
                lang: r.try_get("lang")?,
                answers: r.try_get("answers")?,
            })
        })
        .transpose()
    }

    /// Writes a draft durably: the next page is shown only after this returns. Whose it is
    /// decides what may be written ([`DraftOwner`]); a draft that may not be written is
    /// [`Error::Conflict`] and nothing changes.
    pub async fn save_draft(
        &self,
        wave_id: i64,
        key: &DraftKey,
        owner: DraftOwner<'_>,
        draft: &Draft,
    ) -> Result<(), Error> {
        let mut tx = self.write().await?;
        if let DraftOwner::Code(hash) = owner {
            let status: Option<String> =
                sqlx::query_scalar("select status from codes where hash = $1")
                    .bind(hash.to_vec())
                    .fetch_optional(tx.conn())
                    .await?;
            if status.as_deref() != Some(CodeState::Unused.as_str()) {
                tx.rollback().await?;
                return Err(Error::Conflict("the code has been used".into()));
            }
        }
        let statement = match owner {
            DraftOwner::Code(_) => {
                r#"insert into drafts (hash, wave_id, part, lang, answers) values ($1, $2, $3, $4, $5)
                   on conflict (hash) do update set part = excluded.part, lang = excluded.lang, answers = excluded.answers"#
            }
            DraftOwner::NewLink => {
                "insert into drafts (hash, wave_id, part, lang, answers) values ($1, $2, $3, $4, $5)"
            }
            DraftOwner::Link => {
                "update drafts set part = $3, lang = $4, answers = $5 where hash = $1 and wave_id = $2"
            }
        };
        let written = sqlx::query(statement)
            .bind(key.0.clone())
            .bind(wave_id)
            .bind(i64::try_from(draft.part).unwrap_or(i64::MAX))
            .bind(draft.lang.clone())
            .bind(draft.answers.clone())
            .execute(tx.conn())
            .await?
            .rows_affected();
        if written == 0 {
            // An open link's draft that was sent (or purged) meanwhile stays gone.
            tx.rollback().await?;
            return Err(Error::Conflict("the draft is gone".into()));
        }
        tx.commit().await
    }

    /// Deletes a draft (the resident asked for it), durably; whether there was one.
    pub async fn delete_draft(&self, wave_id: i64, key: &DraftKey) -> Result<bool, Error> {
        let mut tx = self.write().await?;
        let n = sqlx::query("delete from drafts where hash = $1 and wave_id = $2")
            .bind(key.0.clone())
            .bind(wave_id)
            .execute(tx.conn())
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(n > 0)
    }

    /// Drafts kept, in one wave or in all.
    pub async fn count_drafts(&self, wave_id: Option<i64>) -> Result<i64, Error> {
        Ok(
            sqlx::query_scalar("select count(*) from drafts where ($1 is null or wave_id = $1)")
                .bind(wave_id)
                .fetch_one(&self.pool)
                .await?,
        )
    }
}

/// Deletes the drafts of every wave whose last day is before `today`: a closed wave takes
/// no more answers, so what was begun and not sent is not kept.
pub(super) async fn purge_closed_drafts_in(
    tx: &mut WriteTx,
    today: NaiveDate,
) -> Result<u64, Error> {
    Ok(sqlx::query(
        "delete from drafts where wave_id in (select id from waves where closes_on < $1)",
    )
    .bind(today.format(DATE).to_string())
    .execute(tx.conn())
    .await?
    .rows_affected())
}
