//! Activities: planned by a team (or made for a dispatched action), published for sign-up, held,
//! completed with a summary and photos. Volunteers sign up and cancel; leaders add people; a
//! waiting list fills freed places in order.

use axum::extract::{Multipart, Path, Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{optional_phone, optional_text, validated};
use crate::auth::policy::{self, Action, Listing, Object, TeamPlace};
use crate::db::campaign::{self as store_campaign, Team, TeamScope, Volunteer};
use crate::db::service::{self as store, Activity, ActivityFields, ActivityFilter, ActivityLine, SignupOutcome};
use crate::db::{now, orgs};
use crate::domain::campaign::{category_label, parse_categories, CATEGORIES};
use crate::domain::service::{dimension_label, format_local, parse_local, DIMENSIONS};
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;
use crate::web::form::{lenient_bool, lenient_i64, Choice, Field, FormPage};
use crate::web::{redirect_with_flash, Ctx};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/activities", get(list_page).post(create_page))
        .route("/activities/new", get(new_page))
        .route("/activities/{id}", get(detail_page).post(update_page))
        .route("/activities/{id}/edit", get(edit_page))
        .route("/activities/{id}/status", post(status_page))
        .route("/activities/{id}/signup", post(signup_page))
        .route("/activities/{id}/signup/cancel", post(cancel_page))
        .route("/activities/{id}/signups", post(add_page))
        .route("/activities/{id}/summary", post(summary_page))
        .route(
            "/activities/{id}/photos",
            post(photo_page).layer(axum::extract::DefaultBodyLimit::max(PHOTO_MAX + 64 * 1024)),
        )
        .route("/activities/{id}/photos/{photo}", get(photo_file))
        .routes(routes!(api_list, api_create))
        .routes(routes!(api_get, api_update))
        .routes(routes!(api_status))
        .routes(routes!(api_signups, api_sign_up))
        .routes(routes!(api_cancel))
        .routes(routes!(api_summary))
        .merge(
            // Photos are larger than other bodies: their own limit, on their route only.
            OpenApiRouter::new()
                .routes(routes!(api_photo))
                .layer(axum::extract::DefaultBodyLimit::max(PHOTO_MAX + 64 * 1024)),
        )
}

/// The largest photo accepted.
pub const PHOTO_MAX: usize = 5 * 1024 * 1024;

// ---------------------------------------------------------------- access

/// The places of an activity's organising teams, for the policy.
pub async fn places(state: &AppState, a: &Activity) -> AppResult<Vec<TeamPlace>> {
    let mut out = vec![];
    for id in store::activity_team_ids(&state.db, a.id).await? {
        if let Some(team) = store_campaign::get_team(&state.db, id).await? {
            out.push(super::teams::place(&state.db, &team).await?);
        }
    }
    Ok(out)
}

/// Whether the signed-in user runs this activity (an organising team's staff, or the district).
pub async fn may_manage(state: &AppState, ctx: &Ctx, a: &Activity) -> AppResult<bool> {
    let Some(p) = &ctx.principal else { return Ok(false) };
    Ok(places(state, a)
        .await?
        .iter()
        .any(|t| policy::allows(p, Action::Update, &Object::Team(t.clone()))))
}

