//! The comparison chart: one bar with its interval per district.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::model::CompareChart;
use super::style::{DrawResult, PALETTE, legend, y_format};

/// Draws a comparison chart into its area.
pub(super) fn draw_compare<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    c: &CompareChart,
) -> DrawResult
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
