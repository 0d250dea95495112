//! API keys: creating one with a role (shown once), listing, revoking.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::pages::page;
use super::users::role_form;
use crate::auth::{self};
use crate::error::Error;
use crate::http::extract::{Admin, StaffPost};
use crate::http::form::field;
use crate::http::state::AppState;
use crate::views::staff as v;

pub(super) async fn api_tokens(
    State(state): State<AppState>,
    Admin(s): Admin,
) -> Result<Response, Error> {
    let list = state.store.api_tokens().await?;
    Ok(page(StatusCode::OK, v::api_tokens(&s, &list, None)))
}

pub(super) async fn create_api_token(
    State(state): State<AppState>,
    post: StaffPost<Admin>,
) -> Result<Response, Error> {
    let StaffPost {
        staff: s,
        fields: f,
        ..
    } = post;
    let role = match role_form(&s, &f) {
        Ok(role) => role,
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
    let token = auth::random_token();
    state
        .store
        .add_api_token(&auth::token_hash(&token), &name, role, &s.account.email)
        .await?;
    let list = state.store.api_tokens().await?;
    Ok(page(
        StatusCode::OK,
        v::api_tokens(&s, &list, Some((&name, &token))),
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
