//! The EST week's picture (issue 24, points 6 and 8): the page's counts against an
//! independent count, what stands out at and below its thresholds, the map, district scope
//! on the page, the CSV export and the API, hostile week strings, and the API's rows equal
//! to the CSV's. On SQLite, and on PostgreSQL with `TRYGG_TEST_POSTGRES`.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{Datelike, NaiveDate};
use trygg::auth::Role;
use trygg::est::{Category, NewReport, ReportStatus, Source, Week};

use crate::helpers::*;
use crate::staff::{conforms, request, response_schema, session};

fn report(district: &str, place: Option<&str>, day: NaiveDate, c: Category) -> NewReport {
    NewReport {
        district: district.into(),
        place_id: place.map(str::to_string),
        other_place: None,
        day,
        part_of_day: None,
        category: c,
        description: None,
        status: ReportStatus::Accepted,
        organisation: "Polisen".into(),
        created_by: None,
        source: Source::Import,
    }
}

/// A day of an ISO week (0 = Monday).
fn day(year: i32, week: u32, weekday: u64) -> NaiveDate {
    Week::new(year, week).unwrap().monday() + chrono::Days::new(weekday)
}

async fn page(app: &axum::Router, cookie: &str, uri: &str) -> Reply {
    send(app, request("GET", uri, Some(cookie), String::new(), "")).await
}

async fn api(app: &axum::Router, token: &str, uri: &str) -> Reply {
    let req = Request::builder()
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    send(app, req).await
}

/// As the page writes a mean: "2", "0,8".
fn decimal(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}").replace('.', ",")
    }
}

/// Reports over the turn of 2026/2027 (2026 has 53 weeks) in Ryd and Berga, at Ryd's
/// places or none, every sixth not accepted.
fn sample() -> Vec<NewReport> {
    let places =
        trygg::est::load_places(&surveys_dir().join("places.toml"), Some(&districts())).unwrap();
    let ryd: Vec<String> = places.in_district("ryd").map(|p| p.id.clone()).collect();
    let start = day(2025, 50, 0);
    (0..400u64)
        .map(|i| {
            let district = if i % 3 == 0 { "berga" } else { "ryd" };
            let place = (district == "ryd" && i % 4 != 0)
                .then(|| ryd[(i % 5) as usize % ryd.len()].as_str());
            let d = if i < 40 {
                day(2026, 1, i % 7)
            } else {
                start + chrono::Days::new(i * 7 % 400)
            };
            let mut r = report(district, place, d, Category::ALL[(i * 3 % 11) as usize]);
            if i % 6 == 0 {
                r.status = [ReportStatus::New, ReportStatus::Rejected][(i % 12 / 6) as usize];
            }
            r
        })
        .collect()
}

