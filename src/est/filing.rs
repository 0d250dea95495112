//! A report as a person files it on the web form (`/personal/est/rapportera`): the posted
//! answers read strictly ([`read`]) and checked against the districts, the places register,
//! the person's districts and today ([`check`]), giving a [`NewReport`] with status `new`.
//!
//! What the form itself cannot send (a field twice, an unknown field, a place id, category
//! or part of the day that is not offered) is [`Filing::Malformed`] (400); a district
//! outside the person's is [`Filing::OutOfScope`] (403); what a person can get wrong (no
//! choice made, a date that does not exist, lies ahead or too far back, a place of
//! another district than the chosen one, personal data in the text) is
//! [`Filing::Invalid`] (422), said in Swedish beside its field.

use chrono::NaiveDate;

use super::category::{Category, PartOfDay, ReportStatus, Source};
use super::guard::{DescriptionFault, check_description};
use super::places::Places;
use super::report::NewReport;
use crate::questionnaire::Districts;

/// How many days back a report may be dated (eight weeks: the weeks the coordinator
/// still reviews).
pub const MAX_REPORT_AGE_DAYS: i64 = 56;

/// How many days back "Mina rapporter" lists (by the day reported): two weeks more than a
/// report may be dated, so a late report stays in the list for a while.
pub const MINE_DAYS: i64 = MAX_REPORT_AGE_DAYS + 14;

/// The longest description of a place the register lacks, in characters.
pub const MAX_OTHER_PLACE_CHARS: usize = 100;

/// The place list's value for "Annan plats": never a register id (`_` is not allowed in
/// one, see `valid_id`).
pub const OTHER_PLACE: &str = "_annan";

/// A field of the form, in the order the form shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    District,
    Place,
    OtherPlace,
    Day,
    PartOfDay,
    Category,
    Description,
}

impl Field {
    pub const ALL: [Field; 7] = [
        Field::District,
        Field::Place,
        Field::OtherPlace,
        Field::Day,
        Field::PartOfDay,
        Field::Category,
        Field::Description,
    ];

    /// The form field's name, also the id its error links to.
    pub fn name(self) -> &'static str {
        match self {
            Field::District => "district",
            Field::Place => "place",
            Field::OtherPlace => "other_place",
            Field::Day => "day",
            Field::PartOfDay => "part_of_day",
            Field::Category => "category",
            Field::Description => "description",
        }
    }
}

/// The answers as posted, kept to show the form again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answers {
    pub district: String,
    pub place: String,
    pub other_place: String,
    pub day: String,
    pub part_of_day: String,
    pub category: String,
    pub description: String,
}

impl Answers {
    fn slot(&mut self, f: Field) -> &mut String {
        match f {
            Field::District => &mut self.district,
            Field::Place => &mut self.place,
            Field::OtherPlace => &mut self.other_place,
            Field::Day => &mut self.day,
            Field::PartOfDay => &mut self.part_of_day,
            Field::Category => &mut self.category,
            Field::Description => &mut self.description,
        }
    }
}

/// Why a filing is not stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filing {
    /// Something the form cannot send (400), in Swedish.
    Malformed(String),
    /// A district outside the person's (403): its code.
    OutOfScope(String),
    /// What the person should correct, field by field (422), in Swedish.
    Invalid(Vec<(Field, String)>),
}

/// Reads the posted fields: each at most once, no other field than the form's (and its
/// CSRF token). Line breaks become `\n`.
pub fn read(fields: &[(String, String)]) -> Result<Answers, Filing> {
    let mut a = Answers::default();
    let mut seen = Vec::new();
    for (k, v) in fields {
        if k == "csrf" {
            continue;
        }
        let Some(f) = Field::ALL.into_iter().find(|f| f.name() == k) else {
            return Err(Filing::Malformed(format!("Okänt fält i formuläret: {k}.")));
        };
        if seen.contains(&f) {
            return Err(Filing::Malformed(format!(
                "Fältet {k} skickades mer än en gång."
            )));
        }
        seen.push(f);
        *a.slot(f) = v.replace("\r\n", "\n").replace('\r', "\n");
    }
    Ok(a)
}

/// Who files: the organisation shown with the report and the account's e-mail address,
/// kept for the person's own list only.
pub struct Filer<'a> {
    pub organisation: &'a str,
    pub email: &'a str,
    /// Whether the person may report in a district.
    pub in_scope: &'a (dyn Fn(&str) -> bool + Sync),
}

/// The register place or the described one; a fault for the place field.
type PlaceChoice = (Option<String>, Option<String>);

