//! The API's errors as problem details (RFC 9457): every `/api` answer that is an error is
//! `application/problem+json`, whoever made it.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use utoipa::ToSchema;

/// An API error as problem details (RFC 9457, `application/problem+json`): the status, its
/// name, and what was wrong, in English.
#[derive(serde::Serialize, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Problem {
    /// Always `about:blank`: the status says what kind of problem it is.
    #[serde(rename = "type")]
    kind: String,
    title: String,
    status: u16,
    detail: String,
}

/// The media type of every error the API answers with.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An error answer of the API.
pub fn problem(status: StatusCode, detail: &str) -> Response {
    let body = Problem {
        kind: "about:blank".into(),
        title: status.canonical_reason().unwrap_or("Error").into(),
        status: status.as_u16(),
        detail: detail.into(),
    };
    (
        status,
        [(header::CONTENT_TYPE, PROBLEM_JSON)],
        serde_json::to_vec(&body).expect("a problem document is plain JSON"),
    )
        .into_response()
}

/// Every answer under `/api/` that is an error is problem details, whoever made it — a
/// handler's unexpected error, a route that does not exist, a method not allowed — so a
/// client never has to parse an HTML page.
pub async fn problems_only(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    let status = res.status();
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes() == PROBLEM_JSON.as_bytes());
    if !api || !(status.is_client_error() || status.is_server_error()) || is_problem {
        return res;
    }
    let detail = match status {
        StatusCode::NOT_FOUND => "no such endpoint",
        StatusCode::METHOD_NOT_ALLOWED => "the API only answers GET",
        StatusCode::SERVICE_UNAVAILABLE => {
            "trygg is busy or its storage is full; try again shortly"
        }
        s if s.is_server_error() => "trygg could not answer; the error is logged",
        _ => "the request was refused",
    };
    let mut out = problem(status, detail);
    for (name, value) in res.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            out.headers_mut().append(name.clone(), value.clone());
        }
    }
    out
}
