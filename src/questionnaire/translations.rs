//! The translation workflow: a questionnaire's texts out to a CSV translators can work in,
//! and back in.
//!
//! Every text of a questionnaire is an inline table `{ sv = "…", en = "…", … }`; its stable
//! key is its place in the file, with array elements named by their `code`
//! (`questions.P_BELYSNING.options.mycket.text`, `sections.problem.title`, …). The CSV has
//! one row per text: `key, context, version, sv, en, <lang>, status`. `version` is a hash
//! of every key and Swedish text, so a file exported before the Swedish source changed is
//! refused on import. Import writes the translations into the questionnaire file with
//! `toml_edit` (comments and layout kept), adds the language, keeps it among the
//! `draft_languages` unless every row says `reviewed`, and checks the result with the same
//! parser as `trygg check` before replacing the file.

use std::collections::BTreeMap;
use std::path::Path;

use sha2::{Digest, Sha256};
use toml_edit::{DocumentMut, Item, Value};

use super::model::SOURCE_LANGUAGE;

/// One translatable text of a questionnaire.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    /// What the text is (question, option, section title, …), for the translator.
    pub context: &'static str,
    /// The text in every language it has.
    pub texts: BTreeMap<String, String>,
}

/// What a text is, from the last part of its key.
fn context_of(key: &str) -> &'static str {
    let parts: Vec<&str> = key.split('.').collect();
    match (parts.first().copied(), parts.last().copied()) {
        (Some("questions"), Some("text")) if parts.len() == 3 => "question",
        (Some("questions"), Some("help")) => "help text of a question",
        (Some("questions"), Some("label")) => "indicator name in reports",
        (_, Some("text")) => "answer option",
        (Some("sections"), Some("title")) => "section heading",
        (Some("sections"), Some("intro")) => "section introduction",
        (Some("indices"), Some("name")) => "index name in reports",
        (Some("title"), _) => "questionnaire title",
        (Some("intro"), _) => "questionnaire introduction",
        _ => "text",
    }
}

/// A table (or inline table) as a text when it holds the source language as a string.
fn as_text(item: &Item) -> Option<BTreeMap<String, String>> {
    let get = |k: &str| -> Option<String> {
        match item {
            Item::Value(Value::InlineTable(t)) => {
                t.get(k).and_then(|v| v.as_str()).map(str::to_string)
            }
            Item::Table(t) => t.get(k).and_then(|v| v.as_str()).map(str::to_string),
            _ => None,
        }
    };
    get(SOURCE_LANGUAGE)?;
    let keys: Vec<String> = match item {
        Item::Value(Value::InlineTable(t)) => t.iter().map(|(k, _)| k.to_string()).collect(),
        Item::Table(t) => t.iter().map(|(k, _)| k.to_string()).collect(),
        _ => Vec::new(),
    };
    Some(
        keys.into_iter()
            .filter_map(|k| get(&k).map(|v| (k, v)))
            .collect(),
    )
}

/// The name of an array element in a key: its `code`, else its position.
fn element_name(item: &Item, i: usize) -> String {
    let code = match item {
        Item::Table(t) => t.get("code").and_then(|v| v.as_str()),
        Item::Value(Value::InlineTable(t)) => t.get("code").and_then(|v| v.as_str()),
        _ => None,
    };
    code.map(str::to_string).unwrap_or_else(|| i.to_string())
}

fn walk(item: &Item, path: &str, out: &mut Vec<Entry>) {
    if let Some(texts) = as_text(item) {
        out.push(Entry {
            key: path.to_string(),
            context: context_of(path),
            texts,
        });
        return;
    }
    let join = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match item {
        Item::Table(t) => t.iter().for_each(|(k, v)| walk(v, &join(k), out)),
        Item::Value(Value::InlineTable(t)) => t
            .iter()
            .for_each(|(k, v)| walk(&Item::Value(v.clone()), &join(k), out)),
        Item::ArrayOfTables(a) => a.iter().enumerate().for_each(|(i, t)| {
            let item = Item::Table(t.clone());
            walk(&item, &join(&element_name(&item, i)), out)
        }),
        Item::Value(Value::Array(a)) => a.iter().enumerate().for_each(|(i, v)| {
            let item = Item::Value(v.clone());
            walk(&item, &join(&element_name(&item, i)), out)
        }),
        _ => {}
    }
}

