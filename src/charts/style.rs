//! What every chart shares: the palette, marker shapes, axis labels and the legend box.

use plotters::prelude::*;

use super::model::Axis;

/// What drawing gives back: plotters' errors of any backend.
pub(super) type DrawResult = Result<(), Box<dyn std::error::Error>>;

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

/// How a value is written on the y axis: whole percent, or one decimal.
pub(super) fn y_format(axis: &Axis) -> impl Fn(&f64) -> String + '_ {
    move |v: &f64| {
        if axis.percent {
            format!("{:.0} %", v * 100.0)
        } else {
            format!("{v:.1}")
        }
    }
}

/// Draws marker `i`'s shape (circle, triangle, square, cross, …) at a point.
pub(super) fn shape<DB: DrawingBackend>(
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

/// A chart's drawing context on plain number axes.
pub(super) type Plot<'a, DB> = ChartContext<
    'a,
    DB,
    plotters::coord::cartesian::Cartesian2d<
        plotters::coord::types::RangedCoordf64,
        plotters::coord::types::RangedCoordf64,
    >,
>;

/// The legend box, the same on every chart.
pub(super) fn legend<'a, DB: DrawingBackend + 'a>(chart: &mut Plot<'a, DB>) -> DrawResult
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
