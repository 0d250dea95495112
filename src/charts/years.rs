//! The year chart: series over a time axis with intervals, bands, periods and markers.

use std::ops::Range;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::model::{Series, YearChart};
use super::style::{DrawResult, PALETTE, Plot, legend, shape, y_format};

/// The x axis of a year chart: from the first new year before any point to the new year
/// after the last, so ticks fall on year boundaries and every point and marker fits.
pub fn x_range(c: &YearChart) -> Range<f64> {
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

/// Draws a year chart into its area.
pub(super) fn draw_years<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    c: &YearChart,
) -> DrawResult
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
    draw_bands(&mut chart, c, &x_range)?;
    draw_spans(&mut chart, c, &x_range)?;
    draw_markers(&mut chart, c)?;
    for (i, s) in c.series.iter().enumerate() {
        draw_year_series(&mut chart, c, i, s)?;
    }
    if !c.series.is_empty() {
        legend(&mut chart)?;
    }
    Ok(())
}

/// Bands behind everything, in greys that print, with their names.
fn draw_bands<'a, DB: DrawingBackend + 'a>(
    chart: &mut Plot<'a, DB>,
    c: &YearChart,
    x_range: &Range<f64>,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
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
    Ok(())
}

/// Periods along the x axis with their names, shaded where asked.
fn draw_spans<'a, DB: DrawingBackend + 'a>(
    chart: &mut Plot<'a, DB>,
    c: &YearChart,
    x_range: &Range<f64>,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
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
    Ok(())
}

/// Dashed vertical lines at the markers, labelled at the top.
fn draw_markers<'a, DB: DrawingBackend + 'a>(chart: &mut Plot<'a, DB>, c: &YearChart) -> DrawResult
where
    DB::ErrorType: 'static,
{
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
    Ok(())
}

/// Series `i` of a year chart: its line (solid or dashed, broken at suppressed years, in
/// the legend once), then its points with their intervals.
fn draw_year_series<'a, DB: DrawingBackend + 'a>(
    chart: &mut Plot<'a, DB>,
    c: &YearChart,
    i: usize,
    s: &Series,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
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
        let drawn = if i.is_multiple_of(2) {
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
        shape(
            chart.plotting_area(),
            i,
            (x, v),
            p.significant == Some(true),
        )?;
    }
    Ok(())
}
