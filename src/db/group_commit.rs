//! Group commit: many tiny writes that arrive together share one transaction. The first waiting
//! write starts a transaction, every write that arrived meanwhile joins it (up to a batch's
//! size), and each caller is answered only after the commit, so an acknowledged write is on
//! disk. When a shared transaction fails it is rolled back whole and each of its writes is tried
//! again alone, so one bad write cannot sink the others and each gets its own answer. The queue
//! holds requests in flight, never state: a second instance has its own queue, and both write to
//! the same database. Sign-ins ([`super::attendance_writer`]) and sign-ups on SQLite
//! ([`super::signup_writer`]) use it.

use std::future::Future;

use tokio::sync::{mpsc, oneshot};

use super::Db;

/// One kind of write that may share a transaction with others of its kind.
pub trait Batch: Send + Sync + 'static {
    type Job: Send + Sync + 'static;
    type Answer: Send + 'static;
    /// The most writes one transaction takes.
    const MAX: usize;
    /// Writes `jobs` in one transaction (begun and committed here), answering one per job.
    fn write_all(db: &Db, jobs: &[Self::Job]) -> impl Future<Output = Result<Vec<Self::Answer>, sqlx::Error>> + Send;
}

/// Why a write got no answer from the database.
#[derive(Debug)]
pub enum WriteError {
    /// The writer's task has ended (the server is stopping): try again shortly.
    Stopped,
    Db(sqlx::Error),
}

impl From<WriteError> for crate::error::AppError {
    fn from(e: WriteError) -> Self {
        match e {
            WriteError::Stopped => crate::error::AppError::Unavailable("err.writer_stopped"),
            WriteError::Db(e) => e.into(),
        }
    }
}

struct Job<B: Batch> {
    job: B::Job,
    reply: oneshot::Sender<Result<B::Answer, sqlx::Error>>,
}

/// The handle the services use; cheap to clone.
pub struct Writer<B: Batch> {
    queue: mpsc::Sender<Job<B>>,
}

impl<B: Batch> Clone for Writer<B> {
    fn clone(&self) -> Self {
        Writer {
            queue: self.queue.clone(),
        }
    }
}

impl<B: Batch> Writer<B> {
    /// Starts the writer task for `db` (inside a Tokio runtime).
    pub fn start(db: Db) -> Writer<B> {
        let (queue, rx) = mpsc::channel(8192);
        tokio::spawn(run::<B>(db, rx));
        Writer { queue }
    }

    /// Queues `job` and answers after the transaction that wrote it committed.
    pub async fn write(&self, job: B::Job) -> Result<B::Answer, WriteError> {
        // The writer needs a connection of its own: a request gives its held one back first
        // (`db::held`), so that no request holds a connection while it waits for the writer's.
        super::held::release().await;
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Job { job, reply })
            .await
            .map_err(|_| WriteError::Stopped)?;
        answer.await.map_err(|_| WriteError::Stopped)?.map_err(WriteError::Db)
    }
}

/// Waits for a job, then takes every job already waiting behind it, up to `max`: the next
/// batch (none once every sender is gone).
async fn next_batch<T>(rx: &mut mpsc::Receiver<T>, max: usize) -> Option<Vec<T>> {
    let mut batch = vec![rx.recv().await?];
    while batch.len() < max {
        match rx.try_recv() {
            Ok(job) => batch.push(job),
            Err(_) => break,
        }
    }
    Some(batch)
}

async fn run<B: Batch>(db: Db, mut rx: mpsc::Receiver<Job<B>>) {
    while let Some(batch) = next_batch(&mut rx, B::MAX).await {
        let (jobs, replies): (Vec<B::Job>, Vec<_>) = batch.into_iter().map(|j| (j.job, j.reply)).unzip();
        match B::write_all(&db, &jobs).await {
            Ok(answers) => {
                for (reply, a) in replies.into_iter().zip(answers) {
                    let _ = reply.send(Ok(a));
                }
            }
            Err(e) if jobs.len() == 1 => {
                if let Some(reply) = replies.into_iter().next() {
                    let _ = reply.send(Err(e));
                }
            }
            Err(_) => {
                for (job, reply) in jobs.iter().zip(replies) {
                    let a = B::write_all(&db, std::slice::from_ref(job)).await;
                    let _ = reply.send(a.map(|mut v| v.remove(0)));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Nothing;

    impl Batch for Nothing {
        type Job = ();
        type Answer = ();
        const MAX: usize = 1;

        async fn write_all(_: &Db, jobs: &[()]) -> Result<Vec<()>, sqlx::Error> {
            Ok(vec![(); jobs.len()])
        }
    }

    #[tokio::test]
    async fn a_stopped_writer_answers_a_translated_503_with_retry_after() {
        let (queue, rx) = mpsc::channel(1);
        drop(rx);
        let w: Writer<Nothing> = Writer { queue };
        let e = w.write(()).await.unwrap_err();
        assert!(matches!(e, WriteError::Stopped));
        let app: crate::error::AppError = e.into();
        assert_eq!(app.status(), axum::http::StatusCode::SERVICE_UNAVAILABLE);
        let info = app.info();
        assert_eq!(info.key, "err.writer_stopped");
        let res = axum::response::IntoResponse::into_response(app);
        assert!(res.headers().contains_key(axum::http::header::RETRY_AFTER));
    }
}
