//! The SQL of the EST group's actions (`est_actions`): recording one, listing a district's
//! (or every district's) actions, changing status and follow-up note, and the one step
//! that makes an action a measure of the register — each audited in its own transaction.
//! Also the accepted reports per day at given places, for a measure's page.

use chrono::NaiveDate;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::encode::{DATE, date};
use super::pool::Store;
use super::write::WriteTx;
use crate::error::Error;
use crate::est::{Action, ActionKind, ActionStatus, NewAction, Week};
use crate::measure::Measure;

const COLUMNS: &str =
    "id, district, place_id, kind, presence, owner, due, status, note, week, measure_id";

fn stored(what: &str, value: &str) -> Error {
    Error::Internal(format!("stored action {what} \"{value}\" is not known"))
}

fn action(r: &AnyRow) -> Result<Action, Error> {
    let text = |c: &str| -> Result<String, Error> { Ok(r.try_get::<String, _>(c)?) };
    let (kind, presence) = (text("kind")?, r.try_get::<Option<String>, _>("presence")?);
    let status = text("status")?;
    let week = text("week")?;
    Ok(Action {
        id: r.try_get("id")?,
        new: NewAction {
            district: text("district")?,
            place_id: r.try_get("place_id")?,
            kind: ActionKind::from_codes(&kind, presence.as_deref())
                .map_err(|_| stored("kind", &kind))?,
            owner: text("owner")?,
            due: date(&text("due")?)?,
            status: ActionStatus::from_code(&status).ok_or_else(|| stored("status", &status))?,
            note: r.try_get("note")?,
            week: Week::parse(&week).ok_or_else(|| stored("week", &week))?,
        },
        measure_id: r.try_get("measure_id")?,
    })
}

/// The action's district and measure, read inside a writer's transaction.
async fn district_in(tx: &mut WriteTx, id: i64) -> Result<(String, Option<String>), Error> {
    let row = sqlx::query("select district, measure_id from est_actions where id = $1")
        .bind(id)
        .fetch_optional(tx.conn())
        .await?;
    let Some(row) = row else {
        return Err(Error::NotFound(format!("no action {id}")));
    };
    Ok((row.try_get("district")?, row.try_get("measure_id")?))
}

