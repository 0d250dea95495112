//! `trygg publish`: a questionnaire file published as the waves of one year.

use anyhow::{Context, bail};
use chrono::NaiveDate;

use crate::config::Config;
use crate::operations::{Publication, publish_wave};
use crate::questionnaire;
use crate::store::Published;

use super::args::PublishArgs;
use super::setup::{CLI_ACTOR, choose_districts, open};

pub(super) async fn publish(config: &Config, a: PublishArgs) -> anyhow::Result<()> {
    let (file, year) = (a.file, a.year);
    let opens = parse_date("--opens", &a.opens)?;
    let closes = parse_date("--closes", &a.closes)?;
    if !(2000..=2100).contains(&year) {
        bail!("--year {year} is not a survey year (2000-2100)");
    }
    if closes < opens {
        bail!("--closes {closes} is before --opens {opens}");
    }
    let source =
        std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
    let q = questionnaire::parse(&file.display().to_string(), &source).map_err(|faults| {
        anyhow::anyhow!(
            "{} has faults; nothing was published:\n{}",
            file.display(),
            faults
                .iter()
                .map(|f| f.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        )
    })?;
    let (store, districts) = open(config).await?;
    let chosen = choose_districts(&districts, &a.districts)?;
    let publication = Publication {
        questionnaire_code: &q.code,
        source: &source,
        year,
        opens,
        closes,
    };
    for d in chosen {
        let outcome = publish_wave(&store, &publication, &d, CLI_ACTOR)
            .await
            .with_context(|| format!("publishing {d} {year}"))?;
        match outcome {
            Published::Created => println!(
                "published {d} {year} ({}, open {opens} to {closes})",
                q.code
            ),
            Published::Unchanged => println!(
                "{d} {year} was already published with this questionnaire and dates; unchanged"
            ),
        }
    }
    store.close().await;
    Ok(())
}

fn parse_date(flag: &str, s: &str) -> anyhow::Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .with_context(|| format!("{flag} \"{s}\" is not a date like 2026-09-01"))
}
