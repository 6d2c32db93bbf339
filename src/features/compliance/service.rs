//! The grid computed from the facts: each org's months, met or missed, and the hours confirmed
//! late (by the district's working-day rule) or not at all.

use std::collections::HashMap;

use chrono::Datelike;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::policy::{self, Listing, Scope};
use crate::auth::Acting;
use crate::db::audit::{Op, Subject};
use crate::db::campaigns::Campaign;
use crate::db::compliance::{self as store, Grid, MonthCell, OrgCompliance};
use crate::db::{now, Db};
use crate::domain::campaign::OrgRowKind;
use crate::domain::compliance::MonthStatus;
use crate::domain::service::{confirm_due, local};
use crate::error::{AppError, AppResult};
use crate::features::campaign::service::{active, log, orgs_in_scope};

type Key = (OrgRowKind, i64);

/// The months of activities of the campaign.
fn month_dates(c: &Campaign) -> Vec<chrono::NaiveDate> {
    let mut out = vec![];
    let (Ok(start), Ok(end)) = (
        chrono::NaiveDate::parse_from_str(&c.activities_start, "%Y-%m-%d"),
        chrono::NaiveDate::parse_from_str(&c.activities_end, "%Y-%m-%d"),
    ) else {
        return out;
    };
    let mut d = start.with_day0(0).unwrap_or(start);
    while d <= end {
        out.push(d);
        d = d
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(end + chrono::Days::new(1));
    }
    out
}

/// The months of activities of the campaign (`YYYY-MM`).
fn months(c: &Campaign) -> Vec<String> {
    month_dates(c).iter().map(|d| d.format("%Y-%m").to_string()).collect()
}

/// Every fact of the grid, per team summed per unit or community. `unit` narrows it to one
/// unit's teams.
async fn facts(
    db: &Db,
    campaign: &Campaign,
    t: i64,
    unit: Option<i64>,
) -> AppResult<(HashMap<(Key, String), MonthCell>, HashMap<Key, (i64, i64)>)> {
    let f = kept_facts(db, campaign.id, t, unit).await?;
    let org: HashMap<i64, Key> = f
        .teams
        .iter()
        .map(|(id, u, c)| (*id, OrgRowKind::of_team(*u, *c)))
        .collect();
    let rules = crate::db::settings::rules(db).await?;
    let mut out: HashMap<(Key, String), MonthCell> = HashMap::new();
    let cell = |team: i64, month: String| org.get(&team).map(|k| (*k, month));
    for (team, m, held, turnout, managers, late) in f.months {
        if let Some(k) = cell(team, m) {
            let c = out.entry(k).or_default();
            c.held += held;
            c.concentrated_turnout += turnout;
            c.managers_served += managers;
            c.hours_late += late;
        }
    }
    let today = local(t).date();
    for (team, m, ends) in f.unconfirmed {
        let Some(k) = cell(team, m) else { continue };
        if today > confirm_due(local(ends).date(), rules.confirm_working_days) {
            out.entry(k).or_default().hours_missing += 1;
        }
    }
    let mut rosters: HashMap<Key, (i64, i64)> = HashMap::new();
    for (team, n, managers) in f.roster {
        if let Some(k) = org.get(&team) {
            let e = rosters.entry(*k).or_default();
            e.0 += n;
            e.1 += managers;
        }
    }
    Ok((out, rosters))
}

/// The grid's facts from the kept figures (see `features::stats`): the kept months per team less
/// the activities still under way, with the unconfirmed hours read live (few rows, indexed).
struct KeptFacts {
    teams: Vec<(i64, Option<i64>, Option<i64>)>,
    /// (team, month, held, turnout, managers served, hours late).
    months: Vec<(i64, String, i64, i64, i64, i64)>,
    unconfirmed: Vec<(i64, String, i64)>,
    roster: Vec<(i64, i64, i64)>,
}

async fn kept_facts(db: &Db, campaign_id: i64, t: i64, unit: Option<i64>) -> AppResult<KeptFacts> {
    use crate::db::stats as kept;
    // What changed since the last refresh is recounted first (a few keys), so the grid is
    // never behind the records.
    crate::features::stats::service::recount_dirty(db).await?;
    let (teams, rows, under_way, unconfirmed, roster) = tokio::try_join!(
        store::teams(db, campaign_id),
        kept::team_months(db, campaign_id, unit),
        kept::under_way(db, campaign_id, t),
        kept::unconfirmed(db, campaign_id, t),
        kept::team_sizes(db, campaign_id),
    )?;
    let teams: Vec<_> = teams
        .into_iter()
        .filter(|(_, u, _)| unit.is_none() || *u == unit)
        .collect();
    let mut not_yet: HashMap<(i64, String), i64> = HashMap::new();
    for (team, m, _) in under_way {
        *not_yet.entry((team, m)).or_default() += 1;
    }
    let months = rows
        .into_iter()
        .map(|(team, m, held, co, turnout, managers, late)| {
            let held = held + co - not_yet.get(&(team, m.clone())).copied().unwrap_or(0);
            (team, m, held, turnout, managers, late)
        })
        .collect();
    Ok(KeptFacts {
        teams,
        months,
        unconfirmed,
        roster,
    })
}

