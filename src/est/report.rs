//! An incident report as the store takes it ([`NewReport`]) and gives it back ([`Report`]).
//! No time of day beyond the part of the day, no address of the sender; the member of
//! staff who wrote it is kept for the reporter's own list only — pages show the
//! organisation.

use chrono::NaiveDate;

use super::category::{Category, PartOfDay, ReportStatus, Source};
use super::week::Week;

/// The longest organisation name kept, in characters: a report's sender, a reporter's
/// account, an action's owner.
pub const MAX_ORGANISATION_CHARS: usize = 100;

/// A report to store. Its values come checked: the district and place from the registers,
/// the description through `check_description`.
#[derive(Debug, Clone, PartialEq)]
pub struct NewReport {
    pub district: String,
    /// A place id of the register, or none.
    pub place_id: Option<String>,
    /// A place the register does not have, in the reporter's words.
    pub other_place: Option<String>,
    pub day: NaiveDate,
    /// Not known for imported reports.
    pub part_of_day: Option<PartOfDay>,
    pub category: Category,
    pub description: Option<String>,
    pub status: ReportStatus,
    pub organisation: String,
    /// The staff account's e-mail address, for the reporter's own list only.
    pub created_by: Option<String>,
    pub source: Source,
}

/// A stored report.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub id: i64,
    pub district: String,
    pub place_id: Option<String>,
    pub other_place: Option<String>,
    pub day: NaiveDate,
    pub part_of_day: Option<PartOfDay>,
    pub category: Category,
    pub description: Option<String>,
    pub status: ReportStatus,
    /// The report a merged one was merged into.
    pub merged_into: Option<i64>,
    pub organisation: String,
    pub created_by: Option<String>,
    pub source: Source,
}

/// Accepted reports of one category in one ISO week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct WeekCount {
    pub week: Week,
    pub category: Category,
    pub count: i64,
}

/// Accepted reports at one place of the register in one ISO week.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PlaceWeekCount {
    pub week: Week,
    pub place_id: String,
    pub count: i64,
}
