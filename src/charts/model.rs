//! Charts as data: series of points by year, bars of a comparison, axes, bands, periods
//! and markers — everything a chart shows, built by the report, never computed here.

/// One point of a series: a year's estimate and interval; `None` when suppressed.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub year: i32,
    /// Where it is drawn, in fractional years: the middle of the year's fieldwork, so a
    /// measure's start line (a date on the same axis) falls before or after it as the
    /// analysis classed the wave.
    pub at: f64,
    pub value: Option<f64>,
    pub ci: Option<(f64, f64)>,
    /// Whether the change from the previous surveyed year is significant (q < 0.05);
    /// `None` when it was not tested (no earlier year, or a self-selected one).
    pub significant: Option<bool>,
    /// The year's answers came through an open link: self-selected, never tested.
    pub self_selected: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub label: String,
    pub points: Vec<Point>,
}

/// A vertical marker, e.g. the start of a measure (x in fractional years).
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    pub x: f64,
    pub label: String,
}

/// A shaded stretch of time, e.g. the period after a measure started (x in fractional years;
/// `to` beyond the axis is drawn to its end).
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub from: f64,
    pub to: f64,
    pub label: String,
    /// Shaded grey; otherwise only labelled.
    pub shaded: bool,
}

/// A horizontal band, e.g. the index classes.
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    pub from: f64,
    pub to: f64,
    pub label: String,
}

/// The y axis: its title and range; `percent` shows 0..1 values as 0–100 %.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    pub title: String,
    pub min: f64,
    pub max: f64,
    pub percent: bool,
}

/// Series over the survey years: the year-over-year, index and measure charts.
#[derive(Debug, Clone, PartialEq)]
pub struct YearChart {
    pub title: String,
    pub axis: Axis,
    /// The x axis' title ("År").
    pub x_title: String,
    pub years: (i32, i32),
    pub series: Vec<Series>,
    pub bands: Vec<Band>,
    /// Stretches of time shaded behind the series, e.g. "after the measure".
    pub spans: Vec<Span>,
    pub markers: Vec<Marker>,
    /// Lines under the chart: suppressed years, the DiD caption, …
    pub notes: Vec<String>,
    /// "trygg, trygghetsundersökning 2019–2026, n = …"
    pub source: String,
}

/// One bar of a comparison: label, value (`None`: suppressed) and interval.
pub type Bar = (String, Option<f64>, Option<(f64, f64)>);

/// One value per district for one year, sorted, with a reference line.
#[derive(Debug, Clone, PartialEq)]
pub struct CompareChart {
    pub title: String,
    pub axis: Axis,
    /// (label, value, interval); a `None` value is suppressed.
    pub items: Vec<Bar>,
    pub reference: Option<(String, f64)>,
    pub notes: Vec<String>,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Chart {
    Years(YearChart),
    Compare(CompareChart),
}
