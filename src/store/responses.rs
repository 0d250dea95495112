//! Storing and reading responses: one at a time through the group-commit writer, many in
//! one transaction, and counted, listed or streamed for the analysis.

use sqlx::Row;

use super::codes::CodeOutcome;
use super::draft::DraftKey;
use super::group::Submission;
use super::pool::Store;
use super::response::{NewResponse, StoredResponse, insert_many_in};
use crate::error::Error;

impl Store {
    /// Stores one answer through the group-commit writer (`group.rs`); when this returns
    /// `Ok(CodeOutcome::Stored)` the answer is durably on disk.
    pub(super) async fn submit(
        &self,
        response: NewResponse,
        code: Option<Vec<u8>>,
        draft: Option<DraftKey>,
    ) -> Result<CodeOutcome, Error> {
        let submission = Submission {
            response,
            code,
            draft,
        };
        self.writer
            .submit(&self.pool, self.backend, self.faults.as_ref(), submission)
            .await
    }

    /// How many shared transactions the writer has committed (fewer than the answers
    /// stored when residents answered at the same time).
    pub fn group_commits(&self) -> u64 {
        self.writer.commits()
    }

    /// Stores one response (through the group-commit writer, `group.rs`); when this
    /// returns Ok it is on disk.
    pub async fn insert_response(&self, r: &NewResponse) -> Result<(), Error> {
        self.insert_from_draft(r, None).await
    }

    /// Stores an answer without a code sent from a draft (an open link's paged form),
    /// through the group-commit writer: the draft is deleted in the same transaction.
    pub async fn insert_from_draft(
        &self,
        r: &NewResponse,
        draft: Option<&DraftKey>,
    ) -> Result<(), Error> {
        match self.submit(r.clone(), None, draft.cloned()).await? {
            CodeOutcome::Stored => Ok(()),
            CodeOutcome::DraftGone => Err(Error::Conflict("the draft is gone".into())),
            other => Err(Error::Internal(format!(
                "an answer without a code came back as {other:?}"
            ))),
        }
    }

    /// Stores many responses in one transaction: all of them or none.
    pub async fn insert_responses(&self, rs: &[NewResponse]) -> Result<(), Error> {
        let mut tx = self.write().await?;
        insert_many_in(&mut tx, rs.iter()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Number of responses, in one wave or in all.
    pub async fn count_responses(&self, wave_id: Option<i64>) -> Result<i64, Error> {
        Ok(
            sqlx::query_scalar("select count(*) from responses where ($1 is null or wave_id = $1)")
                .bind(wave_id)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Responses of one wave, in storage order, for the analysis.
    pub async fn responses(&self, wave_id: i64) -> Result<Vec<StoredResponse>, Error> {
        let rows =
            sqlx::query("select wave_id, answers from responses where wave_id = $1 order by id")
                .bind(wave_id)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .iter()
            .map(|r| StoredResponse {
                wave_id: r.get("wave_id"),
                answers: r.get("answers"),
            })
            .collect())
    }

    /// Calls `f` with each stored answers JSON of a wave, streaming: the rows are never all
    /// in memory at once, so the analysis can load a million responses in one pass.
    pub async fn scan_responses(
        &self,
        wave_id: i64,
        mut f: impl FnMut(&str) -> Result<(), Error>,
    ) -> Result<u64, Error> {
        use futures_util::TryStreamExt;
        let mut rows = sqlx::query("select answers from responses where wave_id = $1 order by id")
            .bind(wave_id)
            .fetch(&self.pool);
        let mut n = 0;
        while let Some(row) = rows.try_next().await? {
            let answers: &str = row.try_get("answers")?;
            f(answers)?;
            n += 1;
        }
        Ok(n)
    }
}
