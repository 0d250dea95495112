//! Synthetic EST incident reports (issue 24, point 10): the two years before today for
//! every district, plus the twelve weeks either side of each registered measure's start, so
//! the week's picture and a measure's page have something to show before real reports come.
//!
//! Reports arrive as a Poisson count per district, week and category around a base rate,
//! scaled by how burdened the district is and by season (broken lighting is reported in the
//! dark months, groups and disorder in summer). The measures in `surveys/measures.toml` go
//! with fewer reports of what they address, as the survey demo builds in: after the lighting
//! in Skäggetorp (2021) fewer lighting reports, after the cameras in City (2022) less graffiti
//! and broken glass, after the field workers in Berga (2023) fewer groups; the guards in Ryd
//! change nothing. Seeded: the same seed gives the same reports. Four actions recorded
//! from last week (one done, one under way, one overdue, one planned) come with them.

use chrono::{Duration, NaiveDate};

use crate::est::{
    ActionKind, ActionStatus, Category, NewAction, NewReport, PartOfDay, Places, Presence,
    ReportStatus, Source, Week,
};
use crate::measure::Measure;
use crate::rng::Rng;

/// How many weeks back from this week the demo reports go (two years).
pub const WEEKS_BACK: i64 = 104;
/// Weeks of reports either side of a measure's start, so its page has a before and after:
/// as many as the page shows.
pub const AROUND_MEASURE_WEEKS: i64 = crate::est::action::REPORT_WEEKS;

/// Reports a week in an average district, by category (in `Category::ALL` order).
const BASE_RATE: [f64; 11] = [3.0, 1.2, 0.4, 2.5, 1.6, 1.2, 1.0, 0.6, 0.3, 0.7, 0.5];

/// A change the demo builds in after a registered measure.
#[derive(Debug, Clone, Copy)]
pub struct Effect {
    /// The measure's id in `surveys/measures.toml`.
    pub measure: &'static str,
    pub district: &'static str,
    /// The measure's start (year, month, day).
    pub start: (i32, u32, u32),
    pub category: Category,
    /// The factor on the category's rate from the start on.
    pub factor: f64,
}

/// The changes of the registered measures, as the survey demo has them.
pub const EST_EFFECTS: &[Effect] = &[
    Effect {
        measure: "skaggetorp-belysning-2021",
        district: "skaggetorp",
        start: (2021, 3, 15),
        category: Category::Belysning,
        factor: 0.35,
    },
    Effect {
        measure: "city-kameror-2022",
        district: "city",
        start: (2022, 4, 1),
        category: Category::Klotter,
        factor: 0.6,
    },
    Effect {
        measure: "city-kameror-2022",
        district: "city",
        start: (2022, 4, 1),
        category: Category::Glaskross,
        factor: 0.6,
    },
    Effect {
        measure: "berga-faltassistenter-2023",
        district: "berga",
        start: (2023, 2, 1),
        category: Category::Grupp,
        factor: 0.55,
    },
];

/// The organisations that report, and how likely each is to report a category.
const ORGANISATIONS: [&str; 5] = [
    "Stångåstaden",
    "Securitas",
    "Fältgruppen",
    "Polisen",
    "Linköpings kommun",
];

fn day((y, m, d): (i32, u32, u32)) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a demo date")
}

/// How much more than average a district reports.
fn district_factor(district: &str) -> f64 {
    match district {
        "skaggetorp" => 1.5,
        "berga" => 1.2,
        "ryd" => 1.0,
        "city" => 1.3,
        _ => 1.0,
    }
}

/// Season: lighting faults show in the dark half of the year, groups and disorder in summer.
fn season(category: Category, week: Week) -> f64 {
    let angle = 2.0 * std::f64::consts::PI * f64::from(week.week) / 52.0;
    match category {
        // Highest around new year, lowest at midsummer.
        Category::Belysning => 1.0 + 0.3 * angle.cos(),
        Category::Grupp | Category::Ordningsstorning | Category::Nedskrapning => {
            1.0 - 0.3 * angle.cos()
        }
        _ => 1.0,
    }
}

