//! The questionnaire page by page, for a letter's code (`/k/<code>`) and an open link
//! (`/s/<district>/<year>`, and `/s/<district>/<year>/u/<token>` once there is a draft).
//!
//! Each page posts its own answers and the button pressed (`go`). They go into the
//! resident's draft (`store::drafts`), written durably before the next page is shown: the
//! post answers with a redirect (303) to the page's address, which shows the draft's page,
//! so reloading never posts twice. A letter's code is its own way back — typed again or
//! scanned, in any browser; an open link's resident gets a resume address with a random
//! token. The last page lists every answer to check; sending stores the answer and deletes
//! the draft in one transaction. A failed write shows the page again with what was typed
//! and "nothing was saved".

use std::sync::Arc;

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::intake::{bad_request, offered};
use crate::error::Error;
use crate::fieldwork::{Code, ResumeToken};
use crate::http::client::ClientAddr;
use crate::http::form::field;
use crate::http::respond::{message, page, today};
use crate::http::state::AppState;
use crate::http::stuffing::Excess;
use crate::i18n::Lang;
use crate::questionnaire::paging::{Go, Parts, draft_json, from_draft_json};
use crate::questionnaire::{District, FormField, Questionnaire, RawAnswers, Rejection};
use crate::store::{
    Channel, CodeOutcome, Draft, DraftKey, DraftOwner, NewResponse, Wave, WaveStatus,
};
use crate::views::{self, FormState, PageView, Resume};

/// Whose draft a page belongs to.
pub(super) enum Keeper {
    /// A letter's code: its hash (to mark it used) and its draft's key.
    Code {
        code: Code,
        hash: Vec<u8>,
        key: DraftKey,
    },
    /// An open link, with its resume token once the first page has been saved.
    Open(Option<ResumeToken>),
}

impl Keeper {
    fn key(&self) -> Option<DraftKey> {
        match self {
            Keeper::Code { key, .. } => Some(key.clone()),
            Keeper::Open(token) => token.as_ref().map(ResumeToken::draft_key),
        }
    }

    /// Where its pages post and are shown.
    fn address(&self, d: &District, wave: &Wave) -> String {
        match self {
            Keeper::Code { code, .. } => format!("/k/{}", code.as_str()),
            Keeper::Open(Some(token)) => {
                format!("/s/{}/{}/u/{}", d.code, wave.year, token.as_str())
            }
            Keeper::Open(None) => format!("/s/{}/{}", d.code, wave.year),
        }
    }
}

/// Whether a post comes from the paged form: it names its page.
pub(super) fn is_paged(fields: &[FormField]) -> bool {
    fields.iter().any(|(k, _)| k == "part")
}

/// A resident on a wave's paged questionnaire.
struct Visit<'a> {
    state: &'a AppState,
    d: &'a District,
    wave: &'a Wave,
    q: Arc<Questionnaire>,
    keeper: Keeper,
    lang: Lang,
    /// Reached with Change from the check page: Next goes back to it.
    checking: bool,
}

impl Visit<'_> {
    /// A page of the questionnaire with `form` (every answer so far, this page's errors).
    fn page(&self, status: StatusCode, part: usize, form: &FormState) -> Response {
        let parts = Parts::new(&self.q);
        let action = self.keeper.address(self.d, self.wave);
        // The whole address when the public origin is known: it is meant to be copied.
        let link = match &self.state.origin {
            Some(origin) => format!("{}{action}", origin.as_str()),
            None => action.clone(),
        };
        let resume = match &self.keeper {
            Keeper::Code { .. } => Resume::Code,
            Keeper::Open(Some(_)) => Resume::Link(&link),
            Keeper::Open(None) => Resume::LinkToCome,
        };
        page(
            status,
            views::paged_page(&PageView {
                lang: &self.lang,
                district: self.d,
                wave: self.wave,
                q: &self.q,
                parts: &parts,
                part: part.min(parts.len()),
                action: &action,
                resume,
                form,
                checking: self.checking,
            }),
        )
    }

    /// The page again with what was sent and why nothing was kept.
    fn not_kept(&self, status: StatusCode, part: usize, raw: RawAnswers, why: &str) -> Response {
        let form = FormState {
            raw,
            errors: Vec::new(),
            notice: Some(self.lang.t(why).to_string()),
        };
        self.page(status, part, &form)
    }

    /// The draft, if this resident has one.
    async fn draft(&self) -> Result<Option<Draft>, Error> {
        match self.keeper.key() {
            Some(key) => self.state.store.draft(self.wave.id, &key).await,
            None => Ok(None),
        }
    }
}

