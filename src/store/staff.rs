//! The SQL of staff accounts, sessions, one-time password links and the audit log.

use chrono::NaiveDate;
use sqlx::Row;

use super::encode::{DATE, hex};
use super::pool::Store;
use super::write::WriteTx;
use crate::error::Error;
use crate::role::Role;

/// A staff account as the server sees it (never the password hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffAccount {
    pub id: i64,
    pub email: String,
    pub role: Role,
    /// The districts an analyst or reporter is limited to; `None` = every district.
    pub districts: Option<Vec<String>>,
    pub disabled: bool,
    pub has_password: bool,
    /// The organisation the person reports for; `None`: the site's own.
    pub organisation: Option<String>,
}

/// A live session with its account.
#[derive(Debug, Clone)]
pub struct SessionRow {
    pub account: StaffAccount,
    pub csrf: String,
    pub created_at: i64,
    pub seen_at: i64,
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub detail: String,
}

fn account(r: &sqlx::any::AnyRow) -> Result<StaffAccount, Error> {
    let role: String = r.get("role");
    let districts: Option<String> = r.get("districts");
    Ok(StaffAccount {
        id: r.get("id"),
        email: r.get("email"),
        role: Role::parse(&role)
            .ok_or_else(|| Error::Internal(format!("unknown role {role} in the database")))?,
        districts: districts.map(|d| d.split(',').map(str::to_string).collect()),
        disabled: r.get::<i64, _>("disabled") != 0,
        has_password: r.get::<Option<String>, _>("password_hash").is_some(),
        organisation: r.get("organisation"),
    })
}

const ACCOUNT_COLUMNS: &str =
    "s.id, s.email, s.role, s.districts, s.disabled, s.password_hash, s.organisation";

/// A timestamp of staff actions, in UTC.
pub(super) fn now_text() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%d %H:%M:%S UTC")
        .to_string()
}

impl Store {
    /// Creates an account without a password (and without an organisation) and records
    /// it in the audit log.
    pub async fn add_staff(
        &self,
        email: &str,
        role: Role,
        districts: Option<&[String]>,
        actor: &str,
    ) -> Result<StaffAccount, Error> {
        self.add_staff_with(email, role, districts, None, actor)
            .await
    }

