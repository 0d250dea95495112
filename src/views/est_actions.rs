//! The EST group's actions (insatser): the open actions on the week's picture with the
//! form "Ny insats", the page of every action with its follow-up form and the step into
//! the measures register, and the reports at a measure's places for the measure's page.
//! Overdue actions say "Försenad" in words and carry a mark, never colour alone.

use chrono::NaiveDate;
use maud::{Markup, html};

use super::staff::{layout, scrolled};
use crate::auth::Staff;
use crate::est::action::{MAX_NOTE_CHARS, MAX_OWNER_CHARS, REPORT_WEEKS, ReportWindow};
use crate::est::{Action, ActionKind, ActionStatus, Presence};
use crate::role::Role;

/// The address of the actions page; new actions and follow-ups are posted under it.
pub const ACTIONS_HREF: &str = "/personal/est/insatser";

/// An action as the pages list it: with its place's and district's names.
pub struct ActionRow<'a> {
    pub action: &'a Action,
    /// The place's name, or "Hela området".
    pub place: String,
    pub district: String,
}

/// What the form "Ny insats" offers and holds.
pub struct NewActionForm<'a> {
    /// Districts the person may record in: code and name.
    pub districts: &'a [(String, String)],
    /// Places of the register that may be chosen: id and name.
    pub places: &'a [(String, String)],
    /// The form's values: what was typed, or the district and week prefilled.
    pub values: &'a [(String, String)],
}

fn value<'a>(values: &'a [(String, String)], name: &str) -> &'a str {
    (values.iter())
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

fn faults_box(title: &str, faults: &[String]) -> Markup {
    html! {
        @if !faults.is_empty() {
            div.error-summary role="alert" tabindex="-1" { h2 { (title) } ul { @for f in faults { li { (f) } } } }
        }
    }
}

/// "Försenad" with its mark, or the status alone.
fn status_cell(a: &Action, today: NaiveDate) -> Markup {
    html! {
        (a.new.status.label())
        @if a.overdue(today) { " " strong.overdue-mark { span aria-hidden="true" { "⚠ " } "Försenad" } }
    }
}

/// The open actions' table; with `coordinator`, the link to their follow-up.
pub fn open_table(rows: &[ActionRow], today: NaiveDate, coordinator: bool) -> Markup {
    html! {
        @if rows.is_empty() {
            p { "Inga öppna insatser." }
        } @else {
            (scrolled("Öppna insatser", html! { table.est-actions {
                caption { "Öppna insatser, försenade markerade" }
                thead { tr {
                    th scope="col" { "Plats" } th scope="col" { "Insats" } th scope="col" { "Ansvarig" }
                    th scope="col" { "Klart senast" } th scope="col" { "Status" }
                } }
                tbody { @for r in rows {
                    tr class=[r.action.overdue(today).then_some("overdue")] {
                        th scope="row" { (r.place) ", " (r.district) }
                        td { (r.action.new.kind.label()) }
                        td { (r.action.new.owner) }
                        td { (r.action.new.due) }
                        td { (status_cell(r.action, today)) }
                    }
                } }
            } }))
        }
        @if coordinator { p.no-print { a href=(ACTIONS_HREF) { "Alla insatser och uppföljning" } } }
    }
}

/// The form "Ny insats", with the faults of the last try.
pub fn new_form(s: &Staff, f: &NewActionForm, faults: &[String]) -> Markup {
    let v = |name: &str| value(f.values, name);
    html! {
        form.new-action.no-print method="post" action=(ACTIONS_HREF) {
            (faults_box("Insatsen sparades inte", faults))
            input type="hidden" name="csrf" value=(s.csrf);
            input type="hidden" name="week" value=(v("week"));
            label for="a-district" { "Område" }
            select #a-district name="district" { @for (c, n) in f.districts { option value=(c) selected[v("district") == c] { (n) } } }
            label for="a-place" { "Plats" }
            select #a-place name="place" {
                option value="" { "Hela området" }
                @for (id, n) in f.places { option value=(id) selected[v("place") == id] { (n) } }
            }
            label for="a-kind" { "Insats" }
            select #a-kind name="kind" { @for code in ActionKind::CODES { option value=(code) selected[v("kind") == code] { (ActionKind::code_label(code)) } } }
            label for="a-presence" { "Vem är på plats (bara för närvaro)" }
            select #a-presence name="presence" {
                option value="" { "–" }
                @for p in Presence::ALL { option value=(p.code()) selected[v("presence") == p.code()] { (p.label()) } }
            }
            label for="a-owner" { "Ansvarig organisation (högst " (MAX_OWNER_CHARS) " tecken)" }
            input #a-owner type="text" name="owner" maxlength=(MAX_OWNER_CHARS) value=(v("owner"));
            label for="a-due" { "Klart senast (ÅÅÅÅ-MM-DD)" }
            input #a-due type="text" name="due" inputmode="numeric" value=(v("due"));
            label for="a-status" { "Status" }
            select #a-status name="status" { @for st in ActionStatus::ALL { option value=(st.code()) selected[v("status") == st.code()] { (st.label()) } } }
            label for="a-note" { "Uppföljning (högst " (MAX_NOTE_CHARS) " tecken; inga personuppgifter)" }
            textarea #a-note name="note" rows="3" { (v("note")) }
            button type="submit" { "Spara insatsen" }
        }
    }
}

