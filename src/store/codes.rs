//! Letter codes as the database keeps them: what became of a letter ([`CodeStatus`]), what
//! its code row records ([`CodeState`]), and marking a code used by an answer inside the
//! writer's transaction.

use super::response::{Channel, NewResponse};
use super::write::WriteTx;
use crate::error::Error;

/// What became of a letter: what field work counts per stratum (`sample_strata`), and
/// what [`Store::save_sample`] takes for the demo's finished years. A code row keeps less:
/// only its [`CodeState`], never the channel.
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

    /// An answer was given with the code.
    pub fn answered(self) -> bool {
        matches!(self, CodeStatus::Web | CodeStatus::Paper)
    }

    /// What the code's row records of it.
    pub fn state(self) -> CodeState {
        match self {
            CodeStatus::Unused => CodeState::Unused,
            CodeStatus::Web | CodeStatus::Paper => CodeState::Used,
            CodeStatus::Undeliverable => CodeState::Undeliverable,
            CodeStatus::Declined => CodeState::Declined,
        }
    }

    fn of_channel(c: Channel) -> CodeStatus {
        match c {
            Channel::Web => CodeStatus::Web,
            Channel::Paper => CodeStatus::Paper,
        }
    }

    /// The statement adding one letter of this fate to its stratum's count (`$1` the wave,
    /// `$2` the stratum); `None` for unused letters, which are the letters not counted.
    /// One fixed statement per counter: column names are never built from input.
    pub(super) fn count_statement(self) -> Option<&'static str> {
        Some(match self {
            CodeStatus::Unused => return None,
            CodeStatus::Web => {
                "update sample_strata set answered_web = answered_web + 1 where wave_id = $1 and stratum = $2"
            }
            CodeStatus::Paper => {
                "update sample_strata set answered_paper = answered_paper + 1 where wave_id = $1 and stratum = $2"
            }
            CodeStatus::Undeliverable => {
                "update sample_strata set undeliverable = undeliverable + 1 where wave_id = $1 and stratum = $2"
            }
            CodeStatus::Declined => {
                "update sample_strata set declined = declined + 1 where wave_id = $1 and stratum = $2"
            }
        })
    }
}

/// What a code row records: the database's `codes.status`. A used code does not say how it
/// was used; the channel is only counted, per stratum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeState {
    Unused,
    /// An answer was given with the code, on the web or on paper.
    Used,
    Undeliverable,
    Declined,
}

impl CodeState {
    pub fn as_str(self) -> &'static str {
        match self {
            CodeState::Unused => "unused",
            CodeState::Used => "used",
            CodeState::Undeliverable => "undeliverable",
            CodeState::Declined => "declined",
        }
    }

    pub(super) fn from_db(s: &str) -> Result<CodeState, Error> {
        Ok(match s {
            "unused" => CodeState::Unused,
            "used" => CodeState::Used,
            "undeliverable" => CodeState::Undeliverable,
            "declined" => CodeState::Declined,
            other => return Err(Error::Internal(format!("unknown code status {other}"))),
        })
    }
}

/// A letter code found by its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeInfo {
    pub wave_id: i64,
    pub status: CodeState,
}

/// What storing an answer with a code did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeOutcome {
    Stored,
    /// The code was used (or returned, or declined) before: nothing stored.
    NotUnused(CodeState),
    Unknown,
    /// An open link's answer whose draft was gone (sent already): nothing stored.
    DraftGone,
}

/// Marks a letter code used by an answer, inside a write transaction: `Stored` when it
/// was unused (the caller then inserts the answer in the same transaction), otherwise
/// what it is. The code becomes `used` — not the channel — and its stratum's counter
/// for the channel goes up by one. Nothing is written unless the code was unused, so a
/// refused code needs no rollback — and no savepoint, which on PostgreSQL would be a
/// subtransaction whose own id, written on both the code and the answer, would pair
/// them one to one.
pub(super) async fn use_code_in(
    tx: &mut WriteTx,
    r: &NewResponse,
    hash: &[u8],
) -> Result<CodeOutcome, Error> {
    let stratum: Option<String> = sqlx::query_scalar(
        "update codes set status = 'used' where hash = $1 and wave_id = $2 and status = 'unused' returning stratum",
    )
    .bind(hash)
    .bind(r.wave_id)
    .fetch_optional(tx.conn())
    .await?;
    if let Some(stratum) = stratum {
        let count = CodeStatus::of_channel(r.channel)
            .count_statement()
            .expect("answers are counted");
        sqlx::query(count)
            .bind(r.wave_id)
            .bind(&stratum)
            .execute(tx.conn())
            .await?;
        return Ok(CodeOutcome::Stored);
    }
    let status: Option<String> =
        sqlx::query_scalar("select status from codes where hash = $1 and wave_id = $2")
            .bind(hash)
            .bind(r.wave_id)
            .fetch_optional(tx.conn())
            .await?;
    Ok(match status {
        Some(s) => CodeOutcome::NotUnused(CodeState::from_db(&s)?),
        None => CodeOutcome::Unknown,
    })
}
