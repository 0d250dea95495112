//! `/personal/est/insatser`: the EST group's actions (insatser) — recorded from the week's
//! picture (the form "Ny insats", whose open actions the week's page shows through
//! [`open_section`]), followed up (status and note) on the actions page, and made a
//! measure of the register in one step. Administrators and analysts, within their
//! districts. A refused form comes back with what was typed and why, and nothing stored.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use maud::Markup;

use super::pages::{district_choices, district_name, out_of_scope, page, places};
use crate::auth::Staff;
use crate::error::Error;
use crate::est::action::{check_note, check_owner};
use crate::est::{Action, ActionKind, ActionStatus, NewAction, Places, Week};
use crate::http::extract::{AdminOrAnalyst, StaffPost};
use crate::http::form::{field, form_faults};
use crate::http::respond::today;
use crate::http::state::AppState;
use crate::measure::Measure;
use crate::views::est_actions::{self as v, ACTIONS_HREF, ActionRow, Editing, NewActionForm};
use crate::views::est_week::week_href;
use crate::views::staff::message;

/// The fields the form "Ny insats" posts.
const NEW_FIELDS: [&str; 10] = [
    "csrf", "district", "week", "place", "kind", "presence", "owner", "due", "status", "note",
];

/// The fields a follow-up posts.
const FOLLOW_FIELDS: [&str; 3] = ["csrf", "status", "note"];

/// The actions as pages list them, with their places' and districts' names.
fn rows<'a>(state: &AppState, register: &Places, actions: &'a [Action]) -> Vec<ActionRow<'a>> {
    (actions.iter())
        .map(|a| ActionRow {
            action: a,
            place: place_name(register, a.new.place_id.as_deref()),
            district: district_name(state, &a.new.district),
        })
        .collect()
}

fn place_name(register: &Places, id: Option<&str>) -> String {
    match id {
        Some(id) => register
            .get(id)
            .map_or_else(|| id.to_string(), |p| p.name.clone()),
        None => "Hela området".to_string(),
    }
}

/// The places a new action may name: the district's, or (for all districts) every place
/// in the person's districts with its district's name.
fn place_choices(
    state: &AppState,
    s: &Staff,
    register: &Places,
    district: Option<&str>,
) -> Vec<(String, String)> {
    (register.0.iter())
        .filter(|p| district.is_none_or(|d| p.district == d) && s.in_scope(&p.district))
        .map(|p| match district {
            Some(_) => (p.id.clone(), p.name.clone()),
            None => (
                p.id.clone(),
                format!("{} ({})", p.name, district_name(state, &p.district)),
            ),
        })
        .collect()
}

