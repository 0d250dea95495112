//! Field work on the web: importing scanned paper answers and marking letters as
//! undeliverable or declined.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::pages::{district_name, page};
use crate::auth::Staff;
use crate::error::Error;
use crate::fieldwork::Code;
use crate::http::extract::{Admin, StaffPost};
use crate::http::form::field;
use crate::http::state::AppState;
use crate::store::{CodeState, CodeStatus};
use crate::views::staff as v;

/// The sampled waves for the field-work forms, the newest open one first.
async fn sampled_waves(state: &AppState) -> Result<Vec<(i64, String)>, Error> {
    let today = crate::http::respond::today();
    let mut waves: Vec<_> = (state.store.waves().await?.into_iter())
        .filter(|w| w.sampled)
        .collect();
    // The newest open wave first: the one field work is about now (the form's default).
    waves.sort_by_key(|w| {
        let open = w.status(today) == crate::store::WaveStatus::Open;
        (
            std::cmp::Reverse(open),
            std::cmp::Reverse(w.year),
            w.district.clone(),
        )
    });
    Ok(waves
        .into_iter()
        .map(|w| {
            (
                w.id,
                format!("{} {}", district_name(state, &w.district), w.year),
            )
        })
        .collect())
}

async fn fieldwork_page(
    state: &AppState,
    s: &Staff,
    report: Option<(&str, &[String])>,
    status: StatusCode,
) -> Result<Response, Error> {
    let waves = sampled_waves(state).await?;
    Ok(page(status, v::fieldwork(s, &waves, report)))
}

pub(super) async fn fieldwork(
    State(state): State<AppState>,
    Admin(s): Admin,
) -> Result<Response, Error> {
    fieldwork_page(&state, &s, None, StatusCode::OK).await
}

/// The sampled wave chosen in a form, with the code key; or why there is none.
async fn chosen_wave(
    state: &AppState,
    id: &str,
) -> Result<
    Result<
        (
            crate::store::Wave,
            std::sync::Arc<crate::fieldwork::CodeKey>,
        ),
        String,
    >,
    Error,
> {
    let Some(key) = state.code_key.clone() else {
        return Ok(Err(
            "Inga brev med koder finns ännu (ingen kodnyckel).".into()
        ));
    };
    let wave = match id.parse::<i64>() {
        Ok(id) => state.store.wave_by_id(id).await?,
        Err(_) => None,
    };
    match wave {
        // A closed wave's codes are deleted: late paper answers and marks are refused.
        Some(w)
            if w.sampled
                && w.status(crate::http::respond::today()) == crate::store::WaveStatus::Closed =>
        {
            Ok(Err(format!(
                "Enkäten {} {} är stängd (sista dag {}). Dess koder raderades när den stängdes, så sena pappersenkäter kan inte importeras och brev kan inte längre markeras; inget sparades.",
                w.district, w.year, w.closes_on
            )))
        }
        Some(w) if w.sampled => Ok(Ok((w, key))),
        _ => Ok(Err("Välj en enkät med slumpurval.".into())),
    }
}

