//! Signing in and out: the login form (throttled per account and address, argon2 off the
//! async threads), logging out here or everywhere, and setting a password from a one-time
//! link.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::pages::page;
use crate::auth;
use crate::error::Error;
use crate::http::client::ClientAddr;
use crate::http::extract::{SignedIn, StaffPost};
use crate::http::form::field;
use crate::http::state::AppState;
use crate::store::StaffAccount;
use crate::views::staff as v;

fn secure(state: &AppState) -> bool {
    state
        .origin
        .as_ref()
        .is_some_and(crate::http::PublicOrigin::is_https)
}

/// A redirect that sets the session cookie (`Some`) or clears it (`None`).
fn redirect_with_cookie(to: &str, token: Option<&str>, state: &AppState) -> Response {
    let mut res = Redirect::to(to).into_response();
    res.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&auth::set_cookie(token, secure(state))).expect("cookie"),
    );
    res
}

pub(super) async fn home(SignedIn(s): SignedIn) -> Response {
    page(StatusCode::OK, v::home(&s))
}

pub(super) async fn login_page() -> Response {
    page(StatusCode::OK, v::login(None, ""))
}

/// The login form again with a message, and with `Retry-After` when it says to wait.
fn refused(email: &str, msg: &str, status: StatusCode, retry: Option<Duration>) -> Response {
    let mut res = page(status, v::login(Some(msg), email));
    if let Some(retry) = retry {
        res.headers_mut().insert(
            header::RETRY_AFTER,
            header::HeaderValue::from(retry.as_secs().max(1)),
        );
    }
    res
}

/// Why this attempt is not checked at all: the address or the account rests.
fn resting(state: &AppState, email: &str, client: &ClientAddr) -> Option<Response> {
    // An address trying password after password on many accounts: that address only.
    if state.logins.address_blocked(client.0) {
        return Some(refused(
            email,
            "För många misslyckade inloggningar härifrån. Försök igen om en kvart.",
            StatusCode::TOO_MANY_REQUESTS,
            Some(auth::throttle::WINDOW),
        ));
    }
    // Someone trying many passwords for this account from many places at once: it rests
    // for what is left of the minute, and the owner can try again after it.
    let left = state.logins.locked(email)?;
    Some(refused(
        email,
        "För många misslyckade inloggningar just nu. Vänta en minut och försök igen.",
        StatusCode::TOO_MANY_REQUESTS,
        Some(left),
    ))
}

/// Whether `password` is the account's; an unknown or disabled account takes as long.
async fn password_matches(found: &Option<(StaffAccount, Option<String>)>, password: &str) -> bool {
    let stored = match found {
        Some((a, Some(hash))) if !a.disabled => Some(hash.clone()),
        _ => None,
    };
    let typed = password.to_string();
    auth::off_thread(move || match stored {
        Some(hash) => auth::verify_password(&typed, &hash),
        None => {
            // Hash anyway, so an unknown account takes as long as a wrong password.
            let _ = auth::hash_password(&typed);
            false
        }
    })
    .await
}

/// Counts a failed login; logs it, and the lock it may cause, for an account that exists
/// (typed addresses are no log entries).
async fn failed(
    state: &AppState,
    email: &str,
    client: &ClientAddr,
    exists: bool,
) -> Result<(), Error> {
    let locked = state.logins.failed(email, client.0) == auth::throttle::Failed::Locked;
    if exists {
        // At most one line a minute per account, so guessing cannot fill the log.
        (state.refusals)
            .audit(&state.store, "server", "login failed", email)
            .await?;
    }
    if locked && exists {
        tracing::warn!("a staff account was locked for a minute after many failed logins");
        let detail = format!(
            "{email}: failed logins from {} addresses within a minute",
            auth::throttle::MAX_PER_ACCOUNT_PER_LOCK
        );
        state.store.audit("server", "login locked", &detail).await?;
    }
    Ok(())
}

