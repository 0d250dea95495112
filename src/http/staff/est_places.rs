//! `/personal/est/platser`: the EST places register for administrators and analysts — a map
//! and a table per district — and for administrators the form that adds, changes or removes
//! a place (`operations::edit_places`: a new version of the whole register, audited);
//! `/personal/est/platser.toml` downloads the register in use.

use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::pages::{district_choices, page};
use crate::auth::Staff;
use crate::error::Error;
use crate::http::extract::{Admin, AdminOrAnalyst, StaffPost};
use crate::http::form::{field, form_faults};
use crate::http::state::AppState;
use crate::operations::{self, PlaceEdit, PlaceRegister};
use crate::views::est_places::{self as v, PlacesPage};

/// The register in use (the database's newest version, or `surveys/places.toml`).
pub async fn register(state: &AppState) -> Result<PlaceRegister, Error> {
    operations::current_places(&state.store, &state.surveys, &state.districts).await
}

async fn places_page(
    state: &AppState,
    s: &Staff,
    faults: &[String],
    form: &[(String, String)],
    status: StatusCode,
) -> Result<Response, Error> {
    let register = register(state).await?;
    let counts = state.store.reports_per_place().await?;
    let reports = |id: &str| counts.get(id).copied().unwrap_or(0);
    let districts = district_choices(state, s);
    let view = PlacesPage {
        register: &register,
        districts: &districts,
        faults,
        form,
        reports: &reports,
    };
    Ok(page(status, v::places_page(s, &view)))
}

#[derive(serde::Deserialize)]
pub(super) struct Edit {
    /// The id of the place to edit: the form shows its values.
    andra: Option<String>,
}

/// `GET /personal/est/platser`.
pub async fn places(
    State(state): State<AppState>,
    AdminOrAnalyst(s): AdminOrAnalyst,
    Query(edit): Query<Edit>,
) -> Result<Response, Error> {
    let register = register(&state).await?;
    let form: Vec<(String, String)> =
        match edit.andra.as_deref().and_then(|id| register.places.get(id)) {
            Some(p) => [
                ("id", p.id.clone()),
                ("name", p.name.clone()),
                ("district", p.district.clone()),
                ("lat", p.lat.to_string()),
                ("lon", p.lon.to_string()),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
            None => Vec::new(),
        };
    places_page(&state, &s, &[], &form, StatusCode::OK).await
}

/// `POST /personal/est/platser`: one place added, changed or removed.
pub async fn save(
    State(state): State<AppState>,
    post: StaffPost<Admin>,
) -> Result<Response, Error> {
    let (s, f) = post.into_parts();
    let names = ["csrf", "id", "name", "district", "lat", "lon", "remove"];
    let form_faults = form_faults(&f, &names);
    if !form_faults.is_empty() {
        let mut faults =
            vec!["Formuläret har okända eller dubbla fält; inget sparades.".to_string()];
        faults.extend(form_faults);
        return places_page(&state, &s, &faults, &f, StatusCode::BAD_REQUEST).await;
    }
    let edit = if field(&f, "remove") == "1" {
        PlaceEdit::Remove(field(&f, "id").trim().to_string())
    } else {
        let read = operations::place_from(
            field(&f, "id"),
            field(&f, "name"),
            field(&f, "district"),
            field(&f, "lat"),
            field(&f, "lon"),
            &state.districts,
        );
        match read {
            Ok(p) => PlaceEdit::Save(p),
            Err(faults) => {
                return places_page(&state, &s, &faults, &f, StatusCode::BAD_REQUEST).await;
            }
        }
    };
    let done = operations::edit_places(
        &state.store,
        &state.surveys,
        &state.districts,
        edit,
        &s.account.email,
    )
    .await?;
    match done {
        Ok(_) => Ok(Redirect::to("/personal/est/platser").into_response()),
        Err(faults) => places_page(&state, &s, &faults, &f, StatusCode::CONFLICT).await,
    }
}

/// `GET /personal/est/platser.toml`: the register in use, in the `places.toml` format —
/// for someone limited to districts, only their districts' places.
pub async fn download(
    State(state): State<AppState>,
    AdminOrAnalyst(s): AdminOrAnalyst,
) -> Result<Response, Error> {
    let register = register(&state).await?;
    let body = if s.scoped() {
        let mine = crate::est::Places(
            (register.places.0.into_iter())
                .filter(|p| s.in_scope(&p.district))
                .collect(),
        );
        let header = "The EST places register of your districts, from trygg.";
        crate::est::to_toml(&mine, header)
    } else {
        match register.version {
            Some(v) => v.body,
            None => std::fs::read_to_string(state.surveys.join(crate::est::PLACES_FILE))
                .map_err(|e| Error::Internal(format!("reading places.toml: {e}")))?,
        }
    };
    Ok((
        [
            (header::CONTENT_TYPE, "application/toml; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"places.toml\"",
            ),
        ],
        body,
    )
        .into_response())
}
