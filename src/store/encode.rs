//! How values are written into columns the same way on both backends: days as
//! `YYYY-MM-DD` text, hashes as lower-case hex.

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use crate::error::Error;

pub(super) const DATE: &str = "%Y-%m-%d";

pub(super) fn date(s: &str) -> Result<NaiveDate, Error> {
    NaiveDate::parse_from_str(s, DATE)
        .map_err(|_| Error::Internal(format!("stored date \"{s}\" is not YYYY-MM-DD")))
}

pub(super) fn sha256_hex(s: &str) -> String {
    hex(&Sha256::digest(s.as_bytes()))
}

/// Bytes in lower-case hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