pub(super) async fn paper_import(
    State(state): State<AppState>,
    post: StaffPost<Admin>,
) -> Result<Response, Error> {
    let s = &post.staff;
    let file = post.file("file").map(<[u8]>::to_vec);
    if file
        .as_ref()
        .is_some_and(|f| f.len() > crate::fieldwork::paper::MAX_PAPER_BYTES as usize)
    {
        return fieldwork_page(
            &state,
            s,
            Some(("Filen är för stor", &[])),
            StatusCode::PAYLOAD_TOO_LARGE,
        )
        .await;
    }
    let (w, key) = match chosen_wave(&state, post.field("wave").trim()).await? {
        Ok(x) => x,
        Err(m) => {
            return fieldwork_page(&state, s, Some((&m, &[])), StatusCode::UNPROCESSABLE_ENTITY)
                .await;
        }
    };
    let Some(bytes) = file.filter(|b| !b.is_empty()) else {
        return fieldwork_page(
            &state,
            s,
            Some(("Välj en fil från skanningen.", &[])),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let q = state.questionnaire(w.questionnaire_id).await?;
    let (good, refused) = match crate::fieldwork::paper::parse(&bytes, &q) {
        Ok(x) => x,
        Err(fault) => {
            let line = match fault.line() {
                Some(n) => format!("rad {n}: {}", fault.sv()),
                None => fault.sv(),
            };
            return fieldwork_page(
                &state,
                s,
                Some(("Filen avvisades; inget importerades", &[line])),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let crate::operations::PaperImport { imported, refused } =
        crate::operations::import_paper(&state.store, &key, &w, good, refused, &s.account.email)
            .await?;
    let title = format!(
        "{imported} pappersenkäter importerades, {} rader avvisades",
        refused.len()
    );
    let lines: Vec<String> = refused
        .iter()
        .map(|b| format!("rad {}: {}", b.line, b.fault.sv()))
        .collect();
    fieldwork_page(&state, s, Some((&title, &lines)), StatusCode::OK).await
}

/// The status and the codes posted in the letters form, or the title and lines saying why
/// nothing can be marked.
fn marking(f: &[(String, String)]) -> Result<(CodeStatus, Vec<Code>), (String, Vec<String>)> {
    let status = match field(f, "status") {
        "undeliverable" => CodeStatus::Undeliverable,
        "declined" => CodeStatus::Declined,
        _ => return Err(("Välj obeställbar eller avböjt.".into(), Vec::new())),
    };
    let mut codes = Vec::new();
    let mut bad = Vec::new();
    for (i, line) in field(f, "codes").lines().enumerate() {
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        match Code::parse(t) {
            Some(c) => codes.push(c),
            None => bad.push(format!("rad {}: inte en kod", i + 1)),
        }
    }
    if codes.is_empty() && bad.is_empty() {
        bad.push("Skriv minst en kod.".into());
    }
    if bad.is_empty() {
        Ok((status, codes))
    } else {
        Err(("Inget markerades".into(), bad))
    }
}

pub(super) async fn mark_letters(
    State(state): State<AppState>,
    post: StaffPost<Admin>,
) -> Result<Response, Error> {
    let (s, f) = post.into_parts();
    let unprocessable = |title: String, lines: Vec<String>| {
        let s = &s;
        let state = &state;
        async move {
            let lines = lines.as_slice();
            fieldwork_page(
                state,
                s,
                Some((&title, lines)),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    };
    let (w, key) = match chosen_wave(&state, field(&f, "wave")).await? {
        Ok(x) => x,
        Err(m) => return unprocessable(m, Vec::new()).await,
    };
    let (status, codes) = match marking(&f) {
        Ok(x) => x,
        Err((title, lines)) => return unprocessable(title, lines).await,
    };
    let before =
        match crate::fieldwork::mark_letters(&state.store, &key, w.id, &codes, status).await? {
            Ok(before) => before,
            Err(unknown) => {
                let lines = (unknown.iter())
                    .map(|c| format!("{} hör inte till enkäten", c.grouped()))
                    .collect();
                return unprocessable("Inget markerades".into(), lines).await;
            }
        };
    let unused = |b: &Option<CodeState>| *b == Some(CodeState::Unused);
    let marked = before.iter().filter(|b| unused(b)).count();
    let detail = format!("{} {}: {marked} {}", w.district, w.year, status.as_str());
    state
        .store
        .audit(&s.account.email, "letters marked", &detail)
        .await?;
    let title = format!("{marked} brev markerades");
    let lines: Vec<String> = codes
        .iter()
        .zip(&before)
        .filter(|(_, b)| !unused(b))
        .map(|(c, b)| {
            let was = b.map(v::code_state_sv).unwrap_or("");
            format!("{} oförändrad: redan {was}", c.grouped())
        })
        .collect();
    fieldwork_page(&state, &s, Some((&title, &lines)), StatusCode::OK).await
}