/// The factor of the measures that had started by `monday` in `district` on `category`.
fn effect(district: &str, category: Category, monday: NaiveDate) -> f64 {
    EST_EFFECTS
        .iter()
        .filter(|e| e.district == district && e.category == category && monday >= day(e.start))
        .map(|e| e.factor)
        .product()
}

/// A Poisson draw (Knuth's method; the rates here are small).
fn poisson(lambda: f64, rng: &mut Rng) -> usize {
    let limit = (-lambda).exp();
    let (mut k, mut p) = (0, rng.uniform());
    while p > limit {
        k += 1;
        p *= rng.uniform();
    }
    k
}

/// The weeks that get reports: the last [`WEEKS_BACK`] up to `today`'s, and the weeks
/// around the start of each of `measures` in `district`. In order, none twice.
fn weeks_of(district: &str, measures: &[Measure], today: NaiveDate) -> Vec<Week> {
    let this = Week::of(today).monday();
    let mut mondays: Vec<NaiveDate> = (0..WEEKS_BACK).map(|i| this - Duration::weeks(i)).collect();
    for m in measures.iter().filter(|m| m.district == district) {
        let monday = Week::of(m.start).monday();
        mondays.extend(
            (-AROUND_MEASURE_WEEKS..=AROUND_MEASURE_WEEKS).map(|i| monday + Duration::weeks(i)),
        );
    }
    mondays.sort();
    mondays.dedup();
    mondays.into_iter().map(Week::of).collect()
}

/// Synthetic reports of every district in `places`' districts, around the registered
/// `measures`' starts too, at `scale` times the demo's rates (the benchmark asks for more),
/// none after `today`. Reports of the last two weeks
/// partly wait for review; older ones are accepted or, a few, rejected.
pub fn reports(
    districts: &[&str],
    places: &Places,
    measures: &[Measure],
    today: NaiveDate,
    seed: u64,
    scale: f64,
) -> Vec<NewReport> {
    let mut out = Vec::new();
    for (n, district) in districts.iter().enumerate() {
        let mut rng = Rng::stream(seed, &[24, n as u64]);
        let here: Vec<&crate::est::Place> = places.in_district(district).collect();
        for week in weeks_of(district, measures, today) {
            for (c, category) in Category::ALL.into_iter().enumerate() {
                let lambda = BASE_RATE[c]
                    * district_factor(district)
                    * season(category, week)
                    * effect(district, category, week.monday())
                    * scale;
                for _ in 0..poisson(lambda, &mut rng) {
                    let on = week.monday() + Duration::days(rng.range(0, 7));
                    if on > today {
                        continue;
                    }
                    let fresh = (today - on).num_days() < 14;
                    out.push(one(district, &here, category, on, fresh, &mut rng));
                }
            }
        }
    }
    out
}

/// One report of `category` on `on` in `district`.
fn one(
    district: &str,
    here: &[&crate::est::Place],
    category: Category,
    on: NaiveDate,
    fresh: bool,
    rng: &mut Rng,
) -> NewReport {
    // Places are not equally troubled: the first of a district draws the most reports.
    let weights: Vec<f64> = (0..here.len()).map(|i| 1.0 / (i as f64 + 1.0)).collect();
    let (place_id, other_place) = if here.is_empty() || rng.uniform() < 0.1 {
        let other = [
            "Vid återvinningsstationen",
            "Parkeringen bakom skolan",
            "Gång- och cykelvägen mot skogen",
        ];
        (
            None,
            Some(other[rng.weighted(&[1.0, 1.0, 1.0])].to_string()),
        )
    } else {
        (Some(here[rng.weighted(&weights)].id.clone()), None)
    };
    let part_of_day = PartOfDay::ALL[rng.weighted(match category {
        Category::Belysning | Category::Narkotika | Category::Brand => &[0.05, 0.1, 0.45, 0.4],
        Category::Grupp | Category::Ordningsstorning | Category::HotVald => &[0.05, 0.2, 0.5, 0.25],
        _ => &[0.3, 0.4, 0.2, 0.1],
    })];
    let organisation = ORGANISATIONS[rng.weighted(match category {
        Category::Narkotika | Category::HotVald => &[0.2, 0.2, 0.1, 0.4, 0.1],
        Category::Grupp => &[0.2, 0.2, 0.4, 0.1, 0.1],
        _ => &[0.4, 0.25, 0.1, 0.05, 0.2],
    })];
    let status = if fresh && rng.uniform() < 0.4 {
        ReportStatus::New
    } else if rng.uniform() < 0.05 {
        ReportStatus::Rejected
    } else {
        ReportStatus::Accepted
    };
    NewReport {
        district: district.to_string(),
        place_id,
        other_place,
        day: on,
        part_of_day: Some(part_of_day),
        category,
        description: description(category, rng).map(str::to_string),
        status,
        organisation: organisation.to_string(),
        created_by: None,
        source: Source::Web,
    }
}

