//! `trygg serve`: the settings checked (the site settings among them), the database opened
//! (and filled with demo data when asked and empty), and the server run until it is stopped.

use crate::config::Config;

use super::args::ServeArgs;
use super::setup::{load_site, open};

pub(super) async fn serve(config: &Config, a: ServeArgs) -> anyhow::Result<()> {
    let limits = a.limits.limits()?;
    let retention = config.est_retention()?;
    let origin = config.origin()?;
    let addr = a.addr;
    let local =
        addr.starts_with("127.") || addr.starts_with("localhost") || addr.starts_with("[::1]");
    if !local
        && !origin
            .as_ref()
            .is_some_and(crate::http::PublicOrigin::is_https)
    {
        eprintln!(
            "warning: serving {addr} without an https --public-origin: staff session cookies are not marked Secure; run behind TLS and set TRYGG_PUBLIC_ORIGIN=https://…"
        );
    }
    let client_ip_header = a
        .client_ip_header
        .map(|h| {
            axum::http::HeaderName::try_from(h.trim())
                .map_err(|_| anyhow::anyhow!("--client-ip-header \"{h}\" is not a header name"))
        })
        .transpose()?;
    // A bad site.toml stops the server before it touches the database.
    let site = load_site(config)?;
    // Without a key file no letter has been made yet: codes simply cannot be used.
    let code_key = if config.code_key.exists() {
        Some(crate::fieldwork::CodeKey::load(&config.code_key).map_err(|e| anyhow::anyhow!(e))?)
    } else {
        None
    };
    let (store, districts) = open(config).await?;
    if a.demo && store.is_empty().await? {
        let summary = crate::demo::fill(
            &store,
            &districts,
            &config.surveys_dir,
            crate::demo::DEFAULT_SEED,
        )
        .await?;
        println!("{summary}");
    }
    let state = crate::http::AppState::new(store, districts)
        .with_site(site)
        .with_reports(&config.reports_dir)
        .with_surveys(&config.surveys_dir)
        .with_origin(origin)
        .with_code_key(code_key)
        .with_client_ip_header(client_ip_header)
        .with_open_link_limit(a.open_link_limit)
        .with_open_link_excess(a.open_link_excess)
        .with_limits(limits)
        .with_est_retention(retention);
    crate::http::serve(state, &addr).await?;
    Ok(())
}
