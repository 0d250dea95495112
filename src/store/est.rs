//! The SQL of the EST weekly picture's incident reports (`est_reports`): storing one or
//! many (an import: all in one transaction, or none), listing by district and status,
//! review decisions, the deletion of old free text, and the accepted reports counted per ISO week and category.
//!
//! Weeks are computed in Rust from the stored day (`YYYY-MM-DD`), not in SQL, where
//! SQLite and PostgreSQL would each need their own date functions.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use sqlx::Row;
use sqlx::any::AnyRow;

use super::encode::{DATE, date};
use super::pool::Store;
use super::write::WriteTx;
use crate::error::Error;
use crate::est::{
    Category, NewReport, PartOfDay, PlaceWeekCount, Report, ReportStatus, Source, Week, WeekCount,
};

pub(super) const COLUMNS: &str = "id, district, place_id, other_place, day, part_of_day, category, description, status, merged_into, organisation, created_by, source";

fn stored(what: &str, value: &str) -> Error {
    Error::Internal(format!("stored {what} \"{value}\" is not known"))
}

pub(super) fn report(r: &AnyRow) -> Result<Report, Error> {
    let text = |c: &str| -> Result<String, Error> { Ok(r.try_get::<String, _>(c)?) };
    let part: Option<String> = r.try_get("part_of_day")?;
    let category = text("category")?;
    let status = text("status")?;
    let source = text("source")?;
    Ok(Report {
        id: r.try_get("id")?,
        district: text("district")?,
        place_id: r.try_get("place_id")?,
        other_place: r.try_get("other_place")?,
        day: date(&text("day")?)?,
        part_of_day: match part {
            Some(p) => Some(PartOfDay::from_code(&p).ok_or_else(|| stored("part of day", &p))?),
            None => None,
        },
        category: Category::from_code(&category).ok_or_else(|| stored("category", &category))?,
        description: r.try_get("description")?,
        status: ReportStatus::from_code(&status).ok_or_else(|| stored("status", &status))?,
        merged_into: r.try_get("merged_into")?,
        organisation: text("organisation")?,
        created_by: r.try_get("created_by")?,
        source: Source::from_code(&source).ok_or_else(|| stored("source", &source))?,
    })
}

async fn insert_in(tx: &mut WriteTx, r: &NewReport) -> Result<i64, Error> {
    if r.status == ReportStatus::Merged {
        return Err(Error::Invalid(
            "a new report cannot be merged into another".into(),
        ));
    }
    Ok(sqlx::query_scalar(
        "insert into est_reports (district, place_id, other_place, day, part_of_day, category, description, status, organisation, created_by, source) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning id",
    )
    .bind(r.district.clone())
    .bind(r.place_id.clone())
    .bind(r.other_place.clone())
    .bind(r.day.format(DATE).to_string())
    .bind(r.part_of_day.map(|p| p.code()))
    .bind(r.category.code())
    .bind(r.description.clone())
    .bind(r.status.code())
    .bind(r.organisation.clone())
    .bind(r.created_by.clone())
    .bind(r.source.code())
    .fetch_one(tx.conn())
    .await?)
}

