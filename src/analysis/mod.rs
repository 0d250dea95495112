//! The analysis engine: stored responses in, one tidy results table out.
//!
//! The pipeline, each step in its own module, every formula from METHODOLOGY.md:
//! 1. [`load`] streams the chosen waves into one polars frame (one column per question);
//! 2. [`weights`] rakes each district × year to its [`population`] margins;
//! 3. [`aggregate`] computes sufficient sums per domain in one lazy polars pass per grouping;
//! 4. [`results`] turns sums into estimates, intervals, index levels, year-over-year changes
//!    and q-values, suppressing small groups as it goes, and [`suppression`] hides what
//!    published totals less published parts would give back (METHODOLOGY §5b);
//! 5. [`measures`] evaluates registered measures (difference-in-differences);
//! 6. [`output`] writes the tables as CSV or Parquet.
//!
//! Loading is async (it reads the store); everything after it is CPU work that [`analyze`]
//! runs on a blocking thread, so the server's runtime is never held up.

pub mod aggregate;
pub mod columnar;
pub mod current;
pub mod load;
pub mod measures;
pub mod model;
pub mod options;
pub mod output;
pub mod policy;
pub mod population;
pub mod results;
pub mod stats;
pub mod suppression;
pub mod variable;
pub mod weights;

use std::collections::{BTreeSet, HashMap};
use std::ops::RangeInclusive;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use polars::prelude::*;

use crate::error::Error;
use crate::questionnaire::{AGE_GROUPS, Districts, Questionnaire, Role};
use crate::store::{Store, Wave};

pub use current::Current;
pub use measures::{Measure, MeasureRow};
pub use model::{
    ChartName, Domain, Group, IndexClass, IndexName, IndicatorKey, ResultRow, Suppression,
};
pub use options::Options;
pub use output::check_output_path;
pub use variable::{Kind, Variable, variables};

use load::u32s;

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

/// Everything one analysis run produces.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub results: Vec<ResultRow>,
    pub measures: Vec<MeasureRow>,
    /// The comparison districts' pooled series of each measure, for the measure charts.
    pub measure_series: Vec<measures::SeriesRow>,
    /// The measures register the evaluation used.
    pub register: Vec<Measure>,
    /// The analysed waves, for when each was in the field (charts draw a year's point at
    /// its fieldwork, so a measure's start line falls on the right side of it).
    pub waves: Vec<Wave>,
    /// The questionnaire the table's codes and labels come from (the newest analysed).
    pub questionnaire: Arc<Questionnaire>,
    pub weighting: Vec<Weighting>,
    /// Things a reader should know: unweighted years, measures that could not be evaluated.
    pub notes: Vec<String>,
    pub timings: Timings,
}

#[derive(Debug, Clone, Default)]
pub struct Timings {
    pub load: Duration,
    pub compute: Duration,
    pub responses: usize,
    /// Closed waves read from, and written to, their columnar files.
    pub frozen: load::FrozenUse,
}

/// Where the analysis finds its files.
#[derive(Debug, Clone)]
pub struct Inputs {
    pub districts: Districts,
    pub surveys: PathBuf,
}

/// Loads the waves of the chosen years and runs the whole analysis.
pub async fn analyze(store: &Store, inputs: &Inputs, options: &Options) -> Result<Analysis, Error> {
    let started = Instant::now();
    let all = store.waves().await?;
    let mut waves: Vec<Wave> = Vec::new();
    for d in inputs.districts.codes() {
        waves.extend(
            all.iter()
                .filter(|w| w.district == d && options.years.contains(&w.year))
                .cloned(),
        );
    }
    waves.sort_by(|a, b| (a.year, &a.district).cmp(&(b.year, &b.district)));
    for year in options.years.clone() {
        if !waves.iter().any(|w| w.year == year) {
            return Err(Error::Invalid(format!("there are no waves in {year}")));
        }
    }
    if let Some(b) = options.base_year
        && !options.years.contains(&b)
    {
        return Err(Error::Invalid(format!(
            "base year {b} is outside the years analysed ({}..{})",
            options.years.start(),
            options.years.end()
        )));
    }
    let mut snapshots: HashMap<i64, Arc<Questionnaire>> = HashMap::new();
    for w in &waves {
        if let std::collections::hash_map::Entry::Vacant(e) = snapshots.entry(w.questionnaire_id) {
            e.insert(Arc::new(store.questionnaire(w.questionnaire_id).await?));
        }
    }
    let frozen_dir = store.frozen_dir().filter(|_| options.columnar);
    let loaded = load::load(
        store,
        &waves,
        |id| {
            snapshots
                .get(&id)
                .cloned()
                .ok_or_else(|| Error::Internal(format!("snapshot {id} missing")))
        },
        frozen_dir.as_deref(),
    )
    .await?;
    let frozen = loaded.frozen;
    let load_time = started.elapsed();
    let register = measures::current(store, &inputs.surveys, &inputs.districts).await?;
    let inputs = inputs.clone();
    let options = options.clone();
    let mut analysis =
        tokio::task::spawn_blocking(move || compute(loaded, &inputs, &options, register))
            .await
            .map_err(|e| Error::Internal(format!("analysis thread: {e}")))??;
    analysis.timings.load = load_time;
    analysis.timings.frozen = frozen;
    Ok(analysis)
}

