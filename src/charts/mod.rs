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
pub mod text;
mod years;

pub use describe::{Described, Words, describe, describe_in};
pub use model::*;
pub use style::PALETTE;
pub use years::x_range;

use compare::draw_compare;
use style::DrawResult;
use years::draw_years;

/// Width and height of every chart, in pixels.
pub const SIZE: (u32, u32) = (800, 480);

/// The narrowest a chart is shown, in CSS px. plotters writes a font of size s as s / 1.24
/// px, so the smallest text (size 12) is 9.7 px in the 800 px drawing; shown at least
/// 1,000 px wide it is 12.1 CSS px or more on any screen (a test reads it from the SVG).
pub const MIN_DISPLAY_WIDTH: u32 = 1000;

/// The style rule that keeps a chart at least [`MIN_DISPLAY_WIDTH`] wide; a narrower screen
/// scrolls the chart's own box sideways instead of shrinking its text.
pub fn min_width_css() -> String {
    format!(".chart-scroll img, .chart-scroll svg {{ min-width: {MIN_DISPLAY_WIDTH}px; }}")
}

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
    // Every text is laid out to fit the width first (`text.rs`), so none is cut off.
    let lines = text::footer(notes, source, SIZE.0 as i32);
    let footer = lines.last().map_or(0, |l| l.y + l.size) + 8;
    let (body, foot) = root.split_vertically(SIZE.1 as i32 - footer);
    for l in &lines {
        let colour = if l.muted { RGBColor(80, 80, 80) } else { BLACK };
        let font = ("sans-serif", l.size).into_font().color(&colour);
        foot.draw(&Text::new(l.text.clone(), (l.x, l.y), font))?;
    }
    let (size, title_lines) = text::wrap(title, 20, SIZE.0 as i32 - 2 * text::MARGIN);
    let title_height = (size + 6) * title_lines.len() as i32 + 12;
    let (head, body) = body.split_vertically(title_height);
    for (i, l) in title_lines.iter().enumerate() {
        let font = ("sans-serif", size).into_font().color(&BLACK);
        let w = text::width(l, size);
        let x = (SIZE.0 as i32 - w) / 2;
        head.draw(&Text::new(l.clone(), (x, 10 + i as i32 * (size + 6)), font))?;
    }
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
                    significant: Some(y == 2022),
                    self_selected: false,
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
            x_title: "År".into(),
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
    fn long_titles_and_notes_are_drawn_in_lines_that_fit() {
        let Chart::Years(mut c) = sample() else {
            unreachable!()
        };
        c.title = "Andelen som tycker att dålig belysning på gator, gångvägar och i parker är ett ganska eller mycket stort problem – Skäggetorp".into();
        c.notes = vec!["Skillnad-i-skillnader: −16,8 procentenheter (95 % KI −24,1 till −9,5), p < 0,001, q = 0,003 – säkerställd. Jämförelse: Ryd, Berga och City.".into()];
        let chart = Chart::Years(c.clone());
        let svg = svg(&chart).unwrap();
        let room = SIZE.0 as i32 - 2 * text::MARGIN;
        let (size, title) = text::wrap(&c.title, 20, room);
        assert!(title.len() > 1);
        let lines = text::footer(&c.notes, &c.source, SIZE.0 as i32);
        for (line, size) in title
            .iter()
            .map(|t| (t, size))
            .chain(lines.iter().map(|l| (&l.text, l.size)))
        {
            assert!(text::width(line, size) <= room, "{line}");
            let escaped = line
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            assert!(svg.contains(&escaped), "drawn: {line}");
        }
        assert_eq!(png(&chart).unwrap(), png(&chart).unwrap());
    }

    #[test]
    fn shown_at_its_narrowest_no_text_is_under_12_css_px() {
        let svg = svg(&sample()).unwrap();
        let sizes: Vec<f64> = svg
            .split("font-size=\"")
            .skip(1)
            .map(|s| s.split('"').next().unwrap().parse().unwrap())
            .collect();
        assert!(sizes.len() > 5, "the sample has text");
        let smallest = sizes.iter().copied().fold(f64::MAX, f64::min);
        let scale = f64::from(MIN_DISPLAY_WIDTH) / f64::from(SIZE.0);
        assert!(smallest * scale >= 12.0, "{smallest} px × {scale}");
        assert!(min_width_css().contains(&format!("{MIN_DISPLAY_WIDTH}px")));
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