fn place(
    a: &Answers,
    places: &Places,
    filer: &Filer,
    faults: &mut Vec<(Field, String)>,
) -> Result<PlaceChoice, Filing> {
    match a.place.as_str() {
        "" => {
            faults.push((Field::Place, "Välj en plats, eller Annan plats.".into()));
            Ok((None, None))
        }
        OTHER_PLACE => {
            let text = a.other_place.trim();
            let fault = if text.is_empty() {
                Some("Beskriv kort var det hände, till exempel gatan eller platsen.".to_string())
            } else if text.chars().count() > MAX_OTHER_PLACE_CHARS {
                Some(format!(
                    "Beskriv platsen med högst {MAX_OTHER_PLACE_CHARS} tecken."
                ))
            } else {
                check_description(text).err().map(|f| sentence(&f))
            };
            match fault {
                Some(m) => faults.push((Field::OtherPlace, m)),
                None => return Ok((None, Some(text.to_string()))),
            }
            Ok((None, None))
        }
        id => {
            let Some(p) = places.get(id).filter(|p| (filer.in_scope)(&p.district)) else {
                return Err(Filing::Malformed(format!("Platsen {id} finns inte.")));
            };
            if !a.district.is_empty() && p.district != a.district {
                let m = format!("{} ligger inte i det valda området.", p.name);
                faults.push((Field::Place, m));
            }
            Ok((Some(p.id.clone()), None))
        }
    }
}

/// A description's fault as a sentence, with why personal data is refused.
fn sentence(f: &DescriptionFault) -> String {
    let text = f.sv();
    let mut chars = text.chars();
    let first = chars.next().map(|c| c.to_uppercase().to_string());
    let text = format!("{}{}.", first.unwrap_or_default(), chars.as_str());
    match f {
        DescriptionFault::Personal(_) => {
            format!("{text} Rapporter handlar om platser, aldrig om personer.")
        }
        _ => text,
    }
}

fn day(text: &str, today: NaiveDate, faults: &mut Vec<(Field, String)>) -> Option<NaiveDate> {
    let fault = match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        _ if text.is_empty() => "Ange datumet då det hände.".to_string(),
        Err(_) => "Ange ett datum som finns, skrivet ÅÅÅÅ-MM-DD.".to_string(),
        Ok(d) if d > today => "Datumet kan inte ligga i framtiden.".to_string(),
        Ok(d) if (today - d).num_days() > MAX_REPORT_AGE_DAYS => {
            format!("Datumet får ligga högst {MAX_REPORT_AGE_DAYS} dagar bakåt i tiden.")
        }
        Ok(d) => return Some(d),
    };
    faults.push((Field::Day, fault));
    None
}

/// Checks the answers; a new web report, or why not.
pub fn check(
    a: &Answers,
    districts: &Districts,
    places: &Places,
    filer: &Filer,
    today: NaiveDate,
) -> Result<NewReport, Filing> {
    let mut faults = Vec::new();
    if a.district.is_empty() {
        faults.push((Field::District, "Välj ett område.".to_string()));
    } else if districts.get(&a.district).is_none() {
        return Err(Filing::Malformed(format!(
            "Området {} finns inte.",
            a.district
        )));
    } else if !(filer.in_scope)(&a.district) {
        return Err(Filing::OutOfScope(a.district.clone()));
    }
    let (place_id, other_place) = place(a, places, filer, &mut faults)?;
    let day = day(&a.day, today, &mut faults);
    let part_of_day = match a.part_of_day.as_str() {
        "" => {
            faults.push((Field::PartOfDay, "Välj när på dygnet det hände.".into()));
            None
        }
        code => Some(
            PartOfDay::from_code(code)
                .ok_or_else(|| Filing::Malformed(format!("Delen av dygnet {code} finns inte.")))?,
        ),
    };
    let category = match a.category.as_str() {
        "" => {
            faults.push((Field::Category, "Välj vad det gäller.".into()));
            None
        }
        code => Some(
            Category::from_code(code)
                .ok_or_else(|| Filing::Malformed(format!("Kategorin {code} finns inte.")))?,
        ),
    };
    let description = a.description.trim();
    if let Err(f) = check_description(description) {
        faults.push((Field::Description, sentence(&f)));
    }
    match (day, part_of_day, category) {
        (Some(day), Some(part), Some(category)) if faults.is_empty() => Ok(NewReport {
            district: a.district.clone(),
            place_id,
            other_place,
            day,
            part_of_day: Some(part),
            category,
            description: (!description.is_empty()).then(|| description.to_string()),
            status: ReportStatus::New,
            organisation: filer.organisation.to_string(),
            created_by: Some(filer.email.to_string()),
            source: Source::Web,
        }),
        _ => Err(Filing::Invalid(faults)),
    }
}

// The shortest retention of free text outlasts the days a report may be dated back plus
// the days "Mina rapporter" lists (the shortest month counted as 28 days).
const _: () = assert!(
    MINE_DAYS < 28 * crate::est::MIN_FREE_TEXT_MONTHS as i64,
    "free text would go before its reporter saw the report reviewed"
);

#[cfg(test)]
mod tests {
    use super::*;

    fn registers() -> (Districts, Places) {
        super::super::places::test_registers()
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
    }

    fn good() -> Answers {
        Answers {
            district: "ryd".into(),
            place: "ryd-centrum".into(),
            other_place: String::new(),
            day: "2026-11-29".into(),
            part_of_day: "natt".into(),
            category: "glaskross".into(),
            description: "Krossad ruta i busskuren\r\nvid hållplatsen".into(),
        }
    }

