//! What the API answers with: estimates, measures' effects, waves, response rates, and a
//! page of them. The OpenAPI document is generated from these types.

use utoipa::ToSchema;

/// One estimate: a share, a scale mean or an index level of one group in one district (or
/// `ALL`, the municipality) in one year. A suppressed row carries no value.
#[derive(serde::Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResultItem {
    pub(super) year: i32,
    pub(super) district: String,
    /// `all`, `sex:<code>` or `age:<code>`.
    pub(super) group: String,
    /// A question code, or `index:<block>` / `index:total`.
    pub(super) indicator: String,
    /// `share`, `mean` or `index`.
    pub(super) kind: String,
    pub(super) n: Option<f64>,
    pub(super) n_eff: Option<f64>,
    pub(super) estimate: Option<f64>,
    pub(super) se: Option<f64>,
    pub(super) ci_low: Option<f64>,
    pub(super) ci_high: Option<f64>,
    pub(super) level: Option<u8>,
    pub(super) class: Option<String>,
    pub(super) suppressed: bool,
    /// Why a suppressed row is hidden: `too_few_answers`, or `protects_other` (hidden so
    /// that another hidden cell cannot be derived by subtraction).
    pub(super) suppression: Option<String>,
    pub(super) uncertain: bool,
    /// The answers came through an open link: self-selected, not a random sample. Such a
    /// row's changes carry no q-value or significance.
    pub(super) self_selected: bool,
    pub(super) change_from_previous: Option<f64>,
    pub(super) q_previous: Option<f64>,
    pub(super) significant_previous: Option<bool>,
}

/// One measure's difference-in-differences on one indicator.
#[derive(serde::Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeasureEffect {
    pub(super) measure: String,
    pub(super) district: String,
    pub(super) indicator: String,
    /// A target indicator of the measure (else exploratory).
    pub(super) target: bool,
    pub(super) before_year: i32,
    pub(super) after_year: i32,
    /// The comparison districts, joined with `+`.
    pub(super) comparison: String,
    pub(super) did: Option<f64>,
    pub(super) ci_low: Option<f64>,
    pub(super) ci_high: Option<f64>,
    pub(super) p: Option<f64>,
    pub(super) q: Option<f64>,
    pub(super) significant: Option<bool>,
    pub(super) suppressed: bool,
    /// A wave of the design came through an open link: no interval, p, q or significance.
    pub(super) self_selected: bool,
}

/// A published wave.
#[derive(serde::Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WaveItem {
    pub(super) district: String,
    pub(super) year: i32,
    pub(super) opens_on: String,
    pub(super) closes_on: String,
    /// `not_open`, `open` or `closed`.
    pub(super) status: String,
    /// Letters to a random sample (else an open link).
    pub(super) random_sample: bool,
}

/// Letters and answers of one sampling stratum.
#[derive(serde::Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponseRate {
    pub(super) district: String,
    pub(super) year: i32,
    pub(super) stratum: String,
    pub(super) letters: i64,
    pub(super) undeliverable: i64,
    pub(super) declined: i64,
    /// Answers on the web; `null` when 1–4 (counts that small are never published).
    pub(super) web: Option<i64>,
    /// Answers on paper; `null` when 1–4.
    pub(super) paper: Option<i64>,
    /// Answers over delivered letters; `null` when it would give a hidden count away.
    pub(super) rate: Option<f64>,
}

/// One page of items.
#[derive(serde::Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Page<T> {
    pub(super) items: Vec<T>,
    pub(super) page: usize,
    pub(super) per_page: usize,
    /// Items on all pages.
    pub(super) total: usize,
}

/// Accepted EST reports of one category in one district and ISO week.
#[derive(serde::Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EstWeekItem {
    /// The ISO week, `2026-W05`.
    pub(super) week: String,
    pub(super) district: String,
    /// A category code (`klotter`, `glaskross`, …).
    pub(super) category: String,
    pub(super) count: i64,
}
