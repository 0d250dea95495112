//! Raking (iterative proportional fitting) of respondents, or of groups of alike
//! respondents, to population margins, then trimming and raking again (METHODOLOGY §1).

use super::super::policy::{MAX_TRIM_ROUNDS, TRIM_FACTOR};
use super::margin::{Categories, Margin, RakeError};

/// Largest relative margin error accepted as converged (METHODOLOGY §1).
pub const TOLERANCE: f64 = 1e-6;
/// Raking keeps sweeping (within [`MAX_SWEEPS`]) until the error is this small, so the
/// weights themselves, not only the margins, agree with the limit to about 1e-6: stopping
/// right at [`TOLERANCE`] leaves cell weights about 1e-6 short of it.
pub const TARGET: f64 = 1e-10;
/// Sweeps over all margins before raking gives up.
pub const MAX_SWEEPS: usize = 100;

/// Rakes weights so each dimension's weighted totals meet its population counts.
///
/// `cats[i][d]` is respondent i's category in dimension d (`None` = did not answer). The
/// base weight is N/n. A dimension's unknown category keeps its current weighted share: the
/// known categories share the rest of N in population proportions.
pub fn rake<C: Categories>(cats: &[C], margins: &[Margin]) -> Result<Vec<f64>, RakeError> {
    rake_from_design(cats, margins, None)
}

/// [`rake`] starting from design weights (N_h / n_h of each respondent's sampling stratum,
/// METHODOLOGY §1) instead of N/n; `None` means N/n for everyone.
pub fn rake_from_design<C: Categories>(
    cats: &[C],
    margins: &[Margin],
    design: Option<&[f64]>,
) -> Result<Vec<f64>, RakeError> {
    let ones = vec![1.0; cats.len()];
    rake_counted(cats, &ones, margins, design)
}

/// Raking of respondents given as groups: `cats[g]` the categories of group g, `count[g]`
/// how many respondents it stands for (all alike: same categories, same design weight),
/// and `design[g]` their design weight. Returns one weight per group. With every count 1
/// it is raking respondent by respondent, to the bit (x · 1 = x).
pub(super) fn rake_counted<C: Categories>(
    cats: &[C],
    count: &[f64],
    margins: &[Margin],
    design: Option<&[f64]>,
) -> Result<Vec<f64>, RakeError> {
    let groups = cats.len();
    let n: f64 = count.iter().sum();
    let total: f64 = margins
        .first()
        .map(|m| m.counts.iter().sum())
        .unwrap_or(0.0);
    if groups == 0 || margins.is_empty() {
        return Ok(design
            .map(<[f64]>::to_vec)
            .unwrap_or_else(|| vec![1.0; groups]));
    }
    let mut w = match design {
        Some(d) => d.to_vec(),
        None => vec![total / n; groups],
    };
    rake_from(&mut w, cats, count, margins, total)?;
    for _ in 0..MAX_TRIM_ROUNDS {
        let sum: f64 = w.iter().zip(count).map(|(x, m)| x * m).sum();
        let cap = TRIM_FACTOR * sum / n;
        if !w.iter().any(|&x| x > cap * (1.0 + 1e-12)) {
            break;
        }
        for x in w.iter_mut() {
            *x = x.min(cap);
        }
        rake_from(&mut w, cats, count, margins, total)?;
    }
    Ok(w)
}

/// Weighted totals per category of dimension `d`, and the unknown total.
fn totals<C: Categories>(
    w: &[f64],
    cats: &[C],
    count: &[f64],
    d: usize,
    k: usize,
) -> (Vec<f64>, f64) {
    let mut t = vec![0.0; k];
    let mut unknown = 0.0;
    for ((x, c), m) in w.iter().zip(cats).zip(count) {
        match c.as_ref()[d] {
            Some(i) => t[i] += x * m,
            None => unknown += x * m,
        }
    }
    (t, unknown)
}

/// The totals a margin asks for: the population's shares of what the respondents with an
/// unknown category do not hold.
fn targets(m: &Margin, total: f64, unknown: f64) -> Vec<f64> {
    m.counts
        .iter()
        .map(|c| c / total * (total - unknown))
        .collect()
}

/// Rakes `w` in place until every margin is met to [`TARGET`] (or, after [`MAX_SWEEPS`],
/// to [`TOLERANCE`]); fails on a category with respondents but no population or the other
/// way round, or when raking does not converge.
pub(super) fn rake_from<C: Categories>(
    w: &mut [f64],
    cats: &[C],
    count: &[f64],
    margins: &[Margin],
    total: f64,
) -> Result<(), RakeError> {
    let mut worst = (0.0, 0usize, 0usize);
    for _ in 0..MAX_SWEEPS {
        for (d, m) in margins.iter().enumerate() {
            let (t, unknown) = totals(w, cats, count, d, m.counts.len());
            let target = targets(m, total, unknown);
            for (i, (&have, &want)) in t.iter().zip(&target).enumerate() {
                if have <= 0.0 && want > 0.0 {
                    return Err(RakeError {
                        dimension: m.dimension.clone(),
                        category: m.categories[i].clone(),
                        reason: format!(
                            "no respondents in this category, but the population has {}",
                            m.counts[i]
                        ),
                    });
                }
                if want <= 0.0 && have > 0.0 {
                    return Err(RakeError {
                        dimension: m.dimension.clone(),
                        category: m.categories[i].clone(),
                        reason: "respondents in a category whose population count is 0".into(),
                    });
                }
            }
            let factors: Vec<f64> = t
                .iter()
                .zip(&target)
                .map(|(&have, &want)| if have > 0.0 { want / have } else { 1.0 })
                .collect();
            for (x, c) in w.iter_mut().zip(cats) {
                if let Some(i) = c.as_ref()[d] {
                    *x *= factors[i];
                }
            }
        }
        worst = (0.0, 0, 0);
        for (d, m) in margins.iter().enumerate() {
            let (t, unknown) = totals(w, cats, count, d, m.counts.len());
            for (i, (have, want)) in t.iter().zip(targets(m, total, unknown)).enumerate() {
                let err = if want > 0.0 {
                    (have - want).abs() / want
                } else {
                    0.0
                };
                if err > worst.0 {
                    worst = (err, d, i);
                }
            }
        }
        if worst.0 < TARGET {
            return Ok(());
        }
    }
    if worst.0 < TOLERANCE {
        return Ok(());
    }
    let m = &margins[worst.1];
    Err(RakeError {
        dimension: m.dimension.clone(),
        category: m.categories[worst.2].clone(),
        reason: format!(
            "raking did not converge in {MAX_SWEEPS} sweeps (relative error {:.2e})",
            worst.0
        ),
    })
}