    pub async fn staff_by_email(
        &self,
        email: &str,
    ) -> Result<Option<(StaffAccount, Option<String>)>, Error> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "select {ACCOUNT_COLUMNS} from staff s where s.email = $1"
        )))
        .bind(email)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((account(&r)?, r.get("password_hash"))))
            .transpose()
    }

    pub async fn staff_list(&self) -> Result<Vec<StaffAccount>, Error> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "select {ACCOUNT_COLUMNS} from staff s order by s.email"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(account).collect()
    }

    /// Stores a one-time password link's hash.
    pub async fn add_password_token(
        &self,
        staff_id: i64,
        hash: &[u8],
        expires_at: i64,
    ) -> Result<(), Error> {
        let mut tx = self.write().await?;
        sqlx::query("insert into password_tokens (hash, staff_id, expires_at) values ($1, $2, $3)")
            .bind(hash)
            .bind(staff_id)
            .bind(expires_at)
            .execute(tx.conn())
            .await?;
        tx.commit().await
    }

    /// The account a password link is for, if the link is valid now.
    pub async fn password_token(
        &self,
        hash: &[u8],
        now: i64,
    ) -> Result<Option<StaffAccount>, Error> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "select {ACCOUNT_COLUMNS} from password_tokens t join staff s on s.id = t.staff_id where t.hash = $1 and t.expires_at > $2 and s.disabled = 0"
        )))
        .bind(hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(account).transpose()
    }

    /// Sets the password of the link's account, uses the link up and ends every session.
    pub async fn set_password(
        &self,
        token_hash: &[u8],
        password_hash: &str,
        now: i64,
    ) -> Result<Option<String>, Error> {
        let mut tx = self.write().await?;
        let row: Option<(i64, String)> = sqlx::query_as(
            "select s.id, s.email from password_tokens t join staff s on s.id = t.staff_id where t.hash = $1 and t.expires_at > $2 and s.disabled = 0",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(tx.conn())
        .await?;
        let Some((id, email)) = row else {
            tx.rollback().await?;
            return Ok(None);
        };
        sqlx::query("update staff set password_hash = $1 where id = $2")
            .bind(password_hash)
            .bind(id)
            .execute(tx.conn())
            .await?;
        sqlx::query("delete from password_tokens where staff_id = $1")
            .bind(id)
            .execute(tx.conn())
            .await?;
        sqlx::query("delete from staff_sessions where staff_id = $1")
            .bind(id)
            .execute(tx.conn())
            .await?;
        Self::audit_in(&mut tx, &email, "password set", &email).await?;
        tx.commit().await?;
        Ok(Some(email))
    }

    pub async fn add_session(
        &self,
        hash: &[u8],
        staff_id: i64,
        csrf: &str,
        now: i64,
    ) -> Result<(), Error> {
        let mut tx = self.write().await?;
        sqlx::query("insert into staff_sessions (hash, staff_id, csrf, created_at, seen_at) values ($1, $2, $3, $4, $5)")
            .bind(hash)
            .bind(staff_id)
            .bind(csrf)
            .bind(now)
            .bind(now)
            .execute(tx.conn())
            .await?;
        tx.commit().await
    }

    pub async fn session(&self, hash: &[u8]) -> Result<Option<SessionRow>, Error> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "select {ACCOUNT_COLUMNS}, x.csrf, x.created_at, x.seen_at from staff_sessions x join staff s on s.id = x.staff_id where x.hash = $1"
        )))
        .bind(hash)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(SessionRow {
                account: account(&r)?,
                csrf: r.get("csrf"),
                created_at: r.get("created_at"),
                seen_at: r.get("seen_at"),
            })
        })
        .transpose()
    }

    /// Marks a session as used now (at most once a minute, to spare the disk).
    pub async fn touch_session(&self, hash: &[u8], now: i64) -> Result<(), Error> {
        let mut tx = self.write().await?;
        sqlx::query("update staff_sessions set seen_at = $1 where hash = $2 and seen_at < $3 - 60")
            .bind(now)
            .bind(hash)
            .bind(now)
            .execute(tx.conn())
            .await?;
        tx.commit().await
    }

    pub async fn end_session(&self, hash: &[u8]) -> Result<(), Error> {
        let mut tx = self.write().await?;
        sqlx::query("delete from staff_sessions where hash = $1")
            .bind(hash)
            .execute(tx.conn())
            .await?;
        tx.commit().await
    }

    /// Ends every session of an account ("log out everywhere").
    pub async fn end_sessions_of(&self, staff_id: i64, actor: &str) -> Result<(), Error> {
        let mut tx = self.write().await?;
        sqlx::query("delete from staff_sessions where staff_id = $1")
            .bind(staff_id)
            .execute(tx.conn())
            .await?;
        Self::audit_in(&mut tx, actor, "logged out everywhere", actor).await?;
        tx.commit().await
    }

    /// Changes an account's role, or disables it (which also ends its sessions).
    pub async fn update_staff(
        &self,
        id: i64,
        role: Role,
        disabled: bool,
        actor: &str,
    ) -> Result<(), Error> {
        let mut tx = self.write().await?;
        let email: Option<String> = sqlx::query_scalar("select email from staff where id = $1")
            .bind(id)
            .fetch_optional(tx.conn())
            .await?;
        let Some(email) = email else {
            return Err(Error::NotFound("no such account".into()));
        };
        // A district limit belongs to the analyst and reporter roles; it goes when the role does.
        sqlx::query(
            "update staff set role = $1, disabled = $2, districts = case when $1 in ('analyst', 'reporter') then districts end where id = $3",
        )
        .bind(role.as_str())
        .bind(i64::from(disabled))
        .bind(id)
        .execute(tx.conn())
        .await?;
        if disabled {
            sqlx::query("delete from staff_sessions where staff_id = $1")
                .bind(id)
                .execute(tx.conn())
                .await?;
            sqlx::query("delete from password_tokens where staff_id = $1")
                .bind(id)
                .execute(tx.conn())
                .await?;
        }
        let what = if disabled {
            "user disabled"
        } else {
            "role changed"
        };
        Self::audit_in(&mut tx, actor, what, &format!("{email}: {}", role.as_str())).await?;
        tx.commit().await
    }

    pub(super) async fn audit_in(
        tx: &mut WriteTx,
        actor: &str,
        action: &str,
        detail: &str,
    ) -> Result<(), Error> {
        sqlx::query("insert into audit_log (at, actor, action, detail) values ($1, $2, $3, $4)")
            .bind(now_text())
            .bind(actor)
            .bind(action)
            .bind(detail)
            .execute(tx.conn())
            .await?;
        Ok(())
    }

    /// Appends to the audit log.
    pub async fn audit(&self, actor: &str, action: &str, detail: &str) -> Result<(), Error> {
        let mut tx = self.write().await?;
        Self::audit_in(&mut tx, actor, action, detail).await?;
        tx.commit().await
    }

    /// The audit log, newest first, optionally filtered by actor and action.
    pub async fn audit_log(
        &self,
        actor: Option<&str>,
        action: Option<&str>,
    ) -> Result<Vec<AuditEntry>, Error> {
        let rows = sqlx::query(
            "select at, actor, action, detail from audit_log where ($1 is null or actor = $1) and ($2 is null or action = $2) order by id desc limit 1000",
        )
        .bind(actor)
        .bind(action)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| AuditEntry {
                at: r.get("at"),
                actor: r.get("actor"),
                action: r.get("action"),
                detail: r.get("detail"),
            })
            .collect())
    }

    /// Closes an open wave today (its last day becomes yesterday), logged, and deletes its
    /// letter codes (and those of any other wave past its last day).
    pub async fn close_wave(
        &self,
        wave_id: i64,
        yesterday: chrono::NaiveDate,
        actor: &str,
    ) -> Result<(), Error> {
        let mut tx = self.write().await?;
        let row: Option<(String, i64)> =
            sqlx::query_as("select district, year from waves where id = $1")
                .bind(wave_id)
                .fetch_optional(tx.conn())
                .await?;
        let Some((district, year)) = row else {
            return Err(Error::NotFound("no such wave".into()));
        };
        sqlx::query("update waves set closes_on = case when opens_on > $1 then opens_on else $1 end where id = $2 and closes_on > $3")
            .bind(yesterday.format(DATE).to_string())
            .bind(wave_id)
            .bind(yesterday.format(DATE).to_string())
            .execute(tx.conn())
            .await?;
        Self::audit_in(&mut tx, actor, "wave closed", &format!("{district} {year}")).await?;
        // A closed wave keeps only its strata's counts: its letter codes go in the same
        // transaction, so no moment exists in which it is closed and still has them.
        Self::purge_closed_codes_in(&mut tx, yesterday + chrono::Duration::days(1), actor).await?;
        tx.commit().await
    }
}

