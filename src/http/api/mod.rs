//! `/api/v1`: the read-only JSON API for BI tools and scripts, with bearer tokens that
//! administrators create and revoke at `/personal/api`, and its OpenAPI 3.1 document at
//! `/api/v1/openapi.json`.
//!
//! Results come from the same results table as the report and the explorer, so nothing
//! suppressed reaches the API. The document is generated (utoipa) from the item types and
//! the handlers' `#[utoipa::path]` attributes, and the router is built from the same
//! attributes ([`routes`]), so a route cannot exist without its description or the other
//! way round; a test checks every response against the document.

mod client;
mod endpoints;
mod est;
mod items;
mod problem;
mod query;

pub use client::ApiClient;
pub use problem::{PROBLEM_JSON, Problem, problem, problems_only};

use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::http::state::AppState;
use endpoints::*;
use est::*;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "trygg",
        version = "1",
        description = "Read-only results of the local safety survey, and the EST group's weekly report counts. Suppressed estimates carry no value."
    ),
    modifiers(&Bearer)
)]
struct Doc;

/// Every endpoint needs a bearer token.
struct Bearer;

impl utoipa::Modify for Bearer {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
        // (utoipa fills in the crate's license, which has no name here)
        doc.info.license = None;
        doc.components
            .get_or_insert_with(Default::default)
            .add_security_scheme(
                "bearer",
                SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
            );
    }
}

/// The API's routes and its OpenAPI document, made from the same handler attributes.
pub fn routes() -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(Doc::openapi())
        .routes(utoipa_axum::routes!(results))
        .routes(utoipa_axum::routes!(measures))
        .routes(utoipa_axum::routes!(waves))
        .routes(utoipa_axum::routes!(response_rates))
        .routes(utoipa_axum::routes!(est_weeks))
        .split_for_parts()
}

/// The OpenAPI 3.1 document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    routes().1
}
