//! Group commit for sign-ups on SQLite (see [`super::group_commit`]): when a popular activity
//! opens, many volunteers sign up within seconds, and SQLite has one writer, so one transaction
//! per sign-up makes its commit the bottleneck. The sign-ups of one transaction are written one
//! after the other on the one writer, so places are never oversubscribed. PostgreSQL needs no
//! queue: a sign-up there is one statement.

use super::group_commit::{Batch, WriteError, Writer};
use super::signups::{self, NewSignup, SignupOutcome};
use super::Db;

/// Sign-ups, written through [`signups::sign_up_sqlite`].
pub struct Signups;

impl Batch for Signups {
    type Job = NewSignup;
    /// The outcome, the places taken and the capacity, as [`signups::sign_up_counted`] answers.
    type Answer = (SignupOutcome, i64, i64);
    const MAX: usize = 256;

    async fn write_all(db: &Db, jobs: &[NewSignup]) -> Result<Vec<Self::Answer>, sqlx::Error> {
        let mut tx = db.begin().await?;
        let mut out = Vec::with_capacity(jobs.len());
        for s in jobs {
            out.push(signups::sign_up_sqlite(&mut tx, s).await?);
        }
        tx.commit().await?;
        Ok(out)
    }
}

/// The handle the services use; cheap to clone.
#[derive(Clone)]
pub struct SignupWriter {
    db: Db,
    /// None on PostgreSQL.
    queue: Option<Writer<Signups>>,
}

impl SignupWriter {
    /// Starts the writer task for `db` on SQLite (inside a Tokio runtime).
    pub fn start(db: Db) -> SignupWriter {
        let queue = matches!(db, Db::Sqlite { .. }).then(|| Writer::start(db.clone()));
        SignupWriter { db, queue }
    }

    /// Writes the sign-up as [`signups::sign_up_counted`] does; returns after the commit.
    pub async fn sign_up(&self, s: NewSignup) -> Result<(SignupOutcome, i64, i64), WriteError> {
        match &self.queue {
            Some(queue) => queue.write(s).await,
            None => signups::sign_up_counted(&self.db, &s).await.map_err(WriteError::Db),
        }
    }
}
