//! Group commit for scans (see [`super::group_commit`]). On a concentrated-day morning thousands
//! of phones sign in within minutes; each sign-in is a tiny write, and one transaction per
//! sign-in makes the database's commit the bottleneck (SQLite has one writer). Sign-ins and
//! sign-outs are therefore queued and written together; the database's unique keys keep scans
//! idempotent across instances.

use super::attendance::{self, Attendance, Scan};
use super::group_commit::{Batch, WriteError, Writer};
use super::Db;

/// Scans, written through [`attendance::record`].
pub struct Scans;

impl Batch for Scans {
    type Job = Scan;
    /// The attendance and whether this scan changed it (`None`: a sign-out of someone never
    /// signed in).
    type Answer = Option<(Attendance, bool)>;
    const MAX: usize = 512;

    async fn write_all(db: &Db, scans: &[Scan]) -> Result<Vec<Self::Answer>, sqlx::Error> {
        let mut tx = db.begin().await?;
        let out = attendance::record(&mut tx, scans).await?;
        tx.commit().await?;
        Ok(out)
    }
}

/// The handle the handlers use; cheap to clone.
#[derive(Clone)]
pub struct ScanWriter(Writer<Scans>);

impl ScanWriter {
    /// Starts the writer task for `db` (inside a Tokio runtime).
    pub fn start(db: Db) -> ScanWriter {
        ScanWriter(Writer::start(db))
    }

    /// Records a scan; returns after the commit.
    pub async fn write(&self, scan: Scan) -> Result<Option<(Attendance, bool)>, WriteError> {
        self.0.write(scan).await
    }
}