/// Every text of a questionnaire file, in file order.
pub fn entries(source: &str) -> Result<Vec<Entry>, String> {
    let doc: DocumentMut = source.parse().map_err(|e| format!("not TOML: {e}"))?;
    let mut out = Vec::new();
    walk(doc.as_item(), "", &mut out);
    Ok(out)
}

/// The version of the source texts: a hash of every key with its Swedish text.
pub fn version(entries: &[Entry]) -> String {
    let mut h = Sha256::new();
    for e in entries {
        h.update(e.key.as_bytes());
        h.update([0]);
        h.update(
            e.texts
                .get(SOURCE_LANGUAGE)
                .map(String::as_str)
                .unwrap_or("")
                .as_bytes(),
        );
        h.update([0]);
    }
    h.finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Writes the CSV for translating into `lang`: Swedish source, English, the current text
/// in `lang` (empty when there is none) and its status.
pub fn export(source: &str, lang: &str, drafts: &[String]) -> Result<String, String> {
    let entries = entries(source)?;
    let version = version(&entries);
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| e.to_string();
    w.write_record([
        "key",
        "context",
        "version",
        SOURCE_LANGUAGE,
        "en",
        lang,
        "status",
    ])
    .map_err(fail)?;
    let status = if drafts.iter().any(|d| d == lang) {
        "draft"
    } else {
        "reviewed"
    };
    for e in &entries {
        let t = |l: &str| e.texts.get(l).cloned().unwrap_or_default();
        let translated = t(lang);
        w.write_record([
            e.key.as_str(),
            e.context,
            &version,
            &t(SOURCE_LANGUAGE),
            &t("en"),
            &translated,
            if translated.is_empty() {
                "untranslated"
            } else {
                status
            },
        ])
        .map_err(fail)?;
    }
    String::from_utf8(w.into_inner().map_err(|e| e.to_string())?).map_err(|e| e.to_string())
}

/// What an import changed.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    pub lang: String,
    pub texts: usize,
    pub draft: bool,
    /// The new questionnaire source.
    pub source: String,
}

/// Reads a translation CSV back into a questionnaire source. Refuses a file of an older
/// version, a file that drops or adds keys, and untranslated entries (all listed).
pub fn import(source: &str, csv_text: &str) -> Result<Imported, Vec<String>> {
    let entries = entries(source).map_err(|e| vec![e])?;
    let current = version(&entries);
    let mut r = csv::Reader::from_reader(csv_text.as_bytes());
    let header: Vec<String> = r
        .headers()
        .map_err(|e| vec![format!("line 1: {e}")])?
        .iter()
        .map(str::to_string)
        .collect();
    let expected = ["key", "context", "version", SOURCE_LANGUAGE, "en"];
    if header.len() != 7 || header[..5] != expected || header[6] != "status" {
        return Err(vec![format!(
            "line 1: the columns must be key, context, version, sv, en, <language>, status (this file has {})",
            header.join(", ")
        )]);
    }
    let lang = header[5].clone();
    if lang == SOURCE_LANGUAGE || !crate::i18n::is_supported(&lang) {
        return Err(vec![format!(
            "line 1: \"{lang}\" is not a language the pages can be shown in (add it to surveys/translations/pages.toml first)"
        )]);
    }
    let mut faults = Vec::new();
    let mut given: BTreeMap<String, (usize, String, String)> = BTreeMap::new();
    for rec in r.records() {
        let rec = match rec {
            Ok(rec) => rec,
            Err(e) => {
                faults.push(format!("{e}"));
                continue;
            }
        };
        let line = rec.position().map(|p| p.line() as usize).unwrap_or(0);
        let version = rec.get(2).unwrap_or("");
        if version != current {
            return Err(vec![format!(
                "line {line}: the file is for version {version} of the questionnaire, but its Swedish texts are now version {current}; export the file again"
            )]);
        }
        let key = rec.get(0).unwrap_or("").to_string();
        let text = rec.get(5).unwrap_or("").trim().to_string();
        let status = rec.get(6).unwrap_or("").trim().to_string();
        if given.insert(key.clone(), (line, text, status)).is_some() {
            faults.push(format!("line {line}: key {key} appears twice"));
        }
    }
    for e in &entries {
        match given.get(&e.key) {
            None => faults.push(format!("key {} is missing from the file", e.key)),
            Some((line, text, _)) if text.is_empty() => {
                faults.push(format!("line {line}: {} is untranslated", e.key))
            }
            Some(_) => {}
        }
    }
    for (key, (line, _, _)) in &given {
        if !entries.iter().any(|e| &e.key == key) {
            faults.push(format!(
                "line {line}: key {key} is not in the questionnaire"
            ));
        }
    }
    if !faults.is_empty() {
        return Err(faults);
    }
    let draft = given.values().any(|(_, _, s)| s != "reviewed");
    let mut doc: DocumentMut = source.parse().map_err(|e| vec![format!("not TOML: {e}")])?;
    let texts: BTreeMap<String, String> = given.into_iter().map(|(k, (_, t, _))| (k, t)).collect();
    set_texts(doc.as_item_mut(), "", &lang, &texts);
    set_language_lists(&mut doc, &lang, draft);
    Ok(Imported {
        lang,
        texts: texts.len(),
        draft,
        source: doc.to_string(),
    })
}

