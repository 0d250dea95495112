//! Raking (iterative proportional fitting) to population margins, with trimming
//! (METHODOLOGY §1).
//!
//! Works on one district and year at a time: each respondent has a category index per
//! dimension (or `None`: unknown), and each dimension has population counts per category.
//! `margin.rs` holds the values, `rake.rs` the raking and trimming, `collapse.rs` the merging
//! of empty age groups and `wave.rs` a whole wave raked as groups of alike respondents.

mod collapse;
mod margin;
mod rake;
mod wave;

pub use super::policy::{MAX_TRIM_ROUNDS, TRIM_FACTOR};
pub use margin::{AGE_DIMENSION, Categories, Margin, RakeError, Raked};
pub use rake::{MAX_SWEEPS, TARGET, TOLERANCE, rake, rake_from_design};
pub use wave::rake_wave;

#[cfg(test)]
mod tests {
    use super::rake::rake_from;
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
