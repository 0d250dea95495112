//! Staff accounts: roles, password hashing, sessions, CSRF tokens, login throttling, and
//! the extractors that check who may reach a `/personal` route — in one place.
//!
//! - Passwords: argon2id with OWASP's parameters (19 MiB, 2 passes, 1 lane).
//! - Sessions: a random 256-bit id in a cookie (`HttpOnly`, `SameSite=Strict`, `Secure`
//!   when the public origin is https); the database holds only its SHA-256. Idle timeout
//!   30 min, absolute 12 h.
//! - CSRF: each session has a random token; every state-changing form carries it and it is
//!   compared in constant time.
//! - Throttling: failed logins per account and per client address, in memory only.
//! - Authorization: the extractors [`AnyStaff`], [`AdminOrAnalyst`] and [`Admin`]; a handler
//!   names the one it needs and never checks roles itself. No session: 303 to the login
//!   page; the wrong role: 403.

pub mod throttle;

use std::time::Duration;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::http::{HeaderMap, header};
use sha2::{Digest, Sha256};

use crate::store::StaffAccount;

pub use crate::role::Role;

/// A session ends after this long without a request…
/// Days an API key works unless another number is chosen when it is made.
pub const API_TOKEN_DAYS: i64 = 365;
/// The longest an API key may be made to work.
pub const MAX_API_TOKEN_DAYS: i64 = 730;

pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// …and after this long whatever happens.
pub const ABSOLUTE_TIMEOUT: Duration = Duration::from_secs(12 * 60 * 60);
/// A set-password link is valid this long.
pub const PASSWORD_LINK_VALID: Duration = Duration::from_secs(72 * 60 * 60);
/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password accepted, in bytes of UTF-8: the set-password form refuses a longer one
/// and the login form never hashes one (argon2 on megabytes would be a way to stall us).
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// Password hashes computed at once; each takes 19 MiB and tens of milliseconds of a core,
/// on blocking threads so the async workers keep answering everyone else.
pub const CONCURRENT_HASHES: usize = 2;

static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(CONCURRENT_HASHES);

/// Runs a password hash or check on a blocking thread, at most [`CONCURRENT_HASHES`] at a
/// time; a queue of logins waits here instead of holding up the server.
pub async fn off_thread<T: Send + 'static>(job: impl FnOnce() -> T + Send + 'static) -> T {
    let permit = HASHING
        .acquire()
        .await
        .expect("the semaphore is never closed");
    // The permit goes with the job: a client that hangs up drops this future, but the hash
    // it started still holds its place until it is done.
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        job()
    })
    .await
    .expect("password hashing does not panic")
}
/// The session cookie's name.
pub const COOKIE: &str = "trygg_personal";

fn hasher() -> argon2::Argon2<'static> {
    let params = argon2::Params::new(19 * 1024, 2, 1, None).expect("OWASP argon2id parameters");
    argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
}

/// argon2id of a password, in PHC form.
pub fn hash_password(password: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| format!("no random source: {e}"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Whether a password matches a stored hash.
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| hasher().verify_password(password.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

/// A random 256-bit token, URL-safe.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).expect("the operating system's random source");
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// What the database keeps of a token.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

pub fn now_secs() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Compares two strings in time independent of where they differ.
pub fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The session cookie's value in a request.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_string())
}

/// The `Set-Cookie` value for a new session (or, with `None`, one that clears it).
pub fn set_cookie(token: Option<&str>, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    match token {
        Some(t) => format!("{COOKIE}={t}; Path=/personal; HttpOnly; SameSite=Strict{secure}"),
        None => format!("{COOKIE}=; Path=/personal; HttpOnly; SameSite=Strict; Max-Age=0{secure}"),
    }
}

/// A signed-in member of staff.
#[derive(Debug, Clone)]
pub struct Staff {
    pub account: StaffAccount,
    pub csrf: String,
    pub session_hash: Vec<u8>,
}

impl Staff {
    /// Whether a posted CSRF token is this session's.
    pub fn csrf_ok(&self, posted: &str) -> bool {
        same(&self.csrf, posted)
    }

    /// Whether this person is limited to some districts (an analyst of the police for one
    /// area, say): they then read and write only those districts' data, and nothing that
    /// sums over the others (the municipality's totals, the yearly report).
    pub fn scoped(&self) -> bool {
        self.account.districts.is_some()
    }

    /// Whether `district` is within this person's districts (everyone's, unless scoped).
    pub fn in_scope(&self, district: &str) -> bool {
        crate::role::within(self.account.districts.as_deref(), district)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let h = hash_password("korrekt häst batteri").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify_password("korrekt häst batteri", &h));
        assert!(!verify_password("korrekt häst batterI", &h));
        assert!(!verify_password("x", "not a hash"));
        assert_ne!(h, hash_password("korrekt häst batteri").unwrap(), "salted");
    }

    #[test]
    fn tokens_cookies_and_comparison() {
        let t = random_token();
        assert_eq!(t.len(), 64);
        assert_ne!(t, random_token());
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            format!("a=1; {COOKIE}={t}; b=2").parse().unwrap(),
        );
        assert_eq!(session_cookie(&h), Some(t.clone()));
        assert!(set_cookie(Some(&t), true).contains("HttpOnly; SameSite=Strict; Secure"));
        assert!(!set_cookie(Some(&t), false).contains("Secure"));
        assert!(same("abc", "abc") && !same("abc", "abd") && !same("abc", "ab"));
    }
}
