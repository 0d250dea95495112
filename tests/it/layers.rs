//! The house has one direction: ARCHITECTURE.md lists the layers of `src/` bottom to top, and
//! this test reads every source file and fails on an import from a layer above the file's own,
//! on a cycle between the top-level modules, and on a cycle between the files of one folder —
//! naming the file and the import. Imports are read from the text: `crate::a::…` paths
//! (also inside `use crate::{…}` groups), `super::…` paths, and in a folder's `mod.rs` its
//! own children's names.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One source file: its module path (`["analysis", "results"]`; `mod.rs` is its folder).
struct File {
    path: PathBuf,
    module: Vec<String>,
    text: String,
}

fn files(root: &Path) -> Vec<File> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let mut paths = Vec::new();
    walk(root, &mut paths);
    paths.sort();
    paths
        .into_iter()
        .filter_map(|path| {
            let rel = path.strip_prefix(root).unwrap();
            let mut module: Vec<String> = rel
                .with_extension("")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if module.last().is_some_and(|m| m == "mod") {
                module.pop();
            }
            // The crate root and the binary are the top; they import everything.
            if module == ["lib"] || module == ["main"] {
                return None;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            Some(File { path, module, text })
        })
        .collect()
}

/// The code of a file without comments and string literals, so prose that mentions
/// `crate::x` is no import.
pub fn code(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
            i += 2;
            while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                i += 1;
            }
            i += 2;
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if b[i] == b'r' && b.get(i + 1) == Some(&b'#') && b.get(i + 2) == Some(&b'"') {
            let end = text[i + 3..].find("\"#").map_or(b.len(), |e| i + 3 + e + 2);
            i = end;
            out.push_str("\"\"");
        } else {
            out.push(b[i] as char);
            i += 1;
        }
    }
    out
}

/// Every path a file refers to, as module-path segments from the crate root, with the line
/// it is on.
fn references(f: &File, modules: &BTreeSet<Vec<String>>) -> Vec<(Vec<String>, usize)> {
    let code = code(&f.text);
    // Unit tests sit at the end of a file in `mod tests`, where `super` is the file itself;
    // they are not part of the layering.
    let code = match code.find("#[cfg(test)]") {
        Some(i) => code[..i].to_string(),
        None => code,
    };
    let mut out = Vec::new();
    let ident = |s: &str| -> Vec<String> {
        s.split("::")
            .map(|p| {
                p.chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect::<String>()
            })
            .take_while(|p| !p.is_empty())
            .collect()
    };
    for (n, line) in code.lines().enumerate() {
        let line_no = n + 1;
        for (start, _) in line.match_indices("crate::") {
            let rest = &line[start + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                // `use crate::{a, b::c}`: the group may span lines; take the whole use item.
                let from = code.lines().take(n).map(|l| l.len() + 1).sum::<usize>()
                    + start
                    + "crate::{".len();
                let end = code[from..].find('}').map_or(code.len(), |e| from + e);
                let _ = group;
                for item in code[from..end].split(',') {
                    let path = ident(item.trim());
                    if !path.is_empty() {
                        out.push((path, line_no));
                    }
                }
            } else {
                let path = ident(rest);
                if !path.is_empty() {
                    out.push((path, line_no));
                }
            }
        }
        for (start, _) in line.match_indices("super::") {
            // Only a path that starts here: not `crate::a::super::…` (no such thing) and
            // not a longer word ending in "super".
            if start > 0 && {
                let c = line.as_bytes()[start - 1];
                c.is_ascii_alphanumeric() || c == b'_' || c == b':'
            } {
                continue;
            }
            let mut base = f.module.clone();
            let mut rest = &line[start..];
            // A file `a/b.rs` is module a::b; `super` is a. A `mod.rs` is its folder, whose
            // `super` is the folder above.
            while let Some(r) = rest.strip_prefix("super::") {
                base.pop();
                rest = r;
            }
            if let Some(group) = rest.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                for item in group[..end].split(',') {
                    let mut path = base.clone();
                    path.extend(ident(item.trim()));
                    out.push((path, line_no));
                }
            } else {
                let mut path = base.clone();
                path.extend(ident(rest));
                out.push((path, line_no));
            }
        }
        // In a folder's mod.rs, `child::item` names a child file.
        if f.path.file_name().is_some_and(|n| n == "mod.rs") {
            for m in modules
                .iter()
                .filter(|m| m.len() == f.module.len() + 1 && m[..f.module.len()] == f.module[..])
            {
                let child = m.last().unwrap();
                for (start, _) in line.match_indices(&format!("{child}::")) {
                    let before = line[..start].chars().last();
                    if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                        continue;
                    }
                    out.push((m.clone(), line_no));
                }
            }
        }
    }
    out
}

/// The file a referenced path lands in: the longest module path that is a prefix of it.
fn target(path: &[String], modules: &BTreeSet<Vec<String>>) -> Option<Vec<String>> {
    (1..=path.len())
        .rev()
        .map(|k| path[..k].to_vec())
        .find(|m| modules.contains(m))
}

