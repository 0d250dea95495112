//! The settings of one analysis run, with the policy defaults.

use std::ops::RangeInclusive;

use super::policy;

/// Settings of one analysis run.
#[derive(Debug, Clone)]
pub struct Options {
    pub years: RangeInclusive<i32>,
    /// Year every estimate is also compared with (default: the first year).
    pub base_year: Option<i32>,
    /// Suppress estimates with fewer valid answers than this (METHODOLOGY §5).
    pub min_n: f64,
    /// Suppress estimates with a smaller Kish effective sample size than this.
    pub min_n_eff: f64,
    /// Flag shares whose interval is wider than this as uncertain.
    pub uncertain_width: f64,
    /// Read closed waves from (and freeze them into) columnar files beside the database;
    /// `false` reads every answer from the database.
    pub columnar: bool,
}

impl Options {
    pub fn new(years: RangeInclusive<i32>) -> Self {
        Options {
            base_year: Some(*years.start()),
            years,
            min_n: policy::MIN_N,
            min_n_eff: policy::MIN_N_EFF,
            uncertain_width: policy::UNCERTAIN_WIDTH,
            columnar: true,
        }
    }
}
