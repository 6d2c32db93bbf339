//! The milestone board: where every unit and community in the caller's scope stands against each
//! milestone of the active campaign, and the two service columns from monthly compliance.

use std::collections::HashMap;

use serde::Deserialize;
use utoipa::IntoParams;

use super::service::{active, log, orgs_in_scope};
use crate::auth::policy::{self, Listing, Scope};
use crate::auth::Acting;
use crate::db::audit::{Op, Subject};
use crate::db::board::{self as store, Board, BoardRow, Cell, OrgProgress};
use crate::db::campaigns::Campaign;
use crate::db::compliance::OrgCompliance;
use crate::db::Db;
use crate::domain::campaign::{date_of, today, MilestoneStatus, OrgRowKind};
use crate::error::{AppError, AppResult};
use crate::excel::forms::board as form;

#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BoardParams {
    /// `unit` or `community`.
    pub kind: Option<String>,
    /// Only rows with this status in some milestone (`late`, `missing`, `open`, `done`).
    pub status: Option<String>,
    /// Text in the name.
    pub q: Option<String>,
    /// Sort by `name` (default), `street` or `progress`.
    pub sort: Option<String>,
}

fn cell(done_at: Option<i64>, due: &str, today: &str, link: String) -> Cell {
    let done_on = done_at.map(date_of);
    Cell {
        status: MilestoneStatus::of(done_on.as_deref(), due, today),
        done_on,
        due: due.to_string(),
        link,
        progress: None,
    }
}

fn not_applicable() -> Cell {
    Cell {
        status: MilestoneStatus::None,
        done_on: None,
        due: String::new(),
        link: String::new(),
        progress: None,
    }
}

/// The board's two service cells of an org, from its monthly compliance.
fn service_cells(kind: OrgRowKind, id: i64, name: &str, c: Option<&OrgCompliance>) -> (Cell, Cell) {
    let link = if kind == OrgRowKind::Unit {
        format!("/compliance/units/{id}")
    } else {
        format!("/compliance?kind=community&q={}", crate::web::urlencode(name))
    };
    let Some(c) = c else {
        return (not_applicable(), not_applicable());
    };
    let activities = Cell {
        status: if c.due == 0 {
            MilestoneStatus::Open
        } else if c.met < c.due {
            MilestoneStatus::Missing
        } else {
            MilestoneStatus::Done
        },
        done_on: None,
        due: String::new(),
        link: link.clone(),
        progress: Some(format!("{}/{}", c.met, c.due)),
    };
    let (late, missing): (i64, i64) = c
        .months
        .iter()
        .fold((0, 0), |(l, m), x| (l + x.hours_late, m + x.hours_missing));
    let held: i64 = c.months.iter().map(|x| x.held).sum();
    let hours = Cell {
        status: if missing > 0 {
            MilestoneStatus::Missing
        } else if late > 0 {
            MilestoneStatus::Late
        } else if held > 0 {
            MilestoneStatus::Done
        } else {
            MilestoneStatus::Open
        },
        done_on: None,
        due: String::new(),
        link,
        progress: (late + missing > 0).then(|| (late + missing).to_string()),
    };
    (activities, hours)
}

#[allow(clippy::too_many_arguments)]
fn row(
    kind: OrgRowKind,
    id: i64,
    name: String,
    street: String,
    p: &OrgProgress,
    c: &Campaign,
    today: &str,
    service: &HashMap<(OrgRowKind, i64), OrgCompliance>,
    rectification: &HashMap<(OrgRowKind, i64), Cell>,
) -> BoardRow {
    let (activities, hours) = service_cells(kind, id, &name, service.get(&(kind, id)));
    let unit = kind == OrgRowKind::Unit;
    let teams_link = format!("/teams?{}_id={id}", kind.as_str());
    let checkin = if unit && p.checkins_expected > 0 && p.checkins_confirmed >= p.checkins_expected {
        p.checked_in_at
    } else {
        None
    };
    let plan = if p.plans_filed > 0 && (!unit || p.plans_filed >= p.checkins_expected) {
        p.planned_at
    } else {
        None
    };
    BoardRow {
        kind,
        id,
        name,
        street,
        teams: p.teams,
        formation: cell(p.formed_at, &c.formation_due, today, teams_link.clone()),
        roster: cell(p.roster_submitted_at, &c.roster_due, today, teams_link.clone()),
        traffic: if unit {
            cell(
                p.traffic_submitted_at,
                &c.roster_due,
                today,
                format!("/traffic?unit_id={id}"),
            )
        } else {
            not_applicable()
        },
        checkin: if unit {
            let mut cl = cell(checkin, &c.checkin_due, today, "/checkins".into());
            if p.checkins_expected > 1 {
                cl.progress = Some(format!("{}/{}", p.checkins_confirmed, p.checkins_expected));
            }
            cl
        } else {
            not_applicable()
        },
        activities,
        hours,
        rectification: rectification.get(&(kind, id)).cloned().unwrap_or_else(not_applicable),
        plan: if unit {
            cell(plan, &c.checkin_due, today, "/checkins".into())
        } else {
            not_applicable()
        },
    }
}