/// A short description in a reporter's words, or none (a third of reports have none).
fn description(category: Category, rng: &mut Rng) -> Option<&'static str> {
    let texts: &[&str] = match category {
        Category::Klotter => &["Nya taggar på väggen", "Klotter på elskåpet"],
        Category::Glaskross => &["Krossad ruta i busskuren", "Glas på marken vid bänkarna"],
        Category::Brand => &["Brand i papperskorg", "Sopkärl brunnit"],
        Category::Nedskrapning => &["Mycket skräp efter helgen", "Dumpade möbler"],
        Category::Belysning => &[
            "Lampan i gångtunneln är trasig",
            "Mörkt längs gångvägen, två stolpar släckta",
        ],
        Category::Grupp => &[
            "Grupp ungdomar samlas varje kväll",
            "Grupp vid entrén, boende undviker platsen",
        ],
        Category::Ordningsstorning => &["Bråk och hög musik sent", "Fyrverkerier mot fasad"],
        Category::Narkotika => &[
            "Misstänkt langning vid bänkarna",
            "Sprutor hittade i buskaget",
        ],
        Category::HotVald => &[
            "Hot mot personal vid entrén",
            "Slagsmål mellan flera personer",
        ],
        Category::OtryggPlats => &[
            "Buskarna skymmer sikten",
            "Ingen överblick, många undviker platsen",
        ],
        Category::Ovrigt => &["Övergiven bil", "Trasigt staket"],
    };
    if rng.uniform() < 1.0 / 3.0 {
        None
    } else {
        Some(texts[rng.weighted(&vec![1.0; texts.len()])])
    }
}

/// A few actions the EST group recorded from recent weeks, so the week's page has open and
/// overdue ones to show: (district, place, kind, owner, days from today to the due date,
/// status, note).
const ACTIONS: &[(&str, &str, ActionKind, &str, i64, ActionStatus, &str)] = &[
    (
        "skaggetorp",
        "skaggetorp-gangtunneln",
        ActionKind::Belysning,
        "Tekniska förvaltningen",
        -20,
        ActionStatus::Klar,
        "Två armaturer bytta i gångtunneln.",
    ),
    (
        "ryd",
        "ryd-centrum",
        ActionKind::Narvaro(Presence::Nattvandrare),
        "Nattvandrarna i Ryd",
        10,
        ActionStatus::Pagar,
        "Fredag och lördag kväll till årsskiftet.",
    ),
    (
        "city",
        "city-resecentrum",
        ActionKind::StadningReparation,
        "Linköpings kommun",
        -5,
        ActionStatus::Planerad,
        "",
    ),
    (
        "berga",
        "berga-skogen",
        ActionKind::Ovrigt,
        "Stångåstaden",
        21,
        ActionStatus::Planerad,
        "Röja sly längs gångvägen för bättre överblick.",
    ),
];

/// The demo's actions, recorded as from the week before `today`.
pub fn actions(today: NaiveDate) -> Vec<NewAction> {
    ACTIONS
        .iter()
        .map(
            |(district, place, kind, owner, due, status, note)| NewAction {
                district: district.to_string(),
                place_id: Some(place.to_string()),
                kind: *kind,
                owner: owner.to_string(),
                due: today + Duration::days(*due),
                status: *status,
                note: (!note.is_empty()).then(|| note.to_string()),
                week: Week::of(today - Duration::weeks(1)),
            },
        )
        .collect()
}
