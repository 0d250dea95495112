//! What the staff handlers answer with: a page with a status, a district's name as staff
//! read it, and the EST places register as the pages use it.

use axum::http::StatusCode;
use axum::response::Response;

use crate::auth::Staff;
use crate::error::Error;
use crate::http::state::AppState;

pub use crate::http::respond::page;

/// A district's Swedish name, or its code.
pub fn district_name(state: &AppState, code: &str) -> String {
    state
        .districts
        .get(code)
        .map(|d| d.name.get("sv").to_string())
        .unwrap_or_else(|| code.to_string())
}

/// The refusal of something outside the districts a person is limited to, audited.
pub async fn out_of_scope(state: &AppState, s: &Staff, what: &str) -> Result<Response, Error> {
    tracing::warn!("a request outside the person's districts was refused");
    let store = &state.store;
    (state.refusals)
        .audit(store, &s.account.email, "scope refused", what)
        .await?;
    Ok(page(
        StatusCode::FORBIDDEN,
        crate::views::staff::message(
            "Utanför dina områden",
            "Ditt konto gäller bara vissa områden, och det här rör andra områden eller alla.",
            Some(s),
        ),
    ))
}

/// The districts a form offers this person, code and name: every district, or only theirs
/// for someone limited to some.
pub fn district_choices(state: &AppState, s: &Staff) -> Vec<(String, String)> {
    state
        .districts
        .codes()
        .filter(|c| s.in_scope(c))
        .map(|c| (c.to_string(), district_name(state, c)))
        .collect()
}

/// The places register in use (the database's newest version, or `surveys/places.toml`);
/// without a readable one pages name places by id and draw no map.
pub async fn places(state: &AppState) -> crate::est::Places {
    match crate::operations::current_places(&state.store, &state.surveys, &state.districts).await {
        Ok(r) => r.places,
        Err(e) => {
            tracing::warn!(error = %e, "the places register could not be read");
            crate::est::Places::default()
        }
    }
}
