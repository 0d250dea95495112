//! Raking (iterative proportional fitting) to population margins, with trimming
//! (METHODOLOGY §1).
//!
//! Works on one district and year at a time: each respondent has a category index per
//! dimension (or `None`: unknown), and each dimension has population counts per category.

use std::fmt;

/// Largest relative margin error accepted as converged (METHODOLOGY §1).
pub const TOLERANCE: f64 = 1e-6;
/// Raking keeps sweeping (within [`MAX_SWEEPS`]) until the error is this small, so the
/// weights themselves, not only the margins, agree with the limit to about 1e-6: stopping
/// right at [`TOLERANCE`] leaves cell weights about 1e-6 short of it.
pub const TARGET: f64 = 1e-10;
/// Sweeps over all margins before raking gives up.
pub const MAX_SWEEPS: usize = 100;
/// Weights above this multiple of the mean weight are trimmed.
pub const TRIM_FACTOR: f64 = 5.0;
/// Trim-and-rake rounds at most.
pub const MAX_TRIM_ROUNDS: usize = 10;

/// One raking dimension: its name, category names and population counts.
#[derive(Debug, Clone, PartialEq)]
pub struct Margin {
    pub dimension: String,
    pub categories: Vec<String>,
    pub counts: Vec<f64>,
}

/// Why raking failed, naming the margin.
#[derive(Debug, Clone, PartialEq)]
pub struct RakeError {
    pub dimension: String,
    pub category: String,
    pub reason: String,
}

impl fmt::Display for RakeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "margin {}={}: {}",
            self.dimension, self.category, self.reason
        )
    }
}

/// Rakes weights so each dimension's weighted totals meet its population counts.
///
/// `cats[i][d]` is respondent i's category in dimension d (`None` = did not answer). The
/// base weight is N/n. A dimension's unknown category keeps its current weighted share: the
/// known categories share the rest of N in population proportions.
pub fn rake(cats: &[Vec<Option<usize>>], margins: &[Margin]) -> Result<Vec<f64>, RakeError> {
    rake_from_design(cats, margins, None)
}

/// [`rake`] starting from design weights (N_h / n_h of each respondent's sampling stratum,
/// METHODOLOGY §1) instead of N/n; `None` means N/n for everyone.
pub fn rake_from_design(
    cats: &[Vec<Option<usize>>],
    margins: &[Margin],
    design: Option<&[f64]>,
) -> Result<Vec<f64>, RakeError> {
    let n = cats.len();
    let total: f64 = margins
        .first()
        .map(|m| m.counts.iter().sum())
        .unwrap_or(0.0);
    if n == 0 || margins.is_empty() {
        return Ok(design.map(<[f64]>::to_vec).unwrap_or_else(|| vec![1.0; n]));
    }
    let mut w = match design {
        Some(d) => d.to_vec(),
        None => vec![total / n as f64; n],
    };
    rake_from(&mut w, cats, margins, total)?;
    for _ in 0..MAX_TRIM_ROUNDS {
        let cap = TRIM_FACTOR * w.iter().sum::<f64>() / n as f64;
        if !w.iter().any(|&x| x > cap * (1.0 + 1e-12)) {
            break;
        }
        for x in w.iter_mut() {
            *x = x.min(cap);
        }
        rake_from(&mut w, cats, margins, total)?;
    }
    Ok(w)
}

/// Weighted totals per category of dimension `d`, and the unknown total.
fn totals(w: &[f64], cats: &[Vec<Option<usize>>], d: usize, k: usize) -> (Vec<f64>, f64) {
    let mut t = vec![0.0; k];
    let mut unknown = 0.0;
    for (x, c) in w.iter().zip(cats) {
        match c[d] {
            Some(i) => t[i] += x,
            None => unknown += x,
        }
    }
    (t, unknown)
}

fn targets(m: &Margin, total: f64, unknown: f64) -> Vec<f64> {
    m.counts
        .iter()
        .map(|c| c / total * (total - unknown))
        .collect()
}

