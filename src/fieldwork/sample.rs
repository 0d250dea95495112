//! Drawing a stratified simple random sample from the frame.
//!
//! Eligible are the residents of the wave's district aged 16–84 in the survey year (age =
//! year − birth year). Strata are the cells of the chosen variables (sex, age group, or
//! none: one stratum). The sample size is allocated proportionally to the strata's
//! population counts N_h by largest remainders, so the sizes add up to exactly N, every
//! n_h ≤ N_h; within a stratum n_h residents are drawn without replacement (a partial
//! Fisher–Yates shuffle) from a seeded generator, so a seed reproduces a draw. What is
//! kept is N_h and n_h per stratum: the design weight of stratum h is N_h / n_h.

use std::collections::BTreeMap;

use super::frame::{Frame, Person};
use crate::questionnaire::AGE_GROUPS;
use crate::rng::Rng;

/// Ages that are asked, inclusive: the population of the survey.
pub const AGES: (i32, i32) = (16, 84);

/// The variables a sample is stratified by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Strata {
    pub sex: bool,
    pub age: bool,
}

impl Strata {
    /// Parses `--strata`: `sex`, `age`, `sex,age`, or `none`.
    pub fn parse(s: &str) -> Result<Strata, String> {
        let mut out = Strata::default();
        if s.trim() == "none" {
            return Ok(out);
        }
        for part in s.split(',').map(str::trim) {
            let flag = match part {
                "sex" => &mut out.sex,
                "age" => &mut out.age,
                other => {
                    return Err(format!(
                        "--strata: unknown variable \"{other}\" (use sex, age, sex,age or none)"
                    ));
                }
            };
            if *flag {
                return Err(format!("--strata: \"{part}\" is named twice"));
            }
            *flag = true;
        }
        Ok(out)
    }

    /// The stratum of a resident: `alla`, `kvinna`, `25-44` or `kvinna/25-44`.
    pub fn key(&self, sex: &str, age_group: &str) -> String {
        match (self.sex, self.age) {
            (false, false) => ALL.to_string(),
            (true, false) => sex.to_string(),
            (false, true) => age_group.to_string(),
            (true, true) => format!("{sex}/{age_group}"),
        }
    }
}

/// The stratum of an unstratified sample.
pub const ALL: &str = "alla";

/// The age group of an age, if it is in the survey's population.
pub fn age_group(age: i32) -> Option<&'static str> {
    let i = match age {
        16..=24 => 0,
        25..=44 => 1,
        45..=64 => 2,
        65..=84 => 3,
        _ => return None,
    };
    Some(AGE_GROUPS[i])
}

pub use crate::strata::StratumCount;

/// A drawn sample: the strata and, per letter, the resident (an index into the frame) and
/// its stratum.
#[derive(Debug, Clone)]
pub struct Sample {
    pub strata: Vec<StratumCount>,
    pub letters: Vec<(usize, String)>,
}

/// Draws `size` residents of `district` from the frame.
pub fn draw(
    frame: &Frame,
    district: &str,
    year: i32,
    size: u64,
    strata: Strata,
    seed: u64,
) -> Result<Sample, String> {
    let mut cells: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, p) in frame.people.iter().enumerate() {
        if let Some(key) = stratum_of(p, district, year, strata) {
            cells.entry(key).or_default().push(i);
        }
    }
    let population: u64 = cells.values().map(|v| v.len() as u64).sum();
    if size == 0 {
        return Err("--size must be at least 1".into());
    }
    if size > population {
        return Err(format!(
            "--size {size} is more than the {population} residents of {district} aged {}-{} in the frame",
            AGES.0, AGES.1
        ));
    }
    let sizes = allocate(
        &cells.values().map(|v| v.len() as u64).collect::<Vec<_>>(),
        size,
    );
    let mut rng = Rng::new(seed);
    let mut out = Sample {
        strata: Vec::new(),
        letters: Vec::new(),
    };
    for ((key, mut members), n_h) in cells.into_iter().zip(sizes) {
        // Partial Fisher–Yates: the first n_h places are a uniform draw without replacement.
        for j in 0..n_h as usize {
            let k = rng.range(j as i64, members.len() as i64 - 1) as usize;
            members.swap(j, k);
        }
        out.strata.push(StratumCount {
            stratum: key.clone(),
            population: members.len() as u64,
            letters: n_h,
        });
        out.letters
            .extend(members[..n_h as usize].iter().map(|&i| (i, key.clone())));
    }
    Ok(out)
}

fn stratum_of(p: &Person, district: &str, year: i32, strata: Strata) -> Option<String> {
    if p.district != district {
        return None;
    }
    let group = age_group(year - p.birth_year)?;
    Some(strata.key(p.sex.code(), group))
}

/// Design weights N_h / n_h of a sampled wave, found by a respondent's stratum.
///
/// The respondent's stratum is taken from their own answers to the sex and age questions:
/// a response holds nothing of the letter it came with (that link must not exist), and the
/// register's sex and age are what the questions ask. A respondent whose stratum cannot be
/// told (a question unanswered) gets the wave's overall N / n.
#[derive(Debug, Clone)]
pub struct DesignWeights {
    strata: Strata,
    by_key: std::collections::HashMap<String, f64>,
    overall: f64,
}

