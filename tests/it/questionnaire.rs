//! Questionnaire files: the bundled ones parse, and every fault `check` knows is reported
//! with the right line.

use trygg::questionnaire::{self, QuestionKind, Role, check_path, parse};

use crate::helpers::*;

/// A small questionnaire that passes every check; the cases below break one thing each.
const VALID: &str = r#"code = "test"
languages = ["sv", "en"]
title = { sv = "Test", en = "Test" }

[[option_sets.problem]]
code = "inget"
text = { sv = "Inget", en = "None" }
[[option_sets.problem]]
code = "stort"
text = { sv = "Stort", en = "Big" }
[[option_sets.problem]]
code = "vet_ej"
text = { sv = "Vet ej", en = "Don't know" }
dont_know = true

[[sections]]
code = "s1"
title = { sv = "Del", en = "Part" }

[[indices]]
code = "problem"
name = { sv = "Problemindex", en = "Problem index" }

[[questions]]
code = "P_ETT"
section = "s1"
type = "scale"
option_set = "problem"
text = { sv = "Fråga", en = "Question" }
indicator = { counts = ["stort"], norm = 0.2, index = "problem", label = { sv = "Ett", en = "One" } }

[[questions]]
code = "F_FRI"
section = "s1"
type = "text"
text = { sv = "Fritext", en = "Free text" }

[[questions]]
code = "B_KON"
section = "s1"
type = "single"
role = "sex"
text = { sv = "Kön", en = "Sex" }
options = [
  { code = "kvinna", text = { sv = "Kvinna", en = "Woman" } },
  { code = "man", text = { sv = "Man", en = "Man" } },
]

[[questions]]
code = "B_ALDER"
section = "s1"
type = "single"
role = "age_group"
text = { sv = "Ålder", en = "Age" }
options = [
  { code = "16-24", text = { sv = "16–24", en = "16–24" } },
  { code = "25-44", text = { sv = "25–44", en = "25–44" } },
  { code = "45-64", text = { sv = "45–64", en = "45–64" } },
  { code = "65-84", text = { sv = "65–84", en = "65–84" } },
]
"#;

/// The 1-based line of the first occurrence of `needle`.
fn line_of(src: &str, needle: &str) -> usize {
    let at = src
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in source"));
    src[..at].matches('\n').count() + 1
}

#[test]
fn the_fixture_and_the_bundled_files_are_valid() {
    parse("valid.toml", VALID).unwrap();
    let report = check_path(&surveys_dir());
    assert!(report.faults.is_empty(), "{:?}", report.faults);
    assert!(report.checked.len() >= 2);
}

#[test]
fn the_bundled_questionnaire_covers_the_survey_themes() {
    let q = bundled();
    assert!(
        (38..=45).contains(&q.questions.len()),
        "{} questions",
        q.questions.len()
    );
    assert_eq!(q.languages, ["sv", "en", "ar", "fa", "prs", "so", "ti"]);
    assert_eq!(q.draft_languages, ["ar", "fa", "prs", "so", "ti"]);
    for code in [
        "P_NEDSKRAPNING",
        "P_BELYSNING",
        "P_NARKOTIKAHANDEL",
        "U_VALD",
        "U_INBROTT",
        "O_MISSHANDEL",
        "T_UTE_KVALL",
        "K_POLIS_BRYR_SIG",
        "F_OTRYGGA_PLATSER",
    ] {
        assert!(q.question(code).is_some(), "{code} missing");
    }
    for role in [Role::Sex, Role::AgeGroup, Role::Housing, Role::YearsInArea] {
        assert!(q.with_role(role).is_some(), "{role:?} missing");
    }
    let kinds: Vec<QuestionKind> = q.questions.iter().map(|x| x.kind).collect();
    for k in [
        QuestionKind::Single,
        QuestionKind::Scale,
        QuestionKind::YesNo,
        QuestionKind::Multi,
        QuestionKind::Number,
        QuestionKind::FreeText,
    ] {
        assert!(kinds.contains(&k), "no {k:?} question");
    }
    let blocks: Vec<&str> = q.indices.iter().map(|i| i.code.as_str()).collect();
    assert_eq!(blocks, ["problem", "utsatthet", "otrygghet"]);
    // Scale scores default to the position on the scale.
    let scale = q.question("P_NEDSKRAPNING").unwrap();
    assert_eq!(scale.options[3].score, Some(4.0));
    assert!(scale.options[4].dont_know);
}

