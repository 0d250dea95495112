//! `trygg user add`: a staff account created, with a one-time link to set its password.

use anyhow::bail;

use crate::config::Config;

use super::setup::{choose_districts, open};

pub(super) async fn add(
    config: &Config,
    email: &str,
    role: &str,
    districts: Option<String>,
    organisation: Option<String>,
) -> anyhow::Result<()> {
    let role = crate::auth::Role::parse(role)
        .ok_or_else(|| anyhow::anyhow!("--role {role}: use admin, analyst, reader or reporter"))?;
    if districts.is_some() && !role.scopable() {
        bail!(
            "--districts limits an analyst or a reporter; it means nothing for a {}",
            role.as_str()
        );
    }
    let origin = config
        .origin()?
        .map(|o| o.as_str().to_string())
        .unwrap_or_else(|| "http://localhost:3000".into());
    let (store, all) = open(config).await?;
    let limit = districts.map(|d| choose_districts(&all, &d)).transpose()?;
    let invite = crate::operations::Invite {
        email,
        role,
        districts: limit.as_deref(),
        organisation: organisation.as_deref(),
    };
    let link = crate::operations::invite_staff(&store, &origin, &invite, "trygg user add").await?;
    store.close().await;
    println!(
        "{} account for {} created; it can set its password once, within 72 hours, at:\n{link}",
        role.as_str(),
        email.trim().to_lowercase()
    );
    Ok(())
}
