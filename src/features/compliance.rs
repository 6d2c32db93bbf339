//! Monthly compliance, computed and never typed: per unit (and community) and month, the
//! activities held (the campaign asks for at least one), the turnout on the concentrated day,
//! the managers who served, and hours confirmed late or not at all. The district's
//! month-by-unit grid is exported to .xlsx.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::policy::{self, Listing, Scope};
use crate::db::audit::{self, Subject};
use crate::db::campaign::Campaign;
use crate::db::{now, Db};
use crate::domain::service::{confirm_due, local};
use crate::error::{AppError, AppResult};
use crate::excel;
use crate::on_db;
use crate::state::AppState;
use crate::web::Ctx;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/compliance", get(grid_page))
        .route("/compliance.xlsx", get(grid_xlsx))
        .route("/compliance/units/{id}", get(unit_page))
        .routes(routes!(api_grid))
        .routes(routes!(api_unit))
}

/// One org's month.
#[derive(Clone, Debug, Default, Serialize, ToSchema)]
pub struct MonthCell {
    /// `YYYY-MM`.
    pub month: String,
    /// `met`, `missed`, `open` (the month is under way) or `future`.
    pub status: String,
    /// Activities held: over, not cancelled, with someone signed in.
    pub held: i64,
    /// People who signed in at its activities on the month's concentrated day.
    pub concentrated_turnout: i64,
    /// Its managers who served that month.
    pub managers_served: i64,
    /// Activities whose hours were confirmed after the deadline, or are overdue.
    pub hours_late: i64,
    pub hours_missing: i64,
}

/// One unit's (or community's) year.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct OrgCompliance {
    /// `unit` or `community`.
    pub kind: String,
    pub id: i64,
    pub name: String,
    pub street: String,
    /// Volunteers on its rosters and managers among them.
    pub roster: i64,
    pub managers: i64,
    pub months: Vec<MonthCell>,
    /// Months met of the months that are over.
    pub met: i64,
    pub due: i64,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Grid {
    pub campaign_year: i64,
    pub months: Vec<String>,
    pub rows: Vec<OrgCompliance>,
}

