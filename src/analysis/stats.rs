//! The formulas of METHODOLOGY.md §2–§4 on sufficient sums, independent of polars.
//!
//! Every domain estimate is computed from six additive sums ([`Sums`]) per stratum. A
//! district is one stratum; a pooled domain (the municipality, a measure's comparison
//! districts) is a stratified design with the districts as strata (METHODOLOGY §4b), whose
//! variance is summed over the strata from the same sums — no second pass over the
//! respondents.

use statrs::distribution::{Beta, ContinuousCDF, Normal, StudentsT};

pub use super::policy::SIGNIFICANCE;

/// Additive sums over the respondents of a domain with a valid answer.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Sums {
    /// n: respondents with a valid answer.
    pub n: f64,
    /// W = Σ w.
    pub w: f64,
    /// Σ w y.
    pub wy: f64,
    /// Σ w².
    pub ww: f64,
    /// Σ w² y.
    pub wwy: f64,
    /// Σ w² y².
    pub wwyy: f64,
}

impl Sums {
    pub fn add(&mut self, o: &Sums) {
        self.n += o.n;
        self.w += o.w;
        self.wy += o.wy;
        self.ww += o.ww;
        self.wwy += o.wwy;
        self.wwyy += o.wwyy;
    }

    /// Sums of one respondent.
    pub fn one(w: f64, y: f64) -> Sums {
        Sums {
            n: 1.0,
            w,
            wy: w * y,
            ww: w * w,
            wwy: w * w * y,
            wwyy: w * w * y * y,
        }
    }

    /// Kish effective sample size W² / Σ w².
    pub fn n_eff(&self) -> f64 {
        if self.ww > 0.0 {
            self.w * self.w / self.ww
        } else {
            0.0
        }
    }
}

/// A weighted estimate with its linearised standard error and 95% interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub n: f64,
    pub n_eff: f64,
    pub estimate: f64,
    /// Linearised variance V (SE = √V).
    pub var: f64,
    pub se: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// Degrees of freedom of the interval: n − H for H strata.
    pub df: f64,
}

impl Estimate {
    /// The variance a share enters a test with (METHODOLOGY §3): the linearised one, but at
    /// a share of exactly 0 or 1 — whose linearised variance is 0 — the variance of the
    /// adjusted share p̃ = (p·n_eff + 0.5) / (n_eff + 1), V* = p̃(1 − p̃) / n_eff.
    pub fn test_var_share(&self) -> f64 {
        if (self.estimate <= 0.0 || self.estimate >= 1.0) && self.n_eff > 0.0 {
            let adjusted = (self.estimate * self.n_eff + 0.5) / (self.n_eff + 1.0);
            adjusted * (1.0 - adjusted) / self.n_eff
        } else {
            self.var
        }
    }
}

/// Weighted mean over strata and its Taylor-linearised variance (METHODOLOGY §2, §4b):
/// z_hi = w_hi (y_hi − m) / W with the pooled m and W, V = Σ_h n_h/(n_h − 1) Σ_i (z_hi − z̄_h)²,
/// expanded on each stratum's sums. With one stratum z̄ = 0 and this is V = n/(n−1) Σ z_i².
/// Returns the mean, the variance and the degrees of freedom n − H.
fn mean_and_var(strata: &[Sums]) -> Option<(f64, f64, f64)> {
    let mut total = Sums::default();
    for s in strata {
        total.add(s);
    }
    if total.n < 2.0 || total.w <= 0.0 {
        return None;
    }
    let m = total.wy / total.w;
    let w2 = total.w * total.w;
    let mut var = 0.0;
    let mut h = 0.0;
    for s in strata.iter().filter(|s| s.n > 0.0) {
        h += 1.0;
        // A stratum of one respondent has no variance of its own (R survey's
        // lonely.psu = "remove").
        if s.n < 2.0 {
            continue;
        }
        let sum_z = (s.wy - m * s.w) / total.w;
        let sum_z2 = (s.wwyy - 2.0 * m * s.wwy + m * m * s.ww) / w2;
        var += s.n / (s.n - 1.0) * (sum_z2 - sum_z * sum_z / s.n).max(0.0);
    }
    Some((m, var, (total.n - h).max(1.0)))
}

