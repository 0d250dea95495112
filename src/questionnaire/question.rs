//! One question of a questionnaire file checked and converted: its code, section, type,
//! options, limits, role and indicator, every fault reported with its line.

use std::collections::BTreeMap;

use toml::Spanned;

use super::checker::{Checker, valid_question_code};
use super::model::{
    AGE_GROUPS, Choice, IndexBlock, Indicator, Question, QuestionKind, Role, Section,
};
use super::raw::{RawIndicator, RawQuestion};

/// Longest free-text answer unless the question says otherwise.
pub const DEFAULT_MAX_LENGTH: usize = 1000;
/// No question may accept more than this, whatever the file says.
pub const MAX_MAX_LENGTH: usize = 4000;

/// What a question is checked against: the file's option sets, sections and indices.
pub(super) struct Known<'a> {
    pub(super) option_sets: &'a BTreeMap<String, Vec<Choice>>,
    pub(super) sections: &'a [Section],
    pub(super) indices: &'a [IndexBlock],
}

/// Checks one question while it is converted; faults go to the file's checker.
struct Asked<'c, 'a, 'q> {
    ck: &'c mut Checker<'a>,
    rq: &'q Spanned<RawQuestion>,
    r: &'q RawQuestion,
    /// "question CODE", the start of every fault message.
    what: String,
}

