//! The EST places register as it stands, and editing it on the web (issue 24, point 1).
//! Until an administrator first saves a place, `surveys/places.toml` is the register; every
//! save stores the whole register as a new version in the database, which is the register
//! from then on (the file can be replaced by a download of it). A place that reports name
//! keeps its id and district, and is never removed: the counts of earlier weeks stay right.

use std::path::Path;

use crate::error::Error;
use crate::est::{self, LAT_RANGE, LON_RANGE, Place, Places};
use crate::questionnaire::Districts;
use crate::store::{PlacesVersion, Store};

/// The longest place name kept.
pub const MAX_PLACE_NAME_CHARS: usize = 100;

/// The register and where it came from.
#[derive(Debug, Clone)]
pub struct PlaceRegister {
    pub places: Places,
    /// The database version in use; `None` when the register is `surveys/places.toml`.
    pub version: Option<PlacesVersion>,
}

/// The register in use: the newest database version, or the file before the first edit.
pub async fn current_places(
    store: &Store,
    surveys: &Path,
    districts: &Districts,
) -> Result<PlaceRegister, Error> {
    if let Some(v) = store.places_version().await? {
        let places = est::parse_places("est_place_versions", &v.body, Some(districts))
            .map_err(|f| Error::Internal(format!("the stored places register: {}", f[0])))?;
        return Ok(PlaceRegister {
            places,
            version: Some(v),
        });
    }
    let places =
        est::load_places(&surveys.join(est::PLACES_FILE), Some(districts)).map_err(|f| {
            Error::Invalid(
                f.iter()
                    .map(|f| f.to_string())
                    .collect::<Vec<_>>()
                    .join("\n"),
            )
        })?;
    Ok(PlaceRegister {
        places,
        version: None,
    })
}

/// One change to the register.
#[derive(Debug, Clone, PartialEq)]
pub enum PlaceEdit {
    /// Adds the place, or changes the place with its id.
    Save(Place),
    /// Removes the place with this id.
    Remove(String),
}

/// Reads a place from the edit form's text; every fault, in Swedish.
pub fn place_from(
    id: &str,
    name: &str,
    district: &str,
    lat: &str,
    lon: &str,
    districts: &Districts,
) -> Result<Place, Vec<String>> {
    let mut faults = Vec::new();
    let id = id.trim();
    if !est::valid_id(id) {
        faults.push(
            "Id: 1–64 tecken a–z, 0–9 och bindestreck, till exempel ryd-gangtunneln.".to_string(),
        );
    }
    let name = name.trim();
    if name.is_empty()
        || name.chars().count() > MAX_PLACE_NAME_CHARS
        || name.chars().any(char::is_control)
    {
        faults.push(format!(
            "Namn: 1–{MAX_PLACE_NAME_CHARS} tecken, utan styrtecken."
        ));
    } else if let Some(kind) = est::find_personal_data(name) {
        faults.push(format!(
            "Namn: innehåller {}; ange platsen, inte en person.",
            kind.sv()
        ));
    }
    if districts.get(district).is_none() {
        faults.push("Välj ett område.".into());
    }
    let degrees = |what: &str, text: &str, (lo, hi): (f64, f64), faults: &mut Vec<String>| {
        let x = text
            .trim()
            .replace(',', ".")
            .parse::<f64>()
            .ok()
            .filter(|x| (lo..=hi).contains(x));
        if x.is_none() {
            faults.push(format!(
                "{what}: decimalgrader mellan {lo} och {hi} (WGS 84), till exempel 58,4105."
            ));
        }
        x
    };
    let lat = degrees("Latitud", lat, LAT_RANGE, &mut faults);
    let lon = degrees("Longitud", lon, LON_RANGE, &mut faults);
    match (lat, lon) {
        (Some(lat), Some(lon)) if faults.is_empty() => Ok(Place {
            id: id.to_string(),
            name: name.to_string(),
            district: district.to_string(),
            lat,
            lon,
        }),
        _ => Err(faults),
    }
}

/// Applies one edit to the register in use and saves the result as a new version,
/// audited. `Ok(Err(faults))` — in Swedish — when the edit is refused; nothing is stored
/// then.
pub async fn edit_places(
    store: &Store,
    surveys: &Path,
    districts: &Districts,
    edit: PlaceEdit,
    actor: &str,
) -> Result<Result<i64, Vec<String>>, Error> {
    let register = current_places(store, surveys, districts).await?;
    let based_on = register.version.as_ref().map_or(0, |v| v.version);
    let mut places = register.places;
    let used = |id: &str, n: i64, what: &str| {
        vec![format!(
            "{id} har {n} rapporter eller insatser och kan inte {what}: veckornas räkningar bygger på den. Lägg till en ny plats i stället."
        )]
    };
    // The place whose reports or actions would lose it: checked here for the message, and
    // again in the store's write transaction against a report filed meanwhile.
    let mut fixed = None;
    let detail = match &edit {
        PlaceEdit::Save(p) => match places.0.iter_mut().find(|x| x.id == p.id) {
            Some(old) => {
                if old.district != p.district {
                    let n = store.uses_of_place(&p.id).await?;
                    if n > 0 {
                        return Ok(Err(used(&p.id, n, "flyttas till ett annat område")));
                    }
                    fixed = Some(p.id.as_str());
                }
                *old = p.clone();
                format!("{} changed", p.id)
            }
            None => {
                places.0.push(p.clone());
                format!("{} added", p.id)
            }
        },
        PlaceEdit::Remove(id) => {
            let before = places.0.len();
            places.0.retain(|x| x.id != *id);
            if places.0.len() == before {
                return Ok(Err(vec![format!("Det finns ingen plats {id}.")]));
            }
            let n = store.uses_of_place(id).await?;
            if n > 0 {
                return Ok(Err(used(id, n, "tas bort")));
            }
            if places.0.is_empty() {
                return Ok(Err(vec!["Registret måste ha minst en plats.".into()]));
            }
            fixed = Some(id.as_str());
            format!("{id} removed")
        }
    };
    let header = format!(
        "The EST places register, edited in trygg by {actor} ({detail}).\nDownloaded from /personal/est/platser.toml; `trygg check` reads it like surveys/places.toml."
    );
    let body = est::to_toml(&places, &header);
    // What is stored must read back as the register: the same parser decides.
    if let Err(f) = est::parse_places("places.toml", &body, Some(districts)) {
        return Ok(Err(f.iter().map(|f| f.message.clone()).collect()));
    }
    match store
        .save_places_version(&body, based_on, fixed, actor, &detail)
        .await
    {
        Ok(version) => Ok(Ok(version)),
        Err(Error::Conflict(_)) => Ok(Err(vec![
            "Registret eller platsens rapporter ändrades samtidigt av någon annan; inget sparades. Läs in sidan och försök igen.".into(),
        ])),
        Err(e) => Err(e),
    }
}
