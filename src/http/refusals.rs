//! Refusals written to the audit log at most once a minute for the same who, what and
//! detail, so a client repeating a refused request (an expired key in a BI tool's schedule,
//! a scripted loop) can neither fill the append-only log nor keep taking the write lock
//! from residents' answers.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::Error;
use crate::store::Store;

/// How long the same refusal is not written again.
const QUIET: Duration = Duration::from_secs(60);
/// Entries kept at most; older ones are dropped first when it fills.
const MAX_ENTRIES: usize = 10_000;

#[derive(Default)]
pub struct RefusalLog(Mutex<HashMap<String, Instant>>);

impl RefusalLog {
    /// Writes the refusal unless the same one was written within the last minute.
    pub async fn audit(
        &self,
        store: &Store,
        actor: &str,
        action: &str,
        detail: &str,
    ) -> Result<(), Error> {
        let key = format!("{actor}\n{action}\n{detail}");
        {
            let mut seen = self.0.lock().expect("refusal log");
            let now = Instant::now();
            if seen
                .get(&key)
                .is_some_and(|t| now.duration_since(*t) < QUIET)
            {
                return Ok(());
            }
            if seen.len() >= MAX_ENTRIES {
                seen.retain(|_, t| now.duration_since(*t) < QUIET);
            }
            if seen.len() >= MAX_ENTRIES {
                return Ok(());
            }
            seen.insert(key, now);
        }
        store.audit(actor, action, detail).await
    }
}