impl DesignWeights {
    /// From a wave's strata; `None` for a wave without a sample.
    pub fn new(counts: &[StratumCount]) -> Option<DesignWeights> {
        let letters: u64 = counts.iter().map(|s| s.letters).sum();
        if letters == 0 {
            return None;
        }
        let population: u64 = counts.iter().map(|s| s.population).sum();
        let first = &counts[0].stratum;
        let strata = if first == ALL {
            Strata::default()
        } else if first.contains('/') {
            Strata {
                sex: true,
                age: true,
            }
        } else if AGE_GROUPS.contains(&first.as_str()) {
            Strata {
                sex: false,
                age: true,
            }
        } else {
            Strata {
                sex: true,
                age: false,
            }
        };
        Some(DesignWeights {
            strata,
            by_key: counts
                .iter()
                .filter(|s| s.letters > 0)
                .map(|s| (s.stratum.clone(), s.population as f64 / s.letters as f64))
                .collect(),
            overall: population as f64 / letters as f64,
        })
    }

    /// The design weight of a respondent who gave this sex and age group.
    pub fn weight(&self, sex: Option<&str>, age_group: Option<&str>) -> f64 {
        let key = match (self.strata.sex, self.strata.age, sex, age_group) {
            (false, false, _, _) => Some(ALL.to_string()),
            (true, false, Some(s), _) => Some(s.to_string()),
            (false, true, _, Some(a)) => Some(a.to_string()),
            (true, true, Some(s), Some(a)) => Some(self.strata.key(s, a)),
            _ => None,
        };
        key.and_then(|k| self.by_key.get(&k).copied())
            .unwrap_or(self.overall)
    }
}

/// Proportional allocation by largest remainders: sizes that sum to `n`, each at most its
/// population.
pub fn allocate(populations: &[u64], n: u64) -> Vec<u64> {
    let total: u64 = populations.iter().sum();
    if total == 0 {
        return vec![0; populations.len()];
    }
    let n = n.min(total);
    let exact: Vec<f64> = populations
        .iter()
        .map(|&p| p as f64 * n as f64 / total as f64)
        .collect();
    let mut sizes: Vec<u64> = exact
        .iter()
        .zip(populations)
        .map(|(e, &p)| (e.floor() as u64).min(p))
        .collect();
    let mut order: Vec<usize> = (0..populations.len()).collect();
    // Largest remainder first; ties to the larger stratum, then the first, so it is stable.
    order.sort_by(|&a, &b| {
        let ra = exact[a] - sizes[a] as f64;
        let rb = exact[b] - sizes[b] as f64;
        rb.total_cmp(&ra)
            .then(populations[b].cmp(&populations[a]))
            .then(a.cmp(&b))
    });
    let mut left = n - sizes.iter().sum::<u64>();
    while left > 0 {
        for &i in &order {
            if left > 0 && sizes[i] < populations[i] {
                sizes[i] += 1;
                left -= 1;
            }
        }
    }
    sizes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocation_is_proportional_and_exact() {
        assert_eq!(allocate(&[500, 300, 200], 100), vec![50, 30, 20]);
        assert_eq!(allocate(&[1, 1, 1], 2).iter().sum::<u64>(), 2);
        let a = allocate(&[333, 333, 334], 10);
        assert_eq!(a.iter().sum::<u64>(), 10);
        assert_eq!(a, vec![3, 3, 4]);
        assert_eq!(allocate(&[5, 1000], 1005), vec![5, 1000]);
    }

    #[test]
    fn design_weights_by_stratum_and_overall() {
        let counts = vec![
            StratumCount {
                stratum: "kvinna/16-24".into(),
                population: 100,
                letters: 10,
            },
            StratumCount {
                stratum: "man/16-24".into(),
                population: 300,
                letters: 10,
            },
        ];
        let d = DesignWeights::new(&counts).unwrap();
        assert_eq!(d.weight(Some("kvinna"), Some("16-24")), 10.0);
        assert_eq!(d.weight(Some("man"), Some("16-24")), 30.0);
        assert_eq!(d.weight(None, Some("16-24")), 20.0, "unknown sex: N / n");
        let all = DesignWeights::new(&[StratumCount {
            stratum: ALL.into(),
            population: 90,
            letters: 30,
        }])
        .unwrap();
        assert_eq!(all.weight(None, None), 3.0);
        assert!(DesignWeights::new(&[]).is_none());
    }

    #[test]
    fn strata_flags() {
        assert_eq!(
            Strata::parse("sex,age").unwrap(),
            Strata {
                sex: true,
                age: true
            }
        );
        assert_eq!(Strata::parse("none").unwrap(), Strata::default());
        assert!(Strata::parse("sex,sex").is_err());
        assert!(Strata::parse("income").unwrap_err().contains("income"));
        assert_eq!(
            Strata {
                sex: true,
                age: true
            }
            .key("man", "16-24"),
            "man/16-24"
        );
        assert_eq!(age_group(15), None);
        assert_eq!(age_group(85), None);
        assert_eq!(age_group(16), Some("16-24"));
    }
}
