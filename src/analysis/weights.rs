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
pub use super::policy::{MAX_TRIM_ROUNDS, TRIM_FACTOR};

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

/// Raked weights and how the raking went.
#[derive(Debug, Clone, PartialEq)]
pub struct Raked {
    pub weights: Vec<f64>,
    /// The largest weight over the mean weight after the last trimming round.
    pub max_ratio: f64,
    /// Whether trimming brought every weight down to [`TRIM_FACTOR`] × the mean within
    /// [`MAX_TRIM_ROUNDS`] (raking after trimming can push weights above the cap again).
    pub trim_converged: bool,
    /// Age groups merged because they had no respondents, e.g. `65-84 → 45-64+65-84`.
    pub collapsed: Vec<String>,
}

/// The name of the age dimension, whose empty categories may be collapsed.
pub const AGE_DIMENSION: &str = "age_group";

/// One respondent's category in each raking dimension (`None` = did not answer): a
/// `Vec` in general, a fixed array where the dimensions are known (the analysis's sex and
/// age, so a million respondents are not a million small allocations).
pub trait Categories: AsRef<[Option<usize>]> + AsMut<[Option<usize>]> + Clone + Sync {}

impl<T: AsRef<[Option<usize>]> + AsMut<[Option<usize>]> + Clone + Sync> Categories for T {}

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
    let mut collapsed = Vec::new();
    if let Some(d) = margins.iter().position(|m| m.dimension == AGE_DIMENSION) {
        loop {
            let m = &margins[d];
            let k = m.counts.len();
            let mut seen = vec![0usize; k];
            for c in &cats {
                if let Some(i) = c.as_ref()[d] {
                    seen[i] += 1;
                }
            }
            let Some(empty) = (0..k).find(|&i| seen[i] == 0 && m.counts[i] > 0.0) else {
                break;
            };
            if k == 1 {
                return Err(RakeError {
                    dimension: m.dimension.clone(),
                    category: m.categories[0].clone(),
                    reason: "no respondent gave an age group, so no collapse can work".into(),
                });
            }
            let into = if empty == 0 {
                1
            } else if empty == k - 1 {
                k - 2
            } else if seen[empty + 1] > seen[empty - 1] {
                empty + 1
            } else {
                empty - 1
            };
            let (lo, hi) = (empty.min(into), empty.max(into));
            let name = format!("{}+{}", m.categories[lo], m.categories[hi]);
            collapsed.push(format!("{} → {name}", m.categories[empty]));
            let mut merged = m.clone();
            merged.counts[lo] += merged.counts[hi];
            merged.counts.remove(hi);
            merged.categories[lo] = name;
            merged.categories.remove(hi);
            margins[d] = merged;
            for c in cats.iter_mut() {
                let slot = &mut c.as_mut()[d];
                *slot = slot.map(|i| {
                    if i >= hi {
                        if i == hi { lo } else { i - 1 }
                    } else {
                        i
                    }
                });
            }
        }
    }
    // Respondents alike in every category and design weight get the same weight, so the
    // wave is raked as its few groups of alike respondents (a wave of 31,000 answers has
    // about 30), each counted as many times as it has respondents, and the weights are
    // handed back to the respondents.
    let mut groups: Vec<C> = Vec::new();
    let mut group_design: Vec<f64> = Vec::new();
    let mut count: Vec<f64> = Vec::new();
    let mut index: std::collections::HashMap<(u64, u64), usize> = Default::default();
    let member: Vec<usize> = cats
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let d = design.map_or(1.0, |d| d[i]);
            // Categories in a byte each (0 = unknown); a respondent that does not fit
            // (more than 8 dimensions or 254 categories: never in trygg) is a group alone.
            let code = pack(c.as_ref()).unwrap_or(u64::MAX - i as u64);
            let key = (code, d.to_bits());
            let g = *index.entry(key).or_insert_with(|| {
                groups.push(c.clone());
                group_design.push(d);
                count.push(0.0);
                groups.len() - 1
            });
            count[g] += 1.0;
            g
        })
        .collect();
    let group_weights = rake_counted(
        &groups,
        &count,
        &margins,
        design.map(|_| group_design.as_slice()),
    )?;
    let weights: Vec<f64> = member.iter().map(|&g| group_weights[g]).collect();
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
fn rake_counted<C: Categories>(
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

fn targets(m: &Margin, total: f64, unknown: f64) -> Vec<f64> {
    m.counts
        .iter()
        .map(|c| c / total * (total - unknown))
        .collect()
}

fn rake_from<C: Categories>(
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
    fn a_wave_raked_as_groups_of_alike_respondents_gets_the_respondents_weights() {
        // Design weights that differ inside a cell too, and respondents without a sex, so
        // the groups are not simply the cells.
        let mut cats = sample([[30, 50, 20], [20, 40, 40]]);
        cats.extend(std::iter::repeat_n(vec![None, Some(1)], 7));
        let design: Vec<f64> = (0..cats.len())
            .map(|i| 0.8 + (i % 3) as f64 * 0.2)
            .collect();
        let m = margins([98.0, 102.0], [60.0, 80.0, 60.0]);
        let one_by_one = rake_from_design(&cats, &m, Some(&design)).unwrap();
        let grouped = rake_wave(&cats, &m, Some(&design)).unwrap();
        assert_eq!(grouped.weights.len(), cats.len());
        for (a, b) in one_by_one.iter().zip(&grouped.weights) {
            assert!((a - b).abs() < 1e-9 * a, "{a} vs {b}");
        }
        // Respondents alike share a weight; respondents unlike do not.
        assert_eq!(grouped.weights[0], grouped.weights[3]);
        assert_ne!(grouped.weights[0], grouped.weights[1]);
    }

    fn age_margins(sex: [f64; 2], age: [f64; 4]) -> Vec<Margin> {
        vec![
            margins(sex, [0.0; 3])[0].clone(),
            Margin {
                dimension: AGE_DIMENSION.into(),
                categories: crate::questionnaire::AGE_GROUPS
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
                counts: age.to_vec(),
            },
        ]
    }

    #[test]
    fn an_empty_oldest_age_group_is_collapsed_and_recorded() {
        // Nobody aged 65-84 answered.
        let mut cats = Vec::new();
        for (s, a, k) in [
            (0, 0, 10),
            (0, 1, 30),
            (0, 2, 20),
            (1, 0, 12),
            (1, 1, 25),
            (1, 2, 30),
        ] {
            cats.extend(std::iter::repeat_n(vec![Some(s), Some(a)], k));
        }
        let m = age_margins([500.0, 500.0], [150.0, 350.0, 300.0, 200.0]);
        assert!(rake(&cats, &m).is_err(), "without collapsing raking fails");
        let r = rake_wave(&cats, &m, None).unwrap();
        assert_eq!(r.collapsed, vec!["65-84 → 45-64+65-84".to_string()]);
        // The merged group carries both populations.
        let old: f64 = r
            .weights
            .iter()
            .zip(&cats)
            .filter(|(_, c)| c[1] == Some(2))
            .map(|(w, _)| w)
            .sum();
        assert!((old - 500.0).abs() < 1e-6, "{old}");
        let total: f64 = r.weights.iter().sum();
        assert!((total - 1000.0).abs() < 1e-6);

        // The youngest group collapses upwards; with no age at all nothing can work.
        let young: Vec<_> = cats.iter().filter(|c| c[1] != Some(0)).cloned().collect();
        let r = rake_wave(&young, &m, None).unwrap();
        assert_eq!(
            r.collapsed,
            vec![
                "16-24 → 16-24+25-44".to_string(),
                "65-84 → 45-64+65-84".to_string()
            ]
        );
        let none: Vec<_> = cats.iter().map(|c| vec![c[0], None]).collect();
        let err = rake_wave(&none, &m, None).unwrap_err();
        assert!(err.reason.contains("no collapse can work"), "{err}");
        // An empty sex category cannot collapse.
        let women: Vec<_> = cats.iter().filter(|c| c[0] == Some(0)).cloned().collect();
        assert!(rake_wave(&women, &m, None).is_err());
    }

    #[test]
    fn trimming_that_cannot_reach_its_cap_says_so() {
        // Three respondents aged 65-84 for a quarter of the population: raking gives them
        // the whole age group back after every trimming round.
        let mut cats = Vec::new();
        for (s, a, k) in [
            (0, 0, 60),
            (0, 1, 60),
            (0, 2, 60),
            (0, 3, 1),
            (1, 0, 40),
            (1, 1, 40),
            (1, 2, 40),
            (1, 3, 2),
        ] {
            cats.extend(std::iter::repeat_n(vec![Some(s), Some(a)], k));
        }
        let m = age_margins([500.0, 500.0], [250.0, 250.0, 250.0, 250.0]);
        let r = rake_wave(&cats, &m, None).unwrap();
        assert!(!r.trim_converged);
        assert!(r.max_ratio > TRIM_FACTOR, "{}", r.max_ratio);
        let mean = r.weights.iter().sum::<f64>() / r.weights.len() as f64;
        let max = r.weights.iter().cloned().fold(0.0, f64::max);
        assert!((r.max_ratio - max / mean).abs() < 1e-12);
        // A balanced sample needs no trimming at all.
        let balanced: Vec<_> = (0..2)
            .flat_map(|s| (0..4).flat_map(move |a| std::iter::repeat_n(vec![Some(s), Some(a)], 50)))
            .collect();
        let r = rake_wave(&balanced, &m, None).unwrap();
        assert!(r.trim_converged && r.max_ratio < 1.0 + 1e-9);
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
        rake_from(&mut untrimmed, &cats, &vec![1.0; cats.len()], &m, 200.0).unwrap();
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
