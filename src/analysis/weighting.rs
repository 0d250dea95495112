//! Every wave's weights (METHODOLOGY §1): raked to its year's population margins, starting
//! from its design weights when it is a random sample; its design weights alone when the
//! year has no population file; none otherwise. With each wave's summary row and the notes a
//! reader should see.

use std::collections::HashMap;
use std::path::Path;

use polars::prelude::DataFrame;

use crate::error::Error;
use crate::questionnaire::{AGE_GROUPS, Question};

use super::load::{LoadedWave, u32s};
use super::population::{self, Population};
use super::stats;
use super::weights::{self, Raked};

/// Weighting summary of one district and year.
#[derive(Debug, Clone, PartialEq)]
pub struct Weighting {
    pub year: i32,
    pub district: String,
    pub n: usize,
    pub n_eff: f64,
    pub efficiency: f64,
    pub weighted: bool,
    /// For a random sample: letters sent, returned undeliverable, and answered (web and
    /// paper); `None` for an open-link wave, which has no response rate.
    pub fieldwork: Option<crate::store::StratumRate>,
    /// The largest weight over the mean weight, when raked.
    pub max_weight_ratio: Option<f64>,
    /// Whether trimming brought every weight under its cap (true when not raked).
    pub trim_converged: bool,
    /// Age groups collapsed for raking, e.g. `65-84 → 45-64+65-84`.
    pub collapsed: Vec<String>,
}

impl Weighting {
    /// The response rate of a sampled wave (METHODOLOGY §1).
    pub fn response_rate(&self) -> Option<f64> {
        self.fieldwork.as_ref().and_then(|f| f.rate())
    }
}

/// The questions weights are raked by, and their categories: the sex question's options
/// without "don't know", and the age groups.
pub struct Raking<'a> {
    pub sex: &'a Question,
    pub age: &'a Question,
    pub categories: [Vec<String>; 2],
}

impl<'a> Raking<'a> {
    pub fn new(sex: &'a Question, age: &'a Question) -> Self {
        let sex_cats: Vec<String> = sex
            .options
            .iter()
            .filter(|o| !o.dont_know)
            .map(|o| o.code.clone())
            .collect();
        let age_cats: Vec<String> = AGE_GROUPS.iter().map(|s| s.to_string()).collect();
        Raking {
            sex,
            age,
            categories: [sex_cats, age_cats],
        }
    }
}

/// Every respondent's weight, in frame order, and what the weighting tells a reader.
pub struct Weighted {
    pub weights: Vec<f64>,
    /// Per year and district: whether its estimates are weighted.
    pub weighted: HashMap<(i32, String), bool>,
    /// One summary per wave, in wave order.
    pub summaries: Vec<Weighting>,
    pub notes: Vec<String>,
}

/// A wave's weights, the notes its weighting gives, and its summary row.
type WaveWeights = (Vec<f64>, Vec<String>, Weighting);

/// Weighs every wave of the frame. Each wave is raked on its own, so the waves are raked in
/// parallel; the results are merged in wave order, which keeps weights, notes and the
/// summary deterministic.
pub fn weigh(
    frame: &DataFrame,
    waves: &[LoadedWave],
    raking: &Raking,
    surveys: &Path,
) -> Result<Weighted, Error> {
    let columns = Columns::of(frame, raking)?;
    let mut notes = Vec::new();
    let populations = populations(waves, surveys, &mut notes)?;
    let raked: Vec<Result<WaveWeights, Error>> = {
        use rayon::prelude::*;
        waves
            .par_iter()
            .map(|lw| {
                let pop = populations.get(&lw.wave.year).and_then(Option::as_ref);
                weigh_wave(lw, pop, &columns, &raking.categories)
            })
            .collect()
    };
    let mut out = Weighted {
        weights: vec![1.0f64; frame.height()],
        weighted: HashMap::new(),
        summaries: Vec::new(),
        notes,
    };
    for (lw, r) in waves.iter().zip(raked) {
        let (w, wave_notes, summary) = r?;
        out.weights[lw.offset..lw.offset + lw.len].copy_from_slice(&w);
        out.notes.extend(wave_notes);
        out.weighted
            .insert((lw.wave.year, lw.wave.district.clone()), summary.weighted);
        out.summaries.push(summary);
    }
    Ok(out)
}

/// Every respondent's answer positions to the sex and age questions, and each answer
/// position's raking category, looked up once per option, not per row.
struct Columns {
    sex: Vec<Option<u32>>,
    age: Vec<Option<u32>>,
    sex_cat: Vec<Option<usize>>,
    age_cat: Vec<Option<usize>>,
}

impl Columns {
    fn of(frame: &DataFrame, raking: &Raking) -> Result<Self, Error> {
        Ok(Columns {
            sex: u32s(frame, &raking.sex.code)?,
            age: u32s(frame, &raking.age.code)?,
            sex_cat: position_categories(raking.sex, &raking.categories[0]),
            age_cat: position_categories(raking.age, &raking.categories[1]),
        })
    }

    /// Respondent `i`'s raking categories (sex, age); `None` where unknown.
    fn categories(&self, i: usize) -> [Option<usize>; 2] {
        [
            self.sex[i].and_then(|p| self.sex_cat.get(p as usize).copied().flatten()),
            self.age[i].and_then(|p| self.age_cat.get(p as usize).copied().flatten()),
        ]
    }
}

