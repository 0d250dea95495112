//! Resident routes: `/` lists open surveys, `/s/{district}/{year}` shows and takes the
//! questionnaire. No login, no cookies; the language travels in `?lang=` and the form.

use axum::Router;
use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::Response;
use axum::routing::get;

use super::intake::{bad_request, from_check, not_open, offered, read_form};
use super::paged::{self, Keeper};
use crate::error::Error;
use crate::fieldwork::ResumeToken;
use crate::http::respond::{message, page, path_params, query_lang, today};
use crate::http::state::AppState;
use crate::http::stuffing::Excess;
use crate::i18n::Lang;
use crate::questionnaire::{self, District, Rejection};
use crate::store::{Channel, NewResponse, Wave, WaveStatus};
use crate::views::{self, FormState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/s/{district}/{year}", get(show).post(submit))
        .route(
            "/s/{district}/{year}/u/{token}",
            get(show_resumed).post(submit_resumed),
        )
}

async fn home(State(state): State<AppState>, uri: Uri) -> Result<Response, Error> {
    let lang = query_lang(&uri);
    let waves = state.store.waves().await?;
    let day = today();
    let open: Vec<_> = waves
        .iter()
        .filter(|w| w.status(day) == WaveStatus::Open)
        .filter_map(|w| state.districts.get(&w.district).map(|d| (d, w)))
        .collect();
    // Waves of a random sample are reached with the letter's code; only open-link waves
    // are listed for anyone to choose.
    let links: Vec<_> = open.iter().filter(|(_, w)| !w.sampled).copied().collect();
    let codes = open.iter().any(|(_, w)| w.sampled);
    Ok(page(
        StatusCode::OK,
        views::home_page(&lang, &links, codes, None),
    ))
}

/// The wave at a path, or the 404 page in the resident's language.
async fn find_wave(
    state: &AppState,
    district: &str,
    year: &str,
    lang: &Lang,
) -> Result<Result<(crate::questionnaire::District, crate::store::Wave), Response>, Error> {
    let missing = || {
        message(
            StatusCode::NOT_FOUND,
            lang,
            lang.t("not_found_title"),
            lang.t("not_found_body"),
        )
    };
    let (Some(d), Ok(year)) = (state.districts.get(district), year.parse::<i32>()) else {
        return Ok(Err(missing()));
    };
    match state.store.wave(&d.code, year).await? {
        Some(w) => Ok(Ok((d.clone(), w))),
        None => Ok(Err(missing())),
    }
}

