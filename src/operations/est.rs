//! Importing incident reports for the EST weekly picture from a CSV file: every row
//! checked against the districts, the places register and the personal-data guard, then
//! all stored as accepted reports (source `import`) with one audit entry in one
//! transaction — or, when any row is bad, nothing stored and every bad row named.

use chrono::NaiveDate;

use crate::error::Error;
use crate::est::import::{self, Refusal};
use crate::est::{NewReport, Places, ReportStatus, Source, Week, WeekCount};
use crate::questionnaire::Districts;
use crate::store::Store;

/// The longest organisation name kept (one number for accounts and imports).
pub use crate::store::MAX_ORGANISATION_CHARS;

/// What an EST import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EstImport {
    /// Every row was stored.
    Imported { count: usize },
    /// Nothing was stored: the file, or these rows, are bad.
    Refused(Refusal),
}

/// Checks an organisation's name: what pages show as the reports' sender.
pub fn check_organisation(name: &str) -> Result<&str, Error> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_ORGANISATION_CHARS {
        return Err(Error::Invalid(format!(
            "the organisation must be 1-{MAX_ORGANISATION_CHARS} characters"
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::Invalid(
            "the organisation holds a control character".into(),
        ));
    }
    if let Some(kind) = crate::est::find_personal_data(name) {
        return Err(Error::Invalid(format!(
            "the organisation holds personal data ({}): name the organisation, not a person's contact",
            kind.sv()
        )));
    }
    Ok(name)
}

/// Imports the file's `bytes` (named `file` in the audit log) for `organisation`, as
/// `actor`; days after `today` are refused.
pub async fn import_est_reports(
    store: &Store,
    bytes: &[u8],
    file: &str,
    registers: (&Districts, &Places),
    organisation: &str,
    today: NaiveDate,
    actor: &str,
) -> Result<EstImport, Error> {
    let organisation = check_organisation(organisation)?;
    let rows = match import::parse(bytes, registers.0, registers.1, today) {
        Ok(rows) => rows,
        Err(refusal) => return Ok(EstImport::Refused(refusal)),
    };
    let reports: Vec<NewReport> = rows
        .into_iter()
        .map(|r| NewReport {
            district: r.district,
            place_id: r.place_id,
            other_place: None,
            day: r.day,
            part_of_day: None,
            category: r.category,
            description: r.description,
            status: ReportStatus::Accepted,
            organisation: organisation.to_string(),
            created_by: None,
            source: Source::Import,
        })
        .collect();
    let detail = format!("{file}: {} report(s) for {organisation}", reports.len());
    let count = store
        .insert_est_reports(&reports, actor, "est import", &detail)
        .await?;
    Ok(EstImport::Imported { count })
}

/// Accepted reports per ISO week, district and category, from week `from` to `to`, for
/// each of `districts`: what the API's `/est/weeks` and the staff CSV export both give, in
/// week, district and category order. Weeks and categories without reports are left out.
pub async fn week_counts_by_district(
    store: &Store,
    districts: &[String],
    from: Week,
    to: Week,
) -> Result<Vec<(String, WeekCount)>, Error> {
    let mut rows = Vec::new();
    for d in districts {
        for c in store.est_week_counts(Some(d), from, to).await? {
            rows.push((d.clone(), c));
        }
    }
    rows.sort_by(|(da, a), (db, b)| (a.week, da, a.category).cmp(&(b.week, db, b.category)));
    Ok(rows)
}

/// Those counts as CSV: `week,district,category,count`.
pub fn week_counts_csv(rows: &[(String, WeekCount)]) -> String {
    let mut out = String::from("week,district,category,count\n");
    for (d, c) in rows {
        out.push_str(&format!(
            "{},{d},{},{}\n",
            c.week,
            c.category.code(),
            c.count
        ));
    }
    out
}