#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GridParams {
    /// `unit` or `community`; both when left out.
    pub kind: Option<String>,
    /// Name or street contains.
    pub q: Option<String>,
}

/// The grid as the caller may see it: the district all, a street its own, a unit itself.
pub async fn grid(db: &Db, by: &Acting, params: &GridParams) -> AppResult<Grid> {
    grid_of(db, by, params, None).await
}

async fn grid_of(db: &Db, by: &Acting, params: &GridParams, unit: Option<i64>) -> AppResult<Grid> {
    let p = by.user()?;
    let scope = policy::list_scope(p, Listing::Board);
    if matches!(scope, Scope::Nothing | Scope::OwnAccount(_)) {
        return Err(AppError::Forbidden);
    }
    let campaign = active(db).await?;
    let mut orgs_in = orgs_in_scope(db, scope, params.kind.as_deref().and_then(OrgRowKind::parse)).await?;
    if let Some(id) = unit {
        orgs_in.retain(|(kind, x, _, _)| *kind == OrgRowKind::Unit && *x == id);
    }
    if let Some(q) = params.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        orgs_in.retain(|(_, _, name, street)| name.contains(q) || street.contains(q));
    }
    Ok(Grid {
        campaign_year: campaign.year,
        months: months(&campaign),
        rows: rows_for(db, &campaign, orgs_in, unit).await?,
    })
}

/// The months of `orgs` (kind, id, name, street); `unit` narrows the reads to one unit's teams.
pub async fn rows_for(
    db: &Db,
    campaign: &Campaign,
    orgs_in: Vec<(OrgRowKind, i64, String, String)>,
    unit: Option<i64>,
) -> AppResult<Vec<OrgCompliance>> {
    let t = now();
    let (facts, rosters) = facts(db, campaign, t, unit).await?;
    let months = months(campaign);
    let this_month = local(t).format("%Y-%m").to_string();
    let rows = orgs_in
        .into_iter()
        .map(|(kind, id, name, street)| {
            let (roster, managers) = rosters.get(&(kind, id)).copied().unwrap_or((0, 0));
            let mut met = 0;
            let mut due = 0;
            let cells = months
                .iter()
                .map(|m| {
                    let mut cell = facts.get(&((kind, id), m.clone())).cloned().unwrap_or_default();
                    cell.month = m.clone();
                    cell.status = MonthStatus::of(m, &this_month, cell.held);
                    if *m < this_month || cell.held > 0 {
                        due += 1;
                        if cell.held > 0 {
                            met += 1;
                        }
                    }
                    cell
                })
                .collect();
            OrgCompliance {
                kind,
                id,
                name,
                street,
                roster,
                managers,
                months: cells,
                met,
                due,
            }
        })
        .collect();
    Ok(rows)
}

/// One unit's year, if the caller may see it.
pub async fn unit(db: &Db, by: &Acting, id: i64) -> AppResult<OrgCompliance> {
    let params = GridParams {
        kind: Some("unit".into()),
        q: None,
    };
    let g = grid_of(db, by, &params, Some(id)).await?;
    g.rows.into_iter().find(|r| r.id == id).ok_or(AppError::NotFound)
}

/// The grid as .xlsx, with its file name; the export is written to the audit trail.
pub async fn export(db: &Db, by: &Acting, params: &GridParams) -> AppResult<(Vec<u8>, String)> {
    use crate::excel::forms::compliance as form;
    let g = grid(db, by, params).await?;
    let bytes = form::write(&g, by.lang)?;
    let title = form::title(&g, by.lang);
    let details = serde_json::json!({"rows": g.rows.len()});
    log(db, by, Op::Export, Subject::new("compliance", None, &title), &details).await?;
    Ok((bytes, format!("{title}.xlsx")))
}

/// The month numbers of the grid's columns (`4`, `5`, …), as the page heads them.
pub fn short_months(g: &Grid) -> Vec<String> {
    g.months
        .iter()
        .map(|m| {
            chrono::NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d")
                .map(|d| d.month().to_string())
                .unwrap_or_default()
        })
        .collect()
}
