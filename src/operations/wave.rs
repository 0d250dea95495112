//! The wave an operation works on, named as `district/year`: it must be published.

use crate::error::Error;
use crate::fieldwork::WaveRef;
use crate::store::{Store, Wave};

/// The published wave `w`, or why there is none.
pub async fn published(store: &Store, w: &WaveRef) -> Result<Wave, Error> {
    store.wave(&w.district, w.year).await?.ok_or_else(|| {
        Error::Invalid(format!(
            "{w} is not published; publish the questionnaire for it first"
        ))
    })
}
