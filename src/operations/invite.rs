//! Inviting a member of staff: an account with a role (and districts, for a limited
//! analyst) and a one-time link to set a password, logged.

use crate::error::Error;
use crate::role::Role;
use crate::store::Store;

/// Creates an account and a one-time set-password link; returns the link.
pub async fn invite_account(
    store: &Store,
    origin: &str,
    email: &str,
    role: Role,
    districts: Option<&[String]>,
    actor: &str,
) -> Result<String, Error> {
    let email = email.trim().to_lowercase();
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
    let account = store.add_staff(&email, role, districts, actor).await?;
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
