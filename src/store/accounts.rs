//! Creating a staff account with everything it can carry at creation: its role, the
//! districts an analyst or reporter is limited to, and the organisation a reporter files
//! reports for — and changing that organisation. (Sessions, passwords and the audit log
//! are `staff.rs`.)

use super::pool::Store;
use super::staff::{StaffAccount, now_text};
use crate::error::Error;
use crate::role::Role;

pub use crate::est::MAX_ORGANISATION_CHARS;

/// An organisation as kept: trimmed, `None` when empty; an error when too long or on
/// more than one line.
fn organisation_kept(organisation: Option<&str>) -> Result<Option<&str>, Error> {
    let organisation = organisation.map(str::trim).filter(|o| !o.is_empty());
    if organisation.is_some_and(|o| {
        o.chars().count() > MAX_ORGANISATION_CHARS || o.chars().any(char::is_control)
    }) {
        return Err(Error::Invalid(format!(
            "an organisation is at most {MAX_ORGANISATION_CHARS} characters on one line"
        )));
    }
    // Shown with every report the account files: never a person's number or address.
    if organisation.is_some_and(|o| crate::est::find_personal_data(o).is_some()) {
        return Err(Error::Invalid(
            "en organisation anges med namn, utan telefonnummer, e-postadress eller personnummer"
                .into(),
        ));
    }
    Ok(organisation)
}

impl Store {
    /// Sets (or, with `None` or an empty name, clears) the organisation an account reports
    /// for, audited; reports already filed keep theirs.
    pub async fn set_staff_organisation(
        &self,
        id: i64,
        organisation: Option<&str>,
        actor: &str,
    ) -> Result<(), Error> {
        let organisation = organisation_kept(organisation)?;
        let mut tx = self.write().await?;
        let row: Option<(String, Option<String>)> =
            sqlx::query_as("select email, organisation from staff where id = $1")
                .bind(id)
                .fetch_optional(tx.conn())
                .await?;
        let Some((email, before)) = row else {
            return Err(Error::NotFound("no such account".into()));
        };
        if before.as_deref() == organisation {
            // Unchanged (the users page posts it with every change of role): no entry.
            return tx.rollback().await;
        }
        sqlx::query("update staff set organisation = $1 where id = $2")
            .bind(organisation)
            .bind(id)
            .execute(tx.conn())
            .await?;
        let detail = format!("{email}: {}", organisation.unwrap_or("none"));
        Self::audit_in(&mut tx, actor, "organisation changed", &detail).await?;
        tx.commit().await
    }

    /// Creates an account without a password and records it in the audit log. A district
    /// limit is kept only for roles that can have one (`Role::scopable`).
    pub async fn add_staff_with(
        &self,
        email: &str,
        role: Role,
        districts: Option<&[String]>,
        organisation: Option<&str>,
        actor: &str,
    ) -> Result<StaffAccount, Error> {
        let districts = districts.filter(|_| role.scopable());
        let organisation = organisation_kept(organisation)?;
        let mut tx = self.write().await?;
        let exists: i64 = sqlx::query_scalar("select count(*) from staff where email = $1")
            .bind(email)
            .fetch_one(tx.conn())
            .await?;
        if exists > 0 {
            return Err(Error::Conflict(format!("{email} already has an account")));
        }
        let id: i64 = sqlx::query_scalar(
            "insert into staff (email, role, districts, created_at, organisation) values ($1, $2, $3, $4, $5) returning id",
        )
        .bind(email)
        .bind(role.as_str())
        .bind(districts.map(|d| d.join(",")))
        .bind(now_text())
        .bind(organisation)
        .fetch_one(tx.conn())
        .await?;
        let mut detail = format!("{email} as {}", role.as_str());
        if let Some(d) = districts {
            detail.push_str(&format!(" in {}", d.join(", ")));
        }
        if let Some(o) = organisation {
            detail.push_str(&format!(" for {o}"));
        }
        Self::audit_in(&mut tx, actor, "user added", &detail).await?;
        tx.commit().await?;
        Ok(StaffAccount {
            id,
            email: email.to_string(),
            role,
            districts: districts.map(<[String]>::to_vec),
            disabled: false,
            has_password: false,
            organisation: organisation.map(str::to_string),
        })
    }
}
