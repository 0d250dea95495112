//! Synthetic history: made-up but plausible responses for 2019 to this year, so every part
//! of trygg has data before the first real survey.
//!
//! Every response it writes is stored with `synthetic = 1`. The generator is seeded and each
//! district × year draws from its own stream, so the same seed always gives the same data.
//!
//! What it builds in, so the analysis has something to find:
//! - districts differ in level (Skäggetorp highest, City lowest), with a slow general decline;
//! - women and older residents answer more often than their share of the population, and
//!   worry more; younger residents report more victimisation;
//! - the measures in `surveys/measures.toml` go with changes: after the lighting measure in
//!   Skäggetorp (2021) poor lighting and insecurity out late fall; field workers in Berga
//!   (2023) go with fewer youth-gang problems; cameras in City (2022) with less vandalism.
//!
//! Beside the survey it writes two years of EST incident reports (`est.rs`) that tell the
//! same story: fewer lighting reports in Skäggetorp after its lighting, and so on.

pub mod est;

use std::fmt;
use std::path::Path;

use chrono::{Datelike, Duration, NaiveDate};

use crate::error::Error;
use crate::questionnaire::{
    self, Answer, Answers, Choice, Districts, Question, QuestionKind, Questionnaire, Role,
};
pub use crate::rng::Rng;
use crate::store::{Channel, NewResponse, NewWave, Store};

pub const DEFAULT_SEED: u64 = 2026;
pub const FIRST_YEAR: i32 = 2019;
/// The demo's years drawn as random samples with letters: every finished year, so their
/// changes and measures can be tested (an open link's self-selected answers carry no
/// significance). This year stays an open link so the resident pages can be tried.
pub const SAMPLED_YEARS_BACK: std::ops::RangeInclusive<i32> = 1..=i32::MAX;
/// Letters per district in a sampled demo year.
const DEMO_LETTERS: u64 = 1400;
/// Share of delivered letters answered, by age group: lower among the young.
const RESPONSE_BY_AGE: [f64; 4] = [0.35, 0.45, 0.55, 0.60];
/// Share of answers on paper, by age group.
const PAPER_BY_AGE: [f64; 4] = [0.05, 0.12, 0.25, 0.45];

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

/// How much worse than the norm a district is, on the logit scale.
fn district_level(district: &str) -> f64 {
    match district {
        "skaggetorp" => 1.0,
        "berga" => 0.5,
        "ryd" => 0.3,
        "city" => 0.0,
        _ => 0.2,
    }
}

/// The effects the generator puts in after a measure: (district, first year, question, logit shift).
/// They match the measures registered in `surveys/measures.toml`.
pub const MEASURE_EFFECTS: &[(&str, i32, &str, f64)] = &[
    ("skaggetorp", 2021, "P_BELYSNING", -1.2),
    ("skaggetorp", 2021, "T_UTE_KVALL", -0.6),
    ("skaggetorp", 2021, "T_UNDVIKER", -0.4),
    ("berga", 2023, "P_UNGDOMSGANG", -0.6),
    ("city", 2022, "P_SKADEGORELSE", -0.5),
];

/// One synthetic respondent's answers.
fn respondent(q: &Questionnaire, district: &str, year: i32, rng: &mut Rng) -> Answers {
    // Who answers: women and older residents more than their population share.
    let sex = ["kvinna", "man", "annat"][rng.weighted(&[0.56, 0.42, 0.02])];
    let age = rng.weighted(&[0.09, 0.24, 0.31, 0.36]);
    respondent_as(q, district, year, sex, age, rng)
}

/// A synthetic respondent of a given sex and age group (index into the age groups).
fn respondent_as(
    q: &Questionnaire,
    district: &str,
    year: i32,
    sex: &str,
    age: usize,
    rng: &mut Rng,
) -> Answers {
    let mut answers = Answers::default();
    // A respondent's general unease, shared by all their answers (answers correlate).
    let who = Who {
        district,
        year,
        sex,
        age,
        unease: rng.normal(),
    };
    for question in &q.questions {
        if let Some(a) = answer(question, &who, rng) {
            answers.0.insert(question.code.clone(), a);
        }
    }
    answers
}

/// Who a synthetic respondent is: where and when they answer, their sex, age group (an
/// index into the age groups) and general unease.
struct Who<'a> {
    district: &'a str,
    year: i32,
    sex: &'a str,
    age: usize,
    unease: f64,
}