impl Store {
    /// Records an action, audited; its id.
    pub async fn insert_est_action(&self, a: &NewAction, actor: &str) -> Result<i64, Error> {
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar(
            "insert into est_actions (district, place_id, kind, presence, owner, due, status, note, week, created_by, created_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning id",
        )
        .bind(a.district.clone())
        .bind(a.place_id.clone())
        .bind(a.kind.code())
        .bind(a.kind.presence().map(|p| p.code()))
        .bind(a.owner.clone())
        .bind(a.due.format(DATE).to_string())
        .bind(a.status.code())
        .bind(a.note.clone())
        .bind(a.week.to_string())
        .bind(actor)
        .bind(super::staff::now_text())
        .fetch_one(tx.conn())
        .await?;
        let detail = format!("action {id} ({}): {}", a.district, a.kind.label());
        Self::audit_in(&mut tx, actor, "est action recorded", &detail).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// One action.
    pub async fn est_action(&self, id: i64) -> Result<Option<Action>, Error> {
        let sql = format!("select {COLUMNS} from est_actions where id = $1");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(action)
            .transpose()
    }

    /// The actions of one district (or all), only the open ones (planned or under way)
    /// when `open`; by due date, then id.
    pub async fn est_actions(
        &self,
        district: Option<&str>,
        open: bool,
    ) -> Result<Vec<Action>, Error> {
        let sql = format!(
            "select {COLUMNS} from est_actions where ($1 is null or district = $1) and ($2 = 0 or status <> 'klar') order by due, id"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(district)
            .bind(i64::from(open))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(action)
            .collect()
    }

    /// The actions linked to a measure of the register.
    pub async fn est_actions_of_measure(&self, measure: &str) -> Result<Vec<Action>, Error> {
        let sql = format!("select {COLUMNS} from est_actions where measure_id = $1 order by id");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(measure)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(action)
            .collect()
    }

    /// Changes an action's status and follow-up note, audited.
    pub async fn update_est_action(
        &self,
        id: i64,
        status: ActionStatus,
        note: Option<&str>,
        actor: &str,
    ) -> Result<(), Error> {
        let mut tx = self.write().await?;
        let (district, _) = district_in(&mut tx, id).await?;
        sqlx::query(
            "update est_actions set status = $1, note = $2, edited_by = $3, edited_at = $4 where id = $5",
        )
        .bind(status.code())
        .bind(note)
        .bind(actor)
        .bind(super::staff::now_text())
        .bind(id)
        .execute(tx.conn())
        .await?;
        let detail = format!("action {id} ({district}): {}", status.code());
        Self::audit_in(&mut tx, actor, "est action followed up", &detail).await?;
        tx.commit().await
    }

    /// The one step from action to measure: saves `measure` as a new measure of the
    /// register (version 1, through the register's own save, so its history and audit
    /// hold) and links the action to it, in one transaction. When the register has never
    /// been edited in trygg, `file_register` (the file's measures) is saved first, as an
    /// edit of the register would. An action already linked, or a measure id already
    /// used, is a conflict: nothing is saved.
    pub async fn make_measure_of_est_action(
        &self,
        id: i64,
        measure: &Measure,
        file_register: &[Measure],
        actor: &str,
    ) -> Result<(), Error> {
        let mut tx = self.write().await?;
        let (district, linked) = district_in(&mut tx, id).await?;
        if let Some(m) = linked {
            return Err(Error::Conflict(format!(
                "action {id} is already measure {m}"
            )));
        }
        let versions: i64 = sqlx::query_scalar("select count(*) from measure_versions")
            .fetch_one(tx.conn())
            .await?;
        let used: i64 = sqlx::query_scalar("select count(*) from measure_versions where id = $1")
            .bind(&measure.id)
            .fetch_one(tx.conn())
            .await?;
        if used > 0 || (versions == 0 && file_register.iter().any(|m| m.id == measure.id)) {
            return Err(Error::Conflict(format!(
                "the register already has a measure {}",
                measure.id
            )));
        }
        if versions == 0 && !file_register.is_empty() {
            let import = "import of surveys/measures.toml";
            Self::save_measures_in(&mut tx, file_register, false, import).await?;
        }
        Self::save_measures_in(&mut tx, std::slice::from_ref(measure), false, actor).await?;
        sqlx::query(
            "update est_actions set measure_id = $1, edited_by = $2, edited_at = $3 where id = $4",
        )
        .bind(&measure.id)
        .bind(actor)
        .bind(super::staff::now_text())
        .bind(id)
        .execute(tx.conn())
        .await?;
        let detail = format!("action {id} ({district}) became measure {}", measure.id);
        Self::audit_in(&mut tx, actor, "est action to measure", &detail).await?;
        tx.commit().await
    }

    /// Accepted reports of a district from `from` to `to` (both included) per day: at the
    /// given places of the register only, or anywhere in the district for `None`.
    pub async fn est_accepted_per_day(
        &self,
        district: &str,
        places: Option<&[String]>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(NaiveDate, i64)>, Error> {
        let at = match places {
            Some([]) => return Ok(Vec::new()),
            Some(ids) => {
                let marks: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 4)).collect();
                format!(" and place_id in ({})", marks.join(", "))
            }
            None => String::new(),
        };
        let sql = format!(
            "select day, count(*) as n from est_reports where status = 'accepted' and district = $1 and day >= $2 and day <= $3{at} group by day order by day"
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(district)
            .bind(from.format(DATE).to_string())
            .bind(to.format(DATE).to_string());
        for id in places.unwrap_or_default() {
            q = q.bind(id.clone());
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| Ok((date(&r.try_get::<String, _>("day")?)?, r.try_get("n")?)))
            .collect()
    }
}