/// Whether `volunteer_id` is on the roster of one of the activity's organising teams that the
/// caller runs.
pub async fn leads_a_team_of(state: &AppState, ctx: &Ctx, a: &Activity, volunteer_id: i64) -> AppResult<bool> {
    let Some(p) = &ctx.principal else { return Ok(false) };
    let organisers = store::activity_team_ids(&state.db, a.id).await?;
    for team in store_campaign::volunteer_teams(&state.db, volunteer_id).await? {
        if organisers.contains(&team.id)
            && policy::allows(
                p,
                Action::Update,
                &Object::Team(super::teams::place(&state.db, &team).await?),
            )
        {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The activity, if the caller may see it: published ones are public, drafts are the teams'.
pub async fn load(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<Activity> {
    let a = store::get_activity(&state.db, id).await?.ok_or(AppError::NotFound)?;
    // Never published (a draft, or a draft cancelled): only its teams see it.
    if a.published_at.is_none() && matches!(a.status.as_str(), "draft" | "cancelled") {
        let Some(p) = &ctx.principal else {
            return Err(AppError::NotFound);
        };
        let sees = places(state, &a)
            .await?
            .iter()
            .any(|t| policy::allows(p, Action::View, &Object::Team(t.clone())));
        if !sees {
            return Err(AppError::NotFound);
        }
    }
    Ok(a)
}

/// The activity, after checking that the caller runs it.
pub async fn load_managed(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<Activity> {
    let a = load(state, ctx, id).await?;
    ctx.user()?;
    if !may_manage(state, ctx, &a).await? {
        return Err(AppError::Forbidden);
    }
    Ok(a)
}

/// The teams the caller may organise activities for.
async fn own_teams(state: &AppState, ctx: &Ctx) -> AppResult<Vec<Team>> {
    let p = ctx.user()?;
    let campaign = super::campaign::active(state).await?;
    let Some(scope) = TeamScope::of(policy::list_scope(p, Listing::Teams)) else {
        return Ok(vec![]);
    };
    let mut out = vec![];
    for t in store_campaign::list_teams(&state.db, campaign.id, scope, None).await? {
        let place = super::teams::place(&state.db, &t).await?;
        if policy::allows(p, Action::Update, &Object::Team(place)) {
            out.push(t);
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------- input

/// An activity as typed on the form or sent to the API. Times are China time,
/// `YYYY-MM-DD HH:MM`.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct ActivityInput {
    #[serde(default, deserialize_with = "lenient_i64")]
    pub team_id: Option<i64>,
    /// Co-organising teams (API only).
    pub co_team_ids: Option<Vec<i64>>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub community_id: Option<i64>,
    pub title: Option<String>,
    pub theme: Option<String>,
    pub category: Option<String>,
    pub dimension: Option<String>,
    /// `concentrated` or `scattered` (dispatched activities come from a dispatched action).
    pub form: Option<String>,
    pub address: Option<String>,
    pub lat: Option<String>,
    pub lng: Option<String>,
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub capacity: Option<i64>,
    /// `team` or `all`.
    pub open_to: Option<String>,
    pub signup_opens_at: Option<String>,
    pub signup_closes_at: Option<String>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub min_age: Option<i64>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub max_age: Option<i64>,
    pub skills: Option<String>,
    pub content: Option<String>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub risky: Option<bool>,
    pub risk_statement: Option<String>,
    pub insurance: Option<String>,
    pub leader_name: Option<String>,
    pub leader_phone: Option<String>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub code_rotates: Option<bool>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub geofence_m: Option<i64>,
}

impl ActivityInput {
    fn of(a: &Activity) -> ActivityInput {
        let opt = |v: Option<i64>| v.map(format_local);
        ActivityInput {
            team_id: Some(a.team_id),
            co_team_ids: None,
            community_id: a.community_id,
            title: Some(a.title.clone()),
            theme: Some(a.theme.clone()),
            category: Some(a.category.clone()),
            dimension: Some(a.dimension.clone()),
            form: Some(a.form.clone()),
            address: Some(a.address.clone()),
            lat: a.lat.map(|v| v.to_string()),
            lng: a.lng.map(|v| v.to_string()),
            starts_at: Some(format_local(a.starts_at)),
            ends_at: Some(format_local(a.ends_at)),
            capacity: Some(a.capacity),
            open_to: Some(a.open_to.clone()),
            signup_opens_at: opt(a.signup_opens_at),
            signup_closes_at: opt(a.signup_closes_at),
            min_age: a.min_age,
            max_age: a.max_age,
            skills: Some(a.skills.clone()),
            content: Some(a.content.clone()),
            risky: Some(a.risky),
            risk_statement: Some(a.risk_statement.clone()),
            insurance: Some(a.insurance.clone()),
            leader_name: Some(a.leader_name.clone()),
            leader_phone: Some(a.leader_phone.clone()),
            code_rotates: Some(a.code_rotates),
            geofence_m: a.geofence_m,
        }
    }
}

fn time_field(field: &str, v: Option<&str>, required: bool, errors: &mut Vec<FieldError>) -> Option<i64> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            if required {
                errors.push(FieldError::new(field, "err.required"));
            }
            None
        }
        Some(s) => match parse_local(s) {
            Some(t) => Some(t),
            None => {
                errors.push(FieldError::new(field, "err.datetime"));
                None
            }
        },
    }
}

fn coordinate(field: &str, v: Option<&str>, limit: f64, errors: &mut Vec<FieldError>) -> Option<f64> {
    let s = v.map(str::trim).filter(|s| !s.is_empty())?;
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() && x.abs() <= limit => Some(x),
        _ => {
            errors.push(FieldError::new(field, "err.coordinate"));
            None
        }
    }
}

/// Checks an activity's fields; `dispatch` is set for a dispatched action's activity.
async fn check(
    state: &AppState,
    ctx: &Ctx,
    input: &ActivityInput,
    before: Option<&Activity>,
    dispatch: Option<i64>,
) -> AppResult<ActivityFields> {
    let p = ctx.user()?;
    let mut errors = vec![];
    let campaign = super::campaign::active(state).await?;
    // The organising team: one the caller runs, in the active campaign.
    let mut main_place = None;
    let team_id = match input.team_id {
        None => {
            errors.push(FieldError::new("team_id", "err.required"));
            0
        }
        Some(id) => match store_campaign::get_team(&state.db, id).await? {
            Some(t) if t.campaign_id == campaign.id => {
                let place = super::teams::place(&state.db, &t).await?;
                if !policy::allows(p, Action::Update, &Object::Team(place.clone())) {
                    return Err(AppError::Forbidden);
                }
                main_place = Some(place);
                id
            }
            _ => {
                errors.push(FieldError::new("team_id", "err.not_found"));
                0
            }
        },
    };
    // Only the organising team's staff hand the activity to another team.
    if let Some(b) = before.filter(|b| b.team_id != team_id && team_id != 0) {
        let main = store_campaign::get_team(&state.db, b.team_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let place = super::teams::place(&state.db, &main).await?;
        if !policy::allows(p, Action::Update, &Object::Team(place)) {
            return Err(AppError::Forbidden);
        }
    }
    // Co-organisers: kept as they are unless given; each one given must be a team the caller runs.
    let mut co_team_ids = vec![];
    match &input.co_team_ids {
        None => {
            if let Some(b) = before {
                co_team_ids = store::activity_team_ids(&state.db, b.id)
                    .await?
                    .into_iter()
                    .filter(|t| *t != b.team_id && *t != team_id)
                    .collect();
            }
        }
        Some(ids) => {
            for id in ids {
                match store_campaign::get_team(&state.db, *id).await? {
                    Some(t) if t.campaign_id == campaign.id => {
                        let place = super::teams::place(&state.db, &t).await?;
                        if !policy::allows(p, Action::Update, &Object::Team(place)) {
                            return Err(AppError::Forbidden);
                        }
                        co_team_ids.push(*id)
                    }
                    _ => errors.push(FieldError::new("co_team_ids", "err.not_found")),
                }
            }
        }
    }
    let community_id = match input.community_id {
        None => None,
        Some(id) => {
            match orgs::get_community(&state.db, id).await? {
                None => errors.push(FieldError::new("community_id", "err.not_found")),
                // A team serves where it belongs (its community, its unit's paired communities,
                // its street); a dispatched action goes where the district sent it; the
                // district places any activity.
                Some(c) => {
                    let reaches = main_place
                        .as_ref()
                        .is_some_and(|t| policy::team_reaches(t, c.id, c.street_id));
                    let unchanged = before.is_some_and(|b| b.community_id == Some(id));
                    if !(reaches
                        || unchanged
                        || dispatch.is_some()
                        || policy::allows(p, Action::Update, &Object::Campaign))
                    {
                        errors.push(FieldError::new("community_id", "err.community_out_of_reach"));
                    }
                }
            }
            Some(id)
        }
    };
    let title = super::required_text("title", input.title.as_deref(), 100, &mut errors);
    let theme = super::free_text("theme", input.theme.as_deref(), 100, &mut errors);
    let category = match input.category.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            errors.push(FieldError::new("category", "err.required"));
            String::new()
        }
        Some(s) => match parse_categories(s) {
            Ok(c) if c.len() == 1 => c[0].to_string(),
            _ => {
                errors.push(FieldError::new("category", "err.category_unknown").with("value", s));
                String::new()
            }
        },
    };
    let dimension = match input.dimension.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            errors.push(FieldError::new("dimension", "err.required"));
            String::new()
        }
        Some(s) => match DIMENSIONS.iter().find(|(c, l)| *c == s || *l == s || l.starts_with(s)) {
            Some((c, _)) => c.to_string(),
            None => {
                errors.push(FieldError::new("dimension", "err.dimension_unknown"));
                String::new()
            }
        },
    };
    let form = if dispatch.is_some() {
        "dispatched".to_string()
    } else {
        match input.form.as_deref().map(str::trim).unwrap_or("") {
            "" => {
                errors.push(FieldError::new("form", "err.required"));
                String::new()
            }
            f @ ("concentrated" | "scattered") => f.to_string(),
            "dispatched" if before.is_some_and(|b| b.form == "dispatched") => "dispatched".into(),
            _ => {
                errors.push(FieldError::new("form", "err.form_unknown"));
                String::new()
            }
        }
    };
    let address = super::required_text("address", input.address.as_deref(), 200, &mut errors);
    let lat = coordinate("lat", input.lat.as_deref(), 90.0, &mut errors);
    let lng = coordinate("lng", input.lng.as_deref(), 180.0, &mut errors);
    if lat.is_some() != lng.is_some() {
        errors.push(FieldError::new("lng", "err.coordinate_pair"));
    }
    let starts_at = time_field("starts_at", input.starts_at.as_deref(), true, &mut errors);
    let ends_at = time_field("ends_at", input.ends_at.as_deref(), true, &mut errors);
    if let (Some(s), Some(e)) = (starts_at, ends_at) {
        if e <= s {
            errors.push(FieldError::new("ends_at", "err.ends_before_start"));
        } else if e - s > 7 * 86400 {
            errors.push(FieldError::new("ends_at", "err.activity_too_long"));
        }
    }
    if let (Some(s), "concentrated") = (starts_at, form.as_str()) {
        let day = crate::domain::campaign::date_of(s);
        let month: i64 = day[5..7].parse().unwrap_or(0);
        let (_, days) = super::calendar::list(state, ctx).await?;
        if let Some(d) = days.iter().find(|d| d.month == month && d.day[..4] == day[..4]) {
            if d.day != day {
                errors.push(FieldError::new("starts_at", "err.not_concentrated_day").with("day", &d.day));
            }
        }
    }
    let capacity = match input.capacity {
        Some(c) if (1..=10_000).contains(&c) => c,
        None => {
            errors.push(FieldError::new("capacity", "err.required"));
            0
        }
        Some(_) => {
            errors.push(FieldError::new("capacity", "err.capacity_range"));
            0
        }
    };
    if let Some(b) = before {
        if capacity > 0 && capacity < b.taken {
            errors.push(FieldError::new("capacity", "err.capacity_below_taken").with("n", b.taken));
        }
    }
    let open_to = match input.open_to.as_deref().map(str::trim).unwrap_or("all") {
        "" | "all" => "all".to_string(),
        "team" => "team".to_string(),
        _ => {
            errors.push(FieldError::new("open_to", "err.open_to_unknown"));
            String::new()
        }
    };
    let signup_opens_at = time_field("signup_opens_at", input.signup_opens_at.as_deref(), false, &mut errors);
    let signup_closes_at = time_field(
        "signup_closes_at",
        input.signup_closes_at.as_deref(),
        false,
        &mut errors,
    );
    if let (Some(o), Some(c)) = (signup_opens_at, signup_closes_at) {
        if c <= o {
            errors.push(FieldError::new("signup_closes_at", "err.window_order"));
        }
    }
    if let (Some(c), Some(e)) = (signup_closes_at, ends_at) {
        if c > e {
            errors.push(FieldError::new("signup_closes_at", "err.window_after_end"));
        }
    }
    for (field, v) in [("min_age", input.min_age), ("max_age", input.max_age)] {
        if v.is_some_and(|a| !(0..=120).contains(&a)) {
            errors.push(FieldError::new(field, "err.age_range"));
        }
    }
    if let (Some(lo), Some(hi)) = (input.min_age, input.max_age) {
        if lo > hi {
            errors.push(FieldError::new("max_age", "err.age_order"));
        }
    }
    let skills = super::free_text("skills", input.skills.as_deref(), 200, &mut errors);
    let content = super::free_text("content", input.content.as_deref(), 2000, &mut errors);
    let risky = input.risky.unwrap_or(false);
    let risk_statement = super::free_text("risk_statement", input.risk_statement.as_deref(), 1000, &mut errors);
    if risky && risk_statement.is_empty() {
        errors.push(FieldError::new("risk_statement", "err.risk_statement_required"));
    }
    let insurance = super::free_text("insurance", input.insurance.as_deref(), 200, &mut errors);
    let leader_name = optional_text("leader_name", input.leader_name.as_deref(), 50, &mut errors);
    let leader_phone = optional_phone("leader_phone", input.leader_phone.as_deref(), &mut errors);
    let geofence_m = match input.geofence_m {
        None | Some(0) => None,
        Some(m) if (20..=5000).contains(&m) => {
            if lat.is_none() {
                errors.push(FieldError::new("geofence_m", "err.geofence_needs_point"));
            }
            Some(m)
        }
        Some(_) => {
            errors.push(FieldError::new("geofence_m", "err.geofence_range"));
            None
        }
    };
    validated(errors)?;
    Ok(ActivityFields {
        team_id,
        co_team_ids,
        community_id,
        dispatch_id: dispatch.or(before.and_then(|b| b.dispatch_id)),
        title,
        theme,
        category,
        dimension,
        form,
        address,
        lat,
        lng,
        starts_at: starts_at.unwrap_or_default(),
        ends_at: ends_at.unwrap_or_default(),
        capacity,
        open_to,
        signup_opens_at,
        signup_closes_at,
        min_age: input.min_age,
        max_age: input.max_age,
        skills,
        content,
        risky,
        risk_statement,
        insurance,
        leader_name,
        leader_phone,
        code_rotates: input.code_rotates.unwrap_or(false),
        geofence_m,
    })
}