fn rake_from(
    w: &mut [f64],
    cats: &[Vec<Option<usize>>],
    margins: &[Margin],
    total: f64,
) -> Result<(), RakeError> {
    let mut worst = (0.0, 0usize, 0usize);
    for _ in 0..MAX_SWEEPS {
        for (d, m) in margins.iter().enumerate() {
            let (t, unknown) = totals(w, cats, d, m.counts.len());
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
                if let Some(i) = c[d] {
                    *x *= factors[i];
                }
            }
        }
        worst = (0.0, 0, 0);
        for (d, m) in margins.iter().enumerate() {
            let (t, unknown) = totals(w, cats, d, m.counts.len());
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

#[cfg(test)]
mod tests {
    use super::*;

    fn margins(sex: [f64; 2], age: [f64; 3]) -> Vec<Margin> {
        vec![
            Margin {
                dimension: "sex".into(),
                categories: vec!["kvinna".into(), "man".into()],
                counts: sex.to_vec(),
            },
            Margin {
                dimension: "age_group".into(),
                categories: vec!["a".into(), "b".into(), "c".into()],
                counts: age.to_vec(),
            },
        ]
    }

    fn sample(counts: [[usize; 3]; 2]) -> Vec<Vec<Option<usize>>> {
        let mut v = Vec::new();
        for (s, row) in counts.iter().enumerate() {
            for (a, &k) in row.iter().enumerate() {
                for _ in 0..k {
                    v.push(vec![Some(s), Some(a)]);
                }
            }
        }
        v
    }

    #[test]
    fn raking_matches_the_cross_check_vector() {
        let cats = sample([[30, 50, 20], [20, 40, 40]]);
        let w = rake(&cats, &margins([98.0, 102.0], [60.0, 80.0, 60.0])).unwrap();
        let expected = [
            [1.175172651, 0.868501723, 0.965986715],
            [1.237241024, 0.914372846, 1.017006643],
        ];
        for (x, c) in w.iter().zip(&cats) {
            let e = expected[c[0].unwrap()][c[1].unwrap()];
            assert!((x - e).abs() < 1e-6, "{x} vs {e}");
        }
        let sw: f64 = w.iter().sum();
        let sww: f64 = w.iter().map(|x| x * x).sum();
        assert!((sw * sw / sww - 196.812806).abs() < 1e-6);
    }

    #[test]
    fn raking_from_design_weights_matches_r_survey() {
        let cats = sample([[30, 50, 20], [20, 40, 40]]);
        let design_cells = [[1.2, 1.0, 0.8], [1.1, 0.9, 1.3]];
        let design: Vec<f64> = cats
            .iter()
            .map(|c| design_cells[c[0].unwrap()][c[1].unwrap()])
            .collect();
        let w = rake_from_design(
            &cats,
            &margins([98.0, 102.0], [60.0, 80.0, 60.0]),
            Some(&design),
        )
        .unwrap();
        let expected = [
            [1.242750847, 0.931366925, 0.707456418],
            [1.135873730, 0.835791344, 1.146271791],
        ];
        for (x, c) in w.iter().zip(&cats) {
            let e = expected[c[0].unwrap()][c[1].unwrap()];
            assert!((x - e).abs() < 1e-9, "{x} vs {e}");
        }
        let sw: f64 = w.iter().sum();
        let sww: f64 = w.iter().map(|x| x * x).sum();
        assert!((sw * sw / sww - 194.157199).abs() < 1e-6);
    }

    #[test]
    fn an_empty_category_with_population_is_an_error_naming_the_margin() {
        let cats = sample([[30, 50, 0], [20, 40, 0]]);
        let err = rake(&cats, &margins([98.0, 102.0], [60.0, 80.0, 60.0])).unwrap_err();
        assert_eq!(
            (err.dimension.as_str(), err.category.as_str()),
            ("age_group", "c")
        );
        assert!(err.to_string().contains("no respondents"));
    }

    #[test]
    fn unknown_answers_keep_their_share_and_are_not_dropped() {
        let mut cats = sample([[30, 50, 20], [20, 40, 40]]);
        for c in cats.iter_mut().take(10) {
            c[0] = None;
        }
        let m = margins([98.0, 102.0], [60.0, 80.0, 60.0]);
        let w = rake(&cats, &m).unwrap();
        assert!(w.iter().all(|&x| x > 0.0));
        assert!((w.iter().sum::<f64>() - 200.0).abs() < 1e-6);
        let unknown: f64 = w
            .iter()
            .zip(&cats)
            .filter(|(_, c)| c[0].is_none())
            .map(|(x, _)| x)
            .sum();
        let women: f64 = w
            .iter()
            .zip(&cats)
            .filter(|(_, c)| c[0] == Some(0))
            .map(|(x, _)| x)
            .sum();
        // Known sexes share what the unknown do not hold, in population proportions.
        assert!((women - 98.0 / 200.0 * (200.0 - unknown)).abs() < 1e-4);
    }

    #[test]
    fn extreme_weights_are_trimmed_and_the_margins_still_met() {
        // Few men aged 16-24 and 65-84: their raw raked weights are far above the mean.
        let cats = sample([[60, 69, 69], [1, 40, 1]]);
        let m = margins([100.0, 100.0], [60.0, 70.0, 70.0]);
        let mut untrimmed = vec![200.0 / cats.len() as f64; cats.len()];
        rake_from(&mut untrimmed, &cats, &m, 200.0).unwrap();
        let w = rake(&cats, &m).unwrap();
        let max = |v: &[f64]| v.iter().cloned().fold(0.0, f64::max);
        assert!(
            max(&w) < max(&untrimmed),
            "trimmed {} vs raw {}",
            max(&w),
            max(&untrimmed)
        );
        for (d, margin) in m.iter().enumerate() {
            for (i, &count) in margin.counts.iter().enumerate() {
                let got: f64 = w
                    .iter()
                    .zip(&cats)
                    .filter(|(_, c)| c[d] == Some(i))
                    .map(|(x, _)| x)
                    .sum();
                assert!(
                    (got - count).abs() / count < 1e-6,
                    "{} {i}: {got}",
                    margin.dimension
                );
            }
        }
    }
}