/// One answer of a synthetic respondent; `None` when they leave the question out.
fn answer(question: &Question, who: &Who, rng: &mut Rng) -> Option<Answer> {
    let substantive: Vec<_> = question.options.iter().filter(|o| !o.dont_know).collect();
    if let Some(background) = background(question, who, &substantive, rng) {
        return background;
    }
    // Item non-response on optional questions.
    if !question.required && rng.uniform() < 0.02 {
        return None;
    }
    match question.kind {
        QuestionKind::FreeText => (rng.uniform() < 0.08).then(|| {
            const PLACES: [&str; 4] = [
                "Gångtunneln vid centrum på kvällen, den är mörk.",
                "Parkeringen bakom skolan, där samlas gäng.",
                "Busshållplatsen sent på kvällen.",
                "Cykelvägen genom parken, dålig belysning.",
            ];
            Answer::Text(PLACES[rng.range(0, 3) as usize].to_string())
        }),
        QuestionKind::Number => Some(Answer::Number(
            rng.range(question.min, question.max.min(question.min + 40)),
        )),
        QuestionKind::Multi => {
            let mut picked: Vec<String> = substantive
                .iter()
                .filter(|_| rng.uniform() < 0.35)
                .map(|o| o.code.clone())
                .collect();
            if picked.is_empty() {
                picked.push(substantive[0].code.clone());
            }
            Some(Answer::Choices(picked))
        }
        _ => Some(choice(question, who, &substantive, rng)),
    }
}

/// The answer to a background question whose role decides it (sex, age group, housing):
/// `Some` with the answer, or with `None` for an age left out; `None` for any other question.
fn background(
    question: &Question,
    who: &Who,
    substantive: &[&Choice],
    rng: &mut Rng,
) -> Option<Option<Answer>> {
    match question.role {
        Some(Role::Sex) => Some(Some(Answer::Choice(who.sex.to_string()))),
        Some(Role::AgeGroup) => {
            // A few leave their age out; the raking puts them in an "unknown" category.
            Some(
                (rng.uniform() > 0.01)
                    .then(|| Answer::Choice(questionnaire::AGE_GROUPS[who.age].to_string())),
            )
        }
        Some(Role::Housing) => {
            let w = if who.district == "skaggetorp" || who.district == "berga" {
                [0.7, 0.15, 0.1, 0.05]
            } else {
                [0.45, 0.35, 0.15, 0.05]
            };
            let i = rng.weighted(&w[..substantive.len().min(4)]);
            Some(Some(Answer::Choice(substantive[i].code.clone())))
        }
        _ => None,
    }
}

/// The answer to a single-choice or scale question: sometimes "don't know"; for an
/// indicator counted with the respondent's probability, else milder options more often.
fn choice(question: &Question, who: &Who, substantive: &[&Choice], rng: &mut Rng) -> Answer {
    if let Some(dk) = question.options.iter().find(|o| o.dont_know)
        && rng.uniform() < 0.05
    {
        return Answer::Choice(dk.code.clone());
    }
    let Some(ind) = &question.indicator else {
        let w: Vec<f64> = (0..substantive.len())
            .map(|i| 1.0 / (1.0 + i as f64))
            .collect();
        return Answer::Choice(substantive[rng.weighted(&w)].code.clone());
    };
    let p = indicator_probability(question, ind.norm, who);
    let counted = rng.uniform() < p;
    let pool: Vec<_> = substantive
        .iter()
        .filter(|o| ind.counts.contains(&o.code) == counted)
        .collect();
    // Milder options are more common than the extreme ones on either side.
    let w: Vec<f64> = (0..pool.len())
        .map(|i| {
            if counted {
                1.0 / (1.0 + i as f64)
            } else {
                1.0 + i as f64
            }
        })
        .collect();
    Answer::Choice(pool[rng.weighted(&w)].code.clone())
}

/// The probability that a respondent's answer is counted by an indicator with this norm.
fn indicator_probability(question: &Question, norm: f64, who: &Who) -> f64 {
    let (district, year, sex, age) = (who.district, who.year, who.sex, who.age);
    let code = question.code.as_str();
    let mut x = logit(norm) + district_level(district) - 0.03 * f64::from(year - FIRST_YEAR);
    let worry = code.starts_with('T') || code.starts_with('O');
    if worry && sex == "kvinna" {
        x += 0.5;
    }
    if worry && age == 3 {
        x += 0.3;
    }
    if code.starts_with('U') && age == 0 {
        x += 0.5;
    }
    for (d, from, q, shift) in MEASURE_EFFECTS {
        if *d == district && *q == code && year >= *from {
            x += shift;
        }
    }
    logistic(x + 0.6 * who.unease)
}

