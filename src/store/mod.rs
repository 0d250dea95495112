//! Every SQL statement of trygg: questionnaire snapshots, waves and responses.
//!
//! The embedded default is a SQLite file in WAL mode with `synchronous = FULL`, so a
//! committed response is on disk before the resident sees the receipt — it survives the
//! process being killed and the machine losing power. A `postgres://` URL selects
//! PostgreSQL instead, for installations with several servers (a police region).
//!
//! Both backends run the very same statements through sqlx's `Any` driver: every statement
//! is written once, in the SQL both understand (`$1` placeholders, `returning`, `on conflict`,
//! no `PRAGMA` outside the SQLite-only corners), and integers everywhere a flag is kept, so
//! a row reads the same from either. Each backend has its own migrations
//! (`migrations/sqlite`, `migrations/postgres`) creating the same tables.
//!
//! Every write goes through [`write::WriteTx`], which discards a connection after any
//! failure instead of returning it to the pool in an unknown state, and which serialises
//! writers on both backends (see there).
//!
//! The files, from the bottom: `encode` (dates and hashes as stored), `backend` (which server,
//! its migrations), `options` (how it is opened), `write` (the write transaction),
//! `response`, `codes` and `draft` (rows every writer of answers touches), `wal` and `group` (what a
//! store holds besides its pool), `pool` (the [`Store`] itself, connecting, reading), and
//! above it one file per concern extending the `Store`: `waves`, `responses`, `fieldwork`,
//! `held`, `drafts` (its key, which the writers of answers need, in `draft`), `est` (the EST weekly picture's reports), `est_actions` (the actions recorded from it), `staff`, `measures`, `frozen`, `checkpoint`, `backup`, `copy`.

mod accounts;
mod backend;
mod backup;
mod checkpoint;
mod codes;
mod copy;
mod draft;
mod drafts;
mod encode;
mod est;
mod est_actions;
mod est_places;
mod est_review;
mod fieldwork;
mod frozen;
mod group;
mod held;
mod measures;
mod options;
mod pool;
mod response;
mod responses;
mod staff;
mod wal;
mod waves;
mod write;

pub use accounts::MAX_ORGANISATION_CHARS;
pub use backend::{Backend, redact};
pub use backup::BackupSummary;
pub use codes::{CodeInfo, CodeOutcome, CodeState, CodeStatus};
pub use copy::{CopyProgress, CopySummary};
pub use drafts::{Draft, DraftKey, DraftOwner};
pub(crate) use encode::hex;
pub use est_places::PlacesVersion;
pub use fieldwork::{StratumRate, closed_refusal};
pub use frozen::FrozenWave;
pub use held::{HeldCount, HoldReason};
pub use options::{DEFAULT_BUSY_TIMEOUT, Faults, StoreOptions};
pub use pool::Store;
pub use response::{Channel, NewResponse, StoredResponse};
pub use staff::{ApiToken, AuditEntry, NewApiToken, SessionRow, StaffAccount, TokenCheck};
pub use waves::{NewWave, Published, Wave, WaveStatus};
pub use write::WRITE_LOCK as POSTGRES_WRITE_LOCK;
