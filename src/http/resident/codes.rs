//! Answering with the code from the letter: `/k?kod=…` (the box on the start page) and
//! `/k/{code}` (the QR code's link), which shows and takes the questionnaire of the code's
//! wave. The code is looked up by its keyed hash only; unknown codes *posted* with this
//! site's forms slow the client's address down ([`crate::http::throttle`]) — a link or an image
//! on another site never does; storing marks the code used in the same transaction, so a
//! code gives exactly one answer.

use axum::Router;
use axum::body::Body;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

use super::intake::{from_check, not_open, read_form};
use super::paged::{self, Keeper, code_used};
use super::survey::{receive, stored_or_form};
use crate::error::Error;
use crate::fieldwork::Code;
use crate::http::client::ClientAddr;
use crate::http::form::field;
use crate::http::respond::{message, page, path_params, query_lang};
use crate::http::state::AppState;
use crate::i18n::Lang;
use crate::questionnaire::District;
use crate::store::{CodeOutcome, Wave};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/k", get(entered).post(posted))
        .route("/k/{code}", get(show).post(submit))
}

/// The page for a code that cannot be used now: unknown, answered already, or another
/// request from the same address is waiting out its delay.
enum Refusal {
    /// No such code; `letters_open` says whether any wave with letters is open now (after
    /// a wave closes its codes are deleted, so an old letter's code is unknown too).
    Unknown {
        letters_open: bool,
    },
    Used,
    Busy(std::time::Duration),
}

fn refusal(lang: &Lang, r: Refusal) -> Response {
    match r {
        Refusal::Busy(wait) => {
            let mut res = message(
                StatusCode::TOO_MANY_REQUESTS,
                lang,
                lang.t("code_busy_title"),
                lang.t("code_busy_body"),
            );
            res.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(wait.as_secs().max(1)),
            );
            res
        }
        Refusal::Unknown { letters_open: true } => page(
            StatusCode::NOT_FOUND,
            crate::views::home_page(lang, &[], true, Some(lang.t("code_unknown"))),
        ),
        Refusal::Unknown {
            letters_open: false,
        } => page(
            StatusCode::NOT_FOUND,
            crate::views::home_page(lang, &[], false, Some(lang.t("code_no_open_survey"))),
        ),
        Refusal::Used => code_used(lang),
    }
}

/// A link with `?kod=` (older letters, bookmarks): a readable code goes on to its own
/// address. A GET never counts as a failure: anyone's page can make a browser send one.
async fn entered(uri: Uri) -> Response {
    let lang = query_lang(&uri);
    let fields = uri
        .query()
        .and_then(|q| crate::http::form::parse(q.as_bytes()).ok())
        .unwrap_or_default();
    match Code::parse(field(&fields, "kod")) {
        Some(code) => to_code(&code, &lang),
        None => refusal(&lang, Refusal::Unknown { letters_open: true }),
    }
}

/// The box on the start page: the code is looked up here, and an unknown one counts.
async fn posted(
    State(state): State<AppState>,
    client: ClientAddr,
    uri: Uri,
    body: Bytes,
) -> Result<Response, Error> {
    let fields = crate::http::form::parse(&body).unwrap_or_default();
    let lang = match field(&fields, "lang") {
        "" => query_lang(&uri),
        code => Lang::from_query(Some(code)),
    };
    Ok(
        match find(
            &state,
            client,
            field(&fields, "kod"),
            &lang,
            Lookup::Counted,
        )
        .await?
        {
            Ok((code, _, _)) => to_code(&code, &lang),
            Err(page) => page,
        },
    )
}

fn to_code(code: &Code, lang: &Lang) -> Response {
    Redirect::to(&format!("/k/{}?lang={}", code.as_str(), lang.code())).into_response()
}

/// Whether an unknown code counts against the client's address: only when this site's own
/// form posted it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lookup {
    Counted,
    Free,
}

