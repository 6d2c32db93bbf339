//! Group commit for scans. On a concentrated-day morning thousands of phones sign in within
//! minutes; each sign-in is a tiny write, and one transaction per sign-in makes the database's
//! commit the bottleneck (SQLite has one writer). Sign-ins and sign-outs are therefore queued
//! and written together: the first waiting scan starts a transaction, every scan that arrived
//! meanwhile joins it, and each caller is answered only after the commit, so an acknowledged
//! scan is on disk. The queue holds requests in flight, never state: a second instance has its
//! own queue, and both write to the same database, whose unique keys keep scans idempotent.

use tokio::sync::{mpsc, oneshot};

use super::audit::Actor;
use super::service::{self as store, Activity, Attendance};
use super::Db;
use crate::domain::service::Rules;

/// The most scans one transaction takes.
const MAX_BATCH: usize = 512;

pub enum Scan {
    In { method: String },
    Out { rules: Rules },
}

struct Job {
    actor: Actor,
    activity: Activity,
    volunteer_id: i64,
    at: i64,
    scan: Scan,
    reply: oneshot::Sender<Result<Option<(Attendance, bool)>, String>>,
}

/// The handle the handlers use; cheap to clone.
#[derive(Clone)]
pub struct ScanWriter {
    queue: mpsc::Sender<Job>,
}

impl ScanWriter {
    /// Starts the writer task for `db` (inside a Tokio runtime).
    pub fn start(db: Db) -> ScanWriter {
        let (queue, rx) = mpsc::channel(8192);
        tokio::spawn(run(db, rx));
        ScanWriter { queue }
    }

    /// Records a scan; answers the attendance and whether this scan changed it (`None`: a
    /// sign-out of someone never signed in). Returns after the commit.
    pub async fn write(
        &self,
        actor: Actor,
        activity: Activity,
        volunteer_id: i64,
        at: i64,
        scan: Scan,
    ) -> anyhow::Result<Option<(Attendance, bool)>> {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            actor,
            activity,
            volunteer_id,
            at,
            scan,
            reply,
        };
        self.queue
            .send(job)
            .await
            .map_err(|_| anyhow::anyhow!("the scan writer has stopped"))?;
        answer
            .await
            .map_err(|_| anyhow::anyhow!("the scan writer dropped a scan"))?
            .map_err(|e| anyhow::anyhow!(e))
    }
}

async fn run(db: Db, mut rx: mpsc::Receiver<Job>) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        match write_all(&db, &batch).await {
            Ok(results) => {
                for (job, r) in batch.into_iter().zip(results) {
                    let _ = job.reply.send(Ok(r));
                }
            }
            // One bad scan must not sink the others: write each alone.
            Err(_) => {
                for job in batch {
                    let r = write_all(&db, std::slice::from_ref(&job)).await;
                    let _ = job.reply.send(r.map(|mut v| v.remove(0)).map_err(|e| e.to_string()));
                }
            }
        }
    }
}

async fn apply(tx: &mut super::Tx, job: &Job) -> Result<Option<(Attendance, bool)>, sqlx::Error> {
    match &job.scan {
        Scan::In { method } => store::sign_in(tx, &job.actor, &job.activity, job.volunteer_id, job.at, method, None)
            .await
            .map(Some),
        Scan::Out { rules } => {
            store::sign_out(tx, &job.actor, &job.activity, rules, job.volunteer_id, job.at, false).await
        }
    }
}

async fn write_all(db: &Db, batch: &[Job]) -> Result<Vec<Option<(Attendance, bool)>>, sqlx::Error> {
    let mut tx = db.begin().await?;
    let mut out = Vec::with_capacity(batch.len());
    for job in batch {
        out.push(apply(&mut tx, job).await?);
    }
    tx.commit().await?;
    Ok(out)
}
