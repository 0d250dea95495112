//! A response row: what is stored ([`NewResponse`]), what the analysis reads back
//! ([`StoredResponse`]), and the multi-row insert every writer of answers uses.

use chrono::NaiveDate;

use super::encode::DATE;
use super::write::WriteTx;
use crate::error::Error;

/// A validated response ready to store.
#[derive(Debug, Clone)]
pub struct NewResponse {
    pub wave_id: i64,
    pub submitted_on: NaiveDate,
    pub channel: Channel,
    pub lang: String,
    pub synthetic: bool,
    /// JSON from [`crate::questionnaire::Answers::to_json`].
    pub answers: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Web,
    Paper,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Web => "web",
            Channel::Paper => "paper",
        }
    }
}

/// A stored response as the analysis reads it.
#[derive(Debug, Clone)]
pub struct StoredResponse {
    pub wave_id: i64,
    pub answers: String,
}

/// Responses per insert statement: 6 parameters each, far below either backend's limit on
/// parameters in one statement (SQLite 32,766; PostgreSQL 65,535).
const ROWS_PER_INSERT: usize = 256;

/// Inserts responses inside a write transaction, many rows per statement: one round trip
/// per [`ROWS_PER_INSERT`] answers instead of one each, which is what lets a batch of
/// residents' answers cost little more than one answer.
pub(super) async fn insert_many_in<'r>(
    tx: &mut WriteTx,
    rs: impl IntoIterator<Item = &'r NewResponse>,
) -> Result<(), Error> {
    let rs: Vec<&NewResponse> = rs.into_iter().collect();
    for chunk in rs.chunks(ROWS_PER_INSERT) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| {
                let p = i * 6;
                format!(
                    "(${}, ${}, ${}, ${}, ${}, ${})",
                    p + 1,
                    p + 2,
                    p + 3,
                    p + 4,
                    p + 5,
                    p + 6
                )
            })
            .collect();
        let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
            "insert into responses (wave_id, submitted_on, channel, lang, synthetic, answers) values {}",
            values.join(", ")
        )));
        for r in chunk {
            q = q
                .bind(r.wave_id)
                .bind(r.submitted_on.format(DATE).to_string())
                .bind(r.channel.as_str())
                .bind(r.lang.clone())
                .bind(i64::from(r.synthetic))
                .bind(r.answers.clone());
        }
        q.execute(tx.conn()).await?;
    }
    Ok(())
}
