//! The EST report form (`/personal/est/rapportera`) and "Mina rapporter"
//! (`/personal/est/mina`), for reporters on a phone: one column, native controls only (a
//! date input, radios, selects), no script. A refused form comes back with every answer
//! kept and the GOV.UK error summary linking to each field; "Mina rapporter" shows the
//! receipt only for a report it finds among the person's own.

use chrono::NaiveDate;
use maud::{Markup, html};

use super::staff::{layout, scrolled};
use crate::auth::Staff;
use crate::est::filing::{Answers, Field, MAX_OTHER_PLACE_CHARS, MAX_REPORT_AGE_DAYS, OTHER_PLACE};
use crate::est::{Category, MAX_DESCRIPTION_CHARS, PartOfDay, Report, ReportStatus};

/// A district the person may report in: code, name and its places (id, name).
pub struct DistrictPlaces {
    pub code: String,
    pub name: String,
    pub places: Vec<(String, String)>,
}

/// Everything the form shows.
pub struct ReportForm<'a> {
    pub districts: &'a [DistrictPlaces],
    pub answers: &'a Answers,
    pub faults: &'a [(Field, String)],
    /// The report could not be stored: said above the form.
    pub failure: Option<&'a str>,
    pub today: NaiveDate,
}

fn fault(faults: &[(Field, String)], f: Field) -> Option<&str> {
    faults
        .iter()
        .find(|(x, _)| *x == f)
        .map(|(_, m)| m.as_str())
}

fn error_line(faults: &[(Field, String)], f: Field) -> Markup {
    html! { @if let Some(m) = fault(faults, f) { p.error-message id={ (f.name()) "-error" } { (m) } } }
}

fn summary(form: &ReportForm) -> Markup {
    html! {
        @if let Some(m) = form.failure {
            div.error-summary role="alert" tabindex="-1" id="error-summary" autofocus {
                h2 { "Rapporten sparades inte" }
                p { (m) }
            }
        } @else if !form.faults.is_empty() {
            div.error-summary role="alert" aria-labelledby="error-summary-title" tabindex="-1" id="error-summary" autofocus {
                h2 #error-summary-title { "Rapporten sparades inte – rätta " (form.faults.len()) " sak" @if form.faults.len() > 1 { "er" } }
                ul { @for (f, m) in form.faults { li { a href={ "#" (f.name()) } { (m) } } } }
            }
        }
    }
}

fn district_field(form: &ReportForm) -> Markup {
    let a = form.answers;
    html! {
        @if let [only] = form.districts {
            input type="hidden" name="district" value=(only.code);
            p { "Område: " strong { (only.name) } }
        } @else {
            div.has-error[fault(form.faults, Field::District).is_some()] {
                label for="district" { "Område" }
                (error_line(form.faults, Field::District))
                select #district name="district" {
                    option value="" { "Välj område" }
                    @for d in form.districts { option value=(d.code) selected[a.district == d.code] { (d.name) } }
                }
            }
        }
    }
}

fn place_field(form: &ReportForm) -> Markup {
    let a = form.answers;
    let options = |d: &DistrictPlaces| {
        html! { @for (id, name) in &d.places { option value=(id) selected[a.place == *id] { (name) } } }
    };
    html! {
        div.has-error[fault(form.faults, Field::Place).is_some() || fault(form.faults, Field::OtherPlace).is_some()] {
            label for="place" { "Plats" }
            (error_line(form.faults, Field::Place))
            select #place name="place" {
                option value="" { "Välj plats" }
                @if let [only] = form.districts { (options(only)) } @else {
                    @for d in form.districts { optgroup label=(d.name) { (options(d)) } }
                }
                option value=(OTHER_PLACE) selected[a.place == OTHER_PLACE] { "Annan plats (beskriv nedan)" }
            }
            label for="other_place" { "Annan plats: var?" }
            p.hint #other-hint { "Bara om platsen inte finns i listan, till exempel gatan och närmaste hus." }
            (error_line(form.faults, Field::OtherPlace))
            input #other_place type="text" name="other_place" maxlength=(MAX_OTHER_PLACE_CHARS) aria-describedby="other-hint" value=(a.other_place);
        }
    }
}

