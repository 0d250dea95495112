//! The EST group's weekly situation picture (issue 24), its foundation: the places
//! register (`places.rs`, `surveys/places.toml`), the fixed categories and parts of the day
//! (`category.rs`), ISO weeks (`week.rs`), the personal-data guard for descriptions
//! (`guard.rs`), how long free text is kept (`retention.rs`), the reading of a CSV import
//! file (`import.rs`), the checking of a report filed on the web form (`filing.rs`), the
//! week's picture computed from counts (`picture.rs`) and the actions (insatser) recorded
//! from it (`action.rs`). Storage is `store/est.rs`; the import operation
//! `operations/est.rs`. Pure values and checks: no I/O beyond reading the files.

pub mod action;
mod category;
pub mod filing;
mod guard;
pub mod import;
pub mod picture;
mod places;
mod report;
mod retention;
mod week;

pub use action::{Action, ActionKind, ActionStatus, NewAction, Presence};
pub use category::{Category, PartOfDay, ReportStatus, Source};
pub use guard::{
    DescriptionFault, MAX_DESCRIPTION_CHARS, PersonalData, check_description, find_personal_data,
};
pub use places::{
    LAT_RANGE, LON_RANGE, Place, Places, check_places, load_places, parse_places, to_toml, valid_id,
};
pub use report::{MAX_ORGANISATION_CHARS, NewReport, PlaceWeekCount, Report, WeekCount};
pub use retention::{FREE_TEXT_MONTHS, MAX_FREE_TEXT_MONTHS, MIN_FREE_TEXT_MONTHS, Retention};
pub use week::Week;

/// The register's file name in the surveys folder.
pub const PLACES_FILE: &str = "places.toml";
