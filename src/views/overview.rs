//! The survey year's overview for staff: one card per district with its newest wave — how
//! it stands (open, days left, answers and response rate so far) and what needs doing —
//! on one screen, and every wave with its sampling strata a click away.

use chrono::NaiveDate;
use maud::{Markup, html};

use super::staff::{layout, scrolled};
use crate::analysis::policy::{FIELDWORK_ALERT_DAYS, FIELDWORK_ALERT_RATE};
use crate::auth::Staff;
use crate::store::{StratumRate, Wave, WaveStatus};

/// One wave as the overview shows it.
pub struct WaveSummary {
    pub wave: Wave,
    /// The district's name.
    pub name: String,
    /// Answers counted (web and paper).
    pub answers: i64,
    /// Letters and answers per sampling stratum; empty for an open link.
    pub rates: Vec<StratumRate>,
    /// Open-link answers held for review.
    pub held: i64,
}

/// A count as staff may see it: under 5 shown as "<5".
fn count(n: i64) -> String {
    if (1..5).contains(&n) {
        "<5".into()
    } else {
        n.to_string()
    }
}

fn percent(r: f64) -> String {
    format!("{:.0} %", 100.0 * r)
}

/// What needs doing about a wave, in plain Swedish, with where to do it.
fn alerts(s: &WaveSummary, today: NaiveDate) -> Vec<(String, &'static str)> {
    let (w, total) = (&s.wave, StratumRate::total(&s.rates));
    let days_left = (w.closes_on - today).num_days();
    let mut out = Vec::new();
    if w.status(today) == WaveStatus::Open
        && !s.rates.is_empty()
        && days_left <= FIELDWORK_ALERT_DAYS
        && let Some(rate) = total.rate().filter(|r| *r < FIELDWORK_ALERT_RATE)
    {
        out.push((
            format!(
                "Svarsfrekvensen är {} med {days_left} dagar kvar: skicka påminnelser.",
                percent(rate)
            ),
            "/personal/falt",
        ));
    }
    if s.held > 0 {
        out.push((
            format!(
                "{} svar via öppen länk väntar på granskning.",
                count(s.held)
            ),
            "/personal/granskning",
        ));
    }
    if w.status(today) == WaveStatus::Open && s.rates.is_empty() {
        out.push((
            "Öppen länk: svaren är självselekterade och ger ingen svarsfrekvens.".into(),
            "/personal/vagor",
        ));
    }
    out
}

/// One district's card: its newest wave.
fn card(s: &WaveSummary, today: NaiveDate) -> Markup {
    let (w, total) = (&s.wave, StratumRate::total(&s.rates));
    let id = format!("omrade-{}", w.district);
    let alerts = alerts(s, today);
    html! {
        section.card aria-labelledby=(id) {
            h2 #(id) { (s.name) " " (w.year) }
            p {
                @match w.status(today) {
                    WaveStatus::Open => { "Öppen till " (w.closes_on) " (" ((w.closes_on - today).num_days()) " dagar kvar)" }
                    WaveStatus::Closed => { "Stängd " (w.closes_on) }
                    WaveStatus::NotOpen => { "Öppnar " (w.opens_on) " (om " ((w.opens_on - today).num_days()) " dagar)" }
                }
            }
            @if s.rates.is_empty() {
                p.figure { strong { (count(s.answers)) } " svar via öppen länk" }
            } @else {
                p.figure {
                    strong { (total.rate().map(percent).unwrap_or_else(|| "–".into())) } " svarsfrekvens"
                }
                p { (count(total.web)) " på webben, " (count(total.paper)) " på papper av " (total.letters) " brev" }
            }
            @if alerts.is_empty() {
                p.ok { "Inget att åtgärda." }
            } @else {
                ul.alerts { @for (text, href) in &alerts { li { a href=(href) { (text) } } } }
            }
        }
    }
}

/// The overview page: a card per district (its newest wave), then every wave and stratum.
pub fn dashboard(s: &Staff, waves: &[WaveSummary], today: NaiveDate) -> Markup {
    let mut newest: Vec<&WaveSummary> = Vec::new();
    for w in waves {
        match newest
            .iter_mut()
            .find(|n| n.wave.district == w.wave.district)
        {
            Some(n) if n.wave.year < w.wave.year => *n = w,
            Some(_) => {}
            None => newest.push(w),
        }
    }
    newest.sort_by(|a, b| a.name.cmp(&b.name));
    layout(
        "Översikt över undersökningsåret",
        Some(s),
        html! {
            p { "Varje områdes senaste enkät. Ladda om sidan för att se nya svar. Antal under 5 visas som <5." }
            div.cards { @for w in &newest { (card(w, today)) } }
            details {
                summary { "Alla enkäter, med svar per urvalsgrupp" }
                (scrolled("Svar per område och enkät", html! { table {
                thead { tr { th { "Område" } th { "År" } th { "Status" } th { "Utskick" } th { "Brev" } th { "Webb" } th { "Papper" } th { "Svarsfrekvens" } } }
                tbody {
                    @for WaveSummary { wave: w, name, answers, rates, .. } in waves {
                        @let t = StratumRate::total(rates);
                        tr {
                            td { (name) } td { (w.year) }
                            td { (match w.status(today) { crate::store::WaveStatus::Open => "öppen", crate::store::WaveStatus::Closed => "stängd", crate::store::WaveStatus::NotOpen => "inte öppnad" }) }
                            @if rates.is_empty() {
                                td { "öppen länk" } td { "–" } td { (count(*answers)) } td { "–" } td { "–" }
                            } @else {
                                td { "slumpurval" } td { (t.letters) } td { (count(t.web)) } td { (count(t.paper)) }
                                td { (t.rate().map(|r| format!("{:.0} %", 100.0 * r)).unwrap_or_else(|| "–".into())) }
                            }
                        }
                        @if !rates.is_empty() {
                            @for r in rates {
                                tr.stratum {
                                    td { "" } td { "" } td { (r.stratum) } td { "" } td { (r.letters) } td { (count(r.web)) } td { (count(r.paper)) }
                                    td { (r.rate().map(|x| format!("{:.0} %", 100.0 * x)).unwrap_or_else(|| "–".into())) }
                                }
                            }
                        }
                    }
                }
            } }))
            }
        },
    )
}