// ---------------------------------------------------------------- service

pub async fn create(state: &AppState, ctx: &Ctx, input: &ActivityInput) -> AppResult<Activity> {
    let f = check(state, ctx, input, None, None).await?;
    let campaign = super::campaign::active(state).await?;
    let mut tx = state.db.begin().await?;
    let a = store::insert_activity(&mut tx, &ctx.actor(), campaign.id, &f, "draft").await?;
    tx.commit().await?;
    Ok(a)
}

/// Creates the activity of a dispatched action for a team that accepted it (published at once).
pub async fn create_for_dispatch(
    state: &AppState,
    ctx: &Ctx,
    tx: &mut crate::db::Tx,
    campaign_id: i64,
    input: &ActivityInput,
    dispatch_id: i64,
) -> AppResult<Activity> {
    let f = check(state, ctx, input, None, Some(dispatch_id)).await?;
    Ok(store::insert_activity(tx, &ctx.actor(), campaign_id, &f, "published").await?)
}

pub async fn update(state: &AppState, ctx: &Ctx, id: i64, input: &ActivityInput) -> AppResult<Activity> {
    let before = load_managed(state, ctx, id).await?;
    if !matches!(before.status.as_str(), "draft" | "published") {
        return Err(AppError::field("status", "err.activity_closed"));
    }
    let f = check(state, ctx, input, Some(&before), None).await?;
    if before.status == "published" && f.risky && f.insurance.is_empty() {
        return Err(AppError::field("insurance", "err.insurance_required"));
    }
    let mut tx = state.db.begin().await?;
    let a = store::update_activity(&mut tx, &ctx.actor(), &before, &f).await?;
    tx.commit().await?;
    Ok(a)
}

/// A change of status asked for.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct StatusInput {
    /// `publish`, `cancel` or `complete`.
    pub action: Option<String>,
    /// Why it is cancelled (required to cancel).
    pub reason: Option<String>,
}

