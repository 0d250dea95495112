//! Charts with plotters: year-over-year series, district comparisons, index levels and
//! measures, drawn by one function per chart type into SVG (pages) or PNG (documents).
//!
//! A chart is first described as data ([`YearChart`], [`CompareChart`]) built from the
//! results table by the report; drawing never computes a number of its own. Text is
//! measured with an embedded DejaVu Sans (ab_glyph), so no system font lookup happens and
//! å, ä, ö render the same in SVG and PNG. Colours are the Okabe–Ito palette, which
//! colour-blind readers can tell apart; every series also has its own marker shape and line
//! style, so a chart still reads in grey print.

use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::error::Error;

/// Width and height of every chart, in pixels.
pub const SIZE: (u32, u32) = (800, 480);

const FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// Okabe–Ito: blue, vermillion, bluish green, orange, reddish purple, sky blue, black.
pub const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(230, 159, 0),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(0, 0, 0),
];

fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        for style in [FontStyle::Normal, FontStyle::Bold] {
            plotters::style::register_font("sans-serif", style, FONT)
                .unwrap_or_else(|_| panic!("the embedded DejaVu Sans is a valid font"));
        }
    });
}

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
    /// The change from the previous surveyed year is significant (q < 0.05).
    pub significant: bool,
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

type DrawResult = Result<(), Box<dyn std::error::Error>>;

fn draw_error(e: impl std::fmt::Display) -> Error {
    Error::Internal(format!("drawing a chart: {e}"))
}

/// The chart as an SVG document.
pub fn svg(chart: &Chart) -> Result<String, Error> {
    register_font();
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, SIZE).into_drawing_area();
        draw(&root, chart).map_err(draw_error)?;
        root.present().map_err(draw_error)?;
    }
    Ok(out)
}

/// The chart as a PNG image.
pub fn png(chart: &Chart) -> Result<Vec<u8>, Error> {
    register_font();
    let (w, h) = SIZE;
    let mut rgb = vec![0u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, SIZE).into_drawing_area();
        draw(&root, chart).map_err(draw_error)?;
        root.present().map_err(draw_error)?;
    }
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, w, h);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    // Charts are flat colours and thin lines: per-row adaptive filtering shrinks them a lot.
    enc.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
    enc.set_compression(png::Compression::Default);
    let mut writer = enc.write_header().map_err(draw_error)?;
    writer.write_image_data(&rgb).map_err(draw_error)?;
    writer.finish().map_err(draw_error)?;
    Ok(out)
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, chart: &Chart) -> DrawResult
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    let (notes, source, title) = match chart {
        Chart::Years(c) => (&c.notes, &c.source, &c.title),
        Chart::Compare(c) => (&c.notes, &c.source, &c.title),
    };
    let footer = 22 * (notes.len() as i32 + 1) + 8;
    let (body, foot) = root.split_vertically(SIZE.1 as i32 - footer);
    let text = |size: i32| ("sans-serif", size).into_font().color(&BLACK);
    for (i, note) in notes.iter().enumerate() {
        foot.draw(&Text::new(note.clone(), (12, 4 + 22 * i as i32), text(14)))?;
    }
    foot.draw(&Text::new(
        source.clone(),
        (12, 4 + 22 * notes.len() as i32),
        ("sans-serif", 12).into_font().color(&RGBColor(80, 80, 80)),
    ))?;
    let body = body.titled(title, ("sans-serif", 20).into_font().color(&BLACK))?;
    match chart {
        Chart::Years(c) => draw_years(&body, c),
        Chart::Compare(c) => draw_compare(&body, c),
    }
}

fn y_format(axis: &Axis) -> impl Fn(&f64) -> String + '_ {
    move |v: &f64| {
        if axis.percent {
            format!("{:.0} %", v * 100.0)
        } else {
            format!("{v:.1}")
        }
    }
}

/// Draws marker `i`'s shape (circle, triangle, square, cross, …) at a point.
fn shape<DB: DrawingBackend>(
    area: &DrawingArea<
        DB,
        plotters::coord::cartesian::Cartesian2d<
            plotters::coord::types::RangedCoordf64,
            plotters::coord::types::RangedCoordf64,
        >,
    >,
    i: usize,
    at: (f64, f64),
    filled: bool,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let color = PALETTE[i % PALETTE.len()];
    let style = if filled {
        color.filled()
    } else {
        ShapeStyle::from(&WHITE).filled()
    };
    let outline = color.stroke_width(2);
    match i % 4 {
        0 => {
            area.draw(&Circle::new(at, 6, style))?;
            area.draw(&Circle::new(at, 6, outline))?;
        }
        1 => {
            area.draw(&TriangleMarker::new(at, 7, style))?;
            area.draw(&TriangleMarker::new(at, 7, outline))?;
        }
        2 => {
            let r = EmptyElement::at(at) + Rectangle::new([(-5, -5), (5, 5)], style);
            area.draw(&r)?;
            area.draw(&(EmptyElement::at(at) + Rectangle::new([(-5, -5), (5, 5)], outline)))?;
        }
        _ => {
            area.draw(&Cross::new(at, 6, color.stroke_width(3)))?;
        }
    }
    Ok(())
}

