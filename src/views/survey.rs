//! The resident pages: open surveys, the questionnaire form, the receipt, wave status.

use chrono::NaiveDate;
use maud::{Markup, html};

use super::layout::{layout, message_page};
use crate::i18n::Lang;
use crate::questionnaire::{
    AnswerError, District, Question, QuestionKind, Questionnaire, RawAnswers,
};
use crate::store::{Wave, WaveStatus};

/// The box for the code from the letter; `error` is shown in it (an unknown code).
pub fn code_box(lang: &Lang, error: Option<&str>) -> Markup {
    html! {
        form.code-box method="post" action="/k" {
            input type="hidden" name="lang" value=(lang.code());
            label for="kod" { (lang.t("code_label")) }
            p.hint #kod-hint { (lang.t("code_hint")) " " bdi dir="ltr" { "K7QF-M2XD-9PTA" } }
            @if let Some(e) = error {
                p.error-message #kod-error role="alert" { (e) }
            }
            input #kod type="text" name="kod" dir="ltr" autocomplete="off" autocapitalize="characters"
                spellcheck="false" maxlength="20"
                aria-describedby=(if error.is_some() { "kod-hint kod-error" } else { "kod-hint" })
                aria-invalid=[error.map(|_| "true")];
            button type="submit" { (lang.t("code_submit")) }
        }
    }
}

/// The start page: the code box when a random sample is open, and the open-link waves.
pub fn home_page(
    lang: &Lang,
    open: &[(&District, &Wave)],
    codes: bool,
    code_error: Option<&str>,
) -> Markup {
    let l = lang.code();
    layout(
        lang,
        lang.t("home_title"),
        "/",
        &[],
        html! {
            h1 { (lang.t("home_title")) }
            p { (lang.t("home_intro")) }
            @if codes || code_error.is_some() {
                (code_box(lang, code_error))
            }
            @if open.is_empty() {
                @if !codes && code_error.is_none() {
                    p.notice { (lang.t("home_none_open")) }
                }
            } @else {
                @if codes { h2 { (lang.t("open_link_heading")) } }
                ul.waves {
                    @for (district, wave) in open {
                        li {
                            a href={ "/s/" (district.code) "/" (wave.year) "?lang=" (l) } {
                                (lang.tf("answer_link", &[("district", district.name.get(l)), ("year", &wave.year.to_string())]))
                            }
                            span.until { (lang.tf("open_until", &[("date", &wave.closes_on.to_string())])) }
                            span.until { (lang.t("open_link_label")) }
                        }
                    }
                }
            }
            p.privacy { (lang.t("privacy_note")) }
            p { a href={ "/resultat?lang=" (l) } { (lang.t("results_link")) } }
        },
    )
}

/// What the form shows: the answers given so far, the errors to correct, and a notice
/// above the form (e.g. "nothing was saved, please try again").
#[derive(Default)]
pub struct FormState {
    pub raw: RawAnswers,
    pub errors: Vec<(String, AnswerError)>,
    pub notice: Option<String>,
}

impl FormState {
    fn error(&self, code: &str) -> Option<&AnswerError> {
        self.errors.iter().find(|(c, _)| c == code).map(|(_, e)| e)
    }

    fn given(&self, code: &str, value: &str) -> bool {
        self.raw
            .get(code)
            .is_some_and(|v| v.iter().any(|x| x == value))
    }

    fn first(&self, code: &str) -> &str {
        self.raw
            .get(code)
            .and_then(|v| v.first())
            .map(String::as_str)
            .unwrap_or("")
    }
}

fn error_text(lang: &Lang, e: &AnswerError) -> String {
    match e {
        AnswerError::Required => lang.t("error_required").into(),
        AnswerError::UnknownOption(o) => lang.tf("error_unknown_option", &[("option", o)]),
        AnswerError::NotANumber => lang.t("error_not_a_number").into(),
        AnswerError::OutOfRange { min, max } => lang.tf(
            "error_out_of_range",
            &[("min", &min.to_string()), ("max", &max.to_string())],
        ),
        AnswerError::TooLong { max } => lang.tf("error_too_long", &[("max", &max.to_string())]),
        AnswerError::DontKnowWithOthers => lang.t("error_dont_know_with_others").into(),
    }
}