/// An API token as the admin page lists it (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    /// Hex of the token's SHA-256: how the page names it.
    pub id: String,
    pub name: String,
    pub role: Role,
    pub created_by: String,
    pub created_at: String,
    pub revoked: bool,
    /// The last day it works (`YYYY-MM-DD`).
    pub expires_on: String,
    /// The last day it was used, if ever.
    pub last_used_on: Option<String>,
    /// The districts it reads; `None` = every district.
    pub districts: Option<Vec<String>>,
}

/// A new API token: the hash of the token (never the token), its name, role, last day and
/// districts.
pub struct NewApiToken<'a> {
    pub hash: &'a [u8],
    pub name: &'a str,
    pub role: Role,
    pub expires_on: NaiveDate,
    pub districts: Option<&'a [String]>,
}

/// What a presented token may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenCheck {
    /// A live token: its role and districts (`None` = every district), and its name.
    Live {
        name: String,
        role: Role,
        districts: Option<Vec<String>>,
    },
    /// A token that exists but does not work (revoked, expired, its account disabled):
    /// its name and why, for the audit log.
    Refused { name: String, why: &'static str },
    /// No such token.
    Unknown,
}

impl Store {
    /// Stores a new API token's hash, logged.
    pub async fn add_api_token(&self, t: &NewApiToken<'_>, actor: &str) -> Result<(), Error> {
        let mut tx = self.write().await?;
        sqlx::query(
            "insert into api_tokens (hash, name, role, created_by, created_at, expires_on, districts) values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(t.hash)
        .bind(t.name)
        .bind(t.role.as_str())
        .bind(actor)
        .bind(now_text())
        .bind(t.expires_on.format("%Y-%m-%d").to_string())
        .bind(t.districts.map(|d| d.join(",")))
        .execute(tx.conn())
        .await?;
        let scope = t
            .districts
            .map_or("every district".to_string(), |d| d.join(", "));
        Self::audit_in(
            &mut tx,
            actor,
            "API token created",
            &format!(
                "{} ({}, {scope}, until {})",
                t.name,
                t.role.as_str(),
                t.expires_on
            ),
        )
        .await?;
        tx.commit().await
    }

    /// Checks a presented token on `today`: live, refused (with why, for the caller to
    /// log), or unknown. A live token's first use of the day is recorded and logged once;
    /// later uses that day cost no write. The keys of an account that is disabled, or no
    /// longer an administrator, stop working at once, without anyone revoking them; a key
    /// without a last day (one the migration could not date) counts as expired.
    pub async fn check_api_token(
        &self,
        hash: &[u8],
        today: NaiveDate,
    ) -> Result<TokenCheck, Error> {
        let row = sqlx::query(
            r#"select t.name, t.role, t.revoked, t.expires_on, t.last_used_on, t.districts,
                      (select count(*) from staff s where s.email = t.created_by and (s.disabled = 1 or s.role <> 'admin')) as demoted
               from api_tokens t where t.hash = $1"#,
        )
        .bind(hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(TokenCheck::Unknown);
        };
        let name: String = row.get("name");
        let day = today.format("%Y-%m-%d").to_string();
        let expires: Option<String> = row.get("expires_on");
        let why = if row.get::<i64, _>("revoked") != 0 {
            Some("revoked")
        } else if expires.as_deref().is_none_or(|e| e < day.as_str()) {
            Some("expired")
        } else if row.get::<i64, _>("demoted") > 0 {
            Some("its account is disabled or no longer an administrator")
        } else {
            None
        };
        if let Some(why) = why {
            return Ok(TokenCheck::Refused { name, why });
        }
        let last: Option<String> = row.get("last_used_on");
        if last.as_deref() != Some(day.as_str()) {
            let mut tx = self.write().await?;
            // Two first uses at once: only the one that changes the day logs it.
            let changed = sqlx::query(
                "update api_tokens set last_used_on = $1 where hash = $2 and coalesce(last_used_on, '') <> $1",
            )
            .bind(&day)
            .bind(hash)
            .execute(tx.conn())
            .await?
            .rows_affected();
            if changed == 1 {
                Self::audit_in(
                    &mut tx,
                    "api",
                    "API token used",
                    &format!("{name} on {day}"),
                )
                .await?;
            }
            tx.commit().await?;
        }
        let districts: Option<String> = row.get("districts");
        Ok(TokenCheck::Live {
            name,
            role: Role::parse(row.get("role")).unwrap_or(Role::Reader),
            districts: districts.map(|d| d.split(',').map(str::to_string).collect()),
        })
    }

    pub async fn api_tokens(&self) -> Result<Vec<ApiToken>, Error> {
        let rows = sqlx::query(
            "select hash, name, role, created_by, created_at, revoked, expires_on, last_used_on, districts from api_tokens order by created_at, name",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| {
                let hash: Vec<u8> = r.get("hash");
                ApiToken {
                    id: hex(&hash),
                    name: r.get("name"),
                    role: Role::parse(r.get("role")).unwrap_or(Role::Reader),
                    created_by: r.get("created_by"),
                    created_at: r.get("created_at"),
                    revoked: r.get::<i64, _>("revoked") != 0,
                    expires_on: r.get::<Option<String>, _>("expires_on").unwrap_or_default(),
                    last_used_on: r.get("last_used_on"),
                    districts: r
                        .get::<Option<String>, _>("districts")
                        .map(|d| d.split(',').map(str::to_string).collect()),
                }
            })
            .collect())
    }

    /// Revokes a token by its hash; `false` when there is no such live token.
    pub async fn revoke_api_token(&self, hash: &[u8], actor: &str) -> Result<bool, Error> {
        let mut tx = self.write().await?;
        let name: Option<String> =
            sqlx::query_scalar("select name from api_tokens where hash = $1 and revoked = 0")
                .bind(hash)
                .fetch_optional(tx.conn())
                .await?;
        let Some(name) = name else {
            tx.rollback().await?;
            return Ok(false);
        };
        sqlx::query("update api_tokens set revoked = 1 where hash = $1")
            .bind(hash)
            .execute(tx.conn())
            .await?;
        Self::audit_in(&mut tx, actor, "API token revoked", &name).await?;
        tx.commit().await?;
        Ok(true)
    }
}
