//! The extractors that check who may reach a `/personal` route: a handler names the one it
//! needs ([`AnyStaff`], [`AdminOrAnalyst`], [`Admin`]) and never checks roles itself. No
//! (live) session: 303 to the login page; the wrong role: 403.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};

use super::AppState;
use crate::auth::{ABSOLUTE_TIMEOUT, IDLE_TIMEOUT, Staff, now_secs, session_cookie, token_hash};
use crate::role::Role;

/// Why a request is not let through.
pub enum Refused {
    /// No (live) session: to the login page.
    SignIn,
    /// Signed in, but the role may not.
    Forbidden,
    Failed(crate::error::Error),
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        match self {
            Refused::SignIn => Redirect::to("/personal/logga-in").into_response(),
            Refused::Forbidden => super::staff::forbidden(),
            Refused::Failed(e) => e.into_response(),
        }
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
    let idle = now - row.seen_at > IDLE_TIMEOUT.as_secs() as i64;
    let old = now - row.created_at > ABSOLUTE_TIMEOUT.as_secs() as i64;
    if idle || old || row.account.disabled {
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

macro_rules! role_extractor {
    ($name:ident, $doc:literal, [$($role:ident),+]) => {
        #[doc = $doc]
        pub struct $name(pub Staff);

        impl FromRequestParts<AppState> for $name {
            type Rejection = Refused;

            async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Refused> {
                let staff = signed_in(parts, state).await?;
                if [$(Role::$role),+].contains(&staff.account.role) {
                    Ok($name(staff))
                } else {
                    Err(Refused::Forbidden)
                }
            }
        }
    };
}

role_extractor!(
    AnyStaff,
    "Any signed-in member of staff.",
    [Admin, Analyst, Reader]
);
role_extractor!(
    AdminOrAnalyst,
    "An administrator or an analyst.",
    [Admin, Analyst]
);
role_extractor!(Admin, "An administrator.", [Admin]);
