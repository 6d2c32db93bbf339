//! Group commit for scans. On a concentrated-day morning thousands of phones sign in within
//! minutes; each sign-in is a tiny write, and one transaction per sign-in makes the database's
//! commit the bottleneck (SQLite has one writer). Sign-ins and sign-outs are therefore queued
//! and written together: the first waiting scan starts a transaction, every scan that arrived
//! meanwhile joins it, and each caller is answered only after the commit, so an acknowledged
//! scan is on disk. The queue holds requests in flight, never state: a second instance has its
//! own queue, and both write to the same database, whose unique keys keep scans idempotent.

use std::collections::{HashMap, HashSet};

use tokio::sync::{mpsc, oneshot};

use super::audit::Actor;
use super::service::{self as store, Activity, Attendance};
use super::{now, Db, Tx};
use crate::domain::campaign::date_of;
use crate::domain::service::Rules;
use crate::on_tx;

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
    reply: oneshot::Sender<Result<Option<(Attendance, bool)>, sqlx::Error>>,
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
            .map_err(anyhow::Error::from)
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
                    let _ = job.reply.send(r.map(|mut v| v.remove(0)));
                }
            }
        }
    }
}

async fn write_all(db: &Db, batch: &[Job]) -> Result<Vec<Option<(Attendance, bool)>>, sqlx::Error> {
    let mut tx = db.begin().await?;
    let mut out: Vec<Option<Option<(Attendance, bool)>>> = vec![None; batch.len()];
    let ins: Vec<usize> = (0..batch.len())
        .filter(|i| matches!(batch[*i].scan, Scan::In { .. }))
        .collect();
    if !ins.is_empty() {
        for (i, r) in sign_ins(&mut tx, batch, &ins).await? {
            out[i] = Some(Some(r));
        }
    }
    for (i, job) in batch.iter().enumerate() {
        if let Scan::Out { rules } = &job.scan {
            out[i] = Some(
                store::sign_out(
                    &mut tx,
                    &job.actor,
                    &job.activity,
                    rules,
                    job.volunteer_id,
                    job.at,
                    false,
                )
                .await?,
            );
        }
    }
    tx.commit().await?;
    Ok(out.into_iter().map(|r| r.flatten()).collect())
}

/// The sign-ins of a batch in four statements, whatever their number: insert what is new,
/// recount the activities touched, write the audit entries, read back every line.
async fn sign_ins(tx: &mut Tx, batch: &[Job], ins: &[usize]) -> Result<Vec<(usize, (Attendance, bool))>, sqlx::Error> {
    let t = now();
    let mut values = vec![];
    let mut n = 0;
    for _ in ins {
        values.push(format!(
            "(${}, ${}, ${}, ${}, ${}, ${})",
            n + 1,
            n + 2,
            n + 3,
            n + 4,
            n + 5,
            n + 6
        ));
        n += 6;
    }
    let insert = format!(
        "insert into attendance (activity_id, volunteer_id, signed_in_at, method, created_at, month) values {}
         on conflict (activity_id, volunteer_id) do nothing returning activity_id, volunteer_id",
        values.join(", ")
    );
    let months: Vec<String> = ins
        .iter()
        .map(|i| date_of(batch[*i].activity.starts_at)[..7].to_string())
        .collect();
    let inserted: Vec<(i64, i64)> = on_tx!(tx, c => {
        let mut q = sqlx::query_as(&insert).persistent(false);
        for (k, i) in ins.iter().enumerate() {
            let j = &batch[*i];
            let method = match &j.scan {
                Scan::In { method } => method.as_str(),
                Scan::Out { .. } => "",
            };
            q = q.bind(j.activity.id).bind(j.volunteer_id).bind(j.at).bind(method).bind(t).bind(&months[k]);
        }
        q.fetch_all(&mut *c).await?
    });
    let fresh: HashSet<(i64, i64)> = inserted.into_iter().collect();
    let mut activities: Vec<i64> = ins.iter().map(|i| batch[*i].activity.id).collect();
    activities.sort_unstable();
    activities.dedup();
    let list = |xs: &[i64]| xs.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(",");
    if !fresh.is_empty() {
        let touched: Vec<i64> = activities
            .iter()
            .copied()
            .filter(|a| fresh.iter().any(|(x, _)| x == a))
            .collect();
        // Ids are integers from the database: safe to inline.
        let recount = format!(
            "update activities set attended = (select count(*) from attendance x where x.activity_id = activities.id)
             where id in ({})",
            list(&touched)
        );
        on_tx!(tx, c => sqlx::query(&recount).persistent(false).execute(&mut *c).await.map(|r| r.rows_affected())?);
        let mut audit_rows = vec![];
        let mut entries = vec![];
        let mut n = 0;
        let mut seen = HashSet::new();
        for i in ins {
            let j = &batch[*i];
            if !fresh.contains(&(j.activity.id, j.volunteer_id)) || !seen.insert((j.activity.id, j.volunteer_id)) {
                continue;
            }
            let method = match &j.scan {
                Scan::In { method } => method.clone(),
                Scan::Out { .. } => String::new(),
            };
            audit_rows.push(format!(
                "(${}, ${}, ${}, ${}, 'sign_in', 'activity', ${}, ${}, ${})",
                n + 1,
                n + 2,
                n + 3,
                n + 4,
                n + 5,
                n + 6,
                n + 7
            ));
            n += 7;
            entries.push((
                j,
                serde_json::json!({"volunteer_id": j.volunteer_id, "at": j.at, "method": method}).to_string(),
            ));
        }
        let sql = format!(
            "insert into audit_log (at, user_id, username, ip, action, object_type, object_id, object_label, changes)
             values {}",
            audit_rows.join(", ")
        );
        on_tx!(tx, c => {
            let mut q = sqlx::query(&sql).persistent(false);
            for (j, changes) in &entries {
                q = q.bind(t).bind(j.actor.user_id).bind(&j.actor.username).bind(&j.actor.ip)
                    .bind(j.activity.id).bind(&j.activity.title).bind(changes);
            }
            q.execute(&mut *c).await.map(|r| r.rows_affected())?
        });
    }
    let mut volunteers: Vec<i64> = ins.iter().map(|i| batch[*i].volunteer_id).collect();
    volunteers.sort_unstable();
    volunteers.dedup();
    let read = format!(
        "select {} from attendance where activity_id in ({}) and volunteer_id in ({})",
        store::ATTENDANCE_COLS,
        list(&activities),
        list(&volunteers)
    );
    let rows: Vec<Attendance> = on_tx!(tx, c => sqlx::query_as(&read).persistent(false).fetch_all(&mut *c).await?);
    let by: HashMap<(i64, i64), Attendance> = rows.into_iter().map(|r| ((r.activity_id, r.volunteer_id), r)).collect();
    let mut first = HashSet::new();
    let mut out = vec![];
    for i in ins {
        let j = &batch[*i];
        let pair = (j.activity.id, j.volunteer_id);
        let Some(row) = by.get(&pair) else {
            return Err(sqlx::Error::RowNotFound);
        };
        // Of two identical scans in one batch, the first made the change.
        let changed = fresh.contains(&pair) && first.insert(pair);
        out.push((*i, (row.clone(), changed)));
    }
    Ok(out)
}
