//! The residents' results pages (`/resultat`, `/resultat/<district>`, issue 23.6): in every
//! language, the latest closed year only, figures equal to the analysis' result rows,
//! suppressed cells shown as their reason and never as a number, and nothing of a wave
//! still in the field.

use chrono::{Datelike, Duration, NaiveDate};
use trygg::analysis::{Analysis, Domain, Inputs, Kind, Options};
use trygg::i18n::Lang;
use trygg::report::district::key_indicators;
use trygg::store::NewWave;

use crate::helpers::*;

const LANGS: [&str; 7] = ["sv", "en", "ar", "fa", "prs", "so", "ti"];

/// The last year whose waves (1 September – 31 October) have surely closed.
fn last_closed() -> i32 {
    today().year() - 1
}

/// Three closed years in every district, each a random sample; `n` answers per wave.
async fn closed_years(n: impl Fn(&str, i32) -> usize) -> TestDb {
    let db = TestDb::new().await;
    let last = last_closed();
    let years = [last - 2, last - 1, last];
    fill_districts(&db.store, &bundled(), &years, 23, &n).await;
    for year in years {
        for d in ["skaggetorp", "ryd", "berga", "city"] {
            let answered = n(d, year);
            record_sample(&db.store, d, year, answered, answered * 2 + 40).await;
        }
    }
    db
}

/// The analysis of the closed years, run here on its own (not the page's cached one).
async fn analysis(db: &TestDb) -> Analysis {
    let inputs = Inputs {
        districts: districts(),
        surveys: surveys_dir(),
    };
    let last = last_closed();
    trygg::analysis::analyze(&db.store, &inputs, &Options::new(last - 2..=last))
        .await
        .unwrap()
}

/// The page without its drawings: what is said in words.
fn words(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some(i) = rest.find("<svg") {
        out.push_str(&rest[..i]);
        rest = rest[i..].split_once("</svg>").map_or("", |(_, r)| r);
    }
    out.push_str(rest);
    out
}

