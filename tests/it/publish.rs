//! Publishing waves: snapshots are immutable, republishing an edited file is refused.

use trygg::error::Error;
use trygg::store::{NewWave, Published};

use crate::helpers::*;

fn d(s: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[tokio::test]
async fn a_wave_keeps_the_questionnaire_it_was_published_with() {
    let db = TestDb::new().await;
    db.publish("ryd", 2026, d("2026-09-01"), d("2026-10-31"))
        .await;
    let wave = db.store.wave("ryd", 2026).await.unwrap().unwrap();
    assert_eq!(
        (wave.opens_on, wave.closes_on),
        (d("2026-09-01"), d("2026-10-31"))
    );
    let snapshot = db.store.snapshot(wave.questionnaire_id).await.unwrap();
    assert_eq!(snapshot, bundled_source());

    // Publishing the same file and dates again changes nothing.
    let src = bundled_source();
    let again = NewWave {
        district: "ryd",
        year: 2026,
        questionnaire_code: "trygghet-2026",
        source: &src,
        opens_on: d("2026-09-01"),
        closes_on: d("2026-10-31"),
    };
    assert_eq!(
        db.store.publish(&again).await.unwrap(),
        Published::Unchanged
    );

    // An edited file for the same wave is refused, and the snapshot is untouched.
    let edited = src.replace("Nedskräpning", "Skräp");
    let err = db
        .store
        .publish(&NewWave {
            source: &edited,
            ..again.clone()
        })
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Conflict(_)));
    assert!(
        err.to_string()
            .contains("ryd 2026 is already published with a different questionnaire"),
        "{err}"
    );
    assert_eq!(
        db.reopen()
            .await
            .snapshot(wave.questionnaire_id)
            .await
            .unwrap(),
        src
    );

    // So are new dates.
    let err = db
        .store
        .publish(&NewWave {
            closes_on: d("2026-11-30"),
            ..again.clone()
        })
        .await
        .unwrap_err();
    assert!(err.to_string().contains("dates cannot be changed"), "{err}");
    assert_eq!(db.store.waves().await.unwrap().len(), 1);

    // The edited file can be published for another year; both snapshots are kept.
    db.store
        .publish(&NewWave {
            year: 2027,
            source: &edited,
            ..again.clone()
        })
        .await
        .unwrap();
    let w27 = db.store.wave("ryd", 2027).await.unwrap().unwrap();
    assert_ne!(w27.questionnaire_id, wave.questionnaire_id);
    assert_eq!(db.store.snapshot(wave.questionnaire_id).await.unwrap(), src);
}

#[tokio::test]
async fn districts_of_one_year_share_one_snapshot() {
    let db = TestDb::new().await;
    for district in ["ryd", "berga"] {
        db.publish(district, 2026, d("2026-09-01"), d("2026-10-31"))
            .await;
    }
    let a = db.store.wave("ryd", 2026).await.unwrap().unwrap();
    let b = db.store.wave("berga", 2026).await.unwrap().unwrap();
    assert_eq!(a.questionnaire_id, b.questionnaire_id);
}
