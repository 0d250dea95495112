//! The page frame every resident page shares: language and direction, the language switch,
//! the header and footer with the municipality's face ([`super::face`]), main; and the plain
//! message page built on it.

use maud::{DOCTYPE, Markup, html};

use super::face;
use crate::i18n::{Lang, languages};

/// The stylesheet, served at `/static/style.css`.
pub const STYLESHEET: &str = include_str!("style.css");

/// The page frame: language and direction, the language switch, header, main and footer;
/// the header and footer show the site settings of the request ([`face::current`]).
///
/// `here` is the path the language switch links to; `offered` limits the switch to the
/// languages a questionnaire has (empty: every language of the catalogue).
pub fn layout(lang: &Lang, title: &str, here: &str, offered: &[String], body: Markup) -> Markup {
    frame(lang, title, offered, Switch::Links(here), body)
}

/// The frame of a page that is a form the resident fills in: its language switch posts the
/// form (`form_id`), so changing language keeps what was typed on the page. The first
/// submit button of the page is a hidden "next", so the Enter key in a field goes on
/// instead of changing the language.
pub fn form_layout(
    lang: &Lang,
    title: &str,
    form_id: &str,
    offered: &[String],
    body: Markup,
) -> Markup {
    frame(lang, title, offered, Switch::Buttons(form_id), body)
}

/// How the language switch changes language: by a link, or by posting a form.
#[derive(Clone, Copy)]
enum Switch<'a> {
    Links(&'a str),
    Buttons(&'a str),
}

fn frame(lang: &Lang, title: &str, offered: &[String], how: Switch, body: Markup) -> Markup {
    let switch: Vec<_> = languages()
        .into_iter()
        .filter(|(code, _)| offered.is_empty() || offered.iter().any(|o| o == code))
        .collect();
    let site = face::current();
    html! {
        (DOCTYPE)
        html lang=(lang.code()) dir=(lang.dir()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="no-referrer";
                title { (title) " – " (lang.t("site_name")) }
                link rel="stylesheet" href="/static/style.css";
                link rel="stylesheet" href="/static/site.css";
            }
            body {
                @if let Switch::Buttons(form) = how {
                    button.default-button type="submit" form=(form) name="go" value="next" tabindex="-1" aria-hidden="true" { (lang.t("next")) }
                }
                a.skip href="#main" { (lang.t("skip_link")) }
                header.masthead { div.bar {
                    (face::brand(lang, &site))
                    @if switch.len() > 1 {
                        nav.languages aria-label=(lang.t("language_label")) {
                            ul {
                                @for (code, info) in &switch {
                                    li {
                                        @if *code == lang.code() {
                                            span aria-current="page" lang=(code) { (info.name) }
                                        } @else {
                                            @match how {
                                                Switch::Links(here) => {
                                                    a href={ (here) "?lang=" (code) } lang=(code) hreflang=(code) { (info.name) }
                                                }
                                                Switch::Buttons(form) => {
                                                    button.link type="submit" form=(form) name="go" value={ "lang:" (code) } lang=(code) formnovalidate { (info.name) }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                } }
                main #main { (body) }
                (face::footer(lang, &site))
            }
        }
    }
}

/// A page with a heading, a paragraph and a link back to the start page.
pub fn message_page(lang: &Lang, title: &str, body: &str, here: Option<&str>) -> Markup {
    layout(
        lang,
        title,
        here.unwrap_or("/"),
        &[],
        html! {
            h1 { (title) }
            p { (body) }
            p { a href={ "/?lang=" (lang.code()) } { (lang.t("back_home")) } }
        },
    )
}
