//! Held open-link answers: the review page where an administrator accepts or discards the
//! answers the stuffing guard held back.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::pages::{district_name, page};
use crate::error::Error;
use crate::http::extract::{Admin, StaffPost};
use crate::http::form::field;
use crate::http::state::AppState;
use crate::views::staff as v;

/// The held open-link answers of every wave that has some.
async fn held_rows(state: &AppState) -> Result<Vec<v::HeldRow>, Error> {
    let waves = state.store.waves().await?;
    Ok(state
        .store
        .held_counts()
        .await?
        .into_iter()
        .map(|h| v::HeldRow {
            wave: waves.iter().find(|w| w.id == h.wave_id).map_or_else(
                || h.wave_id.to_string(),
                |w| format!("{} {}", district_name(state, &w.district), w.year),
            ),
            wave_id: h.wave_id,
            last_id: h.last_id,
            address_limit: h.address_limit,
            identical_burst: h.identical_burst,
        })
        .collect())
}

pub(super) async fn review(
    State(state): State<AppState>,
    Admin(s): Admin,
) -> Result<Response, Error> {
    Ok(page(
        StatusCode::OK,
        v::review(&s, &held_rows(&state).await?, None),
    ))
}

/// Accepts or discards one wave's held answers, logged.
pub(super) async fn decide_held(
    State(state): State<AppState>,
    post: StaffPost<Admin>,
) -> Result<Response, Error> {
    let (s, f) = post.into_parts();
    let wave: Option<i64> = field(&f, "wave").parse().ok();
    let upto: Option<i64> = field(&f, "upto").parse().ok();
    let today = crate::http::respond::today();
    let done = match (wave, upto, field(&f, "action")) {
        (Some(w), Some(u), "accept") => {
            state.store.accept_held(w, u, today, &s.account.email).await
        }
        (Some(w), Some(u), "discard") => state.store.discard_held(w, u, &s.account.email).await,
        _ => Err(Error::Invalid(
            "Välj en enkät och om svaren ska godkännas eller tas bort.".into(),
        )),
    };
    let (status, why) = match done {
        Ok(_) => return Ok(Redirect::to("/personal/granskning").into_response()),
        Err(Error::Invalid(why)) => (StatusCode::UNPROCESSABLE_ENTITY, why),
        Err(Error::NotFound(why)) => (StatusCode::NOT_FOUND, why),
        Err(Error::Conflict(why)) => (StatusCode::CONFLICT, why),
        Err(e) => return Err(e),
    };
    Ok(page(
        status,
        v::review(&s, &held_rows(&state).await?, Some(&why)),
    ))
}