/// The id of the control an error-summary link moves focus to.
fn first_control_id(q: &Question) -> String {
    match q.options.first() {
        Some(o) if q.kind.has_options() => format!("{}-{}", q.code, o.code),
        _ => format!("{}-input", q.code),
    }
}

/// The questionnaire; `here` is where it posts (and where the language switch links).
pub fn survey_page(
    lang: &Lang,
    district: &District,
    wave: &Wave,
    q: &Questionnaire,
    here: &str,
    state: &FormState,
) -> Markup {
    let l = lang.code();
    let title = format!(
        "{} – {} {}",
        q.title.get(l),
        district.name.get(l),
        wave.year
    );
    layout(
        lang,
        &title,
        here,
        &q.languages,
        html! {
            h1 { (q.title.get(l)) }
            p.lead { (district.name.get(l)) " " (wave.year) " · " (lang.tf("open_until", &[("date", &wave.closes_on.to_string())])) }
            @if let Some(notice) = &state.notice {
                div.error-summary role="alert" tabindex="-1" {
                    h2 { (lang.t("not_saved_title")) }
                    p { (notice) }
                }
            }
            @if !state.errors.is_empty() {
                div.error-summary role="alert" aria-labelledby="error-summary-title" tabindex="-1" {
                    h2 #error-summary-title { (lang.tf("errors_heading", &[("count", &state.errors.len().to_string())])) }
                    ul {
                        @for (code, e) in &state.errors {
                            @if let Some(question) = q.question(code) {
                                li { a href={ "#" (first_control_id(question)) } { (question.text.get(l)) ": " (error_text(lang, e)) } }
                            }
                        }
                    }
                }
            }
            @if !q.intro.0.is_empty() { p { (q.intro.get(l)) } }
            p.privacy { (lang.t("privacy_note")) }
            p { (lang.t("required_note")) }
            form method="post" action=(here) accept-charset="utf-8" {
                input type="hidden" name="lang" value=(l);
                @for section in &q.sections {
                    section.section aria-labelledby={ "section-" (section.code) } {
                        h2 #{ "section-" (section.code) } { (section.title.get(l)) }
                        @if let Some(intro) = &section.intro { p { (intro.get(l)) } }
                        @for question in q.questions_in(&section.code) {
                            (question_block(lang, question, state))
                        }
                    }
                }
                button type="submit" { (lang.t("submit")) }
            }
        },
    )
}

