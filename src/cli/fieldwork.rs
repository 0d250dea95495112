//! The field-work subcommands: `sample`, `mark`, `reminders`, `import-paper`, `status`.
//! Each checks everything it reads before it stores anything, and each first deletes the
//! codes of waves that have closed (`Store::purge_closed_codes`), so a closed wave never
//! keeps its letter codes just because no server ran since.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, anyhow, bail};

use crate::config::Config;
use crate::fieldwork::{Code, CodeKey, Strata, WaveRef, paper, print, sample};
use crate::operations;
use crate::questionnaire::Districts;
use crate::store::{CodeState, CodeStatus, Store, StratumRate, Wave};

use super::args::SampleArgs;

/// Where letters link to when no public origin is configured (a test installation).
const DEFAULT_ORIGIN: &str = "http://localhost:3000";

/// The wave named by `--wave`, which must be published.
async fn published(store: &Store, w: &WaveRef) -> anyhow::Result<Wave> {
    Ok(operations::published(store, w).await?)
}

/// The database, with the codes of every wave that has closed deleted first.
async fn open(config: &Config) -> anyhow::Result<(Store, Districts)> {
    let (store, districts) = super::setup::open(config).await?;
    store
        .purge_closed_codes(today(), super::setup::CLI_ACTOR)
        .await
        .context("deleting the codes of closed waves")?;
    Ok((store, districts))
}

fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

/// Refuses work on the codes of a wave that has closed (they are deleted).
fn still_open(wave: &Wave) -> anyhow::Result<()> {
    match crate::store::closed_refusal(wave, today()) {
        Some(why) => bail!("{why}; nothing was stored"),
        None => Ok(()),
    }
}

fn wave_ref(s: &str) -> anyhow::Result<WaveRef> {
    WaveRef::parse(s).map_err(|e| anyhow!(e))
}

fn key(config: &Config) -> anyhow::Result<CodeKey> {
    CodeKey::load(&config.code_key).map_err(|e| {
        anyhow!("{e}; it is created by `trygg sample` and must be the same file the letters were made with")
    })
}

pub async fn sample(config: &Config, a: &SampleArgs) -> anyhow::Result<String> {
    let w = wave_ref(&a.wave)?;
    let strata = Strata::parse(&a.strata).map_err(|e| anyhow!(e))?;
    if a.size == 0 {
        bail!("--size must be at least 1");
    }
    let origin = config.origin()?;
    if let Some(l) = &a.lang
        && !crate::i18n::is_supported(l)
    {
        bail!("--lang {l}: not a language of the pages");
    }
    print::check_target(&a.out, true).map_err(|e| anyhow!("--out: {e}"))?;
    let (store, districts) = open(config).await?;
    let origin_text = origin
        .as_ref()
        .map(|o| o.as_str().to_string())
        .unwrap_or_else(|| DEFAULT_ORIGIN.to_string());
    let request = operations::SampleRequest {
        wave: &w,
        frame: operations::FrameSource::File(&a.frame),
        size: a.size,
        strata,
        seed: a.seed,
        out: &a.out,
        origin: &origin_text,
        lang: a.lang.as_deref(),
        key_file: &config.code_key,
    };
    let drawn = operations::sample(
        &store,
        &districts,
        &request,
        today(),
        super::setup::CLI_ACTOR,
    )
    .await?;
    store.close().await;
    Ok(sample_summary(&w, &drawn, &a.out, origin.is_none()))
}

/// What `sample` prints: the letters per stratum and where the print file is.
fn sample_summary(w: &WaveRef, drawn: &operations::Sampled, out: &Path, no_origin: bool) -> String {
    let population: u64 = drawn.strata.iter().map(|s| s.population).sum();
    let mut text = format!(
        "sampled {w}: {} letters in {} strata from {population} residents aged {}-{} (seed {})\n",
        drawn.letters,
        drawn.strata.len(),
        sample::AGES.0,
        sample::AGES.1,
        drawn.seed
    );
    for s in &drawn.strata {
        let _ = writeln!(
            text,
            "  {:<14} N_h {:>6}  n_h {:>5}  design weight {:.2}",
            s.stratum,
            s.population,
            s.letters,
            s.population as f64 / s.letters.max(1) as f64
        );
    }
    let _ = write!(
        text,
        "print file {} (and {}); trygg stored only N_h, n_h and hashed codes",
        out.display(),
        out.with_file_name("qr/").display()
    );
    if no_origin {
        let _ = write!(
            text,
            "\nwarning: letters link to {DEFAULT_ORIGIN}; set --public-origin (TRYGG_PUBLIC_ORIGIN) for real letters"
        );
    }
    text
}

