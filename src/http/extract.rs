//! The extractors that decide who may reach a `/personal` route, so no handler checks a
//! role or a CSRF token itself:
//!
//! - [`SignedIn`], [`AnyStaff`], [`EstStaff`], [`AdminOrAnalyst`], [`Admin`] for pages: a
//!   live session of one of the roles (a reporter is only `SignedIn` and `EstStaff`). No (live) session: 303 to the login page; the wrong role: 403.
//! - [`StaffPost`] for every staff form post: the same session and role check, then the
//!   body (url-encoded or multipart) is read, then the form's CSRF token must be this
//!   session's — in that order, so nobody without a session gets a large body read.

use std::marker::PhantomData;

use axum::extract::{FromRequest, FromRequestParts, Multipart, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use crate::auth::{ABSOLUTE_TIMEOUT, IDLE_TIMEOUT, Staff, now_secs, session_cookie, token_hash};
use crate::http::form;
use crate::http::respond::page;
use crate::http::state::AppState;
use crate::role::Role;
use crate::store::SessionRow;
use crate::views::staff as v;

/// Why a request is not let through.
pub enum Refused {
    /// No (live) session: to the login page.
    SignIn,
    /// Signed in, but the role may not.
    Forbidden,
    /// A form post without this session's CSRF token.
    Csrf(Box<Staff>),
    /// A form post whose body could not be read.
    Unreadable(Box<Staff>),
    Failed(crate::error::Error),
}

/// The 403 page for a signed-in person whose role may not do this.
pub fn forbidden() -> Response {
    page(
        StatusCode::FORBIDDEN,
        v::message(
            "Ingen behörighet",
            "Din roll ger inte tillgång till den här sidan.",
            None,
        ),
    )
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        match self {
            Refused::SignIn => Redirect::to("/personal/logga-in").into_response(),
            Refused::Forbidden => forbidden(),
            Refused::Csrf(staff) => {
                tracing::warn!("a staff form without a valid CSRF token was refused");
                page(
                    StatusCode::FORBIDDEN,
                    v::message(
                        "Formuläret kunde inte tas emot",
                        "Sidan var för gammal eller kom från en annan webbplats. Ladda om sidan och försök igen.",
                        Some(&staff),
                    ),
                )
            }
            Refused::Unreadable(staff) => page(
                StatusCode::BAD_REQUEST,
                v::message(
                    "Formuläret kunde inte läsas",
                    "Ladda om sidan och försök igen.",
                    Some(&staff),
                ),
            ),
            Refused::Failed(e) => e.into_response(),
        }
    }
}

/// Whether a stored session may still be used at `now`.
fn live(row: &SessionRow, now: i64) -> bool {
    let idle = now - row.seen_at > IDLE_TIMEOUT.as_secs() as i64;
    let old = now - row.created_at > ABSOLUTE_TIMEOUT.as_secs() as i64;
    !(idle || old || row.account.disabled)
}

/// Whether the request carries the cookie of a live session (for the larger staff body
/// limit: a made-up cookie gets a resident's limit).
pub async fn has_live_session(headers: &HeaderMap, state: &AppState) -> bool {
    let Some(token) = session_cookie(headers) else {
        return false;
    };
    match state.store.session(&token_hash(&token)).await {
        Ok(Some(row)) => live(&row, now_secs()),
        _ => false,
    }
}

async fn signed_in(parts: &Parts, state: &AppState) -> Result<Staff, Refused> {
    let token = session_cookie(&parts.headers).ok_or(Refused::SignIn)?;
    let hash = token_hash(&token);
    let row = state
        .store
        .session(&hash)
        .await
        .map_err(Refused::Failed)?
        .ok_or(Refused::SignIn)?;
    let now = now_secs();
    if !live(&row, now) {
        let _ = state.store.end_session(&hash).await;
        return Err(Refused::SignIn);
    }
    // Writing "seen" takes the write lock; once a minute is precise enough for a 30-minute
    // idle timeout.
    if now - row.seen_at > 60 {
        state
            .store
            .touch_session(&hash, now)
            .await
            .map_err(Refused::Failed)?;
    }
    Ok(Staff {
        account: row.account,
        csrf: row.csrf,
        session_hash: hash,
    })
}

/// The roles a staff extractor lets through.
pub trait Roles {
    const ALLOWED: &'static [Role];
}

