//! Publishing a questionnaire as a district's wave of a year, logged when it is new.

use chrono::NaiveDate;

use crate::error::Error;
use crate::store::{NewWave, Published, Store};

/// One year's waves to publish: a questionnaire (its code and source, already parsed
/// without faults) and the days answers are accepted.
#[derive(Debug, Clone, Copy)]
pub struct Publication<'a> {
    pub questionnaire_code: &'a str,
    pub source: &'a str,
    pub year: i32,
    pub opens: NaiveDate,
    pub closes: NaiveDate,
}

/// Publishes the wave of `district` (a known district code), logging "wave published"
/// under `actor` when it is new. The same file and dates again change nothing
/// ([`Published::Unchanged`], not logged); another questionnaire or other dates for a
/// published wave are refused with [`Error::Conflict`], nothing stored.
pub async fn publish_wave(
    store: &Store,
    p: &Publication<'_>,
    district: &str,
    actor: &str,
) -> Result<Published, Error> {
    let outcome = store
        .publish(&NewWave {
            district,
            year: p.year,
            questionnaire_code: p.questionnaire_code,
            source: p.source,
            opens_on: p.opens,
            closes_on: p.closes,
        })
        .await?;
    if outcome == Published::Created {
        store
            .audit(
                actor,
                "wave published",
                &format!(
                    "{district} {} ({}, {} to {})",
                    p.year, p.questionnaire_code, p.opens, p.closes
                ),
            )
            .await?;
    }
    Ok(outcome)
}