/// A resume address whose draft is gone: its answer was sent, or the wave closed.
fn resume_gone(lang: &Lang, d: &District, wave: &Wave) -> Response {
    let body = lang.tf(
        "resume_gone_body",
        &[
            ("district", d.name.get(lang.code())),
            ("year", &wave.year.to_string()),
        ],
    );
    message(
        StatusCode::NOT_FOUND,
        lang,
        lang.t("resume_gone_title"),
        &body,
    )
}

/// A code that has given its answer.
pub(super) fn code_used(lang: &Lang) -> Response {
    message(
        StatusCode::CONFLICT,
        lang,
        lang.t("code_used_title"),
        lang.t("code_used_body"),
    )
}

/// The page the resident's draft is on (the first page without one): in the draft's
/// language — the one last chosen on the questionnaire — else in `lang` (the link's, or
/// the browser's).
pub(super) async fn show(
    state: &AppState,
    d: &District,
    wave: &Wave,
    keeper: Keeper,
    lang: Lang,
    checking: bool,
) -> Result<Response, Error> {
    let status = wave.status(today());
    let shown = lang.clone();
    if status != WaveStatus::Open {
        return Ok(page(
            StatusCode::OK,
            views::wave_status_page(&shown, d, wave, status),
        ));
    }
    let q = state.questionnaire(wave.questionnaire_id).await?;
    let mut visit = Visit {
        state,
        d,
        wave,
        q,
        keeper,
        lang: shown,
        checking,
    };
    let draft = visit.draft().await?;
    if matches!(visit.keeper, Keeper::Open(Some(_))) && draft.is_none() {
        return Ok(resume_gone(&visit.lang, d, wave));
    }
    let lang = match &draft {
        Some(draft) => Lang::from_query(Some(&draft.lang)),
        None => lang,
    };
    visit.lang = offered(&visit.q, lang);
    let (part, raw) = match draft {
        Some(draft) => (draft.part, answers_of(&draft)),
        None => (0, RawAnswers::new()),
    };
    let form = FormState {
        raw,
        ..FormState::default()
    };
    Ok(visit.page(StatusCode::OK, part, &form))
}

fn answers_of(draft: &Draft) -> RawAnswers {
    from_draft_json(&draft.answers).unwrap_or_else(|| {
        tracing::error!("a draft's answers could not be read; shown as empty");
        RawAnswers::new()
    })
}

/// A page's post: its answers into the draft, then the page the button asked for.
pub(super) async fn step(
    state: &AppState,
    client: ClientAddr,
    d: &District,
    wave: &Wave,
    keeper: Keeper,
    lang: Lang,
    fields: Vec<FormField>,
) -> Result<Response, Error> {
    let q = state.questionnaire(wave.questionnaire_id).await?;
    let lang = match field(&fields, "lang") {
        "" => lang,
        code => Lang::from_query(Some(code)),
    };
    let mut visit = Visit {
        state,
        d,
        wave,
        lang: offered(&q, lang),
        q,
        keeper,
        checking: field(&fields, "check") == "1",
    };
    let parts_len = Parts::new(&visit.q).len();
    let (part, go, posted) = match read_step(&visit, &fields) {
        Ok(read) => read,
        Err(refused) => return Ok(*refused),
    };
    let draft = visit.draft().await?;
    if matches!(visit.keeper, Keeper::Open(Some(_))) && draft.is_none() {
        return Ok(resume_gone(&visit.lang, d, wave));
    }
    let so_far = draft.as_ref().map(answers_of).unwrap_or_default();
    let raw = Parts::new(&visit.q).merge(part, &so_far, &posted);
    let target = match go {
        Go::Send if part == parts_len => return send(visit, client, raw).await,
        Go::Discard => return discard(&visit).await,
        Go::Next if part < parts_len => {
            let errors = Parts::new(&visit.q).errors(part, &raw);
            if !errors.is_empty() {
                return corrections(visit, client, part, raw, errors).await;
            }
            if visit.checking { parts_len } else { part + 1 }
        }
        Go::Next => part,
        Go::Back => {
            visit.checking = false;
            part.saturating_sub(1)
        }
        Go::Part(k) if k < parts_len => {
            visit.checking = true;
            k
        }
        Go::Lang(code) => {
            visit.lang = offered(&visit.q, Lang::from_query(Some(&code)));
            part
        }
        Go::Send | Go::Part(_) => {
            return Ok(bad_request(&visit.lang, "a button of another page"));
        }
    };
    // Nothing answered and still on the first page: nothing to keep (a language switch).
    let nothing = target == 0 && raw.is_empty() && draft.is_none();
    if !nothing && let Err(refused) = keep(&mut visit, client, part, target, &raw).await? {
        return Ok(refused);
    }
    let checking = visit.checking && target < parts_len;
    let to = format!(
        "{}?lang={}{}",
        visit.keeper.address(d, wave),
        visit.lang.code(),
        if checking { "&granska=1" } else { "" }
    );
    Ok(Redirect::to(&to).into_response())
}

