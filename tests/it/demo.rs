//! The synthetic history: reproducible, labelled, and with the effects it claims.

use trygg::demo::{self, wave_responses};
use trygg::questionnaire::{Answer, Answers};

use crate::helpers::*;

fn share(responses: &[Answers], code: &str, counts: &[&str]) -> f64 {
    let valid: Vec<&str> = responses
        .iter()
        .filter_map(|a| match a.0.get(code) {
            Some(Answer::Choice(c)) if c != "vet_ej" && c != "gar_inte_ut" => Some(c.as_str()),
            _ => None,
        })
        .collect();
    valid.iter().filter(|c| counts.contains(c)).count() as f64 / valid.len() as f64
}

#[test]
fn the_same_seed_gives_the_same_answers_and_another_seed_does_not() {
    let q = bundled();
    let a = wave_responses(&q, "ryd", 2022, 7);
    let b = wave_responses(&q, "ryd", 2022, 7);
    let c = wave_responses(&q, "ryd", 2022, 8);
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert_ne!(a, wave_responses(&q, "berga", 2022, 7));
}

#[test]
fn waves_have_250_to_600_respondents_with_realistic_skews() {
    let q = bundled();
    let mut women = 0;
    let mut oldest = 0;
    let mut total = 0;
    for district in ["skaggetorp", "ryd", "berga", "city"] {
        for year in demo::FIRST_YEAR..=2026 {
            let r = wave_responses(&q, district, year, demo::DEFAULT_SEED);
            assert!(
                (250..=600).contains(&r.len()),
                "{district} {year}: {}",
                r.len()
            );
            for a in &r {
                assert!(
                    matches!(a.0.get("T_OMRADET"), Some(Answer::Choice(_))),
                    "required question answered"
                );
                women += usize::from(a.0.get("B_KON") == Some(&Answer::Choice("kvinna".into())));
                oldest += usize::from(a.0.get("B_ALDER") == Some(&Answer::Choice("65-84".into())));
            }
            total += r.len();
        }
    }
    let (women, oldest) = (women as f64 / total as f64, oldest as f64 / total as f64);
    assert!((0.52..0.60).contains(&women), "women {women}");
    assert!((0.32..0.40).contains(&oldest), "65-84 {oldest}");
}

#[test]
fn poor_lighting_falls_in_skaggetorp_after_the_2021_measure() {
    let q = bundled();
    let seed = demo::DEFAULT_SEED;
    let before = share(
        &wave_responses(&q, "skaggetorp", 2020, seed),
        "P_BELYSNING",
        &["ganska", "mycket"],
    );
    let after = share(
        &wave_responses(&q, "skaggetorp", 2022, seed),
        "P_BELYSNING",
        &["ganska", "mycket"],
    );
    let cmp_before = share(
        &wave_responses(&q, "ryd", 2020, seed),
        "P_BELYSNING",
        &["ganska", "mycket"],
    );
    let cmp_after = share(
        &wave_responses(&q, "ryd", 2022, seed),
        "P_BELYSNING",
        &["ganska", "mycket"],
    );
    assert!(
        after < before - 0.08,
        "Skäggetorp {before:.3} -> {after:.3}"
    );
    assert!(
        (after - before) < (cmp_after - cmp_before) - 0.05,
        "comparison {cmp_before:.3} -> {cmp_after:.3}"
    );
    // And Skäggetorp starts out worse than City.
    let city = share(
        &wave_responses(&q, "city", 2019, seed),
        "P_NARKOTIKAHANDEL",
        &["ganska", "mycket"],
    );
    let skg = share(
        &wave_responses(&q, "skaggetorp", 2019, seed),
        "P_NARKOTIKAHANDEL",
        &["ganska", "mycket"],
    );
    assert!(skg > city, "Skäggetorp {skg:.3} vs City {city:.3}");
}

#[tokio::test]
async fn demo_fills_every_district_and_year_and_validates_against_the_snapshot() {
    let db = TestDb::new().await;
    let summary = demo::fill(&db.store, &districts(), &surveys_dir(), demo::DEFAULT_SEED)
        .await
        .unwrap();
    let this_year = chrono::Datelike::year(&today());
    assert_eq!(
        summary.waves,
        4 * (this_year - demo::FIRST_YEAR + 1) as usize
    );
    assert_eq!(db.count().await as usize, summary.responses);
    assert!(summary.to_string().contains("SYNTHETIC"));
    // Every synthetic response passes the same validation as a resident's answer.
    let q = bundled();
    let wave = db.store.wave("city", 2020).await.unwrap().unwrap();
    for r in db.store.responses(wave.id).await.unwrap().iter().take(50) {
        let json: serde_json::Value = serde_json::from_str(&r.answers).unwrap();
        let mut fields = Vec::new();
        for (k, v) in json.as_object().unwrap() {
            match v {
                serde_json::Value::Array(items) => fields.extend(
                    items
                        .iter()
                        .map(|i| (k.clone(), i.as_str().unwrap().to_string())),
                ),
                serde_json::Value::Number(n) => fields.push((k.clone(), n.to_string())),
                other => fields.push((k.clone(), other.as_str().unwrap().to_string())),
            }
        }
        trygg::questionnaire::validate(&q, &fields).unwrap();
    }
    // The current year's wave is open, so residents can try the survey.
    let open = db.store.wave("city", this_year).await.unwrap().unwrap();
    assert_eq!(open.status(today()), trygg::store::WaveStatus::Open);
}

#[tokio::test]
async fn the_demo_has_sampled_years_with_realistic_response_rates() {
    let db = TestDb::new().await;
    let summary = demo::fill(&db.store, &districts(), &surveys_dir(), demo::DEFAULT_SEED)
        .await
        .unwrap();
    assert_eq!(summary.sampled, 28, "every finished year × four districts");
    let this_year = chrono::Datelike::year(&today());
    for wave in db.store.waves().await.unwrap() {
        let back = this_year - wave.year;
        assert_eq!(wave.sampled, back >= 1, "{} {}", wave.district, wave.year);
        if !wave.sampled {
            continue;
        }
        let rates = db.store.response_rates(wave.id).await.unwrap();
        let total = trygg::store::StratumRate::total(&rates);
        assert_eq!(total.letters, 1400);
        // Every answer of the wave came with a letter.
        let answers = db.store.count_responses(Some(wave.id)).await.unwrap();
        assert_eq!(total.web + total.paper, answers);
        let rate = total.rate().unwrap();
        assert!(
            (0.35..=0.60).contains(&rate),
            "{} {}: {rate}",
            wave.district,
            wave.year
        );
        let young: Vec<f64> = rates
            .iter()
            .filter(|r| r.stratum.ends_with("16-24"))
            .filter_map(|r| r.rate())
            .collect();
        let old: Vec<f64> = rates
            .iter()
            .filter(|r| r.stratum.ends_with("65-84"))
            .filter_map(|r| r.rate())
            .collect();
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        assert!(mean(&young) < mean(&old), "the young answer less");
        assert!(total.paper > 0 && total.undeliverable > 0);
    }
}