#[tokio::test]
async fn the_weeks_counts_match_an_independent_count_and_week_1_looks_back_into_week_53() {
    let db = TestDb::new().await;
    let reports = sample();
    db.store
        .insert_est_reports(&reports, "test", "est test", "sample")
        .await
        .unwrap();
    let app = db.app();
    let (cookie, _, _) = session(&db, "admin@kommun.se", Role::Admin).await;
    for district in ["ryd", "alla"] {
        let mut expect: BTreeMap<Category, (i64, i64, i64)> = BTreeMap::new();
        for r in reports
            .iter()
            .filter(|r| r.status == ReportStatus::Accepted)
        {
            if district != "alla" && r.district != district {
                continue;
            }
            let w = r.day.iso_week();
            let e = expect.entry(r.category).or_default();
            match (w.year(), w.week()) {
                (2027, 1) => e.0 += 1,
                (2026, 50..=53) => e.1 += 1,
                (2026, 1) => e.2 += 1,
                _ => {}
            }
        }
        assert!(expect.values().any(|e| e.0 > 0) && expect.values().any(|e| e.1 > 0));
        assert!(expect.values().any(|e| e.2 > 0));
        let r = page(&app, &cookie, &format!("/personal/est/{district}/2027-W01")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        for c in Category::ALL {
            let (now, before, last) = expect.get(&c).copied().unwrap_or_default();
            let row = format!(
                "<th scope=\"row\">{}</th><td>{now}</td><td>{}</td><td>{last}</td>",
                c.label(),
                decimal(before as f64 / 4.0)
            );
            assert!(r.body.contains(&row), "{district}: {row}");
        }
        assert!(r.body.contains("Samma vecka i fjol (2026-W01)"));
        assert!(
            r.body
                .contains(&format!("/personal/est/{district}/2026-W53"))
        );
        assert!(
            r.body
                .contains(&format!("/personal/est/{district}/2027-W02"))
        );
        assert!(
            r.body.contains("Siffrorna i diagrammet"),
            "the chart's numbers"
        );
    }
}

#[tokio::test]
async fn a_count_stands_out_at_twice_its_mean_and_three_reports_not_below() {
    let db = TestDb::new().await;
    let (this, before) = ((2026, 10), [(2026, 6), (2026, 7), (2026, 8), (2026, 9)]);
    let mut reports = Vec::new();
    let mut add = |n: usize, (y, w): (i32, u32), c: Category, place: Option<&str>| {
        for i in 0..n {
            reports.push(report("ryd", place, day(y, w, i as u64 % 7), c));
        }
    };
    // Brand: 4 before (mean 1), 3 now: exactly twice and exactly three — stands out.
    add(3, this, Category::Brand, None);
    add(4, before[0], Category::Brand, None);
    // Glaskross: nothing before, 2 now: under three — does not.
    add(2, this, Category::Glaskross, None);
    // Klotter: 8 before (mean 2), 3 now: under twice — does not.
    add(3, this, Category::Klotter, None);
    add(8, before[2], Category::Klotter, None);
    // Ryds centrum: 6 before (mean 1,5), 3 now: exactly twice — stands out (its 3 are
    // Narkotika, which has the same counts and stands out too).
    add(3, this, Category::Narkotika, Some("ryd-centrum"));
    add(6, before[3], Category::Narkotika, Some("ryd-centrum"));
    db.store
        .insert_est_reports(&reports, "test", "est test", "thresholds")
        .await
        .unwrap();
    let app = db.app();
    let (cookie, _, _) = session(&db, "analys@kommun.se", Role::Analyst).await;
    let r = page(&app, &cookie, "/personal/est/ryd/2026-W10").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let list = r
        .body
        .split("<ul class=\"standouts\">")
        .nth(1)
        .unwrap()
        .split("</ul>")
        .next()
        .unwrap();
    assert!(
        list.contains("Kategorin <strong>Brand</strong>: 3 rapporter (medel 1)"),
        "{list}"
    );
    assert!(
        list.contains("Kategorin <strong>Narkotika</strong>: 3 rapporter (medel 1,5)"),
        "{list}"
    );
    assert!(
        !list.contains("Glaskross") && !list.contains("Klotter"),
        "{list}"
    );
    let places =
        trygg::est::load_places(&surveys_dir().join("places.toml"), Some(&districts())).unwrap();
    let centrum = &places
        .get("ryd-centrum")
        .expect("the register has Ryds centrum")
        .name;
    assert!(
        list.contains(&format!(
            "Platsen <strong>{centrum}</strong>: 3 rapporter (medel 1,5)"
        )),
        "{list}"
    );
    assert_eq!(list.matches("<li>").count(), 3);
}

#[tokio::test]
async fn the_map_has_a_circle_per_place_of_the_district() {
    let db = TestDb::new().await;
    let app = db.app();
    let (cookie, _, _) = session(&db, "admin@kommun.se", Role::Admin).await;
    let places =
        trygg::est::load_places(&surveys_dir().join("places.toml"), Some(&districts())).unwrap();
    for d in ["skaggetorp", "ryd", "berga", "city"] {
        let r = page(&app, &cookie, &format!("/personal/est/{d}/2026-W05")).await;
        assert_eq!(r.status, StatusCode::OK);
        let svg = r
            .body
            .split("<figure class=\"map\">")
            .nth(1)
            .unwrap()
            .split("</svg>")
            .next()
            .unwrap();
        assert_eq!(
            svg.matches("<circle").count(),
            places.in_district(d).count(),
            "{d}"
        );
        for p in places.in_district(d) {
            assert!(
                svg.contains(&format!("<title>{}: 0</title>", p.name)),
                "{}",
                p.name
            );
        }
    }
    assert!(trygg::views::STYLESHEET.contains("@media print"));
}

#[tokio::test]
async fn a_limited_analyst_and_token_are_refused_other_districts_and_all() {
    let db = TestDb::new().await;
    let only_ryd = ["ryd".to_string()];
    db.store
        .add_staff("polis@polisen.se", Role::Analyst, Some(&only_ryd), "test")
        .await
        .unwrap();
    let (cookie, _, _) = session(&db, "polis@polisen.se", Role::Analyst).await;
    let reports = [
        report("ryd", None, day(2026, 2, 1), Category::Klotter),
        report("berga", None, day(2026, 2, 1), Category::Klotter),
    ];
    (db.store
        .insert_est_reports(&reports, "test", "est test", "two"))
    .await
    .unwrap();
    let app = db.app();
    let r = page(&app, &cookie, "/personal/est").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let this = Week::of(today());
    assert_eq!(
        r.headers[header::LOCATION],
        format!("/personal/est/ryd/{this}")
    );
    assert_eq!(
        page(&app, &cookie, "/personal/est/ryd/2026-W05")
            .await
            .status,
        StatusCode::OK
    );
    for uri in [
        "/personal/est/berga/2026-W05",
        "/personal/est/alla/2026-W05",
        "/personal/est/export.csv?district=berga&from=2026-W01&to=2026-W05",
        "/personal/est/export.csv?district=alla&from=2026-W01&to=2026-W05",
    ] {
        let r = page(&app, &cookie, uri).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{uri}");
        assert!(r.body.contains("Utanför dina områden"), "{uri}");
    }
    let (reader, _, _) = session(&db, "las@kommun.se", Role::Reader).await;
    assert_eq!(
        page(&app, &reader, "/personal/est/ryd/2026-W05")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let token = api_key(
        &db.store,
        Role::Analyst,
        Some(&only_ryd),
        30,
        "admin@kommun.se",
    )
    .await;
    let ok = api(
        &app,
        &token,
        "/api/v1/est/weeks?district=ryd&from=2026-W01&to=2026-W05",
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    // Without a district: only the token's own (Berga's report is left out).
    let all = api(&app, &token, "/api/v1/est/weeks?from=2026-W01&to=2026-W05").await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    let body: serde_json::Value = serde_json::from_str(&all.body).unwrap();
    let districts: Vec<&str> = (body["items"].as_array().unwrap().iter())
        .map(|i| i["district"].as_str().unwrap())
        .collect();
    assert_eq!(districts, ["ryd"]);
    let r = api(
        &app,
        &token,
        "/api/v1/est/weeks?district=berga&from=2026-W01&to=2026-W05",
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.headers[header::CONTENT_TYPE], "application/problem+json");
    let reader = api_key(&db.store, Role::Reader, None, 30, "admin@kommun.se").await;
    let r = api(
        &app,
        &reader,
        "/api/v1/est/weeks?district=ryd&from=2026-W01&to=2026-W05",
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn hostile_weeks_ranges_and_districts_are_refused_with_why() {
    let db = TestDb::new().await;
    let app = db.app();
    let (cookie, _, _) = session(&db, "admin@kommun.se", Role::Admin).await;
    let token = api_key(&db.store, Role::Admin, None, 30, "admin@kommun.se").await;
    for bad in [
        "2026-W54",
        "2026-W00",
        "abcd",
        "2026-W5",
        "2025-W53",
        "%2B202-W05",
    ] {
        let r = page(&app, &cookie, &format!("/personal/est/ryd/{bad}")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{bad}");
        assert!(r.body.contains("Veckan finns inte"), "{bad}");
        let r = api(
            &app,
            &token,
            &format!("/api/v1/est/weeks?district=ryd&from={bad}&to=2026-W10"),
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(r.headers[header::CONTENT_TYPE], "application/problem+json");
        assert!(r.body.contains("YYYY-Www"), "{bad}: {}", r.body);
        let r = page(
            &app,
            &cookie,
            &format!("/personal/est/export.csv?district=ryd&from=2026-W01&to={bad}"),
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
    }
    for (query, why) in [
        ("district=ryd&from=2026-W10&to=2026-W09", "is after"),
        ("district=ryd&from=2021-W01&to=2026-W01", "at most 157"),
        (
            "district=mars&from=2026-W01&to=2026-W02",
            "no district \\\"mars\\\"",
        ),
        ("district=ryd&from=2026-W01", "to"),
        ("district=ryd&from=2026-W01&to=2026-W02&year=2026", "year"),
    ] {
        let r = api(&app, &token, &format!("/api/v1/est/weeks?{query}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(r.body.contains(why), "{query}: {}", r.body);
    }
    assert_eq!(
        page(&app, &cookie, "/personal/est/mars/2026-W05")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_api_gives_the_csv_rows_in_its_envelope_as_its_document_says() {
    let db = TestDb::new().await;
    let reports = sample();
    db.store
        .insert_est_reports(&reports, "test", "est test", "sample")
        .await
        .unwrap();
    let app = db.app();
    let (cookie, _, _) = session(&db, "admin@kommun.se", Role::Admin).await;
    let token = api_key(&db.store, Role::Analyst, None, 30, "admin@kommun.se").await;
    let doc: serde_json::Value =
        serde_json::from_str(&get(&app, "/api/v1/openapi.json").await.body).unwrap();
    for district in ["ryd", "alla"] {
        let query = "from=2026-W40&to=2027-W05";
        let csv = page(
            &app,
            &cookie,
            &format!("/personal/est/export.csv?district={district}&{query}"),
        )
        .await;
        assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
        assert!(
            csv.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        let mut lines = csv.body.lines();
        assert_eq!(lines.next(), Some("week,district,category,count"));
        let csv_rows: Vec<String> = lines.map(str::to_string).collect();
        assert!(!csv_rows.is_empty());
        let filter = if district == "alla" {
            String::new()
        } else {
            format!("district={district}&")
        };
        let r = api(
            &app,
            &token,
            &format!("/api/v1/est/weeks?{filter}{query}&per_page=1000"),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let body: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        conforms(
            &doc,
            response_schema(&doc, "/api/v1/est/weeks", StatusCode::OK),
            &body,
            "est/weeks",
        )
        .unwrap();
        let items = body["items"].as_array().unwrap();
        assert_eq!(body["total"].as_u64().unwrap() as usize, items.len());
        let api_rows: Vec<String> = items
            .iter()
            .map(|i| {
                format!(
                    "{},{},{},{}",
                    i["week"].as_str().unwrap(),
                    i["district"].as_str().unwrap(),
                    i["category"].as_str().unwrap(),
                    i["count"]
                )
            })
            .collect();
        assert_eq!(api_rows, csv_rows, "{district}");
        // And both agree with an independent count.
        let mut expect: BTreeMap<String, i64> = BTreeMap::new();
        for r in reports.iter().filter(|r| {
            r.status == ReportStatus::Accepted && (district == "alla" || r.district == district)
        }) {
            let w = Week::of(r.day);
            if w >= Week::new(2026, 40).unwrap() && w <= Week::new(2027, 5).unwrap() {
                *expect
                    .entry(format!("{w},{},{}", r.district, r.category.code()))
                    .or_default() += 1;
            }
        }
        let mut got: BTreeMap<String, i64> = BTreeMap::new();
        for row in &csv_rows {
            let (k, n) = row.rsplit_once(',').unwrap();
            got.insert(k.to_string(), n.parse().unwrap());
        }
        assert_eq!(got, expect, "{district}");
    }
    let r = api(
        &app,
        &token,
        "/api/v1/est/weeks?district=ryd&from=2026-W54&to=2027-W01",
    )
    .await;
    conforms(
        &doc,
        response_schema(&doc, "/api/v1/est/weeks", StatusCode::BAD_REQUEST),
        &serde_json::from_str(&r.body).unwrap(),
        "400",
    )
    .unwrap();
}

#[tokio::test]
async fn the_districts_latest_closed_survey_year_stands_beside_the_week() {
    let db = TestDb::new().await;
    let q = bundled();
    fill_districts(&db.store, &q, &[2025], 13, |_, _| 150).await;
    let app = db.app();
    let (cookie, _, _) = session(&db, "admin@kommun.se", Role::Admin).await;
    let r = page(&app, &cookie, "/personal/est/ryd/2026-W05").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("<h2>Trygghetsundersökningen 2025</h2>"),
        "{}",
        r.body
    );
    let table = r
        .body
        .split("<table class=\"survey-indicators\">")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    assert!(table.contains("Index totalt"), "{table}");
    assert!(table.contains(" %</td>"), "{table}");
    // Without a closed year (none here), the page has no survey section.
    let empty = TestDb::new().await;
    let (cookie, _, _) = session(&empty, "admin@kommun.se", Role::Admin).await;
    let r = page(&empty.app(), &cookie, "/personal/est/ryd/2026-W05").await;
    assert!(!r.body.contains("Trygghetsundersökningen"));
}
