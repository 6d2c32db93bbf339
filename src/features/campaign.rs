//! The campaign year: its milestones (set by the district) and the milestone board (where every
//! unit and community stands against each milestone).

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Json};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ensure, required_name, validated, PageParams};
use crate::auth::policy::{self, Action, Listing, Object, Scope};
use crate::db::audit::{self, Subject};
use crate::db::campaign::{self as store, Campaign, OrgProgress};
use crate::db::orgs::{self, ListQuery, Page};
use crate::domain::campaign::{date_of, parse_form_date, today, MilestoneStatus, Milestones};
use crate::error::{AppError, AppResult, FieldError};
use crate::excel;
use crate::state::AppState;
use crate::web::form::{lenient_i64, outcome, Field, FormPage};
use crate::web::{urlencode, Ctx};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/campaign", get(page_edit).post(page_update))
        .route("/campaign/new", get(page_new).post(page_create))
        .route("/board", get(page_board))
        .route("/board/export.xlsx", get(board_export))
        .routes(routes!(api_list, api_create))
        .routes(routes!(api_active, api_update))
        .routes(routes!(api_board))
        .routes(routes!(board_export))
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct CampaignInput {
    /// The campaign year (when opening one).
    #[serde(default, deserialize_with = "lenient_i64")]
    pub year: Option<i64>,
    pub name: Option<String>,
    pub formation_due: Option<String>,
    pub roster_due: Option<String>,
    pub checkin_due: Option<String>,
    pub activities_start: Option<String>,
    pub activities_end: Option<String>,
    /// `YYYY-MM`.
    pub commendation_month: Option<String>,
    pub reference_date: Option<String>,
}

/// The active campaign, or a 404 that says to open one.
pub async fn active(state: &AppState) -> AppResult<Campaign> {
    store::active_campaign(&state.db)
        .await?
        .ok_or(AppError::BadRequest("err.no_campaign"))
}

/// The milestones typed, each checked; blanks take the plan's default for the year.
fn milestones(input: &CampaignInput, year: i32, errors: &mut Vec<FieldError>) -> Milestones {
    let d = Milestones::defaults(year);
    let commendation_month = match input.commendation_month.as_deref().map(str::trim) {
        None | Some("") => d.commendation_month,
        Some(s) => match crate::domain::dates::parse_year_month(s) {
            Ok((y, m, _)) => format!("{y:04}-{m:02}"),
            Err(k) => {
                errors.push(FieldError::new("commendation_month", k));
                s.to_string()
            }
        },
    };
    let mut date = |field: &'static str, v: &Option<String>, default: String| match v.as_deref().map(str::trim) {
        None | Some("") => default,
        Some(s) => parse_form_date(s).unwrap_or_else(|k| {
            errors.push(FieldError::new(field, k));
            s.to_string()
        }),
    };
    let m = Milestones {
        formation_due: date("formation_due", &input.formation_due, d.formation_due),
        roster_due: date("roster_due", &input.roster_due, d.roster_due),
        checkin_due: date("checkin_due", &input.checkin_due, d.checkin_due),
        activities_start: date("activities_start", &input.activities_start, d.activities_start),
        activities_end: date("activities_end", &input.activities_end, d.activities_end),
        commendation_month,
        reference_date: date("reference_date", &input.reference_date, d.reference_date),
    };
    let order = [
        ("roster_due", &m.formation_due, &m.roster_due),
        ("checkin_due", &m.roster_due, &m.checkin_due),
        ("activities_end", &m.activities_start, &m.activities_end),
    ];
    for (field, before, after) in order {
        if errors.is_empty() && after < before {
            errors.push(FieldError::new(field, "err.milestone_order"));
        }
    }
    m
}