async fn show(
    State(state): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
    uri: Uri,
) -> Result<Response, Error> {
    let (district, year) = match path_params(path, &uri) {
        Ok(p) => p,
        Err(page) => return Ok(*page),
    };
    let lang = query_lang(&uri);
    let (d, wave) = match find_wave(&state, &district, &year, &lang).await? {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    // A sampled wave asks for the letter's code only while it is open; before and after,
    // it says when it opens or that it has closed, like an open link's.
    if wave.sampled {
        let status = wave.status(today());
        if status != WaveStatus::Open {
            return Ok(page(
                StatusCode::OK,
                views::wave_status_page(&lang, &d, &wave, status),
            ));
        }
        return Ok(page(
            StatusCode::OK,
            views::code_only_page(&lang, &d, &wave),
        ));
    }
    paged::show(
        &state,
        &d,
        &wave,
        Keeper::Open(None),
        lang,
        from_check(&uri),
    )
    .await
}

/// The language, district, wave and token of a resume address, or the page to send: a
/// token that cannot be one, or a wave answered with letter codes, is not found.
async fn resume_target(
    state: &AppState,
    path: Result<Path<(String, String, String)>, PathRejection>,
    uri: &Uri,
) -> Result<Result<(Lang, District, Wave, ResumeToken), Response>, Error> {
    let (district, year, token) = match path_params(path, uri) {
        Ok(p) => p,
        Err(page) => return Ok(Err(*page)),
    };
    let lang = query_lang(uri);
    let (d, wave) = match find_wave(state, &district, &year, &lang).await? {
        Ok(found) => found,
        Err(page) => return Ok(Err(page)),
    };
    match (wave.sampled, ResumeToken::parse(&token)) {
        (false, Some(token)) => Ok(Ok((lang, d, wave, token))),
        _ => Ok(Err(not_found(&lang))),
    }
}

/// An open link's resume address: the page its draft is on.
async fn show_resumed(
    State(state): State<AppState>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    uri: Uri,
) -> Result<Response, Error> {
    let (lang, d, wave, token) = match resume_target(&state, path, &uri).await? {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    paged::show(
        &state,
        &d,
        &wave,
        Keeper::Open(Some(token)),
        lang,
        from_check(&uri),
    )
    .await
}

/// A page's post to an open link's resume address.
async fn submit_resumed(
    State(state): State<AppState>,
    client: crate::http::client::ClientAddr,
    path: Result<Path<(String, String, String)>, PathRejection>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Error> {
    let (lang, d, wave, token) = match resume_target(&state, path, &uri).await? {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    if let Some(closed) = not_open(&lang, &d, &wave) {
        return Ok(closed);
    }
    let fields = match read_form(&state, &lang, &headers, body).await {
        Ok(fields) => fields,
        Err(page) => return Ok(page),
    };
    paged::step(
        &state,
        client,
        &d,
        &wave,
        Keeper::Open(Some(token)),
        lang,
        fields,
    )
    .await
}

fn not_found(lang: &Lang) -> Response {
    message(
        StatusCode::NOT_FOUND,
        lang,
        lang.t("not_found_title"),
        lang.t("not_found_body"),
    )
}

async fn submit(
    State(state): State<AppState>,
    client: crate::http::client::ClientAddr,
    path: Result<Path<(String, String)>, PathRejection>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Error> {
    let (district, year) = match path_params(path, &uri) {
        Ok(p) => p,
        Err(page) => return Ok(*page),
    };
    let lang = query_lang(&uri);
    let (d, wave) = match find_wave(&state, &district, &year, &lang).await? {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    if wave.sampled {
        // A random sample is answered with the letter's code only.
        return Ok(page(
            StatusCode::FORBIDDEN,
            views::code_only_page(&lang, &d, &wave),
        ));
    }
    let here = format!("/s/{}/{}", d.code, wave.year);
    if let Some(closed) = not_open(&lang, &d, &wave) {
        return Ok(closed);
    }
    let fields = match read_form(&state, &lang, &headers, body).await {
        Ok(fields) => fields,
        Err(page) => return Ok(page),
    };
    if paged::is_paged(&fields) {
        return paged::step(&state, client, &d, &wave, Keeper::Open(None), lang, fields).await;
    }
    let received = match receive(&state, lang, &d, &wave, &here, fields).await? {
        Ok(r) => r,
        Err(page) => return Ok(page),
    };
    let r = &received.response;
    let judged = state.open_links.judge(client.0, wave.id, &r.answers);
    if let Some(reason) = judged
        && state.open_links.excess == Excess::Refuse
    {
        tracing::info!(
            wave = wave.id,
            reason = reason.as_str(),
            "open-link answer refused"
        );
        return Ok(refused_as_excess(&received, &d, &wave, &here));
    }
    let stored = match judged {
        None => state.store.insert_response(r).await.map(|()| false),
        Some(reason) => {
            tracing::info!(
                wave = wave.id,
                reason = reason.as_str(),
                "open-link answer held for review"
            );
            state
                .store
                .hold_response(r, reason, None)
                .await
                .map(|()| true)
        }
    };
    Ok(stored_or_form(stored, &received, &d, &wave, &here))
}

/// The form again with every answer and why nothing was saved: too many answers came from
/// this address (or the same answers too often), and this installation refuses them.
fn refused_as_excess(received: &Received, d: &District, wave: &Wave, here: &str) -> Response {
    let lang = &received.lang;
    let state = FormState {
        raw: questionnaire::raw_answers(&received.fields),
        errors: Vec::new(),
        notice: Some(lang.t("open_link_refused").to_string()),
    };
    let mut res = page(
        StatusCode::TOO_MANY_REQUESTS,
        views::survey_page(lang, d, wave, &received.q, here, &state),
    );
    let retry = crate::http::stuffing::ADDRESS_WINDOW.as_secs();
    res.headers_mut()
        .insert(header::RETRY_AFTER, axum::http::HeaderValue::from(retry));
    res
}

/// A submission that was read and validated, ready to store.
pub struct Received {
    pub lang: Lang,
    pub fields: Vec<questionnaire::FormField>,
    pub q: std::sync::Arc<questionnaire::Questionnaire>,
    pub response: NewResponse,
}

/// Validates a whole questionnaire posted at once to an open wave (the one-page form's post,
/// as scripts and the load benchmark send it); any refusal is the page to send.
pub async fn receive(
    state: &AppState,
    mut lang: Lang,
    d: &District,
    wave: &Wave,
    here: &str,
    fields: Vec<questionnaire::FormField>,
) -> Result<Result<Received, Response>, Error> {
    let day = today();
    let q = state.questionnaire(wave.questionnaire_id).await?;
    if let Some((_, l)) = fields.iter().find(|(k, _)| k == "lang") {
        lang = Lang::from_query(Some(l));
    }
    let lang = offered(&q, lang);
    match questionnaire::validate(&q, &fields) {
        Ok(answers) => Ok(Ok(Received {
            response: NewResponse {
                wave_id: wave.id,
                submitted_on: day,
                channel: Channel::Web,
                lang: lang.code().to_string(),
                synthetic: false,
                answers: answers.to_json(),
            },
            lang,
            fields,
            q,
        })),
        Err(Rejection::Malformed(reason)) => Ok(Err(bad_request(&lang, &reason))),
        Err(Rejection::Invalid { raw, errors }) => Ok(Err(page(
            StatusCode::UNPROCESSABLE_ENTITY,
            views::survey_page(
                &lang,
                d,
                wave,
                &q,
                here,
                &FormState {
                    raw,
                    errors,
                    notice: None,
                },
            ),
        ))),
    }
}

/// The receipt once the answer is stored — or, when storing failed (disk full, a lock held
/// too long, an I/O error), the form again with every answer and "nothing was saved".
pub fn stored_or_form(
    stored: Result<bool, Error>,
    received: &Received,
    d: &District,
    wave: &Wave,
    here: &str,
) -> Response {
    let lang = &received.lang;
    let held = match stored {
        Ok(held) => held,
        Err(e) => {
            tracing::error!(error = %e, "a response could not be stored");
            let state = FormState {
                raw: questionnaire::raw_answers(&received.fields),
                errors: Vec::new(),
                notice: Some(lang.t("not_saved_body").to_string()),
            };
            let mut res = page(
                StatusCode::SERVICE_UNAVAILABLE,
                views::survey_page(lang, d, wave, &received.q, here, &state),
            );
            res.headers_mut()
                .insert(header::RETRY_AFTER, axum::http::HeaderValue::from(10u32));
            return res;
        }
    };
    // The transaction has committed with synchronous=FULL: only now is the resident told
    // the answers are saved.
    page(
        StatusCode::OK,
        views::receipt_page(lang, d, wave, received.response.submitted_on, held),
    )
}
