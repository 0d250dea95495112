//! Resident routes: `/resultat` lists the districts with results of the latest closed year,
//! `/resultat/{district}` shows a district's key indicators over the years and what came of
//! its measures. No login, no cookies, no JavaScript; the language travels in `?lang=`.
//!
//! Only years whose waves have all closed are shown — and only when every earlier year's
//! have too — so nothing of a survey still in the field is ever on these pages: the analysis
//! is of the years up to that one alone (cached beside the explorer's, computed on a
//! blocking thread), and every figure is a row of its results table after suppression.

use std::sync::Arc;

use axum::Router;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use axum::routing::get;
use chrono::NaiveDate;

use crate::analysis::Analysis;
use crate::error::Error;
use crate::http::respond::{message, page, path_params, query_lang, today};
use crate::http::state::AppState;
use crate::i18n::Lang;
use crate::store::{Wave, WaveStatus};
use crate::views::results::{self as view, DistrictResults};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/resultat", get(index))
        .route("/resultat/{district}", get(district))
}

/// The latest survey year whose waves have all closed, as have those of every earlier
/// year; `None` when there is none yet.
pub fn closed_year(waves: &[Wave], day: NaiveDate) -> Option<i32> {
    let mut years: Vec<i32> = waves.iter().map(|w| w.year).collect();
    years.sort_unstable();
    years.dedup();
    years
        .into_iter()
        .take_while(|y| {
            waves
                .iter()
                .filter(|w| w.year == *y)
                .all(|w| w.status(day) == WaveStatus::Closed)
        })
        .last()
}

/// The latest closed year and the analysis of the years up to it.
async fn latest(state: &AppState) -> Result<Option<(i32, Arc<Analysis>)>, Error> {
    let waves = state.store.waves().await?;
    let Some(year) = closed_year(&waves, today()) else {
        return Ok(None);
    };
    Ok(state.analysis_until(year).await?.map(|a| (year, a)))
}

/// The districts with answers in `year`, in the order of the districts file.
fn with_results(state: &AppState, a: &Analysis, year: i32) -> Vec<String> {
    let codes: Vec<String> = state.districts.codes().map(str::to_string).collect();
    crate::report::district::page_districts(a, year, &codes)
}

async fn index(State(state): State<AppState>, uri: Uri) -> Result<Response, Error> {
    let lang = query_lang(&uri);
    let Some((year, a)) = latest(&state).await? else {
        return Ok(page(StatusCode::OK, view::none_page(&lang)));
    };
    let list: Vec<_> = with_results(&state, &a, year)
        .iter()
        .filter_map(|c| state.districts.get(c))
        .cloned()
        .collect();
    Ok(page(StatusCode::OK, view::index_page(&lang, year, &list)))
}

fn unknown(lang: &Lang) -> Response {
    message(
        StatusCode::NOT_FOUND,
        lang,
        lang.t("not_found_title"),
        lang.t("results_unknown_district"),
    )
}

async fn district(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    uri: Uri,
) -> Result<Response, Error> {
    let code = match path_params(path, &uri) {
        Ok(p) => p,
        Err(page) => return Ok(*page),
    };
    let lang = query_lang(&uri);
    let Some(d) = state.districts.get(&code).cloned() else {
        return Ok(unknown(&lang));
    };
    let Some((year, a)) = latest(&state).await? else {
        return Ok(page(StatusCode::OK, view::none_page(&lang)));
    };
    let has = with_results(&state, &a, year).contains(&d.code);
    let results = DistrictResults {
        a: &a,
        year,
        district: &d,
        has_results: has,
    };
    Ok(page(StatusCode::OK, view::district_page(&lang, &results)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wave(year: i32, opens: (u32, u32), closes: (u32, u32)) -> Wave {
        Wave {
            id: 0,
            district: "ryd".into(),
            year,
            questionnaire_id: 1,
            opens_on: NaiveDate::from_ymd_opt(year, opens.0, opens.1).unwrap(),
            closes_on: NaiveDate::from_ymd_opt(year, closes.0, closes.1).unwrap(),
            sampled: false,
        }
    }

    #[test]
    fn the_latest_year_shown_is_one_whose_waves_and_all_earlier_ones_have_closed() {
        let day = NaiveDate::from_ymd_opt(2026, 9, 15).unwrap();
        let closed = |y| wave(y, (9, 1), (10, 31));
        assert_eq!(closed_year(&[], day), None);
        // 2026 is still in the field: 2025 is the latest closed year.
        let waves = [closed(2024), closed(2025), wave(2026, (9, 1), (9, 30))];
        assert_eq!(closed_year(&waves, day), Some(2025));
        // One district of 2025 still open holds back 2025 (and everything after it).
        let mut late = closed(2025);
        late.closes_on = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
        let waves = [closed(2024), closed(2025), late, wave(2026, (1, 1), (2, 1))];
        assert_eq!(closed_year(&waves, day), Some(2024));
        // Only an open year: nothing yet.
        assert_eq!(closed_year(&[wave(2026, (9, 1), (9, 30))], day), None);
    }
}