fn question_block(lang: &Lang, q: &Question, state: &FormState) -> Markup {
    let l = lang.code();
    let error = state.error(&q.code);
    let err_id = format!("{}-error", q.code);
    let help_id = format!("{}-help", q.code);
    let described = match (q.help.is_some(), error.is_some()) {
        (true, true) => Some(format!("{help_id} {err_id}")),
        (true, false) => Some(help_id.clone()),
        (false, true) => Some(err_id.clone()),
        (false, false) => None,
    };
    let required = html! {
        @if q.required {
            " " span.required aria-hidden="true" { "*" }
            span.visually-hidden { " (" (lang.t("required_marker")) ")" }
        }
    };
    let notes = html! {
        @if let Some(help) = &q.help { p.help #(help_id) { (help.get(l)) } }
        @if let Some(e) = error { p.error-message #(err_id) { (error_text(lang, e)) } }
    };
    match q.kind {
        QuestionKind::Number | QuestionKind::FreeText => {
            let input_id = format!("{}-input", q.code);
            let hint_id = format!("{}-hint", q.code);
            let described = match described {
                Some(d) => format!("{hint_id} {d}"),
                None => hint_id.clone(),
            };
            html! {
                div.question.has-error[error.is_some()] #{ "q-" (q.code) } {
                    label.question-text for=(input_id) { (q.text.get(l)) (required) }
                    @if q.kind == QuestionKind::Number {
                        p.hint #(hint_id) { (lang.tf("number_hint", &[("min", &q.min.to_string()), ("max", &q.max.to_string())])) }
                        (notes)
                        input #(input_id) type="number" inputmode="numeric" name=(q.code) min=(q.min) max=(q.max) step="1"
                            value=(state.first(&q.code)) aria-describedby=(described) aria-invalid=[error.map(|_| "true")];
                    } @else {
                        p.hint #(hint_id) { (lang.tf("text_hint", &[("max", &q.max_length.to_string())])) }
                        (notes)
                        textarea #(input_id) name=(q.code) rows="4" maxlength=(q.max_length)
                            aria-describedby=(described) aria-invalid=[error.map(|_| "true")] { (state.first(&q.code)) }
                    }
                }
            }
        }
        _ => {
            let multi = q.kind == QuestionKind::Multi;
            html! {
                fieldset.question.has-error[error.is_some()] #{ "q-" (q.code) } aria-describedby=[described] {
                    legend.question-text { (q.text.get(l)) (required) }
                    @if multi { p.hint { (lang.t("multi_hint")) } }
                    (notes)
                    div.options {
                        @for o in &q.options {
                            @let id = format!("{}-{}", q.code, o.code);
                            div.option.dont-know[o.dont_know] {
                                input #(id) type=(if multi { "checkbox" } else { "radio" }) name=(q.code) value=(o.code)
                                    checked[state.given(&q.code, &o.code)];
                                label for=(id) { (o.text.get(l)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A sampled wave's open-link address: it is answered with the letter's code.
pub fn code_only_page(lang: &Lang, district: &District, wave: &Wave) -> Markup {
    let l = lang.code();
    layout(
        lang,
        lang.t("code_only_title"),
        &format!("/s/{}/{}", district.code, wave.year),
        &[],
        html! {
            h1 { (lang.t("code_only_title")) }
            p { (lang.tf("code_only_body", &[("district", district.name.get(l)), ("year", &wave.year.to_string())])) }
            (code_box(lang, None))
        },
    )
}

/// The receipt: the answers are stored. `held`: stored apart for review (many answers from
/// one address, or identical ones), which the resident is told.
pub fn receipt_page(
    lang: &Lang,
    district: &District,
    wave: &Wave,
    day: NaiveDate,
    held: bool,
) -> Markup {
    let l = lang.code();
    layout(
        lang,
        lang.t("receipt_title"),
        &format!("/s/{}/{}", district.code, wave.year),
        &[],
        html! {
            div.receipt role="status" {
                h1 { (lang.t("receipt_title")) }
                @let body = if held { "receipt_held" } else { "receipt_body" };
                p { (lang.tf(body, &[("district", district.name.get(l)), ("year", &wave.year.to_string())])) }
                p { (lang.tf("receipt_day", &[("date", &day.to_string())])) }
                p { (lang.t("receipt_anonymous")) }
            }
            p { a href={ "/resultat?lang=" (l) } { (lang.t("results_link")) } }
            p { a href={ "/?lang=" (l) } { (lang.t("back_home")) } }
        },
    )
}

/// The page for a wave that is not open: when it opens, or when it closed.
pub fn wave_status_page(
    lang: &Lang,
    district: &District,
    wave: &Wave,
    status: WaveStatus,
) -> Markup {
    let l = lang.code();
    let year = wave.year.to_string();
    let (title, body) = match status {
        WaveStatus::NotOpen => (
            lang.t("not_open_title"),
            lang.tf(
                "not_open_body",
                &[
                    ("district", district.name.get(l)),
                    ("year", &year),
                    ("date", &wave.opens_on.to_string()),
                ],
            ),
        ),
        _ => (
            lang.t("closed_title"),
            lang.tf(
                "closed_body",
                &[
                    ("district", district.name.get(l)),
                    ("year", &year),
                    ("date", &wave.closes_on.to_string()),
                ],
            ),
        ),
    };
    message_page(
        lang,
        title,
        &body,
        Some(&format!("/s/{}/{}", district.code, wave.year)),
    )
}