/// A page's post read: its page, its button and its answers (only its own questions), or
/// the plain refusal of a post no page of ours sends.
fn read_step(
    visit: &Visit<'_>,
    fields: &[FormField],
) -> Result<(usize, Go, RawAnswers), Box<Response>> {
    let parts = Parts::new(&visit.q);
    let part = field(fields, "part").parse::<usize>().ok();
    let (Some(part), Some(go)) = (
        part.filter(|p| *p <= parts.len()),
        Go::parse(field(fields, "go")),
    ) else {
        return Err(Box::new(bad_request(
            &visit.lang,
            "no page or button of ours",
        )));
    };
    match parts.read(part, fields) {
        Ok(raw) => Ok((part, go, raw)),
        Err(Rejection::Malformed(why)) => Err(Box::new(bad_request(&visit.lang, &why))),
        Err(Rejection::Invalid { .. }) => Err(Box::new(bad_request(&visit.lang, "invalid"))),
    }
}

/// A page with answers to correct: kept as they are (durably, like any page), and shown
/// again with the error summary.
async fn corrections(
    mut visit: Visit<'_>,
    client: ClientAddr,
    part: usize,
    raw: RawAnswers,
    errors: Vec<(String, crate::questionnaire::AnswerError)>,
) -> Result<Response, Error> {
    if let Err(refused) = keep(&mut visit, client, part, part, &raw).await? {
        return Ok(refused);
    }
    let form = FormState {
        raw,
        errors,
        notice: None,
    };
    Ok(visit.page(StatusCode::UNPROCESSABLE_ENTITY, part, &form))
}

/// Writes the draft: the resident's answers so far and the page to show next. An open
/// link's first draft gets its resume token here (at most [`crate::http::stuffing::DRAFTS_PER_ADDRESS`]
/// new ones per address and hour). `Err` is the page to answer with instead: the page
/// that was posted (`part`), with its answers and why nothing was kept.
async fn keep(
    visit: &mut Visit<'_>,
    client: ClientAddr,
    part: usize,
    target: usize,
    raw: &RawAnswers,
) -> Result<Result<(), Response>, Error> {
    // An open link's first draft gets its token only once it is written: a failed write
    // must not leave the page posting to (and promising) a link with nothing behind it.
    let fresh = match visit.keeper {
        Keeper::Open(None) => {
            if !visit.state.open_links.new_draft(client.0, visit.wave.id) {
                let res = visit.not_kept(
                    StatusCode::TOO_MANY_REQUESTS,
                    part,
                    raw.clone(),
                    "drafts_busy",
                );
                return Ok(Err(retry_after(
                    res,
                    crate::http::stuffing::ADDRESS_WINDOW.as_secs(),
                )));
            }
            Some(ResumeToken::random().map_err(Error::Internal)?)
        }
        _ => None,
    };
    let (key, owner) = match (&visit.keeper, &fresh) {
        (Keeper::Code { key, hash, .. }, _) => (key.clone(), DraftOwner::Code(hash)),
        (Keeper::Open(_), Some(token)) => (token.draft_key(), DraftOwner::NewLink),
        (Keeper::Open(Some(token)), None) => (token.draft_key(), DraftOwner::Link),
        (Keeper::Open(None), None) => unreachable!("a fresh token was made above"),
    };
    let draft = Draft {
        part: target,
        lang: visit.lang.code().to_string(),
        answers: draft_json(&Parts::new(&visit.q).bounded(raw)),
    };
    let saved = (visit.state.store)
        .save_draft(visit.wave.id, &key, owner, &draft)
        .await;
    match saved {
        Ok(()) => {
            if let Some(token) = fresh {
                visit.keeper = Keeper::Open(Some(token));
            }
            Ok(Ok(()))
        }
        Err(Error::Conflict(_)) => Ok(Err(match owner {
            DraftOwner::Code(_) => code_used(&visit.lang),
            _ => resume_gone(&visit.lang, visit.d, visit.wave),
        })),
        Err(e) => {
            tracing::error!(error = %e, "a draft could not be stored");
            let res = visit.not_kept(
                StatusCode::SERVICE_UNAVAILABLE,
                part,
                raw.clone(),
                "not_saved_body",
            );
            Ok(Err(retry_after(res, 10)))
        }
    }
}

