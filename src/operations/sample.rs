//! Drawing a wave's random sample: the letters' print file written (addresses, codes,
//! links, QR codes), and only N_h, n_h and hashed codes stored.

use std::collections::HashSet;
use std::path::Path;

use chrono::NaiveDate;

use crate::error::Error;
use crate::fieldwork::{Code, CodeKey, Strata, StratumCount, WaveRef, frame, print, sample};
use crate::questionnaire::Districts;
use crate::store::{CodeStatus, Store, Wave};

/// Where the sampling frame comes from.
#[derive(Debug, Clone, Copy)]
pub enum FrameSource<'a> {
    /// A CSV file on the server.
    File(&'a Path),
    /// A CSV already in memory (an upload), with the name its faults are reported under.
    Bytes { name: &'a str, bytes: &'a [u8] },
}

/// A sample to draw, every value already checked at the edge (the print file's folder
/// with [`print::check_target`]).
#[derive(Debug, Clone, Copy)]
pub struct SampleRequest<'a> {
    pub wave: &'a WaveRef,
    pub frame: FrameSource<'a>,
    /// Letters to send (at least 1).
    pub size: u64,
    pub strata: Strata,
    /// Seed of the draw; `None` draws one from the operating system.
    pub seed: Option<u64>,
    /// The print file to write (a `qr/` folder is written beside it).
    pub out: &'a Path,
    /// Where the letters' links point.
    pub origin: &'a str,
    /// The language the letters' links open the survey in.
    pub lang: Option<&'a str>,
    /// The code key, created here if it does not exist yet.
    pub key_file: &'a Path,
}

/// What was drawn and stored.
#[derive(Debug, Clone)]
pub struct Sampled {
    pub letters: usize,
    pub strata: Vec<StratumCount>,
    /// The seed the draw used (the one given, or the one drawn).
    pub seed: u64,
}

/// Draws the sample of a published wave that is still open, has no sample and no answers
/// yet; writes the print file; stores the strata and hashed codes; logs "codes created"
/// under `actor`. Everything read is checked before anything is stored, and a refusal
/// says "nothing was stored".
pub async fn sample(
    store: &Store,
    districts: &Districts,
    r: &SampleRequest<'_>,
    today: NaiveDate,
    actor: &str,
) -> Result<Sampled, Error> {
    let w = r.wave;
    let wave = check_wave(store, districts, w, today).await?;
    let frame = match r.frame {
        FrameSource::File(path) => frame::read(path, districts, w.year),
        FrameSource::Bytes { name, bytes } => frame::parse(name, bytes, districts, w.year),
    }
    .map_err(|faults| {
        Error::Invalid(format!(
            "the frame has {} fault(s); nothing was stored:\n{}",
            faults.len(),
            faults.join("\n")
        ))
    })?;
    let seed = match r.seed {
        Some(s) => s,
        None => {
            let mut b = [0u8; 8];
            getrandom::fill(&mut b).map_err(|e| Error::Config(format!("no random source: {e}")))?;
            u64::from_le_bytes(b)
        }
    };
    let drawn = sample::draw(&frame, &w.district, w.year, r.size, r.strata, seed)
        .map_err(Error::Invalid)?;
    let key = CodeKey::load_or_create(r.key_file).map_err(Error::Config)?;
    let (mut letters, hashes) = letters(&frame, &drawn.letters, &key)?;
    let staged = print::stage(
        r.out,
        &frame.address_columns,
        &mut letters,
        r.origin,
        r.lang,
    )
    .map_err(Error::Invalid)?;
    store
        .save_sample(wave.id, &drawn.strata, hashes)
        .await
        .map_err(|e| match e {
            Error::Conflict(m) => Error::Conflict(format!("storing the sample of {w}: {m}")),
            other => other,
        })?;
    staged.finish().map_err(Error::Invalid)?;
    store
        .audit(
            actor,
            "codes created",
            &format!(
                "{w}: {} letters in {} strata",
                letters.len(),
                drawn.strata.len()
            ),
        )
        .await?;
    Ok(Sampled {
        letters: letters.len(),
        strata: drawn.strata,
        seed,
    })
}

/// The wave to sample, or why it cannot be: an unknown district, a wave not published or
/// closed, one sampled before, or one that already has answers through its open link.
async fn check_wave(
    store: &Store,
    districts: &Districts,
    w: &WaveRef,
    today: NaiveDate,
) -> Result<Wave, Error> {
    if districts.get(&w.district).is_none() {
        return Err(Error::Invalid(format!(
            "--wave: unknown district \"{}\"",
            w.district
        )));
    }
    let wave = super::wave::published(store, w).await?;
    if let Some(why) = crate::store::closed_refusal(&wave, today) {
        return Err(Error::Conflict(format!("{why}; nothing was stored")));
    }
    if store.is_sampled(wave.id).await? {
        return Err(Error::Conflict(format!(
            "{w} already has a sample; its letters are out (use `trygg reminders` for the ones not answered)"
        )));
    }
    // Answers through the open link are not a random sample: mixed in, the report would
    // count them as answers to letters never sent.
    let answered = store.count_responses(Some(wave.id)).await? + store.count_held(wave.id).await?;
    if answered > 0 {
        return Err(Error::Conflict(format!(
            "{w} already has {answered} answers through its open link; a sample must be drawn before a wave gets any answer (publish the random sample as next year's wave, or keep this one an open link)"
        )));
    }
    Ok(wave)
}

/// A letter code as stored: its hash, its stratum and what became of it.
type CodeRow = (Vec<u8>, String, CodeStatus);

/// A letter per drawn person, each with a new code, and the codes' hashes with their
/// strata. Codes come from the operating system, never from the seed: a seed repeats the
/// draw, not the codes.
fn letters(
    frame: &frame::Frame,
    drawn: &[(usize, String)],
    key: &CodeKey,
) -> Result<(Vec<print::Letter>, Vec<CodeRow>), Error> {
    let mut seen = HashSet::new();
    let mut letters = Vec::with_capacity(drawn.len());
    let mut hashes = Vec::with_capacity(drawn.len());
    for (person, stratum) in drawn {
        let code = loop {
            let c = Code::random().map_err(Error::Config)?;
            if seen.insert(c.clone()) {
                break c;
            }
        };
        hashes.push((key.hash(&code), stratum.clone(), CodeStatus::Unused));
        letters.push(print::Letter {
            address: frame.people[*person].address.clone(),
            code,
        });
    }
    Ok((letters, hashes))
}
