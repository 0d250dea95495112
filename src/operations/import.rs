//! Importing paper answers: the checked rows of a scanning file stored with their codes,
//! logged.

use crate::error::Error;
use crate::fieldwork::CodeKey;
use crate::fieldwork::paper::{BadRow, PaperRow};
use crate::store::{Store, Wave};

/// What a paper import did: how many answers were stored, and every refused row (those
/// refused when the file was read, then those whose code could not answer).
#[derive(Debug, Clone)]
pub struct PaperImport {
    pub imported: usize,
    pub refused: Vec<BadRow>,
}

/// Stores the `good` rows of a scanning file already read against the wave's questionnaire
/// (`fieldwork::paper::read` or `parse`), each with its code hashed with `key`, and logs
/// "paper import" under `actor`. A wave that has closed takes none ([`Error::Conflict`]).
pub async fn import_paper(
    store: &Store,
    key: &CodeKey,
    wave: &Wave,
    good: Vec<PaperRow>,
    mut refused: Vec<BadRow>,
    actor: &str,
) -> Result<PaperImport, Error> {
    let imported =
        crate::fieldwork::paper::store_rows(store, key, wave, good, &mut refused).await?;
    store
        .audit(
            actor,
            "paper import",
            &format!(
                "{}/{}: {imported} imported, {} refused",
                wave.district,
                wave.year,
                refused.len()
            ),
        )
        .await?;
    Ok(PaperImport { imported, refused })
}
