//! The analysis engine: stored responses in, one tidy results table out.
//!
//! The pipeline, each step in its own module, every formula from METHODOLOGY.md:
//! 1. [`load`] streams the chosen waves into one polars frame (one column per question);
//! 2. [`weights`] rakes each district × year to its [`population`] margins;
//! 3. [`aggregate`] computes sufficient sums per domain in one lazy polars pass per grouping;
//! 4. [`results`] turns sums into estimates, intervals, index levels, year-over-year changes
//!    and q-values, suppressing small groups as it goes, and [`suppression`] hides what
//!    published totals less published parts would give back (METHODOLOGY §5b);
//! 5. [`measures`] evaluates registered measures (difference-in-differences);
//! 6. [`output`] writes the tables as CSV or Parquet.
//!
//! Loading is async (it reads the store); everything after it is CPU work that [`analyze`]
//! runs on a blocking thread, so the server's runtime is never held up.

pub mod aggregate;
pub mod columnar;
pub mod current;
pub mod load;
pub mod measures;
pub mod model;
pub mod options;
pub mod output;
pub mod policy;
pub mod population;
pub mod results;
pub mod stats;
pub mod suppression;
pub mod variable;
pub mod weighting;
pub mod weights;

mod run;

pub use current::Current;
pub use measures::{Measure, MeasureRow};
pub use model::{
    ChartName, Domain, Group, IndexClass, IndexName, IndicatorKey, ResultRow, Suppression,
};
pub use options::Options;
pub use output::check_output_path;
pub use run::{Analysis, Inputs, Timings, analyze, compute, parse_years};
pub use variable::{Kind, Variable, variables};
pub use weighting::Weighting;
