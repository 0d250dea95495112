//! The year chart: series over a time axis with intervals, bands, periods and markers.

use std::ops::Range;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

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
    // The right margin keeps the last year's points and interval bars clear of the edge.
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .margin_right(24)
        .x_label_area_size(40)
        .y_label_area_size(64)
        .build_cartesian_2d(x_range.clone(), c.axis.min..c.axis.max)?;
    // A long axis (the EST picture's 52 weeks) is labelled at every n-th tick only, so
    // its labels never overlap; a chart of survey years labels every year.
    let span = (x_range.end - x_range.start).round() as i32;
    let every = (span / 14).max(1);
    chart
        .configure_mesh()
        .x_labels(span as usize + 1)
        // The edge after the last year is not labelled: a chart of the years up to 2025
        // shows no "2026", whose survey it holds nothing of.
        .x_label_formatter(&|x| {
            let year = x.round() as i32;
            if year > c.years.1 || year.rem_euclid(every) != 0 {
                String::new()
            } else {
                year.to_string()
            }
        })
        .y_label_formatter(&y_format(&c.axis))
        .y_desc(c.axis.title.clone())
        .x_desc(c.x_title.clone())
        .light_line_style(RGBColor(235, 235, 235))
        .label_style(("sans-serif", 13))
        .axis_desc_style(("sans-serif", 14))
        .draw()?;
    draw_bands(&mut chart, c, &x_range)?;
    draw_spans(&mut chart, c, &x_range)?;
    draw_markers(area, &mut chart, c)?;
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

/// Dashed vertical lines at the markers, labelled at the top: on the side of the line with
/// more room, in lines that fit there (a measure's title can be long and start late).
fn draw_markers<'a, DB: DrawingBackend + 'a>(
    area: &DrawingArea<DB, Shift>,
    chart: &mut Plot<'a, DB>,
    c: &YearChart,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    const SIZE: i32 = 12;
    let (width, _) = area.dim_in_pixel();
    let (base_x, base_y) = area.get_base_pixel();
    for m in &c.markers {
        chart.draw_series(DashedLineSeries::new(
            [(m.x, c.axis.min), (m.x, c.axis.max)],
            6,
            4,
            BLACK.stroke_width(1),
        ))?;
        let top = c.axis.max - (c.axis.max - c.axis.min) * 0.02;
        let (x, y) = chart.backend_coord(&(m.x, top));
        let (x, y) = (x - base_x, y - base_y);
        let right_room = width as i32 - super::text::MARGIN - (x + 4);
        let left_room = x - 4 - super::text::MARGIN;
        let right = right_room >= left_room || super::text::width(&m.label, SIZE) <= right_room;
        let room = if right { right_room } else { left_room };
        let (size, lines) = super::text::wrap(&m.label, SIZE, room.max(40));
        let style = ("sans-serif", size).into_font().color(&BLACK);
        let style = if right {
            style.pos(Pos::new(HPos::Left, VPos::Top))
        } else {
            style.pos(Pos::new(HPos::Right, VPos::Top))
        };
        let at_x = if right { x + 4 } else { x - 4 };
        for (i, line) in lines.iter().enumerate() {
            area.draw(&Text::new(
                line.clone(),
                (at_x, y + i as i32 * (size + 3)),
                style.clone(),
            ))?;
        }
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
