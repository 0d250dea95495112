//! Group commit: answers from concurrent residents are written by one writer task in
//! shared transactions, so a crowd of residents costs one durable commit (one WAL sync)
//! per batch instead of one each.
//!
//! Each submission is a job on a channel with a reply slot. The writer takes whatever has
//! queued up — while it was committing the previous batch, more residents arrived — up to
//! [`MAX_BATCH`], and writes them in one `BEGIN IMMEDIATE … COMMIT` ([`WriteTx`]). Inside,
//! the batch's letter codes are marked used in hash order (a code already used writes
//! nothing and refuses only its own answer), then every accepted answer goes in with one
//! multi-row insert. No savepoints: on PostgreSQL each would be a subtransaction with its
//! own id on both the code and the answer, pairing them; this way a batch shares one. Only after `COMMIT` has
//! returned — with `synchronous = FULL`, the batch is on disk — does any job get its reply,
//! and so any resident the receipt. If the commit fails, every stored job of the batch is
//! told "nothing was saved" and its connection is closed, as for a single write.
//!
//! There is no waiting for a batch to fill: under light load a batch is one answer and
//! costs what a single transaction did; under heavy load batches grow by themselves.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use sqlx::AnyPool;
use tokio::sync::{mpsc, oneshot};

use super::backend::Backend;
use super::codes::{CodeOutcome, use_code_in};
use super::draft::{DraftKey, delete_draft_in};
use super::options::Faults;
use super::response::{NewResponse, insert_many_in};
use super::write::WriteTx;
use crate::error::Error;

/// At most this many answers share a transaction: enough to amortise the sync under any
/// load seen (64 concurrent clients queue far fewer), small enough that one batch holds
/// the write lock for milliseconds, not seconds.
const MAX_BATCH: usize = 256;

/// Submissions waiting for the writer; senders wait when it is full.
const QUEUE: usize = 1024;

/// One answer to store, with the letter code's hash when it came with one and the draft it
/// was sent from (deleted in the same transaction).
pub(super) struct Job {
    pub response: NewResponse,
    pub code: Option<Vec<u8>>,
    pub draft: Option<DraftKey>,
    reply: oneshot::Sender<Result<CodeOutcome, Error>>,
}

/// What [`Writer::submit`] is given to store: a [`Job`] without its reply slot.
pub(super) struct Submission {
    pub response: NewResponse,
    pub code: Option<Vec<u8>>,
    pub draft: Option<DraftKey>,
}

/// The writer task's queue, started on the first submission (in the caller's runtime) and
/// started again if the task has ended (a panic must not stop every later answer), and how
/// many batches it has committed.
#[derive(Debug, Default)]
pub(super) struct Writer {
    queue: Mutex<Option<mpsc::Sender<Job>>>,
    commits: Arc<AtomicU64>,
}

impl Writer {
    /// Stores one answer through the group-commit writer of the store on `pool`; when this
    /// returns `Ok(CodeOutcome::Stored)` the answer is durably on disk.
    pub(super) async fn submit(
        &self,
        pool: &AnyPool,
        backend: Backend,
        faults: Option<&Faults>,
        submission: Submission,
    ) -> Result<CodeOutcome, Error> {
        let queue = {
            let mut slot = self.queue.lock().expect("writer queue");
            match slot.as_ref() {
                Some(q) if !q.is_closed() => q.clone(),
                _ => {
                    let (tx, rx) = mpsc::channel(QUEUE);
                    let fail_commit = faults.map(|f| f.fail_commit.clone());
                    let commits = self.commits.clone();
                    tokio::spawn(run(pool.clone(), backend, fail_commit, commits, rx));
                    *slot = Some(tx.clone());
                    tx
                }
            }
        };
        let (reply, answer) = oneshot::channel();
        let gone = || Error::Internal("the database writer has stopped".into());
        queue
            .send(Job {
                response: submission.response,
                code: submission.code,
                draft: submission.draft,
                reply,
            })
            .await
            .map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }

    /// How many shared transactions the writer has committed.
    pub(super) fn commits(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }
}

