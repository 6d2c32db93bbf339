//! Group commit for scans. On a concentrated-day morning thousands of phones sign in within
//! minutes; each sign-in is a tiny write, and one transaction per sign-in makes the database's
//! commit the bottleneck (SQLite has one writer). Sign-ins and sign-outs are therefore queued
//! and written together: the first waiting scan starts a transaction, every scan that arrived
//! meanwhile joins it, and each caller is answered only after the commit, so an acknowledged
//! scan is on disk. The queue holds requests in flight, never state: a second instance has its
//! own queue, and both write to the same database, whose unique keys keep scans idempotent.

use tokio::sync::{mpsc, oneshot};

use super::attendance::{self, Attendance, Scan};
use super::Db;

/// The most scans one transaction takes.
const MAX_BATCH: usize = 512;

type Answer = Result<Option<(Attendance, bool)>, sqlx::Error>;

struct Job {
    scan: Scan,
    reply: oneshot::Sender<Answer>,
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

    /// Records a scan through [`attendance::record`]; answers the attendance and whether this
    /// scan changed it (`None`: a sign-out of someone never signed in). Returns after the commit.
    pub async fn write(&self, scan: Scan) -> anyhow::Result<Option<(Attendance, bool)>> {
        // The writer needs a connection of its own: the request gives its held one back.
        super::held::release().await;
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Job { scan, reply })
            .await
            .map_err(|_| anyhow::anyhow!("the scan writer has stopped"))?;
        answer
            .await
            .map_err(|_| anyhow::anyhow!("the scan writer dropped a scan"))?
            .map_err(anyhow::Error::from)
    }
}

/// Waits for a job, then takes every job already waiting behind it, up to `max`: the next
/// batch of a group-commit queue (none once every sender is gone).
pub(super) async fn next_batch<T>(rx: &mut mpsc::Receiver<T>, max: usize) -> Option<Vec<T>> {
    let mut batch = vec![rx.recv().await?];
    while batch.len() < max {
        match rx.try_recv() {
            Ok(job) => batch.push(job),
            Err(_) => break,
        }
    }
    Some(batch)
}

async fn run(db: Db, mut rx: mpsc::Receiver<Job>) {
    while let Some(batch) = next_batch(&mut rx, MAX_BATCH).await {
        let (scans, replies): (Vec<Scan>, Vec<_>) = batch.into_iter().map(|j| (j.scan, j.reply)).unzip();
        match write_all(&db, &scans).await {
            Ok(results) => {
                for (reply, r) in replies.into_iter().zip(results) {
                    let _ = reply.send(Ok(r));
                }
            }
            // One bad scan must not sink the others: write each alone.
            Err(_) => {
                for (scan, reply) in scans.iter().zip(replies) {
                    let r = write_all(&db, std::slice::from_ref(scan)).await;
                    let _ = reply.send(r.map(|mut v| v.remove(0)));
                }
            }
        }
    }
}

async fn write_all(db: &Db, scans: &[Scan]) -> Result<Vec<Option<(Attendance, bool)>>, sqlx::Error> {
    let mut tx = db.begin().await?;
    let out = attendance::record(&mut tx, scans).await?;
    tx.commit().await?;
    Ok(out)
}
