//! The survey year's field work: the sample, letter codes, print files, reminders, paper
//! answers and response rates.
//!
//! trygg never holds a person id, a name or an address. The sampling frame and the print
//! files are read in memory only; what the database keeps per wave is N_h and n_h per
//! stratum and, per letter, a keyed hash of its code with its stratum and status
//! (`store::fieldwork`). A response row holds nothing of the code it was given with.

pub mod codes;
pub mod frame;
pub mod paper;
pub mod paper_fault;
pub mod print;
pub mod sample;

pub use codes::{Code, CodeKey, ResumeToken};
pub use sample::{DesignWeights, Strata, StratumCount};

/// Marks letters of a wave as undeliverable or declined. Refuses the whole list when any
/// code is not a letter of the wave (returning those codes); otherwise returns each code
/// with the status it had (answered codes are never changed).
pub async fn mark_letters(
    store: &crate::store::Store,
    key: &CodeKey,
    wave_id: i64,
    codes: &[Code],
    status: crate::store::CodeStatus,
) -> Result<Result<Vec<Option<crate::store::CodeState>>, Vec<Code>>, crate::error::Error> {
    let hashes: Vec<Vec<u8>> = codes.iter().map(|c| key.hash(c)).collect();
    let before = store.code_statuses(wave_id, &hashes).await?;
    let unknown: Vec<Code> = codes
        .iter()
        .zip(&before)
        .filter(|(_, s)| s.is_none())
        .map(|(c, _)| c.clone())
        .collect();
    if !unknown.is_empty() {
        return Ok(Err(unknown));
    }
    Ok(Ok(store.mark_codes(wave_id, &hashes, status).await?))
}

/// A wave named on the command line as `district/year`, e.g. `ryd/2026`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaveRef {
    pub district: String,
    pub year: i32,
}

impl WaveRef {
    pub fn parse(s: &str) -> Result<WaveRef, String> {
        let (d, y) = s
            .split_once('/')
            .ok_or_else(|| format!("--wave \"{s}\" is not district/year, like ryd/2026"))?;
        let year: i32 = y
            .parse()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .ok_or_else(|| format!("--wave \"{s}\": \"{y}\" is not a survey year (2000-2100)"))?;
        if d.is_empty() {
            return Err(format!("--wave \"{s}\" names no district"));
        }
        Ok(WaveRef {
            district: d.to_string(),
            year,
        })
    }
}

impl std::fmt::Display for WaveRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.district, self.year)
    }
}
