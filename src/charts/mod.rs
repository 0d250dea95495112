//! Charts with plotters: year-over-year series, district comparisons, index levels and
//! measures, drawn by one function per chart type into SVG (pages) or PNG (documents).
//!
//! A chart is first described as data ([`YearChart`], [`CompareChart`]) built from the
//! results table by the report; drawing never computes a number of its own. Text is
//! measured with an embedded DejaVu Sans (ab_glyph), so no system font lookup happens and
//! å, ä, ö render the same in SVG and PNG. Colours are the Okabe–Ito palette, which
//! colour-blind readers can tell apart; every series also has its own marker shape and line
//! style, so a chart still reads in grey print.
//!
//! `model.rs` holds the chart data, `years.rs` and `compare.rs` draw each type, `style.rs`
//! what they share, `describe.rs` says each chart in words and as a table (its text
//! alternative).

use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::error::Error;

mod compare;
mod describe;
mod model;
mod style;
mod years;

pub use describe::{Described, describe};
pub use model::*;
pub use style::PALETTE;
pub use years::x_range;

use compare::draw_compare;
use style::DrawResult;
use years::draw_years;

/// Width and height of every chart, in pixels.
pub const SIZE: (u32, u32) = (800, 480);

const FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        for style in [FontStyle::Normal, FontStyle::Bold] {
            plotters::style::register_font("sans-serif", style, FONT)
                .unwrap_or_else(|_| panic!("the embedded DejaVu Sans is a valid font"));
        }
    });
}

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