/// Codes from a file (one per line) and from the command line, each readable.
fn read_codes(file: Option<&Path>, args: &[String]) -> anyhow::Result<Vec<Code>> {
    let mut faults = Vec::new();
    let mut codes = Vec::new();
    if let Some(f) = file {
        let text =
            std::fs::read_to_string(f).with_context(|| format!("reading {}", f.display()))?;
        for (i, line) in text.lines().enumerate() {
            let t = line.trim();
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
            match Code::parse(t) {
                Some(c) => codes.push(c),
                None => faults.push(format!("{}:{}: not a code", f.display(), i + 1)),
            }
        }
    }
    for (i, a) in args.iter().enumerate() {
        match Code::parse(a) {
            Some(c) => codes.push(c),
            None => faults.push(format!("argument {}: not a code", i + 1)),
        }
    }
    if !faults.is_empty() {
        bail!("nothing was marked:\n{}", faults.join("\n"));
    }
    if codes.is_empty() {
        bail!("no codes given (use --file or list them)");
    }
    Ok(codes)
}

pub async fn mark(
    config: &Config,
    wave: &str,
    status: &str,
    file: Option<&Path>,
    args: &[String],
) -> anyhow::Result<String> {
    let w = wave_ref(wave)?;
    let status = match status {
        "undeliverable" => CodeStatus::Undeliverable,
        "declined" => CodeStatus::Declined,
        other => bail!("--status \"{other}\" must be undeliverable or declined"),
    };
    let codes = read_codes(file, args)?;
    let key = key(config)?;
    let (store, _) = open(config).await?;
    let wave = published(&store, &w).await?;
    still_open(&wave)?;
    let before = match crate::fieldwork::mark_letters(&store, &key, wave.id, &codes, status).await?
    {
        Ok(before) => before,
        Err(unknown) => bail!(
            "not letters of {w}, so nothing was marked: {}",
            unknown
                .iter()
                .map(Code::grouped)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let changed = before
        .iter()
        .filter(|b| **b == Some(CodeState::Unused))
        .count();
    store
        .audit(
            super::setup::CLI_ACTOR,
            "letters marked",
            &format!("{w}: {changed} {}", status.as_str()),
        )
        .await?;
    store.close().await;
    let marked = before
        .iter()
        .filter(|s| **s == Some(CodeState::Unused))
        .count();
    let mut out = format!("{w}: {marked} letter(s) marked {}", status.as_str());
    for (c, s) in codes.iter().zip(&before) {
        if let Some(s) = s
            && *s != CodeState::Unused
        {
            let _ = write!(out, "\n  {} unchanged: already {}", c.grouped(), s.as_str());
        }
    }
    Ok(out)
}

pub async fn reminders(
    config: &Config,
    wave: &str,
    letters: &Path,
    out: &Path,
) -> anyhow::Result<String> {
    let w = wave_ref(wave)?;
    print::check_target(out, false).map_err(|e| anyhow!("--out: {e}"))?;
    let key = key(config)?;
    let file = print::read(letters).map_err(|f| anyhow!("{}", f.join("\n")))?;
    let (store, _) = open(config).await?;
    let wave = published(&store, &w).await?;
    still_open(&wave)?;
    let statuses = store
        .code_statuses(wave.id, &print::hashes(&file, &key))
        .await?;
    store.close().await;
    let unknown: Vec<String> = file
        .rows
        .iter()
        .zip(&statuses)
        .filter(|(_, s)| s.is_none())
        .map(|((line, _, _), _)| format!("{}:{line}", letters.display()))
        .collect();
    if !unknown.is_empty() {
        bail!(
            "{} row(s) are not letters of {w} (another wave's print file, or another code key?); nothing was written:\n{}",
            unknown.len(),
            unknown.join("\n")
        );
    }
    let mut counts = std::collections::BTreeMap::new();
    let mut rows = Vec::new();
    for ((_, row, _), s) in file.rows.iter().zip(&statuses) {
        let s = s.expect("checked");
        *counts.entry(s.as_str()).or_insert(0) += 1;
        if s == CodeState::Unused {
            rows.push(row.clone());
        }
    }
    print::write_rows(out, &file.header, &rows).map_err(|e| anyhow!(e))?;
    let others: Vec<String> = counts
        .iter()
        .filter(|(k, _)| **k != "unused")
        .map(|(k, v)| format!("{v} {k}"))
        .collect();
    Ok(format!(
        "{w}: {} of {} letters not answered yet, written to {} (the others: {})",
        rows.len(),
        file.rows.len(),
        out.display(),
        if others.is_empty() {
            "none".into()
        } else {
            others.join(", ")
        }
    ))
}

/// What `import-paper` did.
pub struct ImportReport {
    pub wave: WaveRef,
    pub imported: usize,
    pub refused: Vec<paper::BadRow>,
    pub file: String,
}

impl std::fmt::Display for ImportReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} paper answer(s) imported, {} row(s) refused",
            self.wave,
            self.imported,
            self.refused.len()
        )?;
        for b in &self.refused {
            write!(f, "\n{}:{}: {}", self.file, b.line, b.fault)?;
        }
        Ok(())
    }
}

