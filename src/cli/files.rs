//! `trygg check` and `trygg translations`: questionnaire and translation files, checked,
//! exported and imported without a database.

use std::process::ExitCode;

use anyhow::{Context, bail};

use crate::questionnaire;

use super::args::TranslationAction;

pub(super) fn translations(action: &TranslationAction) -> anyhow::Result<ExitCode> {
    use crate::questionnaire::translations;
    match action {
        TranslationAction::Export { lang, file, out } => {
            if !crate::i18n::is_supported(lang) {
                bail!(
                    "--lang {lang}: not a language of the page catalogue (surveys/translations/pages.toml)"
                );
            }
            if out.exists() {
                bail!("{} already exists", out.display());
            }
            let q = questionnaire::load(file).map_err(|f| {
                anyhow::anyhow!(
                    "{}",
                    f.iter()
                        .map(|x| x.to_string())
                        .collect::<Vec<_>>()
                        .join("\n")
                )
            })?;
            let source = std::fs::read_to_string(file)?;
            let csv = translations::export(&source, lang, &q.draft_languages)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            std::fs::write(out, &csv).with_context(|| format!("writing {}", out.display()))?;
            let untranslated = csv.lines().filter(|l| l.ends_with(",untranslated")).count();
            println!(
                "{} texts of {} written to {} ({untranslated} untranslated)",
                csv.lines().count() - 1,
                file.display(),
                out.display()
            );
        }
        TranslationAction::Import { file, csv } => {
            let done = translations::import_file(file, csv).map_err(|faults| {
                anyhow::anyhow!(
                    "nothing was imported; {} fault(s):\n{}",
                    faults.len(),
                    faults.join("\n")
                )
            })?;
            println!(
                "{} texts in {} imported into {}{}",
                done.texts,
                done.lang,
                file.display(),
                if done.draft {
                    " (marked as draft until every row says reviewed)"
                } else {
                    " (reviewed)"
                }
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn check(path: &std::path::Path) -> ExitCode {
    let mut report = questionnaire::check_path(path);
    if let Some((file, faults)) = crate::est::check_places(path) {
        report.checked.push(file);
        report.faults.extend(faults);
    }
    for f in &report.faults {
        println!("{f}");
    }
    for n in &report.notes {
        println!("note: {n}");
    }
    if report.faults.is_empty() {
        println!("checked {} file(s): no faults", report.checked.len());
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "{} fault(s) in {} file(s)",
            report.faults.len(),
            report.checked.len().max(1)
        );
        ExitCode::FAILURE
    }
}
