//! Loads the responses of chosen waves into one polars frame.
//!
//! One row per response, one column per question code of the reference questionnaire (the
//! newest snapshot among the waves), typed by question type:
//! - single, scale, yes/no: `UInt32`, the option's position in the reference questionnaire;
//!   "don't know" and no answer are null;
//! - multiple choice: `UInt64`, a bit per option position;
//! - number: `Int64`;
//! - free text is never loaded: it is not part of any analysis.
//!
//! Rows are streamed from the store and decoded straight into column buffers (a serde
//! visitor, no intermediate JSON values), so the database is never held in memory twice.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::sync::Arc;

use polars::prelude::*;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::error::Error;
use crate::questionnaire::{QuestionKind, Questionnaire};
use crate::store::{Store, Wave};

/// One loaded wave: where its rows are in the frame and which codes it asked.
#[derive(Debug, Clone)]
pub struct LoadedWave {
    pub wave: Wave,
    pub offset: usize,
    pub len: usize,
    /// Codes of the reference questionnaire that this wave's snapshot also has.
    pub asked: BTreeSet<String>,
    /// The sampling strata (N_h, n_h) of a wave drawn as a random sample.
    pub strata: Vec<crate::fieldwork::StratumCount>,
    /// Letters and answers per stratum of a sampled wave.
    pub rates: Vec<crate::store::StratumRate>,
}

pub struct Loaded {
    /// One column per question of the reference questionnaire, the waves' rows one after
    /// the other; a wave's rows are found by its `offset` and `len` (no district or year
    /// column: a million repeated strings cost more than the analysis reading them).
    pub frame: DataFrame,
    pub reference: Arc<Questionnaire>,
    pub waves: Vec<LoadedWave>,
    pub frozen: FrozenUse,
}

enum Buffer {
    Choice {
        positions: HashMap<String, u32>,
        values: Vec<Option<u32>>,
    },
    Multi {
        positions: HashMap<String, u32>,
        values: Vec<Option<u64>>,
    },
    Number(Vec<Option<i64>>),
}

impl Buffer {
    fn push_none(&mut self) {
        match self {
            Buffer::Choice { values, .. } => values.push(None),
            Buffer::Multi { values, .. } => values.push(None),
            Buffer::Number(v) => v.push(None),
        }
    }
}

struct Column {
    code: String,
    buffer: Buffer,
}

/// Builds the columns of the reference questionnaire.
fn columns(q: &Questionnaire) -> Vec<Column> {
    q.questions
        .iter()
        .filter(|x| x.kind != QuestionKind::FreeText)
        .map(|x| {
            // "Don't know" options get no position: they load as null.
            let positions: HashMap<String, u32> = x
                .options
                .iter()
                .enumerate()
                .filter(|(_, o)| !o.dont_know)
                .map(|(i, o)| (o.code.clone(), i as u32))
                .collect();
            let buffer = match x.kind {
                QuestionKind::Multi => Buffer::Multi {
                    positions,
                    values: Vec::new(),
                },
                QuestionKind::Number => Buffer::Number(Vec::new()),
                _ => Buffer::Choice {
                    positions,
                    values: Vec::new(),
                },
            };
            Column {
                code: x.code.clone(),
                buffer,
            }
        })
        .collect()
}

/// How many waves came from frozen files, and how many files were (re)written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FrozenUse {
    pub read: usize,
    pub written: usize,
}

/// Loads the given waves (in the given order) into one frame. With `frozen` (the folder of
/// frozen waves), closed waves are read from their columnar files when those still match,
/// and frozen when they are not (`columnar.rs`).
pub async fn load(
    store: &Store,
    waves: &[Wave],
    snapshot: impl Fn(i64) -> Result<Arc<Questionnaire>, Error>,
    frozen: Option<&std::path::Path>,
) -> Result<Loaded, Error> {
    let newest = waves
        .iter()
        .max_by_key(|w| (w.year, w.questionnaire_id))
        .ok_or_else(|| Error::Invalid("no waves to analyse".into()))?;
    let reference = snapshot(newest.questionnaire_id)?;
    let template = columns(&reference);
    let index: HashMap<String, usize> = template
        .iter()
        .enumerate()
        .map(|(i, c)| (c.code.clone(), i))
        .collect();
    let mut height = 0usize;
    let mut loaded = Vec::new();
    let mut answers: Option<DataFrame> = None;
    let mut used = FrozenUse::default();
    let plans = frozen_plans(store, waves, frozen, reference_id(newest)).await?;
    let from_files = read_frozen(waves, &plans, &frozen_columns(&template));
    for ((wave, (closed, _)), df) in waves.iter().zip(plans).zip(from_files) {
        let own = snapshot(wave.questionnaire_id)?;
        let asked: BTreeSet<String> = own
            .questions
            .iter()
            .filter(|q| index.contains_key(&q.code))
            .map(|q| q.code.clone())
            .collect();
        let offset = height;
        used.read += usize::from(df.is_some());
        let df = match df {
            Some(df) => df,
            None => {
                let source = Source {
                    store,
                    reference: &reference,
                    index: &index,
                    reference_id: reference_id(newest),
                };
                source.read_and_freeze(wave, closed, &mut used).await?
            }
        };
        let n = df.height();
        match answers.as_mut() {
            None => answers = Some(df),
            Some(all) => {
                all.vstack_mut(&df)
                    .map_err(|e| Error::Internal(format!("stacking wave frames: {e}")))?;
            }
        }
        height += n;
        let (strata, rates) = fieldwork(store, wave).await?;
        loaded.push(LoadedWave {
            wave: wave.clone(),
            offset,
            len: n,
            asked,
            strata,
            rates,
        });
    }
    // Not rechunked: the analysis reads the columns in order, chunk after chunk, and
    // copying a million rows of every column into one piece cost more than it saved.
    let frame = answers.unwrap_or_default();
    if frame.height() != height {
        return Err(Error::Internal(format!(
            "the response frame has {} rows, its waves {height}",
            frame.height()
        )));
    }
    Ok(Loaded {
        frame,
        reference,
        waves: loaded,
        frozen: used,
    })
}

