//! `/rapporter`: the published yearly reports, served read-only from the reports folder.
//!
//! Only files a report consists of can be reached: `index.html`, a page per configured
//! district (`<district>.html`), `results.parquet`, `trygg-<year>.xlsx`, and plain file
//! names inside `charts/` and `tables/`. Anything else,
//! including any path with `..` and any symbolic link inside the reports folder, is a 404.
//!
//! Files are streamed from disk by tower-http's `ServeFile` (with `Last-Modified`,
//! conditional requests and `Range`), so a client that never reads its reply holds a
//! small buffer, not a whole page. `/rapporter/<year>` redirects to its folder, so the
//! page's relative links (charts, tables, district pages) resolve.

use axum::Router;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

use crate::error::Error;
use crate::http::state::AppState;
use crate::i18n::Lang;
use crate::views::reports::Published;
use tower::ServiceExt;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/rapporter", get(list))
        .route("/rapporter/{year}", get(to_folder))
        .route("/rapporter/{year}/", get(index))
        .route("/rapporter/{year}/{*file}", get(file))
}

/// Report years on disk, newest first, each with the districts that have a page in it.
fn published(state: &AppState) -> Vec<Published> {
    years(state)
        .into_iter()
        .map(|year| {
            let folder = state.reports.join(year.to_string());
            let districts = state
                .districts
                .0
                .iter()
                .filter(|d| {
                    // Only plain files are served, so only those are listed.
                    std::fs::symlink_metadata(folder.join(format!("{}.html", d.code)))
                        .is_ok_and(|m| m.is_file())
                })
                .map(|d| (d.code.clone(), d.name.get("sv").to_string()))
                .collect();
            Published { year, districts }
        })
        .collect()
}

/// Report years on disk, newest first.
fn years(state: &AppState) -> Vec<i32> {
    let mut out: Vec<i32> = std::fs::read_dir(&state.reports)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter_map(|e| e.file_name().to_str().and_then(|n| n.parse::<i32>().ok()))
                .filter(|y| (2000..=2100).contains(y))
                .filter(|y| {
                    // A linked year folder is never served, so never listed.
                    std::fs::symlink_metadata(state.reports.join(y.to_string()))
                        .is_ok_and(|m| m.is_dir())
                })
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
    let reports = published(&state);
    Html(crate::views::reports::public_reports(&reports).into_string()).into_response()
}

/// `/rapporter/2026` → `/rapporter/2026/`: the page's links to its charts, tables and
/// district pages are relative to its folder.
async fn to_folder(uri: axum::http::Uri) -> Response {
    let path = uri.path().trim_end_matches('/');
    // Only a plain year goes on; anything else is not a report.
    match path.rsplit('/').next() {
        Some(year) if !year.is_empty() && year.bytes().all(|b| b.is_ascii_digit()) => {
            axum::response::Redirect::permanent(&format!("/rapporter/{year}/")).into_response()
        }
        _ => not_found(),
    }
}

async fn index(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    req: Request,
) -> Result<Response, Error> {
    match crate::http::respond::path_params(path, req.uri()) {
        Ok(year) => serve(&state, &year, "index.html", req).await,
        Err(page) => Ok(*page),
    }
}

async fn file(
    State(state): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
    req: Request,
) -> Result<Response, Error> {
    match crate::http::respond::path_params(path, req.uri()) {
        Ok((year, file)) => serve(&state, &year, &file, req).await,
        Err(page) => Ok(*page),
    }
}

/// Whether `file` is one of the names a report consists of (`district` says whether a code
/// is one of the configured districts).
fn allowed(year: i32, file: &str, district: impl Fn(&str) -> bool) -> bool {
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
                || file.strip_suffix(".html").is_some_and(&district)
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

/// Whether any step from the reports folder down to `rel` is a symbolic link (or missing).
async fn through_link(root: &std::path::Path, rel: &std::path::Path) -> bool {
    let mut at = root.to_path_buf();
    for part in rel.components() {
        at.push(part);
        match tokio::fs::symlink_metadata(&at).await {
            Ok(m) if !m.file_type().is_symlink() => {}
            _ => return true,
        }
    }
    false
}

async fn serve(state: &AppState, year: &str, file: &str, req: Request) -> Result<Response, Error> {
    let Ok(y) = year.parse::<i32>() else {
        return Ok(not_found());
    };
    if !allowed(y, file, |d| state.districts.get(d).is_some()) {
        return Ok(not_found());
    }
    let rel = std::path::Path::new(&y.to_string()).join(file);
    // A link inside the reports folder could point anywhere on the server.
    if through_link(&state.reports, &rel).await {
        return Ok(not_found());
    }
    let path = state.reports.join(&rel);
    if !path.is_file() {
        return Ok(not_found());
    }
    let served = tower_http::services::ServeFile::new(&path)
        .oneshot(req)
        .await
        .map_err(|e| Error::Internal(format!("{}: {e}", path.display())))?;
    let mut res = served.map(axum::body::Body::new);
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(file)),
    );
    // Reports are public and change only when regenerated: a short cache, revalidated.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300, must-revalidate"),
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
        let allowed = |year, file| allowed(year, file, |d| d == "ryd");
        for ok in [
            "index.html",
            "ryd.html",
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
            "berga.html",
            "../ryd.html",
            "ryd.htm",
        ] {
            assert!(!allowed(2026, bad), "{bad}");
        }
    }
}