/// The week's page's section: the open actions, then the form "Ny insats".
pub fn open_section(s: &Staff, rows: &[ActionRow], today: NaiveDate, f: &NewActionForm) -> Markup {
    // A reporter reads the open actions; recording and following them up is the
    // coordinators' (administrators and analysts).
    let coordinator = matches!(s.account.role, Role::Admin | Role::Analyst);
    html! {
        (open_table(rows, today, coordinator))
        @if coordinator {
            h3.no-print { "Ny insats" }
            (new_form(s, f, &[]))
        }
    }
}

/// The page of a refused new action: the form again, with what was typed and why.
pub fn new_action_page(s: &Staff, f: &NewActionForm, faults: &[String]) -> Markup {
    layout("Ny insats", Some(s), new_form(s, f, faults))
}

/// A typed follow-up that was refused: the action, what was typed, and why.
pub struct Editing<'a> {
    pub id: i64,
    pub values: &'a [(String, String)],
    pub faults: &'a [String],
}

fn follow_up(s: &Staff, a: &Action, editing: Option<&Editing>) -> Markup {
    let mine = editing.filter(|e| e.id == a.id);
    let status = mine.map_or(a.new.status.code(), |e| value(e.values, "status"));
    let note = mine.map_or(a.new.note.as_deref().unwrap_or(""), |e| {
        value(e.values, "note")
    });
    let id = a.id;
    html! {
        form method="post" action={ (ACTIONS_HREF) "/" (id) } id={ "insats-" (id) } {
            @if let Some(e) = mine { (faults_box("Ändringen sparades inte", e.faults)) }
            input type="hidden" name="csrf" value=(s.csrf);
            label for={ "s-" (id) } { "Status" }
            select id={ "s-" (id) } name="status" { @for st in ActionStatus::ALL { option value=(st.code()) selected[status == st.code()] { (st.label()) } } }
            label for={ "n-" (id) } { "Uppföljning" }
            textarea id={ "n-" (id) } name="note" rows="2" { (note) }
            button type="submit" { "Spara uppföljningen" }
        }
        @match &a.measure_id {
            Some(m) => p { "I åtgärdsregistret: " a href={ "/personal/atgarder/" (m) } { (m) } },
            None => form method="post" action={ (ACTIONS_HREF) "/" (id) "/atgard" } {
                input type="hidden" name="csrf" value=(s.csrf);
                button type="submit" { "Gör till åtgärd i registret" }
            },
        }
    }
}

/// `/personal/est/insatser`: every action in the person's districts, open first and the
/// overdue first among them, each with its follow-up form.
pub fn actions_page(
    s: &Staff,
    rows: &[ActionRow],
    today: NaiveDate,
    editing: Option<&Editing>,
) -> Markup {
    let body = html! {
        p.lead { "Insatser som EST-gruppen har beslutat utifrån veckans lägesbild. Öppna först, försenade överst. En insats kan med ett steg bli en åtgärd i åtgärdsregistret, så att trygghetsundersökningen utvärderar den." }
        @if rows.is_empty() { p { "Inga insatser ännu. De läggs till från veckans lägesbild." } }
        @for r in rows {
            @let a = r.action;
            section.action-card.overdue[a.overdue(today)] aria-labelledby={ "h-" (a.id) } {
                h2 id={ "h-" (a.id) } { (a.new.kind.label()) " – " (r.place) ", " (r.district) }
                dl {
                    dt { "Status" } dd { (status_cell(a, today)) }
                    dt { "Klart senast" } dd { (a.new.due) }
                    dt { "Ansvarig" } dd { (a.new.owner) }
                    dt { "Från lägesbilden" } dd { "vecka " (a.new.week) }
                    @if let Some(n) = &a.new.note { dt { "Uppföljning" } dd { (n) } }
                }
                (follow_up(s, a, editing))
            }
        }
    };
    layout("Insatser", Some(s), body)
}

/// The reports at a measure's places before and after its start, for its page. `places`:
/// the names of the places counted, or none when the district's reports are counted.
pub fn measure_reports(w: &ReportWindow, places: Option<&[String]>, district: &str) -> Markup {
    let (before, after): (i64, i64) = (w.before.iter().sum(), w.after.iter().sum());
    let n = REPORT_WEEKS as usize;
    html! {
        h2 { "EST-rapporter före och efter starten" }
        @match places {
            Some(names) => p { "Godkända rapporter vid åtgärdens platser (platserna för insatserna som blev åtgärden): " (names.join(", ")) "." },
            None => p { "Åtgärden har inga insatser med en plats kopplade till sig, så här räknas alla godkända rapporter i " (district) "." },
        }
        p.est-window { strong { (before) " rapporter de " (REPORT_WEEKS) " veckorna före, " (after) " de " (REPORT_WEEKS) " veckorna efter" } " (start " (w.start) "; veckorna räknas i perioder om sju dagar från startdagen)." }
        p.hint { "Antalet rapporter följer också hur mycket som rapporteras: fler rapportörer, en kampanj eller uppmärksamhet kring platsen ger fler rapporter utan att mer har hänt, och färre rapporter kan betyda att färre rapporterar." }
        (scrolled("Rapporter per vecka före och efter starten", html! { table.est-window {
            caption { "Godkända rapporter per vecka, " (REPORT_WEEKS) " veckor före och efter starten" }
            thead { tr { th scope="col" { "Vecka" } th scope="col" { "Dagar" } th scope="col" { "Rapporter" } } }
            tbody {
                @for i in (0..n).rev() { @let (a, b) = w.period(i, false);
                    tr { th scope="row" { "−" (i + 1) } td { (a) " – " (b) } td { (w.before[i]) } } }
                @for i in 0..n { @let (a, b) = w.period(i, true);
                    tr { th scope="row" { "+" (i + 1) } td { (a) " – " (b) } td { (w.after[i]) } } }
            }
        } }))
    }
}