    fn checked(a: &Answers, scope: &[&str]) -> Result<NewReport, Filing> {
        let (districts, places) = registers();
        let in_scope = |d: &str| scope.contains(&d);
        let filer = Filer {
            organisation: "Stångåstaden",
            email: "vakt@stangastaden.se",
            in_scope: &in_scope,
        };
        check(a, &districts, &places, &filer, today())
    }

    fn faults(r: Result<NewReport, Filing>) -> Vec<Field> {
        match r {
            Err(Filing::Invalid(f)) => f.into_iter().map(|(f, _)| f).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_good_report_is_new_from_the_web_with_the_organisation() {
        let fields: Vec<(String, String)> = [
            ("csrf", "x"),
            ("district", "ryd"),
            ("description", "a\r\nb"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(read(&fields).unwrap().description, "a\nb");
        let r = checked(&good(), &["ryd"]).unwrap();
        assert_eq!(r.status, ReportStatus::New);
        assert_eq!(r.source, Source::Web);
        assert_eq!(r.place_id.as_deref(), Some("ryd-centrum"));
        assert_eq!(r.organisation, "Stångåstaden");
        assert_eq!(r.created_by.as_deref(), Some("vakt@stangastaden.se"));
        assert_eq!(r.part_of_day, Some(PartOfDay::Night));
        let mut other = good();
        other.place = OTHER_PLACE.into();
        other.other_place = " Bakom skolan ".into();
        let r = checked(&other, &["ryd"]).unwrap();
        assert_eq!(
            (r.place_id, r.other_place.as_deref()),
            (None, Some("Bakom skolan"))
        );
    }

    #[test]
    fn dates_are_checked_against_today_and_the_window() {
        let oldest = today() - chrono::Days::new(MAX_REPORT_AGE_DAYS as u64);
        for (day, ok) in [
            (today().to_string(), true),
            (oldest.to_string(), true),
            ((oldest - chrono::Days::new(1)).to_string(), false),
            ("2026-12-01".to_string(), false),
            ("2026-02-30".to_string(), false),
            ("30/11/2026".to_string(), false),
            (String::new(), false),
        ] {
            let mut a = good();
            a.day = day.clone();
            match checked(&a, &["ryd"]) {
                Ok(_) => assert!(ok, "{day}"),
                Err(e) => assert!(!ok && faults(Err(e)) == [Field::Day], "{day}"),
            }
        }
    }

    #[test]
    fn what_the_form_cannot_send_is_malformed_and_scope_is_refused() {
        let twice: Vec<(String, String)> = vec![
            ("category".into(), "klotter".into()),
            ("category".into(), "brand".into()),
        ];
        assert!(matches!(read(&twice), Err(Filing::Malformed(_))));
        let unknown = vec![("created_by".to_string(), "x@y.se".to_string())];
        assert!(matches!(read(&unknown), Err(Filing::Malformed(_))));
        for (field, value) in [
            (Field::Place, "finns-inte"),
            (Field::Category, "inbrott"),
            (Field::PartOfDay, "xx"),
            (Field::District, "atlantis"),
        ] {
            let mut a = good();
            *a.slot(field) = value.into();
            assert!(
                matches!(checked(&a, &["ryd", "city"]), Err(Filing::Malformed(_))),
                "{value}"
            );
        }
        // A place of a district outside one's own is not offered: malformed too.
        let mut a = good();
        a.place = "city-torget".into();
        assert!(matches!(checked(&a, &["ryd"]), Err(Filing::Malformed(_))));
        // In scope but not the chosen district: the person chose wrongly.
        assert_eq!(faults(checked(&a, &["ryd", "city"])), [Field::Place]);
        let mut a = good();
        a.district = "city".into();
        a.place = "city-torget".into();
        assert_eq!(
            checked(&a, &["ryd"]),
            Err(Filing::OutOfScope("city".into()))
        );
    }

    #[test]
    fn personal_data_and_empty_choices_are_said_field_by_field() {
        let mut a = good();
        a.description = "Mannen 811218-9876 var där".into();
        let Err(Filing::Invalid(f)) = checked(&a, &["ryd"]) else {
            panic!()
        };
        assert_eq!(f[0].0, Field::Description);
        assert!(
            f[0].1
                .starts_with("Beskrivningen innehåller ett personnummer"),
            "{}",
            f[0].1
        );
        assert!(
            f[0].1
                .ends_with("Rapporter handlar om platser, aldrig om personer.")
        );
        let empty = Answers::default();
        assert_eq!(
            faults(checked(&empty, &["ryd"])),
            [
                Field::District,
                Field::Place,
                Field::Day,
                Field::PartOfDay,
                Field::Category
            ]
        );
        let mut a = good();
        a.place = OTHER_PLACE.into();
        a.other_place = "x".repeat(MAX_OTHER_PLACE_CHARS + 1);
        assert_eq!(faults(checked(&a, &["ryd"])), [Field::OtherPlace]);
        a.other_place = "ring anna@example.se".into();
        assert_eq!(faults(checked(&a, &["ryd"])), [Field::OtherPlace]);
    }
}
