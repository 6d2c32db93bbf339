//! Reading what people upload, off the async runtime: the work runs on a blocking thread, at
//! most a few at once, with a deadline it checks itself and a timeout on waiting for it, so a
//! hostile file answers an error instead of pinning the server.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::Multipart;
use tokio::sync::Semaphore;

use crate::error::{AppError, AppResult, FieldError};
use crate::excel::{self, limits, Limit};

/// Uploads read at the same time (the machine's cores stay free for everyone else).
pub const READERS: usize = 2;
/// How long an upload waits for a free slot before it is told the server is busy.
pub const WAIT: Duration = Duration::from_secs(2);

/// The slots for reading uploads, shared by every upload of this server.
#[derive(Clone)]
pub struct Gate {
    slots: Arc<Semaphore>,
    wait: Duration,
    budget: Duration,
}

impl Default for Gate {
    fn default() -> Self {
        Gate::new(READERS, WAIT, limits::TIME_BUDGET)
    }
}

impl Gate {
    pub fn new(readers: usize, wait: Duration, budget: Duration) -> Gate {
        Gate {
            slots: Arc::new(Semaphore::new(readers)),
            wait,
            budget,
        }
    }
}

/// Runs `work` on a blocking thread once a slot is free, handing it the deadline it must keep.
/// The slot stays taken until the work has really stopped, even if its caller gave up waiting.
pub async fn off_runtime<T, F>(gate: &Gate, work: F) -> AppResult<T>
where
    T: Send + 'static,
    F: FnOnce(Instant) -> T + Send + 'static,
{
    let permit = match tokio::time::timeout(gate.wait, gate.slots.clone().acquire_owned()).await {
        Ok(Ok(permit)) => permit,
        _ => return Err(AppError::Busy),
    };
    let deadline = Instant::now() + gate.budget;
    let task = tokio::task::spawn_blocking(move || {
        let _slot = permit;
        work(deadline)
    });
    // The work stops itself at the deadline; this is for work that cannot look at the clock.
    match tokio::time::timeout(gate.budget + Duration::from_secs(1), task).await {
        Ok(Ok(done)) => Ok(done),
        Ok(Err(e)) => Err(AppError::Internal(anyhow::anyhow!("reading an upload failed: {e}"))),
        Err(_) => Err(excel::limit_error(&Limit::Time)),
    }
}

/// Reads an uploaded sheet as [`excel::read_sheet`] does, off the async runtime and within the upload
/// limits; every upload of a form goes through here. A file that cannot be read is refused on
/// the field `file` with a message naming the problem or the limit.
pub async fn read(gate: &Gate, bytes: &[u8], columns: &'static [excel::Column]) -> AppResult<Vec<excel::SheetRow>> {
    let bytes = bytes.to_vec();
    off_runtime(gate, move |deadline| excel::read_sheet(&bytes, columns, deadline))
        .await?
        .map_err(excel::read_error)
}

/// Checks a zip-based Office attachment (.xlsx, .docx) that is stored rather than read: its
/// parts must unpack within the same limits, so a zip bomb is not kept and handed on.
pub async fn check_package(gate: &Gate, bytes: &[u8]) -> AppResult<()> {
    let bytes = bytes.to_vec();
    off_runtime(gate, move |deadline| excel::limits::inspect(&bytes, deadline))
        .await?
        .map_err(excel::read_error)
}

/// An upload's report answers 200 when every row is fine, 422 when any row has a problem.
impl axum::response::IntoResponse for excel::ImportReport {
    fn into_response(self) -> axum::response::Response {
        let status = if self.errors.is_empty() {
            axum::http::StatusCode::OK
        } else {
            axum::http::StatusCode::UNPROCESSABLE_ENTITY
        };
        (status, axum::Json(self)).into_response()
    }
}

/// Reads the file of a multipart upload; a form without one is refused with a message.
pub async fn read_file(multipart: Multipart) -> AppResult<Vec<u8>> {
    let (bytes, _, _) = read_upload(multipart).await?;
    if bytes.is_empty() {
        return Err(AppError::field("file", "err.no_file"));
    }
    Ok(bytes)
}

/// Reads a multipart upload: the file and the `dry_run` field (forms send it as a button value).
pub async fn read_upload(mut multipart: Multipart) -> AppResult<(Vec<u8>, Option<String>, HashMap<String, String>)> {
    let mut file = None;
    let mut fields = HashMap::new();
    let too_large = || {
        AppError::Validation(vec![
            FieldError::new("file", "err.file_too_large").with("mb", excel::MAX_UPLOAD_BYTES / 1024 / 1024)
        ])
    };
    while let Some(field) = multipart.next_field().await.map_err(|_| too_large())? {
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            let file_name = field.file_name().unwrap_or("").to_string();
            let mime = field.content_type().unwrap_or("").to_string();
            let bytes = field.bytes().await.map_err(|_| too_large())?;
            if !bytes.is_empty() {
                file = Some(bytes.to_vec());
                fields.insert("file_name".into(), file_name);
                fields.insert("file_type".into(), mime);
            }
        } else {
            fields.insert(name, field.text().await.unwrap_or_default());
        }
    }
    let dry_run = fields.get("dry_run").cloned();
    match file {
        Some(f) => Ok((f, dry_run, fields)),
        None => Ok((vec![], dry_run, fields)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(e: AppError) -> &'static str {
        match e {
            AppError::Validation(errs) => errs[0].key,
            AppError::Busy => "busy",
            _ => "other",
        }
    }

    #[tokio::test]
    async fn a_reader_past_its_budget_is_answered_with_the_time_limit_and_keeps_its_slot() {
        let gate = Gate::new(1, Duration::from_millis(100), Duration::from_millis(50));
        let started = Instant::now();
        let stuck = off_runtime(&gate, |_| std::thread::sleep(Duration::from_millis(1_500))).await;
        assert_eq!(key(stuck.unwrap_err()), "err.sheet_time");
        assert!(started.elapsed() < Duration::from_millis(1_300));
        // The stuck work still holds the only slot: the next upload is told the server is busy.
        let next = off_runtime(&gate, |_| ()).await;
        assert_eq!(key(next.unwrap_err()), "busy");
    }

    #[tokio::test]
    async fn uploads_wait_for_a_free_slot_and_get_the_deadline() {
        let gate = Gate::new(1, Duration::from_secs(2), Duration::from_secs(5));
        let first = {
            let gate = gate.clone();
            tokio::spawn(async move { off_runtime(&gate, |_| std::thread::sleep(Duration::from_millis(200))).await })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        let left = off_runtime(&gate, |deadline| deadline.saturating_duration_since(Instant::now()))
            .await
            .unwrap();
        assert!(
            left > Duration::from_secs(4),
            "the deadline runs from when reading starts"
        );
        assert!(first.await.unwrap().is_ok());
    }
}