/// Each answer position's category among `cats`, by option code.
fn position_categories(question: &Question, cats: &[String]) -> Vec<Option<usize>> {
    (0..question.options.len())
        .map(|p| {
            question
                .options
                .get(p)
                .and_then(|o| cats.iter().position(|c| *c == o.code))
        })
        .collect()
}

/// Population margins per year, read once (in wave order, so the notes keep their order);
/// a year without a population file gets a note saying how its waves are weighted.
fn populations(
    waves: &[LoadedWave],
    surveys: &Path,
    notes: &mut Vec<String>,
) -> Result<HashMap<i32, Option<Population>>, Error> {
    let mut populations: HashMap<i32, Option<Population>> = HashMap::new();
    for lw in waves {
        let year = lw.wave.year;
        if let std::collections::hash_map::Entry::Vacant(slot) = populations.entry(year) {
            let p = population::load(surveys, year)?;
            if p.is_none() {
                let sampled = waves
                    .iter()
                    .any(|w| w.wave.year == year && !w.strata.is_empty());
                notes.push(format!(
                    "{year}: no population file ({}); {}",
                    population::path_for(surveys, year).display(),
                    if sampled {
                        "sampled districts are weighted by their design weights alone, the others are unweighted"
                    } else {
                        "estimates are unweighted"
                    }
                ));
            }
            slot.insert(p);
        }
    }
    Ok(populations)
}

/// One wave's weights: raked when its year has population margins, else its design weights
/// (a random sample) or 1.
fn weigh_wave(
    lw: &LoadedWave,
    pop: Option<&Population>,
    columns: &Columns,
    categories: &[Vec<String>; 2],
) -> Result<WaveWeights, Error> {
    let cats: Vec<[Option<usize>; 2]> = (lw.offset..lw.offset + lw.len)
        .map(|i| columns.categories(i))
        .collect();
    let mut notes = Vec::new();
    let mut w = vec![1.0f64; lw.len];
    let mut raked: Option<Raked> = None;
    let design = design_weights(lw, &cats, categories);
    if let Some(pop) = pop {
        let r = rake(lw, pop, &cats, categories, design.as_deref())?;
        w.copy_from_slice(&r.weights);
        notes.extend(raking_notes(lw, &r));
        raked = Some(r);
    } else if let Some(d) = &design {
        w.copy_from_slice(d);
    }
    let summary = summary(lw, &w, pop.is_some() || design.is_some(), raked);
    Ok((w, notes, summary))
}

/// A random sample's design weights N_h / n_h (METHODOLOGY §1), one per respondent; `None`
/// for a wave without a sample.
fn design_weights(
    lw: &LoadedWave,
    cats: &[[Option<usize>; 2]],
    categories: &[Vec<String>; 2],
) -> Option<Vec<f64>> {
    crate::fieldwork::DesignWeights::new(&lw.strata).map(|d| {
        cats.iter()
            .map(|c| {
                d.weight(
                    c[0].map(|i| categories[0][i].as_str()),
                    c[1].map(|i| categories[1][i].as_str()),
                )
            })
            .collect()
    })
}

/// Rakes a wave to its district's margins in `pop`, naming the wave and file on failure.
fn rake(
    lw: &LoadedWave,
    pop: &Population,
    cats: &[[Option<usize>; 2]],
    categories: &[Vec<String>; 2],
    design: Option<&[f64]>,
) -> Result<Raked, Error> {
    let year = lw.wave.year;
    let margins = pop.margins(&lw.wave.district, year, categories)?;
    weights::rake_wave(cats, &margins, design).map_err(|e| {
        Error::Invalid(format!(
            "weighting {} {year}: {e} ({})",
            lw.wave.district,
            pop.file.display()
        ))
    })
}

/// What a reader should know of a wave's raking: collapsed age groups, and trimming that
/// did not reach its cap.
fn raking_notes(lw: &LoadedWave, r: &Raked) -> Vec<String> {
    let year = lw.wave.year;
    let mut notes = Vec::new();
    for c in &r.collapsed {
        notes.push(format!(
            "{} {year}: no respondents aged {c} (age groups collapsed for weighting)",
            lw.wave.district
        ));
    }
    if !r.trim_converged {
        notes.push(format!(
            "{} {year}: trimming did not reach its cap in {} rounds: the largest weight is {:.2} × the mean (cap {})",
            lw.wave.district,
            weights::MAX_TRIM_ROUNDS,
            r.max_ratio,
            weights::TRIM_FACTOR
        ));
    }
    notes
}

/// A wave's summary row: its size, effective size and how it was weighted.
fn summary(lw: &LoadedWave, w: &[f64], weighted: bool, raked: Option<Raked>) -> Weighting {
    let s: stats::Sums = w.iter().fold(Default::default(), |mut acc, &x| {
        acc.add(&stats::Sums::one(x, 0.0));
        acc
    });
    Weighting {
        year: lw.wave.year,
        district: lw.wave.district.clone(),
        n: lw.len,
        n_eff: s.n_eff(),
        efficiency: if lw.len > 0 {
            s.n_eff() / lw.len as f64
        } else {
            0.0
        },
        weighted,
        fieldwork: (!lw.rates.is_empty()).then(|| crate::store::StratumRate::total(&lw.rates)),
        max_weight_ratio: raked.as_ref().map(|r| r.max_ratio),
        trim_converged: raked.as_ref().is_none_or(|r| r.trim_converged),
        collapsed: raked.map(|r| r.collapsed).unwrap_or_default(),
    }
}
