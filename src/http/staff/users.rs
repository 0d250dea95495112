//! Staff accounts: inviting with a one-time password link, changing a role, disabling.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::pages::page;
use crate::auth::Staff;
use crate::error::Error;
use crate::http::extract::{Admin, StaffPost};
use crate::http::form::field;
use crate::http::state::AppState;
use crate::role::Role;
use crate::views::staff as v;

pub(super) async fn users(
    State(state): State<AppState>,
    Admin(s): Admin,
) -> Result<Response, Error> {
    let list = state.store.staff_list().await?;
    Ok(page(StatusCode::OK, v::users(&s, &list, None)))
}

/// The role posted in a users or API-key form; or the page refusing it.
pub(super) fn role_form(s: &Staff, f: &[(String, String)]) -> Result<Role, Box<Response>> {
    Role::parse(field(f, "role")).ok_or_else(|| {
        Box::new(page(
            StatusCode::BAD_REQUEST,
            v::message(
                "Okänd roll",
                "Välj administratör, analytiker eller läsare.",
                Some(s),
            ),
        ))
    })
}

pub(super) async fn invite(
    State(state): State<AppState>,
    post: StaffPost<Admin>,
) -> Result<Response, Error> {
    let (s, f) = post.into_parts();
    let role = match role_form(&s, &f) {
        Ok(role) => role,
        Err(refused) => return Ok(*refused),
    };
    let origin = state
        .origin
        .as_ref()
        .map(|o| o.as_str().to_string())
        .unwrap_or_default();
    let email = field(&f, "email").trim().to_lowercase();
    match crate::operations::invite_account(
        &state.store,
        &origin,
        &email,
        role,
        None,
        &s.account.email,
    )
    .await
    {
        Ok(link) => {
            let list = state.store.staff_list().await?;
            Ok(page(
                StatusCode::OK,
                v::users(&s, &list, Some((&email, &link))),
            ))
        }
        Err(Error::Invalid(m) | Error::Conflict(m)) => Ok(page(
            StatusCode::UNPROCESSABLE_ENTITY,
            v::message("Kontot skapades inte", &m, Some(&s)),
        )),
        Err(e) => Err(e),
    }
}

pub(super) async fn update_user(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    post: StaffPost<Admin>,
) -> Result<Response, Error> {
    let (s, f) = post.into_parts();
    let role = match role_form(&s, &f) {
        Ok(role) => role,
        Err(refused) => return Ok(*refused),
    };
    if id == s.account.id && (role != Role::Admin || field(&f, "disabled") == "1") {
        return Ok(page(
            StatusCode::UNPROCESSABLE_ENTITY,
            v::message(
                "Inte ändrat",
                "Du kan inte ta bort din egen administratörsroll eller stänga av dig själv.",
                Some(&s),
            ),
        ));
    }
    match state
        .store
        .update_staff(id, role, field(&f, "disabled") == "1", &s.account.email)
        .await
    {
        Ok(()) => Ok(Redirect::to("/personal/anvandare").into_response()),
        Err(Error::NotFound(m)) => Ok(page(
            StatusCode::NOT_FOUND,
            v::message("Kontot finns inte", &m, Some(&s)),
        )),
        Err(e) => Err(e),
    }
}
