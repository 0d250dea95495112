//! Every resident's language: languages as data, right-to-left, the browser's preferred
//! language, answers that are the same whatever the language, translation faults per
//! language, and the translation files' round trip.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use trygg::questionnaire::translations;

use crate::helpers::*;

#[tokio::test]
async fn every_language_has_its_pages_with_lang_and_direction() {
    let db = TestDb::new().await;
    let year = db.publish_open("ryd").await;
    let app = db.app();
    let q = bundled();
    for (lang, dir) in LANGUAGES {
        let page = get(&app, &format!("/s/ryd/{year}?lang={lang}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body
                .contains(&format!(r#"<html lang="{lang}" dir="{dir}">"#)),
            "{lang}"
        );
        assert!(
            page.body.contains(q.title.get(lang)),
            "{lang}: the questionnaire's own title"
        );
        // Every language is offered by its own name.
        for name in [
            "Svenska",
            "English",
            "العربية",
            "فارسی",
            "دری",
            "Soomaali",
            "ትግርኛ",
        ] {
            assert!(page.body.contains(name), "{lang}: {name}");
        }
        // Staff see draft status; residents never do.
        assert!(!page.body.to_lowercase().contains("draft"));
        let home = get(&app, &format!("/?lang={lang}")).await;
        assert!(home.body.contains(&format!(r#"lang="{lang}" dir="{dir}""#)));
    }
}

#[tokio::test]
async fn the_browser_language_is_the_default_and_an_explicit_choice_wins() {
    let db = TestDb::new().await;
    let year = db.publish_open("ryd").await;
    let app = db.app();
    let ask = |accept: &'static str, uri: String| {
        Request::get(uri)
            .header(header::ACCEPT_LANGUAGE, accept)
            .body(Body::empty())
            .unwrap()
    };
    let r = send(
        &app,
        ask("ar-SE,ar;q=0.9,sv;q=0.5", format!("/s/ryd/{year}")),
    )
    .await;
    assert!(r.body.contains(r#"<html lang="ar" dir="rtl">"#));
    let r = send(&app, ask("fa-AF", "/".into())).await;
    assert!(
        r.body.contains(r#"<html lang="prs" dir="rtl">"#),
        "Afghan Persian is Dari"
    );
    let r = send(&app, ask("ti-ER, en;q=0.3", "/".into())).await;
    assert!(r.body.contains(r#"<html lang="ti" dir="ltr">"#));
    let r = send(&app, ask("de-DE", "/".into())).await;
    assert!(
        r.body.contains(r#"<html lang="sv""#),
        "Swedish when nothing matches"
    );
    let r = send(&app, ask("ar", format!("/s/ryd/{year}?lang=en"))).await;
    assert!(
        r.body.contains(r#"<html lang="en""#),
        "?lang= wins over the browser"
    );
    assert!(
        r.headers.get(header::SET_COOKIE).is_none(),
        "never a cookie"
    );
}

#[tokio::test]
async fn the_same_answers_in_every_language_are_stored_alike() {
    let db = TestDb::new().await;
    let year = db.publish_open("berga").await;
    let app = db.app();
    let q = bundled();
    for (lang, _) in LANGUAGES {
        let mut fields = full_answers(&q);
        fields[0].1 = lang.into();
        let r = post_form(&app, &format!("/s/berga/{year}"), encode_owned(&fields)).await;
        assert_eq!(r.status, StatusCode::OK, "{lang}: {}", r.body);
        assert!(
            r.body.contains(&format!(r#"<html lang="{lang}""#)),
            "receipt in {lang}"
        );
    }
    let store = db.reopen().await;
    let wave = store.wave("berga", year).await.unwrap().unwrap();
    let stored = store.responses(wave.id).await.unwrap();
    assert_eq!(stored.len(), LANGUAGES.len());
    assert!(
        stored.windows(2).all(|w| w[0].answers == w[1].answers),
        "stable option codes"
    );
}

#[tokio::test]
async fn right_to_left_pages_isolate_dates_and_numbers() {
    let db = TestDb::new().await;
    let year = db.publish_open("ryd").await;
    let r = post_form(
        &db.app(),
        &format!("/s/ryd/{year}?lang=ar"),
        "lang=ar&T_OMRADET=ganska_trygg",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    // FSI … PDI around the date: it reads left to right inside the Arabic sentence.
    assert!(
        r.body.contains(&format!("\u{2068}{}\u{2069}", today())),
        "{}",
        r.body
    );
    let sv = post_form(
        &db.app(),
        &format!("/s/ryd/{year}"),
        "lang=sv&T_OMRADET=ganska_trygg",
    )
    .await;
    assert!(
        sv.body.contains(&format!("Mottaget: {}", today())),
        "no isolates in Swedish"
    );
}

#[test]
fn translation_faults_are_reported_per_language_with_file_and_line() {
    let src = bundled_source();
    let line_of = |needle: &str| src[..src.find(needle).unwrap()].matches('\n').count() + 1;
    for (lang, _) in LANGUAGES.iter().skip(1) {
        // A missing translation of the lighting question.
        let start = src.find("code = \"P_BELYSNING\"").unwrap();
        let text_at = start + src[start..].find("\ntext = ").unwrap() + 1;
        let line_end = text_at + src[text_at..].find('\n').unwrap();
        let line = src[text_at..line_end].to_string();
        let key = format!(", {lang} = \"");
        let from = line.find(&key).unwrap();
        let to = from + key.len() + line[from + key.len()..].find('"').unwrap() + 1;
        let without = format!("{}{}", &line[..from], &line[to..]);
        let broken = src.replacen(&line, &without, 1);
        let faults = trygg::questionnaire::parse("q.toml", &broken).unwrap_err();
        let expected = format!(
            "q.toml:{}: question P_BELYSNING: missing translation for \"{lang}\"",
            line_of("code = \"P_BELYSNING\"") + 4
        );
        assert!(
            faults.iter().any(|f| f.to_string() == expected),
            "{lang}: {faults:?}"
        );

        // A language the file does not list.
        let listed = src.replacen(&format!(", \"{lang}\"]"), "]", 1).replacen(
            &format!("\"{lang}\", "),
            "",
            1,
        );
        let faults = trygg::questionnaire::parse("q.toml", &listed).unwrap_err();
        assert!(
            faults.iter().any(|f| f.message.contains(&format!(
                "language \"{lang}\" is not in the file's languages"
            ))),
            "{lang}: {faults:?}"
        );
    }
    // draft_languages must name listed languages other than the source.
    for (bad, message) in [
        ("[\"sv\"]", "\"sv\" is the source language"),
        ("[\"de\"]", "\"de\" is not in the file's languages"),
        ("[\"ar\", \"ar\"]", "\"ar\" is listed twice"),
    ] {
        let edited = src.replacen(
            "draft_languages = [\"ar\", \"fa\", \"prs\", \"so\", \"ti\"]",
            &format!("draft_languages = {bad}"),
            1,
        );
        let faults = trygg::questionnaire::parse("q.toml", &edited).unwrap_err();
        let expected = format!(
            "q.toml:{}: draft_languages: {message}",
            line_of("draft_languages = ")
        );
        assert!(
            faults.iter().any(|f| f.to_string().starts_with(&expected)),
            "{bad}: {faults:?}"
        );
    }
}

#[test]
fn translation_files_round_trip_and_bad_ones_change_nothing() {
    let src = bundled_source();
    let q = bundled();
    let csv = translations::export(&src, "ti", &q.draft_languages).unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows[0], "key,context,version,sv,en,ti,status");
    assert_eq!(rows.len() - 1, translations::entries(&src).unwrap().len());
    assert!(
        rows.iter()
            .any(|r| r.starts_with("questions.P_BELYSNING.text,question,"))
    );
    assert!(rows.iter().skip(1).all(|r| r.ends_with(",draft")));

    // Importing what was exported changes nothing.
    let same = translations::import(&src, &csv).unwrap();
    assert_eq!(same.source, src);
    assert!(same.draft);

    // A reviewed, edited translation goes in, and the language is no longer a draft.
    // (the indicator label's row: "Poor lighting" in Tigrinya)
    let edited = csv
        .replacen(",ድኹም መብራህቲ,draft", ",ድኹም መብራህቲ (ተመርሚሩ),draft", 1)
        .replace(",draft", ",reviewed");
    let done = translations::import(&src, &edited).unwrap();
    assert!(!done.draft);
    let new = trygg::questionnaire::parse("q.toml", &done.source).unwrap();
    assert_eq!(new.draft_languages, ["ar", "fa", "prs", "so"]);
    let label = new
        .question("P_BELYSNING")
        .unwrap()
        .indicator
        .as_ref()
        .unwrap()
        .label
        .get("ti")
        .to_string();
    assert_eq!(label, "ድኹም መብራህቲ (ተመርሚሩ)");

    // A file for an older Swedish text, one that drops a key, one with a gap: refused.
    let newer_source = src.replacen("Dålig belysning på gator", "Dålig belysning på gatorna", 1);
    let err = translations::import(&newer_source, &csv).unwrap_err();
    assert!(err[0].contains("export the file again"), "{err:?}");
    let dropped: String = csv
        .lines()
        .filter(|l| !l.starts_with("questions.P_BELYSNING.text,"))
        .map(|l| format!("{l}\n"))
        .collect();
    let err = translations::import(&src, &dropped).unwrap_err();
    assert!(
        err.iter()
            .any(|e| e == "key questions.P_BELYSNING.text is missing from the file"),
        "{err:?}"
    );
    let gap = csv.replacen(",ድኹም መብራህቲ,draft", ",,draft", 1);
    let err = translations::import(&src, &gap).unwrap_err();
    assert!(err.iter().any(|e| e.contains("is untranslated")), "{err:?}");
    let unknown = csv.replace(
        "key,context,version,sv,en,ti,status",
        "key,context,version,sv,en,xx,status",
    );
    assert!(
        translations::import(&src, &unknown).unwrap_err()[0].contains("\"xx\" is not a language")
    );
}

#[test]
fn the_cli_imports_into_the_file_only_when_it_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("q.toml");
    std::fs::write(&file, bundled_source()).unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_trygg"))
            .args(args)
            .output()
            .unwrap()
    };
    let csv = dir.path().join("so.csv");
    let o = run(&[
        "translations",
        "export",
        "--lang",
        "so",
        "--file",
        file.to_str().unwrap(),
        "--out",
        csv.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&csv).unwrap();
    std::fs::write(&csv, text.replacen(",Iftiin liita,draft", ",,draft", 1)).unwrap();
    let o = run(&[
        "translations",
        "import",
        "--file",
        file.to_str().unwrap(),
        csv.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("nothing was imported") && err.contains("untranslated"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        bundled_source(),
        "the file is unchanged"
    );
    let o = run(&["check", file.to_str().unwrap()]);
    assert!(
        String::from_utf8_lossy(&o.stdout)
            .contains("draft translations, to be reviewed by translators: ar, fa, prs, so, ti")
    );
}
