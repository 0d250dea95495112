//! The values raking works with: a population margin, a respondent's categories, the
//! raked weights and why raking failed.

use std::fmt;

/// One raking dimension: its name, category names and population counts.
#[derive(Debug, Clone, PartialEq)]
pub struct Margin {
    pub dimension: String,
    pub categories: Vec<String>,
    pub counts: Vec<f64>,
}

/// Why raking failed, naming the margin.
#[derive(Debug, Clone, PartialEq)]
pub struct RakeError {
    pub dimension: String,
    pub category: String,
    pub reason: String,
}

impl fmt::Display for RakeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "margin {}={}: {}",
            self.dimension, self.category, self.reason
        )
    }
}

/// Raked weights and how the raking went.
#[derive(Debug, Clone, PartialEq)]
pub struct Raked {
    pub weights: Vec<f64>,
    /// The largest weight over the mean weight after the last trimming round.
    pub max_ratio: f64,
    /// Whether trimming brought every weight down to [`TRIM_FACTOR`](super::TRIM_FACTOR) × the mean within
    /// [`MAX_TRIM_ROUNDS`](super::MAX_TRIM_ROUNDS) (raking after trimming can push weights above the cap again).
    pub trim_converged: bool,
    /// Age groups merged because they had no respondents, e.g. `65-84 → 45-64+65-84`.
    pub collapsed: Vec<String>,
}

/// The name of the age dimension, whose empty categories may be collapsed.
pub const AGE_DIMENSION: &str = "age_group";

/// One respondent's category in each raking dimension (`None` = did not answer): a
/// `Vec` in general, a fixed array where the dimensions are known (the analysis's sex and
/// age, so a million respondents are not a million small allocations).
pub trait Categories: AsRef<[Option<usize>]> + AsMut<[Option<usize>]> + Clone + Sync {}

impl<T: AsRef<[Option<usize>]> + AsMut<[Option<usize>]> + Clone + Sync> Categories for T {}