/// (what is broken, the replacement (from, to), a line marker in the broken text, message part)
const CASES: &[(&str, (&str, &str), &str, &str)] = &[
    (
        "toml syntax",
        ("code = \"F_FRI\"", "code = \"F_FRI"),
        "code = \"F_FRI",
        "string",
    ),
    (
        "unknown field",
        ("type = \"text\"", "type = \"text\"\ncolour = \"red\""),
        "colour",
        "unknown field `colour`",
    ),
    (
        "duplicate question code",
        ("code = \"F_FRI\"", "code = \"P_ETT\""),
        "code = \"P_ETT\"\nsection = \"s1\"\ntype = \"text\"",
        "duplicate question code \"P_ETT\"",
    ),
    (
        "unknown option reference",
        ("counts = [\"stort\"]", "counts = [\"enormt\"]"),
        "counts = [\"enormt\"]",
        "indicator counts unknown option \"enormt\"",
    ),
    (
        "indicator counts don't know",
        ("counts = [\"stort\"]", "counts = [\"vet_ej\"]"),
        "counts = [\"vet_ej\"]",
        "\"don't know\" option",
    ),
    (
        "missing translation",
        (
            "text = { sv = \"Fritext\", en = \"Free text\" }",
            "text = { sv = \"Fritext\" }",
        ),
        "text = { sv = \"Fritext\" }",
        "missing translation for \"en\"",
    ),
    (
        "language not in the file's list",
        (
            "text = { sv = \"Fritext\", en = \"Free text\" }",
            "text = { sv = \"Fritext\", en = \"Free text\", de = \"Freitext\" }",
        ),
        "de = \"Freitext\"",
        "language \"de\" is not in the file's languages",
    ),
    (
        "indicator on a free-text question",
        (
            "type = \"text\"\n",
            "type = \"text\"\nindicator = { counts = [\"x\"], norm = 0.1, label = { sv = \"x\", en = \"x\" } }\n",
        ),
        "indicator = { counts = [\"x\"]",
        "an indicator needs a question with options, not a free-text question",
    ),
    (
        "unknown section",
        (
            "section = \"s1\"\ntype = \"text\"",
            "section = \"s9\"\ntype = \"text\"",
        ),
        "section = \"s9\"",
        "unknown section \"s9\"",
    ),
    (
        "unknown option set",
        ("option_set = \"problem\"", "option_set = \"problems\""),
        "option_set = \"problems\"",
        "unknown option set \"problems\"",
    ),
    (
        "unknown question type",
        ("type = \"text\"", "type = \"essay\""),
        "type = \"essay\"",
        "unknown type \"essay\"",
    ),
    (
        "norm outside 0..1",
        ("norm = 0.2", "norm = 1.5"),
        "norm = 1.5",
        "norm 1.5 must be a share",
    ),
    (
        "unknown index",
        ("index = \"problem\", label", "index = \"problemen\", label"),
        "index = \"problemen\"",
        "unknown index \"problemen\"",
    ),
    (
        "duplicate option code",
        ("code = \"stort\"", "code = \"inget\""),
        "[[option_sets.problem]]\ncode = \"inget\"\ntext = { sv = \"Stort\"",
        "duplicate option code \"inget\"",
    ),
    (
        "bad question code",
        ("code = \"F_FRI\"", "code = \"f fri\""),
        "code = \"f fri\"",
        "question code \"f fri\" must be",
    ),
    (
        "wrong age groups",
        ("code = \"65-84\"", "code = \"65-\""),
        "code = \"B_ALDER\"",
        "age_group question must have the options",
    ),
    (
        "source language not first",
        (
            "languages = [\"sv\", \"en\"]",
            "languages = [\"en\", \"sv\"]",
        ),
        "languages",
        "must start with the source language",
    ),
    (
        "language without page texts",
        (
            "languages = [\"sv\", \"en\"]",
            "languages = [\"sv\", \"en\", \"xx\"]",
        ),
        "languages",
        "language \"xx\" has no texts in the page catalogue",
    ),
    (
        "max_length on a choice question",
        (
            "option_set = \"problem\"",
            "option_set = \"problem\"\nmax_length = 10",
        ),
        "max_length = 10",
        "max_length only applies to text questions",
    ),
    (
        "empty index",
        ("index = \"problem\", label", "label"),
        "[[indices]]",
        "index \"problem\" has no indicators",
    ),
    (
        "role given twice",
        ("role = \"age_group\"", "role = \"sex\""),
        "code = \"B_ALDER\"",
        "role \"sex\" is already given to question B_KON",
    ),
];

