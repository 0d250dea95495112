//! Reads a questionnaire TOML file into the model, collecting every fault with its line.
//!
//! The file is first deserialised into "raw" structs that keep the byte span of each part
//! (`toml::Spanned`), then checked as a whole, so `trygg check` reports all faults of a file
//! at once instead of stopping at the first.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use super::fault::Fault;
use super::model::*;

type RawText = BTreeMap<String, String>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    code: Spanned<String>,
    languages: Spanned<Vec<String>>,
    /// Languages whose texts are drafts, to be reviewed by the municipality's translators;
    /// shown to staff by `trygg check`, never to residents.
    #[serde(default)]
    draft_languages: Option<Spanned<Vec<String>>>,
    title: Spanned<RawText>,
    #[serde(default)]
    intro: Option<Spanned<RawText>>,
    #[serde(default)]
    option_sets: BTreeMap<String, Spanned<Vec<Spanned<RawChoice>>>>,
    #[serde(default)]
    sections: Vec<Spanned<RawSection>>,
    #[serde(default)]
    indices: Vec<Spanned<RawIndex>>,
    #[serde(default)]
    questions: Vec<Spanned<RawQuestion>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChoice {
    code: Spanned<String>,
    text: Spanned<RawText>,
    #[serde(default)]
    dont_know: bool,
    #[serde(default)]
    score: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSection {
    code: Spanned<String>,
    title: Spanned<RawText>,
    #[serde(default)]
    intro: Option<Spanned<RawText>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndex {
    code: Spanned<String>,
    name: Spanned<RawText>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    code: Spanned<String>,
    section: Spanned<String>,
    #[serde(rename = "type")]
    kind: Spanned<String>,
    #[serde(default)]
    required: bool,
    text: Spanned<RawText>,
    #[serde(default)]
    help: Option<Spanned<RawText>>,
    #[serde(default)]
    option_set: Option<Spanned<String>>,
    #[serde(default)]
    options: Option<Vec<Spanned<RawChoice>>>,
    #[serde(default)]
    min: Option<i64>,
    #[serde(default)]
    max: Option<i64>,
    #[serde(default)]
    max_length: Option<Spanned<usize>>,
    #[serde(default)]
    role: Option<Spanned<String>>,
    #[serde(default)]
    indicator: Option<Spanned<RawIndicator>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndicator {
    counts: Spanned<Vec<Spanned<String>>>,
    norm: Spanned<f64>,
    #[serde(default)]
    index: Option<Spanned<String>>,
    label: Spanned<RawText>,
}

/// Longest free-text answer unless the question says otherwise.
pub const DEFAULT_MAX_LENGTH: usize = 1000;
/// No question may accept more than this, whatever the file says.
pub const MAX_MAX_LENGTH: usize = 4000;

/// Collects faults against one file's source.
struct Checker<'a> {
    file: &'a str,
    src: &'a str,
    languages: Vec<String>,
    faults: Vec<Fault>,
}

impl Checker<'_> {
    fn line(&self, span: &Range<usize>) -> usize {
        line_of(self.src, span.start)
    }

    fn fault(&mut self, span: &Range<usize>, message: impl Into<String>) {
        let line = self.line(span);
        self.faults.push(Fault {
            file: self.file.to_string(),
            line,
            message: message.into(),
        });
    }

    /// Converts a text, reporting each missing or unknown language.
    fn text(&mut self, raw: &Spanned<RawText>, what: &str) -> Text {
        let span = raw.span();
        for lang in self.languages.clone() {
            match raw.get_ref().get(&lang) {
                None => self.fault(&span, format!("{what}: missing translation for \"{lang}\"")),
                Some(t) if t.trim().is_empty() => {
                    self.fault(&span, format!("{what}: empty text for \"{lang}\""))
                }
                Some(_) => {}
            }
        }
        for lang in raw.get_ref().keys() {
            if !self.languages.contains(lang) {
                self.fault(
                    &span,
                    format!("{what}: language \"{lang}\" is not in the file's languages"),
                );
            }
        }
        Text(raw.get_ref().clone())
    }

    fn choices(&mut self, raw: &[Spanned<RawChoice>], what: &str) -> Vec<Choice> {
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for c in raw {
            let code = c.get_ref().code.get_ref().clone();
            if !valid_option_code(&code) {
                self.fault(
                    &c.get_ref().code.span(),
                    format!(
                        "{what}: option code \"{code}\" must be 1-32 characters of a-z, 0-9, _ or -"
                    ),
                );
            }
            if !seen.insert(code.clone()) {
                self.fault(
                    &c.span(),
                    format!("{what}: duplicate option code \"{code}\""),
                );
            }
            let text = self.text(&c.get_ref().text, &format!("{what}, option \"{code}\""));
            out.push(Choice {
                code,
                text,
                dont_know: c.get_ref().dont_know,
                score: c.get_ref().score,
            });
        }
        out
    }
}

/// 1-based line number of a byte offset.
pub fn line_of(src: &str, offset: usize) -> usize {
    src.as_bytes()[..offset.min(src.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

fn valid_question_code(code: &str) -> bool {
    let b = code.as_bytes();
    (2..=40).contains(&b.len())
        && b[0].is_ascii_uppercase()
        && b.iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'_')
}

fn valid_option_code(code: &str) -> bool {
    (1..=32).contains(&code.len())
        && code
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_' || c == b'-')
}

/// Parses and checks a questionnaire file; `file` is the name used in fault messages.
pub fn parse(file: &str, src: &str) -> Result<Questionnaire, Vec<Fault>> {
    let raw: RawFile = match toml::from_str(src) {
        Ok(raw) => raw,
        Err(e) => {
            let line = e.span().map(|s| line_of(src, s.start)).unwrap_or(1);
            return Err(vec![Fault {
                file: file.to_string(),
                line,
                message: e.message().trim().to_string(),
            }]);
        }
    };
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

    let mut sections = Vec::new();
    for s in &raw.sections {
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

    let mut indices = Vec::new();
    for i in &raw.indices {
        let i_code = i.get_ref().code.get_ref().clone();
        if indices.iter().any(|x: &IndexBlock| x.code == i_code) {
            ck.fault(&i.span(), format!("duplicate index code \"{i_code}\""));
        }
        let name = ck.text(&i.get_ref().name, &format!("index \"{i_code}\" name"));
        indices.push(IndexBlock { code: i_code, name });
    }

    let mut questions: Vec<Question> = Vec::new();
    let mut roles: BTreeMap<Role, String> = BTreeMap::new();
    for rq in &raw.questions {
        let q = question(&mut ck, rq, &option_sets, &sections, &indices);
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
    for s in &sections {
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

fn question(
    ck: &mut Checker,
    rq: &Spanned<RawQuestion>,
    option_sets: &BTreeMap<String, Vec<Choice>>,
    sections: &[Section],
    indices: &[IndexBlock],
) -> Question {
    let r = rq.get_ref();
    let code = r.code.get_ref().clone();
    if !valid_question_code(&code) {
        ck.fault(
            &r.code.span(),
            format!("question code \"{code}\" must be 2-40 characters of A-Z, 0-9 or _, starting with a letter"),
        );
    }
    let what = format!("question {code}");
    let section = r.section.get_ref().clone();
    if !sections.iter().any(|s| s.code == section) {
        ck.fault(
            &r.section.span(),
            format!("{what}: unknown section \"{section}\""),
        );
    }
    let kind = QuestionKind::parse(r.kind.get_ref()).unwrap_or_else(|| {
        ck.fault(
            &r.kind.span(),
            format!(
                "{what}: unknown type \"{}\" (single, scale, yes_no, multi, number, text)",
                r.kind.get_ref()
            ),
        );
        QuestionKind::Single
    });
    let text = ck.text(&r.text, &what);
    let help = r.help.as_ref().map(|h| ck.text(h, &format!("{what} help")));

    let mut options = match (&r.option_set, &r.options) {
        (Some(_), Some(_)) => {
            ck.fault(
                &rq.span(),
                format!("{what}: give either option_set or options, not both"),
            );
            Vec::new()
        }
        (Some(set), None) => match option_sets.get(set.get_ref()) {
            Some(choices) => choices.clone(),
            None => {
                ck.fault(
                    &set.span(),
                    format!("{what}: unknown option set \"{}\"", set.get_ref()),
                );
                Vec::new()
            }
        },
        (None, Some(list)) => ck.choices(list, &what),
        (None, None) => Vec::new(),
    };
    let substantive = options.iter().filter(|o| !o.dont_know).count();
    match kind {
        QuestionKind::Number | QuestionKind::FreeText
            if r.option_set.is_some() || r.options.is_some() =>
        {
            ck.fault(&rq.span(), format!("{what}: a {} question has no options", r.kind.get_ref()));
        }
        QuestionKind::Number | QuestionKind::FreeText => {}
        QuestionKind::YesNo if substantive != 2 => ck.fault(
            &rq.span(),
            format!("{what}: a yes_no question needs exactly two options besides \"don't know\", found {substantive}"),
        ),
        _ if kind.has_options() && substantive < 2 => ck.fault(
            &rq.span(),
            format!("{what}: needs at least two options besides \"don't know\""),
        ),
        _ => {}
    }
    if kind == QuestionKind::Scale {
        // Scores default to the position on the scale, so means need no extra markup.
        let mut pos = 0.0;
        for o in options.iter_mut().filter(|o| !o.dont_know) {
            pos += 1.0;
            o.score.get_or_insert(pos);
        }
    }

    let (min, max) = match kind {
        QuestionKind::Number => {
            let (min, max) = (r.min.unwrap_or(0), r.max.unwrap_or(1_000_000));
            if min > max {
                ck.fault(
                    &rq.span(),
                    format!("{what}: min {min} is greater than max {max}"),
                );
            }
            (min, max)
        }
        _ => {
            if r.min.is_some() || r.max.is_some() {
                ck.fault(
                    &rq.span(),
                    format!("{what}: min and max only apply to number questions"),
                );
            }
            (0, 0)
        }
    };
    let max_length = match &r.max_length {
        Some(m) if kind != QuestionKind::FreeText => {
            ck.fault(
                &m.span(),
                format!("{what}: max_length only applies to text questions"),
            );
            0
        }
        Some(m) if *m.get_ref() == 0 || *m.get_ref() > MAX_MAX_LENGTH => {
            ck.fault(
                &m.span(),
                format!("{what}: max_length must be 1-{MAX_MAX_LENGTH}"),
            );
            DEFAULT_MAX_LENGTH
        }
        Some(m) => *m.get_ref(),
        None => DEFAULT_MAX_LENGTH,
    };

    let role = r.role.as_ref().and_then(|role| {
        let parsed = Role::parse(role.get_ref());
        if parsed.is_none() {
            ck.fault(
                &role.span(),
                format!(
                    "{what}: unknown role \"{}\" (sex, age_group, housing, years_in_area)",
                    role.get_ref()
                ),
            );
        }
        parsed
    });
    match role {
        Some(Role::AgeGroup) => {
            let codes: Vec<&str> = options
                .iter()
                .filter(|o| !o.dont_know)
                .map(|o| o.code.as_str())
                .collect();
            if codes != AGE_GROUPS {
                ck.fault(
                    &rq.span(),
                    format!(
                        "{what}: the age_group question must have the options {} in that order",
                        AGE_GROUPS.join(", ")
                    ),
                );
            }
        }
        Some(Role::Sex | Role::Housing) if !matches!(kind, QuestionKind::Single) => ck.fault(
            &rq.span(),
            format!(
                "{what}: a background question with role \"{}\" must be of type single",
                role.map(Role::as_str).unwrap_or("")
            ),
        ),
        Some(Role::YearsInArea) if !matches!(kind, QuestionKind::Single | QuestionKind::Number) => {
            ck.fault(
                &rq.span(),
                format!("{what}: the years_in_area question must be single or number"),
            )
        }
        _ => {}
    }

    let indicator = r
        .indicator
        .as_ref()
        .map(|ri| indicator(ck, &what, kind, ri, &options, indices));

    Question {
        code,
        section,
        kind,
        required: r.required,
        text,
        help,
        options,
        min,
        max,
        max_length,
        indicator,
        role,
    }
}

fn indicator(
    ck: &mut Checker,
    what: &str,
    kind: QuestionKind,
    ri: &Spanned<RawIndicator>,
    options: &[Choice],
    indices: &[IndexBlock],
) -> Indicator {
    let i = ri.get_ref();
    if !kind.has_options() {
        ck.fault(
            &ri.span(),
            format!(
                "{what}: an indicator needs a question with options, not a {} question",
                match kind {
                    QuestionKind::FreeText => "free-text",
                    _ => "number",
                }
            ),
        );
    }
    let mut counts = Vec::new();
    for c in i.counts.get_ref() {
        match options.iter().find(|o| &o.code == c.get_ref()) {
            None if kind.has_options() => ck.fault(
                &c.span(),
                format!(
                    "{what}: indicator counts unknown option \"{}\"",
                    c.get_ref()
                ),
            ),
            Some(o) if o.dont_know => ck.fault(
                &c.span(),
                format!(
                    "{what}: indicator counts \"{}\", which is a \"don't know\" option",
                    c.get_ref()
                ),
            ),
            _ => {}
        }
        if counts.contains(c.get_ref()) {
            ck.fault(
                &c.span(),
                format!("{what}: indicator counts \"{}\" twice", c.get_ref()),
            );
        }
        counts.push(c.get_ref().clone());
    }
    if counts.is_empty() {
        ck.fault(
            &i.counts.span(),
            format!("{what}: indicator counts no option"),
        );
    }
    let substantive = options.iter().filter(|o| !o.dont_know).count();
    if kind.has_options() && !counts.is_empty() && counts.len() >= substantive {
        ck.fault(
            &i.counts.span(),
            format!("{what}: indicator counts every option, so it is always 100%"),
        );
    }
    let norm = *i.norm.get_ref();
    if !(norm > 0.0 && norm < 1.0) {
        ck.fault(
            &i.norm.span(),
            format!("{what}: indicator norm {norm} must be a share between 0 and 1 (exclusive)"),
        );
    }
    let index = i.index.as_ref().map(|x| {
        if !indices.iter().any(|b| &b.code == x.get_ref()) {
            ck.fault(
                &x.span(),
                format!("{what}: unknown index \"{}\"", x.get_ref()),
            );
        }
        x.get_ref().clone()
    });
    let label = ck.text(&i.label, &format!("{what} indicator label"));
    Indicator {
        counts,
        norm,
        index,
        label,
    }
}