/// A live session of one of `R`'s roles.
async fn staff_of<R: Roles>(parts: &Parts, state: &AppState) -> Result<Staff, Refused> {
    let staff = signed_in(parts, state).await?;
    if R::ALLOWED.contains(&staff.account.role) {
        Ok(staff)
    } else {
        Err(Refused::Forbidden)
    }
}

macro_rules! role_extractor {
    ($name:ident, $doc:literal, [$($role:ident),+]) => {
        #[doc = $doc]
        pub struct $name(pub Staff);

        impl Roles for $name {
            const ALLOWED: &'static [Role] = &[$(Role::$role),+];
        }

        impl FromRequestParts<AppState> for $name {
            type Rejection = Refused;

            async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Refused> {
                staff_of::<$name>(parts, state).await.map($name)
            }
        }
    };
}

role_extractor!(
    SignedIn,
    "Any signed-in person, reporters too: the home page and signing out.",
    [Admin, Analyst, Reader, Reporter]
);
role_extractor!(
    AnyStaff,
    "Any signed-in member of the survey's staff (not a reporter).",
    [Admin, Analyst, Reader]
);
role_extractor!(
    EstStaff,
    "Who files EST reports and reads the week's picture: an administrator, an analyst or a reporter.",
    [Admin, Analyst, Reporter]
);
role_extractor!(
    AdminOrAnalyst,
    "An administrator or an analyst.",
    [Admin, Analyst]
);
role_extractor!(Admin, "An administrator.", [Admin]);

/// A staff form post that passed every check: a live session of one of `R`'s roles and
/// this session's CSRF token. `fields` are its text fields in order (a multipart form's
/// too, as text), `files` the multipart parts that came with a file name.
pub struct StaffPost<R> {
    pub staff: Staff,
    pub fields: Vec<(String, String)>,
    pub files: Vec<(String, Vec<u8>)>,
    role: PhantomData<R>,
}

impl<R> StaffPost<R> {
    /// Who posted, and the form's text fields.
    pub fn into_parts(self) -> (Staff, Vec<(String, String)>) {
        (self.staff, self.fields)
    }

    /// A text field's value, or "" when the form has none.
    pub fn field(&self, name: &str) -> &str {
        form::field(&self.fields, name)
    }

    /// A file's bytes, when one was sent under `name` (a part without a file name counts
    /// too: some clients send none).
    pub fn file(&self, name: &str) -> Option<&[u8]> {
        self.files
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, b)| b.as_slice())
            .or_else(|| {
                self.fields
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.as_bytes())
            })
    }
}

type FormParts = (Vec<(String, String)>, Vec<(String, Vec<u8>)>);

/// The fields and files of a form body; the body is already read into memory (and
/// limited) by the guard.
async fn read_form(req: Request, state: &AppState) -> Result<FormParts, ()> {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("multipart/form-data"));
    if !multipart {
        let body = axum::body::to_bytes(req.into_body(), usize::MAX)
            .await
            .map_err(|_| ())?;
        // A malformed body has no CSRF token either: it is refused as one without.
        return Ok((form::parse(&body).unwrap_or_default(), Vec::new()));
    }
    let mut parts = Multipart::from_request(req, state).await.map_err(|_| ())?;
    let (mut fields, mut files) = (Vec::new(), Vec::new());
    while let Some(part) = parts.next_field().await.map_err(|_| ())? {
        let name = part.name().unwrap_or("").to_string();
        let is_file = part.file_name().is_some();
        let data = part.bytes().await.map_err(|_| ())?;
        if is_file {
            files.push((name, data.to_vec()));
        } else {
            fields.push((name, String::from_utf8_lossy(&data).into_owned()));
        }
    }
    Ok((fields, files))
}

impl<R: Roles + Send> FromRequest<AppState> for StaffPost<R> {
    type Rejection = Refused;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Refused> {
        let (parts, body) = req.into_parts();
        let staff = staff_of::<R>(&parts, state).await?;
        let Ok((fields, files)) = read_form(Request::from_parts(parts, body), state).await else {
            return Err(Refused::Unreadable(Box::new(staff)));
        };
        if !staff.csrf_ok(form::field(&fields, "csrf")) {
            return Err(Refused::Csrf(Box::new(staff)));
        }
        Ok(StaffPost {
            staff,
            fields,
            files,
            role: PhantomData,
        })
    }
}