#[test]
fn every_fault_is_reported_with_its_line() {
    for (what, (from, to), marker, message) in CASES {
        assert!(VALID.contains(from), "{what}: fixture lacks {from:?}");
        let broken = VALID.replacen(from, to, 1);
        let faults = parse("broken.toml", &broken).expect_err(what);
        let expected_line = line_of(&broken, marker);
        let hit = faults.iter().find(|f| f.message.contains(message));
        let Some(hit) = hit else {
            panic!("{what}: no fault mentions {message:?}; got {faults:#?}");
        };
        assert_eq!(hit.file, "broken.toml", "{what}");
        // Faults about a whole table point at its first line or the line of the key.
        assert!(
            hit.line == expected_line
                || hit.line + 1 == expected_line
                || hit.line == expected_line + 1,
            "{what}: fault at line {}, expected about {expected_line}: {hit}",
            hit.line
        );
        assert!(
            hit.to_string()
                .starts_with(&format!("broken.toml:{}: ", hit.line))
        );
    }
}

#[test]
fn a_questionnaire_without_background_questions_cannot_be_weighted() {
    let cut = VALID.find("[[questions]]\ncode = \"B_KON\"").unwrap();
    let faults = parse("nobg.toml", &VALID[..cut]).unwrap_err();
    let text: Vec<String> = faults.iter().map(|f| f.to_string()).collect();
    assert!(
        text.iter()
            .any(|t| t.contains("no question has role \"sex\"")),
        "{text:?}"
    );
    assert!(
        text.iter()
            .any(|t| t.contains("no question has role \"age_group\"")),
        "{text:?}"
    );
}

#[test]
fn all_faults_of_a_file_are_reported_at_once() {
    let broken = VALID
        .replacen("option_set = \"problem\"", "option_set = \"nope\"", 1)
        .replacen(
            "section = \"s1\"\ntype = \"text\"",
            "section = \"zz\"\ntype = \"text\"",
            1,
        );
    let faults = parse("two.toml", &broken).unwrap_err();
    assert!(faults.len() >= 2, "{faults:#?}");
}

#[test]
fn check_of_a_folder_names_each_broken_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.toml"), VALID).unwrap();
    std::fs::write(
        dir.path().join("bad.toml"),
        VALID.replacen("counts = [\"stort\"]", "counts = [\"x\"]", 1),
    )
    .unwrap();
    std::fs::write(dir.path().join("notes.txt"), "ignored").unwrap();
    let report = check_path(dir.path());
    assert_eq!(report.checked.len(), 2);
    assert_eq!(report.faults.len(), 1, "{:?}", report.faults);
    assert!(report.faults[0].file.ends_with("bad.toml"));
}

#[test]
fn a_file_that_is_not_utf8_is_a_fault_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("latin1.toml");
    std::fs::write(&path, b"code = \"t\xe4st\"\n").unwrap();
    let faults = questionnaire::load(&path).unwrap_err();
    assert!(faults[0].message.contains("not valid UTF-8"), "{faults:?}");
}

#[test]
fn districts_file_faults_are_reported() {
    let src = "[[districts]]\ncode = \"ryd\"\nname = { sv = \"Ryd\" }\n\n[[districts]]\ncode = \"ryd\"\nname = { sv = \"Ryd 2\" }\n\n[[districts]]\ncode = \"Berga Norra\"\nname = { en = \"Berga\" }\n";
    let faults = questionnaire::parse_districts("districts.toml", src).unwrap_err();
    let text: Vec<String> = faults.iter().map(|f| f.to_string()).collect();
    assert!(
        text.iter()
            .any(|t| t.starts_with("districts.toml:5: duplicate district code \"ryd\"")),
        "{text:?}"
    );
    assert!(
        text.iter()
            .any(|t| t.contains("district code \"Berga Norra\" must be")),
        "{text:?}"
    );
    assert!(
        text.iter().any(|t| t.contains("missing name for \"sv\"")),
        "{text:?}"
    );
    let ok = districts();
    assert_eq!(
        ok.codes().collect::<Vec<_>>(),
        ["skaggetorp", "ryd", "berga", "city"]
    );
}

#[test]
fn an_oversized_file_is_refused_before_it_is_parsed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.toml");
    let mut src = VALID.to_string();
    src.push_str(&format!(
        "# {}\n",
        "x".repeat(questionnaire::MAX_FILE_BYTES as usize)
    ));
    std::fs::write(&path, src).unwrap();
    let faults = questionnaire::load(&path).unwrap_err();
    assert!(
        faults[0].to_string().contains("may be at most 1048576"),
        "{faults:?}"
    );
}

#[test]
fn hostile_texts_are_data_not_markup() {
    let src = VALID.replace(
        "title = { sv = \"Test\", en = \"Test\" }",
        "title = { sv = \"<script>alert(1)</script>\", en = \"Test\" }",
    );
    let q = parse("hostile.toml", &src).unwrap();
    assert_eq!(q.title.get("sv"), "<script>alert(1)</script>");
}
