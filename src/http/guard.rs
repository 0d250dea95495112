//! Request guards that run before any handler: cross-site protection and load shedding.
//!
//! **Cross-site posts.** Without a check, any web page could make its visitors' browsers
//! post answers to the survey. A state-changing request (anything but GET, HEAD and
//! OPTIONS) is refused with 403 when the browser says it comes from another site, following
//! the algorithm of Go's `CrossOriginProtection`:
//! 1. `Sec-Fetch-Site` (set by every current browser, and not settable by page scripts):
//!    `same-origin` or `none` (typed or bookmarked) passes, anything else is refused;
//! 2. without it, an `Origin` header must be the configured public origin or match the
//!    `Host` the request was sent to (`Origin: null` is refused);
//! 3. with neither header (old browsers, curl, scripts) the request passes — such a
//!    client is not a victim's browser being steered by another page.
//!
//! **Load shedding.** At most `max_in_flight` requests are handled at once; the next one
//! gets 503 with `Retry-After` at once instead of waiting in an unbounded queue. A body is
//! read (within the body timeout and size limit) *before* a place is taken, so clients
//! that send their bodies slowly cannot occupy the places and lock everyone out.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use crate::http::origin::PublicOrigin;
use crate::http::state::{AppState, MAX_BODY_BYTES, MAX_STAFF_UPLOAD_BYTES};
use crate::i18n::Lang;

/// Seconds a shed client is asked to wait before trying again.
const RETRY_AFTER_SECS: u64 = 5;

/// Why a request looks cross-site, or `None` when it may pass.
fn cross_site(
    method: &Method,
    headers: &HeaderMap,
    origin: Option<&PublicOrigin>,
) -> Option<String> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return None;
    }
    let text = |name: header::HeaderName| {
        headers
            .get(name)
            .map(|v| v.to_str().unwrap_or("").to_ascii_lowercase())
    };
    if let Some(site) = text(header::HeaderName::from_static("sec-fetch-site")) {
        return match site.as_str() {
            "same-origin" | "none" => None,
            other => Some(format!("Sec-Fetch-Site: {other}")),
        };
    }
    let from = text(header::ORIGIN)?;
    if origin.is_some_and(|o| o.as_str() == from.trim_end_matches('/')) {
        return None;
    }
    let host = text(header::HOST).unwrap_or_default();
    let from_host = from
        .strip_prefix("https://")
        .or_else(|| from.strip_prefix("http://"));
    match from_host {
        Some(h) if !host.is_empty() && h == host => None,
        _ => Some(format!("Origin: {from} (Host: {host})")),
    }
}

/// The resident's language from `?lang=`, for the guard pages.
fn lang_of(req: &Request) -> Lang {
    let q = req.uri().query().unwrap_or("");
    let fields = crate::http::form::parse(q.as_bytes()).unwrap_or_default();
    Lang::from_query(
        fields
            .iter()
            .find(|(k, _)| k == "lang")
            .map(|(_, v)| v.as_str()),
    )
}

fn page(status: StatusCode, lang: &Lang, title: &str, body: &str) -> Response {
    let markup = crate::views::message_page(lang, title, body, None);
    (status, Html(markup.into_string())).into_response()
}

/// A path as the log may show it: a set-password path holds a one-time token, a `/k/`
/// path a resident's letter code and a `/s/<district>/<year>/u/` path a resume token, so
/// none of them reaches a log line.
pub fn loggable(path: &str) -> &str {
    for secret in ["/personal/losenord/", "/k/"] {
        if path.starts_with(secret) {
            return match secret {
                "/k/" => "/k/…",
                _ => "/personal/losenord/…",
            };
        }
    }
    if path.starts_with("/s/") && path.contains("/u/") {
        return "/s/…/u/…";
    }
    path
}

/// Refuses cross-site state-changing requests with a 403 page in the resident's language.
pub async fn same_origin(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if let Some(why) = cross_site(req.method(), req.headers(), state.origin.as_ref()) {
        let path = loggable(req.uri().path());
        tracing::warn!(%path, %why, "cross-site request refused");
        let lang = lang_of(&req);
        return page(
            StatusCode::FORBIDDEN,
            &lang,
            lang.t("cross_site_title"),
            lang.t("cross_site_body"),
        );
    }
    next.run(req).await
}