/// t(0.975, df). Remembered per df (per thread): the quantile is found by iterating on
/// the regularised incomplete beta function, and one analysis asks for the same degrees
/// of freedom thousands of times (every variable of a domain with the same respondents).
pub fn t975(df: f64) -> f64 {
    thread_local! {
        static KNOWN: std::cell::RefCell<std::collections::HashMap<u64, f64>> =
            Default::default();
    }
    KNOWN.with(|known| {
        *known.borrow_mut().entry(df.to_bits()).or_insert_with(|| {
            StudentsT::new(0.0, 1.0, df)
                .expect("df > 0")
                .inverse_cdf(0.975)
        })
    })
}

/// Standard normal distribution function Φ.
pub fn normal_cdf(x: f64) -> f64 {
    Normal::standard().cdf(x)
}

fn pooled(strata: &[Sums]) -> Sums {
    let mut total = Sums::default();
    for s in strata {
        total.add(s);
    }
    total
}

/// A weighted share with the logit interval, or Clopper–Pearson on n_eff at 0 and 1.
pub fn share(s: &Sums) -> Option<Estimate> {
    share_strata(std::slice::from_ref(s))
}

/// A weighted share of a stratified domain (each element one stratum).
pub fn share_strata(strata: &[Sums]) -> Option<Estimate> {
    let (p, var, df) = mean_and_var(strata)?;
    let s = pooled(strata);
    let se = var.sqrt();
    let n_eff = s.n_eff();
    let (ci_low, ci_high) = if p <= 0.0 || p >= 1.0 || se == 0.0 {
        clopper_pearson_extreme(p, n_eff)
    } else {
        let half = t975(df) * se / (p * (1.0 - p));
        let l = (p / (1.0 - p)).ln();
        (logistic(l - half), logistic(l + half))
    };
    Some(Estimate {
        n: s.n,
        n_eff,
        estimate: p,
        var,
        se,
        ci_low,
        ci_high,
        df,
    })
}

/// A weighted mean (of a scale score) of a stratified domain, with a t interval.
pub fn mean_strata(strata: &[Sums]) -> Option<Estimate> {
    let (m, var, df) = mean_and_var(strata)?;
    let s = pooled(strata);
    let se = var.sqrt();
    let half = t975(df) * se;
    Some(Estimate {
        n: s.n,
        n_eff: s.n_eff(),
        estimate: m,
        var,
        se,
        ci_low: m - half,
        ci_high: m + half,
        df,
    })
}

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Clopper–Pearson at p = 0 or 1 with n_eff trials: [0, 1 − 0.025^(1/n_eff)] and its mirror.
fn clopper_pearson_extreme(p: f64, n_eff: f64) -> (f64, f64) {
    let edge = 0.025f64.powf(1.0 / n_eff.max(1.0));
    if p >= 0.5 {
        (edge, 1.0)
    } else {
        (0.0, 1.0 - edge)
    }
}

/// The exact (Clopper–Pearson) 95% interval for x successes out of n.
pub fn clopper_pearson(x: f64, n: f64) -> (f64, f64) {
    let low = if x <= 0.0 {
        0.0
    } else {
        Beta::new(x, n - x + 1.0).expect("shape").inverse_cdf(0.025)
    };
    let high = if x >= n {
        1.0
    } else {
        Beta::new(x + 1.0, n - x).expect("shape").inverse_cdf(0.975)
    };
    (low, high)
}

/// A difference between two independent estimates (METHODOLOGY §3).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Change {
    pub diff: f64,
    pub se: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub z: f64,
    pub p: f64,
}

/// Change from `(e1, v1)` to `(e2, v2)`: d = e2 − e1, SE = √(v1 + v2), normal test.
pub fn change(e1: f64, v1: f64, e2: f64, v2: f64) -> Change {
    let diff = e2 - e1;
    let se = (v1 + v2).sqrt();
    let z = if se > 0.0 { diff / se } else { 0.0 };
    // 2Φ(−|z|), not 2(1 − Φ(|z|)): the latter rounds to 0 for |z| > 8.3.
    let p = if se > 0.0 {
        2.0 * normal_cdf(-z.abs())
    } else {
        1.0
    };
    Change {
        diff,
        se,
        ci_low: diff - 1.96 * se,
        ci_high: diff + 1.96 * se,
        z,
        p,
    }
}

