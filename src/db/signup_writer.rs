//! Group commit for sign-ups on SQLite, as for scans (see [`super::attendance_writer`]): when a
//! popular activity opens, many volunteers sign up within seconds, and SQLite has one writer, so
//! one transaction per sign-up makes its commit the bottleneck. The sign-ups that arrive while
//! one is written wait in a queue and are written together in the next transaction, one after
//! the other on the one writer (so places are never oversubscribed), and each caller is answered
//! only after the commit: an acknowledged sign-up is on disk. When a shared transaction fails,
//! it is rolled back whole and each of its sign-ups is written again alone, so each is all or
//! nothing with its own answer. PostgreSQL needs no queue: a sign-up there is one statement.

use tokio::sync::{mpsc, oneshot};

use super::attendance_writer::next_batch;
use super::signups::{self, NewSignup, SignupOutcome};
use super::Db;

/// The most sign-ups one transaction takes.
const MAX_BATCH: usize = 256;

/// The outcome, the places taken and the capacity, as [`signups::sign_up_counted`] answers.
type Answer = Result<(SignupOutcome, i64, i64), sqlx::Error>;

struct Job {
    signup: NewSignup,
    reply: oneshot::Sender<Answer>,
}

/// The handle the services use; cheap to clone.
#[derive(Clone)]
pub struct SignupWriter {
    db: Db,
    /// None on PostgreSQL.
    queue: Option<mpsc::Sender<Job>>,
}

impl SignupWriter {
    /// Starts the writer task for `db` on SQLite (inside a Tokio runtime).
    pub fn start(db: Db) -> SignupWriter {
        let queue = matches!(db, Db::Sqlite { .. }).then(|| {
            let (queue, rx) = mpsc::channel(8192);
            tokio::spawn(run(db.clone(), rx));
            queue
        });
        SignupWriter { db, queue }
    }

    /// Writes the sign-up as [`signups::sign_up_counted`] does; returns after the commit.
    pub async fn sign_up(&self, s: NewSignup) -> Answer {
        let Some(queue) = &self.queue else {
            return signups::sign_up_counted(&self.db, &s).await;
        };
        let stopped = || sqlx::Error::Protocol("the sign-up writer has stopped".into());
        let (reply, answer) = oneshot::channel();
        queue.send(Job { signup: s, reply }).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

async fn run(db: Db, mut rx: mpsc::Receiver<Job>) {
    while let Some(batch) = next_batch(&mut rx, MAX_BATCH).await {
        let (jobs, replies): (Vec<NewSignup>, Vec<_>) = batch.into_iter().map(|j| (j.signup, j.reply)).unzip();
        match write_all(&db, &jobs).await {
            Ok(answers) => {
                for (reply, a) in replies.into_iter().zip(answers) {
                    let _ = reply.send(Ok(a));
                }
            }
            // The shared transaction was rolled back: each sign-up is written again alone, so
            // one that fails cannot sink the others and each gets its own answer.
            Err(e) if jobs.len() == 1 => {
                if let Some(reply) = replies.into_iter().next() {
                    let _ = reply.send(Err(e));
                }
            }
            Err(_) => {
                for (job, reply) in jobs.iter().zip(replies) {
                    let a = write_all(&db, std::slice::from_ref(job)).await;
                    let _ = reply.send(a.map(|mut v| v.remove(0)));
                }
            }
        }
    }
}

async fn write_all(db: &Db, jobs: &[NewSignup]) -> Result<Vec<(SignupOutcome, i64, i64)>, sqlx::Error> {
    let mut tx = db.begin().await?;
    let mut out = Vec::with_capacity(jobs.len());
    for s in jobs {
        out.push(signups::sign_up_sqlite(&mut tx, s).await?);
    }
    tx.commit().await?;
    Ok(out)
}