/// The CPU part: weights, sums, estimates, comparisons and measures.
pub fn compute(
    loaded: load::Loaded,
    inputs: &Inputs,
    options: &Options,
    register: Vec<Measure>,
) -> Result<Analysis, Error> {
    let started = Instant::now();
    let load::Loaded {
        mut frame,
        reference,
        waves,
        frozen: _,
    } = loaded;
    let q = &reference;
    let sex_q = q
        .with_role(Role::Sex)
        .ok_or_else(|| Error::Invalid("the questionnaire has no sex question".into()))?;
    let age_q = q
        .with_role(Role::AgeGroup)
        .ok_or_else(|| Error::Invalid("the questionnaire has no age group question".into()))?;

    // Weights per district and year.
    let mut notes = Vec::new();
    let mut weighted: HashMap<(i32, String), bool> = HashMap::new();
    let mut weights = vec![1.0f64; frame.height()];
    let mut weighting = Vec::new();
    let sex_cats: Vec<String> = sex_q
        .options
        .iter()
        .filter(|o| !o.dont_know)
        .map(|o| o.code.clone())
        .collect();
    let age_cats: Vec<String> = AGE_GROUPS.iter().map(|s| s.to_string()).collect();
    let categories = [sex_cats, age_cats];
    let pos_to_cat = |question: &crate::questionnaire::Question, cats: &[String], p: u32| {
        question
            .options
            .get(p as usize)
            .and_then(|o| cats.iter().position(|c| *c == o.code))
    };
    let sex_col = u32s(&frame, &sex_q.code)?;
    let age_col = u32s(&frame, &age_q.code)?;
    // Each answer position's raking category, looked up once per option, not per row.
    let position_cats = |question: &crate::questionnaire::Question, cats: &[String]| {
        (0..question.options.len() as u32)
            .map(|p| pos_to_cat(question, cats, p))
            .collect::<Vec<_>>()
    };
    let (sex_cat, age_cat) = (
        position_cats(sex_q, &categories[0]),
        position_cats(age_q, &categories[1]),
    );
    // Population margins per year, read once (in wave order, so the notes keep their order).
    let mut populations: HashMap<i32, Option<population::Population>> = HashMap::new();
    for lw in &waves {
        let year = lw.wave.year;
        if let std::collections::hash_map::Entry::Vacant(slot) = populations.entry(year) {
            let p = population::load(&inputs.surveys, year)?;
            if p.is_none() {
                let sampled = waves
                    .iter()
                    .any(|w| w.wave.year == year && !w.strata.is_empty());
                notes.push(format!(
                    "{year}: no population file ({}); {}",
                    population::path_for(&inputs.surveys, year).display(),
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
    // Each wave is raked on its own, so the waves are raked in parallel; the results are
    // merged in wave order, which keeps weights, notes and the summary deterministic.
    // A wave's weights, the notes its weighting gives, and its summary row.
    type WaveWeights = (Vec<f64>, Vec<String>, Weighting);
    let per_wave = |lw: &load::LoadedWave| -> Result<WaveWeights, Error> {
        let year = lw.wave.year;
        let range = lw.offset..lw.offset + lw.len;
        let pop = populations.get(&year).and_then(Option::as_ref);
        let cats: Vec<[Option<usize>; 2]> = range
            .clone()
            .map(|i| {
                [
                    sex_col[i].and_then(|p| sex_cat.get(p as usize).copied().flatten()),
                    age_col[i].and_then(|p| age_cat.get(p as usize).copied().flatten()),
                ]
            })
            .collect();
        let mut notes = Vec::new();
        let mut w = vec![1.0f64; lw.len];
        let mut raked: Option<weights::Raked> = None;
        // A random sample starts from its design weights N_h / n_h (METHODOLOGY §1).
        let design: Option<Vec<f64>> = {
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
        };
        if let Some(pop) = pop {
            let margins = pop.margins(&lw.wave.district, year, &categories)?;
            let r = weights::rake_wave(&cats, &margins, design.as_deref()).map_err(|e| {
                Error::Invalid(format!(
                    "weighting {} {year}: {e} ({})",
                    lw.wave.district,
                    pop.file.display()
                ))
            })?;
            w.copy_from_slice(&r.weights);
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
            raked = Some(r);
        } else if let Some(d) = &design {
            w.copy_from_slice(d);
        }
        let s: stats::Sums = w.iter().fold(Default::default(), |mut acc, &x| {
            acc.add(&stats::Sums::one(x, 0.0));
            acc
        });
        let summary = Weighting {
            year,
            district: lw.wave.district.clone(),
            n: lw.len,
            n_eff: s.n_eff(),
            efficiency: if lw.len > 0 {
                s.n_eff() / lw.len as f64
            } else {
                0.0
            },
            weighted: pop.is_some() || design.is_some(),
            fieldwork: (!lw.rates.is_empty()).then(|| crate::store::StratumRate::total(&lw.rates)),
            max_weight_ratio: raked.as_ref().map(|r| r.max_ratio),
            trim_converged: raked.as_ref().is_none_or(|r| r.trim_converged),
            collapsed: raked.map(|r| r.collapsed).unwrap_or_default(),
        };
        Ok((w, notes, summary))
    };
    let raked: Vec<Result<WaveWeights, Error>> = {
        use rayon::prelude::*;
        waves.par_iter().map(per_wave).collect()
    };
    for (lw, r) in waves.iter().zip(raked) {
        let (w, wave_notes, summary) = r?;
        weights[lw.offset..lw.offset + lw.len].copy_from_slice(&w);
        notes.extend(wave_notes);
        weighted.insert((lw.wave.year, lw.wave.district.clone()), summary.weighted);
        weighting.push(summary);
    }
    frame
        .with_column(Series::new("w".into(), weights).into())
        .map_err(|e| Error::Internal(format!("adding weights: {e}")))?;

    tracing::info!(ms = started.elapsed().as_millis() as u64, "weights done");
    let vars = variables(q);
    let aggs = aggregate::aggregate(&frame, &vars, q, &sex_q.code, &age_q.code, &waves)?;
    tracing::info!(ms = started.elapsed().as_millis() as u64, "sums done");
    drop(frame);

    let years: Vec<i32> = options.years.clone().collect();
    let districts: Vec<String> = inputs
        .districts
        .codes()
        .filter(|d| waves.iter().any(|w| w.wave.district == *d))
        .map(str::to_string)
        .collect();
    let mut groups = vec![model::Group::All];
    groups.extend(categories[0].iter().map(|c| model::Group::Sex(c.clone())));
    groups.extend(categories[1].iter().map(|c| model::Group::Age(c.clone())));
    let asked: HashMap<(i32, String), BTreeSet<String>> = waves
        .iter()
        .map(|w| ((w.wave.year, w.wave.district.clone()), w.asked.clone()))
        .collect();
    let blocks: Vec<String> = q.indices.iter().map(|b| b.code.clone()).collect();
    let input = results::TableInput {
        aggs: &aggs,
        vars: &vars,
        blocks: &blocks,
        years: &years,
        districts: &districts,
        groups: &groups,
        asked: &asked,
        weighted: &weighted,
        options,
    };
    let results::Table {
        rows: table,
        protecting,
    } = results::build(&input);
    if protecting > 0 {
        notes.push(format!(
            "{protecting} cells hidden to protect others (secondary suppression, METHODOLOGY §5b)"
        ));
    }
    tracing::info!(ms = started.elapsed().as_millis() as u64, "table done");
    let plain_waves: Vec<Wave> = waves.iter().map(|w| w.wave.clone()).collect();
    let hidden = measures::Hidden::of(&table);
    let (measure_rows, measure_notes) =
        measures::evaluate(&register, &plain_waves, &input, &hidden);
    let measure_series = measures::comparison_series(&register, &measure_rows, &input, &hidden);
    notes.extend(measure_notes);
    Ok(Analysis {
        results: table,
        measures: measure_rows,
        measure_series,
        register,
        waves: plain_waves,
        questionnaire: reference.clone(),
        weighting,
        notes,
        timings: Timings {
            load: Duration::ZERO,
            compute: started.elapsed(),
            responses: waves.iter().map(|w| w.len).sum(),
            frozen: Default::default(),
        },
    })
}

/// Parses `2019..2026`, `2019..=2026` or a single year.
pub fn parse_years(s: &str) -> Result<RangeInclusive<i32>, Error> {
    let bad = || {
        Error::Invalid(format!(
            "--years \"{s}\" is not a year or a range like 2019..2026"
        ))
    };
    let year = |x: &str| -> Result<i32, Error> {
        let y: i32 = x.trim().parse().map_err(|_| bad())?;
        if (2000..=2100).contains(&y) {
            Ok(y)
        } else {
            Err(bad())
        }
    };
    let range = match s.split_once("..") {
        Some((a, b)) => year(a)?..=year(b.trim_start_matches('='))?,
        None => year(s)?..=year(s)?,
    };
    if range.start() > range.end() {
        return Err(Error::Invalid(format!(
            "--years \"{s}\": the first year is after the last"
        )));
    }
    Ok(range)
}
