//! `/personal/est`: the EST group's week's picture for administrators, analysts and
//! reporters — one district, or all of them together (`alla`, not for someone limited to
//! districts) — and, for administrators and analysts, its CSV export. A reporter's page
//! leaves out the survey's indicators (of the survey it sees only what is published) and
//! the review queue's count. The numbers come from `est::picture` over the store's counts; the
//! page is `views/est_week.rs`.

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::pages::{district_name, out_of_scope, page, places};
use crate::analysis::{Group, IndexName, IndicatorKey};
use crate::auth::Staff;
use crate::charts::{Axis, Chart, Described, Point, Series, YearChart};
use crate::error::Error;
use crate::est::Week;
use crate::est::picture::{self, Picture};
use crate::http::extract::{AdminOrAnalyst, EstStaff};
use crate::http::state::AppState;
use crate::role::Role;
use crate::views::est_week::{self as v, Indicators, MapPlace, WeekPage};
use crate::views::staff::message;

/// The address segment for all districts together.
const ALL: &str = "alla";

/// `/personal/est`: this week of the first district the person sees.
pub async fn current(State(state): State<AppState>, EstStaff(s): EstStaff) -> Response {
    let week = Week::of(crate::http::respond::today());
    match state.districts.codes().find(|c| s.in_scope(c)) {
        Some(d) => Redirect::to(&v::week_href(d, week)).into_response(),
        None => Redirect::to(&v::week_href(ALL, week)).into_response(),
    }
}

fn not_found(s: &Staff, title: &str, text: &str) -> Response {
    page(StatusCode::NOT_FOUND, message(title, text, Some(s)))
}

/// The district a request names (`None`: all), or the reply instead: 404 for an unknown
/// district, 403 outside the person's districts (all of them, for someone limited).
async fn district_of(
    state: &AppState,
    s: &Staff,
    district: &str,
) -> Result<Result<Option<String>, Response>, Error> {
    if district == ALL {
        if s.scoped() {
            return Ok(Err(out_of_scope(state, s, "EST week, all districts").await?));
        }
        return Ok(Ok(None));
    }
    if state.districts.get(district).is_none() {
        let text = "Det finns inget område med den koden.";
        return Ok(Err(not_found(s, "Området finns inte", text)));
    }
    if !s.in_scope(district) {
        let what = format!("EST week, {district}");
        return Ok(Err(out_of_scope(state, s, &what).await?));
    }
    Ok(Ok(Some(district.to_string())))
}

/// `/personal/est/{district}/{week}`.
pub async fn week(
    State(state): State<AppState>,
    EstStaff(s): EstStaff,
    Path((district, week)): Path<(String, String)>,
) -> Result<Response, Error> {
    let Some(week) = Week::parse(&week) else {
        let text = "Veckan skrivs som år och veckonummer, till exempel 2026-W05, och måste finnas i det året.";
        return Ok(not_found(&s, "Veckan finns inte", text));
    };
    let code = match district_of(&state, &s, &district).await? {
        Ok(code) => code,
        Err(reply) => return Ok(reply),
    };
    let d = code.as_deref();
    let (from, to) = picture::span(week);
    let counts = state.store.est_week_counts(d, from, to).await?;
    let at_places = (state.store)
        .est_place_week_counts(d, week.plus(-picture::BASELINE_WEEKS), week)
        .await?;
    let p = picture::picture(week, &counts, &at_places);
    let register = places(&state).await;
    let name = |id: &str| {
        register
            .get(id)
            .map_or_else(|| id.to_string(), |x| x.name.clone())
    };
    let map: Vec<MapPlace> = (register.0.iter())
        .filter(|x| d.is_none_or(|d| x.district == d))
        .map(|x| MapPlace {
            name: x.name.clone(),
            lat: x.lat,
            lon: x.lon,
            count: (p.places.iter())
                .find(|r| r.place_id == x.id)
                .map_or(0, |r| r.this_week),
        })
        .collect();
    let chart = match chart(&p) {
        Some((c, alt)) => Some((crate::charts::svg(&c)?, alt)),
        None => None,
    };
    let shown = match d {
        Some(d) => district_name(&state, d),
        None => "alla områden".to_string(),
    };
    let coordinator = s.account.role != Role::Reporter;
    let survey = match d {
        Some(d) if coordinator => indicators(&state, d).await?,
        _ => None,
    };
    let waiting = match coordinator {
        true => Some(state.store.count_new_est_reports(d).await?),
        false => None,
    };
    let actions = super::est_actions::open_section(&state, &s, d, week).await?;
    let view = WeekPage {
        district: &district,
        district_name: &shown,
        picture: &p,
        place_name: &name,
        map: &map,
        chart,
        survey,
        waiting,
        actions,
    };
    Ok(page(StatusCode::OK, v::week_page(&s, &view)))
}

