//! The EST places register (`/personal/est/platser`): every place per district on a small
//! map drawn from its coordinates and in a table, and for administrators the form that adds,
//! changes or removes one (every save is a new version of the whole register).

use maud::{Markup, html};

use super::est_week::{MapPlace, project};
use super::staff::{layout, scrolled};
use crate::auth::Staff;
use crate::est::{LAT_RANGE, LON_RANGE, Place};
use crate::operations::{MAX_PLACE_NAME_CHARS, PlaceRegister};
use crate::role::Role;

/// Everything the page shows.
pub struct PlacesPage<'a> {
    pub register: &'a PlaceRegister,
    /// District codes and names, in the register's order of districts.
    pub districts: &'a [(String, String)],
    /// Why the last edit was refused.
    pub faults: &'a [String],
    /// The edit form's values: what was typed, or the place chosen for editing.
    pub form: &'a [(String, String)],
    /// Reports per place id (places without are left out).
    pub reports: &'a dyn Fn(&str) -> i64,
}

const SIZE: (f64, f64) = (640.0, 420.0);

/// The places of one district on a map, each with its name.
fn map(places: &[&Place], district: &str) -> Markup {
    let marks: Vec<MapPlace> = places
        .iter()
        .map(|p| MapPlace {
            name: p.name.clone(),
            lat: p.lat,
            lon: p.lon,
            count: 0,
        })
        .collect();
    let at = project(&marks);
    let caption = format!(
        "Karta över registrets {} platser i {district}.",
        places.len()
    );
    html! {
        figure.map {
            svg xmlns="http://www.w3.org/2000/svg" viewBox={ "0 0 " (SIZE.0) " " (SIZE.1) } width=(SIZE.0) height=(SIZE.1) role="img" aria-label=(caption) {
                rect x="0" y="0" width=(SIZE.0) height=(SIZE.1) fill="#f4f4f4" stroke="#999" {}
                @for (p, (x, y)) in places.iter().zip(&at) {
                    circle cx=(format!("{x:.1}")) cy=(format!("{y:.1}")) r="6" fill="#0072B2" stroke="#0b0c0c" stroke-width="1.5" { title { (p.name) } }
                    @let (tx, anchor) = if *x > SIZE.0 / 2.0 { (x - 9.0, "end") } else { (x + 9.0, "start") };
                    text x=(format!("{tx:.1}")) y=(format!("{:.1}", y + 4.0)) text-anchor=(anchor) font-size="13" font-family="sans-serif" fill="#1b1b1b" { (p.name) }
                }
            }
            figcaption { (caption) }
        }
    }
}

pub fn places_page(s: &Staff, p: &PlacesPage) -> Markup {
    let admin = s.account.role == Role::Admin;
    layout(
        "Platser för veckans lägesbild",
        Some(s),
        html! {
            @if !p.faults.is_empty() {
                div.error-summary role="alert" tabindex="-1" { h2 { "Platsen sparades inte" } ul { @for f in p.faults { li { (f) } } } }
            }
            p {
                @match &p.register.version {
                    Some(v) => { "Registret ändrades senast i trygg (version " (v.version) ", " (v.edited_by) ", " (v.edited_at) "). " }
                    None => { "Registret kommer från surveys/places.toml. Första ändringen här sparar det i databasen som version 1. " }
                }
                a href="/personal/est/platser.toml" download="places.toml" { "Ladda ner registret som places.toml" }
                " (för att lägga in det i surveys/ eller läsa det med trygg check)."
            }
            @for (code, name) in p.districts {
                @let here: Vec<&Place> = p.register.places.in_district(code).collect();
                @if !here.is_empty() {
                    h2 { (name) }
                    (map(&here, name))
                    (scrolled(&format!("Platser i {name}"), html! { table {
                        thead { tr { th scope="col" { "Id" } th scope="col" { "Namn" } th scope="col" { "Latitud" } th scope="col" { "Longitud" } th scope="col" { "Rapporter" } @if admin { th scope="col" { "" } } } }
                        tbody { @for pl in &here { tr {
                            td { (pl.id) } td { (pl.name) } td { (pl.lat) } td { (pl.lon) } td { ((p.reports)(&pl.id)) }
                            @if admin { td { a href={ "/personal/est/platser?andra=" (pl.id) "#andra" } { "Ändra " (pl.name) } } }
                        } } }
                    } }))
                }
            }
            @if admin { (form(s, p)) }
        },
    )
}

/// The form that adds a place, or changes or removes the one with the same id.
fn form(s: &Staff, p: &PlacesPage) -> Markup {
    let value = |name: &str| {
        (p.form.iter())
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    };
    html! {
        h2 #andra { "Lägg till eller ändra en plats" }
        p { "Samma id ändrar en befintlig plats. En plats som rapporter redan anger behåller sitt id och sitt område och kan inte tas bort, så att tidigare veckors räkningar stämmer; lägg till en ny plats i stället." }
        form method="post" action="/personal/est/platser" {
            input type="hidden" name="csrf" value=(s.csrf);
            label for="p-id" { "Id (a–z, 0–9 och bindestreck)" }
            input #p-id type="text" name="id" maxlength="64" required value=(value("id"));
            label for="p-name" { "Namn" }
            input #p-name type="text" name="name" maxlength=(MAX_PLACE_NAME_CHARS) required value=(value("name"));
            label for="p-district" { "Område" }
            select #p-district name="district" { @for (c, n) in p.districts { option value=(c) selected[value("district") == c] { (n) } } }
            label for="p-lat" { "Latitud (WGS 84, " (LAT_RANGE.0) "–" (LAT_RANGE.1) ")" }
            input #p-lat type="text" name="lat" inputmode="decimal" required value=(value("lat"));
            label for="p-lon" { "Longitud (WGS 84, " (LON_RANGE.0) "–" (LON_RANGE.1) ")" }
            input #p-lon type="text" name="lon" inputmode="decimal" required value=(value("lon"));
            div.option { input #p-remove type="checkbox" name="remove" value="1"; label for="p-remove" { "Ta bort platsen" } }
            button type="submit" { "Spara" }
        }
    }
}
