//! The milestone board: each org's progress through the campaign year.

use serde::Serialize;
use utoipa::ToSchema;

use super::campaigns::Campaign;
use super::Db;
use crate::domain::campaign::{MilestoneStatus, OrgRowKind};
use crate::domain::checkin::CheckInStatus;
use crate::domain::team::RosterStatus;
use crate::on_db;

/// One milestone of one org.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Cell {
    /// `done`, `late`, `missing` or `open` (not due yet); `none` where it does not apply.
    pub status: MilestoneStatus,
    /// When it was done (`YYYY-MM-DD`), if it was.
    pub done_on: Option<String>,
    pub due: String,
    /// Where to go to do it, or to see it.
    pub link: String,
    /// How far along a milestone with several parts is, e.g. `1/2` check-ins confirmed.
    pub progress: Option<String>,
}

/// One row of the board: a unit or a community.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct BoardRow {
    /// `unit` or `community`.
    pub kind: OrgRowKind,
    pub id: i64,
    pub name: String,
    pub street: String,
    pub teams: i64,
    pub formation: Cell,
    pub roster: Cell,
    /// Units only.
    pub traffic: Cell,
    /// Units only: every team's check-in with every paired community confirmed.
    pub checkin: Cell,
    pub plan: Cell,
    /// At least one activity in every month that is over (`progress`: months met / months due).
    pub activities: Cell,
    /// Hours confirmed within the 10 working days: `late` when some were confirmed late,
    /// `missing` when some are overdue.
    pub hours: Cell,
    /// Inspection findings (督查整改) of it and its teams: `missing` when a rectification is
    /// overdue, `late` when one was closed late, `open` while some are not yet due, `done` when
    /// every one was closed on time (`progress`: closed / raised); `none` without findings.
    pub rectification: Cell,
}

impl BoardRow {
    /// Every cell, milestones then service.
    pub fn cells(&self) -> [&Cell; 8] {
        [
            &self.formation,
            &self.roster,
            &self.traffic,
            &self.checkin,
            &self.plan,
            &self.activities,
            &self.hours,
            &self.rectification,
        ]
    }
}

/// The board: the active campaign, the day it was computed on, and its rows.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Board {
    pub campaign: Campaign,
    pub today: String,
    pub rows: Vec<BoardRow>,
}

/// The facts the board is computed from, per org (unit or community): when each step was done.
#[derive(Clone, Debug, Default)]
pub struct OrgProgress {
    pub teams: i64,
    /// When the first team with both a 负责人 and a 联系人 was registered.
    pub formed_at: Option<i64>,
    /// When the last of its teams' rosters was submitted (all teams submitted), and whether all are accepted.
    pub roster_submitted_at: Option<i64>,
    pub rosters_accepted: bool,
    pub rosters_returned: bool,
    pub traffic_submitted_at: Option<i64>,
    /// Check-ins expected (its teams × its paired communities) and confirmed, and the last confirmation.
    pub checkins_expected: i64,
    pub checkins_confirmed: i64,
    pub checked_in_at: Option<i64>,
    pub plans_filed: i64,
    pub planned_at: Option<i64>,
}

/// Progress of every unit and community in one campaign, keyed by (`unit`|`community`, id).
pub async fn progress(
    db: &Db,
    campaign_id: i64,
) -> Result<std::collections::HashMap<(OrgRowKind, i64), OrgProgress>, sqlx::Error> {
    type TeamRow = (
        Option<i64>,
        Option<i64>,
        i64,
        String,
        String,
        RosterStatus,
        Option<i64>,
        Option<i64>,
    );
    let teams: Vec<TeamRow> = on_db!(db, pool => sqlx::query_as(
        "select unit_id, community_id, created_at, leader_name, contact_name, roster_status, roster_submitted_at,
                roster_accepted_submitted_at
         from teams where campaign_id = $1").bind(campaign_id).fetch_all(pool).await?);
    let traffic: Vec<(i64, i64)> = on_db!(db, pool => sqlx::query_as(
        "select unit_id, submitted_at from traffic_lists where campaign_id = $1").bind(campaign_id).fetch_all(pool).await?);
    type CheckRow = (Option<i64>, Option<i64>, CheckInStatus, Option<i64>, Option<i64>);
    let checks: Vec<CheckRow> = on_db!(db, pool => sqlx::query_as(
        "select t.unit_id, t.community_id, k.status, k.confirmed_at, k.plan_filed_at
         from checkins k join teams t on t.id = k.team_id where t.campaign_id = $1").bind(campaign_id).fetch_all(pool).await?);
    let pair_counts: Vec<(i64, i64)> = on_db!(db, pool => sqlx::query_as(
        "select unit_id, count(*) from pairings group by unit_id").fetch_all(pool).await?);
    let pairs: std::collections::HashMap<i64, i64> = pair_counts.into_iter().collect();

    let mut out: std::collections::HashMap<(OrgRowKind, i64), OrgProgress> = Default::default();
    let key = OrgRowKind::of_team;
    let mut all_submitted: std::collections::HashMap<(OrgRowKind, i64), bool> = Default::default();
    for (u, c, created, leader, contact, status, submitted, accepted_submission) in teams {
        let k = key(u, c);
        let e = out.entry(k).or_default();
        e.teams += 1;
        if !leader.is_empty() && !contact.is_empty() {
            e.formed_at = Some(e.formed_at.map_or(created, |f| f.min(created)));
        }
        let submitted_all = all_submitted.entry(k).or_insert(true);
        // A roster accepted once counts from the submission that was accepted, whatever was
        // changed (and submitted again) since.
        let submitted = match accepted_submission {
            Some(a) => Some(a),
            None if !matches!(status, RosterStatus::Draft | RosterStatus::Returned) => submitted,
            None => None,
        };
        match submitted {
            Some(s) => {
                e.roster_submitted_at = Some(e.roster_submitted_at.map_or(s, |x| x.max(s)));
            }
            _ => *submitted_all = false,
        }
        e.rosters_returned |= status == RosterStatus::Returned;
        e.rosters_accepted = if e.teams == 1 {
            status == RosterStatus::Accepted
        } else {
            e.rosters_accepted && status == RosterStatus::Accepted
        };
        // A unit's teams each check in with every community it is paired with; a community's
        // resident teams serve at home and have no check-in to file.
        if let Some(u) = u {
            e.checkins_expected += pairs.get(&u).copied().unwrap_or(0);
        }
    }
    for (k, all) in all_submitted {
        if !all {
            if let Some(e) = out.get_mut(&k) {
                e.roster_submitted_at = None;
            }
        }
    }
    for (u, at) in traffic {
        out.entry((OrgRowKind::Unit, u)).or_default().traffic_submitted_at = Some(at);
    }
    for (u, c, status, confirmed, planned) in checks {
        let e = out.entry(key(u, c)).or_default();
        if status == CheckInStatus::Confirmed {
            e.checkins_confirmed += 1;
            if let Some(at) = confirmed {
                e.checked_in_at = Some(e.checked_in_at.map_or(at, |x| x.max(at)));
            }
        }
        if let Some(at) = planned {
            e.plans_filed += 1;
            e.planned_at = Some(e.planned_at.map_or(at, |x| x.max(at)));
        }
    }
    Ok(out)
}
