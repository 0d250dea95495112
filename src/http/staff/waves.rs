//! Waves: the overview of response rates, publishing a questionnaire file for districts and
//! a year, and closing a wave early.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::pages::{district_choices, district_name, page};
use crate::auth::Staff;
use crate::error::Error;
use crate::http::extract::{Admin, AdminOrAnalyst, StaffPost};
use crate::http::state::AppState;
use crate::views::staff as v;

pub(super) async fn dashboard(
    State(state): State<AppState>,
    AdminOrAnalyst(s): AdminOrAnalyst,
) -> Result<Response, Error> {
    let mut rows = Vec::new();
    for w in state.store.waves().await? {
        // An analyst limited to some districts sees only those.
        if !s.in_scope(&w.district) {
            continue;
        }
        rows.push(crate::views::overview::WaveSummary {
            answers: state.store.count_responses(Some(w.id)).await?,
            rates: state.store.response_rates(w.id).await?,
            held: state.store.count_held(w.id).await?,
            name: district_name(&state, &w.district),
            wave: w,
        });
    }
    rows.sort_by(|a, b| b.wave.year.cmp(&a.wave.year).then(a.name.cmp(&b.name)));
    Ok(page(
        StatusCode::OK,
        crate::views::overview::dashboard(&s, &rows, crate::http::respond::today()),
    ))
}

async fn waves_page(
    state: &AppState,
    s: &Staff,
    faults: &[String],
    status: StatusCode,
) -> Result<Response, Error> {
    let list: Vec<_> = state
        .store
        .waves()
        .await?
        .into_iter()
        .map(|w| {
            let n = district_name(state, &w.district);
            (w, n)
        })
        .collect();
    let districts = district_choices(state, s);
    Ok(page(
        status,
        v::waves(s, &list, &districts, faults, crate::http::respond::today()),
    ))
}

pub(super) async fn waves(
    State(state): State<AppState>,
    Admin(s): Admin,
) -> Result<Response, Error> {
    waves_page(&state, &s, &[], StatusCode::OK).await
}

/// Largest questionnaire file taken from the web (the same limit as `trygg check`).
const MAX_UPLOAD: usize = 1024 * 1024;

/// A publication read from the waves form: the questionnaire file, checked, for a year,
/// dates and districts.
struct Publication {
    source: String,
    questionnaire: crate::questionnaire::Questionnaire,
    year: i32,
    opens: chrono::NaiveDate,
    closes: chrono::NaiveDate,
    districts: Vec<String>,
}

/// The questionnaire file of the waves form: the upload on the first post; on the confirming
/// post, the same bytes sent back in base64 (a browser rewrites line breaks in a form
/// field's text, which would change the stored questionnaire and its checksum).
fn uploaded(post: &StaffPost<Admin>) -> std::borrow::Cow<'_, [u8]> {
    use base64::Engine;
    match post.file("file").filter(|f| !f.is_empty()) {
        Some(file) => std::borrow::Cow::Borrowed(file),
        None => std::borrow::Cow::Owned(
            base64::engine::general_purpose::STANDARD
                .decode(post.field("source64").trim())
                .unwrap_or_default(),
        ),
    }
}

