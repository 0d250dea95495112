//! The foundation of the EST weekly picture (issue 24): the places register through
//! `trygg check`, the CSV import (all or nothing, every bad row named), and the week
//! counts against an independent count.

use std::process::{Command, Output};

use crate::helpers::*;

fn trygg_check(path: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trygg"))
        .arg("--database")
        .arg(path.join("never.db"))
        .arg("check")
        .arg(path)
        .output()
        .unwrap()
}

fn out(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn the_bundled_places_register_passes_check() {
    let places =
        trygg::est::load_places(&surveys_dir().join("places.toml"), Some(&districts())).unwrap();
    for d in ["skaggetorp", "ryd", "berga", "city"] {
        let n = places.in_district(d).count();
        assert!((4..=6).contains(&n), "{d}: {n} places");
    }
    let o = trygg_check(&surveys_dir());
    assert!(o.status.success(), "{}", out(&o));
    assert!(out(&o).contains("no faults"), "{}", out(&o));
}

const BAD_PLACES: &str = r#"# a register with one fault of each kind
[[places]]
id = "torget"
name = "Torget"
district = "city"
lat = 58.41
lon = 15.62

[[places]]
id = "torget"
name = "Torget igen"
district = "city"
lat = 58.41
lon = 15.62

[[places]]
id = "mars-bas"
name = "Marsbasen"
district = "mars"
lat = 58.41
lon = 15.62

[[places]]
id = "norr"
name = "För långt norrut"
district = "ryd"
lat = 70.5
lon = 15.62

[[places]]
id = "farg"
name = "Färgglad"
district = "ryd"
lat = 58.40
lon = 15.56
colour = "red"

[[places]]
id = "Stora Torget"
name = "Fel id"
district = "city"
lat = 58.41
lon = 15.62
"#;

/// The 1-based line of the `n`-th (0-based) occurrence of `needle` in `src`.
fn line_of(src: &str, needle: &str, n: usize) -> usize {
    let at = src.match_indices(needle).nth(n).unwrap().0;
    src[..at].matches('\n').count() + 1
}

#[test]
fn check_lists_every_fault_of_the_places_register_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        surveys_dir().join("districts.toml"),
        dir.path().join("districts.toml"),
    )
    .unwrap();
    let file = dir.path().join("places.toml");
    std::fs::write(&file, BAD_PLACES).unwrap();
    let o = trygg_check(dir.path());
    assert!(!o.status.success());
    let text = out(&o);
    let f = file.display().to_string();
    let expect = [
        (
            line_of(BAD_PLACES, "[[places]]", 1),
            "duplicate place id \"torget\"",
        ),
        (
            line_of(BAD_PLACES, "\"mars\"", 0),
            "unknown district \"mars\"",
        ),
        (
            line_of(BAD_PLACES, "70.5", 0),
            "lat = 70.5 is outside Sweden",
        ),
        (line_of(BAD_PLACES, "\"red\"", 0), "unknown key \"colour\""),
        (
            line_of(BAD_PLACES, "\"Stora Torget\"", 0),
            "place id \"Stora Torget\" must be",
        ),
    ];
    for (line, message) in expect {
        let want = format!("{f}:{line}: ");
        assert!(
            text.lines()
                .any(|l| l.starts_with(&want) && l.contains(message)),
            "no \"{want}…{message}\" in:\n{text}"
        );
    }
    // Checking the one file names the same faults.
    let o = trygg_check(&file);
    assert!(!o.status.success());
    assert!(out(&o).contains("unknown key \"colour\""), "{}", out(&o));
}
