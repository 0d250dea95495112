//! Reads a questionnaire TOML file into the model, collecting every fault with its line.
//!
//! The file is first deserialised into "raw" structs that keep the byte span of each part
//! (`toml::Spanned`), then checked as a whole, so `trygg check` reports all faults of a file
//! at once instead of stopping at the first.

//!
//! `raw.rs` holds the deserialised file, `checker.rs` the fault collector, `question.rs`
//! the check of one question.

use std::collections::{BTreeMap, BTreeSet};

use toml::Spanned;

use super::checker::{Checker, line_of, valid_option_code};
use super::fault::Fault;
use super::model::{IndexBlock, Question, Questionnaire, Role, SOURCE_LANGUAGE, Section, Text};
use super::question::{Known, question};
use super::raw::{RawFile, RawIndex, RawQuestion, RawSection};

/// Parses and checks a questionnaire file; `file` is the name used in fault messages.
pub fn parse(file: &str, src: &str) -> Result<Questionnaire, Vec<Fault>> {
    let raw = raw_file(file, src)?;
    let mut ck = Checker {
        file,
        src,
        languages: raw.languages.get_ref().clone(),
        faults: Vec::new(),
    };

    let code = raw.code.get_ref().clone();
    if !valid_option_code(&code) {
        ck.fault(
            &raw.code.span(),
            "code must be 1-32 characters of a-z, 0-9, _ or -",
        );
    }
    check_languages(&mut ck, &raw.languages);
    let drafts = draft_languages(&mut ck, &raw);
    let title = ck.text(&raw.title, "title");
    let intro = match &raw.intro {
        Some(i) => ck.text(i, "intro"),
        None => Text::default(),
    };

    let mut option_sets = BTreeMap::new();
    for (name, set) in &raw.option_sets {
        let choices = ck.choices(set.get_ref(), &format!("option set \"{name}\""));
        option_sets.insert(name.clone(), choices);
    }
    let sections = sections(&mut ck, &raw.sections);
    let indices = indices(&mut ck, &raw.indices);
    let known = Known {
        option_sets: &option_sets,
        sections: &sections,
        indices: &indices,
    };
    let (questions, roles) = questions(&mut ck, &raw.questions, &known);
    check_whole(&mut ck, &raw, &questions, &roles, &sections, &indices);

    if !ck.faults.is_empty() {
        ck.faults.sort_by_key(|f| f.line);
        return Err(ck.faults);
    }
    Ok(Questionnaire {
        code,
        languages: raw.languages.into_inner(),
        draft_languages: drafts,
        title,
        intro,
        sections,
        questions,
        indices,
    })
}

/// The file deserialised, or its one syntax fault.
fn raw_file(file: &str, src: &str) -> Result<RawFile, Vec<Fault>> {
    toml::from_str(src).map_err(|e: toml::de::Error| {
        let line = e.span().map(|s| line_of(src, s.start)).unwrap_or(1);
        vec![Fault {
            file: file.to_string(),
            line,
            message: e.message().trim().to_string(),
        }]
    })
}

/// The draft languages: each one of the file's languages, not the source language, and
/// listed once.
fn draft_languages(ck: &mut Checker, raw: &RawFile) -> Vec<String> {
    let mut drafts = Vec::new();
    if let Some(d) = &raw.draft_languages {
        let span = d.span();
        for l in d.get_ref() {
            if l == SOURCE_LANGUAGE {
                ck.fault(
                    &span,
                    format!("draft_languages: \"{l}\" is the source language, never a draft"),
                );
            } else if !raw.languages.get_ref().contains(l) {
                ck.fault(
                    &span,
                    format!("draft_languages: \"{l}\" is not in the file's languages"),
                );
            } else if drafts.contains(l) {
                ck.fault(&span, format!("draft_languages: \"{l}\" is listed twice"));
            } else {
                drafts.push(l.clone());
            }
        }
    }
    drafts
}

