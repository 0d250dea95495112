//! Running the whole analysis: the waves of the chosen years loaded (from the database or
//! their frozen files), weighted, summed and turned into the results table with its
//! suppression and the measures' evaluation, with the time each step took.

use std::collections::{BTreeSet, HashMap};
use std::ops::RangeInclusive;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use polars::prelude::*;

use super::measures::{Measure, MeasureRow};
use super::model::ResultRow;
use super::options::Options;
use super::variable::{Variable, variables};
use super::weighting::Weighting;
use super::{aggregate, load, measures, model, results, weighting};
use crate::error::Error;
use crate::questionnaire::{Districts, Questionnaire, Role};
use crate::store::{Store, Wave};

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
    let raking = weighting::Raking::new(sex_q, age_q);
    let weighting::Weighted {
        weights,
        weighted,
        summaries: weighting,
        mut notes,
    } = weighting::weigh(&frame, &waves, &raking, &inputs.surveys)?;
    frame
        .with_column(Series::new("w".into(), weights).into())
        .map_err(|e| Error::Internal(format!("adding weights: {e}")))?;

    tracing::info!(ms = started.elapsed().as_millis() as u64, "weights done");
    let vars = variables(q);
    let aggs = aggregate::aggregate(&frame, &vars, q, &sex_q.code, &age_q.code, &waves)?;
    tracing::info!(ms = started.elapsed().as_millis() as u64, "sums done");
    drop(frame);

    let layout = Layout::new(q, inputs, options, &waves, &raking.categories);
    let input = layout.input(&aggs, &vars, &weighted, options);
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

/// What the results table is laid out by: years, districts with answers, groups, the
/// codes each wave asked and the index blocks. Owned here, so a [`results::TableInput`]
/// can borrow them.
struct Layout {
    years: Vec<i32>,
    districts: Vec<String>,
    groups: Vec<model::Group>,
    asked: HashMap<(i32, String), BTreeSet<String>>,
    open_link: std::collections::HashSet<(i32, String)>,
    blocks: Vec<String>,
}

impl Layout {
    fn new(
        q: &Questionnaire,
        inputs: &Inputs,
        options: &Options,
        waves: &[load::LoadedWave],
        categories: &[Vec<String>; 2],
    ) -> Self {
        let districts: Vec<String> = inputs
            .districts
            .codes()
            .filter(|d| waves.iter().any(|w| w.wave.district == *d))
            .map(str::to_string)
            .collect();
        let mut groups = vec![model::Group::All];
        groups.extend(categories[0].iter().map(|c| model::Group::Sex(c.clone())));
        groups.extend(categories[1].iter().map(|c| model::Group::Age(c.clone())));
        Layout {
            years: options.years.clone().collect(),
            districts,
            groups,
            asked: waves
                .iter()
                .map(|w| ((w.wave.year, w.wave.district.clone()), w.asked.clone()))
                .collect(),
            // Only waves with answers: a letter wave not yet sampled, or an open link nobody
            // answered, adds no self-selected answer to any estimate.
            open_link: waves
                .iter()
                .filter(|w| !w.wave.sampled && w.len > 0)
                .map(|w| (w.wave.year, w.wave.district.clone()))
                .collect(),
            blocks: q.indices.iter().map(|b| b.code.clone()).collect(),
        }
    }

    /// The results table's input: this layout with the sums and weighting it is built from.
    fn input<'a>(
        &'a self,
        aggs: &'a aggregate::Aggregates,
        vars: &'a [Variable],
        weighted: &'a HashMap<(i32, String), bool>,
        options: &'a Options,
    ) -> results::TableInput<'a> {
        results::TableInput {
            aggs,
            vars,
            blocks: &self.blocks,
            years: &self.years,
            districts: &self.districts,
            groups: &self.groups,
            asked: &self.asked,
            weighted,
            open_link: &self.open_link,
            options,
        }
    }
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