pub async fn create(state: &AppState, ctx: &Ctx, input: &CampaignInput) -> AppResult<Campaign> {
    ensure(ctx.user()?, Action::Create, &Object::Campaign)?;
    let mut errors = vec![];
    let year = match input.year {
        Some(y) if (2000..=2100).contains(&y) => y,
        Some(_) => {
            errors.push(FieldError::new("year", "err.year"));
            0
        }
        None => {
            errors.push(FieldError::new("year", "err.required"));
            0
        }
    };
    let default_name = format!("{year}年“弘扬雷锋精神，志愿服务进社区”活动");
    let name = match input.name.as_deref().map(str::trim) {
        None | Some("") => default_name,
        _ => required_name("name", input.name.as_deref(), &mut errors),
    };
    let m = milestones(input, year as i32, &mut errors);
    validated(errors)?;
    let mut tx = state.db.begin().await?;
    let c = store::create_campaign(&mut tx, &ctx.actor(), year, &name, &m)
        .await
        .map_err(|e| super::conflict_on_unique(e, "year", "err.campaign_exists"))?;
    super::calendar::ensure_days(&mut tx, &ctx.actor(), &c).await?;
    tx.commit().await?;
    Ok(c)
}

pub async fn update(state: &AppState, ctx: &Ctx, input: &CampaignInput) -> AppResult<Campaign> {
    ensure(ctx.user()?, Action::Update, &Object::Campaign)?;
    let current = active(state).await?;
    let mut errors = vec![];
    let name = match input.name.as_deref().map(str::trim) {
        None | Some("") => current.name.clone(),
        _ => required_name("name", input.name.as_deref(), &mut errors),
    };
    let m = milestones(input, current.year as i32, &mut errors);
    validated(errors)?;
    let mut tx = state.db.begin().await?;
    let c = store::update_campaign(&mut tx, &ctx.actor(), current.id, &name, &m).await?;
    tx.commit().await?;
    Ok(c)
}

// ------------------------------------------------------------ the board

/// One milestone of one org.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Cell {
    /// `done`, `late`, `missing` or `open` (not due yet); `none` where it does not apply.
    pub status: String,
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
    pub kind: String,
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
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Board {
    pub campaign: Campaign,
    pub today: String,
    pub rows: Vec<BoardRow>,
}

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
    let status = MilestoneStatus::of(done_on.as_deref(), due, today).as_str().to_string();
    Cell {
        status,
        done_on,
        due: due.to_string(),
        link,
        progress: None,
    }
}

fn not_applicable() -> Cell {
    Cell {
        status: "none".into(),
        done_on: None,
        due: String::new(),
        link: String::new(),
        progress: None,
    }
}

/// The board's two service cells of an org, from its monthly compliance.
fn service_cells(kind: &str, id: i64, name: &str, c: Option<&super::compliance::OrgCompliance>) -> (Cell, Cell) {
    let link = if kind == "unit" {
        format!("/compliance/units/{id}")
    } else {
        format!("/compliance?kind=community&q={}", crate::web::urlencode(name))
    };
    let Some(c) = c else {
        return (not_applicable(), not_applicable());
    };
    let activities = Cell {
        status: if c.due == 0 {
            "open"
        } else if c.met < c.due {
            "missing"
        } else {
            "done"
        }
        .into(),
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
            "missing"
        } else if late > 0 {
            "late"
        } else if held > 0 {
            "done"
        } else {
            "open"
        }
        .into(),
        done_on: None,
        due: String::new(),
        link,
        progress: (late + missing > 0).then(|| (late + missing).to_string()),
    };
    (activities, hours)
}

