//! Every policy number of the analysis, defined once. The code uses these constants and the
//! report's method page is formatted from them, so the prose cannot drift from what runs.

/// A change or effect is called significant when its Benjamini–Hochberg q-value is below this.
pub const SIGNIFICANCE: f64 = 0.05;
/// Estimates with fewer valid answers are suppressed (default of `--min-n`).
pub const MIN_N: f64 = 30.0;
/// Estimates with a smaller Kish effective sample size are suppressed (`--min-n-eff`).
pub const MIN_N_EFF: f64 = 30.0;
/// Counts below this are never published, whatever the configured thresholds: a share of
/// 1–4 answers would give the count away.
pub const SMALLEST_PUBLISHED_N: f64 = 5.0;
/// A hidden cell must keep a feasible interval at least this wide given everything published
/// (METHODOLOGY §5b): 10 percentage points for a share (narrower only for a rare indicator,
/// twice the municipality's share), 10 % of the scale for a mean.
pub const PROTECTION_WIDTH: f64 = 0.10;
/// A share whose 95 % interval is wider than this is flagged as uncertain.
pub const UNCERTAIN_WIDTH: f64 = 0.30;
/// Weights above this multiple of the mean weight are trimmed.
pub const TRIM_FACTOR: f64 = 5.0;
/// Trim-and-rake rounds at most.
pub const MAX_TRIM_ROUNDS: usize = 10;
/// Index values up to this are "low".
pub const INDEX_LOW_MAX: f64 = 2.0;
/// Index values up to this (above [`INDEX_LOW_MAX`]) are "raised"; above it "high".
pub const INDEX_RAISED_MAX: f64 = 3.6;
/// Key indicators on a district's page for the steering group (`report::district`): the
/// index blocks and the total index first, then the target indicators of the district's own
/// measures, then those of the other measures, up to this many — so the page prints on two
/// A4 pages.
pub const DISTRICT_KEY_INDICATORS: usize = 8;
/// The overview flags a sampled wave that closes within this many days while its response
/// rate so far is below [`FIELDWORK_ALERT_RATE`]: time to send the reminders.
pub const FIELDWORK_ALERT_DAYS: i64 = 14;
/// See [`FIELDWORK_ALERT_DAYS`].
pub const FIELDWORK_ALERT_RATE: f64 = 0.35;
/// Survey years trygg accepts.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// A number as Swedish prose writes it: decimal comma, no trailing zeros.
pub fn sv(x: f64) -> String {
    let s = format!("{x}");
    s.replace('.', ",")
}
