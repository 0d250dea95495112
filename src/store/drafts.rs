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
pub use super::draft_key::DraftKey;
use super::encode::DATE;
use super::pool::Store;
use super::write::WriteTx;
use crate::error::Error;

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

    /// Writes a draft (replacing the one under the same key), durably: the next page is
    /// shown only after this returns. With `code`, the letter's code must still be unused
    /// (checked in the same transaction): a code that has given its answer keeps no draft,
    /// and the caller gets [`Error::Conflict`].
    pub async fn save_draft(
        &self,
        wave_id: i64,
        key: &DraftKey,
        code: Option<&[u8]>,
        draft: &Draft,
    ) -> Result<(), Error> {
        let mut tx = self.write().await?;
        if let Some(hash) = code {
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
        sqlx::query(
            r#"insert into drafts (hash, wave_id, part, lang, answers) values ($1, $2, $3, $4, $5)
               on conflict (hash) do update set part = excluded.part, lang = excluded.lang, answers = excluded.answers"#,
        )
        .bind(key.0.clone())
        .bind(wave_id)
        .bind(i64::try_from(draft.part).unwrap_or(i64::MAX))
        .bind(draft.lang.clone())
        .bind(draft.answers.clone())
        .execute(tx.conn())
        .await?;
        tx.commit().await
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