#[tokio::test]
async fn the_pages_speak_every_language_and_show_the_latest_closed_year() {
    let db = closed_years(|_, _| 120).await;
    let app = db.app();
    let q = bundled();
    let year = last_closed().to_string();
    for l in LANGS {
        let lang = Lang::from_query(Some(l));
        let index = get(&app, &format!("/resultat?lang={l}")).await;
        assert_eq!(index.status, 200, "{l}");
        assert!(
            index
                .body
                .contains(&format!(r#"lang="{l}" dir="{}""#, lang.dir()))
        );
        assert!(
            index.body.contains(&format!("/resultat/ryd?lang={l}")),
            "{l}"
        );
        assert!(index.body.contains(&year), "{l}");

        let page = get(&app, &format!("/resultat/ryd?lang={l}")).await;
        assert_eq!(page.status, 200, "{l}");
        let dir = if ["ar", "fa", "prs"].contains(&l) {
            "rtl"
        } else {
            "ltr"
        };
        assert!(
            page.body
                .contains(&format!(r#"<html lang="{l}" dir="{dir}">"#)),
            "{l}"
        );
        assert!(page.body.contains(&year), "{l}");
        // Labels in the page's language, from the questionnaire: an index block and a
        // target indicator of Ryd's measure.
        let problem = q.indices.iter().find(|i| i.code == "problem").unwrap();
        assert!(page.body.contains(problem.name.get(l)), "{l}");
        let brak = q.question("P_BRAK").unwrap().indicator.as_ref().unwrap();
        assert!(
            page.body.contains(brak.label.get(l)),
            "{l}: {}",
            brak.label.get(l)
        );
        assert!(
            page.body.contains(lang.t("results_measures_heading")),
            "{l}"
        );
        // The chart's text alternative is in the page's language too.
        assert!(
            page.body.contains(lang.t("results_chart_numbers_summary")),
            "{l}"
        );
        assert!(
            page.body.contains(&format!(
                "<th scope=\"col\">{}</th>",
                lang.t("results_alt_year")
            )),
            "{l}"
        );
        // The inline charts fit their canvas in every language, and say their axis in it.
        let svgs: Vec<&str> = page.body.split("<svg").skip(1).collect();
        assert!(svgs.len() >= 6, "{l}: a chart per key indicator");
        for svg in &svgs {
            let svg = svg.split("</svg>").next().unwrap();
            let cut = crate::report::texts_outside_the_canvas(svg);
            assert!(cut.is_empty(), "{l}: {cut:?}");
            assert!(svg.contains(lang.t("results_alt_year")), "{l}");
        }
        // Every catalogue text was found: a missing one shows as "?".
        assert!(
            !page.body.contains(">?<") && !page.body.contains("{year}"),
            "{l}"
        );
    }
    let sv = get(&app, "/resultat/ryd?lang=sv").await.body;
    assert!(sv.contains("Ni sa – vi gjorde"));
    let en = get(&app, "/resultat/ryd?lang=en").await.body;
    assert!(en.contains("You said – we did"));
}

#[tokio::test]
async fn the_figures_are_the_analysis_rows_of_the_year() {
    let db = closed_years(|_, _| 150).await;
    let a = analysis(&db).await;
    let app = db.app();
    let year = last_closed();
    let sv = words(&get(&app, "/resultat/ryd?lang=sv").await.body);
    let en = words(&get(&app, "/resultat/ryd?lang=en").await.body);
    let ryd = Domain::District("ryd".into());
    let keys = key_indicators(&a, "ryd");
    assert!((6..=8).contains(&keys.len()), "{keys:?}");
    let mut checked = 0;
    for key in &keys {
        let kind = if key.question().is_some() {
            Kind::Share
        } else {
            Kind::Index
        };
        let row = |y: i32| {
            a.results
                .iter()
                .find(|r| {
                    r.year == y
                        && r.district == ryd
                        && r.indicator == *key
                        && r.kind == kind
                        && r.group == trygg::analysis::Group::All
                })
                .unwrap()
        };
        let now = row(year);
        if now.suppressed {
            assert!(
                sv.contains(&format!("{year}: för få svar för att visa."))
                    || sv.contains(&format!("{year}: visas inte")),
                "{key}"
            );
            continue;
        }
        checked += 1;
        let v = now.estimate.expect("published");
        let (Some(prev), Some(first)) = (row(year - 1).estimate, row(year - 2).estimate) else {
            continue;
        };
        match kind {
            Kind::Share => {
                let pct = |x: f64| format!("{:.0}", x * 100.0);
                assert!(
                    sv.contains(&format!("{year} svarade {} %", pct(v))),
                    "{key}"
                );
                assert!(
                    en.contains(&format!("In {year}, {}% answered", pct(v))),
                    "{key}"
                );
                assert!(
                    sv.contains(&format!(
                        "Vid förra undersökningen, {}, var det {} %.",
                        year - 1,
                        pct(prev)
                    )),
                    "{key}"
                );
                assert!(
                    sv.contains(&format!(
                        "Vid den första undersökningen, {}, var det {} %.",
                        year - 2,
                        pct(first)
                    )),
                    "{key}"
                );
            }
            _ => {
                let idx = |x: f64| format!("{x:.1}");
                assert!(
                    sv.contains(&format!(
                        "{year} var det index {}",
                        idx(v).replace('.', ",")
                    )),
                    "{key}"
                );
                assert!(
                    en.contains(&format!("In {year} it was index {}", idx(v))),
                    "{key}"
                );
            }
        }
        if kind == Kind::Index {
            assert!(sv.contains("Ett index har inget mått på osäkerhet"));
            continue;
        }
        // The verdict is the analysis': lower or higher only when significant.
        let verdict = match (now.prev.significant, now.prev.diff) {
            (Some(true), Some(d)) if d < 0.0 => format!("Det är lägre nu än {}", year - 1),
            (Some(true), Some(_)) => format!("Det är högre nu än {}", year - 1),
            (Some(false), Some(_)) => {
                format!("Skillnaden mot {} är inte en säker förändring", year - 1)
            }
            _ => format!("Om skillnaden mot {} är en säker förändring", year - 1),
        };
        assert!(sv.contains(&verdict), "{key}: {verdict}");
    }
    assert!(checked >= 6, "most key indicators are published: {checked}");
    // Ryd's measure, with the analysis' verdict on each target.
    assert!(sv.contains("Ordningsvakter vid Ryds centrum"));
    assert!(sv.contains("Startade 2024-01-15."));
}

#[tokio::test]
async fn a_suppressed_cell_shows_its_reason_and_nothing_it_could_be_worked_out_from() {
    // Skäggetorp's last year has 20 answers: every one of its cells is hidden (n < 30), and
    // secondary suppression hides more so the municipality's total cannot give it back.
    let last = last_closed();
    let db = closed_years(|d, y| {
        if d == "skaggetorp" && y == last {
            20
        } else {
            150
        }
    })
    .await;
    let a = analysis(&db).await;
    let app = db.app();
    let page = get(&app, "/resultat/skaggetorp?lang=sv").await;
    assert_eq!(page.status, 200);
    let said = words(&page.body);
    let sk = Domain::District("skaggetorp".into());
    for key in key_indicators(&a, "skaggetorp") {
        let row = a
            .results
            .iter()
            .find(|r| {
                r.year == last
                    && r.district == sk
                    && r.indicator == key
                    && r.group == trygg::analysis::Group::All
            })
            .unwrap();
        assert!(row.suppressed && row.estimate.is_none(), "{key}");
    }
    assert!(said.contains(&format!("{last}: för få svar för att visa.")));
    assert!(
        !said.contains(&format!("{last} svarade")),
        "no share of the hidden year"
    );
    assert!(
        !said.contains(&format!("{last} var det index")),
        "no index of the hidden year"
    );
    for verdict in [
        "Det är lägre nu",
        "Det är högre nu",
        "Skillnaden mot",
        "Om skillnaden mot",
    ] {
        assert!(
            !said.contains(verdict),
            "no change from a hidden cell: {verdict}"
        );
    }
    // Every percentage the page states is a published value of an earlier year of this
    // district (estimate or interval bound): none is the hidden one, and no difference or
    // municipality figure is there to subtract from.
    let mut allowed = std::collections::BTreeSet::new();
    for r in a
        .results
        .iter()
        .filter(|r| r.district == sk && r.year < last && !r.suppressed)
    {
        for x in [r.estimate, r.ci_low, r.ci_high].into_iter().flatten() {
            allowed.insert(format!("{:.0} %", x * 100.0));
            allowed.insert(format!("{:.1} %", x * 100.0).replace('.', ","));
            allowed.insert(format!("{x:.1}").replace('.', ","));
        }
    }
    let text: String = said.replace("<", " <").replace(">", "> ");
    let tokens: Vec<&str> = text.split_whitespace().collect();
    for (i, t) in tokens.iter().enumerate() {
        let t = t.trim_matches(|c: char| !c.is_ascii_digit() && c != ',');
        if tokens.get(i + 1).is_some_and(|n| n.starts_with('%')) && !t.is_empty() {
            assert!(
                allowed.contains(&format!("{t} %")),
                "{t} % is not a published figure"
            );
        }
    }
    // The chart's table says "för få svar" for the hidden year.
    assert!(said.contains(&format!(
        "<th scope=\"row\">{last}</th><td>för få svar</td>"
    )));
    // The measures in Skäggetorp evaluated in the hidden year say nothing but that.
    for r in a
        .measures
        .iter()
        .filter(|r| r.district == "skaggetorp" && r.after_year == last && r.target)
    {
        assert!(r.suppressed || r.did.is_none(), "{r:?}");
    }
}

#[tokio::test]
async fn nothing_of_an_open_wave_is_shown() {
    let db = TestDb::new().await;
    let q = bundled();
    let open_year = today().year();
    // Only an open wave, with answers: no results yet.
    let src = bundled_source();
    let wave = NewWave {
        district: "ryd",
        year: open_year,
        questionnaire_code: "trygghet-2026",
        source: &src,
        opens_on: today() - Duration::days(10),
        closes_on: today() + Duration::days(20),
    };
    let answers: Vec<_> = trygg::demo::responses(&q, "ryd", open_year, 5, 200).collect();
    trygg::demo::publish_with_answers(&db.store, &wave, answers, |_| {})
        .await
        .unwrap();
    let app = db.app();
    for path in ["/resultat?lang=en", "/resultat/ryd?lang=en"] {
        let page = get(&app, path).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("There are no results yet"), "{path}");
        assert!(!page.body.contains(&open_year.to_string()), "{path}");
    }
    // Two closed years before it: the latest closed one is shown, never the open one.
    for year in [open_year - 2, open_year - 1] {
        for d in ["skaggetorp", "ryd", "berga", "city"] {
            let answers = trygg::demo::responses(&q, d, year, 5, 120).collect();
            fill_wave(&db.store, d, year, answers).await;
        }
    }
    for path in ["/resultat", "/resultat/ryd", "/resultat/skaggetorp?lang=ar"] {
        let page = get(&app, path).await;
        assert_eq!(page.status, 200);
        if path == "/resultat/ryd" {
            // Open links: a caveat, and no verdict on any change.
            assert!(
                page.body
                    .contains("kunde vem som helst svara via en öppen länk")
            );
            assert!(page.body.contains("så ingen förändring sedan"));
            assert!(
                !page.body.contains("statistiskt säker"),
                "no verdict on open links"
            );
        }
        assert!(page.body.contains(&(open_year - 1).to_string()), "{path}");
        if let Some(i) = page.body.find(&open_year.to_string()) {
            panic!(
                "{path}: the open year: {}",
                &page.body[i.saturating_sub(300)..i + 100]
            );
        }
    }
}

#[tokio::test]
async fn an_unknown_district_is_404_in_the_residents_language() {
    let db = closed_years(|_, _| 60).await;
    let app = db.app();
    for l in LANGS {
        let lang = Lang::from_query(Some(l));
        let page = get(&app, &format!("/resultat/nowhere?lang={l}")).await;
        assert_eq!(page.status, 404, "{l}");
        assert!(page.body.contains(&format!(r#"lang="{l}""#)), "{l}");
        assert!(
            page.body.contains(lang.t("results_unknown_district")),
            "{l}"
        );
    }
}

#[tokio::test]
async fn the_start_page_and_the_receipt_link_to_the_results() {
    let db = TestDb::new().await;
    let app = db.app();
    for l in ["sv", "en", "ar"] {
        let home = get(&app, &format!("/?lang={l}")).await;
        assert!(
            home.body.contains(&format!(r#"href="/resultat?lang={l}""#)),
            "{l}"
        );
    }
    let d = districts().get("ryd").unwrap().clone();
    let wave = trygg::store::Wave {
        id: 1,
        district: "ryd".into(),
        year: 2026,
        questionnaire_id: 1,
        opens_on: NaiveDate::from_ymd_opt(2026, 9, 1).unwrap(),
        closes_on: NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(),
        sampled: false,
    };
    let lang = Lang::from_query(Some("so"));
    let receipt = trygg::views::receipt_page(&lang, &d, &wave, wave.opens_on, false).into_string();
    assert!(receipt.contains(r#"href="/resultat?lang=so""#));
    assert!(receipt.contains(lang.t("results_link")));
}

#[tokio::test]
async fn a_page_view_reuses_the_cached_analysis_and_answers_to_an_open_wave_keep_it() {
    let db = TestDb::new().await;
    let q = bundled();
    let open_year = today().year();
    let closed = open_year - 1;
    fill_districts(&db.store, &q, &[closed], 3, |_, _| 40).await;
    let src = bundled_source();
    let wave = NewWave {
        district: "ryd",
        year: open_year,
        questionnaire_code: "trygghet-2026",
        source: &src,
        opens_on: today() - Duration::days(10),
        closes_on: today() + Duration::days(20),
    };
    let answers: Vec<_> = trygg::demo::responses(&q, "ryd", open_year, 5, 10).collect();
    trygg::demo::publish_with_answers(&db.store, &wave, answers, |_| {})
        .await
        .unwrap();
    let state =
        trygg::http::AppState::new(db.store.clone(), districts()).with_surveys(surveys_dir());
    let first = state.analysis_until(closed).await.unwrap().unwrap();
    let again = state.analysis_until(closed).await.unwrap().unwrap();
    assert!(
        std::sync::Arc::ptr_eq(&first, &again),
        "the second view reuses it"
    );
    assert!(first.results.iter().all(|r| r.year <= closed));
    // An answer to the open wave changes nothing the residents' analysis reads.
    let open = db.store.wave("ryd", open_year).await.unwrap().unwrap();
    db.store
        .insert_response(&web_answer(open.id))
        .await
        .unwrap();
    let after = state.analysis_until(closed).await.unwrap().unwrap();
    assert!(
        std::sync::Arc::ptr_eq(&first, &after),
        "an open wave's answer keeps it"
    );
}

#[tokio::test]
async fn without_a_choice_the_browsers_language_is_used_and_no_year_means_no_results_yet() {
    let db = TestDb::new().await;
    let app = db.app();
    let req = axum::http::Request::get("/resultat")
        .header(axum::http::header::ACCEPT_LANGUAGE, "fa-IR,fa;q=0.9")
        .body(axum::body::Body::empty())
        .unwrap();
    let page = send(&app, req).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(r#"<html lang="fa" dir="rtl">"#));
    let fa = Lang::from_query(Some("fa"));
    assert!(page.body.contains(fa.t("results_none")));
    // The language switch links back to the results, in each language.
    assert!(page.body.contains(r#"href="/resultat?lang=so""#));
}
