//! The SQL of the EST places register as edited on the web: versions of the whole register
//! in the `places.toml` format (`est_place_versions`), the latest of which is the register
//! once there is one, and the counts that decide whether a place may be removed or moved.

use std::collections::BTreeMap;

use sqlx::Row;

use super::pool::Store;
use crate::error::Error;

/// One saved version of the register.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacesVersion {
    pub version: i64,
    /// The register in the `places.toml` format.
    pub body: String,
    pub edited_by: String,
    pub edited_at: String,
}

impl Store {
    /// The newest version of the register, if it was ever edited in trygg.
    pub async fn places_version(&self) -> Result<Option<PlacesVersion>, Error> {
        let row = sqlx::query(
            "select version, body, edited_by, edited_at from est_place_versions order by version desc limit 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        Ok(match row {
            Some(r) => Some(PlacesVersion {
                version: r.try_get("version")?,
                body: r.try_get("body")?,
                edited_by: r.try_get("edited_by")?,
                edited_at: r.try_get("edited_at")?,
            }),
            None => None,
        })
    }

    /// Saves `body` as the register's next version, audited with `detail` in the same
    /// transaction; the new version's number. Checked again inside the write transaction,
    /// so two edits at once cannot undo each other: the register must still be version
    /// `based_on` (0: the file, before any edit), and the place `fixed` (one removed or
    /// moved to another district), when given, must still be named by no report or action
    /// — both a [`Error::Conflict`] otherwise, with nothing stored.
    pub async fn save_places_version(
        &self,
        body: &str,
        based_on: i64,
        fixed: Option<&str>,
        actor: &str,
        detail: &str,
    ) -> Result<i64, Error> {
        let at = super::staff::now_text();
        let mut tx = self.write().await?;
        let current: i64 =
            sqlx::query_scalar("select coalesce(max(version), 0) from est_place_versions")
                .fetch_one(tx.conn())
                .await?;
        if current != based_on {
            return Err(Error::Conflict(format!(
                "the places register is at version {current}, not {based_on}"
            )));
        }
        if let Some(id) = fixed {
            let uses = uses_of_place_in(tx.conn(), id).await?;
            if uses > 0 {
                return Err(Error::Conflict(format!(
                    "{id} is named by {uses} report(s) or action(s)"
                )));
            }
        }
        let version = current + 1;
        sqlx::query(
            "insert into est_place_versions (version, body, edited_by, edited_at) values ($1, $2, $3, $4)",
        )
        .bind(version)
        .bind(body)
        .bind(actor)
        .bind(at)
        .execute(tx.conn())
        .await?;
        let detail = format!("version {version}: {detail}");
        Self::audit_in(&mut tx, actor, "est places edited", &detail).await?;
        tx.commit().await?;
        Ok(version)
    }

    /// How many reports (of any status) and actions name the place.
    pub async fn uses_of_place(&self, place_id: &str) -> Result<i64, Error> {
        let mut c = self.pool.acquire().await?;
        uses_of_place_in(&mut c, place_id).await
    }

    /// Reports (of any status) per place id; places without reports are left out.
    pub async fn reports_per_place(&self) -> Result<BTreeMap<String, i64>, Error> {
        let rows = sqlx::query(
            "select place_id, count(*) as n from est_reports where place_id is not null group by place_id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("place_id")?, r.try_get("n")?)))
            .collect()
    }
}

async fn uses_of_place_in(c: &mut sqlx::AnyConnection, place_id: &str) -> Result<i64, Error> {
    Ok(sqlx::query_scalar(
        "select (select count(*) from est_reports where place_id = $1) + (select count(*) from est_actions where place_id = $1)",
    )
    .bind(place_id)
    .fetch_one(c)
    .await?)
}