/// Publishes (a risky activity only with insurance), cancels (with a reason) or completes
/// (after the end; anyone still signed in is signed out at the end time and flagged).
pub async fn change_status(state: &AppState, ctx: &Ctx, id: i64, input: &StatusInput) -> AppResult<Activity> {
    let a = load_managed(state, ctx, id).await?;
    let t = now();
    let mut tx = state.db.begin().await?;
    let after = match input.action.as_deref().unwrap_or("") {
        "publish" => {
            if a.status != "draft" {
                return Err(AppError::field("action", "err.activity_not_draft"));
            }
            if a.risky && a.insurance.trim().is_empty() {
                return Err(AppError::field("insurance", "err.insurance_required"));
            }
            // A past activity may be published too: it is recorded after the fact and waits
            // for the leader to fill in who came and confirm the hours.
            store::set_status(&mut tx, &ctx.actor(), &a, "published", "").await?
        }
        "cancel" => {
            if !matches!(a.status.as_str(), "draft" | "published") {
                return Err(AppError::field("action", "err.activity_closed"));
            }
            let reason = super::required_text("reason", input.reason.as_deref(), 200, &mut vec![]);
            if reason.is_empty() {
                return Err(AppError::field("reason", "err.cancel_reason_required"));
            }
            store::set_status(&mut tx, &ctx.actor(), &a, "cancelled", &reason).await?
        }
        "complete" => {
            if a.status != "published" {
                return Err(AppError::field("action", "err.activity_not_published"));
            }
            if t < a.ends_at {
                return Err(AppError::field("action", "err.activity_not_ended"));
            }
            let rules = store::rules(&state.db).await?;
            store::close_open_attendance(&mut tx, &ctx.actor(), &a, &rules).await?;
            store::set_status(&mut tx, &ctx.actor(), &a, "completed", "").await?
        }
        _ => return Err(AppError::field("action", "err.status_action")),
    };
    tx.commit().await?;
    Ok(after)
}

/// Why a volunteer may not sign up for `a` now, if they may not.
async fn signup_problem(
    state: &AppState,
    a: &Activity,
    v: &Volunteer,
    by_leader: bool,
) -> AppResult<Option<FieldError>> {
    let t = now();
    if a.status != "published" {
        return Ok(Some(FieldError::new("activity", "err.signup_not_open")));
    }
    // Volunteers sign up before the start; the leader adds people until the hours are confirmed.
    if (!by_leader && t >= a.starts_at) || (by_leader && a.hours_confirmed_at.is_some()) {
        return Ok(Some(FieldError::new("activity", "err.signup_closed")));
    }
    if !by_leader {
        if let Some(o) = a.signup_opens_at.filter(|o| t < *o) {
            return Ok(Some(
                FieldError::new("activity", "err.signup_not_yet").with("at", format_local(o)),
            ));
        }
        if let Some(c) = a.signup_closes_at.filter(|c| t >= *c) {
            return Ok(Some(
                FieldError::new("activity", "err.signup_window_closed").with("at", format_local(c)),
            ));
        }
    }
    if a.open_to == "team" {
        let teams = store::activity_team_ids(&state.db, a.id).await?;
        let member = store_campaign::volunteer_teams(&state.db, v.id)
            .await?
            .iter()
            .any(|t| teams.contains(&t.id));
        if !member {
            return Ok(Some(FieldError::new("activity", "err.signup_team_only")));
        }
    }
    if a.min_age.is_some() || a.max_age.is_some() {
        let day = crate::domain::campaign::date_of(a.starts_at);
        let birth = match v.birth_date.len() {
            10 => v.birth_date.clone(),
            7 => format!("{}-01", v.birth_date),
            _ => String::new(),
        };
        match crate::domain::campaign::age_on(&birth, &day) {
            None => return Ok(Some(FieldError::new("activity", "err.signup_age_unknown"))),
            Some(age) => {
                let age = age as i64;
                if a.min_age.is_some_and(|m| age < m) || a.max_age.is_some_and(|m| age > m) {
                    return Ok(Some(
                        FieldError::new("activity", "err.signup_age")
                            .with("min", a.min_age.map(|m| m.to_string()).unwrap_or("—".into()))
                            .with("max", a.max_age.map(|m| m.to_string()).unwrap_or("—".into())),
                    ));
                }
            }
        }
    }
    // A leader listing who came is recording a fact; a volunteer double-booking is not.
    if by_leader {
        return Ok(None);
    }
    if let Some(other) = store::clash(&state.db, a, v.id).await? {
        return Ok(Some(
            FieldError::new("activity", "err.signup_clash").with("title", other),
        ));
    }
    Ok(None)
}

/// The answer to a sign-up.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SignupResult {
    pub activity_id: i64,
    pub volunteer_id: i64,
    pub outcome: SignupOutcome,
    pub taken: i64,
    pub capacity: i64,
}

/// Signs the caller up (`volunteer_id` none) or, for a leader, the volunteer named.
pub async fn sign_up(state: &AppState, ctx: &Ctx, id: i64, volunteer_id: Option<i64>) -> AppResult<SignupResult> {
    let a = load(state, ctx, id).await?;
    let (v, by) = match volunteer_id {
        None => (super::volunteers::own_volunteer(&state.db, ctx).await?, "self"),
        Some(vid) => {
            if !may_manage(state, ctx, &a).await? {
                return Err(AppError::Forbidden);
            }
            // A leader adds only people on the roster of an organising team they run; anyone
            // else signs themselves up. An unknown id gets the same answer, so ids cannot be probed.
            let not_ours = || AppError::field("volunteer_id", "err.not_on_roster");
            let v = store_campaign::get_volunteer(&state.db, vid)
                .await?
                .ok_or_else(not_ours)?;
            if !leads_a_team_of(state, ctx, &a, vid).await? {
                return Err(not_ours());
            }
            (v, "leader")
        }
    };
    if let Some(problem) = signup_problem(state, &a, &v, by == "leader").await? {
        return Err(AppError::Validation(vec![problem]));
    }
    let mut tx = state.db.begin().await?;
    let outcome = store::sign_up(&mut tx, &ctx.actor(), &a, v.id, by).await?;
    tx.commit().await?;
    let after = store::get_activity(&state.db, a.id).await?.ok_or(AppError::NotFound)?;
    Ok(SignupResult {
        activity_id: a.id,
        volunteer_id: v.id,
        outcome,
        taken: after.taken,
        capacity: after.capacity,
    })
}

/// The answer to a cancellation.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CancelResult {
    pub activity_id: i64,
    pub volunteer_id: i64,
    /// Who got the freed place from the waiting list.
    pub promoted_volunteer_id: Option<i64>,
}