/// Reads the waves form; every fault is listed, with the status to answer it with.
fn publication(
    state: &AppState,
    post: &StaffPost<Admin>,
) -> Result<Publication, (StatusCode, Vec<String>)> {
    let source = &uploaded(post)[..];
    if source.len() > MAX_UPLOAD {
        return Err((
            StatusCode::PAYLOAD_TOO_LARGE,
            vec!["Filen är större än 1 MiB.".into()],
        ));
    }
    let mut faults = Vec::new();
    let source = match std::str::from_utf8(source) {
        Ok(t) if !t.trim().is_empty() => Some(t.to_string()),
        Err(_) => {
            faults.push("Filen är inte UTF-8.".to_string());
            None
        }
        Ok(_) => {
            faults.push("Välj en enkätfil.".to_string());
            None
        }
    };
    let year: Option<i32> = post
        .field("year")
        .trim()
        .parse()
        .ok()
        .filter(|y| crate::analysis::policy::YEARS.contains(y));
    if year.is_none() {
        faults.push("Ange ett år mellan 2000 och 2100.".into());
    }
    let date =
        |name: &str| chrono::NaiveDate::parse_from_str(post.field(name).trim(), "%Y-%m-%d").ok();
    let (o, c) = (date("opens"), date("closes"));
    if o.is_none() || c.is_none() || o > c {
        faults.push("Ange datum som ÅÅÅÅ-MM-DD, och stängning efter öppning.".into());
    }
    let districts: Vec<String> = post
        .fields
        .iter()
        .filter(|(k, _)| k == "district")
        .map(|(_, v)| v.trim().to_string())
        .collect();
    if districts.is_empty() || districts.iter().any(|d| state.districts.get(d).is_none()) {
        faults.push("Välj minst ett område.".into());
    }
    let parsed = source
        .as_deref()
        .map(|src| crate::questionnaire::parse("enkätfilen", src));
    if let Some(Err(fs)) = &parsed {
        faults.extend(fs.iter().map(|f| f.to_string()));
    }
    match (source, parsed, year, o, c) {
        (Some(source), Some(Ok(questionnaire)), Some(year), Some(opens), Some(closes))
            if faults.is_empty() =>
        {
            Ok(Publication {
                source,
                questionnaire,
                year,
                opens,
                closes,
                districts,
            })
        }
        _ => Err((StatusCode::UNPROCESSABLE_ENTITY, faults)),
    }
}

pub(super) async fn publish(
    State(state): State<AppState>,
    post: StaffPost<Admin>,
) -> Result<Response, Error> {
    let p = match publication(&state, &post) {
        Ok(p) => p,
        Err((status, faults)) => return waves_page(&state, &post.staff, &faults, status).await,
    };
    // A checked file is published only once the administrator has seen what will happen.
    if post.field("confirm") != "ja" {
        let names: Vec<String> = p
            .districts
            .iter()
            .map(|d| district_name(&state, d))
            .collect();
        let summary = v::PublicationSummary {
            code: &p.questionnaire.code,
            title: p.questionnaire.title.get("sv"),
            questions: p.questionnaire.questions.len(),
            year: p.year,
            opens: p.opens,
            closes: p.closes,
            districts: &p.districts,
            names: &names,
            source64: &base64::Engine::encode(
                &base64::engine::general_purpose::STANDARD,
                p.source.as_bytes(),
            ),
        };
        return Ok(page(
            StatusCode::OK,
            v::confirm_publication(&post.staff, &summary),
        ));
    }
    let s = post.staff;
    let mut faults = Vec::new();
    let publication = crate::operations::Publication {
        questionnaire_code: &p.questionnaire.code,
        source: &p.source,
        year: p.year,
        opens: p.opens,
        closes: p.closes,
    };
    for d in &p.districts {
        match crate::operations::publish_wave(&state.store, &publication, d, &s.account.email).await
        {
            Ok(_) => {}
            Err(Error::Conflict(m)) => faults.push(m),
            Err(e) => return Err(e),
        }
    }
    if !faults.is_empty() {
        return waves_page(&state, &s, &faults, StatusCode::CONFLICT).await;
    }
    Ok(Redirect::to("/personal/vagor").into_response())
}

pub(super) async fn close(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    post: StaffPost<Admin>,
) -> Result<Response, Error> {
    let s = post.staff;
    let today = crate::http::respond::today();
    match crate::operations::close(&state.store, id, today, &s.account.email).await {
        Ok(()) => Ok(Redirect::to("/personal/vagor").into_response()),
        Err(Error::NotFound(m)) => Ok(page(
            StatusCode::NOT_FOUND,
            v::message("Enkäten finns inte", &m, Some(&s)),
        )),
        Err(e) => Err(e),
    }
}
