//! The EST group's week's picture (`/personal/est/<district>/<YYYY>-W<ww>`): the counts
//! table, what stands out, places ranked, a map of the places drawn from the register's
//! coordinates, the 52-week chart, and links to the weeks before and after. Swedish, as
//! every staff page; it prints without the navigation (`@media print` in `style.css`).

use maud::{Markup, html};

use super::staff::{layout, scrolled};
use crate::auth::Staff;
use crate::charts::Described;
use crate::est::Week;
use crate::est::picture::{Picture, STANDS_OUT_FACTOR, STANDS_OUT_MIN, Standout};
use crate::report::{Drawing, chart_figure};

/// A place on the map: its name, coordinates and reports this week.
pub struct MapPlace {
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    pub count: i64,
}

/// Everything the page shows.
pub struct WeekPage<'a> {
    /// `ryd`, or `alla`.
    pub district: &'a str,
    /// "Ryd", or "Alla områden".
    pub district_name: &'a str,
    pub picture: &'a Picture,
    /// A register place's name (its id when the register has none).
    pub place_name: &'a dyn Fn(&str) -> String,
    /// Every place of the district (all places, for all districts).
    pub map: &'a [MapPlace],
    /// The 52-week chart's SVG and text alternative, when any category has reports.
    pub chart: Option<(String, Described)>,
    /// The district's key indicators of its latest closed survey year, when there is one.
    pub survey: Option<Indicators>,
    /// For a coordinator (admin or analyst): the new reports waiting in the review queue
    /// for the district (or all districts). `None` for a reporter, who also gets no export.
    pub waiting: Option<i64>,
    /// The open actions and the form "Ny insats" (`views/est_actions.rs`).
    pub actions: Markup,
}

/// A survey year and its indicators: name and published value ("58 %", "3,4").
pub type Indicators = (i32, Vec<(String, String)>);

/// A number as Swedes write it, with one decimal when it has one: "0,75" → "0,8".
pub fn decimal(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}").replace('.', ",")
    }
}

/// The address of a district's week.
pub fn week_href(district: &str, week: Week) -> String {
    format!("/personal/est/{district}/{week}")
}

const MAP_SIZE: (f64, f64) = (640.0, 420.0);
const MAP_PAD: f64 = 40.0;

/// Where each place is drawn: an equirectangular projection (longitude shortened by the
/// cosine of the middle latitude) scaled to the places' bounding box, north up.
pub fn project(places: &[MapPlace]) -> Vec<(f64, f64)> {
    let lats = places.iter().map(|p| p.lat);
    let lons = places.iter().map(|p| p.lon);
    let (lat0, lat1) = lats.fold((f64::MAX, f64::MIN), |(a, b), x| (a.min(x), b.max(x)));
    let (lon0, lon1) = lons.fold((f64::MAX, f64::MIN), |(a, b), x| (a.min(x), b.max(x)));
    let k = ((lat0 + lat1) / 2.0).to_radians().cos();
    let (w, h) = (((lon1 - lon0) * k).max(1e-9), (lat1 - lat0).max(1e-9));
    let scale = ((MAP_SIZE.0 - 2.0 * MAP_PAD) / w).min((MAP_SIZE.1 - 2.0 * MAP_PAD) / h);
    // Centred in the drawing, whatever the box's shape (one place: the middle).
    let (dx, dy) = (
        (MAP_SIZE.0 - w * scale) / 2.0,
        (MAP_SIZE.1 - h * scale) / 2.0,
    );
    places
        .iter()
        .map(|p| {
            let x = if lon1 > lon0 {
                (p.lon - lon0) * k * scale + dx
            } else {
                MAP_SIZE.0 / 2.0
            };
            let y = if lat1 > lat0 {
                (lat1 - p.lat) * scale + dy
            } else {
                MAP_SIZE.1 / 2.0
            };
            (x, y)
        })
        .collect()
}

fn radius(count: i64) -> f64 {
    4.0 + 5.0 * (count as f64).sqrt()
}

/// The map of the places, with its text alternative (a sentence and a table).
fn map(places: &[MapPlace], district_name: &str) -> Markup {
    let at = project(places);
    let label = format!(
        "Karta över {} platser i {district_name}; cirklarnas storlek visar veckans rapporter.",
        places.len()
    );
    html! {
        figure.map {
            svg xmlns="http://www.w3.org/2000/svg" viewBox={ "0 0 " (MAP_SIZE.0) " " (MAP_SIZE.1) } width=(MAP_SIZE.0) height=(MAP_SIZE.1) role="img" aria-labelledby="map-caption" {
                rect x="0" y="0" width=(MAP_SIZE.0) height=(MAP_SIZE.1) fill="#f4f4f4" stroke="#999" {}
                @for (p, (x, y)) in places.iter().zip(&at) {
                    circle cx=(format!("{x:.1}")) cy=(format!("{y:.1}")) r=(format!("{:.1}", radius(p.count))) fill=(if p.count > 0 { "#0072B2" } else { "#ffffff" }) fill-opacity="0.7" stroke="#0b0c0c" stroke-width="1.5" {
                        title { (p.name) ": " (p.count) }
                    }
                    // Names right of their circle, or left of it in the map's right half.
                    @let (tx, anchor) = if *x > MAP_SIZE.0 / 2.0 { (x - radius(p.count) - 3.0, "end") } else { (x + radius(p.count) + 3.0, "start") };
                    text x=(format!("{tx:.1}")) y=(format!("{:.1}", y + 4.0)) text-anchor=(anchor) font-size="13" font-family="sans-serif" fill="#1b1b1b" { (p.name) " (" (p.count) ")" }
                }
            }
            figcaption #map-caption { (label) }
            details {
                summary { "Platserna på kartan" }
                (scrolled("Platserna på kartan", html! { table {
                    thead { tr { th scope="col" { "Plats" } th scope="col" { "Rapporter denna vecka" } } }
                    tbody { @for p in places { tr { th scope="row" { (p.name) } td { (p.count) } } } }
                } }))
            }
        }
    }
}