pub(super) fn question(ck: &mut Checker, rq: &Spanned<RawQuestion>, known: &Known) -> Question {
    let r = rq.get_ref();
    let code = r.code.get_ref().clone();
    if !valid_question_code(&code) {
        ck.fault(
            &r.code.span(),
            format!("question code \"{code}\" must be 2-40 characters of A-Z, 0-9 or _, starting with a letter"),
        );
    }
    let mut q = Asked {
        ck,
        rq,
        r,
        what: format!("question {code}"),
    };
    let section = q.section(known.sections);
    let kind = q.kind();
    let text = q.ck.text(&r.text, &q.what);
    let help = r
        .help
        .as_ref()
        .map(|h| q.ck.text(h, &format!("{} help", q.what)));
    let mut options = q.options(known.option_sets);
    q.check_option_count(kind, &options);
    if kind == QuestionKind::Scale {
        // Scores default to the position on the scale, so means need no extra markup.
        let mut pos = 0.0;
        for o in options.iter_mut().filter(|o| !o.dont_know) {
            pos += 1.0;
            o.score.get_or_insert(pos);
        }
    }
    let (min, max) = q.range(kind);
    let max_length = q.max_length(kind);
    let role = q.role();
    q.check_role(role, kind, &options);
    let indicator = r
        .indicator
        .as_ref()
        .map(|ri| indicator(q.ck, &q.what, kind, ri, &options, known.indices));
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

impl Asked<'_, '_, '_> {
    /// A fault about the question as a whole.
    fn fault(&mut self, message: String) {
        self.ck.fault(&self.rq.span(), message);
    }

    /// The question's section, which must be one of the file's.
    fn section(&mut self, sections: &[Section]) -> String {
        let (r, what) = (self.r, &self.what);
        let section = r.section.get_ref().clone();
        if !sections.iter().any(|s| s.code == section) {
            self.ck.fault(
                &r.section.span(),
                format!("{what}: unknown section \"{section}\""),
            );
        }
        section
    }

    /// The question's type; an unknown type is reported and read as single.
    fn kind(&mut self) -> QuestionKind {
        let (r, what) = (self.r, &self.what);
        QuestionKind::parse(r.kind.get_ref()).unwrap_or_else(|| {
            self.ck.fault(
                &r.kind.span(),
                format!(
                    "{what}: unknown type \"{}\" (single, scale, yes_no, multi, number, text)",
                    r.kind.get_ref()
                ),
            );
            QuestionKind::Single
        })
    }

    /// The options, from a named option set or listed in the question (not both).
    fn options(&mut self, option_sets: &BTreeMap<String, Vec<Choice>>) -> Vec<Choice> {
        let r = self.r;
        let what = self.what.clone();
        match (&r.option_set, &r.options) {
            (Some(_), Some(_)) => {
                self.fault(format!(
                    "{what}: give either option_set or options, not both"
                ));
                Vec::new()
            }
            (Some(set), None) => match option_sets.get(set.get_ref()) {
                Some(choices) => choices.clone(),
                None => {
                    self.ck.fault(
                        &set.span(),
                        format!("{what}: unknown option set \"{}\"", set.get_ref()),
                    );
                    Vec::new()
                }
            },
            (None, Some(list)) => self.ck.choices(list, &what),
            (None, None) => Vec::new(),
        }
    }

    /// Whether the type has the options it needs: none for number and text, two for yes/no,
    /// at least two otherwise (besides "don't know").
    fn check_option_count(&mut self, kind: QuestionKind, options: &[Choice]) {
        let (r, what) = (self.r, self.what.clone());
        let substantive = options.iter().filter(|o| !o.dont_know).count();
        match kind {
            QuestionKind::Number | QuestionKind::FreeText
                if r.option_set.is_some() || r.options.is_some() =>
            {
                self.fault(format!("{what}: a {} question has no options", r.kind.get_ref()));
            }
            QuestionKind::Number | QuestionKind::FreeText => {}
            QuestionKind::YesNo if substantive != 2 => self.fault(
                format!("{what}: a yes_no question needs exactly two options besides \"don't know\", found {substantive}"),
            ),
            _ if kind.has_options() && substantive < 2 => self.fault(
                format!("{what}: needs at least two options besides \"don't know\""),
            ),
            _ => {}
        }
    }

    /// A number question's smallest and largest answer; (0, 0) for any other type.
    fn range(&mut self, kind: QuestionKind) -> (i64, i64) {
        let (r, what) = (self.r, self.what.clone());
        match kind {
            QuestionKind::Number => {
                let (min, max) = (r.min.unwrap_or(0), r.max.unwrap_or(1_000_000));
                if min > max {
                    self.fault(format!("{what}: min {min} is greater than max {max}"));
                }
                (min, max)
            }
            _ => {
                if r.min.is_some() || r.max.is_some() {
                    self.fault(format!(
                        "{what}: min and max only apply to number questions"
                    ));
                }
                (0, 0)
            }
        }
    }

    /// A text question's longest answer.
    fn max_length(&mut self, kind: QuestionKind) -> usize {
        let (r, what) = (self.r, &self.what);
        match &r.max_length {
            Some(m) if kind != QuestionKind::FreeText => {
                self.ck.fault(
                    &m.span(),
                    format!("{what}: max_length only applies to text questions"),
                );
                0
            }
            Some(m) if *m.get_ref() == 0 || *m.get_ref() > MAX_MAX_LENGTH => {
                self.ck.fault(
                    &m.span(),
                    format!("{what}: max_length must be 1-{MAX_MAX_LENGTH}"),
                );
                DEFAULT_MAX_LENGTH
            }
            Some(m) => *m.get_ref(),
            None => DEFAULT_MAX_LENGTH,
        }
    }

    /// The question's role, if it gives a known one.
    fn role(&mut self) -> Option<Role> {
        let (r, what) = (self.r, &self.what);
        r.role.as_ref().and_then(|role| {
            let parsed = Role::parse(role.get_ref());
            if parsed.is_none() {
                self.ck.fault(
                    &role.span(),
                    format!(
                        "{what}: unknown role \"{}\" (sex, age_group, housing, years_in_area)",
                        role.get_ref()
                    ),
                );
            }
            parsed
        })
    }

    /// Whether a background question fits its role: the age groups in order, sex and
    /// housing single choice, years in the area single choice or a number.
    fn check_role(&mut self, role: Option<Role>, kind: QuestionKind, options: &[Choice]) {
        let what = self.what.clone();
        match role {
            Some(Role::AgeGroup) => {
                let codes: Vec<&str> = options
                    .iter()
                    .filter(|o| !o.dont_know)
                    .map(|o| o.code.as_str())
                    .collect();
                if codes != AGE_GROUPS {
                    self.fault(format!(
                        "{what}: the age_group question must have the options {} in that order",
                        AGE_GROUPS.join(", ")
                    ));
                }
            }
            Some(Role::Sex | Role::Housing) if !matches!(kind, QuestionKind::Single) => {
                self.fault(format!(
                    "{what}: a background question with role \"{}\" must be of type single",
                    role.map(Role::as_str).unwrap_or("")
                ))
            }
            Some(Role::YearsInArea)
                if !matches!(kind, QuestionKind::Single | QuestionKind::Number) =>
            {
                self.fault(format!(
                    "{what}: the years_in_area question must be single or number"
                ))
            }
            _ => {}
        }
    }
}

/// A question's indicator: the options it counts, its norm, its index and its label.
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
    let counts = counted_options(ck, what, kind, i, options);
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

/// The options an indicator counts: each a known option that is no "don't know", none
/// twice, at least one, and not all of them.
fn counted_options(
    ck: &mut Checker,
    what: &str,
    kind: QuestionKind,
    i: &RawIndicator,
    options: &[Choice],
) -> Vec<String> {
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
    counts
}