pub async fn import_paper(
    config: &Config,
    wave: &str,
    path: &Path,
) -> anyhow::Result<ImportReport> {
    let w = wave_ref(wave)?;
    let key = key(config)?;
    let (store, _) = open(config).await?;
    let wave = published(&store, &w).await?;
    if let Some(why) = crate::store::closed_refusal(&wave, today()) {
        bail!("{why}; nothing was imported");
    }
    let q = store.questionnaire(wave.questionnaire_id).await?;
    let (good, refused) =
        paper::read(path, &q).map_err(|e| anyhow!("{e}; nothing was imported"))?;
    let done =
        operations::import_paper(&store, &key, &wave, good, refused, super::setup::CLI_ACTOR)
            .await?;
    store.close().await;
    Ok(ImportReport {
        wave: w,
        imported: done.imported,
        refused: done.refused,
        file: path.display().to_string(),
    })
}

pub async fn paper_form(
    config: &Config,
    wave: &str,
    lang: &str,
    code: Option<&str>,
    out: &Path,
) -> anyhow::Result<String> {
    let w = wave_ref(wave)?;
    let code = code
        .map(|c| Code::parse(c).ok_or_else(|| anyhow!("--code \"{c}\" is not a code")))
        .transpose()?;
    if out.exists() {
        bail!("{} already exists", out.display());
    }
    let (store, districts) = open(config).await?;
    let wave = published(&store, &w).await?;
    let d = districts
        .get(&w.district)
        .ok_or_else(|| anyhow!("unknown district {}", w.district))?;
    let q = store.questionnaire(wave.questionnaire_id).await?;
    store.close().await;
    if !q.languages.iter().any(|l| l == lang) {
        bail!(
            "--lang {lang}: the questionnaire has {}",
            q.languages.join(", ")
        );
    }
    let page = crate::views::paper_form(
        &crate::i18n::Lang::from_query(Some(lang)),
        d,
        w.year,
        &q,
        code.as_ref().map(|c| c.grouped()).as_deref(),
    );
    // A form printed with a code leads to its letter: its file is its owner's only.
    crate::files::write(out, page.into_string())
        .with_context(|| format!("writing {}", out.display()))?;
    Ok(format!(
        "paper form for {w} in {lang} written to {}",
        out.display()
    ))
}

pub async fn status(config: &Config, year: Option<i32>) -> anyhow::Result<String> {
    let (store, _) = open(config).await?;
    let mut out = String::new();
    for wave in store.waves().await? {
        if year.is_some_and(|y| y != wave.year) {
            continue;
        }
        let answers = store.count_responses(Some(wave.id)).await?;
        let rates = store.response_rates(wave.id).await?;
        if rates.is_empty() {
            let _ = writeln!(
                out,
                "{}/{}: open link, not a random sample: {answers} answers",
                wave.district, wave.year
            );
            continue;
        }
        let _ = writeln!(
            out,
            "{}/{}: random sample\n  {:<14} {:>7} {:>8} {:>8} {:>6} {:>6} {:>7}",
            wave.district,
            wave.year,
            "stratum",
            "letters",
            "undeliv.",
            "declined",
            "web",
            "paper",
            "rate"
        );
        let total = StratumRate::total(&rates);
        for r in rates.iter().chain(std::iter::once(&total)) {
            let _ = writeln!(
                out,
                "  {:<14} {:>7} {:>8} {:>8} {:>6} {:>6} {:>7}",
                r.stratum,
                r.letters,
                r.undeliverable,
                r.declined,
                r.web,
                r.paper,
                r.rate()
                    .map(|x| format!("{:.1} %", 100.0 * x))
                    .unwrap_or_else(|| "–".into())
            );
        }
    }
    store.close().await;
    if out.is_empty() {
        out = "no waves\n".into();
    }
    Ok(out)
}