/// The layers from ARCHITECTURE.md: the numbered list under "## Layers", each item naming
/// its top-level modules in backticks; the first item is the bottom.
fn layers(architecture: &str) -> BTreeMap<String, usize> {
    let section = architecture
        .split("## Layers")
        .nth(1)
        .expect("ARCHITECTURE.md has a \"## Layers\" section");
    let section = section.split("\n## ").next().unwrap();
    let mut out = BTreeMap::new();
    for line in section.lines() {
        let Some((num, rest)) = line.split_once(". ") else {
            continue;
        };
        let Ok(level) = num.trim().parse::<usize>() else {
            continue;
        };
        let names = rest.split(" — ").next().unwrap();
        for name in names.split('`').skip(1).step_by(2) {
            let name = name.trim_start_matches("src/").trim_end_matches(".rs");
            out.insert(name.trim_end_matches('/').to_string(), level);
        }
    }
    out
}

/// Cycles of a directed graph, each as one path that returns to its start.
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    for start in graph.keys() {
        // Depth-first search for a way back to `start`.
        let mut stack = vec![(start.clone(), vec![start.clone()])];
        let mut seen = BTreeSet::new();
        while let Some((node, path)) = stack.pop() {
            for next in graph.get(&node).into_iter().flatten() {
                if next == start {
                    let mut cycle = path.clone();
                    cycle.push(start.clone());
                    // Report each cycle once, from its smallest member.
                    if path.iter().min() == Some(start) {
                        found.push(cycle);
                    }
                } else if seen.insert(next.clone()) {
                    let mut p = path.clone();
                    p.push(next.clone());
                    stack.push((next.clone(), p));
                }
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

#[test]
fn no_module_imports_from_a_layer_above_and_nothing_imports_in_a_circle() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let src = root.join("src");
    let files = files(&src);
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| f.module.clone()).collect();
    let layer = layers(&std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap());
    let mut faults = Vec::new();
    let mut top: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut within: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let name = |m: &[String]| m.join("::");
    // The folder a file is in: a mod.rs is its folder, any other file the folder above it.
    let folders: BTreeSet<Vec<String>> = files
        .iter()
        .filter(|f| f.path.file_name().is_some_and(|n| n == "mod.rs"))
        .map(|f| f.module.clone())
        .collect();
    let folder = |m: &[String]| -> Vec<String> {
        if folders.contains(m) {
            m.to_vec()
        } else {
            m[..m.len() - 1].to_vec()
        }
    };
    for f in &files {
        let own = &f.module[0];
        let Some(&own_layer) = layer.get(own) else {
            faults.push(format!(
                "{}: top-level module `{own}` is in no layer of ARCHITECTURE.md",
                f.path.display()
            ));
            continue;
        };
        top.entry(own.clone()).or_default();
        for (path, line) in references(f, &modules) {
            let Some(to) = target(&path, &modules) else {
                continue;
            };
            if to == f.module {
                continue;
            }
            let other = &to[0];
            if other != own {
                top.entry(own.clone()).or_default().insert(other.clone());
                match layer.get(other) {
                    Some(&l) if l > own_layer => faults.push(format!(
                        "{}:{line}: `{}` imports `{}` from layer {l}, above its own layer {own_layer}",
                        f.path.display(),
                        own,
                        name(&path)
                    )),
                    None => faults.push(format!(
                        "{}:{line}: `{other}` is in no layer of ARCHITECTURE.md",
                        f.path.display()
                    )),
                    _ => {}
                }
            } else if !folder(&f.module).is_empty() && folder(&f.module) == folder(&to) {
                within.entry(name(&f.module)).or_default().insert(name(&to));
            }
        }
    }
    for cycle in cycles(&top) {
        faults.push(format!(
            "import cycle between top-level modules: {}",
            cycle.join(" → ")
        ));
    }
    for cycle in cycles(&within) {
        faults.push(format!(
            "import cycle between the files of a folder: {}",
            cycle.join(" → ")
        ));
    }
    assert!(
        faults.is_empty(),
        "{} faults:\n{}",
        faults.len(),
        faults.join("\n")
    );
}

#[test]
fn the_import_reader_sees_groups_super_paths_and_children_of_mod_rs() {
    let modules: BTreeSet<Vec<String>> = [
        vec!["a".to_string()],
        vec!["a".into(), "b".into()],
        vec!["a".into(), "c".into()],
        vec!["d".into()],
    ]
    .into_iter()
    .collect();
    let file = |module: &[&str], mod_rs: bool, text: &str| File {
        path: PathBuf::from(if mod_rs { "x/mod.rs" } else { "x/y.rs" }),
        module: module.iter().map(|s| s.to_string()).collect(),
        text: text.into(),
    };
    let targets = |f: &File| -> BTreeSet<String> {
        references(f, &modules)
            .into_iter()
            .filter_map(|(p, _)| target(&p, &modules))
            .map(|m| m.join("::"))
            .collect()
    };
    let b = file(
        &["a", "b"],
        false,
        "use crate::{d::X,\n a::c::Y};\nuse super::c::Z;\n// crate::nothing\nlet s = \"crate::d\";",
    );
    assert_eq!(
        targets(&b),
        ["a::c", "d"].iter().map(|s| s.to_string()).collect()
    );
    let a = file(&["a"], true, "pub use b::Thing;\nfn f() { c::go() }");
    assert_eq!(
        targets(&a),
        ["a::b", "a::c"].iter().map(|s| s.to_string()).collect()
    );
    let mut graph = BTreeMap::new();
    graph.insert("x".to_string(), BTreeSet::from(["y".to_string()]));
    graph.insert("y".to_string(), BTreeSet::from(["x".to_string()]));
    assert_eq!(cycles(&graph).len(), 1);
}