#[allow(clippy::too_many_arguments)]
fn row(
    kind: &str,
    id: i64,
    name: String,
    street: String,
    p: &OrgProgress,
    c: &Campaign,
    today: &str,
    service: &HashMap<(String, i64), super::compliance::OrgCompliance>,
) -> BoardRow {
    let (activities, hours) = service_cells(kind, id, &name, service.get(&(kind.to_string(), id)));
    let teams_link = format!("/teams?{kind}_id={id}");
    let checkin = if kind == "unit" && p.checkins_expected > 0 && p.checkins_confirmed >= p.checkins_expected {
        p.checked_in_at
    } else {
        None
    };
    let plan = if p.plans_filed > 0 && (kind != "unit" || p.plans_filed >= p.checkins_expected) {
        p.planned_at
    } else {
        None
    };
    BoardRow {
        kind: kind.into(),
        id,
        name,
        street,
        teams: p.teams,
        formation: cell(p.formed_at, &c.formation_due, today, teams_link.clone()),
        roster: cell(p.roster_submitted_at, &c.roster_due, today, teams_link.clone()),
        traffic: if kind == "unit" {
            cell(
                p.traffic_submitted_at,
                &c.roster_due,
                today,
                format!("/traffic?unit_id={id}"),
            )
        } else {
            not_applicable()
        },
        checkin: if kind == "unit" {
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
        plan: if kind == "unit" {
            cell(plan, &c.checkin_due, today, "/checkins".into())
        } else {
            not_applicable()
        },
    }
}

/// The units and communities a board or grid covers, as (kind, id, name, street): a unit's own
/// shows the unit; a community's, a street's and the district's also the communities in scope.
pub async fn orgs_in_scope(
    state: &AppState,
    scope: Scope,
    kind: Option<&str>,
) -> AppResult<Vec<(&'static str, i64, String, String)>> {
    let all = |scope| ListQuery {
        q: None,
        page: 1,
        per_page: 1_000_000,
        scope,
        street_id: None,
        community_id: None,
        unit_id: None,
    };
    let mut out = vec![];
    if kind != Some("community") {
        let street_of = unit_streets(state).await?;
        for u in orgs::list_units(&state.db, &all(scope)).await?.items {
            let street = street_of.get(&u.id).cloned().unwrap_or_default();
            out.push(("unit", u.id, u.name, street));
        }
    }
    if kind != Some("unit") && !matches!(scope, Scope::Unit(_)) {
        for c in orgs::list_communities(&state.db, &all(scope)).await?.items {
            out.push(("community", c.id, c.name, c.street_name));
        }
    }
    Ok(out)
}

pub async fn board(state: &AppState, ctx: &Ctx, params: &BoardParams) -> AppResult<Board> {
    let p = ctx.user()?;
    let scope = policy::list_scope(p, Listing::Board);
    if matches!(scope, Scope::Nothing | Scope::OwnAccount(_)) {
        return Err(AppError::Forbidden);
    }
    let campaign = active(state).await?;
    let today = today();
    let progress = store::progress(&state.db, campaign.id).await?;
    let orgs = orgs_in_scope(state, scope, params.kind.as_deref()).await?;
    // The service columns: the monthly compliance of the same orgs, computed the same way.
    let service: HashMap<(String, i64), super::compliance::OrgCompliance> =
        super::compliance::rows_for(state, &campaign, orgs.clone(), None)
            .await?
            .into_iter()
            .map(|r| ((r.kind.clone(), r.id), r))
            .collect();
    let empty = OrgProgress::default();
    let mut rows = vec![];
    for (kind, id, name, street) in orgs {
        let pr = progress.get(&(kind, id)).unwrap_or(&empty);
        rows.push(row(kind, id, name, street, pr, &campaign, &today, &service));
    }
    if let Some(q) = params.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        rows.retain(|r| r.name.contains(q) || r.street.contains(q));
    }
    if let Some(s) = params.status.as_deref().filter(|s| !s.is_empty()) {
        rows.retain(|r| {
            [
                &r.formation,
                &r.roster,
                &r.traffic,
                &r.checkin,
                &r.plan,
                &r.activities,
                &r.hours,
            ]
            .iter()
            .any(|c| c.status == s)
        });
    }
    let score = |r: &BoardRow| {
        [&r.formation, &r.roster, &r.traffic, &r.checkin, &r.plan]
            .iter()
            .map(|c| match c.status.as_str() {
                "missing" => 0,
                "late" => 1,
                "open" => 2,
                _ => 3,
            })
            .sum::<i32>()
    };
    match params.sort.as_deref() {
        Some("street") => rows.sort_by(|a, b| (&a.street, &a.name).cmp(&(&b.street, &b.name))),
        Some("progress") => rows.sort_by_key(|r| (score(r), r.name.clone())),
        _ => rows.sort_by_key(|r| (r.kind != "unit", r.name.clone())),
    }
    Ok(Board { campaign, today, rows })
}