/// Benjamini–Hochberg q-values, in the order of `p`.
pub fn benjamini_hochberg(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]).then(a.cmp(&b)));
    let mut q = vec![0.0; m];
    let mut running = 1.0f64;
    for (rank, &i) in order.iter().enumerate().rev() {
        running = running.min(p[i] * m as f64 / (rank + 1) as f64);
        q[i] = running.min(1.0);
    }
    q
}

/// Index level 0–6 of a share against its norm (METHODOLOGY §4).
pub fn level(p: f64, norm: f64) -> u8 {
    let h = norm_half_width(norm);
    let d = p - norm;
    if d.abs() <= 1.5 * h {
        2
    } else if d > 0.0 {
        if d <= 3.5 * h {
            3
        } else if d <= 5.5 * h {
            4
        } else if d <= 7.5 * h {
            5
        } else {
            6
        }
    } else if d >= -3.5 * h {
        1
    } else {
        0
    }
}

/// h: half the width of the Clopper–Pearson interval for round(360 p0) out of 360.
pub fn norm_half_width(norm: f64) -> f64 {
    let x = (360.0 * norm).round();
    let (lo, hi) = clopper_pearson(x, 360.0);
    (hi - lo) / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sums(data: &str) -> Sums {
        let mut s = Sums::default();
        for line in data.lines().skip(1).filter(|l| !l.trim().is_empty()) {
            let (y, w) = line.split_once(',').unwrap();
            s.add(&Sums::one(
                w.trim().parse().unwrap(),
                y.trim().parse().unwrap(),
            ));
        }
        s
    }

    fn close(a: f64, b: f64, what: &str) {
        assert!((a - b).abs() < 1e-6, "{what}: {a} vs {b}");
    }

    const YEAR1: &str = include_str!("../../tests/data/stats/year1.csv");
    const YEAR2: &str = include_str!("../../tests/data/stats/year2.csv");

    #[test]
    fn year1_matches_the_cross_check_vector() {
        let s = sums(YEAR1);
        let e = share(&s).unwrap();
        close(e.n, 200.0, "n");
        close(s.w, 332.545, "W");
        close(e.estimate, 0.268649356, "p");
        close(e.n_eff, 167.892737, "n_eff");
        close(e.se, 0.0338363815, "SE");
        close(e.ci_low, 0.207331250, "ci low");
        close(e.ci_high, 0.340316446, "ci high");
    }

    #[test]
    fn year2_and_the_change_match_the_cross_check_vector() {
        let (s1, s2) = (sums(YEAR1), sums(YEAR2));
        let (e1, e2) = (share(&s1).unwrap(), share(&s2).unwrap());
        close(e2.n, 180.0, "n");
        close(s2.w, 302.985, "W");
        close(e2.estimate, 0.377655660, "p");
        close(e2.n_eff, 153.079029, "n_eff");
        close(e2.se, 0.0392634551, "SE");
        close(e2.ci_low, 0.303822080, "ci low");
        close(e2.ci_high, 0.457637196, "ci high");
        let c = change(e1.estimate, e1.var, e2.estimate, e2.var);
        close(c.diff, 0.109006304, "d");
        close(c.se, 0.0518316469, "SE_d");
        close(c.z, 2.10308393, "z");
        close(c.p, 0.0354584331, "p");
    }

    #[test]
    fn a_share_of_zero_gets_the_clopper_pearson_interval_on_n_eff() {
        let mut s = Sums::default();
        for _ in 0..40 {
            s.add(&Sums::one(1.0, 0.0));
        }
        let e = share(&s).unwrap();
        assert_eq!(e.estimate, 0.0);
        assert_eq!(e.ci_low, 0.0);
        close(e.ci_high, 1.0 - 0.025f64.powf(1.0 / 40.0), "upper");
        let mut all = Sums::default();
        for _ in 0..40 {
            all.add(&Sums::one(2.0, 1.0));
        }
        let e = share(&all).unwrap();
        close(e.ci_low, 0.025f64.powf(1.0 / 40.0), "lower");
        assert_eq!(e.ci_high, 1.0);
    }

    /// Asserts to 1e-8: the precision the vectors of METHODOLOGY §7 are given to allows it.
    fn close8(a: f64, b: f64, what: &str) {
        assert!((a - b).abs() < 1e-8, "{what}: {a} vs {b}");
    }

    #[test]
    fn the_boundary_variance_matches_the_cross_check_vector() {
        let mut zeros = Sums::default();
        for _ in 0..120 {
            zeros.add(&Sums::one(1.0, 0.0));
        }
        let e0 = share(&zeros).unwrap();
        assert_eq!(e0.var, 0.0, "the published SE stays the linearised one");
        let v = e0.test_var_share();
        close8(0.5 / 121.0, 0.004132231, "p tilde");
        close8(v, 3.4292967e-05, "V*");
        close8(v.sqrt(), 0.0058560197, "SE*");
        let e1 = share(&sums(YEAR1)).unwrap();
        let c = change(e0.estimate, v, e1.estimate, e1.test_var_share());
        close8(c.diff, 0.268649356, "d");
        close8(c.se, 0.0343393896, "SE_d");
        close8(c.z, 7.82335851, "z");
        // 2Φ(−z) = erfc(z/√2) = 5.1432359e-15 (R: 2 * pnorm(-7.82335851)). METHODOLOGY §7
        // lists 5.10703e-15, which is 2(1 − Φ(z)) after cancellation in 1 − Φ.
        assert!((c.p / 5.1432359e-15 - 1.0).abs() < 1e-6, "p {}", c.p);
    }

    #[test]
    fn the_stratified_total_matches_r_survey() {
        let strata = [sums(YEAR1), sums(YEAR2)];
        let e = share_strata(&strata).unwrap();
        close8(e.estimate, 0.320617437, "p");
        close8(e.se, 0.0258257376, "SE");
        close8(e.ci_low, 0.272086442, "ci low");
        close8(e.ci_high, 0.373364697, "ci high");
        assert_eq!(e.df, 378.0);
        // Unstratified, for contrast: the pooled sums as one stratum.
        let mut one = strata[0];
        one.add(&strata[1]);
        let u = share(&one).unwrap();
        close8(u.se, 0.0259425371, "unstratified SE");
        close8(u.ci_low, 0.271878067, "unstratified ci low");
        close8(u.ci_high, 0.373610942, "unstratified ci high");
        assert_eq!(u.df, 379.0);
    }

    #[test]
    fn p_values_of_large_changes_do_not_underflow_to_zero() {
        // z = 10: 2Φ(−10) = 1.5239706e-23 (R: 2 * pnorm(-10)); 1 − Φ(10) rounds to 0.
        let c = change(0.0, 0.0005, 0.5, 0.002);
        assert!((c.z - 10.0).abs() < 1e-12, "z {}", c.z);
        assert!((c.p / 1.5239706e-23 - 1.0).abs() < 1e-6, "p {}", c.p);
        // z = 30 still has a p-value above 0.
        let far = change(0.0, 0.0, 0.3, 0.0001);
        assert!(far.p > 0.0 && far.p < 1e-190, "p {}", far.p);
    }

    #[test]
    fn benjamini_hochberg_matches_a_hand_computed_example() {
        // p sorted: 0.01 (rank 1), 0.02 (2), 0.03 (3), 0.5 (4); m = 4.
        let q = benjamini_hochberg(&[0.03, 0.01, 0.5, 0.02]);
        let expected = [0.04, 0.04, 0.5, 0.04];
        for (a, b) in q.iter().zip(expected) {
            close(*a, b, "q");
        }
    }

    #[test]
    fn levels_follow_the_bands_around_the_norm() {
        let norm = 0.2;
        let h = norm_half_width(norm);
        // 72 of 360: the exact interval is about ±0.043.
        assert!((0.04..0.046).contains(&h), "h = {h}");
        assert_eq!(level(norm, norm), 2);
        assert_eq!(level(norm + 1.5 * h, norm), 2);
        assert_eq!(level(norm + 1.6 * h, norm), 3);
        assert_eq!(level(norm + 3.5 * h, norm), 3);
        assert_eq!(level(norm + 4.0 * h, norm), 4);
        assert_eq!(level(norm + 6.0 * h, norm), 5);
        assert_eq!(level(norm + 8.0 * h, norm), 6);
        assert_eq!(level(norm - 2.0 * h, norm), 1);
        assert_eq!(level(norm - 3.6 * h, norm), 0);
    }
}
