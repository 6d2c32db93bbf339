//! Dispatched joint actions (服从调配联合行动): the district creates an action for key areas or
//! groups and dispatches teams, each with a head count; each team accepts with named volunteers
//! (which makes the team's activity for the action) or declines with a reason the district
//! reviews. The fulfilment view shows required, named and present per team.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::activities::ActivityInput;
use super::{ensure, PageParams};
use crate::auth::policy::{self, Action, Listing, Object};
use crate::db::audit::{self, Op, Subject};
use crate::db::campaign::{self as store_campaign, TeamScope};
use crate::db::orgs::Page;
use crate::db::service as store;
use crate::db::{now, Tx};
use crate::domain::campaign::{category_label, parse_categories};
use crate::domain::service::{dimension_label, format_local, parse_local, DIMENSIONS};
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;
use crate::web::{form_urlencoded_pairs, redirect_with_flash, Ctx};
use crate::{on_db, on_tx};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/dispatches", get(list_page).post(create_page))
        .route("/dispatches/new", get(new_page))
        .route("/dispatches/{id}", get(detail_page))
        .route("/dispatches/{id}/teams/{team_id}/answer", post(answer_page))
        .route("/dispatches/{id}/teams/{team_id}/review", post(review_page))
        .routes(routes!(api_list, api_create))
        .routes(routes!(api_get))
        .routes(routes!(api_answer))
        .routes(routes!(api_review))
}

/// A dispatched joint action.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct Dispatch {
    pub id: i64,
    pub campaign_id: i64,
    pub title: String,
    /// The key area or group it serves.
    pub target: String,
    pub description: String,
    pub category: String,
    pub dimension: String,
    pub address: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// One dispatched team: its head count, its answer, and what it delivered.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct DispatchTeam {
    pub id: i64,
    pub dispatch_id: i64,
    pub team_id: i64,
    pub team_name: String,
    pub org_name: String,
    pub required: i64,
    /// `pending`, `accepted` or `declined`.
    pub answer: String,
    pub decline_reason: String,
    /// The district's review of a decline: empty, `approved` or `rejected`.
    pub review: String,
    pub review_note: String,
    pub activity_id: Option<i64>,
    pub answered_at: Option<i64>,
    pub reviewed_at: Option<i64>,
    /// Volunteers named when accepting.
    pub named: i64,
    /// Volunteers who signed in at the team's activity.
    pub present: i64,
}

/// An action with its teams (the fulfilment view).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct DispatchView {
    #[serde(flatten)]
    pub dispatch: Dispatch,
    pub teams: Vec<DispatchTeam>,
    pub required: i64,
    pub named: i64,
    pub present: i64,
}

const TEAMS_SQL: &str = "select dt.id, dt.dispatch_id, dt.team_id, t.name as team_name, coalesce(u.name, c.name) as org_name,
        dt.required, dt.answer, dt.decline_reason, dt.review, dt.review_note, dt.activity_id, dt.answered_at, dt.reviewed_at,
        (select count(*) from dispatch_named n where n.dispatch_team_id = dt.id) as named,
        (select count(*) from attendance a where a.activity_id = dt.activity_id) as present
     from dispatch_teams dt join teams t on t.id = dt.team_id left join units u on u.id = t.unit_id
     left join communities c on c.id = t.community_id";

async fn get_dispatch(state: &AppState, id: i64) -> AppResult<Dispatch> {
    let d: Option<Dispatch> = on_db!(&state.db, pool => sqlx::query_as("select * from dispatches where id = $1")
        .bind(id).fetch_optional(pool).await?);
    d.ok_or(AppError::NotFound)
}

async fn teams_of(state: &AppState, id: i64) -> AppResult<Vec<DispatchTeam>> {
    let sql = format!("{TEAMS_SQL} where dt.dispatch_id = $1 order by coalesce(u.name, c.name), t.name");
    Ok(on_db!(&state.db, pool => sqlx::query_as(&sql).bind(id).fetch_all(pool).await?))
}

async fn team_line_in_tx(tx: &mut Tx, id: i64, team_id: i64) -> AppResult<Option<DispatchTeam>> {
    let sql = format!("{TEAMS_SQL} where dt.dispatch_id = $1 and dt.team_id = $2");
    Ok(on_tx!(tx, c => sqlx::query_as(&sql).bind(id).bind(team_id).fetch_optional(&mut *c).await?))
}