/// The wave of a code that may still answer, or the refusal to show. A lookup that counts
/// (a post of this site's form) waits first if its address has posted too many unknown
/// codes; following a link never waits.
async fn find(
    state: &AppState,
    client: ClientAddr,
    typed: &str,
    lang: &Lang,
    lookup: Lookup,
) -> Result<Result<(Code, District, Wave), Response>, Error> {
    if lookup == Lookup::Counted
        && let Err(wait) = state.throttle.wait(client.0).await
    {
        return Ok(Err(refusal(lang, Refusal::Busy(wait))));
    }
    let unknown = || async {
        if lookup == Lookup::Counted {
            state.throttle.failed(client.0);
            // An address whose codes now wait is worth a line in the audit log (at most
            // one a minute; the address itself is never written down).
            if !state.throttle.delay(client.0).is_zero() {
                let what = "unknown codes posted from one address: its code entries now wait";
                (state.refusals)
                    .audit(&state.store, "server", "code guesses slowed", what)
                    .await?;
            }
        }
        let day = crate::http::respond::today();
        let letters_open = (state.store.waves().await?)
            .iter()
            .any(|w| w.sampled && w.status(day) == crate::store::WaveStatus::Open);
        Ok(Err(refusal(lang, Refusal::Unknown { letters_open })))
    };
    let (Some(code), Some(key)) = (Code::parse(typed), state.code_key.as_ref()) else {
        return unknown().await;
    };
    let Some(info) = state.store.code(&key.hash(&code)).await? else {
        return unknown().await;
    };
    if info.status != crate::store::CodeState::Unused {
        return Ok(Err(refusal(lang, Refusal::Used)));
    }
    let wave = state
        .store
        .wave_by_id(info.wave_id)
        .await?
        .ok_or_else(|| Error::Internal(format!("code of a missing wave {}", info.wave_id)))?;
    let d = state
        .districts
        .get(&wave.district)
        .cloned()
        .ok_or_else(|| Error::Internal(format!("wave of unknown district {}", wave.district)))?;
    Ok(Ok((code, d, wave)))
}

/// The language, code, district and wave of a `/k/{code}` request, or the page to send.
async fn resolve(
    state: &AppState,
    client: ClientAddr,
    path: Result<Path<String>, PathRejection>,
    uri: &Uri,
    lookup: Lookup,
) -> Result<Result<(Lang, Code, District, Wave), Response>, Error> {
    let typed = match path_params(path, uri) {
        Ok(p) => p,
        Err(page) => return Ok(Err(*page)),
    };
    let lang = query_lang(uri);
    Ok(find(state, client, &typed, &lang, lookup)
        .await?
        .map(|(code, d, wave)| (lang, code, d, wave)))
}

async fn show(
    State(state): State<AppState>,
    client: ClientAddr,
    path: Result<Path<String>, PathRejection>,
    uri: Uri,
) -> Result<Response, Error> {
    let (lang, code, d, wave) = match resolve(&state, client, path, &uri, Lookup::Free).await? {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    let keeper = keeper(&state, code);
    paged::show(&state, &d, &wave, keeper, lang, from_check(&uri)).await
}

/// The code's draft keeper: its hash marks it used, its draft key finds its draft.
fn keeper(state: &AppState, code: Code) -> Keeper {
    let key = state
        .code_key
        .as_ref()
        .expect("a code is found only with a key");
    Keeper::Code {
        hash: key.hash(&code),
        key: key.draft_key(&code),
        code,
    }
}

async fn submit(
    State(state): State<AppState>,
    client: ClientAddr,
    path: Result<Path<String>, PathRejection>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Error> {
    let (lang, code, d, wave) = match resolve(&state, client, path, &uri, Lookup::Counted).await? {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    let here = format!("/k/{}", code.as_str());
    if let Some(closed) = not_open(&lang, &d, &wave) {
        return Ok(closed);
    }
    let fields = match read_form(&state, &lang, &headers, body).await {
        Ok(fields) => fields,
        Err(page) => return Ok(page),
    };
    if paged::is_paged(&fields) {
        let keeper = keeper(&state, code);
        return paged::step(&state, client, &d, &wave, keeper, lang, fields).await;
    }
    let received = match receive(&state, lang, &d, &wave, &here, fields).await? {
        Ok(r) => r,
        Err(page) => return Ok(page),
    };
    let key = state.code_key.as_ref().expect("found with a key");
    let stored = state
        .store
        .insert_response_with_code(
            &received.response,
            &key.hash(&code),
            Some(&key.draft_key(&code)),
        )
        .await;
    match stored {
        // Another submission with this code got there first.
        Ok(CodeOutcome::NotUnused(_)) | Ok(CodeOutcome::Unknown) => {
            Ok(refusal(&received.lang, Refusal::Used))
        }
        other => Ok(stored_or_form(
            other.map(|_| false),
            &received,
            &d,
            &wave,
            &here,
        )),
    }
}