/// Reads a request's body into memory, or answers 408 (too slow) or 413 (too large).
async fn buffered(state: &AppState, req: Request) -> Result<Request, Response> {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(req);
    }
    let lang = lang_of(&req);
    // Staff uploads (questionnaires, scanned paper answers) may be larger than a resident's
    // answers, but only from someone whose cookie names a live session: a made-up cookie
    // makes no one read megabytes before the sign-in check.
    let staff_upload = if req.uri().path().starts_with("/personal/")
        && req.headers().contains_key(header::COOKIE)
    {
        // Looking the session up is a database read: it takes a place under the in-flight
        // cap like any request, so a flood of made-up cookies is shed, not queued on the
        // connection pool ahead of everyone else.
        let Ok(_lookup) = state.in_flight.clone().try_acquire_owned() else {
            return Err(busy(&lang));
        };
        crate::http::extract::has_live_session(req.headers(), state).await
    } else {
        false
    };
    let limit = if staff_upload {
        MAX_STAFF_UPLOAD_BYTES
    } else {
        MAX_BODY_BYTES
    };
    let (parts, body) = req.into_parts();
    let read = axum::body::to_bytes(body, limit);
    match tokio::time::timeout(state.limits.body_timeout, read).await {
        Ok(Ok(bytes)) => Ok(Request::from_parts(parts, axum::body::Body::from(bytes))),
        Ok(Err(_)) => {
            let body = lang.tf("too_large_body", &[("max", &(limit / 1024).to_string())]);
            Err(page(
                StatusCode::PAYLOAD_TOO_LARGE,
                &lang,
                lang.t("too_large_title"),
                &body,
            ))
        }
        Err(_) => Err(page(
            StatusCode::REQUEST_TIMEOUT,
            &lang,
            lang.t("timeout_title"),
            lang.t("timeout_body"),
        )),
    }
}

/// Answers 503 with `Retry-After` when `max_in_flight` requests are already being handled.
pub async fn shed_load(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let req = match buffered(&state, req).await {
        Ok(r) => r,
        Err(refused) => return refused,
    };
    let Ok(_permit) = state.in_flight.clone().try_acquire_owned() else {
        return busy(&lang_of(&req));
    };
    next.run(req).await
}

/// 503 with `Retry-After`: every place is taken.
fn busy(lang: &Lang) -> Response {
    let mut res = page(
        StatusCode::SERVICE_UNAVAILABLE,
        lang,
        lang.t("busy_title"),
        lang.t("busy_body"),
    );
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_letter_code_or_password_token_reaches_a_log_line() {
        assert_eq!(loggable("/k/ABCD-EFGH-JKLM"), "/k/…");
        assert_eq!(
            loggable("/s/ryd/2026/u/6SP919WKW75XRN9G803S89CWW1"),
            "/s/…/u/…"
        );
        assert_eq!(
            loggable("/personal/losenord/0123abcd"),
            "/personal/losenord/…"
        );
        assert_eq!(loggable("/personal/resultat"), "/personal/resultat");
        assert_eq!(loggable("/"), "/");
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(
                header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    #[test]
    fn the_cross_site_rule() {
        let public = PublicOrigin::parse("https://trygg.example.se/").unwrap();
        let post = Method::POST;
        let cases: &[(&[(&str, &str)], bool)] = &[
            (&[], true),
            (&[("sec-fetch-site", "same-origin")], true),
            (&[("sec-fetch-site", "none")], true),
            (&[("sec-fetch-site", "cross-site")], false),
            (&[("sec-fetch-site", "same-site")], false),
            (&[("host", "a:3000"), ("origin", "http://a:3000")], true),
            (
                &[("host", "a:3000"), ("origin", "https://evil.example")],
                false,
            ),
            (&[("host", "a:3000"), ("origin", "null")], false),
            (
                &[
                    ("host", "127.0.0.1:3000"),
                    ("origin", "https://trygg.example.se"),
                ],
                true,
            ),
            (
                &[("origin", "https://trygg.example.se.evil.example")],
                false,
            ),
        ];
        for (h, passes) in cases {
            let got = cross_site(&post, &headers(h), Some(&public));
            assert_eq!(got.is_none(), *passes, "{h:?}: {got:?}");
        }
        let evil = headers(&[("sec-fetch-site", "cross-site")]);
        assert!(
            cross_site(&Method::GET, &evil, None).is_none(),
            "GET is never refused"
        );
    }

    #[test]
    fn public_origins_are_scheme_and_host_only() {
        assert!(
            PublicOrigin::parse("https://trygg.example.se")
                .unwrap()
                .is_https()
        );
        assert!(
            !PublicOrigin::parse("http://localhost:3000")
                .unwrap()
                .is_https()
        );
        for bad in [
            "trygg.example.se",
            "ftp://x",
            "https://",
            "https://x/path",
            "https://a b",
        ] {
            assert!(PublicOrigin::parse(bad).is_err(), "{bad}");
        }
    }
}