/// The columns a frozen file must have, with their types (as `from_db` builds them).
fn frozen_columns(template: &[Column]) -> Vec<(String, DataType)> {
    template
        .iter()
        .map(|c| {
            let t = match c.buffer {
                Buffer::Choice { .. } => DataType::UInt32,
                Buffer::Multi { .. } => DataType::UInt64,
                Buffer::Number(_) => DataType::Int64,
            };
            (c.code.clone(), t)
        })
        .collect()
}

/// Per wave: the frozen-wave folder when the wave is closed, and its file's hash and rows
/// when the file's record still matches.
type Plan<'a> = (Option<&'a std::path::Path>, Option<(String, i64)>);

/// Which closed waves have a file that still matches its record (the reference
/// questionnaire and the wave's last response id; any change to the wave's responses drops
/// the record).
async fn frozen_plans<'a>(
    store: &Store,
    waves: &[Wave],
    frozen: Option<&'a std::path::Path>,
    reference_id: i64,
) -> Result<Vec<Plan<'a>>, Error> {
    let today = chrono::Local::now().date_naive();
    let records = match frozen {
        Some(_) => store.frozen_waves().await?,
        None => HashMap::new(),
    };
    let mut plans = Vec::with_capacity(waves.len());
    for wave in waves {
        let closed = frozen.filter(|_| wave.status(today) == crate::store::WaveStatus::Closed);
        let file = closed
            .and(records.get(&wave.id))
            .filter(|(rec, last_now)| {
                rec.reference_questionnaire_id == reference_id && rec.last_response_id == *last_now
            })
            .map(|(rec, _)| (rec.sha256.clone(), rec.responses));
        plans.push((closed, file));
    }
    Ok(plans)
}

/// The frames of the waves whose frozen file matches, read in parallel (decoding Parquet is
/// CPU work); `None` for every other wave, which is read from the database.
fn read_frozen(
    waves: &[Wave],
    plans: &[Plan],
    names: &[(String, DataType)],
) -> Vec<Option<DataFrame>> {
    use rayon::prelude::*;
    waves
        .par_iter()
        .zip(plans.par_iter())
        .map(|(wave, (dir, file))| match (dir, file) {
            (Some(dir), Some((sha256, rows))) => super::columnar::read(
                &super::columnar::path(dir, wave.id),
                sha256,
                *rows as usize,
                names,
            ),
            _ => None,
        })
        .collect()
}

/// Where a wave without a matching frozen file is read from, and what its frame is laid
/// out by.
struct Source<'a> {
    store: &'a Store,
    reference: &'a Questionnaire,
    index: &'a HashMap<String, usize>,
    reference_id: i64,
}

impl Source<'_> {
    /// A wave's frame from the database; a closed wave is frozen for the next analysis.
    async fn read_and_freeze(
        &self,
        wave: &Wave,
        closed: Option<&std::path::Path>,
        used: &mut FrozenUse,
    ) -> Result<DataFrame, Error> {
        // The last id before reading: if an answer arrives or goes meanwhile, the file does
        // not match the wave when it is recorded, `record_frozen` refuses it, and the next
        // analysis builds it again.
        let last = match closed {
            Some(_) => Some(self.store.wave_last_id(wave.id).await?),
            None => None,
        };
        let df = from_db(self.store, wave, self.reference, self.index).await?;
        if let (Some(dir), Some(last)) = (closed, last) {
            self.freeze(dir, wave, &df, last, used).await;
        }
        Ok(df)
    }

    /// A closed wave no longer changes: freezes it for the next analysis. The file only
    /// saves time, so failing to write it (a read-only folder, a full disk) is logged and
    /// the analysis goes on from the database.
    async fn freeze(
        &self,
        dir: &std::path::Path,
        wave: &Wave,
        df: &DataFrame,
        last: i64,
        used: &mut FrozenUse,
    ) {
        let frozen = match super::columnar::write(dir, wave.id, df) {
            Ok(sha256) => {
                self.store
                    .record_frozen(&crate::store::FrozenWave {
                        wave_id: wave.id,
                        reference_questionnaire_id: self.reference_id,
                        responses: df.height() as i64,
                        last_response_id: last,
                        sha256,
                    })
                    .await
            }
            Err(e) => Err(e),
        };
        match frozen {
            Ok(true) => used.written += 1,
            Ok(false) => tracing::info!(
                wave = wave.id,
                "a closed wave changed while it was frozen; it is frozen again next time"
            ),
            Err(e) => tracing::warn!(
                error = %e,
                wave = wave.id,
                "a closed wave could not be frozen; it is read from the database"
            ),
        }
    }
}