/// Takes the caller (or, for a leader, the volunteer named) off the list.
pub async fn cancel(state: &AppState, ctx: &Ctx, id: i64, volunteer_id: Option<i64>) -> AppResult<CancelResult> {
    let a = load(state, ctx, id).await?;
    let own = super::volunteers::own_volunteer(&state.db, ctx).await.ok();
    let vid = match (volunteer_id, &own) {
        (Some(v), Some(o)) if v == o.id => v,
        (None, Some(o)) => o.id,
        (Some(v), _) => {
            if !may_manage(state, ctx, &a).await? {
                return Err(AppError::Forbidden);
            }
            v
        }
        (None, None) => return Err(AppError::BadRequest("err.no_volunteer_record")),
    };
    if a.status != "published" || now() >= a.starts_at {
        return Err(AppError::field("activity", "err.cancel_too_late"));
    }
    let mut tx = state.db.begin().await?;
    let res = store::cancel_signup(&mut tx, &ctx.actor(), &a, vid).await?;
    tx.commit().await?;
    match res {
        None => Err(AppError::field("volunteer_id", "err.not_signed_up")),
        Some(promoted) => Ok(CancelResult {
            activity_id: a.id,
            volunteer_id: vid,
            promoted_volunteer_id: promoted,
        }),
    }
}

/// The closing summary of a completed activity.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct SummaryInput {
    /// What was done.
    pub summary: Option<String>,
    /// How many people were served.
    #[serde(default, deserialize_with = "lenient_i64")]
    pub people_served: Option<i64>,
}

pub async fn summarise(state: &AppState, ctx: &Ctx, id: i64, input: &SummaryInput) -> AppResult<Activity> {
    let a = load_managed(state, ctx, id).await?;
    if a.status != "completed" {
        return Err(AppError::field("summary", "err.summary_not_completed"));
    }
    let mut errors = vec![];
    let summary = super::required_text("summary", input.summary.as_deref(), 4000, &mut errors);
    if input.people_served.is_some_and(|n| !(0..=1_000_000).contains(&n)) {
        errors.push(FieldError::new("people_served", "err.number_range"));
    }
    validated(errors)?;
    let mut tx = state.db.begin().await?;
    let after = store::set_summary(&mut tx, &ctx.actor(), &a, &summary, input.people_served).await?;
    tx.commit().await?;
    Ok(after)
}

/// The image type of a photo, by its first bytes (the name and the browser's word are not trusted).
pub fn image_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else {
        None
    }
}

pub async fn add_photo(state: &AppState, ctx: &Ctx, id: i64, bytes: &[u8]) -> AppResult<i64> {
    let a = load_managed(state, ctx, id).await?;
    if a.status != "completed" {
        return Err(AppError::field("file", "err.summary_not_completed"));
    }
    if bytes.is_empty() {
        return Err(AppError::field("file", "err.no_file"));
    }
    if bytes.len() > PHOTO_MAX {
        return Err(AppError::Validation(vec![FieldError::new(
            "file",
            "err.file_too_large",
        )
        .with("mb", PHOTO_MAX / 1024 / 1024)]));
    }
    let Some(kind) = image_type(bytes) else {
        return Err(AppError::field("file", "err.not_an_image"));
    };
    if store::photos(&state.db, a.id).await?.len() >= 20 {
        return Err(AppError::field("file", "err.too_many_photos"));
    }
    let mut tx = state.db.begin().await?;
    let pid = store::add_photo(&mut tx, &ctx.actor(), &a, kind, bytes).await?;
    tx.commit().await?;
    Ok(pid)
}

async fn read_photo(mut multipart: Multipart) -> AppResult<Vec<u8>> {
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::Validation(vec![FieldError::new("file", "err.file_too_large").with("mb", 5)]))?
    {
        if field.name() == Some("file") {
            return Ok(field
                .bytes()
                .await
                .map_err(|_| AppError::Validation(vec![FieldError::new("file", "err.file_too_large").with("mb", 5)]))?
                .to_vec());
        }
    }
    Err(AppError::field("file", "err.no_file"))
}

// ---------------------------------------------------------------- lists

#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActivityParams {
    pub q: Option<String>,
    /// `upcoming` (default), `past` or `all`.
    pub when: Option<String>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub team_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub community_id: Option<i64>,
    pub category: Option<String>,
    pub form: Option<String>,
    /// Only what the caller's teams run (staff), in every state.
    #[serde(default, deserialize_with = "lenient_bool")]
    pub mine: Option<bool>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub page: Option<i64>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub per_page: Option<i64>,
}

/// A page of activities as the caller may see them, with their own sign-ups.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ActivityPage {
    pub items: Vec<ActivityLine>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

pub async fn list(state: &AppState, ctx: &Ctx, params: &ActivityParams) -> AppResult<ActivityPage> {
    let campaign = super::campaign::active(state).await?;
    let scope = ctx
        .principal
        .as_ref()
        .and_then(|p| TeamScope::of(policy::list_scope(p, Listing::Teams)));
    let viewer = match &ctx.principal {
        Some(p) => store_campaign::volunteer_by_user(&state.db, p.user_id)
            .await?
            .map(|v| v.id),
        None => None,
    };
    let t = now();
    let (from, to, newest_first) = match params.when.as_deref().unwrap_or("upcoming") {
        "past" => (None, Some(t), true),
        "all" => (None, None, false),
        _ => (Some(t), None, false),
    };
    let page = params.page.unwrap_or(1).max(1);
    let per_page = params.per_page.unwrap_or(20).clamp(1, 200);
    let mine = params.mine.unwrap_or(false) && scope.is_some();
    let f = ActivityFilter {
        campaign_id: campaign.id,
        scope: if mine { scope } else { scope.filter(|s| s.all) },
        include_public: !mine,
        team_id: params.team_id,
        community_id: params.community_id,
        category: params.category.clone().filter(|s| !s.is_empty()),
        form: params.form.clone().filter(|s| !s.is_empty()),
        from,
        to,
        q: params.q.clone(),
        newest_first,
        page,
        per_page,
    };
    let (items, total) = store::list_activities(&state.db, &f, viewer).await?;
    Ok(ActivityPage {
        items,
        total,
        page,
        per_page,
    })
}

// ---------------------------------------------------------------- pages

async fn community_choices(state: &AppState) -> AppResult<Vec<Choice>> {
    let rows: Vec<(i64, String)> = crate::on_db!(&state.db, pool => sqlx::query_as(
        "select id, name from communities order by street_id, name").fetch_all(pool).await?);
    Ok(rows
        .into_iter()
        .map(|(id, name)| Choice {
            value: id.to_string(),
            label: name,
        })
        .collect())
}

fn choices_categories() -> Vec<Choice> {
    CATEGORIES
        .iter()
        .map(|(code, label, _)| Choice {
            value: code.to_string(),
            label: label.to_string(),
        })
        .collect()
}

fn choices_dimensions() -> Vec<Choice> {
    DIMENSIONS
        .iter()
        .map(|(code, label)| Choice {
            value: code.to_string(),
            label: label.to_string(),
        })
        .collect()
}

