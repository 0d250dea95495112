//! Closing a wave early: its last day becomes yesterday and its letter codes are deleted.

use chrono::NaiveDate;

use crate::error::Error;
use crate::store::Store;

/// Closes the wave `wave_id` so that its last day was the day before `today` (never before
/// its first day), deleting its letter codes in the same transaction and logging both under
/// `actor`. A wave that does not exist is [`Error::NotFound`].
pub async fn close(
    store: &Store,
    wave_id: i64,
    today: NaiveDate,
    actor: &str,
) -> Result<(), Error> {
    let yesterday = today - chrono::Duration::days(1);
    store.close_wave(wave_id, yesterday, actor).await
}