/// A sampled wave's strata and response rates; nothing for an open-link wave.
async fn fieldwork(
    store: &Store,
    wave: &Wave,
) -> Result<
    (
        Vec<crate::fieldwork::StratumCount>,
        Vec<crate::store::StratumRate>,
    ),
    Error,
> {
    Ok(if wave.sampled {
        (
            store.sample_strata(wave.id).await?,
            store.response_rates(wave.id).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    })
}

/// The snapshot whose question order a frame's columns follow.
fn reference_id(newest: &Wave) -> i64 {
    newest.questionnaire_id
}

/// One wave's answers from the database: its JSON decoded straight into column buffers.
async fn from_db(
    store: &Store,
    wave: &Wave,
    reference: &Questionnaire,
    index: &HashMap<String, usize>,
) -> Result<DataFrame, Error> {
    let mut cols = columns(reference);
    let n = store
        .scan_responses(wave.id, |json| {
            for c in cols.iter_mut() {
                c.buffer.push_none();
            }
            let mut de = serde_json::Deserializer::from_str(json);
            RowSeed {
                index,
                cols: &mut cols,
            }
            .deserialize(&mut de)
            .map_err(|e| {
                Error::Internal(format!(
                    "a stored response of wave {} {} cannot be read: {e}",
                    wave.district, wave.year
                ))
            })?;
            Ok(())
        })
        .await? as usize;
    let frame_cols: Vec<polars::prelude::Column> = cols
        .into_iter()
        .map(|c| {
            let name: PlSmallStr = c.code.as_str().into();
            match c.buffer {
                Buffer::Choice { values, .. } => Series::new(name, values),
                Buffer::Multi { values, .. } => Series::new(name, values),
                Buffer::Number(values) => Series::new(name, values),
            }
            .into()
        })
        .collect();
    DataFrame::new(n, frame_cols)
        .map_err(|e| Error::Internal(format!("building a wave's frame: {e}")))
}

/// Decodes one response object into the column buffers' last row.
struct RowSeed<'a> {
    index: &'a HashMap<String, usize>,
    cols: &'a mut [Column],
}

impl<'de> DeserializeSeed<'de> for RowSeed<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RowSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object of answers")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(col) = map.next_key_seed(KeySeed(self.index))? {
            match col {
                Some(i) => map.next_value_seed(CellSeed(&mut self.cols[i].buffer))?,
                // A code the reference questionnaire no longer has (or free text): skipped.
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

struct KeySeed<'a>(&'a HashMap<String, usize>);

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Option<usize>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = Option<usize>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a question code")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<usize>, E> {
        Ok(self.0.get(v).copied())
    }
}

struct CellSeed<'a>(&'a mut Buffer);

impl<'de> DeserializeSeed<'de> for CellSeed<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for CellSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an option code, a list of option codes or a number")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        if let Buffer::Choice { positions, values } = self.0 {
            // An option the reference questionnaire does not have stays null.
            *values.last_mut().expect("row started") = positions.get(v).copied();
        }
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        if let Buffer::Number(values) = self.0 {
            *values.last_mut().expect("row started") = Some(v);
        }
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.visit_i64(i64::try_from(v).unwrap_or(i64::MAX))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut mask = 0u64;
        let mut any = false;
        while let Some(code) = seq.next_element::<std::borrow::Cow<'de, str>>()? {
            if let Buffer::Multi { positions, .. } = &*self.0
                && let Some(p) = positions.get(code.as_ref())
                && *p < 64
            {
                mask |= 1 << p;
                any = true;
            }
        }
        if let Buffer::Multi { values, .. } = self.0 {
            *values.last_mut().expect("row started") = any.then_some(mask);
        }
        Ok(())
    }
}

/// A column of answer positions as read from the loaded frame.
pub fn u32s(frame: &DataFrame, name: &str) -> Result<Vec<Option<u32>>, Error> {
    Ok(frame
        .column(name)
        .and_then(|c| c.u32().cloned())
        .map_err(|e| Error::Internal(format!("column {name}: {e}")))?
        .iter()
        .collect())
}