/// The week's page's section: the open actions of the district (`None`: all districts in
/// the person's scope), overdue first, and the form "Ny insats" prefilled with the district
/// and the week.
pub(super) async fn open_section(
    state: &AppState,
    s: &Staff,
    district: Option<&str>,
    week: Week,
) -> Result<Markup, Error> {
    let mut actions = state.store.est_actions(district, true).await?;
    actions.retain(|a| s.in_scope(&a.new.district));
    let register = places(state).await;
    let districts = district_choices(state, s);
    let chosen = district.or(districts.first().map(|(c, _)| c.as_str()));
    let values: Vec<(String, String)> = [
        ("district", chosen.unwrap_or_default().to_string()),
        ("week", week.to_string()),
        ("status", ActionStatus::Planerad.code().to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let form = NewActionForm {
        districts: &districts,
        places: &place_choices(state, s, &register, district),
        values: &values,
    };
    let rows = rows(state, &register, &actions);
    Ok(v::open_section(s, &rows, today(), &form))
}

/// Reads a new action from the form; every fault is listed.
fn read_new(
    state: &AppState,
    register: &Places,
    f: &[(String, String)],
) -> Result<NewAction, Vec<String>> {
    let mut faults = Vec::new();
    let district = field(f, "district");
    if state.districts.get(district).is_none() {
        faults.push("Välj ett område.".to_string());
    }
    let week = Week::parse(field(f, "week"));
    if week.is_none() {
        faults.push("Veckan saknas eller är fel; den skrivs som 2026-W05.".into());
    }
    let place = match field(f, "place") {
        "" => Ok(None),
        id => match register.get(id) {
            Some(p) if p.district == district => Ok(Some(p.id.clone())),
            _ => Err(format!(
                "Platsen finns inte i {} enligt platsregistret.",
                district_name(state, district)
            )),
        },
    };
    let presence = Some(field(f, "presence")).filter(|p| !p.is_empty());
    let kind = ActionKind::from_codes(field(f, "kind"), presence).map_err(|k| k.sv().to_string());
    let owner = check_owner(field(f, "owner"));
    let due = crate::measure::plan_date(field(f, "due")).ok_or_else(|| {
        "Klart senast: ett datum som ÅÅÅÅ-MM-DD mellan år 2000 och 2100, till exempel 2026-12-31."
            .to_string()
    });
    let status = ActionStatus::from_code(field(f, "status")).ok_or("Välj en status.".to_string());
    let note = check_note(field(f, "note"));
    match (place, kind, owner, due, status, note, week) {
        (Ok(place_id), Ok(kind), Ok(owner), Ok(due), Ok(status), Ok(note), Some(week))
            if faults.is_empty() =>
        {
            Ok(NewAction {
                district: district.to_string(),
                place_id,
                kind,
                owner,
                due,
                status,
                note,
                week,
            })
        }
        (place, kind, owner, due, status, note, _) => {
            faults.extend(place.err());
            faults.extend(kind.err());
            faults.extend(owner.err());
            faults.extend(due.err());
            faults.extend(status.err());
            faults.extend(note.err());
            Err(faults)
        }
    }
}

/// POST `/personal/est/insatser`: records an action, then back to its district's week.
pub(super) async fn record(
    State(state): State<AppState>,
    post: StaffPost<AdminOrAnalyst>,
) -> Result<Response, Error> {
    let (s, f) = post.into_parts();
    let district = field(&f, "district");
    if state.districts.get(district).is_some() && !s.in_scope(district) {
        return out_of_scope(&state, &s, &format!("EST action in {district}")).await;
    }
    let register = places(&state).await;
    let mut faults = form_faults(&f, &NEW_FIELDS);
    let read = read_new(&state, &register, &f);
    if let (true, Ok(a)) = (faults.is_empty(), &read) {
        state.store.insert_est_action(a, &s.account.email).await?;
        return Ok(Redirect::to(&week_href(&a.district, a.week)).into_response());
    }
    faults.extend(read.err().unwrap_or_default());
    let known = state.districts.get(district).map(|_| district);
    let districts = district_choices(&state, &s);
    let form = NewActionForm {
        districts: &districts,
        places: &place_choices(&state, &s, &register, known),
        values: &f,
    };
    Ok(page(
        StatusCode::BAD_REQUEST,
        v::new_action_page(&s, &form, &faults),
    ))
}

/// Open first, the overdue first among them, then by due date.
fn sort(actions: &mut [Action], today: NaiveDate) {
    actions.sort_by_key(|a| (!a.new.status.is_open(), !a.overdue(today), a.new.due, a.id));
}

/// The actions page, with a refused follow-up's values and faults.
async fn actions_page(
    state: &AppState,
    s: &Staff,
    editing: Option<&Editing<'_>>,
    status: StatusCode,
) -> Result<Response, Error> {
    let today = today();
    let mut actions = state.store.est_actions(None, false).await?;
    actions.retain(|a| s.in_scope(&a.new.district));
    sort(&mut actions, today);
    let register = places(state).await;
    let rows = rows(state, &register, &actions);
    Ok(page(status, v::actions_page(s, &rows, today, editing)))
}

/// GET `/personal/est/insatser`.
pub(super) async fn list(
    State(state): State<AppState>,
    AdminOrAnalyst(s): AdminOrAnalyst,
) -> Result<Response, Error> {
    actions_page(&state, &s, None, StatusCode::OK).await
}

/// The action an address names, in the person's districts; or the reply instead (404,
/// or 403 outside the person's districts).
async fn action_of(
    state: &AppState,
    s: &Staff,
    id: &str,
) -> Result<Result<Action, Response>, Error> {
    let found = match id.parse::<i64>() {
        Ok(id) => state.store.est_action(id).await?,
        Err(_) => None,
    };
    let Some(a) = found else {
        let text = "Det finns ingen insats med det numret.";
        return Ok(Err(page(
            StatusCode::NOT_FOUND,
            message("Insatsen finns inte", text, Some(s)),
        )));
    };
    if !s.in_scope(&a.new.district) {
        let what = format!("EST action {} ({})", a.id, a.new.district);
        return Ok(Err(out_of_scope(state, s, &what).await?));
    }
    Ok(Ok(a))
}

/// POST `/personal/est/insatser/{id}`: a follow-up — the status and the note.
pub(super) async fn follow_up(
    State(state): State<AppState>,
    Path(id): Path<String>,
    post: StaffPost<AdminOrAnalyst>,
) -> Result<Response, Error> {
    let (s, f) = post.into_parts();
    let a = match action_of(&state, &s, &id).await? {
        Ok(a) => a,
        Err(reply) => return Ok(reply),
    };
    let mut faults = form_faults(&f, &FOLLOW_FIELDS);
    let status = ActionStatus::from_code(field(&f, "status"));
    if status.is_none() {
        faults.push("Välj en status.".into());
    }
    let note = check_note(field(&f, "note"));
    faults.extend(note.clone().err());
    match (status, note) {
        (Some(status), Ok(note)) if faults.is_empty() => {
            let by = &s.account.email;
            state
                .store
                .update_est_action(a.id, status, note.as_deref(), by)
                .await?;
            let to = format!("{ACTIONS_HREF}#insats-{}", a.id);
            Ok(Redirect::to(&to).into_response())
        }
        _ => {
            let editing = Editing {
                id: a.id,
                values: &f,
                faults: &faults,
            };
            actions_page(&state, &s, Some(&editing), StatusCode::BAD_REQUEST).await
        }
    }
}

/// POST `/personal/est/insatser/{id}/atgard`: the action becomes a measure of the register
/// ([`Action::to_measure`]); to the measure's page. An action that already is one goes to
/// its measure: never two measures of one action.
pub(super) async fn to_measure(
    State(state): State<AppState>,
    Path(id): Path<String>,
    post: StaffPost<AdminOrAnalyst>,
) -> Result<Response, Error> {
    let (s, _) = post.into_parts();
    let a = match action_of(&state, &s, &id).await? {
        Ok(a) => a,
        Err(reply) => return Ok(reply),
    };
    let href = |m: &str| format!("/personal/atgarder/{m}");
    if let Some(m) = &a.measure_id {
        return Ok(Redirect::to(&href(m)).into_response());
    }
    let register = places(&state).await;
    let place = a
        .new
        .place_id
        .as_deref()
        .map(|p| place_name(&register, Some(p)));
    let measure: Measure = a.to_measure(place.as_deref());
    let file = if state.store.has_measures().await? {
        Vec::new()
    } else {
        crate::analysis::measures::load(&state.surveys.join("measures.toml"), &state.districts)?
    };
    match (state.store)
        .make_measure_of_est_action(a.id, &measure, &file, &s.account.email)
        .await
    {
        Ok(()) => Ok(Redirect::to(&href(&measure.id)).into_response()),
        Err(Error::Conflict(_)) => match state
            .store
            .est_action(a.id)
            .await?
            .and_then(|a| a.measure_id)
        {
            Some(m) => Ok(Redirect::to(&href(&m)).into_response()),
            None => {
                let text = format!(
                    "Åtgärdsregistret har redan en åtgärd med id {}; insatsen kopplades inte.",
                    measure.id
                );
                Ok(page(
                    StatusCode::CONFLICT,
                    message("Åtgärden finns redan", &text, Some(&s)),
                ))
            }
        },
        Err(e) => Err(e),
    }
}

/// The reports at a measure's places (the places of the actions that became it; the
/// whole district when none has a place) 12 weeks before and after its start, for its page.
pub(super) async fn measure_reports(state: &AppState, m: &Measure) -> Result<Markup, Error> {
    let actions = state.store.est_actions_of_measure(&m.id).await?;
    let mut ids: Vec<String> = actions
        .iter()
        .filter_map(|a| a.new.place_id.clone())
        .collect();
    ids.sort();
    ids.dedup();
    let whole = actions.is_empty() || actions.iter().any(|a| a.new.place_id.is_none());
    let at = (!whole).then_some(ids.as_slice());
    let (from, to) = crate::est::action::ReportWindow::span(m.start);
    let days = (state.store)
        .est_accepted_per_day(&m.district, at, from, to)
        .await?;
    let window = crate::est::action::ReportWindow::count(m.start, &days);
    let register = places(state).await;
    let names: Option<Vec<String>> =
        at.map(|ids| ids.iter().map(|i| place_name(&register, Some(i))).collect());
    let district = district_name(state, &m.district);
    Ok(crate::views::est_actions::measure_reports(
        &window,
        names.as_deref(),
        &district,
    ))
}
