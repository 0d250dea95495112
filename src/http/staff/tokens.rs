//! API keys: creating one with a role (shown once), listing, revoking.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::pages::{district_choices, page};
use super::users::role_form;
use crate::auth::{self, Staff};
use crate::error::Error;
use crate::http::extract::{Admin, StaffPost};
use crate::http::form::field;
use crate::http::state::AppState;
use crate::role::Role;
use crate::store::NewApiToken;
use crate::views::staff as v;

pub(super) async fn api_tokens(
    State(state): State<AppState>,
    Admin(s): Admin,
) -> Result<Response, Error> {
    let list = state.store.api_tokens().await?;
    let districts = district_choices(&state, &s);
    Ok(page(
        StatusCode::OK,
        v::api_tokens(&s, &list, &districts, None),
    ))
}

/// A key's last day from the form's number of days (1 to [`auth::MAX_API_TOKEN_DAYS`]; none given:
/// [`auth::API_TOKEN_DAYS`]).
fn expiry(f: &[(String, String)]) -> Option<chrono::NaiveDate> {
    let days: i64 = match field(f, "days").trim() {
        "" => auth::API_TOKEN_DAYS,
        d => d
            .parse()
            .ok()
            .filter(|d| (1..=auth::MAX_API_TOKEN_DAYS).contains(d))?,
    };
    // A key made today for one day works today only: its last day is today + days − 1.
    Some(crate::http::respond::today() + chrono::Duration::days(days - 1))
}

/// The districts a key reads: those ticked in the form, within its creator's own (a
/// creator limited to districts gives every key that limit); `Err` names an unknown one.
fn scope(
    state: &AppState,
    s: &Staff,
    f: &[(String, String)],
) -> Result<Option<Vec<String>>, String> {
    let ticked: Vec<String> = (f.iter())
        .filter(|(k, _)| k == "district")
        .map(|(_, v)| v.clone())
        .collect();
    if let Some(bad) = ticked
        .iter()
        .find(|d| state.districts.get(d).is_none() || !s.in_scope(d))
    {
        return Err(format!("Okänt område: {bad}"));
    }
    Ok(match (ticked.is_empty(), &s.account.districts) {
        (true, own) => own.clone(),
        (false, _) => Some(ticked),
    })
}

pub(super) async fn create_api_token(
    State(state): State<AppState>,
    post: StaffPost<Admin>,
) -> Result<Response, Error> {
    let (s, f) = post.into_parts();
    let role = match role_form(&s, &f) {
        Ok(role) if Role::API.contains(&role) => role,
        Ok(_) => {
            let text = "En API-nyckel kan inte ha rollen rapportör.";
            let refusal = v::message("Ingen nyckel skapades", text, Some(&s));
            return Ok(page(StatusCode::BAD_REQUEST, refusal));
        }
        Err(refused) => return Ok(*refused),
    };
    let name = field(&f, "name").trim().to_string();
    if name.is_empty() || name.chars().count() > 100 {
        return Ok(page(
            StatusCode::UNPROCESSABLE_ENTITY,
            v::message(
                "Ingen nyckel skapades",
                "Ge nyckeln ett namn (högst 100 tecken), till exempel verktyget som ska använda den.",
                Some(&s),
            ),
        ));
    }
    let (Some(expires_on), Ok(districts)) = (expiry(&f), scope(&state, &s, &f)) else {
        return Ok(page(
            StatusCode::UNPROCESSABLE_ENTITY,
            v::message(
                "Ingen nyckel skapades",
                &format!(
                    "Välj giltighet (1–{} dagar) och kända områden.",
                    auth::MAX_API_TOKEN_DAYS
                ),
                Some(&s),
            ),
        ));
    };
    let token = auth::random_token();
    let hash = auth::token_hash(&token);
    let new = NewApiToken {
        hash: &hash,
        name: &name,
        role,
        expires_on,
        districts: districts.as_deref(),
    };
    state.store.add_api_token(&new, &s.account.email).await?;
    let list = state.store.api_tokens().await?;
    let choices = district_choices(&state, &s);
    Ok(page(
        StatusCode::OK,
        v::api_tokens(&s, &list, &choices, Some((&name, &token))),
    ))
}

pub(super) async fn revoke_api_token(
    State(state): State<AppState>,
    Path(id): Path<String>,
    post: StaffPost<Admin>,
) -> Result<Response, Error> {
    let s = post.staff;
    let hash: Option<Vec<u8>> = (id.len() == 64)
        .then(|| {
            (0..32)
                .map(|i| u8::from_str_radix(&id[2 * i..2 * i + 2], 16).ok())
                .collect()
        })
        .flatten();
    let revoked = match hash {
        Some(h) => state.store.revoke_api_token(&h, &s.account.email).await?,
        None => false,
    };
    if revoked {
        Ok(Redirect::to("/personal/api").into_response())
    } else {
        Ok(page(
            StatusCode::NOT_FOUND,
            v::message(
                "Nyckeln finns inte",
                "Den är redan återkallad eller har aldrig funnits.",
                Some(&s),
            ),
        ))
    }
}