/// The sections, each code once.
fn sections(ck: &mut Checker, raw: &[Spanned<RawSection>]) -> Vec<Section> {
    let mut sections = Vec::new();
    for s in raw {
        let s_code = s.get_ref().code.get_ref().clone();
        if sections.iter().any(|x: &Section| x.code == s_code) {
            ck.fault(&s.span(), format!("duplicate section code \"{s_code}\""));
        }
        let title = ck.text(&s.get_ref().title, &format!("section \"{s_code}\" title"));
        let intro = s
            .get_ref()
            .intro
            .as_ref()
            .map(|i| ck.text(i, &format!("section \"{s_code}\" intro")));
        sections.push(Section {
            code: s_code,
            title,
            intro,
        });
    }
    sections
}

/// The index blocks, each code once.
fn indices(ck: &mut Checker, raw: &[Spanned<RawIndex>]) -> Vec<IndexBlock> {
    let mut indices = Vec::new();
    for i in raw {
        let i_code = i.get_ref().code.get_ref().clone();
        if indices.iter().any(|x: &IndexBlock| x.code == i_code) {
            ck.fault(&i.span(), format!("duplicate index code \"{i_code}\""));
        }
        let name = ck.text(&i.get_ref().name, &format!("index \"{i_code}\" name"));
        indices.push(IndexBlock { code: i_code, name });
    }
    indices
}

/// The questions, each code once, and which question has each role (given once).
fn questions(
    ck: &mut Checker,
    raw: &[Spanned<RawQuestion>],
    known: &Known,
) -> (Vec<Question>, BTreeMap<Role, String>) {
    let mut questions: Vec<Question> = Vec::new();
    let mut roles: BTreeMap<Role, String> = BTreeMap::new();
    for rq in raw {
        let q = question(ck, rq, known);
        if questions.iter().any(|x| x.code == q.code) {
            ck.fault(
                &rq.get_ref().code.span(),
                format!("duplicate question code \"{}\"", q.code),
            );
        }
        if let Some(role) = q.role {
            if let Some(first) = roles.get(&role) {
                ck.fault(
                    &rq.get_ref().code.span(),
                    format!(
                        "role \"{}\" is already given to question {first}",
                        role.as_str()
                    ),
                );
            } else {
                roles.insert(role, q.code.clone());
            }
        }
        questions.push(q);
    }
    (questions, roles)
}

/// What the file as a whole needs: questions, the roles weighting needs, a question in
/// every section and an indicator in every index.
fn check_whole(
    ck: &mut Checker,
    raw: &RawFile,
    questions: &[Question],
    roles: &BTreeMap<Role, String>,
    sections: &[Section],
    indices: &[IndexBlock],
) {
    let whole = 0..0;
    if questions.is_empty() {
        ck.fault(&whole, "the questionnaire has no questions");
    }
    for role in [Role::Sex, Role::AgeGroup] {
        if !roles.contains_key(&role) {
            ck.fault(
                &whole,
                format!(
                    "no question has role \"{}\" (needed for weighting)",
                    role.as_str()
                ),
            );
        }
    }
    for s in sections {
        if !questions.iter().any(|q| q.section == s.code) {
            let span = raw
                .sections
                .iter()
                .find(|r| r.get_ref().code.get_ref() == &s.code)
                .map(|r| r.span())
                .unwrap_or(whole.clone());
            ck.fault(&span, format!("section \"{}\" has no questions", s.code));
        }
    }
    for (i, ri) in indices.iter().zip(&raw.indices) {
        let used = questions
            .iter()
            .filter_map(|q| q.indicator.as_ref())
            .any(|ind| ind.index.as_deref() == Some(i.code.as_str()));
        if !used {
            ck.fault(
                &ri.span(),
                format!("index \"{}\" has no indicators", i.code),
            );
        }
    }
}

fn check_languages(ck: &mut Checker, languages: &Spanned<Vec<String>>) {
    let span = languages.span();
    let langs = languages.get_ref();
    if langs.first().map(String::as_str) != Some(SOURCE_LANGUAGE) {
        ck.fault(
            &span,
            format!(
                "languages must start with the source language \"{}\"",
                SOURCE_LANGUAGE
            ),
        );
    }
    let mut seen = BTreeSet::new();
    for l in langs {
        if !seen.insert(l) {
            ck.fault(&span, format!("language \"{l}\" is listed twice"));
        }
        if !crate::i18n::is_supported(l) {
            ck.fault(
                &span,
                format!(
                    "language \"{l}\" has no texts in the page catalogue (src/i18n/catalogue.toml)"
                ),
            );
        }
    }
}
