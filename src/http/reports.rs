//! `/rapporter`: the published yearly reports, served read-only from the reports folder.
//!
//! Only files a report consists of can be reached: `index.html`, `results.parquet`,
//! `trygg-<year>.xlsx`, and plain file names inside `charts/` and `tables/`. Anything else,
//! including any path with `..`, is a 404.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use maud::html;

use super::AppState;
use crate::error::Error;
use crate::i18n::Lang;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/rapporter", get(list))
        .route("/rapporter/{year}", get(index))
        .route("/rapporter/{year}/", get(index))
        .route("/rapporter/{year}/{*file}", get(file))
}

/// Report years on disk, newest first.
fn years(state: &AppState) -> Vec<i32> {
    let mut out: Vec<i32> = std::fs::read_dir(&state.reports)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter_map(|e| e.file_name().to_str().and_then(|n| n.parse::<i32>().ok()))
                .filter(|y| (2000..=2100).contains(y))
                .filter(|y| {
                    state
                        .reports
                        .join(y.to_string())
                        .join("index.html")
                        .is_file()
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort_unstable_by(|a, b| b.cmp(a));
    out
}

async fn list(State(state): State<AppState>) -> Response {
    let lang = Lang::default();
    let years = years(&state);
    let body = html! {
        h1 { "Rapporter" }
        p { "Årsrapporterna från trygghetsundersökningen, med diagram, tabeller och arbetsbok." }
        @if years.is_empty() {
            p { "Inga rapporter är publicerade ännu." }
        } @else {
            ul {
                @for y in &years {
                    li { a href={ "/rapporter/" (y) "/" } { "Trygghetsundersökning " (y) } }
                }
            }
        }
    };
    Html(crate::views::layout(&lang, "Rapporter", "/rapporter", &[], body).into_string())
        .into_response()
}

async fn index(State(state): State<AppState>, Path(year): Path<String>) -> Result<Response, Error> {
    serve(&state, &year, "index.html").await
}

async fn file(
    State(state): State<AppState>,
    Path((year, file)): Path<(String, String)>,
) -> Result<Response, Error> {
    serve(&state, &year, &file).await
}

/// Whether `file` is one of the names a report consists of.
fn allowed(year: i32, file: &str) -> bool {
    let plain = |name: &str| {
        !name.is_empty()
            && !name.starts_with('.')
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
    };
    match file.split_once('/') {
        Some(("charts" | "tables", name)) => plain(name),
        Some(_) => false,
        None => {
            file == "index.html"
                || file == "results.parquet"
                || file == format!("trygg-{year}.xlsx")
        }
    }
}

fn content_type(file: &str) -> &'static str {
    match file.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("csv") => "text/csv; charset=utf-8",
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/octet-stream",
    }
}

async fn serve(state: &AppState, year: &str, file: &str) -> Result<Response, Error> {
    let Ok(y) = year.parse::<i32>() else {
        return Ok(not_found());
    };
    if !allowed(y, file) {
        return Ok(not_found());
    }
    let path = state.reports.join(y.to_string()).join(file);
    let bytes = match tokio::fs::read(&path).await {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(not_found()),
        Err(e) => return Err(Error::Internal(format!("{}: {e}", path.display()))),
    };
    let mut res = (StatusCode::OK, bytes).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(file)),
    );
    // The report is self-contained: its own inline styles and SVG, nothing else.
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'"),
    );
    Ok(res)
}

fn not_found() -> Response {
    let lang = Lang::default();
    let page = crate::views::message_page(
        &lang,
        lang.t("not_found_title"),
        lang.t("not_found_body"),
        None,
    );
    (StatusCode::NOT_FOUND, Html(page.into_string())).into_response()
}

#[cfg(test)]
mod tests {
    use super::allowed;

    #[test]
    fn only_report_files_can_be_reached() {
        for ok in [
            "index.html",
            "results.parquet",
            "trygg-2026.xlsx",
            "charts/trend-ryd-p-fort.svg",
            "tables/results.csv",
        ] {
            assert!(allowed(2026, ok), "{ok}");
        }
        for bad in [
            "../trygg.db",
            "charts/../../x",
            "charts/.hidden",
            "tables/a/b.csv",
            "trygg-2025.xlsx",
            "Cargo.toml",
            "charts/",
            "charts/a%2F.svg",
        ] {
            assert!(!allowed(2026, bad), "{bad}");
        }
    }
}