/// What `fill` made.
#[derive(Debug, Clone)]
pub struct Summary {
    pub waves: usize,
    pub responses: usize,
    pub first_year: i32,
    pub last_year: i32,
    /// Waves drawn as (synthetic) random samples with letters.
    pub sampled: usize,
    /// Synthetic EST incident reports.
    pub est_reports: usize,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "demo: {} waves ({} of them synthetic random samples with letters), {} SYNTHETIC responses for {}–{} (labelled synthetic in the database), {} SYNTHETIC EST reports",
            self.waves,
            self.sampled,
            self.responses,
            self.first_year,
            self.last_year,
            self.est_reports
        )
    }
}

/// The synthetic responses of one wave: 250–600 respondents, seeded by district and year.
pub fn wave_responses(q: &Questionnaire, district: &str, year: i32, seed: u64) -> Vec<Answers> {
    let mut rng = wave_rng(district, year, seed);
    let n = rng.range(250, 600) as usize;
    (0..n)
        .map(|_| respondent(q, district, year, &mut rng))
        .collect()
}

/// `n` synthetic responses for one district and year (the benchmark's large waves).
pub fn responses<'a>(
    q: &'a Questionnaire,
    district: &'a str,
    year: i32,
    seed: u64,
    n: usize,
) -> impl Iterator<Item = Answers> + 'a {
    let mut rng = wave_rng(district, year, seed ^ 0xB1);
    (0..n).map(move |_| respondent(q, district, year, &mut rng))
}

fn wave_rng(district: &str, year: i32, seed: u64) -> Rng {
    let district_no = district
        .bytes()
        .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    Rng::stream(seed, &[district_no, year as u64])
}

/// Publishes waves for 2019 to this year in every district with the bundled questionnaire
/// and fills them with synthetic responses. Refuses a database that already has waves.
pub async fn fill(
    store: &Store,
    districts: &Districts,
    surveys: &Path,
    seed: u64,
) -> Result<Summary, Error> {
    if !store.is_empty().await? {
        return Err(Error::Conflict(
            "the database already holds waves; demo data only goes into an empty database".into(),
        ));
    }
    let today = chrono::Local::now().date_naive();
    let last_year = today.year();
    let file = surveys.join(format!("trygghet-{last_year}.toml"));
    let source = std::fs::read_to_string(&file)
        .map_err(|e| Error::Invalid(format!("{}: {e}", file.display())))?;
    let q = questionnaire::parse(&file.display().to_string(), &source)
        .map_err(|f| Error::Invalid(format!("{}", f[0])))?;
    let demo = Demo {
        store,
        surveys,
        seed,
        today,
        q: &q,
        source: &source,
    };
    let mut summary = Summary {
        waves: 0,
        responses: 0,
        first_year: FIRST_YEAR,
        last_year,
        sampled: 0,
        est_reports: 0,
    };
    let progress = crate::progress::Progress::bar(
        ((last_year - FIRST_YEAR + 1) as usize * districts.codes().count()) as u64,
        "demo data",
        "waves",
    );
    for year in FIRST_YEAR..=last_year {
        for d in districts.codes() {
            let (responses, sampled) = demo.fill_wave(d, year).await?;
            summary.responses += responses;
            summary.sampled += usize::from(sampled);
            summary.waves += 1;
            progress.inc(1);
        }
    }
    progress.finish();
    // The finished years are closed: like real ones, they keep their strata's counts and
    // no letter codes.
    store.purge_closed_codes(today, "demo").await?;
    summary.est_reports = fill_est(store, districts, surveys, today, seed, 1.0).await?;
    Ok(summary)
}

