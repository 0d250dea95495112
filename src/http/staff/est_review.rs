//! `/personal/est/granska`: the EST coordinator's review queue (administrators and
//! analysts, in their districts). A decision — accept, reject, or merge into another
//! unmerged report of the same district — goes through `Store::set_est_status`, which
//! audits it; a report outside the person's districts is refused (403, audited, nothing
//! changed), an unknown one is 404, a report already decided or a merge the store refuses
//! is 409 with the queue and why.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::est_report::place_name;
use super::pages::places;
use super::pages::{district_name, out_of_scope, page};
use crate::auth::Staff;
use crate::error::Error;
use crate::est::{Places, Report, ReportStatus};
use crate::http::extract::{AdminOrAnalyst, StaffPost};
use crate::http::form::field;
use crate::http::state::AppState;
use crate::views::est_review::{self as v, QueueItem};
use crate::views::staff::message;

/// How many days before and after a report's day the reports it may be merged into lie.
pub const MERGE_WINDOW_DAYS: u64 = 7;

/// The reports `r` may be merged into: same district, new or accepted, within the window; the
/// same category first, then the nearest day.
async fn targets(
    state: &AppState,
    register: &Places,
    r: &Report,
) -> Result<Vec<(i64, String)>, Error> {
    let w = chrono::Days::new(MERGE_WINDOW_DAYS);
    let mut near = (state.store)
        .est_merge_targets(&r.district, r.day - w, r.day + w)
        .await?;
    near.retain(|t| t.id != r.id && t.status != ReportStatus::Rejected);
    near.sort_by_key(|t| {
        (
            t.category != r.category,
            (t.day - r.day).num_days().abs(),
            t.id,
        )
    });
    Ok(near
        .iter()
        .map(|t| {
            let line = format!(
                "{}: {}, {}, {}",
                t.id,
                t.day,
                t.category.label(),
                place_name(register, t)
            );
            (t.id, line)
        })
        .collect())
}

async fn queue_page(
    state: &AppState,
    s: &Staff,
    status: StatusCode,
    error: Option<&str>,
) -> Result<Response, Error> {
    let reports = state
        .store
        .est_queue(s.account.districts.as_deref())
        .await?;
    let register = places(state).await;
    let mut items = Vec::with_capacity(reports.len());
    for r in &reports {
        items.push(QueueItem {
            report: r,
            district_name: district_name(state, &r.district),
            place: place_name(&register, r),
            targets: targets(state, &register, r).await?,
        });
    }
    Ok(page(status, v::queue(s, &items, error)))
}

/// `GET /personal/est/granska`.
pub async fn queue(
    State(state): State<AppState>,
    AdminOrAnalyst(s): AdminOrAnalyst,
) -> Result<Response, Error> {
    queue_page(&state, &s, StatusCode::OK, None).await
}

/// `POST /personal/est/granska`: one decision, then back to the queue.
pub async fn decide(
    State(state): State<AppState>,
    post: StaffPost<AdminOrAnalyst>,
) -> Result<Response, Error> {
    let (s, f) = post.into_parts();
    let bad = |m: &str| {
        let reply = message("Beslutet kunde inte läsas", m, Some(&s));
        Ok(page(StatusCode::BAD_REQUEST, reply))
    };
    let Ok(id) = field(&f, "id").parse::<i64>() else {
        return bad("Rapportens nummer saknas.");
    };
    let (status, target) = match field(&f, "decision") {
        "accept" => (ReportStatus::Accepted, None),
        "reject" => (ReportStatus::Rejected, None),
        "merge" => match field(&f, "target").parse::<i64>() {
            Ok(t) => (ReportStatus::Merged, Some(t)),
            Err(_) => return bad("Välj rapporten den ska slås ihop med."),
        },
        _ => return bad("Välj Godkänn, Avvisa eller Slå ihop."),
    };
    let Some(report) = state.store.est_report(id).await? else {
        let reply = message(
            "Rapporten finns inte",
            "Det finns ingen rapport med det numret.",
            Some(&s),
        );
        return Ok(page(StatusCode::NOT_FOUND, reply));
    };
    if !s.in_scope(&report.district) {
        return out_of_scope(&state, &s, &format!("EST review of report {id}")).await;
    }
    if report.status != ReportStatus::New {
        let text = format!("Rapport {id} är redan granskad.");
        return queue_page(&state, &s, StatusCode::CONFLICT, Some(&text)).await;
    }
    if let Some(t) = target {
        // Only the reports the queue offers: within the window of the report's day.
        let near =
            state.store.est_report(t).await?.is_some_and(|t| {
                (t.day - report.day).num_days().unsigned_abs() <= MERGE_WINDOW_DAYS
            });
        if !near {
            let text = format!(
                "Rapport {id} kan bara slås ihop med en rapport från samma område högst {MERGE_WINDOW_DAYS} dagar från dess dag."
            );
            return queue_page(&state, &s, StatusCode::CONFLICT, Some(&text)).await;
        }
    }
    // The store checks again in its write transaction: two coordinators deciding at once
    // get one decision and one conflict.
    match (state.store)
        .decide_new_est_report(id, status, target, &s.account.email)
        .await
    {
        Ok(()) => Ok(Redirect::to("/personal/est/granska").into_response()),
        Err(Error::Conflict(_)) => {
            let text = format!(
                "Rapport {id} är redan granskad, eller kan inte slås ihop med den rapporten: bara med en ny eller godkänd rapport från samma område som ingen annan är sammanslagen med."
            );
            queue_page(&state, &s, StatusCode::CONFLICT, Some(&text)).await
        }
        Err(e) => Err(e),
    }
}