fn set_texts(item: &mut Item, path: &str, lang: &str, texts: &BTreeMap<String, String>) {
    if as_text(item).is_some() {
        if let Some(t) = texts.get(path) {
            match item {
                Item::Value(Value::InlineTable(tab)) => {
                    tab.insert(lang, Value::from(t.as_str()));
                    // `{ sv = "…", en = "…", ar = "…" }`, as hand-written texts look.
                    tab.fmt();
                }
                Item::Table(tab) => {
                    tab.insert(lang, toml_edit::value(t.as_str()));
                }
                _ => {}
            }
        }
        return;
    }
    let join = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match item {
        Item::Table(t) => {
            for (k, v) in t.iter_mut() {
                set_texts(v, &join(k.get()), lang, texts);
            }
        }
        Item::Value(Value::InlineTable(t)) => {
            for (k, v) in t.iter_mut() {
                let mut it = Item::Value(v.clone());
                set_texts(&mut it, &join(k.get()), lang, texts);
                if let Item::Value(nv) = it {
                    *v = nv;
                }
            }
        }
        Item::ArrayOfTables(a) => {
            for (i, t) in a.iter_mut().enumerate() {
                let name = element_name(&Item::Table(t.clone()), i);
                let mut it = Item::Table(t.clone());
                set_texts(&mut it, &join(&name), lang, texts);
                if let Item::Table(nt) = it {
                    *t = nt;
                }
            }
        }
        Item::Value(Value::Array(a)) => {
            for (i, v) in a.iter_mut().enumerate() {
                let name = element_name(&Item::Value(v.clone()), i);
                let mut it = Item::Value(v.clone());
                set_texts(&mut it, &join(&name), lang, texts);
                if let Item::Value(nv) = it {
                    *v = nv;
                }
            }
        }
        _ => {}
    }
}

/// Adds `lang` to `languages`, and to `draft_languages` or takes it out of it.
fn set_language_lists(doc: &mut DocumentMut, lang: &str, draft: bool) {
    let mut list = |name: &str, present: bool| {
        let mut values: Vec<String> = doc
            .get(name)
            .and_then(|i| i.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let has = values.iter().any(|v| v == lang);
        if present && !has {
            values.push(lang.to_string());
        } else if !present && has {
            values.retain(|v| v != lang);
        } else {
            return;
        }
        let mut array = toml_edit::Array::new();
        for v in values {
            array.push(v);
        }
        doc[name] = toml_edit::value(array);
    };
    list("languages", true);
    list("draft_languages", draft);
}

/// Reads a questionnaire file, imports `csv_path` into it, checks the result like
/// `trygg check` and only then replaces the file.
pub fn import_file(file: &Path, csv_path: &Path) -> Result<Imported, Vec<String>> {
    let source =
        std::fs::read_to_string(file).map_err(|e| vec![format!("{}: {e}", file.display())])?;
    let csv_text = std::fs::read_to_string(csv_path)
        .map_err(|e| vec![format!("{}: {e}", csv_path.display())])?;
    let imported = import(&source, &csv_text).map_err(|f| {
        f.into_iter()
            .map(|m| format!("{}: {m}", csv_path.display()))
            .collect::<Vec<_>>()
    })?;
    super::parse::parse(&file.display().to_string(), &imported.source)
        .map_err(|faults| faults.iter().map(|f| f.to_string()).collect::<Vec<_>>())?;
    let tmp = file.with_extension("toml.partial");
    std::fs::write(&tmp, &imported.source)
        .and_then(|_| std::fs::rename(&tmp, file))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            vec![format!("{}: {e}", file.display())]
        })?;
    Ok(imported)
}
