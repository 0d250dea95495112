//! A draft's key and deleting a draft: what the writers of answers need of drafts (the
//! group-commit writer and held answers delete a sent draft in their own transaction), kept
//! below the [`super::pool::Store`] the rest of `drafts.rs` extends.

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
/// Returns whether there was one: an open link's answer is stored only if its draft still
/// was (two clicks on Send read the same draft; the second finds it gone).
pub(super) async fn delete_draft_in(tx: &mut WriteTx, key: &DraftKey) -> Result<bool, Error> {
    Ok(sqlx::query("delete from drafts where hash = $1")
        .bind(key.0.clone())
        .execute(tx.conn())
        .await?
        .rows_affected()
        > 0)
}