async fn form_page(state: &AppState, ctx: &Ctx, input: &ActivityInput, id: Option<i64>) -> AppResult<FormPage> {
    let l = ctx.lang;
    let teams = own_teams(state, ctx).await?;
    let communities = community_choices(state).await?;
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    let n = |v: Option<i64>| v.map(|x| x.to_string()).unwrap_or_default();
    let opt = |value: &str, key: &str| Choice {
        value: value.into(),
        label: ctx.t(key),
    };
    let mut fields = vec![
        Field::select(
            l,
            "team_id",
            "activity.team",
            n(input.team_id),
            teams
                .iter()
                .map(|t| Choice {
                    value: t.id.to_string(),
                    label: format!("{}（{}）", t.name, t.org_name),
                })
                .collect(),
        )
        .required(),
        Field::text(l, "title", "activity.title", s(&input.title)).required(),
        Field::text(l, "theme", "activity.theme", s(&input.theme)).hint(l, "activity.theme_hint"),
        Field::select(
            l,
            "category",
            "activity.category",
            s(&input.category),
            choices_categories(),
        )
        .required(),
        Field::select(
            l,
            "dimension",
            "activity.dimension",
            s(&input.dimension),
            choices_dimensions(),
        )
        .required(),
        Field::select(
            l,
            "form",
            "activity.form",
            s(&input.form),
            // A dispatched action's activity stays one.
            if input.form.as_deref() == Some("dispatched") {
                vec![opt("dispatched", "form.dispatched")]
            } else {
                vec![
                    opt("concentrated", "form.concentrated"),
                    opt("scattered", "form.scattered"),
                ]
            },
        )
        .required()
        .hint(l, "activity.form_hint"),
        Field::select(
            l,
            "community_id",
            "activity.community",
            n(input.community_id),
            communities,
        ),
        Field::text(l, "address", "activity.address", s(&input.address)).required(),
        Field::text(l, "lat", "activity.lat", s(&input.lat)).hint(l, "activity.point_hint"),
        Field::text(l, "lng", "activity.lng", s(&input.lng)),
        Field::text(l, "starts_at", "activity.starts_at", s(&input.starts_at))
            .kind("datetime-local")
            .required(),
        Field::text(l, "ends_at", "activity.ends_at", s(&input.ends_at))
            .kind("datetime-local")
            .required(),
        Field::text(l, "capacity", "activity.capacity", n(input.capacity))
            .kind("number")
            .required(),
        Field::select(
            l,
            "open_to",
            "activity.open_to",
            input.open_to.clone().unwrap_or("all".into()),
            vec![opt("all", "open_to.all"), opt("team", "open_to.team")],
        ),
        Field::text(
            l,
            "signup_opens_at",
            "activity.signup_opens_at",
            s(&input.signup_opens_at),
        )
        .kind("datetime-local"),
        Field::text(
            l,
            "signup_closes_at",
            "activity.signup_closes_at",
            s(&input.signup_closes_at),
        )
        .kind("datetime-local")
        .hint(l, "activity.window_hint"),
        Field::text(l, "min_age", "activity.min_age", n(input.min_age)).kind("number"),
        Field::text(l, "max_age", "activity.max_age", n(input.max_age)).kind("number"),
        Field::text(l, "skills", "activity.skills", s(&input.skills)),
        Field::text(l, "content", "activity.content", s(&input.content)).kind("textarea"),
        Field::text(l, "leader_name", "activity.leader_name", s(&input.leader_name)),
        Field::text(l, "leader_phone", "activity.leader_phone", s(&input.leader_phone)).kind("tel"),
        Field::text(
            l,
            "risky",
            "activity.risky",
            if input.risky.unwrap_or(false) { "on" } else { "" },
        )
        .kind("checkbox"),
        Field::text(l, "risk_statement", "activity.risk_statement", s(&input.risk_statement)).kind("textarea"),
        Field::text(l, "insurance", "activity.insurance", s(&input.insurance)).hint(l, "activity.insurance_hint"),
        Field::text(
            l,
            "code_rotates",
            "activity.code_rotates",
            if input.code_rotates.unwrap_or(false) { "on" } else { "" },
        )
        .kind("checkbox"),
        Field::text(l, "geofence_m", "activity.geofence_m", n(input.geofence_m))
            .kind("number")
            .hint(l, "activity.geofence_hint"),
    ];
    for f in fields.iter_mut() {
        if f.kind == "textarea" {
            f.maxlength = Some(2000);
        }
    }
    let (title, action, cancel) = match id {
        Some(id) => (
            ctx.t("activity.edit"),
            format!("/activities/{id}"),
            format!("/activities/{id}"),
        ),
        None => (
            ctx.t("activity.new"),
            "/activities".to_string(),
            "/activities".to_string(),
        ),
    };
    Ok(FormPage::new(l, title, action, cancel, fields))
}

async fn list_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<ActivityParams>,
) -> AppResult<Response> {
    let page = list(&state, &ctx, &params).await?;
    let t = now();
    let rows: Vec<_> = page
        .items
        .iter()
        .map(|a| {
            minijinja::context! {
                a => a, starts => format_local(a.starts_at), ends => format_local(a.ends_at)[11..].to_string(),
                category => category_label(&a.category), dimension => dimension_label(&a.dimension),
                phase => store::phase(&a.status, a.starts_at, a.ends_at, t),
                full => a.taken >= a.capacity,
            }
        })
        .collect();
    // The policy says who runs teams; listing them (a pairing lookup per team) is for the form.
    let may_create = ctx
        .principal
        .as_ref()
        .is_some_and(|p| policy::may_create(p, Listing::Teams));
    let pages = super::pages(page.total, page.per_page);
    let query = |p: i64| {
        let mut q = vec![format!("page={p}")];
        for (k, v) in [
            ("q", params.q.clone()),
            ("when", params.when.clone()),
            ("category", params.category.clone()),
            ("form", params.form.clone()),
            ("community_id", params.community_id.map(|x| x.to_string())),
            ("mine", params.mine.filter(|m| *m).map(|_| "true".to_string())),
        ] {
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                q.push(format!("{k}={}", crate::web::urlencode(&v)));
            }
        }
        format!("/activities?{}", q.join("&"))
    };
    let communities = community_choices(&state).await?;
    Ok(ctx.render(
        &state,
        "activities.html",
        minijinja::context! {
            title => ctx.t("nav.activities"), rows => rows, total => page.total, page => page.page, pages => pages,
            prev => (page.page > 1).then(|| query(page.page - 1)), next => (page.page < pages).then(|| query(page.page + 1)),
            params => minijinja::context! { q => params.q, when => params.when.clone().unwrap_or("upcoming".into()),
                category => params.category, form => params.form, community_id => params.community_id, mine => params.mine.unwrap_or(false) },
            categories => choices_categories(), communities => communities, may_create => may_create,
            signed_in => ctx.principal.is_some(),
        },
    ))
}