impl Store {
    /// Stores one report; its id.
    pub async fn insert_est_report(&self, r: &NewReport) -> Result<i64, Error> {
        let mut tx = self.write().await?;
        let id = insert_in(&mut tx, r).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Stores every report and one audit entry (`action`, `detail`, under `actor`) in one
    /// transaction: all of them, or — on any failure — none. Returns how many.
    pub async fn insert_est_reports(
        &self,
        reports: &[NewReport],
        actor: &str,
        action: &str,
        detail: &str,
    ) -> Result<usize, Error> {
        let mut tx = self.write().await?;
        for r in reports {
            insert_in(&mut tx, r).await?;
        }
        Self::audit_in(&mut tx, actor, action, detail).await?;
        tx.commit().await?;
        Ok(reports.len())
    }

    /// One report.
    pub async fn est_report(&self, id: i64) -> Result<Option<Report>, Error> {
        let sql = format!("select {COLUMNS} from est_reports where id = $1");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(report)
            .transpose()
    }

    /// Reports of one district (or all) with one status (or any), newest day first.
    pub async fn est_reports(
        &self,
        district: Option<&str>,
        status: Option<ReportStatus>,
    ) -> Result<Vec<Report>, Error> {
        let sql = format!(
            "select {COLUMNS} from est_reports where ($1 is null or district = $1) and ($2 is null or status = $2) order by day desc, id desc"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(district)
            .bind(status.map(|s| s.code()))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(report)
            .collect()
    }

    /// A review decision: accepts, rejects or (with `merged_into`, a report of the same
    /// district that is not itself merged) merges a report, or sets it back to new;
    /// audited in the same transaction.
    pub async fn set_est_status(
        &self,
        id: i64,
        status: ReportStatus,
        merged_into: Option<i64>,
        actor: &str,
    ) -> Result<(), Error> {
        self.decide_est(id, status, merged_into, None, actor).await
    }

    /// The review queue's decision on a new report: like [`Store::set_est_status`], but a
    /// report that is no longer new (two coordinators deciding at once) is a conflict,
    /// checked in the write transaction.
    pub async fn decide_new_est_report(
        &self,
        id: i64,
        status: ReportStatus,
        merged_into: Option<i64>,
        actor: &str,
    ) -> Result<(), Error> {
        let new = Some(ReportStatus::New);
        self.decide_est(id, status, merged_into, new, actor).await
    }

    async fn decide_est(
        &self,
        id: i64,
        status: ReportStatus,
        merged_into: Option<i64>,
        expected: Option<ReportStatus>,
        actor: &str,
    ) -> Result<(), Error> {
        if (status == ReportStatus::Merged) != merged_into.is_some() {
            return Err(Error::Invalid(
                "a report is merged into another exactly when its status is merged".into(),
            ));
        }
        let mut tx = self.write().await?;
        let row: Option<(String, String)> =
            sqlx::query_as("select district, status from est_reports where id = $1")
                .bind(id)
                .fetch_optional(tx.conn())
                .await?;
        let Some((district, now)) = row else {
            return Err(Error::NotFound(format!("no report {id}")));
        };
        if expected.is_some_and(|e| e.code() != now) {
            return Err(Error::Conflict(format!("report {id} is already {now}")));
        }
        if let Some(target) = merged_into {
            // Into a new or accepted report of the district, never into itself or a
            // rejected or merged one; and not a report others were merged into (no chains).
            let ok: i64 = sqlx::query_scalar(
                "select count(*) from est_reports where id = $1 and id <> $2 and district = $3 and status in ('new', 'accepted') and not exists (select 1 from est_reports m where m.merged_into = $2)",
            )
            .bind(target)
            .bind(id)
            .bind(district.clone())
            .fetch_one(tx.conn())
            .await?;
            if ok == 0 {
                return Err(Error::Conflict(format!(
                    "report {id} can only be merged into another new or accepted report of {district}, and only when none is merged into it"
                )));
            }
        }
        sqlx::query("update est_reports set status = $1, merged_into = $2 where id = $3")
            .bind(status.code())
            .bind(merged_into)
            .bind(id)
            .execute(tx.conn())
            .await?;
        let detail = match merged_into {
            Some(t) => format!("report {id} ({district}): merged into {t}"),
            None => format!("report {id} ({district}): {}", status.code()),
        };
        Self::audit_in(&mut tx, actor, "est review", &detail).await?;
        tx.commit().await
    }

    /// Deletes the free text — description, other place, the reporting account — of every
    /// report of a day before `keeps_from` (see `est::Retention`), and the follow-up note of
    /// every action last written before it; the reports stay as counts, the actions as
    /// records. Audited with how many, in the same transaction. Returns how many reports
    /// lost their text.
    pub async fn purge_est_free_text(
        &self,
        keeps_from: NaiveDate,
        actor: &str,
    ) -> Result<u64, Error> {
        let mut tx = self.write().await?;
        let n = sqlx::query(
            "update est_reports set description = null, other_place = null, created_by = null where day < $1 and (description is not null or other_place is not null or created_by is not null)",
        )
        .bind(keeps_from.format(DATE).to_string())
        .execute(tx.conn())
        .await?
        .rows_affected();
        // An action's follow-up note is free text too: it goes when the action was last
        // written (recorded or followed up) before the period, whatever its status or due
        // date, which a user chooses.
        let notes = sqlx::query(
            "update est_actions set note = null where coalesce(edited_at, created_at) < $1 and note is not null",
        )
        .bind(keeps_from.format(DATE).to_string())
        .execute(tx.conn())
        .await?
        .rows_affected();
        if n + notes > 0 {
            let detail = format!(
                "{n} report(s) of days before {keeps_from}, {notes} note(s) of actions last written before it"
            );
            Self::audit_in(&mut tx, actor, "est free text deleted", &detail).await?;
        }
        tx.commit().await?;
        Ok(n)
    }

    /// Accepted reports per ISO week and `column` (a column name of this file, never
    /// input; each value read with `key`), of one district or all, from `from`'s Monday to
    /// `to`'s Sunday. SQL counts per day and Rust per week, so both backends agree without
    /// their date functions. Two statements, not `($1 is null or district = $1)`, so each
    /// reads its covering index alone.
    async fn accepted_per_week<K: Ord>(
        &self,
        column: &'static str,
        also: &'static str,
        district: Option<&str>,
        (from, to): (Week, Week),
        key: impl Fn(String) -> Result<K, Error>,
    ) -> Result<BTreeMap<(Week, K), i64>, Error> {
        let (first, last) = (
            from.monday().format(DATE).to_string(),
            to.sunday().format(DATE).to_string(),
        );
        let query = match district {
            Some(d) => sqlx::query(sqlx::AssertSqlSafe(format!(
                "select day, {column}, count(*) as n from est_reports where district = $3 and status = 'accepted' {also} and day >= $1 and day <= $2 group by day, {column}"
            )))
            .bind(first)
            .bind(last)
            .bind(d.to_string()),
            None => sqlx::query(sqlx::AssertSqlSafe(format!(
                "select day, {column}, count(*) as n from est_reports where status = 'accepted' {also} and day >= $1 and day <= $2 group by day, {column}"
            )))
            .bind(first)
            .bind(last),
        };
        let mut counts = BTreeMap::new();
        for r in query.fetch_all(&self.pool).await? {
            let day: String = r.try_get("day")?;
            let k = key(r.try_get(column)?)?;
            *counts.entry((Week::of(date(&day)?), k)).or_default() += r.try_get::<i64, _>("n")?;
        }
        Ok(counts)
    }

    /// Accepted reports of one district (or all) from week `from` to week `to`, both
    /// included, counted per ISO week and category; weeks and categories without reports
    /// are left out. In week order, then category order.
    pub async fn est_week_counts(
        &self,
        district: Option<&str>,
        from: Week,
        to: Week,
    ) -> Result<Vec<WeekCount>, Error> {
        let category = |c: String| Category::from_code(&c).ok_or_else(|| stored("category", &c));
        let counts = self
            .accepted_per_week("category", "", district, (from, to), category)
            .await?;
        Ok(counts
            .into_iter()
            .map(|((week, category), count)| WeekCount {
                week,
                category,
                count,
            })
            .collect())
    }

    /// Accepted reports at places of the register, of one district (or all) from week
    /// `from` to week `to`, both included, counted per ISO week and place; reports without
    /// a register place are left out. In week order, then place id order.
    pub async fn est_place_week_counts(
        &self,
        district: Option<&str>,
        from: Week,
        to: Week,
    ) -> Result<Vec<PlaceWeekCount>, Error> {
        let also = "and place_id is not null";
        let counts = self
            .accepted_per_week("place_id", also, district, (from, to), Ok)
            .await?;
        Ok(counts
            .into_iter()
            .map(|((week, place_id), count)| PlaceWeekCount {
                week,
                place_id,
                count,
            })
            .collect())
    }
}
