//! The resident's pages: the start page and a district's questionnaire by open link
//! (`survey.rs`), answering with the code from the letter (`codes.rs`), the pages about
//! the site with its logo and colours (`about.rs`), and the results of the latest closed
//! year (`results.rs`). No login, no cookies; the language travels in `?lang=` and the form.

mod about;
mod codes;
mod intake;
mod paged;
mod results;
mod survey;

use axum::Router;

use crate::http::state::AppState;

/// Every resident route.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(survey::routes())
        .merge(codes::routes())
        .merge(about::routes())
        .merge(results::routes())
}
