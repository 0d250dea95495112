//! Who calls the API: a bearer token checked against the store (live, refused with why, or
//! unknown), with the role and districts it reads. Refusals of known tokens are audited;
//! unknown ones at most once a minute.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::problem::problem;
use super::query::Filter;
use crate::auth::{Role, token_hash};
use crate::error::Error;
use crate::http::state::AppState;
use crate::store::TokenCheck;

/// A client with a live bearer token: its role and the districts it reads (`None`: every
/// district and the municipality's totals).
pub struct ApiClient {
    pub role: Role,
    pub districts: Option<Vec<String>>,
    name: String,
}

impl ApiClient {
    /// Whether an item of `district` (a code, or `ALL`) may be shown to this client.
    pub(super) fn sees(&self, district: &str) -> bool {
        crate::role::within(self.districts.as_deref(), district)
    }

    /// The refusal of a `district` filter outside the token's districts, audited.
    pub(super) async fn out_of_scope(
        &self,
        state: &AppState,
        f: &Filter,
    ) -> Result<Option<Response>, Error> {
        match &f.district {
            Some(d) if !self.sees(d) => {
                let detail = format!("API token {}: district {d}", self.name);
                (state.refusals)
                    .audit(&state.store, "api", "scope refused", &detail)
                    .await?;
                Ok(Some(problem(
                    StatusCode::FORBIDDEN,
                    "this token does not read that district",
                )))
            }
            _ => Ok(None),
        }
    }
}

fn unauthorized(why: &str) -> Response {
    let mut res = problem(StatusCode::UNAUTHORIZED, why);
    res.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static("Bearer"),
    );
    res
}

impl FromRequestParts<AppState> for ApiClient {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Some(token) = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
        else {
            return Err(unauthorized(
                "an Authorization: Bearer <token> header is required",
            ));
        };
        let today = crate::http::respond::today();
        let hash = token_hash(token.trim());
        let check = state.store.check_api_token(&hash, today).await;
        match check.map_err(IntoResponse::into_response)? {
            TokenCheck::Live {
                name,
                role,
                districts,
            } => Ok(ApiClient {
                role,
                districts,
                name,
            }),
            TokenCheck::Refused { name, why } => {
                let detail = format!("{name}: {why}");
                let log = state
                    .refusals
                    .audit(&state.store, "api", "API token refused", &detail);
                log.await.map_err(IntoResponse::into_response)?;
                Err(unauthorized(&format!("the token is {why}")))
            }
            TokenCheck::Unknown => {
                // Unknown keys are one entry a minute whatever was guessed (the guess is
                // never written down).
                let log =
                    state
                        .refusals
                        .audit(&state.store, "api", "API token refused", "unknown token");
                log.await.map_err(IntoResponse::into_response)?;
                Err(unauthorized("unknown or revoked token"))
            }
        }
    }
}