/// Deletes the resident's draft at their asking, durably, and says so.
async fn discard(visit: &Visit<'_>) -> Result<Response, Error> {
    if let Some(key) = visit.keeper.key() {
        visit.state.store.delete_draft(visit.wave.id, &key).await?;
    }
    let lang = &visit.lang;
    Ok(message(
        StatusCode::OK,
        lang,
        lang.t("discarded_title"),
        lang.t("discarded_body"),
    ))
}

/// A response with a `Retry-After` of `seconds`.
fn retry_after(mut res: Response, seconds: u64) -> Response {
    res.headers_mut()
        .insert(header::RETRY_AFTER, axum::http::HeaderValue::from(seconds));
    res
}

/// The check page's send: every answer checked, then stored with the draft deleted in the
/// same transaction — or the first page with something to correct.
async fn send(visit: Visit<'_>, client: ClientAddr, raw: RawAnswers) -> Result<Response, Error> {
    let parts_len = Parts::new(&visit.q).len();
    let answers = match Parts::new(&visit.q).finish(&raw) {
        Ok(answers) => answers,
        Err((part, errors)) => return corrections(visit, client, part, raw, errors).await,
    };
    let day = today();
    let response = NewResponse {
        wave_id: visit.wave.id,
        submitted_on: day,
        channel: Channel::Web,
        lang: visit.lang.code().to_string(),
        synthetic: false,
        answers: answers.to_json(),
    };
    let key = visit.keeper.key();
    let stored: Result<bool, Error> = match &visit.keeper {
        Keeper::Code { hash, .. } => {
            match (visit.state.store)
                .insert_response_with_code(&response, hash, key.as_ref())
                .await
            {
                Ok(CodeOutcome::Stored) => Ok(false),
                // Sent from another browser first.
                Ok(_) => return Ok(code_used(&visit.lang)),
                Err(e) => Err(e),
            }
        }
        Keeper::Open(_) => match store_open(&visit, client, &response, key.as_ref(), &raw).await {
            Ok(stored) => stored,
            Err(refused) => return Ok(*refused),
        },
    };
    match stored {
        // Committed with synchronous=FULL: only now is the resident told it is saved.
        Ok(held) => Ok(page(
            StatusCode::OK,
            views::receipt_page(&visit.lang, visit.d, visit.wave, day, held),
        )),
        // Its draft was gone: sent already (a second click on Send), so this one is not.
        Err(Error::Conflict(_)) => Ok(resume_gone(&visit.lang, visit.d, visit.wave)),
        Err(e) => {
            tracing::error!(error = %e, "a response could not be stored");
            let res = visit.not_kept(
                StatusCode::SERVICE_UNAVAILABLE,
                parts_len,
                raw,
                "not_saved_body",
            );
            Ok(retry_after(res, 10))
        }
    }
}

/// Stores an open link's answer, or holds it for review when its address has sent many or
/// the same answer came many times (`http::stuffing`); `Err` is the check page refusing it
/// when this installation refuses such answers instead.
async fn store_open(
    visit: &Visit<'_>,
    client: ClientAddr,
    response: &NewResponse,
    key: Option<&DraftKey>,
    raw: &RawAnswers,
) -> Result<Result<bool, Error>, Box<Response>> {
    let guard = &visit.state.open_links;
    let store = &visit.state.store;
    match guard.judge(client.0, visit.wave.id, &response.answers) {
        Some(reason) if guard.excess == Excess::Refuse => {
            tracing::info!(
                wave = visit.wave.id,
                reason = reason.as_str(),
                "open-link answer refused"
            );
            let last = Parts::new(&visit.q).len();
            let res = visit.not_kept(
                StatusCode::TOO_MANY_REQUESTS,
                last,
                raw.clone(),
                "open_link_refused",
            );
            Err(Box::new(retry_after(
                res,
                crate::http::stuffing::ADDRESS_WINDOW.as_secs(),
            )))
        }
        Some(reason) => {
            tracing::info!(
                wave = visit.wave.id,
                reason = reason.as_str(),
                "open-link answer held for review"
            );
            Ok(store
                .hold_response(response, reason, key)
                .await
                .map(|()| true))
        }
        None => Ok(store.insert_from_draft(response, key).await.map(|()| false)),
    }
}
