//! Answers through an open link are whoever chose to answer. trygg promises that their
//! results are labelled self-selected everywhere they are shown, and that no change to or
//! from them is called significant: not in the analysis, the API, the explorer, the
//! report or a chart's text alternative.

use trygg::analysis::{Domain, Inputs, Options};
use trygg::auth::Role;

use crate::helpers::*;
use crate::staff::{session, staff_get};

/// 2025 and 2026 in every district; Ryd drawn as a random sample both years, the others
/// open links.
async fn mixed_design() -> TestDb {
    let db = TestDb::new().await;
    fill_districts(&db.store, &bundled(), &[2025, 2026], 5, |_, _| 400).await;
    for year in [2025, 2026] {
        record_sample(&db.store, "ryd", year, 400, 800).await;
    }
    db
}

fn inputs() -> Inputs {
    Inputs {
        districts: districts(),
        surveys: surveys_dir(),
    }
}

#[tokio::test]
async fn open_link_results_are_labelled_self_selected_and_never_tested() {
    let db = mixed_design().await;
    let a = trygg::analysis::analyze(&db.store, &inputs(), &Options::new(2025..=2026))
        .await
        .unwrap();

    // The engine: a row is self-selected exactly when its answers came through an open link
    // (the municipality pools open links, so it is too), and such a row's changes carry a
    // difference but no test, q-value or significance.
    let mut tested = 0;
    for r in &a.results {
        let open = r.district != Domain::District("ryd".into());
        assert_eq!(
            r.self_selected, open,
            "{} {} {}",
            r.year, r.district, r.indicator
        );
        if r.year == 2026 && open {
            assert!(r.prev.self_selected);
            assert!(r.prev.change.is_none(), "{} {}", r.district, r.indicator);
            assert_eq!((r.prev.q, r.prev.significant), (None, None));
        }
        if r.year == 2026 && !open && r.prev.q.is_some() {
            tested += 1;
            assert!(r.prev.significant.is_some());
        }
    }
    assert!(
        tested > 20,
        "Ryd's sampled years are still tested: {tested}"
    );
    assert!(
        a.results
            .iter()
            .any(|r| r.year == 2026 && r.self_selected && r.prev.diff.is_some()),
        "the difference itself is shown"
    );

    // The API: each row says so, and carries no q or significance.
    let key = api_key(&db.store, Role::Analyst, None, 30, "admin@kommun.se").await;
    let app = db.app();
    let req = axum::http::Request::get("/api/v1/results?year=2026&per_page=1000")
        .header("authorization", format!("Bearer {key}"))
        .body(axum::body::Body::empty())
        .unwrap();
    let reply = send(&app, req).await;
    let page: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    let items = page["items"].as_array().unwrap();
    assert!(!items.is_empty());
    for item in items {
        let open = item["district"] != "ryd";
        assert_eq!(item["self_selected"], open, "{item}");
        if open {
            assert!(item["q_previous"].is_null() && item["significant_previous"].is_null());
        }
    }

    // The explorer: City's 2026 row is marked, and its change is "not tested"; Ryd's says
    // whether its change is significant.
    let (cookie, _, _) = session(&db, "analytiker@kommun.se", Role::Analyst).await;
    let page = staff_get(
        &app,
        &cookie,
        "/personal/resultat?district=ryd&district=city&indicator=P_BELYSNING&year=2026",
    )
    .await;
    // The results table is the page's last; the charts' number tables come before it.
    let table = page.body.rsplit("<tbody>").next().unwrap();
    let row = |district: &str| {
        table
            .split("<tr>")
            .find(|tr| tr.contains(&format!(">{district}</th>")) && tr.contains("<td>2026"))
            .unwrap_or_else(|| panic!("{district} 2026 in {table}"))
    };
    assert!(row("City").contains("öppen länk, självselekterat"));
    assert!(row("City").contains("ej prövad (öppen länk)"));
    assert!(!row("Ryd").contains("öppen länk"));
    assert!(row("Ryd").contains("<td>ja</td>") || row("Ryd").contains("<td>nej</td>"));
}

#[tokio::test]
async fn the_report_names_its_self_selected_waves_and_claims_nothing_of_their_changes() {
    let db = mixed_design().await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("2026");
    let options = trygg::report::ReportOptions {
        year: 2026,
        compare: None,
        out: out.clone(),
    };
    trygg::report::generate(&db.store, &inputs(), &options)
        .await
        .unwrap();
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    let note = html
        .split(r#"<p class="self-selected" role="note">"#)
        .nth(1)
        .unwrap();
    let note = note.split("</p>").next().unwrap();
    assert!(note.contains("2025: Skäggetorp, Berga, City"), "{note}");
    assert!(note.contains("2026: Skäggetorp, Berga, City"), "{note}");
    assert!(!note.contains("Ryd"));
    assert!(html.contains("ej prövad"));
    // Every chart's text alternative about City (an open link both years) says the change
    // is not tested, and none calls it significant or not.
    let mut city_charts = 0;
    for caption in html.split("<figcaption>").skip(1) {
        let caption = caption.split("</figcaption>").next().unwrap();
        // A series over the years (a one-year comparison states no change).
        let over_years =
            |s: &&str| s.starts_with("City") && (s.contains(" till ") || s.contains("låg kvar"));
        if let Some(city) = caption.split(". ").find(over_years) {
            city_charts += 1;
            assert!(city.contains("prövas inte"), "{city}");
            assert!(!city.contains("säkerställd"), "{city}");
        }
    }
    assert!(city_charts > 0);
    let csv = std::fs::read_to_string(out.join("tables/results.csv")).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    for line in csv.lines().skip(1).filter(|l| l.starts_with("2026,city,")) {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells[col("self_selected")], "true");
        assert_eq!(cells[col("significant_prev")], "", "{line}");
    }
}
