//! Sizes a reader can hold: no file in `src/` over 600 lines, no function over 80 — except
//! one whose doc comment says why splitting it would hurt (a `match` of routes or
//! subcommands), with the words "splitting would". The lines are counted as written,
//! comments and tests included; functions are found in the code without comments and
//! strings, from `fn name` to its closing brace.

use std::path::{Path, PathBuf};

const MAX_FILE_LINES: usize = 600;
const MAX_FN_LINES: usize = 80;

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Every function of a file that is longer than the limit: its name, first line and length.
fn long_functions(text: &str) -> Vec<(String, usize, usize)> {
    let code = crate::layers::code(text);
    let lines: Vec<&str> = code.lines().collect();
    let written: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim_start();
        let t = t.strip_prefix("pub ").unwrap_or(t);
        let t = t.strip_prefix("pub(crate) ").unwrap_or(t);
        let t = t.strip_prefix("pub(super) ").unwrap_or(t);
        let t = t.strip_prefix("const ").unwrap_or(t);
        let t = t.strip_prefix("async ").unwrap_or(t);
        let Some(rest) = t.strip_prefix("fn ") else {
            continue;
        };
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        // From the `fn` line to the brace that closes its body (none: a declaration).
        let mut depth = 0i32;
        let mut opened = false;
        let mut end = None;
        'scan: for (j, l) in lines.iter().enumerate().skip(i) {
            for c in l.chars() {
                match c {
                    '{' => {
                        depth += 1;
                        opened = true;
                    }
                    '}' => depth -= 1,
                    ';' if !opened => break 'scan,
                    _ => {}
                }
                if opened && depth == 0 {
                    end = Some(j);
                    break 'scan;
                }
            }
        }
        let Some(end) = end else { continue };
        let len = end - i + 1;
        // The doc comment above says why this one stays whole.
        let doc: String = written[..i]
            .iter()
            .rev()
            .take_while(|l| {
                let l = l.trim_start();
                l.starts_with("///") || l.starts_with("#[")
            })
            .copied()
            .collect();
        if len > MAX_FN_LINES && !doc.contains("splitting would") {
            out.push((name, i + 1, len));
        }
    }
    out
}

#[test]
fn no_file_over_600_lines_and_no_function_over_80() {
    let mut files = Vec::new();
    sources(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    files.sort();
    let mut faults = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let n = text.lines().count();
        if n > MAX_FILE_LINES {
            faults.push(format!(
                "{}: {n} lines (at most {MAX_FILE_LINES})",
                f.display()
            ));
        }
        for (name, line, len) in long_functions(&text) {
            faults.push(format!(
                "{}:{line}: fn {name} is {len} lines (at most {MAX_FN_LINES})",
                f.display()
            ));
        }
    }
    assert!(
        faults.is_empty(),
        "{} faults:\n{}",
        faults.len(),
        faults.join("\n")
    );
}

#[test]
fn the_size_reader_finds_a_long_function_and_honours_a_stated_reason() {
    let body = "    let x = 1;\n".repeat(85);
    let long = format!("fn long() {{\n{body}}}\n");
    assert_eq!(long_functions(&long), vec![("long".to_string(), 1, 87)]);
    let kept = format!("/// A match of routes: splitting would hide the map.\n{long}");
    assert!(long_functions(&kept).is_empty());
    let braces_in_strings = format!("pub async fn s() {{\n    let a = \"}}\";\n{body}}}\n");
    assert_eq!(long_functions(&braces_in_strings)[0].2, 88);
    assert!(long_functions("fn short() { 1 }\nfn decl();\n").is_empty());
}
