//! A draft's key and deleting a draft inside a write transaction: what the writers of
//! answers (`group.rs`, `held.rs`) need of drafts, below `pool.rs`, so that the group-commit
//! writer does not import the `Store` that owns it.

use std::fmt;

use super::write::WriteTx;
use crate::error::Error;

/// The hash a draft is kept under: for a letter's code a keyed hash apart from the code's
/// own (`fieldwork::CodeKey::draft_key`), for an open link a hash of its resume token.
#[derive(Clone, PartialEq, Eq)]
pub struct DraftKey(pub(super) Vec<u8>);

impl DraftKey {
    pub fn from_hash(hash: Vec<u8>) -> DraftKey {
        DraftKey(hash)
    }
}

impl fmt::Debug for DraftKey {
    // Like a code, a draft's key is its resident's secret: never in a log line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DraftKey(…)")
    }
}

/// Deletes the draft under `key` inside a write transaction: the answer it became is
/// written in the same one.
pub(super) async fn delete_draft_in(tx: &mut WriteTx, key: &DraftKey) -> Result<(), Error> {
    sqlx::query("delete from drafts where hash = $1")
        .bind(key.0.clone())
        .execute(tx.conn())
        .await?;
    Ok(())
}
