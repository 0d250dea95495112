//! The small pieces every handler answers with: a page with a status, a message page in
//! the resident's language, the language asked for in the query, the 404 page, path
//! parameters that fail politely, and today's date.

use axum::extract::Path;
use axum::extract::rejection::PathRejection;
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use maud::Markup;

use crate::http::form;
use crate::i18n::Lang;
use crate::views;

/// Today in the server's time zone: waves open and close on local dates.
pub fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

/// The language asked for in the query string, if it is one we have.
pub fn query_lang(uri: &Uri) -> Lang {
    let fields = uri
        .query()
        .and_then(|q| form::parse(q.as_bytes()).ok())
        .unwrap_or_default();
    Lang::from_query(
        fields
            .iter()
            .find(|(k, _)| k == "lang")
            .map(|(_, v)| v.as_str()),
    )
}

pub fn page(status: StatusCode, markup: Markup) -> Response {
    (status, Html(markup.into_string())).into_response()
}

pub fn message(status: StatusCode, lang: &Lang, title: &str, body: &str) -> Response {
    page(status, views::message_page(lang, title, body, None))
}

/// The path's parameters, or trygg's own 400 page when they are not valid UTF-8.
pub fn path_params<T>(path: Result<Path<T>, PathRejection>, uri: &Uri) -> Result<T, Box<Response>> {
    match path {
        Ok(Path(p)) => Ok(p),
        Err(e) => {
            tracing::info!(error = %e, "unreadable path");
            let lang = query_lang(uri);
            Err(Box::new(message(
                StatusCode::BAD_REQUEST,
                &lang,
                lang.t("bad_address_title"),
                lang.t("bad_address_body"),
            )))
        }
    }
}

pub async fn not_found(uri: Uri) -> Response {
    let lang = query_lang(&uri);
    message(
        StatusCode::NOT_FOUND,
        &lang,
        lang.t("not_found_title"),
        lang.t("not_found_body"),
    )
}