/// Which service columns to compute: from every team's facts, from one unit's teams only (the
/// same values for that unit, fewer reads), or none (the milestone columns alone).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    All,
    Unit(i64),
    None,
}

/// The board's rows of `orgs` (kind, id, name, street), unfiltered and unsorted: what the board,
/// the workbench and the to-do API all read, so they agree.
pub async fn rows(
    db: &Db,
    campaign: &Campaign,
    today: &str,
    orgs: Vec<(OrgRowKind, i64, String, String)>,
    with: Service,
) -> AppResult<Vec<BoardRow>> {
    let progress = store::progress(db, campaign.id).await?;
    // The service columns: the monthly compliance of the same orgs, computed the same way.
    let service: HashMap<(OrgRowKind, i64), OrgCompliance> = match with {
        Service::None => HashMap::new(),
        Service::All | Service::Unit(_) => {
            let unit = if let Service::Unit(u) = with { Some(u) } else { None };
            crate::features::compliance::service::rows_for(db, campaign, orgs.clone(), unit)
                .await?
                .into_iter()
                .map(|r| ((r.kind, r.id), r))
                .collect()
        }
    };
    let rectification = crate::features::inspections::board_cells(db, campaign.id, today).await?;
    let empty = OrgProgress::default();
    Ok(orgs
        .into_iter()
        .map(|(kind, id, name, street)| {
            let pr = progress.get(&(kind, id)).unwrap_or(&empty);
            row(kind, id, name, street, pr, campaign, today, &service, &rectification)
        })
        .collect())
}

/// The board as the caller may see it, filtered and sorted.
pub async fn board(db: &Db, by: &Acting, params: &BoardParams) -> AppResult<Board> {
    let p = by.user()?;
    let scope = policy::list_scope(p, Listing::Board);
    if matches!(scope, Scope::Nothing | Scope::OwnAccount(_)) {
        return Err(AppError::Forbidden);
    }
    let campaign = active(db).await?;
    let today = today();
    let orgs = orgs_in_scope(db, scope, params.kind.as_deref().and_then(OrgRowKind::parse)).await?;
    let mut rows = rows(db, &campaign, &today, orgs, Service::All).await?;
    if let Some(q) = params.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        rows.retain(|r| r.name.contains(q) || r.street.contains(q));
    }
    if let Some(s) = params.status.as_deref().filter(|s| !s.is_empty()) {
        rows.retain(|r| r.cells().iter().any(|c| c.status.as_str() == s));
    }
    let score = |r: &BoardRow| {
        [&r.formation, &r.roster, &r.traffic, &r.checkin, &r.plan]
            .iter()
            .map(|c| c.status.urgency())
            .sum::<i32>()
    };
    match params.sort.as_deref() {
        Some("street") => rows.sort_by(|a, b| (&a.street, &a.name).cmp(&(&b.street, &b.name))),
        Some("progress") => rows.sort_by_key(|r| (score(r), r.name.clone())),
        _ => rows.sort_by_key(|r| (r.kind != OrgRowKind::Unit, r.name.clone())),
    }
    Ok(Board { campaign, today, rows })
}

/// The board as .xlsx, with its file name; the export is written to the audit trail.
pub async fn export(db: &Db, by: &Acting, params: &BoardParams) -> AppResult<(Vec<u8>, String)> {
    let b = board(db, by, params).await?;
    let bytes = form::write(&b, by.lang)?;
    let title = form::title(&b, by.lang);
    let summary = serde_json::json!({"rows": b.rows.len()});
    log(
        db,
        by,
        Op::Export,
        Subject::new("board", Some(b.campaign.id), &title),
        &summary,
    )
    .await?;
    Ok((bytes, format!("{}-{}.xlsx", by.t("board.title"), b.today)))
}
