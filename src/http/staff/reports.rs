//! `/personal/rapporter`: analysts generate the yearly report from the browser and publish
//! it to `/rapporter/<year>/` — the same `report::generate` as `trygg report`, into the same
//! reports folder, logged in the audit log with who did it.
//!
//! One report is generated at a time (a second request is told to wait); the report is
//! written to a temporary folder and swapped in, so readers of `/rapporter` never see half
//! of one.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use crate::auth::Staff;
use crate::error::Error;
use crate::http::extract::{AdminOrAnalyst, StaffPost};
use crate::http::state::AppState;
use crate::views::reports::{self as v, Outcome};

async fn render(
    state: &AppState,
    s: &Staff,
    outcome: Outcome,
    status: StatusCode,
) -> Result<Response, Error> {
    let mut years: Vec<i32> = state.store.waves().await?.iter().map(|w| w.year).collect();
    years.sort_unstable_by(|a, b| b.cmp(a));
    years.dedup();
    let years: Vec<(i32, bool)> = years
        .into_iter()
        .map(|y| {
            let published = state
                .reports
                .join(y.to_string())
                .join("index.html")
                .is_file();
            (y, published)
        })
        .collect();
    Ok(super::pages::page(
        status,
        v::staff_reports(s, &years, &outcome),
    ))
}

pub async fn page(
    State(state): State<AppState>,
    AdminOrAnalyst(s): AdminOrAnalyst,
) -> Result<Response, Error> {
    render(&state, &s, Outcome::None, StatusCode::OK).await
}

pub async fn generate(
    State(state): State<AppState>,
    post: StaffPost<AdminOrAnalyst>,
) -> Result<Response, Error> {
    let s = &post.staff;
    if s.scoped() {
        return super::pages::out_of_scope(&state, s, "the yearly report (every district)").await;
    }
    let field = |name: &str| post.field(name);
    let refuse = |msg: String, status| render(&state, s, Outcome::Refused(msg), status);
    let waves = state.store.waves().await?;
    let year = match field("year").parse::<i32>() {
        Ok(y) if waves.iter().any(|w| w.year == y) => y,
        _ => {
            return refuse(
                format!("{:?} är inget år med enkäter.", field("year")),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let Ok(_building) = state.report_building.try_lock() else {
        return refuse(
            "En rapport tas fram just nu. Vänta en stund och försök igen.".into(),
            StatusCode::CONFLICT,
        )
        .await;
    };
    if let Err(e) = std::fs::create_dir_all(&state.reports) {
        return Err(Error::io(&state.reports, e));
    }
    let out = state.reports.join(year.to_string());
    let inputs = state.inputs();
    let options = crate::report::ReportOptions {
        year,
        compare: None,
        out,
    };
    let (store, actor) = (state.store.clone(), s.account.email.clone());
    let place = format!("at /rapporter/{year}/");
    let preliminary = post.field("preliminary") == "1";
    let generated = crate::blocking::off_workers(async move {
        crate::operations::generate_report(&store, &inputs, &options, preliminary, &actor, &place)
            .await
    })
    .await;
    match generated {
        Ok(summary) => {
            let decimal = |x: f64| format!("{x:.1}").replace('.', ",");
            let msg = format!(
                "Rapporten för {year} är publicerad på /rapporter/{year}/: {} filer, {} diagram, {} MB, på {} s.",
                summary.files,
                summary.charts,
                decimal(summary.bytes as f64 / 1e6),
                decimal((summary.analysis + summary.build).as_secs_f64())
            );
            render(&state, s, Outcome::Published(msg), StatusCode::OK).await
        }
        Err(Error::Invalid(why)) => refuse(why, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(Error::Conflict(_)) => {
            let open = crate::report::open_districts(&waves, year, &state.districts);
            let why = format!(
                "Enkäten {year} pågår fortfarande i {}. Rapporten kan bara publiceras som preliminär: kryssa i \"Preliminär\".",
                open.join(", ")
            );
            refuse(why, StatusCode::CONFLICT).await
        }
        Err(e) => Err(e),
    }
}