/// The district's key indicators (`report::district::key_indicators`, as its report page
/// and the residents' results show them) in the latest year whose wave there is closed:
/// the year and each indicator's name and published value. None without such a year or
/// an analysis (not analysable yet: the week's picture is shown without it).
async fn indicators(state: &AppState, district: &str) -> Result<Option<Indicators>, Error> {
    let today = crate::http::respond::today();
    let waves = state.store.waves().await?;
    let closed = (waves.iter())
        .filter(|w| w.district == district && w.status(today) == crate::store::WaveStatus::Closed)
        .map(|w| w.year)
        .max();
    let Some(year) = closed else {
        return Ok(None);
    };
    let a = match state.analysis().await {
        Ok(Some(a)) => a,
        Ok(None) | Err(Error::Invalid(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    let q = &a.questionnaire;
    let mut shown = Vec::new();
    for key in crate::report::district::key_indicators(&a, district) {
        let row = a.results.iter().find(|r| {
            r.year == year
                && r.district.to_string() == district
                && r.group == Group::All
                && r.indicator == key
                && !r.suppressed
        });
        let Some(v) = row.and_then(|r| r.estimate) else {
            continue;
        };
        let (label, value) = match &key {
            IndicatorKey::Question(code) => (
                (q.question(code).and_then(|x| x.indicator.as_ref()))
                    .map_or_else(|| code.clone(), |i| i.label.get("sv").to_string()),
                format!("{:.0} %", 100.0 * v),
            ),
            IndicatorKey::Index(IndexName::Block(b)) => (
                (q.indices.iter().find(|i| &i.code == b))
                    .map_or_else(|| b.clone(), |i| i.name.get("sv").to_string()),
                v::decimal((v * 10.0).round() / 10.0),
            ),
            IndicatorKey::Index(IndexName::Total) => (
                "Index totalt".to_string(),
                v::decimal((v * 10.0).round() / 10.0),
            ),
        };
        shown.push((label, value));
    }
    Ok(Some((year, shown)))
}

/// The 52-week chart: a line per category with reports, x in weeks before the week
/// (0 is the week), with its text alternative — a sentence per category and the counts
/// week by week.
fn chart(p: &Picture) -> Option<(Chart, Described)> {
    if p.series.is_empty() {
        return None;
    }
    let n = p.weeks.len() as i32;
    let top = p.series.iter().flat_map(|(_, s)| s.iter()).max().copied();
    let series = (p.series.iter())
        .map(|(c, counts)| Series {
            label: c.label().to_string(),
            points: (counts.iter().enumerate())
                .map(|(i, k)| Point {
                    year: i as i32 + 1 - n,
                    at: f64::from(i as i32 + 1 - n),
                    value: Some(*k as f64),
                    ci: None,
                    significant: None,
                    self_selected: false,
                })
                .collect(),
        })
        .collect();
    let (first, last) = (p.weeks[0], p.week);
    let title = format!("Godkända rapporter per vecka, {first}–{last}");
    let chart = YearChart {
        title: title.clone(),
        axis: Axis {
            title: "Rapporter".into(),
            min: 0.0,
            max: (top.unwrap_or(0) + 1) as f64,
            percent: false,
        },
        x_title: format!("Veckor före {last} (0 = veckan)"),
        years: (1 - n, 0),
        series,
        bands: vec![],
        spans: vec![],
        markers: vec![],
        notes: vec![],
        source: "trygg, EST-rapporter (godkända)".into(),
    };
    let sentences: Vec<String> = (p.series.iter())
        .map(|(c, s)| {
            let total: i64 = s.iter().sum();
            let (i, most) = (s.iter().enumerate())
                .max_by_key(|(i, k)| (**k, *i))
                .unwrap_or((0, &0));
            format!(
                "{}: {total} rapporter, flest vecka {} ({most})",
                c.label(),
                p.weeks[i]
            )
        })
        .collect();
    let alt = Described {
        sentence: format!("{title}. {}.", sentences.join(". ")),
        head: std::iter::once("Vecka".to_string())
            .chain(p.series.iter().map(|(c, _)| c.label().to_string()))
            .collect(),
        rows: (p.weeks.iter().enumerate())
            .map(|(i, w)| {
                std::iter::once(w.to_string())
                    .chain(p.series.iter().map(|(_, s)| s[i].to_string()))
                    .collect()
            })
            .collect(),
    };
    Some((Chart::Years(chart), alt))
}

/// The CSV export's query.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    district: String,
    from: String,
    to: String,
}

/// `/personal/est/export.csv?district=…&from=…&to=…`: accepted reports per week, district
/// and category — the same rows as the API's `/api/v1/est/weeks`.
pub async fn export(
    State(state): State<AppState>,
    AdminOrAnalyst(s): AdminOrAnalyst,
    Query(q): Query<ExportQuery>,
) -> Result<Response, Error> {
    let (from, to) = picture::range(&q.from, &q.to).map_err(Error::Invalid)?;
    let code = match district_of(&state, &s, &q.district).await? {
        Ok(code) => code,
        Err(reply) => return Ok(reply),
    };
    let districts: Vec<String> = match code {
        Some(d) => vec![d],
        None => state.districts.codes().map(str::to_string).collect(),
    };
    let rows =
        crate::operations::week_counts_by_district(&state.store, &districts, from, to).await?;
    let file = format!("est-{}-{from}-{to}.csv", q.district);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
        ],
        crate::operations::week_counts_csv(&rows),
    )
        .into_response())
}
