//! The count of a sampling stratum: what storage keeps of a drawn sample and what design
//! weights and response rates are computed from, so storage, field work and analysis share it.

/// One stratum of a drawn sample: its population N_h and the letters sent n_h.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StratumCount {
    pub stratum: String,
    pub population: u64,
    pub letters: u64,
}