fn choices(form: &ReportForm) -> Markup {
    let a = form.answers;
    html! {
        fieldset.has-error[fault(form.faults, Field::PartOfDay).is_some()] #part_of_day {
            legend { "När på dygnet?" }
            (error_line(form.faults, Field::PartOfDay))
            @for p in PartOfDay::ALL {
                div.option {
                    input id={ "pod-" (p.code()) } type="radio" name="part_of_day" value=(p.code()) checked[a.part_of_day == p.code()];
                    label for={ "pod-" (p.code()) } { (p.label()) }
                }
            }
        }
        fieldset.has-error[fault(form.faults, Field::Category).is_some()] #category {
            legend { "Vad gäller det?" }
            (error_line(form.faults, Field::Category))
            @for c in Category::ALL {
                div.option {
                    input id={ "cat-" (c.code()) } type="radio" name="category" value=(c.code()) checked[a.category == c.code()] aria-describedby={ "cat-" (c.code()) "-hint" };
                    label for={ "cat-" (c.code()) } { strong { (c.label()) } br; span.hint id={ "cat-" (c.code()) "-hint" } { (c.description()) } }
                }
            }
        }
    }
}

/// The report form.
pub fn report_form(s: &Staff, form: &ReportForm) -> Markup {
    let a = form.answers;
    let oldest = form.today - chrono::Days::new(MAX_REPORT_AGE_DAYS as u64);
    let day = if a.day.is_empty() {
        form.today.to_string()
    } else {
        a.day.clone()
    };
    let body = html! {
        (summary(form))
        p.lead { "Rapportera en händelse på en offentlig plats till veckans lägesbild. Rapporten handlar om platsen och vad som hänt – aldrig om vem." }
        form.est-report method="post" action="/personal/est/rapportera" novalidate {
            input type="hidden" name="csrf" value=(s.csrf);
            (district_field(form))
            (place_field(form))
            div.has-error[fault(form.faults, Field::Day).is_some()] {
                label for="day" { "Datum" }
                (error_line(form.faults, Field::Day))
                input #day type="date" name="day" value=(day) min=(oldest) max=(form.today);
            }
            (choices(form))
            div.has-error[fault(form.faults, Field::Description).is_some()] {
                label for="description" { "Kort beskrivning (frivillig)" }
                p.hint #description-hint { "Högst " (MAX_DESCRIPTION_CHARS) " tecken. Skriv om platsen och händelsen – inga namn, personnummer, telefonnummer eller e-postadresser." }
                (error_line(form.faults, Field::Description))
                textarea #description name="description" rows="4" maxlength=(MAX_DESCRIPTION_CHARS) aria-describedby="description-hint" { (a.description) }
            }
            button type="submit" { "Skicka rapporten" }
        }
        p { a href="/personal/est/mina" { "Mina rapporter" } }
    };
    layout("Rapportera en händelse", Some(s), body)
}

/// A status as the reporter reads it.
pub fn status_sv(s: ReportStatus) -> &'static str {
    match s {
        ReportStatus::New => "ny, väntar på granskning",
        ReportStatus::Accepted => "godkänd",
        ReportStatus::Rejected => "avvisad",
        ReportStatus::Merged => "sammanslagen med en annan rapport",
    }
}

/// "Mina rapporter": the person's reports, and the receipt of one just stored.
pub fn mine(
    s: &Staff,
    reports: &[Report],
    saved: Option<&Report>,
    place_name: &dyn Fn(&Report) -> String,
    days: i64,
) -> Markup {
    let body = html! {
        @if let Some(r) = saved {
            div.receipt role="status" {
                // Reloaded after the review, the receipt says what became of it.
                h2 { @if r.status == ReportStatus::New { "Rapporten är sparad och väntar på granskning" } @else { "Rapporten är sparad och granskad: " (status_sv(r.status)) } }
                p { (r.category.label()) ", " (place_name(r)) ", " (r.day) "." }
            }
        }
        p { a href="/personal/est/rapportera" { "Rapportera en händelse" } }
        p.hint { "Dina rapporter om händelser de senaste " (days) " dagarna. Bara godkända rapporter räknas i veckans lägesbild." }
        @if reports.is_empty() {
            p { "Du har inga rapporter från den tiden." }
        } @else {
            (scrolled("Mina rapporter", html! { table {
                caption { "Mina rapporter" }
                thead { tr { th scope="col" { "Datum" } th scope="col" { "Plats" } th scope="col" { "Kategori" } th scope="col" { "Status" } } }
                tbody { @for r in reports { tr {
                    td { (r.day) } td { (place_name(r)) } td { (r.category.label()) } td { (status_sv(r.status)) }
                } } }
            } }))
        }
    };
    layout("Mina rapporter", Some(s), body)
}
