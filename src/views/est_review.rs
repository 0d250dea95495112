//! The EST review queue (`/personal/est/granska`) for the coordinator (an administrator or
//! analyst): the new reports of their districts, oldest first, each with its district,
//! place, day, part of the day, category, description and organisation — never the person
//! who filed it — and a form to accept, reject or merge it into another report of the
//! same district near that day.

use maud::{Markup, html};

use super::staff::layout;
use crate::auth::Staff;
use crate::est::Report;

/// A report waiting for review, with what the page shows of it.
pub struct QueueItem<'a> {
    pub report: &'a Report,
    pub district_name: String,
    pub place: String,
    /// Reports it may be merged into: id and a line saying what each is.
    pub targets: Vec<(i64, String)>,
}

fn item(s: &Staff, q: &QueueItem) -> Markup {
    let r = q.report;
    let id = r.id;
    html! {
        section.est-queued aria-labelledby={ "r" (id) "-title" } {
            h2 id={ "r" (id) "-title" } { "Rapport " (id) ": " (r.category.label()) ", " (q.place) }
            dl {
                dt { "Område" } dd { (q.district_name) }
                dt { "Plats" } dd { (q.place) }
                dt { "Dag" } dd { (r.day) @if let Some(p) = r.part_of_day { ", " (p.label()) } }
                dt { "Kategori" } dd { (r.category.label()) }
                dt { "Beskrivning" } dd { (r.description.as_deref().unwrap_or("–")) }
                dt { "Organisation" } dd { (r.organisation) }
            }
            form method="post" action="/personal/est/granska" {
                input type="hidden" name="csrf" value=(s.csrf);
                input type="hidden" name="id" value=(id);
                button type="submit" name="decision" value="accept" { "Godkänn" }
                " "
                button.secondary type="submit" name="decision" value="reject" { "Avvisa" }
                @if !q.targets.is_empty() {
                    label for={ "target-" (id) } { "Slå ihop med (samma händelse)" }
                    select id={ "target-" (id) } name="target" {
                        @for (t, line) in &q.targets { option value=(t) { (line) } }
                    }
                    button.secondary type="submit" name="decision" value="merge" { "Slå ihop" }
                }
            }
        }
    }
}

/// The queue, with an error (a refused decision) above it.
pub fn queue(s: &Staff, items: &[QueueItem], error: Option<&str>) -> Markup {
    let body = html! {
        @if let Some(e) = error {
            div.error-summary role="alert" tabindex="-1" autofocus { h2 { "Beslutet sparades inte" } p { (e) } }
        }
        p.hint { "Nya rapporter från dina områden, äldst först. Bara godkända rapporter räknas i veckans lägesbild; en sammanslagen rapport räknas inte för sig." }
        @if items.is_empty() {
            p { "Inga rapporter väntar på granskning." }
        }
        @for q in items { (item(s, q)) }
    };
    layout("Granska rapporter", Some(s), body)
}
