//! Inviting a member of staff: an account with a role (and districts, for a limited
//! analyst or reporter, and an organisation, which a reporter's reports carry) and a
//! one-time link to set a password, logged.

use crate::error::Error;
use crate::role::Role;
use crate::store::Store;

/// Who to invite.
#[derive(Debug, Clone, Copy)]
pub struct Invite<'a> {
    pub email: &'a str,
    pub role: Role,
    /// A district limit (analysts and reporters); `None` = every district.
    pub districts: Option<&'a [String]>,
    /// The organisation the person reports for; `None`: the site's own. A reporter must
    /// name one, since the review queue and the week's picture show reports by it.
    pub organisation: Option<&'a str>,
}

/// Creates an account and a one-time set-password link; returns the link.
pub async fn invite_account(
    store: &Store,
    origin: &str,
    email: &str,
    role: Role,
    districts: Option<&[String]>,
    actor: &str,
) -> Result<String, Error> {
    let invite = Invite {
        email,
        role,
        districts,
        organisation: None,
    };
    invite_staff(store, origin, &invite, actor).await
}

/// Creates an account with everything an invitation can say; returns the link.
pub async fn invite_staff(
    store: &Store,
    origin: &str,
    invite: &Invite<'_>,
    actor: &str,
) -> Result<String, Error> {
    let email = invite.email.trim().to_lowercase();
    let valid = email.len() <= 254
        && email
            .split_once('@')
            .is_some_and(|(a, b)| !a.is_empty() && b.contains('.'))
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    if !valid {
        return Err(Error::Invalid(format!(
            "\"{email}\" is not an e-mail address"
        )));
    }
    let organisation = invite.organisation.map(str::trim).filter(|o| !o.is_empty());
    if invite.role == Role::Reporter && organisation.is_none() {
        return Err(Error::Invalid(
            "a reporter needs an organisation: its reports are shown by organisation".into(),
        ));
    }
    let account = store
        .add_staff_with(&email, invite.role, invite.districts, organisation, actor)
        .await?;
    let token = crate::auth::random_token();
    let expires = crate::auth::now_secs() + crate::auth::PASSWORD_LINK_VALID.as_secs() as i64;
    store
        .add_password_token(account.id, &crate::auth::token_hash(&token), expires)
        .await?;
    Ok(format!(
        "{}/personal/losenord/{token}",
        origin.trim_end_matches('/')
    ))
}
