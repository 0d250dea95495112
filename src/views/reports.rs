//! The yearly reports' pages: the staff page that builds and publishes a year's report
//! (`/personal/rapporter`), and the public list of published reports (`/rapporter`).

use maud::{Markup, html};

use super::staff::{layout, scrolled};
use crate::auth::Staff;
use crate::i18n::Lang;

/// What the last action on the staff page did, shown above the list.
pub enum Outcome {
    None,
    Published(String),
    Refused(String),
}

/// The staff page: every year with waves, newest first, with whether its report is
/// published (`published`) and a button to build it.
pub fn staff_reports(s: &Staff, years: &[(i32, bool)], outcome: &Outcome) -> Markup {
    let published = |y: i32| years.iter().any(|(x, p)| *x == y && *p);
    let years: Vec<i32> = years.iter().map(|(y, _)| *y).collect();
    let body = html! {
        @match &outcome {
            Outcome::Published(msg) => { div.notice role="status" { p { (msg) } } }
            Outcome::Refused(msg) => { div.error-summary role="alert" tabindex="-1" { h2 { "Rapporten togs inte fram" } p { (msg) } } }
            Outcome::None => {}
        }
        p { "Årsrapporten byggs av alla svar som finns nu och jämförs med tidigare år. Den publiceras på /rapporter och ersätter en tidigare version av samma år. Åtgärdsregistrets version som gäller nu står i rapporten." }
        @if years.is_empty() {
            p { "Det finns inga enkäter ännu." }
        } @else {
            (scrolled("Årsrapporter", html! { table {
                thead { tr { th scope="col" { "År" } th scope="col" { "Publicerad" } th scope="col" { "Ta fram" } } }
                tbody {
                    @for y in &years {
                        tr {
                            td { (y) }
                            td { @if published(*y) { a href={ "/rapporter/" (y) "/" } { "Rapporten " (y) } } @else { "nej" } }
                            td {
                                form method="post" action="/personal/rapporter" {
                                    input type="hidden" name="csrf" value=(s.csrf);
                                    input type="hidden" name="year" value=(y);
                                    div.option {
                                        input type="checkbox" id={ "prel-" (y) } name="preliminary" value="1";
                                        label for={ "prel-" (y) } { "Preliminär (enkäten pågår)" }
                                    }
                                    button type="submit" { @if published(*y) { "Ta fram på nytt" } @else { "Ta fram och publicera" } " " (y) }
                                }
                            }
                        }
                    }
                }
            } }))
        }
    };
    layout("Årsrapporter", Some(s), body)
}

/// A published report: its year and the districts with a page of their own in it
/// (code, Swedish name).
pub struct Published {
    pub year: i32,
    pub districts: Vec<(String, String)>,
}

/// The public list of published reports, newest first, each with its district pages.
pub fn public_reports(reports: &[Published]) -> Markup {
    let lang = Lang::default();
    let body = html! {
        h1 { "Rapporter" }
        p { "Årsrapporterna från trygghetsundersökningen, med diagram, tabeller och arbetsbok." }
        @if reports.is_empty() {
            p { "Inga rapporter är publicerade ännu." }
        } @else {
            ul {
                @for r in reports {
                    li {
                        a href={ "/rapporter/" (r.year) "/" } { "Trygghetsundersökning " (r.year) }
                        @if !r.districts.is_empty() {
                            " – sidor per område för styrgruppen: "
                            @for (i, (code, name)) in r.districts.iter().enumerate() {
                                @if i > 0 { ", " }
                                a href={ "/rapporter/" (r.year) "/" (code) ".html" } { (name) " " (r.year) }
                            }
                        }
                    }
                }
            }
        }
    };
    super::layout(&lang, "Rapporter", "/rapporter", &[], body)
}