/// The streets a unit is paired into, as one label per unit.
pub async fn unit_streets(state: &AppState) -> AppResult<std::collections::HashMap<i64, String>> {
    let lq = ListQuery {
        q: None,
        page: 1,
        per_page: 1_000_000,
        scope: Scope::All,
        street_id: None,
        community_id: None,
        unit_id: None,
    };
    let mut map: std::collections::HashMap<i64, Vec<String>> = Default::default();
    for p in orgs::list_pairings(&state.db, &lq).await?.items {
        let v = map.entry(p.unit_id).or_default();
        if !v.contains(&p.street_name) {
            v.push(p.street_name);
        }
    }
    Ok(map.into_iter().map(|(k, v)| (k, v.join("、"))).collect())
}

// ------------------------------------------------------------ JSON API

/// Every campaign year, newest first.
#[utoipa::path(get, path = "/api/v1/campaigns", tag = "campaign", params(PageParams),
    responses((status = 200, body = Page<Campaign>)))]
pub async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(paging): Query<PageParams>,
) -> AppResult<Json<Page<Campaign>>> {
    ensure(ctx.user()?, Action::View, &Object::Campaign)?;
    Ok(Json(paging.page_of(store::list_campaigns(&state.db).await?)))
}

/// Open a campaign year (district admin); it becomes the active one and the previous one is read-only.
/// Milestones left out take the plan's dates.
#[utoipa::path(post, path = "/api/v1/campaigns", tag = "campaign", request_body = CampaignInput,
    responses((status = 201, body = Campaign), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_create(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(input): Json<CampaignInput>,
) -> AppResult<Response> {
    Ok((
        axum::http::StatusCode::CREATED,
        Json(create(&state, &ctx, &input).await?),
    )
        .into_response())
}

/// The active campaign.
#[utoipa::path(get, path = "/api/v1/campaigns/active", tag = "campaign", responses((status = 200, body = Campaign)))]
pub async fn api_active(State(state): State<AppState>, ctx: Ctx) -> AppResult<Json<Campaign>> {
    ensure(ctx.user()?, Action::View, &Object::Campaign)?;
    Ok(Json(active(&state).await?))
}

/// Change the active campaign's name or milestones (district admin).
#[utoipa::path(put, path = "/api/v1/campaigns/active", tag = "campaign", request_body = CampaignInput,
    responses((status = 200, body = Campaign), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_update(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(input): Json<CampaignInput>,
) -> AppResult<Json<Campaign>> {
    Ok(Json(update(&state, &ctx, &input).await?))
}

/// The milestone board: every unit and community in the caller's scope against each milestone.
#[utoipa::path(get, path = "/api/v1/board", tag = "campaign", params(BoardParams), responses((status = 200, body = Board)))]
pub async fn api_board(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<BoardParams>,
) -> AppResult<Json<Board>> {
    Ok(Json(board(&state, &ctx, &params).await?))
}

/// The board as .xlsx (the export is written to the audit trail).
#[utoipa::path(get, path = "/api/v1/board/export.xlsx", tag = "campaign", params(BoardParams),
    responses((status = 200, description = "the board (.xlsx)", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn board_export(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<BoardParams>,
) -> AppResult<Response> {
    let b = board(&state, &ctx, &params).await?;
    let lang = ctx.lang;
    let status = |c: &Cell| {
        let label = ctx.t(&format!("board.{}", c.status));
        match &c.done_on {
            Some(d) => format!("{label} {d}"),
            None => label,
        }
    };
    let rows: Vec<Vec<String>> = b
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            vec![
                (i + 1).to_string(),
                crate::i18n::t(lang, &format!("board.kind.{}", r.kind)),
                r.name.clone(),
                r.street.clone(),
                r.teams.to_string(),
                status(&r.formation),
                status(&r.roster),
                status(&r.traffic),
                status(&r.checkin),
                status(&r.plan),
                status(&r.activities),
                status(&r.hours),
            ]
        })
        .collect();
    let headers: Vec<String> = [
        "board.no",
        "board.kind",
        "field.name",
        "field.street",
        "board.teams",
        "board.formation",
        "board.roster",
        "board.traffic",
        "board.checkin",
        "board.plan",
        "board.activities",
        "board.hours",
    ]
    .iter()
    .map(|k| ctx.t(k))
    .collect();
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    let title = format!("{} · {}", b.campaign.name, ctx.t("board.title"));
    let (milestones, service) = (ctx.t("board.milestones"), ctx.t("board.service"));
    let groups = [(milestones.as_str(), 5, 9), (service.as_str(), 10, 11)];
    let sheet = ctx.t("board.title");
    let form = excel::Form::new(
        &sheet,
        &title,
        &headers,
        &[6.0, 8.0, 28.0, 14.0, 7.0, 18.0, 18.0, 18.0, 18.0, 18.0, 18.0, 18.0],
    )
    .kinds(&[
        excel::Kind::Int,
        excel::Kind::Text,
        excel::Kind::Text,
        excel::Kind::Text,
        excel::Kind::Int,
    ])
    .groups(&groups);
    let bytes = excel::write_form(&form, &rows)?;
    let mut tx = state.db.begin().await?;
    let summary = serde_json::json!({"rows": rows.len()});
    audit::record_raw(
        &mut tx,
        &ctx.actor(),
        audit::Op::Export,
        Subject::new("board", Some(b.campaign.id), &title),
        &summary,
    )
    .await?;
    tx.commit().await?;
    let name = format!("{}-{}.xlsx", ctx.t("board.title"), b.today);
    Ok(crate::web::download::download(bytes, "board.xlsx", &name))
}

// ------------------------------------------------------------ pages

fn form(ctx: &Ctx, title_key: &str, action: &str, input: &CampaignInput, with_year: bool) -> FormPage {
    let lang = ctx.lang;
    let v = |o: &Option<String>| o.clone().unwrap_or_default();
    let date =
        |name: &'static str, key: &str, value: &Option<String>| Field::text(lang, name, key, v(value)).kind("date");
    let mut fields = vec![];
    if with_year {
        fields.push(
            Field::text(
                lang,
                "year",
                "field.year",
                input.year.map(|y| y.to_string()).unwrap_or_default(),
            )
            .required(),
        );
    }
    fields.extend([
        Field::text(lang, "name", "field.campaign_name", v(&input.name)).hint(lang, "hint.campaign_name"),
        date("formation_due", "field.formation_due", &input.formation_due),
        date("roster_due", "field.roster_due", &input.roster_due),
        date("checkin_due", "field.checkin_due", &input.checkin_due),
        date("activities_start", "field.activities_start", &input.activities_start),
        date("activities_end", "field.activities_end", &input.activities_end),
        Field::text(
            lang,
            "commendation_month",
            "field.commendation_month",
            v(&input.commendation_month),
        )
        .kind("month"),
        date("reference_date", "field.reference_date", &input.reference_date).hint(lang, "hint.reference_date"),
    ]);
    FormPage::new(lang, ctx.t(title_key), action, "/board", fields)
}

fn input_of(c: &Campaign) -> CampaignInput {
    CampaignInput {
        year: Some(c.year),
        name: Some(c.name.clone()),
        formation_due: Some(c.formation_due.clone()),
        roster_due: Some(c.roster_due.clone()),
        checkin_due: Some(c.checkin_due.clone()),
        activities_start: Some(c.activities_start.clone()),
        activities_end: Some(c.activities_end.clone()),
        commendation_month: Some(c.commendation_month.clone()),
        reference_date: Some(c.reference_date.clone()),
    }
}

async fn page_edit(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ensure(ctx.user()?, Action::Update, &Object::Campaign)?;
    match store::active_campaign(&state.db).await? {
        None => Ok(axum::response::Redirect::to("/campaign/new").into_response()),
        Some(c) => Ok(ctx.render_form(&state, &form(&ctx, "campaign.edit", "/campaign", &input_of(&c), false))),
    }
}

async fn page_update(State(state): State<AppState>, ctx: Ctx, Form(input): Form<CampaignInput>) -> AppResult<Response> {
    let result = update(&state, &ctx, &input).await;
    outcome(&state, &ctx, result, "/board", || async {
        Ok(form(&ctx, "campaign.edit", "/campaign", &input, false))
    })
    .await
}

async fn page_new(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ensure(ctx.user()?, Action::Create, &Object::Campaign)?;
    let year = today()[..4].parse::<i64>().unwrap_or(2026);
    let latest = store::list_campaigns(&state.db).await?.first().map(|c| c.year + 1);
    let year = latest.unwrap_or(year);
    let m = Milestones::defaults(year as i32);
    let input = CampaignInput {
        year: Some(year),
        name: None,
        formation_due: Some(m.formation_due),
        roster_due: Some(m.roster_due),
        checkin_due: Some(m.checkin_due),
        activities_start: Some(m.activities_start),
        activities_end: Some(m.activities_end),
        commendation_month: Some(m.commendation_month),
        reference_date: Some(m.reference_date),
    };
    Ok(ctx.render_form(&state, &form(&ctx, "campaign.new", "/campaign/new", &input, true)))
}

async fn page_create(State(state): State<AppState>, ctx: Ctx, Form(input): Form<CampaignInput>) -> AppResult<Response> {
    let result = create(&state, &ctx, &input).await;
    outcome(&state, &ctx, result, "/board", || async {
        Ok(form(&ctx, "campaign.new", "/campaign/new", &input, true))
    })
    .await
}

async fn page_board(State(state): State<AppState>, ctx: Ctx, Query(params): Query<BoardParams>) -> AppResult<Response> {
    let p = ctx.user()?;
    if p.role == policy::Role::DistrictAdmin && store::active_campaign(&state.db).await?.is_none() {
        return Ok(axum::response::Redirect::to("/campaign/new").into_response());
    }
    let b = board(&state, &ctx, &params).await?;
    let mut query = vec![];
    for (k, v) in [
        ("kind", &params.kind),
        ("status", &params.status),
        ("q", &params.q),
        ("sort", &params.sort),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            query.push(format!("{k}={}", urlencode(v)));
        }
    }
    let counts = ["done", "late", "missing", "open"]
        .iter()
        .map(|s| {
            let n = b
                .rows
                .iter()
                .flat_map(|r| {
                    [
                        &r.formation,
                        &r.roster,
                        &r.traffic,
                        &r.checkin,
                        &r.plan,
                        &r.activities,
                        &r.hours,
                    ]
                })
                .filter(|c| c.status == *s)
                .count();
            minijinja::context! { status => s, label => ctx.t(&format!("board.{s}")), n => n }
        })
        .collect::<Vec<_>>();
    let page = minijinja::context! {
        title => ctx.t("board.title"), board => b, params => minijinja::context! {
            kind => params.kind, status => params.status, q => params.q, sort => params.sort,
        },
        query => query.join("&"), counts => counts,
        may_edit => policy::allows(p, Action::Update, &Object::Campaign),
    };
    Ok(ctx.render(&state, "campaign/board.html", page))
}
