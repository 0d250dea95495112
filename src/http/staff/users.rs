//! Staff accounts: inviting with a one-time password link (a role, districts for an
//! analyst or reporter, an organisation), changing a role, disabling.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::pages::{district_choices, page};
use crate::auth::Staff;
use crate::error::Error;
use crate::http::extract::{Admin, StaffPost};
use crate::http::form::field;
use crate::http::state::AppState;
use crate::role::Role;
use crate::views::staff as v;
use crate::views::users::users as users_view;

pub(super) async fn users(
    State(state): State<AppState>,
    Admin(s): Admin,
) -> Result<Response, Error> {
    let list = state.store.staff_list().await?;
    let choices = district_choices(&state, &s);
    Ok(page(StatusCode::OK, users_view(&s, &list, &choices, None)))
}

/// The role posted in a users or API-key form; or the page refusing it.
pub(super) fn role_form(s: &Staff, f: &[(String, String)]) -> Result<Role, Box<Response>> {
    Role::parse(field(f, "role")).ok_or_else(|| {
        Box::new(page(
            StatusCode::BAD_REQUEST,
            v::message(
                "Okänd roll",
                "Välj administratör, analytiker, läsare eller rapportör.",
                Some(s),
            ),
        ))
    })
}

/// The districts ticked in the invitation form: `None` for none (every district); an
/// unknown code is an error.
fn ticked(state: &AppState, f: &[(String, String)]) -> Result<Option<Vec<String>>, String> {
    let codes: Vec<String> = (f.iter())
        .filter(|(k, _)| k == "district")
        .map(|(_, v)| v.clone())
        .collect();
    if let Some(bad) = codes.iter().find(|c| state.districts.get(c).is_none()) {
        return Err(format!("Det finns inget område med koden \"{bad}\"."));
    }
    Ok((!codes.is_empty()).then_some(codes))
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
    let refused = |m: &str| {
        let text = v::message("Kontot skapades inte", m, Some(&s));
        Ok(page(StatusCode::UNPROCESSABLE_ENTITY, text))
    };
    if role == Role::Reporter && field(&f, "organisation").trim().is_empty() {
        return refused(
            "En rapportör behöver en organisation: rapporterna visas med organisationens namn, aldrig med personens.",
        );
    }
    let districts = match ticked(&state, &f) {
        Ok(d) => d.filter(|_| role.scopable()),
        Err(m) => return refused(&m),
    };
    let origin = state
        .origin
        .as_ref()
        .map(|o| o.as_str().to_string())
        .unwrap_or_default();
    let email = field(&f, "email").trim().to_lowercase();
    let invite = crate::operations::Invite {
        email: &email,
        role,
        districts: districts.as_deref(),
        organisation: Some(field(&f, "organisation")),
    };
    match crate::operations::invite_staff(&state.store, &origin, &invite, &s.account.email).await {
        Ok(link) => {
            let list = state.store.staff_list().await?;
            let choices = district_choices(&state, &s);
            let view = users_view(&s, &list, &choices, Some((&email, &link)));
            Ok(page(StatusCode::OK, view))
        }
        Err(Error::Invalid(m) | Error::Conflict(m)) => refused(&m),
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
    // The organisation first: a refused one changes nothing.
    let organisation = f.iter().find(|(k, _)| k == "organisation");
    // A reporter's reports are shown under its organisation: it must keep one.
    if role == Role::Reporter {
        let current = (state.store.staff_list().await?.into_iter())
            .find(|a| a.id == id)
            .and_then(|a| a.organisation);
        let after = organisation.map(|(_, o)| o.trim().to_string()).or(current);
        if after.is_none_or(|o| o.is_empty()) {
            return Ok(page(
                StatusCode::UNPROCESSABLE_ENTITY,
                v::message(
                    "Inte ändrat",
                    "En rapportör måste ha en organisation: den visas med rapporterna.",
                    Some(&s),
                ),
            ));
        }
    }
    let changed = match organisation {
        Some((_, o)) => {
            let actor = &s.account.email;
            (state.store.set_staff_organisation(id, Some(o), actor)).await
        }
        None => Ok(()),
    };
    let changed = match changed {
        Ok(()) => {
            let disabled = field(&f, "disabled") == "1";
            (state
                .store
                .update_staff(id, role, disabled, &s.account.email))
            .await
        }
        Err(e) => Err(e),
    };
    match changed {
        Ok(()) => Ok(Redirect::to("/personal/anvandare").into_response()),
        Err(Error::NotFound(m)) => Ok(page(
            StatusCode::NOT_FOUND,
            v::message("Kontot finns inte", &m, Some(&s)),
        )),
        Err(Error::Invalid(m)) => Ok(page(
            StatusCode::UNPROCESSABLE_ENTITY,
            v::message("Inte ändrat", &m, Some(&s)),
        )),
        Err(e) => Err(e),
    }
}