/// The writer: one batch after the other until every sender is gone.
async fn run(
    pool: AnyPool,
    backend: Backend,
    fail_commit: Option<Arc<AtomicBool>>,
    commits: Arc<AtomicU64>,
    mut rx: mpsc::Receiver<Job>,
) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        // A handler that stopped waiting (its client left, or its request timed out) before
        // its answer was taken up sent no receipt: its answer is not stored either, so a
        // retry cannot make a duplicate. (One that stops waiting while its batch is being
        // written can still have its answer stored without a receipt.)
        let jobs: Vec<Job> = std::mem::take(&mut batch)
            .into_iter()
            .filter(|j| !j.reply.is_closed())
            .collect();
        if jobs.is_empty() {
            continue;
        }
        let outcomes = write(&pool, backend, fail_commit.clone(), &jobs).await;
        if outcomes
            .iter()
            .any(|o| matches!(o, Ok(CodeOutcome::Stored)))
        {
            commits.fetch_add(1, Ordering::Relaxed);
        }
        for (job, outcome) in jobs.into_iter().zip(outcomes) {
            // A resident who left before the reply still has the answer stored.
            let _ = job.reply.send(outcome);
        }
    }
}

/// The batch's outcomes, in job order; only called "stored" once committed.
async fn write(
    pool: &AnyPool,
    backend: Backend,
    fail_commit: Option<Arc<AtomicBool>>,
    jobs: &[Job],
) -> Vec<Result<CodeOutcome, Error>> {
    let all_failed = |why: &str| -> Vec<Result<CodeOutcome, Error>> {
        jobs.iter()
            .map(|_| Err(Error::Internal(why.to_string())))
            .collect()
    };
    let mut tx = match WriteTx::begin(pool, backend, fail_commit).await {
        Ok(tx) => tx,
        Err(e) => return all_failed(&format!("could not start a write: {e}")),
    };
    // Letter codes first, in hash order — not in the order the answers came — so that
    // the order codes were marked in says nothing about which answer used which. A code
    // already used writes nothing and refuses only its own answer; a statement that
    // fails refuses the whole batch.
    let mut outcomes: Vec<Result<CodeOutcome, Error>> =
        jobs.iter().map(|_| Ok(CodeOutcome::Stored)).collect();
    let mut coded: Vec<(usize, &[u8])> = jobs
        .iter()
        .enumerate()
        .filter_map(|(i, j)| j.code.as_deref().map(|h| (i, h)))
        .collect();
    coded.sort_by(|a, b| a.1.cmp(b.1));
    for (i, hash) in coded {
        match use_code_in(&mut tx, &jobs[i].response, hash).await {
            Ok(outcome) => outcomes[i] = Ok(outcome),
            // The transaction itself may be broken (SQLite rolls back on a full disk or an
            // I/O error; PostgreSQL aborts on any error): nothing of the batch stands.
            // Dropping `tx` closes its connection.
            Err(e) => return all_failed(&format!("the batch's transaction failed: {e}")),
        }
    }
    // A sent draft goes with its answer; one whose code had been used is of no more use.
    // An open link's answer (no code) stands only if its draft was still there: two
    // clicks on Send read the same draft, and only the first stores an answer.
    for (job, outcome) in jobs.iter().zip(outcomes.iter_mut()) {
        let Some(draft) = &job.draft else { continue };
        match delete_draft_in(&mut tx, draft).await {
            Ok(false) if job.code.is_none() => *outcome = Ok(CodeOutcome::DraftGone),
            Ok(_) => {}
            Err(e) => return all_failed(&format!("the batch's drafts could not be deleted: {e}")),
        }
    }
    // Then every accepted answer, in the order they came, in one statement.
    let accepted = jobs
        .iter()
        .zip(&outcomes)
        .filter(|(_, o)| matches!(o, Ok(CodeOutcome::Stored)))
        .map(|(j, _)| &j.response);
    if let Err(e) = insert_many_in(&mut tx, accepted).await {
        return all_failed(&format!("the batch's answers could not be stored: {e}"));
    }
    match tx.commit().await {
        Ok(()) => outcomes,
        // Every outcome was read inside the lost transaction — "this code is already used"
        // may have been used by a job of this very batch — so none of them stands.
        Err(e) => all_failed(&format!("the shared commit failed: {e}")),
    }
}
