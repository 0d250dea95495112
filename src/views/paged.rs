//! The questionnaire page by page: one section per page with "Del 2 av 6" and a progress
//! bar, buttons to go on and back (plain form posts), and at the end a page listing every
//! answer to check before sending. Everything works without script.

use maud::{Markup, html};

use super::layout::form_layout;
use super::questions::{FormState, error_summary, question_block};
use crate::i18n::Lang;
use crate::questionnaire::paging::Parts;
use crate::questionnaire::{District, Question, Questionnaire};
use crate::store::Wave;

/// The id of the form every button of the page posts, the language switch included.
const FORM_ID: &str = "survey";

/// What a page of the paged questionnaire shows.
pub struct PageView<'a> {
    pub lang: &'a Lang,
    pub district: &'a District,
    pub wave: &'a Wave,
    pub q: &'a Questionnaire,
    pub parts: &'a Parts<'a>,
    /// The page: a part's number, or `parts.len()` for the page to check and send.
    pub part: usize,
    /// Where the form posts.
    pub action: &'a str,
    /// How the resident comes back to it.
    pub resume: Resume<'a>,
    /// Every answer so far, this page's errors and a notice.
    pub form: &'a FormState,
    /// Reached with Change from the check page: its Next button goes back there.
    pub checking: bool,
}

/// How a resident continues later.
#[derive(Debug, Clone, Copy)]
pub enum Resume<'a> {
    /// With the letter's code, typed again or scanned.
    Code,
    /// An open link's resume address, made when the first page was saved.
    Link(&'a str),
    /// An open link's first page: the address comes once the resident goes on.
    LinkToCome,
}

/// A page of the paged questionnaire.
pub fn paged_page(v: &PageView) -> Markup {
    let l = v.lang.code();
    let title = match v.parts.section(v.part) {
        Some(section) => format!("{} – {}", section.title.get(l), v.q.title.get(l)),
        None => format!("{} – {}", v.lang.t("check_title"), v.q.title.get(l)),
    };
    let body = html! {
        p.lead { (v.q.title.get(l)) " · " (v.district.name.get(l)) " " (v.wave.year) " · " (v.lang.tf("open_until", &[("date", &v.wave.closes_on.to_string())])) }
        (progress(v))
        (error_summary(v.lang, v.q, v.form))
        form #(FORM_ID) method="post" action=(v.action) accept-charset="utf-8" novalidate {
            input type="hidden" name="lang" value=(l);
            input type="hidden" name="part" value=(v.part);
            @if v.checking { input type="hidden" name="check" value="1"; }
            @match v.parts.section(v.part) {
                Some(section) => {
                    h1 { (section.title.get(l)) }
                    @if v.part == 0 {
                        @if !v.q.intro.0.is_empty() { p { (v.q.intro.get(l)) } }
                        p.privacy { (v.lang.t("privacy_note")) }
                        p { (v.lang.t("required_note")) }
                    }
                    @if let Some(intro) = &section.intro { p { (intro.get(l)) } }
                    @for question in v.q.questions_in(&section.code) {
                        (question_block(v.lang, question, v.form))
                    }
                    div.form-nav {
                        button type="submit" name="go" value="next" {
                            @if v.checking { (v.lang.t("next_to_check")) } @else { (v.lang.t("next")) }
                        }
                        @if v.part > 0 {
                            button.secondary type="submit" name="go" value="back" formnovalidate { (v.lang.t("back")) }
                        }
                    }
                }
                None => { (check(v)) }
            }
        }
        (resume_note(v))
    };
    form_layout(v.lang, &title, FORM_ID, &v.q.languages, body)
}

/// "Del 2 av 6" and a bar; the check page is the last step.
fn progress(v: &PageView) -> Markup {
    let total = v.parts.len();
    let shown = (v.part + 1).min(total);
    let text = match v.parts.section(v.part) {
        Some(_) => v.lang.tf(
            "part_of",
            &[("part", &shown.to_string()), ("total", &total.to_string())],
        ),
        None => v.lang.t("check_step").to_string(),
    };
    let done = if v.part >= total { total } else { v.part };
    html! {
        div.progress {
            p #progress-text { (text) }
            progress value=(done) max=(total) aria-labelledby="progress-text" { (done) " / " (total) }
        }
    }
}

/// Every answer by part, each part with a button back to change it, and the send button.
fn check(v: &PageView) -> Markup {
    let l = v.lang.code();
    html! {
        h1 { (v.lang.t("check_title")) }
        p { (v.lang.t("check_intro")) }
        @for part in 0..v.parts.len() {
            @if let Some(section) = v.parts.section(part) {
                section.check-part aria-labelledby={ "check-" (section.code) } {
                    h2 #{ "check-" (section.code) } { (section.title.get(l)) }
                    dl.answers {
                        @for question in v.q.questions_in(&section.code) {
                            dt { (question.text.get(l)) }
                            @match answer_text(v.lang, question, v.form) {
                                Some(text) => dd { (text) },
                                None => dd.unanswered { (v.lang.t("not_answered")) },
                            }
                        }
                    }
                    // The button's name says which part: "Ändra" and, for a screen reader,
                    // the part's title (its visible word stays first in the name).
                    button.secondary type="submit" name="go" value={ "part:" (part) } formnovalidate {
                        (v.lang.t("change"))
                        span.visually-hidden { ": " (section.title.get(l)) }
                    }
                }
            }
        }
        p.privacy { (v.lang.t("privacy_note")) }
        button type="submit" name="go" value="send" { (v.lang.t("submit")) }
    }
}

/// What the resident answered to a question, in words; `None` when unanswered.
fn answer_text(lang: &Lang, q: &Question, form: &FormState) -> Option<String> {
    let l = lang.code();
    let given: Vec<&str> = form
        .raw
        .get(&q.code)
        .map(|v| {
            v.iter()
                .map(String::as_str)
                .filter(|s| !s.trim().is_empty())
                .collect()
        })
        .unwrap_or_default();
    if given.is_empty() {
        return None;
    }
    if !q.kind.has_options() {
        return Some(given.join(", "));
    }
    Some(
        given
            .iter()
            .map(|code| q.option(code).map_or(*code, |o| o.text.get(l)))
            .collect::<Vec<_>>()
            .join(", "),
    )
}

/// How to come back: an open link's resume address, or the letter's code.
fn resume_note(v: &PageView) -> Markup {
    html! {
        aside.resume aria-labelledby="resume-title" {
            h2 #resume-title { (v.lang.t("resume_title")) }
            @match v.resume {
                Resume::Link(address) => {
                    p { (v.lang.t("resume_link")) }
                    p { a href=(address) { (address) } }
                }
                Resume::LinkToCome => p { (v.lang.t("resume_link_to_come")) },
                Resume::Code => p { (v.lang.t("resume_code")) },
            }
            @if !matches!(v.resume, Resume::LinkToCome) {
                // Whoever holds the letter or the link can open the saved answers; the
                // resident can take them away.
                button.secondary type="submit" form=(FORM_ID) name="go" value="discard" formnovalidate {
                    (v.lang.t("discard_button"))
                }
            }
        }
    }
}