async fn new_page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.user()?;
    let teams = own_teams(&state, &ctx).await?;
    if teams.is_empty() {
        return Err(AppError::Forbidden);
    }
    let mut input = ActivityInput {
        capacity: Some(20),
        ..Default::default()
    };
    if let [only] = teams.as_slice() {
        input.team_id = Some(only.id);
        input.leader_name = Some(only.leader_name.clone());
        input.leader_phone = Some(only.leader_phone.clone());
    }
    Ok(ctx.render_form(&state, &form_page(&state, &ctx, &input, None).await?))
}

async fn create_page(State(state): State<AppState>, ctx: Ctx, Form(input): Form<ActivityInput>) -> AppResult<Response> {
    match create(&state, &ctx, &input).await {
        Ok(a) => Ok(redirect_with_flash(
            &format!("/activities/{}", a.id),
            "flash.saved",
            ctx.secure,
        )),
        Err(AppError::Validation(errs) | AppError::Conflict(errs)) => {
            let page = form_page(&state, &ctx, &input, None)
                .await?
                .with_errors(&errs, ctx.lang);
            Ok(crate::web::unprocessable(ctx.render_form(&state, &page)))
        }
        Err(e) => Err(e),
    }
}

async fn edit_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let a = load_managed(&state, &ctx, id).await?;
    Ok(ctx.render_form(
        &state,
        &form_page(&state, &ctx, &ActivityInput::of(&a), Some(id)).await?,
    ))
}

async fn update_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<ActivityInput>,
) -> AppResult<Response> {
    let result = update(&state, &ctx, id, &input).await;
    crate::web::form::outcome(&state, &ctx, result, &format!("/activities/{id}"), || async {
        form_page(&state, &ctx, &input, Some(id)).await
    })
    .await
}

/// Everything the activity page shows.
pub async fn detail_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let a = load(&state, &ctx, id).await?;
    let manage = may_manage(&state, &ctx, &a).await?;
    let t = now();
    let own = match &ctx.principal {
        Some(p) => store_campaign::volunteer_by_user(&state.db, p.user_id).await?,
        None => None,
    };
    let participants = store::participants(&state.db, a.id).await?;
    let mine = own
        .as_ref()
        .and_then(|v| participants.iter().find(|x| x.volunteer_id == v.id).cloned());
    let rules = store::rules(&state.db).await?;
    let due = super::attendance::confirm_due_day(&a, &rules);
    let (people, corrections, members, dispatch) = if manage {
        let rows: Vec<_> = participants
            .iter()
            .map(|x| {
                minijinja::context! {
                    p => x, phone => crate::domain::phone::Phone::mask(&x.phone),
                    in_at => x.signed_in_at.map(format_local), out_at => x.signed_out_at.map(format_local),
                    hours => x.minutes.map(crate::domain::service::hours),
                }
            })
            .collect();
        let mut members = vec![];
        for tid in store::activity_team_ids(&state.db, a.id).await? {
            for m in store_campaign::members(&state.db, tid).await? {
                if !participants.iter().any(|x| x.volunteer_id == m.volunteer.id) {
                    members.push(minijinja::context! { id => m.volunteer.id, name => m.volunteer.name, no => m.volunteer.volunteer_no });
                }
            }
        }
        let corr: Vec<_> = store::corrections(&state.db, a.id)
            .await?
            .into_iter()
            .map(|c| minijinja::context! { c => c, at => format_local(c.at) })
            .collect();
        (rows, corr, members, a.dispatch_id)
    } else {
        (vec![], vec![], vec![], None)
    };
    let waiting = participants
        .iter()
        .filter(|x| x.signup.as_deref() == Some("waiting"))
        .count();
    let photos = store::photos(&state.db, a.id).await?;
    let phase = a.phase(t);
    Ok(ctx.render(
        &state,
        "activity.html",
        minijinja::context! {
            title => a.title, a => a, phase => phase, manage => manage,
            starts => format_local(a.starts_at), ends => format_local(a.ends_at),
            signup_opens => a.signup_opens_at.map(format_local), signup_closes => a.signup_closes_at.map(format_local),
            category => category_label(&a.category), dimension => dimension_label(&a.dimension),
            mine => mine, has_record => own.is_some(), waiting => waiting,
            people => people, members => members, corrections => corrections, photos => photos, dispatch_id => dispatch,
            confirm_due => due, signed_in => ctx.principal.is_some(),
            may_sign_up => phase == "published",
            may_sign_in => matches!(phase, "published" | "ongoing" | "ended") && t >= a.starts_at - rules.signin_early_minutes * 60,
        },
    ))
}

async fn status_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<StatusInput>,
) -> AppResult<Response> {
    match change_status(&state, &ctx, id, &input).await {
        Ok(_) => Ok(redirect_with_flash(
            &format!("/activities/{id}"),
            "flash.saved",
            ctx.secure,
        )),
        Err(AppError::Validation(errs)) => {
            Ok(ctx.refusal_for(&state, "activity.refused", &errs, &format!("/activities/{id}")))
        }
        Err(e) => Err(e),
    }
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct AddInput {
    /// The volunteer to add (leaders); leave out to sign yourself up.
    #[serde(default, deserialize_with = "lenient_i64")]
    pub volunteer_id: Option<i64>,
}

async fn signup_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    if ctx.principal.is_none() {
        return Ok(axum::response::Redirect::to(&format!(
            "/login?next={}",
            crate::web::urlencode(&format!("/activities/{id}"))
        ))
        .into_response());
    }
    signup_outcome(&state, &ctx, id, sign_up(&state, &ctx, id, None).await)
}

fn signup_outcome(state: &AppState, ctx: &Ctx, id: i64, r: AppResult<SignupResult>) -> AppResult<Response> {
    let back = format!("/activities/{id}");
    match r {
        Ok(r) => {
            let key = match r.outcome {
                SignupOutcome::Confirmed => "flash.signed_up",
                SignupOutcome::Waiting => "flash.waiting",
                SignupOutcome::AlreadyConfirmed => "flash.already_signed_up",
                SignupOutcome::AlreadyWaiting => "flash.already_waiting",
            };
            Ok(redirect_with_flash(&back, key, ctx.secure))
        }
        Err(AppError::Validation(errs)) => Ok(ctx.refusal_for(state, "activity.signup_refused", &errs, &back)),
        Err(AppError::BadRequest(k)) => Ok(ctx.refusal(state, "activity.signup_refused", vec![ctx.t(k)], &back)),
        Err(e) => Err(e),
    }
}

async fn cancel_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<AddInput>,
) -> AppResult<Response> {
    let back = format!("/activities/{id}");
    match cancel(&state, &ctx, id, input.volunteer_id).await {
        Ok(_) => Ok(redirect_with_flash(&back, "flash.signup_cancelled", ctx.secure)),
        Err(AppError::Validation(errs)) => Ok(ctx.refusal_for(&state, "activity.refused", &errs, &back)),
        Err(e) => Err(e),
    }
}