/// Stores synthetic EST reports (`est::reports` at `scale`) for the districts and places of
/// `surveys`, in one transaction, and at the demo's own scale its four actions; how many
/// reports.
pub async fn fill_est(
    store: &Store,
    districts: &Districts,
    surveys: &Path,
    today: NaiveDate,
    seed: u64,
    scale: f64,
) -> Result<usize, Error> {
    let file = surveys.join(crate::est::PLACES_FILE);
    let places = crate::est::load_places(&file, Some(districts))
        .map_err(|f| Error::Invalid(f.first().map(|f| f.to_string()).unwrap_or_default()))?;
    let codes: Vec<&str> = districts.codes().collect();
    let measures = crate::analysis::measures::load(&surveys.join("measures.toml"), districts)?;
    let reports = est::reports(&codes, &places, &measures, today, seed, scale);
    let detail = format!("{} synthetic reports", reports.len());
    let n = store
        .insert_est_reports(&reports, "demo", "est demo", &detail)
        .await?;
    if scale == 1.0 {
        for a in est::actions(today) {
            store.insert_est_action(&a, "demo").await?;
        }
    }
    Ok(n)
}

/// What every demo wave is made with.
struct Demo<'a> {
    store: &'a Store,
    surveys: &'a Path,
    seed: u64,
    today: NaiveDate,
    q: &'a Questionnaire,
    /// The questionnaire's source text, published as every wave's snapshot.
    source: &'a str,
}

impl Demo<'_> {
    /// Publishes one district's wave of a year and fills it: a synthetic random sample with
    /// letters in the sampled years (when the year has population margins), else open-link
    /// responses. Returns the responses stored and whether the wave was sampled.
    async fn fill_wave(&self, d: &str, year: i32) -> Result<(usize, bool), Error> {
        let (store, q, seed) = (self.store, self.q, self.seed);
        let last_year = self.today.year();
        let (opens, closes) = field_dates(year, last_year);
        let last_day = closes.min(self.today);
        let span = (last_day - opens).num_days().max(0);
        let mut day_rng = Rng::stream(seed, &[year as u64, 7]);
        let sampled = if SAMPLED_YEARS_BACK.contains(&(last_year - year)) {
            crate::analysis::population::load(self.surveys, year)?
                .and_then(|pop| sampled_wave(q, d, year, seed, &pop))
        } else {
            None
        };
        let (answers, mut channels): (Vec<Answers>, Vec<Option<Channel>>) = match &sampled {
            Some(s) => s.answers.iter().map(|(a, c)| (a.clone(), Some(*c))).unzip(),
            None => wave_responses(q, d, year, seed)
                .into_iter()
                .map(|a| (a, None))
                .unzip(),
        };
        channels.reverse();
        let wave = NewWave {
            district: d,
            year,
            questionnaire_code: &q.code,
            source: self.source,
            opens_on: opens,
            closes_on: closes,
        };
        let responses = publish_with_answers(store, &wave, answers, |r| {
            r.submitted_on = opens + Duration::days(day_rng.range(0, span));
            match channels.pop().flatten() {
                Some(c) => r.channel = c,
                None if day_rng.uniform() < 0.15 => r.channel = Channel::Paper,
                None => {}
            }
            if day_rng.uniform() < 0.1 {
                r.lang = "en".into();
            }
        })
        .await?;
        let Some(s) = sampled else {
            return Ok((responses, false));
        };
        let stored = store
            .wave(d, year)
            .await?
            .ok_or_else(|| Error::Internal("a published wave vanished".into()))?;
        store.save_sample(stored.id, &s.strata, s.codes).await?;
        Ok((responses, true))
    }
}

/// When a demo year's wave is in the field: earlier years ran in September–October; this
/// year's wave stays open all year so the resident pages have a survey to show.
fn field_dates(year: i32, last_year: i32) -> (NaiveDate, NaiveDate) {
    if year == last_year {
        (date(year, 1, 1), date(year, 12, 31))
    } else {
        (date(year, 9, 1), date(year, 10, 31))
    }
}

/// A sampled demo wave: strata, letters with their fate, and the answers with their channel.
struct SampledWave {
    strata: Vec<crate::fieldwork::StratumCount>,
    codes: Vec<(Vec<u8>, String, crate::store::CodeStatus)>,
    answers: Vec<(Answers, Channel)>,
}