type Plot<'a, DB> = ChartContext<
    'a,
    DB,
    plotters::coord::cartesian::Cartesian2d<
        plotters::coord::types::RangedCoordf64,
        plotters::coord::types::RangedCoordf64,
    >,
>;

/// The legend box, the same on every chart.
fn legend<'a, DB: DrawingBackend + 'a>(chart: &mut Plot<'a, DB>) -> DrawResult
where
    DB::ErrorType: 'static,
{
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.9))
        .border_style(RGBColor(150, 150, 150))
        .label_font(("sans-serif", 13))
        .draw()?;
    Ok(())
}

/// The x axis of a year chart: from the first new year before any point to the new year
/// after the last, so ticks fall on year boundaries and every point and marker fits.
pub fn x_range(c: &YearChart) -> std::ops::Range<f64> {
    let (first, last) = c.years;
    let xs = c
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.at))
        .chain(c.markers.iter().map(|m| m.x));
    let (lo, hi) = xs.fold((f64::from(first), f64::from(last) + 1.0), |(lo, hi), x| {
        (lo.min(x.floor()), hi.max(x.floor() + 1.0))
    });
    lo..hi
}

fn draw_years<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, c: &YearChart) -> DrawResult
where
    DB::ErrorType: 'static,
{
    // A time axis: ticks at each new year, points where their fieldwork was.
    let x_range = x_range(c);
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(64)
        .build_cartesian_2d(x_range.clone(), c.axis.min..c.axis.max)?;
    chart
        .configure_mesh()
        .x_labels((x_range.end - x_range.start).round() as usize + 1)
        .x_label_formatter(&|x| format!("{}", x.round() as i32))
        .y_label_formatter(&y_format(&c.axis))
        .y_desc(c.axis.title.clone())
        .x_desc("År")
        .light_line_style(RGBColor(235, 235, 235))
        .label_style(("sans-serif", 13))
        .axis_desc_style(("sans-serif", 14))
        .draw()?;
    // Bands behind everything, in greys that print, with their names.
    let greys = [
        RGBColor(245, 245, 245),
        RGBColor(225, 225, 225),
        RGBColor(200, 200, 200),
    ];
    for (i, b) in c.bands.iter().enumerate() {
        chart.draw_series(std::iter::once(Rectangle::new(
            [(x_range.start, b.from), (x_range.end, b.to)],
            greys[i % greys.len()].filled(),
        )))?;
        chart.draw_series(std::iter::once(Text::new(
            b.label.clone(),
            (
                x_range.start + 0.05,
                b.to - (c.axis.max - c.axis.min) * 0.01,
            ),
            ("sans-serif", 12).into_font().color(&RGBColor(60, 60, 60)),
        )))?;
    }
    for s in &c.spans {
        let (from, to) = (s.from.max(x_range.start), s.to.min(x_range.end));
        if from >= to {
            continue;
        }
        if s.shaded {
            chart.draw_series(std::iter::once(Rectangle::new(
                [(from, c.axis.min), (to, c.axis.max)],
                RGBColor(238, 238, 238).filled(),
            )))?;
        }
        chart.draw_series(std::iter::once(Text::new(
            s.label.clone(),
            (from + 0.04, c.axis.min + (c.axis.max - c.axis.min) * 0.04),
            ("sans-serif", 12).into_font().color(&RGBColor(60, 60, 60)),
        )))?;
    }
    for m in &c.markers {
        chart.draw_series(DashedLineSeries::new(
            [(m.x, c.axis.min), (m.x, c.axis.max)],
            6,
            4,
            BLACK.stroke_width(1),
        ))?;
        chart.draw_series(std::iter::once(Text::new(
            m.label.clone(),
            (m.x + 0.04, c.axis.max - (c.axis.max - c.axis.min) * 0.02),
            ("sans-serif", 12).into_font().color(&BLACK),
        )))?;
    }
    for (i, s) in c.series.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        let line = color.stroke_width(2);
        // Lines join consecutive published years only: a suppressed year is a gap.
        let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
        for p in &s.points {
            match p.value {
                Some(v) => runs.last_mut().expect("a run").push((p.at, v)),
                None => runs.push(Vec::new()),
            }
        }
        let mut labelled = false;
        for run in runs.into_iter().filter(|r| !r.is_empty()) {
            let drawn = if i % 2 == 0 {
                chart.draw_series(LineSeries::new(run, line))?
            } else {
                chart.draw_series(DashedLineSeries::new(run, 8, 5, line))?
            };
            if !labelled {
                drawn.label(s.label.clone()).legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 24, y)], color.stroke_width(2))
                });
                labelled = true;
            }
        }
        for p in &s.points {
            let Some(v) = p.value else {
                continue;
            };
            // Series side by side by a hair, so overlapping intervals stay readable.
            let x = p.at + (i as f64 - (c.series.len() as f64 - 1.0) / 2.0) * 0.06;
            if let Some((lo, hi)) = p.ci {
                chart.draw_series(std::iter::once(ErrorBar::new_vertical(
                    x,
                    lo,
                    v,
                    hi,
                    color.stroke_width(1),
                    8,
                )))?;
            }
            shape(chart.plotting_area(), i, (x, v), p.significant)?;
        }
    }
    if !c.series.is_empty() {
        legend(&mut chart)?;
    }
    Ok(())
}