type Key = (&'static str, i64);

fn key(u: Option<i64>, c: Option<i64>) -> Key {
    match (u, c) {
        (Some(u), _) => ("unit", u),
        (_, Some(c)) => ("community", c),
        _ => ("unit", -1),
    }
}

/// The months of activities of the campaign (`YYYY-MM`).
fn months(c: &Campaign) -> Vec<String> {
    let mut out = vec![];
    let (Ok(start), Ok(end)) = (
        chrono::NaiveDate::parse_from_str(&c.activities_start, "%Y-%m-%d"),
        chrono::NaiveDate::parse_from_str(&c.activities_end, "%Y-%m-%d"),
    ) else {
        return out;
    };
    let mut d = start.with_day0(0).unwrap_or(start);
    while d <= end {
        out.push(d.format("%Y-%m").to_string());
        d = d
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(end + chrono::Days::new(1));
    }
    out
}

use chrono::Datelike;

/// Every fact of the grid in a handful of grouped reads (per team, then summed per unit or
/// community): the activity counters kept with each sign-in spare a pass over the sign-ins.
/// `unit` narrows it to one unit's teams.
async fn facts(
    db: &Db,
    campaign: &Campaign,
    t: i64,
    unit: Option<i64>,
) -> AppResult<(HashMap<(Key, String), MonthCell>, HashMap<Key, (i64, i64)>)> {
    let teams: Vec<(i64, Option<i64>, Option<i64>)> = on_db!(db, pool => sqlx::query_as(
        "select id, unit_id, community_id from teams where campaign_id = $1 and ($2 is null or unit_id = $2)")
        .bind(campaign.id).bind(unit).fetch_all(pool).await?);
    let org: HashMap<i64, Key> = teams.iter().map(|(id, u, c)| (*id, key(*u, *c))).collect();
    // Only this unit's teams (an id list of integers, safe to inline).
    let only = |col: &str| match unit {
        None => String::new(),
        Some(_) => format!(
            " and {col} in ({})",
            std::iter::once("-1".to_string())
                .chain(teams.iter().map(|(id, _, _)| id.to_string()))
                .collect::<Vec<_>>()
                .join(",")
        ),
    };
    type Row = (i64, String, i64);
    let held_sql = format!(
        "select team_id, month, count(*) from activities
         where campaign_id = $1 and status in ('published', 'completed') and ends_at <= $2 and attended > 0{}
         group by team_id, month",
        only("team_id")
    );
    let co_held_sql = format!(
        "select at.team_id, a.month, count(*) from activity_teams at join activities a on a.id = at.activity_id
         where at.co and a.campaign_id = $1 and a.status in ('published', 'completed') and a.ends_at <= $2
           and a.attended > 0{} group by at.team_id, a.month",
        only("at.team_id")
    );
    let turnout_sql = format!(
        "select team_id, month, cast(sum(attended) as bigint) from activities
         where campaign_id = $1 and status <> 'cancelled'
           and day in (select day from concentrated_days where campaign_id = $1){}
         group by team_id, month",
        only("team_id")
    );
    let managers_sql = format!(
        "select m.team_id, x.month, count(distinct m.volunteer_id) from team_members m
         join attendance x on x.volunteer_id = m.volunteer_id
         where m.is_manager and x.month >= $1 and x.month <= $2{}
         group by m.team_id, x.month",
        only("m.team_id")
    );
    // Only activities that may be late: not confirmed, or confirmed a day or more after the end
    // (the deadline is counted in working days, by the district's rules, below).
    let confirm_sql = format!(
        "select team_id, month, ends_at, hours_confirmed_at from activities
         where campaign_id = $1 and status in ('published', 'completed') and ends_at <= $2 and attended > 0
           and (hours_confirmed_at is null or hours_confirmed_at > ends_at + 86400){}",
        only("team_id")
    );
    let roster_sql = format!(
        "select team_id, count(*) from team_members where 1 = 1{} group by team_id",
        only("team_id")
    );
    let managers_count_sql = format!(
        "select team_id, count(*) from team_members where is_manager{} group by team_id",
        only("team_id")
    );
    let first = &campaign.activities_start[..7];
    let last = &campaign.activities_end[..7];
    // The reads are independent: run them side by side on the pool's connections.
    type Pairs = Vec<(i64, i64)>;
    let (held, co_held, turnout, managers, confirmations, roster, managers_count) = tokio::try_join!(
        async {
            Ok::<Vec<Row>, sqlx::Error>(
                on_db!(db, pool => sqlx::query_as(&held_sql).bind(campaign.id).bind(t).fetch_all(pool).await?),
            )
        },
        async {
            Ok::<Vec<Row>, sqlx::Error>(
                on_db!(db, pool => sqlx::query_as(&co_held_sql).bind(campaign.id).bind(t).fetch_all(pool).await?),
            )
        },
        async {
            Ok::<Vec<Row>, sqlx::Error>(
                on_db!(db, pool => sqlx::query_as(&turnout_sql).bind(campaign.id).fetch_all(pool).await?),
            )
        },
        async {
            Ok::<Vec<Row>, sqlx::Error>(
                on_db!(db, pool => sqlx::query_as(&managers_sql).bind(first).bind(last).fetch_all(pool).await?),
            )
        },
        async {
            Ok::<Vec<(i64, String, i64, Option<i64>)>, sqlx::Error>(on_db!(db, pool => sqlx::query_as(&confirm_sql)
                .bind(campaign.id).bind(t).fetch_all(pool).await?))
        },
        async { Ok::<Pairs, sqlx::Error>(on_db!(db, pool => sqlx::query_as(&roster_sql).fetch_all(pool).await?)) },
        async {
            Ok::<Pairs, sqlx::Error>(on_db!(db, pool => sqlx::query_as(&managers_count_sql).fetch_all(pool).await?))
        },
    )?;
    let rules = crate::db::service::rules(db).await?;
    let mut out: HashMap<(Key, String), MonthCell> = HashMap::new();
    let cell = |team: i64, month: String| org.get(&team).map(|k| (*k, month));
    let mut cells: Vec<((Key, String), i64, u8)> = vec![];
    for (team, m, n) in held.into_iter().chain(co_held) {
        if let Some(k) = cell(team, m) {
            cells.push((k, n, 0));
        }
    }
    for (team, m, n) in turnout {
        if let Some(k) = cell(team, m) {
            cells.push((k, n, 1));
        }
    }
    for (team, m, n) in managers {
        if let Some(k) = cell(team, m) {
            cells.push((k, n, 2));
        }
    }
    let today = local(t).date();
    for (team, m, ends, confirmed) in confirmations {
        let Some(k) = cell(team, m) else { continue };
        let due = confirm_due(local(ends).date(), rules.confirm_working_days);
        match confirmed {
            Some(at) if local(at).date() > due => cells.push((k, 1, 3)),
            None if today > due => cells.push((k, 1, 4)),
            _ => {}
        }
    }
    for (k, n, what) in cells {
        let c = out.entry(k).or_default();
        match what {
            0 => c.held += n,
            1 => c.concentrated_turnout += n,
            2 => c.managers_served += n,
            3 => c.hours_late += n,
            _ => c.hours_missing += n,
        }
    }
    let mut rosters: HashMap<Key, (i64, i64)> = HashMap::new();
    for (team, n) in roster {
        if let Some(k) = org.get(&team) {
            rosters.entry(*k).or_default().0 += n;
        }
    }
    for (team, n) in managers_count {
        if let Some(k) = org.get(&team) {
            rosters.entry(*k).or_default().1 += n;
        }
    }
    Ok((out, rosters))
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
pub async fn grid(state: &AppState, ctx: &Ctx, params: &GridParams) -> AppResult<Grid> {
    grid_of(state, ctx, params, None).await
}

async fn grid_of(state: &AppState, ctx: &Ctx, params: &GridParams, unit: Option<i64>) -> AppResult<Grid> {
    let p = ctx.user()?;
    let scope = policy::list_scope(p, Listing::Board);
    if matches!(scope, Scope::Nothing | Scope::OwnAccount(_)) {
        return Err(AppError::Forbidden);
    }
    let campaign = super::campaign::active(state).await?;
    let mut orgs_in = super::campaign::orgs_in_scope(state, scope, params.kind.as_deref()).await?;
    if let Some(id) = unit {
        orgs_in.retain(|(kind, x, _, _)| *kind == "unit" && *x == id);
    }
    if let Some(q) = params.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        orgs_in.retain(|(_, _, name, street)| name.contains(q) || street.contains(q));
    }
    Ok(Grid {
        campaign_year: campaign.year,
        months: months(&campaign),
        rows: rows_for(state, &campaign, orgs_in, unit).await?,
    })
}

/// The months of `orgs` (kind, id, name, street); `unit` narrows the reads to one unit's teams.
pub async fn rows_for(
    state: &AppState,
    campaign: &Campaign,
    orgs_in: Vec<(&'static str, i64, String, String)>,
    unit: Option<i64>,
) -> AppResult<Vec<OrgCompliance>> {
    let t = now();
    let (facts, rosters) = facts(&state.db, campaign, t, unit).await?;
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
                    cell.status = if *m > this_month {
                        "future"
                    } else if cell.held > 0 {
                        "met"
                    } else if *m == this_month {
                        "open"
                    } else {
                        "missed"
                    }
                    .into();
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
                kind: kind.into(),
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
pub async fn unit(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<OrgCompliance> {
    let g = grid_of(
        state,
        ctx,
        &GridParams {
            kind: Some("unit".into()),
            q: None,
        },
        Some(id),
    )
    .await?;
    g.rows.into_iter().find(|r| r.id == id).ok_or(AppError::NotFound)
}

// ---------------------------------------------------------------- pages

async fn grid_page(State(state): State<AppState>, ctx: Ctx, Query(params): Query<GridParams>) -> AppResult<Response> {
    let g = grid(&state, &ctx, &params).await?;
    Ok(ctx.render(
        &state,
        "compliance/compliance.html",
        minijinja::context! {
            title => ctx.t("compliance.title"), g => g,
            short_months => g.months.iter().map(|m| m[5..].trim_start_matches('0').to_string()).collect::<Vec<_>>(),
            params => minijinja::context! { kind => params.kind, q => params.q },
        },
    ))
}

async fn unit_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let u = unit(&state, &ctx, id).await?;
    Ok(ctx.render(
        &state,
        "compliance/compliance_unit.html",
        minijinja::context! { title => format!("{} · {}", u.name, ctx.t("compliance.title")), u => u },
    ))
}

fn cell_text(ctx: &Ctx, c: &MonthCell) -> String {
    match c.status.as_str() {
        "future" => String::new(),
        "met" => format!("✓ {}", c.held),
        "open" => ctx.t("compliance.open"),
        _ => "✗".into(),
    }
}

/// The month-by-unit grid as .xlsx (the export is written to the audit trail).
async fn grid_xlsx(State(state): State<AppState>, ctx: Ctx, Query(params): Query<GridParams>) -> AppResult<Response> {
    let g = grid(&state, &ctx, &params).await?;
    let mut headers: Vec<String> = vec![
        ctx.t("board.no"),
        ctx.t("board.kind"),
        ctx.t("field.name"),
        ctx.t("field.street"),
    ];
    headers.extend(
        g.months
            .iter()
            .map(|m| ctx.t("compliance.month_col").replace("{m}", &m[5..])),
    );
    headers.push(ctx.t("compliance.met_of_due"));
    headers.push(ctx.t("compliance.turnout_total"));
    headers.push(ctx.t("compliance.hours_overdue"));
    let rows: Vec<Vec<String>> = g
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut row = vec![
                (i + 1).to_string(),
                ctx.t(&format!("board.kind.{}", r.kind)),
                r.name.clone(),
                r.street.clone(),
            ];
            row.extend(r.months.iter().map(|c| cell_text(&ctx, c)));
            row.push(format!("{}/{}", r.met, r.due));
            row.push(r.months.iter().map(|c| c.concentrated_turnout).sum::<i64>().to_string());
            row.push(
                r.months
                    .iter()
                    .map(|c| c.hours_late + c.hours_missing)
                    .sum::<i64>()
                    .to_string(),
            );
            row
        })
        .collect();
    let mut widths = vec![6.0, 8.0, 28.0, 14.0];
    widths.extend(g.months.iter().map(|_| 8.0));
    widths.extend([10.0, 12.0, 12.0]);
    let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let title = format!("{} {}", g.campaign_year, ctx.t("compliance.title"));
    // Two header levels: the months under one label, the year's totals under another.
    let (months_label, totals_label) = (ctx.t("compliance.month"), ctx.t("compliance.totals"));
    let first_month = 4u16;
    let first_total = first_month + g.months.len() as u16;
    let mut groups = vec![(totals_label.as_str(), first_total, first_total + 2)];
    if !g.months.is_empty() {
        groups.insert(0, (months_label.as_str(), first_month, first_total - 1));
    }
    let mut kinds = vec![
        excel::Kind::Int,
        excel::Kind::Text,
        excel::Kind::Text,
        excel::Kind::Text,
    ];
    kinds.extend(g.months.iter().map(|_| excel::Kind::Text));
    kinds.extend([excel::Kind::Text, excel::Kind::Int, excel::Kind::Int]);
    let sheet = ctx.t("compliance.title");
    let form = excel::Form::new(&sheet, &title, &header_refs, &widths)
        .kinds(&kinds)
        .groups(&groups);
    let bytes = excel::write_form(&form, &rows).map_err(AppError::Internal)?;
    let mut tx = state.db.begin().await?;
    audit::record_raw(
        &mut tx,
        &ctx.actor(),
        audit::Op::Export,
        Subject::new("compliance", None, &title),
        &serde_json::json!({"rows": rows.len()}),
    )
    .await?;
    tx.commit().await?;
    Ok(crate::web::download::download(
        bytes,
        "compliance.xlsx",
        &format!("{title}.xlsx"),
    ))
}

// ---------------------------------------------------------------- API

/// The month-by-unit grid (the district all; a street its units and communities; a unit itself).
#[utoipa::path(get, path = "/api/v1/compliance", tag = "compliance", params(GridParams), responses((status = 200, body = Grid)))]
pub async fn api_grid(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<GridParams>,
) -> AppResult<Json<Grid>> {
    Ok(Json(grid(&state, &ctx, &params).await?))
}

/// One unit's months.
#[utoipa::path(get, path = "/api/v1/units/{id}/compliance", tag = "compliance", responses((status = 200, body = OrgCompliance)))]
pub async fn api_unit(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<OrgCompliance>> {
    Ok(Json(unit(&state, &ctx, id).await?))
}
