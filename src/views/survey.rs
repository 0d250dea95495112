//! The resident pages: open surveys, the questionnaire form, the receipt, wave status.

use chrono::NaiveDate;
use maud::{Markup, html};

use super::layout::{layout, message_page};
use super::questions::{FormState, error_summary, question_block};
use crate::i18n::Lang;
use crate::questionnaire::{District, Questionnaire};
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
            (error_summary(lang, q, state))
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
