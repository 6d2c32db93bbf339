//! Reminders queued by a periodic job that any instance may run: each reminder's event key names
//! its object and occasion, so running the job again (or on two instances) adds nothing.
//!
//! - Activities: the day before (starting within 24 hours) and two hours before, to everyone
//!   signed up (confirmed).
//! - Milestones (team formed, roster, traffic list, check-in, long-term plan): N days before the
//!   deadline and on the day (N set by the district), to the staff of each unit or community
//!   that has not done it.
//! - Hours: to the organising team's staff once an activity is over and its hours are not
//!   confirmed, and again when the confirmation deadline has passed.

use std::collections::HashMap;

use crate::auth::Acting;
use crate::db::notifications::{self as store, Notice};
use crate::db::Db;
use crate::domain::campaign::{MilestoneStatus, OrgRowKind};
use crate::domain::dates::{format_local, local};
use crate::domain::notification::NoticeKind;
use crate::domain::service::confirm_due;
use crate::features::campaign::board::{board, BoardParams};

const HOUR: i64 = 3600;

/// Queues every reminder due at `now`; answers how many messages were added.
pub async fn run(db: &Db, now: i64) -> anyhow::Result<u64> {
    let mut added = activity_reminders(db, now).await?;
    added += milestone_reminders(db, now).await.unwrap_or_else(|e| {
        tracing::warn!(error = %e, "milestone reminders");
        0
    });
    added += hours_reminders(db, now).await?;
    Ok(added)
}

/// The day before and two hours before, to everyone signed up; answers messages added.
pub async fn activity_reminders(db: &Db, now: i64) -> anyhow::Result<u64> {
    let mut added = 0;
    for (kind, from, to) in [
        (NoticeKind::ActivitySoon, now, now + 2 * HOUR),
        (NoticeKind::ActivityTomorrow, now + 2 * HOUR, now + 24 * HOUR),
    ] {
        let due = store::upcoming_unreminded(db, from, to, kind).await?;
        let notices: Vec<Notice> = due
            .iter()
            .map(|u| {
                Notice::to_user(kind, format!("{}:{}", kind.as_str(), u.activity_id), u.user_id)
                    .param("title", &u.title)
                    .param("starts", format_local(u.starts_at))
                    .param("address", &u.address)
                    .link(format!("/activities/{}", u.activity_id))
            })
            .collect();
        added += queue_in_chunks(db, &notices).await?;
    }
    Ok(added)
}

async fn queue_in_chunks(db: &Db, notices: &[Notice]) -> anyhow::Result<u64> {
    let mut added = 0;
    for chunk in notices.chunks(2000) {
        let mut tx = db.begin().await?;
        added += store::queue(&mut tx, chunk).await?;
        tx.commit().await?;
    }
    Ok(added)
}

/// Milestones N days before and on the day, to the staff of orgs that have not done them.
pub async fn milestone_reminders(db: &Db, now: i64) -> anyhow::Result<u64> {
    let rules = store::rules(db).await?;
    let today = local(now).date();
    let system = Acting::command_line();
    let b = match board(db, &system, &BoardParams::default()).await {
        Ok(b) => b,
        Err(crate::error::AppError::NotFound) => return Ok(0),
        Err(e) => return Err(anyhow::anyhow!("{e:?}")),
    };
    let mut notices = vec![];
    let mut staff: HashMap<(OrgRowKind, i64), Vec<i64>> = HashMap::new();
    for row in &b.rows {
        let cells = [
            ("formation", &row.formation),
            ("roster", &row.roster),
            ("traffic", &row.traffic),
            ("checkin", &row.checkin),
            ("plan", &row.plan),
        ];
        for (name, cell) in cells {
            if cell.status != MilestoneStatus::Open {
                continue;
            }
            let Ok(due) = chrono::NaiveDate::parse_from_str(&cell.due, "%Y-%m-%d") else {
                continue;
            };
            let days = (due - today).num_days();
            let kind = if days == 0 {
                NoticeKind::MilestoneToday
            } else if days == rules.milestone_days && days > 0 {
                NoticeKind::MilestoneDue
            } else {
                continue;
            };
            let users = match staff.get(&(row.kind, row.id)) {
                Some(u) => u.clone(),
                None => {
                    let (unit, community) = match row.kind {
                        OrgRowKind::Unit => (Some(row.id), None),
                        _ => (None, Some(row.id)),
                    };
                    let mut tx = db.begin().await?;
                    let u = store::staff_of(&mut tx, unit, community).await?;
                    tx.commit().await?;
                    staff.insert((row.kind, row.id), u.clone());
                    u
                }
            };
            let n = Notice::to_user(
                kind,
                format!(
                    "{}:{}:{}:{}:{}",
                    kind.as_str(),
                    row.kind.as_str(),
                    row.id,
                    name,
                    cell.due
                ),
                0,
            )
            .param_text("milestone", &format!("board.{name}"))
            .param("due", &cell.due)
            .param("days", days)
            .link(cell.link.clone());
            notices.extend(n.to_each(&users));
        }
    }
    queue_in_chunks(db, &notices).await
}

/// Hours to confirm (once the activity is over) and overdue (past the deadline), to the staff.
pub async fn hours_reminders(db: &Db, now: i64) -> anyhow::Result<u64> {
    let rules = crate::db::settings::rules(db).await?;
    // Activities that ended in the last 60 days: older ones are the board's business.
    let open = store::unconfirmed_hours(db, now, now - 60 * 24 * HOUR).await?;
    let today = local(now).date();
    let mut notices = vec![];
    for a in open {
        let due = confirm_due(local(a.ends_at).date(), rules.confirm_working_days);
        let kind = if today > due {
            NoticeKind::HoursOverdue
        } else {
            NoticeKind::HoursDue
        };
        let mut tx = db.begin().await?;
        let users = store::staff_of(&mut tx, a.unit_id, a.community_id).await?;
        tx.commit().await?;
        let n = Notice::to_user(kind, format!("{}:{}", kind.as_str(), a.id), 0)
            .param("title", &a.title)
            .param("due", due.format("%Y-%m-%d"))
            .link(format!("/activities/{}", a.id));
        notices.extend(n.to_each(&users));
    }
    queue_in_chunks(db, &notices).await
}
