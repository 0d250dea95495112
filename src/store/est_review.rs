//! The SQL behind the EST report form's pages: a reporter's own recent reports, the
//! review queue (new reports of some districts, oldest first), the reports a new one may
//! be merged into, and the number waiting. Decisions themselves are
//! `Store::set_est_status` (`est.rs`).

use chrono::NaiveDate;

use super::encode::DATE;
use super::est::{COLUMNS, report};
use super::pool::Store;
use crate::error::Error;
use crate::est::Report;

impl Store {
    /// The reports `created_by` filed on or after `since` (by the day they are about),
    /// newest first. Only the web form sets `created_by`.
    pub async fn est_reports_by(
        &self,
        created_by: &str,
        since: NaiveDate,
    ) -> Result<Vec<Report>, Error> {
        let sql = format!(
            "select {COLUMNS} from est_reports where created_by = $1 and day >= $2 order by day desc, id desc"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(created_by)
            .bind(since.format(DATE).to_string())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(report)
            .collect()
    }

    /// The review queue: new reports of the districts (`None`: every district), oldest
    /// day first.
    pub async fn est_queue(&self, districts: Option<&[String]>) -> Result<Vec<Report>, Error> {
        let sql =
            format!("select {COLUMNS} from est_reports where status = 'new' order by day, id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await?;
        let all: Vec<Report> = rows.iter().map(report).collect::<Result<_, _>>()?;
        Ok(all
            .into_iter()
            .filter(|r| crate::role::within(districts, &r.district))
            .collect())
    }

    /// Reports of `district` from `from` to `to` (days, both included) that another may
    /// be merged into: every status but merged. By day, then id.
    pub async fn est_merge_targets(
        &self,
        district: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<Report>, Error> {
        let sql = format!(
            "select {COLUMNS} from est_reports where district = $1 and status <> 'merged' and day >= $2 and day <= $3 order by day, id"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(district)
            .bind(from.format(DATE).to_string())
            .bind(to.format(DATE).to_string())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(report)
            .collect()
    }

    /// How many new reports of one district (or all) wait for review.
    pub async fn count_new_est_reports(&self, district: Option<&str>) -> Result<i64, Error> {
        Ok(sqlx::query_scalar(
            "select count(*) from est_reports where status = 'new' and ($1 is null or district = $1)",
        )
        .bind(district)
        .fetch_one(&self.pool)
        .await?)
    }
}