fn counts_table(p: &Picture) -> Markup {
    let caption = format!(
        "Godkända rapporter per kategori, vecka {} {}",
        p.week.week, p.week.year
    );
    scrolled(
        &caption,
        html! { table.est-counts {
            caption { (caption) }
            thead { tr {
                th scope="col" { "Kategori" }
                th scope="col" { "Denna vecka" }
                th scope="col" { "Medel 4 veckor före" }
                th scope="col" { "Samma vecka i fjol (" (p.last_year) ")" }
            } }
            tbody { @for r in &p.rows {
                tr {
                    th scope="row" { (r.category.label()) }
                    td { (r.this_week) } td { (decimal(r.mean_before)) } td { (r.last_year) }
                }
            } }
        } },
    )
}

fn standouts(p: &Picture, place_name: &dyn Fn(&str) -> String) -> Markup {
    html! {
        p.hint { "Sticker ut: minst " (STANDS_OUT_MIN) " rapporter och minst " (decimal(STANDS_OUT_FACTOR)) " gånger medelvärdet för de fyra veckorna före." }
        @if p.standouts.is_empty() {
            p { "Ingenting sticker ut den här veckan." }
        } @else {
            ul.standouts { @for s in &p.standouts { li { @match s {
                Standout::Category { category, count, mean } => { "Kategorin " strong { (category.label()) } ": " (count) " rapporter (medel " (decimal(*mean)) ")" },
                Standout::Place { place_id, count, mean } => { "Platsen " strong { (place_name(place_id)) } ": " (count) " rapporter (medel " (decimal(*mean)) ")" },
            } } } }
        }
    }
}

fn places_ranked(p: &Picture, place_name: &dyn Fn(&str) -> String) -> Markup {
    html! {
        @if p.places.is_empty() {
            p { "Inga rapporter från registrets platser den här veckan." }
        } @else {
            (scrolled("Platser efter antal rapporter", html! { table.est-places {
                caption { "Platser efter antal godkända rapporter denna vecka" }
                thead { tr { th scope="col" { "Plats" } th scope="col" { "Denna vecka" } th scope="col" { "Medel 4 veckor före" } } }
                tbody { @for r in &p.places { tr { th scope="row" { (place_name(&r.place_id)) } td { (r.this_week) } td { (decimal(r.mean_before)) } } } }
            } }))
        }
    }
}

/// The week's picture.
pub fn week_page(s: &Staff, w: &WeekPage) -> Markup {
    let p = w.picture;
    let title = format!(
        "Veckans lägesbild – {}, vecka {} {}",
        w.district_name, p.week.week, p.week.year
    );
    let (from, to) = (p.week.plus(-11), p.week);
    let body = html! {
        div.est-week {
            p.lead { (p.week.monday()) " – " (p.week.sunday()) ". Bara godkända rapporter räknas." }
            nav.week-nav aria-label="Veckor" { ul {
                li { a href=(week_href(w.district, p.week.plus(-1))) rel="prev" { "← Vecka " (p.week.plus(-1).week) } }
                li { a href=(week_href(w.district, p.week.plus(1))) rel="next" { "Vecka " (p.week.plus(1).week) " →" } }
                @if w.waiting.is_some() { li { a href={ "/personal/est/export.csv?district=" (w.district) "&from=" (from) "&to=" (to) } { "Ladda ner 12 veckor som CSV" } } }
            } }
            @if let Some(n) = w.waiting {
                p.waiting { a href="/personal/est/granska" { (n) " nya rapporter väntar på granskning" } }
            }
            h2 { "Rapporter per kategori" }
            (counts_table(p))
            h2 { "Sticker ut" }
            (standouts(p, w.place_name))
            h2 { "Platser" }
            (places_ranked(p, w.place_name))
            @if !w.map.is_empty() {
                h2 { "Karta" }
                (map(w.map, w.district_name))
            }
            @if let Some((year, rows)) = &w.survey {
                h2 { "Trygghetsundersökningen " (year) }
                @if rows.is_empty() {
                    p { "Inga publicerade nyckeltal för området " (year) "." }
                } @else {
                    (scrolled("Nyckeltal", html! { table.survey-indicators {
                        caption { "Nyckeltal för " (w.district_name) ", trygghetsundersökningen " (year) }
                        thead { tr { th scope="col" { "Nyckeltal" } th scope="col" { "Värde" } } }
                        tbody { @for (label, value) in rows { tr { th scope="row" { (label) } td { (value) } } } }
                    } }))
                }
            }
            h2 { "Öppna insatser" }
            (w.actions)
            h2 { "De senaste 52 veckorna" }
            @match &w.chart {
                Some((svg, alt)) => (chart_figure(Drawing::Inline(svg), alt)),
                None => p { "Inga godkända rapporter de senaste 52 veckorna." },
            }
        }
    };
    layout(&title, Some(s), body)
}