/// Draws a synthetic sampled wave: N_h from the population margins (sex × age, assuming
/// independence), letters allocated proportionally, each letter delivered (98 %) or not,
/// declined (1 %), answered with the age group's propensity, on paper or the web.
fn sampled_wave(
    q: &Questionnaire,
    district: &str,
    year: i32,
    seed: u64,
    pop: &crate::analysis::population::Population,
) -> Option<SampledWave> {
    use crate::fieldwork::sample::{Strata, allocate};
    use crate::store::CodeStatus;
    let dims = pop.districts.get(district)?;
    let (sexes, ages) = (dims.get("sex")?, dims.get("age_group")?);
    let total: f64 = sexes.values().sum();
    let strata_kind = Strata {
        sex: true,
        age: true,
    };
    let mut cells = Vec::new();
    for (s, ns) in sexes {
        for (ai, a) in crate::questionnaire::AGE_GROUPS.iter().enumerate() {
            let na = ages.get(*a).copied().unwrap_or(0.0);
            cells.push((s.clone(), ai, (ns * na / total).round() as u64));
        }
    }
    let sizes = allocate(&cells.iter().map(|c| c.2).collect::<Vec<_>>(), DEMO_LETTERS);
    let mut rng = Rng::stream(seed, &[year as u64, district.len() as u64, 0x5A]);
    let mut out = SampledWave {
        strata: Vec::new(),
        codes: Vec::new(),
        answers: Vec::new(),
    };
    for ((sex, age, n_pop), n_h) in cells.iter().zip(sizes) {
        let key = strata_kind.key(sex, crate::questionnaire::AGE_GROUPS[*age]);
        out.strata.push(crate::fieldwork::StratumCount {
            stratum: key.clone(),
            population: *n_pop,
            letters: n_h,
        });
        for _ in 0..n_h {
            // Synthetic letters have no code anyone holds: a random hash stands for one.
            let hash: Vec<u8> = (0..4).flat_map(|_| rng.next_u64().to_le_bytes()).collect();
            let fate = if rng.uniform() < 0.02 {
                CodeStatus::Undeliverable
            } else if rng.uniform() < 0.01 {
                CodeStatus::Declined
            } else if rng.uniform() < RESPONSE_BY_AGE[*age] {
                let channel = if rng.uniform() < PAPER_BY_AGE[*age] {
                    Channel::Paper
                } else {
                    Channel::Web
                };
                out.answers.push((
                    respondent_as(q, district, year, sex, *age, &mut rng),
                    channel,
                ));
                if channel == Channel::Paper {
                    CodeStatus::Paper
                } else {
                    CodeStatus::Web
                }
            } else {
                CodeStatus::Unused
            };
            out.codes.push((hash, key.clone(), fate));
        }
    }
    Some(out)
}

/// Publishes a wave, then stores synthetic answers in it in one transaction; `vary` may set
/// each response's day, channel and language (by default the opening day, web, Swedish).
pub async fn publish_with_answers(
    store: &Store,
    wave: &NewWave<'_>,
    answers: impl IntoIterator<Item = Answers>,
    mut vary: impl FnMut(&mut NewResponse),
) -> Result<usize, Error> {
    store.publish(wave).await?;
    let stored = store
        .wave(wave.district, wave.year)
        .await?
        .ok_or_else(|| Error::Internal("a published wave vanished".into()))?;
    let responses: Vec<NewResponse> = answers
        .into_iter()
        .map(|a| {
            let mut r = NewResponse {
                wave_id: stored.id,
                submitted_on: wave.opens_on,
                channel: Channel::Web,
                lang: "sv".into(),
                synthetic: true,
                answers: a.to_json(),
            };
            vary(&mut r);
            r
        })
        .collect();
    store.insert_responses(&responses).await?;
    Ok(responses.len())
}

/// A SYNTHETIC sampling frame (the CSV a municipality gets from the population register):
/// `people` residents per district with made-up ids, names and addresses, aged 10–95 so
/// that some fall outside the survey's 16–84.
pub fn frame_csv(districts: &[&str], people: usize, year: i32, seed: u64) -> String {
    let mut rng = Rng::stream(seed, &[year as u64, 0xF4A3]);
    let mut out = String::from("person_id,district,sex,birth_year,name,street,postcode,city\n");
    let mut id = 0;
    for d in districts {
        for _ in 0..people {
            id += 1;
            let sex = if rng.uniform() < 0.5 { "K" } else { "M" };
            let born = year - rng.range(10, 95) as i32;
            out.push_str(&format!(
                "SYN{id:07},{d},{sex},{born},\"Syntetisk Person {id}\",Påhittade gatan {},{},Linköping\n",
                rng.range(1, 120),
                58_000 + rng.range(100, 999)
            ));
        }
    }
    out
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid calendar date")
}
