//! One wave raked at once: empty age groups collapsed, respondents alike in every category
//! and design weight raked as one group, and how far trimming got.

use std::collections::HashMap;

use super::super::policy::TRIM_FACTOR;
use super::collapse::collapse_empty_age_groups;
use super::margin::{Categories, Margin, RakeError, Raked};
use super::rake::rake_counted;

/// Rakes one wave: collapses age groups without respondents into their neighbours
/// (METHODOLOGY §1: 16–24 with 25–44, 65–84 with 45–64; a middle group with its neighbour
/// that has more respondents), then rakes from the design weights and trims. Fails only
/// when no collapse can work (no respondent with a known age, or an empty sex category).
pub fn rake_wave<C: Categories>(
    cats: &[C],
    margins: &[Margin],
    design: Option<&[f64]>,
) -> Result<Raked, RakeError> {
    let mut cats = cats.to_vec();
    let mut margins = margins.to_vec();
    let collapsed = collapse_empty_age_groups(&mut cats, &mut margins)?;
    let alike = Alike::of(&cats, design);
    let group_weights = rake_counted(
        &alike.groups,
        &alike.count,
        &margins,
        design.map(|_| alike.design.as_slice()),
    )?;
    let weights: Vec<f64> = alike.member.iter().map(|&g| group_weights[g]).collect();
    let n = weights.len().max(1) as f64;
    let mean = weights.iter().sum::<f64>() / n;
    let max_ratio = if mean > 0.0 {
        weights.iter().cloned().fold(0.0, f64::max) / mean
    } else {
        0.0
    };
    Ok(Raked {
        trim_converged: max_ratio <= TRIM_FACTOR * (1.0 + 1e-9),
        max_ratio,
        weights,
        collapsed,
    })
}

/// A wave's respondents as groups of alike respondents. Respondents alike in every category
/// and design weight get the same weight, so the wave is raked as its few groups (a wave of
/// 31,000 answers has about 30), each counted as many times as it has respondents, and the
/// weights are handed back to the respondents.
struct Alike<C> {
    /// Each group's categories.
    groups: Vec<C>,
    /// Each group's design weight (1 without one).
    design: Vec<f64>,
    /// How many respondents each group stands for.
    count: Vec<f64>,
    /// Each respondent's group.
    member: Vec<usize>,
}

impl<C: Categories> Alike<C> {
    fn of(cats: &[C], design: Option<&[f64]>) -> Self {
        let mut alike = Alike {
            groups: Vec::new(),
            design: Vec::new(),
            count: Vec::new(),
            member: Vec::with_capacity(cats.len()),
        };
        let mut index: HashMap<(u64, u64), usize> = Default::default();
        for (i, c) in cats.iter().enumerate() {
            let d = design.map_or(1.0, |d| d[i]);
            // Categories in a byte each (0 = unknown); a respondent that does not fit
            // (more than 8 dimensions or 254 categories: never in trygg) is a group alone.
            let code = pack(c.as_ref()).unwrap_or(u64::MAX - i as u64);
            let key = (code, d.to_bits());
            let g = *index.entry(key).or_insert_with(|| {
                alike.groups.push(c.clone());
                alike.design.push(d);
                alike.count.push(0.0);
                alike.groups.len() - 1
            });
            alike.count[g] += 1.0;
            alike.member.push(g);
        }
        alike
    }
}

/// A respondent's categories packed into one number, a byte per dimension (0 = unknown).
fn pack(c: &[Option<usize>]) -> Option<u64> {
    if c.len() > 8 {
        return None;
    }
    c.iter().try_fold(0u64, |acc, x| match x {
        None => Some(acc << 8),
        Some(i) if *i < 254 => Some((acc << 8) | (*i as u64 + 1)),
        Some(_) => None,
    })
}