pub(super) async fn login(
    State(state): State<AppState>,
    client: ClientAddr,
    body: Bytes,
) -> Result<Response, Error> {
    let f = crate::http::form::parse(&body).unwrap_or_default();
    let email = field(&f, "email").trim().to_lowercase();
    let password = field(&f, "password");
    let wrong = || {
        refused(
            &email,
            "Fel e-post eller lösenord.",
            StatusCode::UNAUTHORIZED,
            None,
        )
    };
    // No account has a longer address; refused before it costs a hash or throttle memory.
    if email.len() > 254 || password.len() > auth::MAX_PASSWORD_BYTES {
        return Ok(wrong());
    }
    if let Some(res) = resting(&state, &email, &client) {
        return Ok(res);
    }
    // After a few mistakes from here, each attempt waits a little longer (at most a few
    // seconds) before it is checked — one attempt from an address at a time, so parallel
    // requests neither skip the wait nor hold the server's request slots.
    let wait = state.logins.delay(&email, client.0);
    let _turn = if wait.is_zero() {
        None
    } else {
        let Some(turn) = state.logins.wait_turn(client.0) else {
            let msg = "En inloggning härifrån väntar redan. Försök igen om en stund.";
            return Ok(refused(
                &email,
                msg,
                StatusCode::TOO_MANY_REQUESTS,
                Some(wait),
            ));
        };
        tokio::time::sleep(wait).await;
        Some(turn)
    };
    let found = state.store.staff_by_email(&email).await?;
    if !password_matches(&found, password).await {
        failed(&state, &email, &client, found.is_some()).await?;
        return Ok(wrong());
    }
    let (account, _) = found.expect("checked");
    state.logins.succeeded(&email, client.0);
    let token = auth::random_token();
    state
        .store
        .add_session(
            &auth::token_hash(&token),
            account.id,
            &auth::random_token(),
            auth::now_secs(),
        )
        .await?;
    Ok(redirect_with_cookie("/personal", Some(&token), &state))
}

pub(super) async fn logout(
    State(state): State<AppState>,
    post: StaffPost<SignedIn>,
) -> Result<Response, Error> {
    let s = post.staff;
    state.store.end_session(&s.session_hash).await?;
    Ok(redirect_with_cookie("/personal/logga-in", None, &state))
}

pub(super) async fn logout_everywhere(
    State(state): State<AppState>,
    post: StaffPost<SignedIn>,
) -> Result<Response, Error> {
    let s = post.staff;
    state
        .store
        .end_sessions_of(s.account.id, &s.account.email)
        .await?;
    Ok(redirect_with_cookie("/personal/logga-in", None, &state))
}

pub(super) async fn password_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, Error> {
    match state
        .store
        .password_token(&auth::token_hash(&token), auth::now_secs())
        .await?
    {
        Some(a) => Ok(page(
            StatusCode::OK,
            v::set_password(&a.email, None, &token),
        )),
        None => Ok(page(
            StatusCode::NOT_FOUND,
            v::message(
                "Länken gäller inte",
                "Länken är använd eller för gammal. Be en administratör om en ny.",
                None,
            ),
        )),
    }
}

pub(super) async fn password(
    State(state): State<AppState>,
    Path(token): Path<String>,
    body: Bytes,
) -> Result<Response, Error> {
    let f = crate::http::form::parse(&body).unwrap_or_default();
    let pw = field(&f, "password");
    let hash = auth::token_hash(&token);
    let Some(account) = state.store.password_token(&hash, auth::now_secs()).await? else {
        return password_page(State(state), Path(token)).await;
    };
    let refuse = |msg: String| {
        page(
            StatusCode::UNPROCESSABLE_ENTITY,
            v::set_password(&account.email, Some(&msg), &token),
        )
    };
    if pw.chars().count() < auth::MIN_PASSWORD_CHARS {
        return Ok(refuse(format!(
            "Lösenordet måste ha minst {} tecken.",
            auth::MIN_PASSWORD_CHARS
        )));
    }
    if pw.len() > auth::MAX_PASSWORD_BYTES {
        return Ok(refuse(format!(
            "Lösenordet får vara högst {} byte långt (så många tecken utan å, ä och ö).",
            auth::MAX_PASSWORD_BYTES
        )));
    }
    let typed = pw.to_string();
    let phc = auth::off_thread(move || auth::hash_password(&typed))
        .await
        .map_err(Error::Internal)?;
    state
        .store
        .set_password(&hash, &phc, auth::now_secs())
        .await?;
    Ok(Redirect::to("/personal/logga-in").into_response())
}
