//! The SQL of the measures register and its history.

use sqlx::Row;

use super::pool::Store;
use super::write::WriteTx;
use crate::error::Error;
use crate::measure::{Measure, RegisterVersion};

fn measure(r: &sqlx::any::AnyRow) -> Result<Measure, Error> {
    let start: String = r.get("start");
    let targets: String = r.get("targets");
    Ok(Measure {
        id: r.get("id"),
        district: r.get("district"),
        start: chrono::NaiveDate::parse_from_str(&start, "%Y-%m-%d")
            .map_err(|_| Error::Internal(format!("stored measure start {start}")))?,
        category: r.get("category"),
        title: r.get("title"),
        lag_months: r.get::<i64, _>("lag_months") as u32,
        targets: targets
            .split(',')
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect(),
        version: Some(RegisterVersion {
            version: r.get("version"),
            edited_by: r.get("edited_by"),
            edited_at: r.get("edited_at"),
        }),
    })
}

impl Store {
    /// The current version of every measure that is not removed, by start date; empty when
    /// the register has never been edited in trygg (then `surveys/measures.toml` is used).
    pub async fn measures(&self) -> Result<Vec<Measure>, Error> {
        let rows = sqlx::query(
            r#"select v.* from measure_versions v
               where v.version = (select max(version) from measure_versions w where w.id = v.id)
                 and v.removed = 0
               order by v.start, v.id"#,
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(measure).collect()
    }

    /// Whether the register lives in the database.
    pub async fn has_measures(&self) -> Result<bool, Error> {
        Ok(self.measure_edits().await? > 0)
    }

    /// How many versions the register has had: grows with every edit.
    pub async fn measure_edits(&self) -> Result<i64, Error> {
        Ok(sqlx::query_scalar("select count(*) from measure_versions")
            .fetch_one(&self.pool)
            .await?)
    }

    /// Every version of one measure, oldest first.
    pub async fn measure_history(&self, id: &str) -> Result<Vec<Measure>, Error> {
        let rows = sqlx::query("select * from measure_versions where id = $1 order by version")
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(measure).collect()
    }

    /// Saves measures as new versions (the file's register, imported, or one edit), logged.
    pub async fn save_measures(
        &self,
        ms: &[Measure],
        removed: bool,
        actor: &str,
    ) -> Result<(), Error> {
        let mut tx = self.write().await?;
        Self::save_measures_in(&mut tx, ms, removed, actor).await?;
        tx.commit().await
    }

    /// [`Store::save_measures`] inside a writer's transaction.
    pub(super) async fn save_measures_in(
        tx: &mut WriteTx,
        ms: &[Measure],
        removed: bool,
        actor: &str,
    ) -> Result<(), Error> {
        let at = super::staff::now_text();
        for m in ms {
            let version: i64 = sqlx::query_scalar(
                "select coalesce(max(version), 0) + 1 from measure_versions where id = $1",
            )
            .bind(&m.id)
            .fetch_one(tx.conn())
            .await?;
            sqlx::query(
                r#"insert into measure_versions
                   (id, version, district, start, category, title, lag_months, targets, removed, edited_by, edited_at)
                   values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"#,
            )
            .bind(&m.id)
            .bind(version)
            .bind(&m.district)
            .bind(m.start.format("%Y-%m-%d").to_string())
            .bind(&m.category)
            .bind(&m.title)
            .bind(m.lag_months as i64)
            .bind(m.targets.join(","))
            .bind(i64::from(removed))
            .bind(actor)
            .bind(&at)
            .execute(tx.conn())
            .await?;
            let action = if removed {
                "measure removed"
            } else {
                "measure edited"
            };
            Self::audit_in(tx, actor, action, &format!("{} version {version}", m.id)).await?;
        }
        Ok(())
    }
}
