//! The measures register: listing, adding, editing and removing measures; every edit is a
//! new version.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::pages::{district_choices, out_of_scope, page};
use crate::auth::Staff;
use crate::error::Error;
use crate::http::extract::{AdminOrAnalyst, AnyStaff, StaffPost};
use crate::http::form::field;
use crate::http::state::AppState;
use crate::views::staff as v;

/// The register as it stands (the database's, or the file's before the first edit).
async fn register(state: &AppState) -> Result<Vec<crate::analysis::measures::Measure>, Error> {
    crate::analysis::measures::current(&state.store, &state.surveys, &state.districts).await
}

/// The register page; `form` fills the edit form (what was typed, or the measure chosen
/// for editing).
async fn measures_page(
    state: &AppState,
    s: &Staff,
    faults: &[String],
    form: &[(String, String)],
    status: StatusCode,
) -> Result<Response, Error> {
    let mut list = register(state).await?;
    list.retain(|m| s.in_scope(&m.district));
    let districts = district_choices(state, s);
    let from_db = state.store.has_measures().await?;
    Ok(page(
        status,
        v::measures(s, &list, &districts, faults, from_db, form),
    ))
}

#[derive(serde::Deserialize)]
pub(super) struct Edit {
    /// The id of the measure to edit: the form shows its current values.
    andra: Option<String>,
}

pub(super) async fn measures(
    State(state): State<AppState>,
    AnyStaff(s): AnyStaff,
    Query(edit): Query<Edit>,
) -> Result<Response, Error> {
    let list = register(&state).await?;
    let current = (edit.andra.as_deref())
        .and_then(|id| list.iter().find(|m| m.id == id && s.in_scope(&m.district)));
    let form = current.map(fields_of).unwrap_or_default();
    measures_page(&state, &s, &[], &form, StatusCode::OK).await
}

/// A measure as the edit form's fields.
fn fields_of(m: &crate::analysis::measures::Measure) -> Vec<(String, String)> {
    [
        ("id", m.id.clone()),
        ("district", m.district.clone()),
        ("start", m.start.to_string()),
        ("category", m.category.clone()),
        ("title", m.title.clone()),
        ("targets", m.targets.join(", ")),
        ("lag", m.lag_months.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// Reads a measure from the edit form; every fault is listed.
fn measure_from(
    state: &AppState,
    f: &[(String, String)],
) -> Result<crate::analysis::measures::Measure, Vec<String>> {
    let mut faults = Vec::new();
    let id = field(f, "id").trim().to_string();
    if id.is_empty()
        || id.len() > 80
        || !id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        faults.push(
            "Id: 1–80 tecken a–z, 0–9 och bindestreck, till exempel ryd-belysning-2027."
                .to_string(),
        );
    }
    let district = field(f, "district").to_string();
    if state.districts.get(&district).is_none() {
        faults.push("Välj ett område.".into());
    }
    let start = crate::measure::plan_date(field(f, "start"));
    if start.is_none() {
        faults.push("Start: ett datum som ÅÅÅÅ-MM-DD mellan år 2000 och 2100.".into());
    }
    // `est-<n>` ids are the measures EST actions become (one step on the actions page).
    if id.starts_with("est-") {
        faults.push(
            "Id som börjar med est- är reserverade för åtgärder som skapas från EST-insatser."
                .into(),
        );
    }
    let (title, category) = (
        field(f, "title").trim().to_string(),
        field(f, "category").trim().to_string(),
    );
    if title.is_empty() || category.is_empty() || title.len() > 300 || category.len() > 60 {
        faults.push("Ange titel (högst 300 tecken) och kategori (högst 60).".into());
    }
    let lag: Option<u32> = match field(f, "lag").trim() {
        "" => Some(crate::measure::DEFAULT_LAG_MONTHS),
        x => x.parse().ok().filter(|l| *l <= 60),
    };
    if lag.is_none() {
        faults.push("Fördröjning: 0–60 månader.".into());
    }
    let targets: Vec<String> = field(f, "targets")
        .split([',', ' '])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect();
    if targets.iter().any(|t| {
        !t.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
    }) {
        faults.push("Målindikatorer: frågekoder som P_BELYSNING, åtskilda med kommatecken.".into());
    }
    let mut seen = std::collections::HashSet::new();
    if targets.iter().any(|t| !seen.insert(t)) {
        faults.push("En målindikator är angiven två gånger.".into());
    }
    match (faults.is_empty(), start, lag) {
        (true, Some(start), Some(lag_months)) => Ok(crate::analysis::measures::Measure {
            id,
            district,
            start,
            category,
            title,
            lag_months,
            targets,
            version: None,
        }),
        _ => Err(faults),
    }
}

pub(super) async fn save_measure(
    State(state): State<AppState>,
    post: StaffPost<AdminOrAnalyst>,
) -> Result<Response, Error> {
    let (s, f) = post.into_parts();
    let removing = field(&f, "remove") == "1";
    let m = match measure_from(&state, &f) {
        Ok(m) => m,
        Err(faults) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return measures_page(&state, &s, &faults, &f, status).await;
        }
    };
    let stored = register(&state).await?;
    // Not another district's measure, now or in an earlier (or removed) version.
    let history = state.store.measure_history(&m.id).await?;
    let elsewhere =
        (stored.iter().chain(&history)).any(|x| x.id == m.id && !s.in_scope(&x.district));
    if !s.in_scope(&m.district) || elsewhere {
        return out_of_scope(&state, &s, &format!("measure {} ({})", m.id, m.district)).await;
    }
    // The first edit moves the file's register into the database, as version 1 of each.
    if !state.store.has_measures().await? {
        state
            .store
            .save_measures(&stored, false, "import of surveys/measures.toml")
            .await?;
    }
    if removing && !stored.iter().any(|x| x.id == m.id) {
        return measures_page(
            &state,
            &s,
            &["Åtgärden finns inte.".into()],
            &f,
            StatusCode::NOT_FOUND,
        )
        .await;
    }
    state
        .store
        .save_measures(std::slice::from_ref(&m), removing, &s.account.email)
        .await?;
    Ok(Redirect::to("/personal/atgarder").into_response())
}
