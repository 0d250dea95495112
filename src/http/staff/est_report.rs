//! `/personal/est/rapportera` and `/personal/est/mina`: filing an EST incident report on
//! the form (reporters, administrators and analysts, in their districts) and the person's
//! own recent reports. A report is stored as `new` with the account's organisation (the
//! site's own when the account names none) and its e-mail address, which only "Mina
//! rapporter" reads. The receipt is shown only after the insert committed, and only for a
//! report found among the person's own; a failed write gives the form back with every
//! answer (503).

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::pages::places;
use super::pages::{district_choices, out_of_scope, page};
use crate::auth::Staff;
use crate::error::Error;
use crate::est::filing::{self, Answers, Field, Filer, Filing, MINE_DAYS};
use crate::est::{Places, Report};
use crate::http::extract::{EstStaff, StaffPost};
use crate::http::respond::today;
use crate::http::state::AppState;
use crate::views::est_report::{self as v, DistrictPlaces, ReportForm};
use crate::views::staff::message;

/// The organisation a person's reports carry: the account's, or the site's own.
fn organisation(state: &AppState, s: &Staff) -> String {
    match &s.account.organisation {
        Some(o) => o.clone(),
        None => state.site.name.get("sv").to_string(),
    }
}

/// The districts the person may report in, each with its places.
fn districts(state: &AppState, s: &Staff, register: &Places) -> Vec<DistrictPlaces> {
    (district_choices(state, s).into_iter())
        .map(|(code, name)| DistrictPlaces {
            places: (register.in_district(&code))
                .map(|p| (p.id.clone(), p.name.clone()))
                .collect(),
            code,
            name,
        })
        .collect()
}

async fn form_page(
    state: &AppState,
    s: &Staff,
    status: StatusCode,
    answers: &Answers,
    faults: &[(Field, String)],
    failure: Option<&str>,
) -> Response {
    let register = places(state).await;
    let districts = districts(state, s, &register);
    let form = ReportForm {
        districts: &districts,
        answers,
        faults,
        failure,
        today: today(),
    };
    page(status, v::report_form(s, &form))
}

/// `GET /personal/est/rapportera`: the empty form.
pub async fn form(State(state): State<AppState>, EstStaff(s): EstStaff) -> Response {
    form_page(&state, &s, StatusCode::OK, &Answers::default(), &[], None).await
}

/// `POST /personal/est/rapportera`: checks and stores a report, then to the receipt.
pub async fn file(
    State(state): State<AppState>,
    post: StaffPost<EstStaff>,
) -> Result<Response, Error> {
    let (s, fields) = post.into_parts();
    let malformed = |m: &str| {
        let text = format!("{m} Ladda om formuläret och försök igen.");
        let reply = message("Rapporten kunde inte läsas", &text, Some(&s));
        Ok(page(StatusCode::BAD_REQUEST, reply))
    };
    let answers = match filing::read(&fields) {
        Ok(a) => a,
        Err(Filing::Malformed(m)) => return malformed(&m),
        Err(_) => return malformed(""),
    };
    let register = places(&state).await;
    let organisation = organisation(&state, &s);
    let in_scope = |d: &str| s.in_scope(d);
    let filer = Filer {
        organisation: &organisation,
        email: &s.account.email,
        in_scope: &in_scope,
    };
    let new = match filing::check(&answers, &state.districts, &register, &filer, today()) {
        Ok(new) => new,
        Err(Filing::Malformed(m)) => return malformed(&m),
        Err(Filing::OutOfScope(d)) => {
            return out_of_scope(&state, &s, &format!("EST report filed for {d}")).await;
        }
        Err(Filing::Invalid(faults)) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(form_page(&state, &s, status, &answers, &faults, None).await);
        }
    };
    match state.store.insert_est_report(&new).await {
        Ok(id) => Ok(Redirect::to(&format!("/personal/est/mina?sparad={id}")).into_response()),
        Err(e) => {
            tracing::error!("an EST report could not be stored: {e}");
            let failure = "Rapporten kunde inte sparas just nu, och ingenting sparades. Dina svar finns kvar nedan – försök skicka igen om en stund.";
            let status = StatusCode::SERVICE_UNAVAILABLE;
            Ok(form_page(&state, &s, status, &answers, &[], Some(failure)).await)
        }
    }
}

/// The receipt's query: the id of the report just stored.
#[derive(serde::Deserialize)]
pub struct MineQuery {
    sparad: Option<String>,
}

/// `GET /personal/est/mina`: the person's own reports of the last `MINE_DAYS` days.
pub async fn mine(
    State(state): State<AppState>,
    EstStaff(s): EstStaff,
    Query(q): Query<MineQuery>,
) -> Result<Response, Error> {
    let since = today() - chrono::Days::new(MINE_DAYS as u64);
    let reports = state.store.est_reports_by(&s.account.email, since).await?;
    let saved_id = q.sparad.and_then(|x| x.parse::<i64>().ok());
    let saved = reports.iter().find(|r| Some(r.id) == saved_id);
    let register = places(&state).await;
    let place_name = |r: &Report| place_name(&register, r);
    let view = v::mine(&s, &reports, saved, &place_name, MINE_DAYS);
    Ok(page(StatusCode::OK, view))
}

/// A report's place as pages show it: the register's name, or the reporter's words.
pub fn place_name(register: &Places, r: &Report) -> String {
    match (&r.place_id, &r.other_place) {
        (Some(id), _) => register
            .get(id)
            .map_or_else(|| id.clone(), |p| p.name.clone()),
        (None, Some(other)) => format!("Annan plats: {other}"),
        (None, None) => "Ingen plats angiven".to_string(),
    }
}