/// The teams of the action the caller may see (the district all, others their own).
async fn visible_teams(state: &AppState, ctx: &Ctx, teams: Vec<DispatchTeam>) -> AppResult<Vec<DispatchTeam>> {
    let p = ctx.user()?;
    if policy::allows(p, Action::Update, &Object::Campaign) {
        return Ok(teams);
    }
    let mut out = vec![];
    for t in teams {
        if let Some(team) = store_campaign::get_team(&state.db, t.team_id).await? {
            let place = super::teams::place(state, &team).await?;
            if policy::allows(p, Action::View, &Object::Team(place)) {
                out.push(t);
            }
        }
    }
    Ok(out)
}

pub async fn view(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<DispatchView> {
    let dispatch = get_dispatch(state, id).await?;
    let teams = visible_teams(state, ctx, teams_of(state, id).await?).await?;
    if teams.is_empty() && !policy::allows(ctx.user()?, Action::Update, &Object::Campaign) {
        return Err(AppError::NotFound);
    }
    Ok(DispatchView {
        required: teams.iter().map(|t| t.required).sum(),
        named: teams.iter().map(|t| t.named).sum(),
        present: teams.iter().map(|t| t.present).sum(),
        dispatch,
        teams,
    })
}

pub async fn list(state: &AppState, ctx: &Ctx) -> AppResult<Vec<DispatchView>> {
    let p = ctx.user()?;
    if TeamScope::of(policy::list_scope(p, Listing::Teams)).is_none() {
        return Err(AppError::Forbidden);
    }
    let campaign = super::campaign::active(state).await?;
    let ids: Vec<i64> = on_db!(&state.db, pool => sqlx::query_scalar(
        "select id from dispatches where campaign_id = $1 order by starts_at desc").bind(campaign.id).fetch_all(pool).await?);
    let mut out = vec![];
    for id in ids {
        match view(state, ctx, id).await {
            Ok(v) => out.push(v),
            Err(AppError::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// A new action and the teams it dispatches.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct DispatchInput {
    pub title: Option<String>,
    pub target: Option<String>,
    pub description: Option<String>,
    pub category: Option<String>,
    pub dimension: Option<String>,
    pub address: Option<String>,
    /// `YYYY-MM-DD HH:MM`, China time.
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    /// Each team with its required head count.
    pub teams: Vec<TeamCount>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct TeamCount {
    pub team_id: i64,
    pub required: i64,
}

pub async fn create(state: &AppState, ctx: &Ctx, input: &DispatchInput) -> AppResult<DispatchView> {
    ensure(ctx.user()?, Action::Update, &Object::Campaign)?;
    let campaign = super::campaign::active(state).await?;
    let mut errors = vec![];
    let title = super::required_text("title", input.title.as_deref(), 100, &mut errors);
    let target = super::required_text("target", input.target.as_deref(), 100, &mut errors);
    let description = super::free_text("description", input.description.as_deref(), 2000, &mut errors);
    let category = match parse_categories(input.category.as_deref().unwrap_or("")) {
        Ok(c) if c.len() == 1 => c[0].to_string(),
        _ => {
            errors.push(
                FieldError::new("category", "err.category_unknown")
                    .with("value", input.category.clone().unwrap_or_default()),
            );
            String::new()
        }
    };
    let dimension = match DIMENSIONS
        .iter()
        .find(|(c, _)| Some(*c) == input.dimension.as_deref().map(str::trim))
    {
        Some((c, _)) => c.to_string(),
        None => {
            errors.push(FieldError::new("dimension", "err.dimension_unknown"));
            String::new()
        }
    };
    let address = super::required_text("address", input.address.as_deref(), 200, &mut errors);
    let starts = input.starts_at.as_deref().and_then(parse_local);
    let ends = input.ends_at.as_deref().and_then(parse_local);
    if starts.is_none() {
        errors.push(FieldError::new("starts_at", "err.datetime"));
    }
    if ends.is_none() {
        errors.push(FieldError::new("ends_at", "err.datetime"));
    }
    if let (Some(s), Some(e)) = (starts, ends) {
        if e <= s {
            errors.push(FieldError::new("ends_at", "err.ends_before_start"));
        } else if e - s > 7 * 86400 {
            // Each team's part becomes an activity, which lasts at most 7 days.
            errors.push(FieldError::new("ends_at", "err.activity_too_long"));
        } else if e < now() {
            errors.push(FieldError::new("ends_at", "err.activity_in_past"));
        }
    }
    if input.teams.is_empty() {
        errors.push(FieldError::new("teams", "err.dispatch_no_teams"));
    }
    let mut seen = vec![];
    for tc in &input.teams {
        match store_campaign::get_team(&state.db, tc.team_id).await? {
            Some(t) if t.campaign_id == campaign.id => {}
            _ => errors.push(FieldError::new("teams", "err.not_found")),
        }
        if !(1..=1000).contains(&tc.required) {
            errors.push(FieldError::new("teams", "err.head_count"));
        }
        if seen.contains(&tc.team_id) {
            errors.push(FieldError::new("teams", "err.team_twice"));
        }
        seen.push(tc.team_id);
    }
    super::validated(errors)?;
    let t = now();
    let mut tx = state.db.begin().await?;
    let id: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
        "insert into dispatches (campaign_id, title, target, description, category, dimension, address, starts_at, ends_at,
            created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) returning id")
        .bind(campaign.id).bind(&title).bind(&target).bind(&description).bind(&category).bind(&dimension)
        .bind(&address).bind(starts).bind(ends).bind(t).fetch_one(&mut *c).await?);
    for tc in &input.teams {
        on_tx!(&mut tx, c => sqlx::query("insert into dispatch_teams (dispatch_id, team_id, required) values ($1, $2, $3)")
            .bind(id).bind(tc.team_id).bind(tc.required).execute(&mut *c).await.map(|r| r.rows_affected())?);
    }
    audit::record_raw(
        &mut tx,
        &ctx.actor(),
        audit::Op::Create,
        Subject::new("dispatch", Some(id), &title),
        &serde_json::json!({"title": title, "target": target, "teams": input.teams}),
    )
    .await?;
    tx.commit().await?;
    view(state, ctx, id).await
}

/// A team's answer.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct AnswerInput {
    /// `accept` or `decline`.
    pub answer: String,
    /// The volunteers who will go (accepting): at least the head count, from the team's roster.
    #[serde(default)]
    pub volunteer_ids: Vec<i64>,
    /// Why the team cannot go (declining).
    pub reason: Option<String>,
}

pub async fn answer(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    team_id: i64,
    input: &AnswerInput,
) -> AppResult<DispatchTeam> {
    let d = get_dispatch(state, id).await?;
    let team = store_campaign::get_team(&state.db, team_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let place = super::teams::place(state, &team).await?;
    ensure(ctx.user()?, Action::Update, &Object::Team(place))?;
    let mut tx = state.db.begin().await?;
    let line = team_line_in_tx(&mut tx, id, team_id).await?.ok_or(AppError::NotFound)?;
    let reopened = line.answer == "declined" && line.review == "rejected";
    if line.answer != "pending" && !reopened {
        return Err(AppError::field("answer", "err.dispatch_answered"));
    }
    let t = now();
    match input.answer.as_str() {
        "accept" => {
            let members = store_campaign::members(&state.db, team_id).await?;
            let mut ids = input.volunteer_ids.clone();
            ids.sort_unstable();
            ids.dedup();
            if ids.iter().any(|v| !members.iter().any(|m| m.volunteer.id == *v)) {
                return Err(AppError::field("volunteer_ids", "err.not_on_roster"));
            }
            if (ids.len() as i64) < line.required {
                return Err(AppError::Validation(vec![FieldError::new(
                    "volunteer_ids",
                    "err.head_count_short",
                )
                .with("required", line.required)
                .with("named", ids.len())]));
            }
            if d.ends_at <= t {
                return Err(AppError::field("answer", "err.activity_in_past"));
            }
            let input_activity = ActivityInput {
                team_id: Some(team_id),
                title: Some(d.title.clone()),
                theme: Some(d.target.clone()),
                category: Some(d.category.clone()),
                dimension: Some(d.dimension.clone()),
                address: Some(d.address.clone()),
                starts_at: Some(format_local(d.starts_at)),
                ends_at: Some(format_local(d.ends_at)),
                capacity: Some(ids.len() as i64),
                open_to: Some("team".into()),
                content: Some(d.description.clone()),
                leader_name: Some(team.leader_name.clone()),
                leader_phone: Some(team.leader_phone.clone()),
                ..Default::default()
            };
            let a = super::activities::create_for_dispatch(state, ctx, &mut tx, d.campaign_id, &input_activity, d.id)
                .await?;
            for v in &ids {
                store::sign_up(&mut tx, &ctx.actor(), &a, *v, "dispatch").await?;
                on_tx!(&mut tx, c => sqlx::query("insert into dispatch_named (dispatch_team_id, volunteer_id) values ($1, $2)")
                    .bind(line.id).bind(*v).execute(&mut *c).await.map(|r| r.rows_affected())?);
            }
            on_tx!(&mut tx, c => sqlx::query(
                "update dispatch_teams set answer = 'accepted', decline_reason = '', review = '', activity_id = $1,
                    answered_at = $2 where id = $3")
                .bind(a.id).bind(t).bind(line.id).execute(&mut *c).await.map(|r| r.rows_affected())?);
        }
        "decline" => {
            let mut errors = vec![];
            let reason = super::required_text("reason", input.reason.as_deref(), 500, &mut errors);
            super::validated(errors)?;
            on_tx!(&mut tx, c => sqlx::query(
                "update dispatch_teams set answer = 'declined', decline_reason = $1, review = '', review_note = '',
                    answered_at = $2 where id = $3")
                .bind(&reason).bind(t).bind(line.id).execute(&mut *c).await.map(|r| r.rows_affected())?);
        }
        _ => return Err(AppError::field("answer", "err.dispatch_answer")),
    }
    let after = team_line_in_tx(&mut tx, id, team_id).await?.ok_or(AppError::NotFound)?;
    let label = format!("{} · {}", d.title, team.name);
    audit::record(
        &mut tx,
        &ctx.actor(),
        Op::Update,
        Subject::new("dispatch_team", Some(line.id), &label),
        Some(&line),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// The district's review of a decline.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct ReviewInput {
    /// `approve` (the decline stands) or `reject` (the team must answer again).
    pub decision: String,
    pub note: Option<String>,
}

pub async fn review(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    team_id: i64,
    input: &ReviewInput,
) -> AppResult<DispatchTeam> {
    ensure(ctx.user()?, Action::Update, &Object::Campaign)?;
    let d = get_dispatch(state, id).await?;
    let mut tx = state.db.begin().await?;
    let line = team_line_in_tx(&mut tx, id, team_id).await?.ok_or(AppError::NotFound)?;
    if line.answer != "declined" || !line.review.is_empty() {
        return Err(AppError::field("decision", "err.dispatch_nothing_to_review"));
    }
    let mut errors = vec![];
    let note = super::free_text("note", input.note.as_deref(), 500, &mut errors);
    let decision = match input.decision.as_str() {
        "approve" => "approved",
        "reject" => {
            if note.is_empty() {
                errors.push(FieldError::new("note", "err.review_note_required"));
            }
            "rejected"
        }
        _ => {
            errors.push(FieldError::new("decision", "err.dispatch_answer"));
            ""
        }
    };
    super::validated(errors)?;
    on_tx!(&mut tx, c => sqlx::query("update dispatch_teams set review = $1, review_note = $2, reviewed_at = $3 where id = $4")
        .bind(decision).bind(&note).bind(now()).bind(line.id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    let after = team_line_in_tx(&mut tx, id, team_id).await?.ok_or(AppError::NotFound)?;
    let label = format!("{} · {}", d.title, line.team_name);
    audit::record(
        &mut tx,
        &ctx.actor(),
        Op::Update,
        Subject::new("dispatch_team", Some(line.id), &label),
        Some(&line),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

// ---------------------------------------------------------------- pages

fn lines(v: &DispatchView) -> minijinja::Value {
    minijinja::context! {
        d => v.dispatch, teams => v.teams, required => v.required, named => v.named, present => v.present,
        starts => format_local(v.dispatch.starts_at), ends => format_local(v.dispatch.ends_at),
        category => category_label(&v.dispatch.category), dimension => dimension_label(&v.dispatch.dimension),
    }
}

async fn list_page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let all = list(&state, &ctx).await?;
    let rows: Vec<_> = all.iter().map(lines).collect();
    let may_create = policy::allows(ctx.user()?, Action::Update, &Object::Campaign);
    Ok(ctx.render(
        &state,
        "dispatches/dispatches.html",
        minijinja::context! { title => ctx.t("nav.dispatches"), rows => rows, may_create => may_create },
    ))
}

async fn new_page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ensure(ctx.user()?, Action::Update, &Object::Campaign)?;
    new_form(&state, &ctx, &[], &[]).await
}

async fn new_form(
    state: &AppState,
    ctx: &Ctx,
    errors: &[FieldError],
    values: &[(String, String)],
) -> AppResult<Response> {
    let campaign = super::campaign::active(state).await?;
    let all = TeamScope::of(policy::Scope::All).expect("all");
    let teams = store_campaign::list_teams(&state.db, campaign.id, all, None).await?;
    let value = |k: &str| {
        values
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let categories: Vec<_> = crate::domain::campaign::CATEGORIES
        .iter()
        .map(|(c, l, _)| minijinja::context! { value => c, label => l })
        .collect();
    let dimensions: Vec<_> = DIMENSIONS
        .iter()
        .map(|(c, l)| minijinja::context! { value => c, label => l })
        .collect();
    let page = minijinja::context! {
        title => ctx.t("dispatch.new"), teams => teams, categories => categories, dimensions => dimensions,
        errors => errors.iter().map(|e| format!("{}: {}", ctx.t(&format!("dispatch.{}", e.field)), e.message(ctx.lang))).collect::<Vec<_>>(),
        v => minijinja::context! { title => value("title"), target => value("target"), description => value("description"),
            category => value("category"), dimension => value("dimension"), address => value("address"),
            starts_at => value("starts_at"), ends_at => value("ends_at") },
        counts => values.iter().filter(|(k, _)| k.starts_with("need_")).cloned().collect::<std::collections::BTreeMap<_, _>>(),
    };
    let mut r = ctx.render(state, "dispatches/dispatch_new.html", page);
    if !errors.is_empty() {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

fn input_from_form(pairs: &[(String, String)]) -> DispatchInput {
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let teams = pairs
        .iter()
        .filter_map(|(k, v)| {
            let id = k.strip_prefix("need_")?.parse().ok()?;
            let n: i64 = v.trim().parse().ok().filter(|n| *n != 0)?;
            Some(TeamCount {
                team_id: id,
                required: n,
            })
        })
        .collect();
    DispatchInput {
        title: get("title"),
        target: get("target"),
        description: get("description"),
        category: get("category"),
        dimension: get("dimension"),
        address: get("address"),
        starts_at: get("starts_at"),
        ends_at: get("ends_at"),
        teams,
    }
}

async fn create_page(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> AppResult<Response> {
    let pairs = form_urlencoded_pairs(&String::from_utf8_lossy(&body));
    match create(&state, &ctx, &input_from_form(&pairs)).await {
        Ok(v) => Ok(redirect_with_flash(
            &format!("/dispatches/{}", v.dispatch.id),
            "flash.saved",
            ctx.secure,
        )),
        Err(AppError::Validation(errs)) => new_form(&state, &ctx, &errs, &pairs).await,
        Err(e) => Err(e),
    }
}

async fn detail_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let v = view(&state, &ctx, id).await?;
    let p = ctx.user()?;
    let district = policy::allows(p, Action::Update, &Object::Campaign);
    let mut answerable = vec![];
    for t in &v.teams {
        let reopened = t.answer == "declined" && t.review == "rejected";
        if t.answer == "pending" || reopened {
            if let Some(team) = store_campaign::get_team(&state.db, t.team_id).await? {
                let place = super::teams::place(&state, &team).await?;
                if policy::allows(p, Action::Update, &Object::Team(place)) {
                    let members: Vec<_> = store_campaign::members(&state.db, t.team_id)
                        .await?
                        .into_iter()
                        .map(|m| minijinja::context! { id => m.volunteer.id, name => m.volunteer.name, no => m.volunteer.volunteer_no })
                        .collect();
                    answerable.push(minijinja::context! { t => t, members => members });
                }
            }
        }
    }
    Ok(ctx.render(
        &state,
        "dispatches/dispatch.html",
        minijinja::context! { title => v.dispatch.title, v => lines(&v), district => district, answerable => answerable },
    ))
}

fn answer_from_form(body: &[u8]) -> AnswerInput {
    let mut input = AnswerInput::default();
    for (k, v) in form_urlencoded_pairs(&String::from_utf8_lossy(body)) {
        match k.as_str() {
            "answer" => input.answer = v,
            "volunteer_ids" => input.volunteer_ids.extend(v.trim().parse::<i64>().ok()),
            "reason" => input.reason = Some(v),
            _ => {}
        }
    }
    input
}

async fn answer_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, team_id)): Path<(i64, i64)>,
    body: Bytes,
) -> AppResult<Response> {
    let back = format!("/dispatches/{id}");
    match answer(&state, &ctx, id, team_id, &answer_from_form(&body)).await {
        Ok(_) => Ok(redirect_with_flash(&back, "flash.saved", ctx.secure)),
        Err(AppError::Validation(errs)) => Ok(ctx.refusal_for(&state, "dispatch.refused", &errs, &back)),
        Err(e) => Err(e),
    }
}

async fn review_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, team_id)): Path<(i64, i64)>,
    axum::Form(input): axum::Form<ReviewInput>,
) -> AppResult<Response> {
    let back = format!("/dispatches/{id}");
    match review(&state, &ctx, id, team_id, &input).await {
        Ok(_) => Ok(redirect_with_flash(&back, "flash.saved", ctx.secure)),
        Err(AppError::Validation(errs)) => Ok(ctx.refusal_for(&state, "dispatch.refused", &errs, &back)),
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------- API

/// The dispatched actions of the active campaign the caller's teams are in (the district: all).
#[utoipa::path(get, path = "/api/v1/dispatches", tag = "dispatches", params(PageParams), responses((status = 200, body = Page<DispatchView>)))]
pub async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(paging): Query<PageParams>,
) -> AppResult<Json<Page<DispatchView>>> {
    Ok(Json(paging.page_of(list(&state, &ctx).await?)))
}

/// Creates an action and dispatches teams with head counts (the district).
#[utoipa::path(post, path = "/api/v1/dispatches", tag = "dispatches", request_body = DispatchInput,
    responses((status = 201, body = DispatchView)))]
pub async fn api_create(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(input): Json<DispatchInput>,
) -> AppResult<Response> {
    use axum::response::IntoResponse;
    let v = create(&state, &ctx, &input).await?;
    Ok((axum::http::StatusCode::CREATED, Json(v)).into_response())
}

/// The action and, per team, required / named / present.
#[utoipa::path(get, path = "/api/v1/dispatches/{id}", tag = "dispatches", responses((status = 200, body = DispatchView)))]
pub async fn api_get(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<DispatchView>> {
    Ok(Json(view(&state, &ctx, id).await?))
}

/// A team accepts with named volunteers, or declines with a reason.
#[utoipa::path(post, path = "/api/v1/dispatches/{id}/teams/{team_id}/answer", tag = "dispatches", request_body = AnswerInput,
    responses((status = 200, body = DispatchTeam)))]
pub async fn api_answer(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, team_id)): Path<(i64, i64)>,
    Json(input): Json<AnswerInput>,
) -> AppResult<Json<DispatchTeam>> {
    Ok(Json(answer(&state, &ctx, id, team_id, &input).await?))
}

/// The district approves a decline or rejects it (the team answers again).
#[utoipa::path(post, path = "/api/v1/dispatches/{id}/teams/{team_id}/review", tag = "dispatches", request_body = ReviewInput,
    responses((status = 200, body = DispatchTeam)))]
pub async fn api_review(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, team_id)): Path<(i64, i64)>,
    Json(input): Json<ReviewInput>,
) -> AppResult<Json<DispatchTeam>> {
    Ok(Json(review(&state, &ctx, id, team_id, &input).await?))
}