fn draw_compare<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, c: &CompareChart) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let n = c.items.len().max(1);
    let labels: Vec<String> = c.items.iter().map(|(l, _, _)| l.clone()).collect();
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(64)
        .build_cartesian_2d(-0.5..(n as f64 - 0.5), c.axis.min..c.axis.max)?;
    chart
        .configure_mesh()
        .x_labels(n)
        .x_label_formatter(&|x| {
            let i = x.round();
            if (x - i).abs() < 1e-6 && i >= 0.0 {
                labels.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .disable_x_mesh()
        .y_label_formatter(&y_format(&c.axis))
        .y_desc(c.axis.title.clone())
        .light_line_style(RGBColor(235, 235, 235))
        .label_style(("sans-serif", 13))
        .axis_desc_style(("sans-serif", 14))
        .draw()?;
    if let Some((label, value)) = &c.reference {
        chart
            .draw_series(DashedLineSeries::new(
                [(-0.5, *value), (n as f64 - 0.5, *value)],
                8,
                5,
                BLACK.stroke_width(2),
            ))?
            .label(label.clone())
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], BLACK.stroke_width(2)));
    }
    for (i, (_, value, ci)) in c.items.iter().enumerate() {
        let x = i as f64;
        let Some(v) = value else {
            chart.draw_series(std::iter::once(Text::new(
                "dold",
                (x - 0.2, c.axis.min + (c.axis.max - c.axis.min) * 0.03),
                ("sans-serif", 12).into_font().color(&BLACK),
            )))?;
            continue;
        };
        chart.draw_series(std::iter::once(Rectangle::new(
            [(x - 0.3, c.axis.min), (x + 0.3, *v)],
            PALETTE[0].mix(0.35).filled(),
        )))?;
        if let Some((lo, hi)) = ci {
            chart.draw_series(std::iter::once(ErrorBar::new_vertical(
                x,
                *lo,
                *v,
                *hi,
                BLACK.stroke_width(2),
                12,
            )))?;
        }
    }
    if c.reference.is_some() {
        legend(&mut chart)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Chart {
        let points = |base: f64| {
            (2019..=2024)
                .map(|y| Point {
                    year: y,
                    at: f64::from(y) + 0.75,
                    value: (y != 2021).then_some(base + f64::from(y - 2019) * 0.01),
                    ci: (y != 2021).then_some((base - 0.05, base + 0.05)),
                    significant: y == 2022,
                })
                .collect()
        };
        Chart::Years(YearChart {
            title: "Dålig belysning – Skäggetorp".into(),
            axis: Axis {
                title: "Andel (%)".into(),
                min: 0.0,
                max: 0.6,
                percent: true,
            },
            years: (2019, 2024),
            series: vec![
                Series {
                    label: "Skäggetorp".into(),
                    points: points(0.3),
                },
                Series {
                    label: "Linköping, alla områden".into(),
                    points: points(0.2),
                },
            ],
            bands: vec![],
            spans: vec![],
            markers: vec![Marker {
                x: 2021.2,
                label: "Belysning <ny>".into(),
            }],
            notes: vec!["2021: för få svar".into()],
            source: "trygg, trygghetsundersökning 2019–2024, n = 2 400".into(),
        })
    }

    #[test]
    fn svg_has_the_swedish_text_escaped_and_a_gap_for_the_suppressed_year() {
        let svg = svg(&sample()).unwrap();
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("Dålig belysning – Skäggetorp"));
        assert!(svg.contains("Belysning &lt;ny&gt;"));
        assert!(svg.contains("2021: för få svar"));
        assert!(svg.contains("n = 2 400"));
        // Series 0 has round markers (fill + outline) at its 5 published years only.
        assert_eq!(svg.matches(r#"r="6""#).count(), 5 * 2);
        // The significant 2022 change has a filled marker; the others are hollow.
        assert_eq!(
            svg.matches(r##"r="6" opacity="1" fill="#0072B2""##).count(),
            1
        );
    }

    #[test]
    fn png_is_an_image_of_the_right_size() {
        let png = png(&sample()).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let w = u32::from_be_bytes(png[16..20].try_into().unwrap());
        let h = u32::from_be_bytes(png[20..24].try_into().unwrap());
        assert_eq!((w, h), SIZE);
    }

    #[test]
    fn the_same_chart_renders_to_the_same_bytes() {
        assert_eq!(svg(&sample()).unwrap(), svg(&sample()).unwrap());
        assert_eq!(png(&sample()).unwrap(), png(&sample()).unwrap());
    }
}
