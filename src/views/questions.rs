//! The questions of a form: each as its fieldset or labelled field with its help and its
//! error, the error summary above a form (the GOV.UK pattern), and what a form shows again
//! ([`FormState`]). The one-page questionnaire and the paged one both draw them.

use maud::{Markup, html};

use crate::i18n::Lang;
use crate::questionnaire::{AnswerError, Question, QuestionKind, Questionnaire, RawAnswers};

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

pub(super) fn error_text(lang: &Lang, e: &AnswerError) -> String {
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

pub(super) fn question_block(lang: &Lang, q: &Question, state: &FormState) -> Markup {
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

/// Above a form that came back: why nothing was saved (a notice), or every answer to
/// correct, each linking to its question's first control. The box takes the focus when the
/// page loads (`autofocus`, no script needed), so a screen reader reads it first and a
/// keyboard continues from it — the GOV.UK error summary.
pub(super) fn error_summary(lang: &Lang, q: &Questionnaire, state: &FormState) -> Markup {
    let l = lang.code();
    html! {
        @if let Some(notice) = &state.notice {
            div.error-summary role="alert" tabindex="-1" id="error-summary" autofocus[state.errors.is_empty()] {
                h2 { (lang.t("not_saved_title")) }
                p { (notice) }
            }
        }
        @if !state.errors.is_empty() {
            div.error-summary role="alert" aria-labelledby="error-summary-title" tabindex="-1" id="error-summary" autofocus {
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
    }
}
