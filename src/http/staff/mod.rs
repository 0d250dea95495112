//! `/personal`: the staff pages, one file per concern — signing in (`session.rs`), waves,
//! users, the audit log, field work, held answers (`review.rs`), API keys (`tokens.rs`),
//! measures and a measure's page, the results explorer (`results.rs`) and the yearly report
//! (`reports.rs`), the EST week's picture (`est_week.rs`), its places register
//! (`est_places.rs`), the EST report form and "Mina rapporter" (`est_report.rs`), the EST
//! review queue (`est_review.rs`) and the EST actions (`est_actions.rs`). Who may reach a route and every form's CSRF token are checked by the
//! extractors in `http/extract.rs` before a handler runs; handlers parse, call one
//! operation and render a view from `views/`.

mod audit;
mod est_actions;
mod est_places;
mod est_report;
mod est_review;
mod est_week;
mod fieldwork;
mod measure_page;
mod measures;
mod pages;
mod reports;
mod results;
mod review;
mod session;
mod tokens;
mod users;
mod waves;

use axum::Router;
use axum::routing::{get, post};

use crate::http::state::AppState;

/// Every staff route. (A list of routes: splitting it would hide the map of the site.)
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/personal", get(session::home))
        .route(
            "/personal/logga-in",
            get(session::login_page).post(session::login),
        )
        .route("/personal/logga-ut", post(session::logout))
        .route(
            "/personal/logga-ut-overallt",
            post(session::logout_everywhere),
        )
        .route(
            "/personal/losenord/{token}",
            get(session::password_page).post(session::password),
        )
        .route("/personal/oversikt", get(waves::dashboard))
        .route("/personal/vagor", get(waves::waves).post(waves::publish))
        .route("/personal/vagor/{id}/stang", post(waves::close))
        .route("/personal/anvandare", get(users::users).post(users::invite))
        .route("/personal/anvandare/{id}", post(users::update_user))
        .route("/personal/logg", get(audit::audit))
        .route("/personal/falt", get(fieldwork::fieldwork))
        .route("/personal/falt/papper", post(fieldwork::paper_import))
        .route("/personal/falt/markera", post(fieldwork::mark_letters))
        .route(
            "/personal/granskning",
            get(review::review).post(review::decide_held),
        )
        .route(
            "/personal/api",
            get(tokens::api_tokens).post(tokens::create_api_token),
        )
        .route(
            "/personal/api/{id}/aterkalla",
            post(tokens::revoke_api_token),
        )
        .route(
            "/personal/atgarder",
            get(measures::measures).post(measures::save_measure),
        )
        .route("/personal/atgarder/{id}", get(measure_page::page))
        .route("/personal/resultat", get(results::page))
        .route("/personal/resultat.csv", get(results::csv))
        .route("/personal/resultat.xlsx", get(results::xlsx))
        .route("/personal/resultat.parquet", get(results::parquet))
        .route(
            "/personal/rapporter",
            get(reports::page).post(reports::generate),
        )
        .route("/personal/est", get(est_week::current))
        .route("/personal/est/export.csv", get(est_week::export))
        .route(
            "/personal/est/platser",
            get(est_places::places).post(est_places::save),
        )
        .route("/personal/est/platser.toml", get(est_places::download))
        .route(
            "/personal/est/rapportera",
            get(est_report::form).post(est_report::file),
        )
        .route("/personal/est/mina", get(est_report::mine))
        .route(
            "/personal/est/granska",
            get(est_review::queue).post(est_review::decide),
        )
        .route(
            "/personal/est/insatser",
            get(est_actions::list).post(est_actions::record),
        )
        .route("/personal/est/insatser/{id}", post(est_actions::follow_up))
        .route(
            "/personal/est/insatser/{id}/atgard",
            post(est_actions::to_measure),
        )
        .route("/personal/est/{district}/{week}", get(est_week::week))
}

/// Every `/personal` route with its method, for the role × route test.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/personal"),
    ("POST", "/personal/logga-ut"),
    ("POST", "/personal/logga-ut-overallt"),
    ("GET", "/personal/oversikt"),
    ("GET", "/personal/vagor"),
    ("POST", "/personal/vagor"),
    ("POST", "/personal/vagor/1/stang"),
    ("GET", "/personal/anvandare"),
    ("POST", "/personal/anvandare"),
    ("POST", "/personal/anvandare/1"),
    ("GET", "/personal/logg"),
    ("GET", "/personal/falt"),
    ("GET", "/personal/resultat"),
    ("GET", "/personal/resultat.csv"),
    ("GET", "/personal/resultat.xlsx"),
    ("GET", "/personal/resultat.parquet"),
    ("GET", "/personal/atgarder"),
    ("POST", "/personal/atgarder"),
    ("GET", "/personal/atgarder/00"),
    ("GET", "/personal/rapporter"),
    ("POST", "/personal/rapporter"),
    ("GET", "/personal/api"),
    ("POST", "/personal/api"),
    ("POST", "/personal/api/00/aterkalla"),
    ("POST", "/personal/falt/papper"),
    ("POST", "/personal/falt/markera"),
    ("GET", "/personal/granskning"),
    ("POST", "/personal/granskning"),
    ("GET", "/personal/est"),
    ("GET", "/personal/est/ryd/2026-W05"),
    ("GET", "/personal/est/platser"),
    ("POST", "/personal/est/platser"),
    ("GET", "/personal/est/platser.toml"),
    ("GET", "/personal/est/rapportera"),
    ("POST", "/personal/est/rapportera"),
    ("GET", "/personal/est/mina"),
    ("GET", "/personal/est/granska"),
    ("POST", "/personal/est/granska"),
    ("GET", "/personal/est/insatser"),
    ("POST", "/personal/est/insatser"),
    ("POST", "/personal/est/insatser/00"),
    ("POST", "/personal/est/insatser/00/atgard"),
];
