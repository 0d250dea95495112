//! Long jobs (an analysis or a report: seconds of decoding, raking and writing on a large
//! installation) run on a blocking thread, so the async workers keep serving residents.

use crate::error::Error;

/// Runs a long job (an analysis or a report: seconds of decoding, raking and writing on a
/// large installation) on a blocking thread, so the async workers keep serving residents.
pub async fn off_workers<T: Send + 'static>(
    job: impl std::future::Future<Output = Result<T, Error>> + Send + 'static,
) -> Result<T, Error> {
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || runtime.block_on(job))
        .await
        .map_err(|e| Error::Internal(format!("background job: {e}")))?
}