async fn add_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<AddInput>,
) -> AppResult<Response> {
    let Some(vid) = input.volunteer_id else {
        return Ok(ctx.refusal(
            &state,
            "activity.signup_refused",
            vec![ctx.t("err.choose_volunteer")],
            &format!("/activities/{id}"),
        ));
    };
    signup_outcome(&state, &ctx, id, sign_up(&state, &ctx, id, Some(vid)).await)
}

async fn summary_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<SummaryInput>,
) -> AppResult<Response> {
    let back = format!("/activities/{id}");
    match summarise(&state, &ctx, id, &input).await {
        Ok(_) => Ok(redirect_with_flash(&back, "flash.saved", ctx.secure)),
        Err(AppError::Validation(errs)) => Ok(ctx.refusal_for(&state, "activity.refused", &errs, &back)),
        Err(e) => Err(e),
    }
}

async fn photo_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> AppResult<Response> {
    let back = format!("/activities/{id}");
    let r = match read_photo(multipart).await {
        Ok(bytes) => add_photo(&state, &ctx, id, &bytes).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(_) => Ok(redirect_with_flash(&back, "flash.photo_added", ctx.secure)),
        Err(AppError::Validation(errs)) => Ok(ctx.refusal_for(&state, "activity.photo_refused", &errs, &back)),
        Err(e) => Err(e),
    }
}

async fn photo_file(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, photo)): Path<(i64, i64)>,
) -> AppResult<Response> {
    load(&state, &ctx, id).await?;
    let (kind, data) = store::photo(&state.db, id, photo).await?.ok_or(AppError::NotFound)?;
    Ok((
        [
            (CONTENT_TYPE, kind),
            // Behind the activity's access check: browsers may keep it, shared caches may not.
            (axum::http::header::CACHE_CONTROL, "private, max-age=86400".to_string()),
        ],
        data,
    )
        .into_response())
}

// ---------------------------------------------------------------- API

/// Activities: upcoming by default; the public and volunteers see published ones, staff also
/// their teams' drafts (`mine=true`).
#[utoipa::path(get, path = "/api/v1/activities", tag = "activities", params(ActivityParams),
    responses((status = 200, body = ActivityPage)))]
pub async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<ActivityParams>,
) -> AppResult<Json<ActivityPage>> {
    Ok(Json(list(&state, &ctx, &params).await?))
}

/// Plans an activity (a draft until published).
#[utoipa::path(post, path = "/api/v1/activities", tag = "activities", request_body = ActivityInput,
    responses((status = 201, body = Activity), (status = 422, description = "Invalid fields")))]
pub async fn api_create(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(input): Json<ActivityInput>,
) -> AppResult<Response> {
    let a = create(&state, &ctx, &input).await?;
    Ok((axum::http::StatusCode::CREATED, Json(a)).into_response())
}

#[utoipa::path(get, path = "/api/v1/activities/{id}", tag = "activities", responses((status = 200, body = Activity)))]
pub async fn api_get(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Activity>> {
    Ok(Json(load(&state, &ctx, id).await?))
}

#[utoipa::path(put, path = "/api/v1/activities/{id}", tag = "activities", request_body = ActivityInput,
    responses((status = 200, body = Activity)))]
pub async fn api_update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<ActivityInput>,
) -> AppResult<Json<Activity>> {
    Ok(Json(update(&state, &ctx, id, &input).await?))
}

/// Publishes, cancels (with a reason) or completes an activity.
#[utoipa::path(post, path = "/api/v1/activities/{id}/status", tag = "activities", request_body = StatusInput,
    responses((status = 200, body = Activity)))]
pub async fn api_status(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<StatusInput>,
) -> AppResult<Json<Activity>> {
    Ok(Json(change_status(&state, &ctx, id, &input).await?))
}

/// The people on the list with their sign-in, sign-out and hours (the organisers).
#[utoipa::path(get, path = "/api/v1/activities/{id}/signups", tag = "activities",
    responses((status = 200, body = Vec<store::Participant>)))]
pub async fn api_signups(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<store::Participant>>> {
    let a = load_managed(&state, &ctx, id).await?;
    Ok(Json(store::participants(&state.db, a.id).await?))
}

/// Signs the caller up, or (a leader) adds a volunteer; a full activity puts them on the waiting list.
#[utoipa::path(post, path = "/api/v1/activities/{id}/signups", tag = "activities", request_body = AddInput,
    responses((status = 200, body = SignupResult), (status = 422, description = "Closed, full window, not eligible")))]
pub async fn api_sign_up(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Option<Json<AddInput>>,
) -> AppResult<Json<SignupResult>> {
    let vid = body.and_then(|b| b.0.volunteer_id);
    Ok(Json(sign_up(&state, &ctx, id, vid).await?))
}

/// Cancels a sign-up (their own, or a leader for anyone); the first waiting gets the place.
#[utoipa::path(delete, path = "/api/v1/activities/{id}/signups/{volunteer_id}", tag = "activities",
    responses((status = 200, body = CancelResult)))]
pub async fn api_cancel(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, volunteer_id)): Path<(i64, i64)>,
) -> AppResult<Json<CancelResult>> {
    Ok(Json(cancel(&state, &ctx, id, Some(volunteer_id)).await?))
}

/// The summary of a completed activity.
#[utoipa::path(post, path = "/api/v1/activities/{id}/summary", tag = "activities", request_body = SummaryInput,
    responses((status = 200, body = Activity)))]
pub async fn api_summary(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<SummaryInput>,
) -> AppResult<Json<Activity>> {
    Ok(Json(summarise(&state, &ctx, id, &input).await?))
}

/// Adds a photo (JPEG, PNG, WebP or GIF, up to 5 MB) to a completed activity; field `file`.
#[utoipa::path(post, path = "/api/v1/activities/{id}/photos", tag = "activities",
    responses((status = 201, description = "The photo's id"), (status = 422, description = "Not an image, too large")))]
pub async fn api_photo(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> AppResult<Response> {
    let bytes = read_photo(multipart).await?;
    let pid = add_photo(&state, &ctx, id, &bytes).await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(serde_json::json!({"id": pid, "url": format!("/activities/{id}/photos/{pid}")})),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::image_type;

    #[test]
    fn photos_are_known_by_their_first_bytes() {
        assert_eq!(image_type(b"\xFF\xD8\xFF\xE0rest"), Some("image/jpeg"));
        assert_eq!(image_type(b"\x89PNG\r\n\x1a\nrest"), Some("image/png"));
        assert_eq!(image_type(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(image_type(b"GIF89a..."), Some("image/gif"));
        assert_eq!(image_type(b"%PDF-1.7"), None);
        assert_eq!(image_type(b"<svg xmlns="), None);
        assert_eq!(image_type(b""), None);
    }
}
