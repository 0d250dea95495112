//! The audit log, filtered by who and what.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::pages::page;
use crate::error::Error;
use crate::http::extract::Admin;
use crate::http::state::AppState;
use crate::views::staff as v;

#[derive(serde::Deserialize)]
pub(super) struct AuditFilter {
    actor: Option<String>,
    action: Option<String>,
}

pub(super) async fn audit(
    State(state): State<AppState>,
    Admin(s): Admin,
    Query(q): Query<AuditFilter>,
) -> Result<Response, Error> {
    let nonempty = |x: &Option<String>| {
        x.as_deref()
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(str::to_string)
    };
    let entries = state
        .store
        .audit_log(
            nonempty(&q.actor).as_deref(),
            nonempty(&q.action).as_deref(),
        )
        .await?;
    Ok(page(StatusCode::OK, v::audit(&s, &entries)))
}
