//! A volunteer's own record: what staff may see (masked, or in full with the view logged), the
//! volunteer seeing, correcting and downloading their own data, and signing up on the public page
//! or through a team's invitation link.

use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::teams::{check_volunteer, mask_id, VolunteerInput};
use super::users::AccountInput;
use crate::auth::new_token;
use crate::auth::policy::{self, Action, Object, TeamPlace};
use crate::db::audit::{self, Actor, Subject};
use crate::db::campaign::{self as store, Team, Volunteer};
use crate::db::{now, users};
use crate::domain::phone::Phone;
use crate::domain::politics::PoliticalStatus;
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;
use crate::web::form::{outcome, Field, FormPage};
use crate::web::Ctx;
use crate::{on_db, on_tx};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/volunteers/{id}", get(page_record))
        .route("/me/record", get(page_me).post(page_update_me))
        .route("/me/record/export.json", get(api_export_me))
        .route("/join", get(page_join).post(page_join_submit))
        .route("/teams/{id}/invite", post(page_invite))
        .routes(routes!(api_get))
        .routes(routes!(api_me, api_update_me))
        .routes(routes!(api_export_me))
        .routes(routes!(api_join))
        .routes(routes!(api_invite))
        .routes(routes!(api_pending))
        .routes(routes!(api_decide))
        .route("/teams/{id}/pending/{user_id}", post(page_decide))
}

/// A person's record as shown to one viewer.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Record {
    pub id: i64,
    pub volunteer_no: String,
    pub name: String,
    pub sex: String,
    pub birth_date: String,
    pub id_type: String,
    /// Masked unless the viewer maintains the record and asked to see it (`reveal`).
    pub id_number: Option<String>,
    pub phone: String,
    pub residence: String,
    pub political_status: String,
    pub employer: String,
    pub post: String,
    pub skills: String,
    pub guardian_name: String,
    /// Whether personal data is shown in full.
    pub unmasked: bool,
    /// Whether the viewer keeps this record and may ask to see it in full (`reveal`).
    pub may_reveal: bool,
    pub consent_at: Option<i64>,
    pub id_consent_at: Option<i64>,
    pub teams: Vec<TeamLine>,
    pub trainings: Vec<TrainingLine>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TeamLine {
    pub team_id: i64,
    pub team: String,
    pub org: String,
    pub campaign_id: i64,
}

#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct TrainingLine {
    pub held_on: String,
    pub place: String,
    pub content: String,
    pub minutes: i64,
    pub passed: bool,
}

async fn places(state: &AppState, teams: &[Team]) -> AppResult<Vec<TeamPlace>> {
    let mut out = vec![];
    for t in teams {
        out.push(super::teams::place(state, t).await?);
    }
    Ok(out)
}

fn record(v: &Volunteer, teams: &[Team], trainings: Vec<TrainingLine>, full: bool, may_reveal: bool) -> Record {
    Record {
        id: v.id,
        volunteer_no: v.volunteer_no.clone(),
        name: v.name.clone(),
        sex: v.sex.clone(),
        birth_date: v.birth_date.clone(),
        id_type: v.id_type.clone(),
        id_number: v.id_number.as_ref().map(|n| if full { n.clone() } else { mask_id(n) }),
        phone: if full || v.phone.is_empty() {
            v.phone.clone()
        } else {
            Phone::mask(&v.phone)
        },
        residence: v.residence.clone(),
        political_status: v.political_status.clone(),
        employer: v.employer.clone(),
        post: v.post.clone(),
        skills: v.skills.clone(),
        guardian_name: v.guardian_name.clone(),
        unmasked: full,
        may_reveal,
        consent_at: v.consent_at,
        id_consent_at: v.id_consent_at,
        teams: teams
            .iter()
            .map(|t| TeamLine {
                team_id: t.id,
                team: t.name.clone(),
                org: t.org_name.clone(),
                campaign_id: t.campaign_id,
            })
            .collect(),
        trainings,
    }
}

pub async fn trainings_of(state: &AppState, volunteer_id: i64) -> AppResult<Vec<TrainingLine>> {
    Ok(on_db!(&state.db, pool => sqlx::query_as(
        "select t.held_on, t.place, t.content, t.minutes, a.passed from training_attendance a
         join trainings t on t.id = a.training_id where a.volunteer_id = $1 order by t.held_on")
        .bind(volunteer_id).fetch_all(pool).await?))
}

#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RevealParam {
    /// Show ID number and phone in full (for those who maintain the record); the view is logged.
    pub reveal: Option<bool>,
}

/// A person's record as `ctx`'s user may see it; an unmasked view is written to the audit trail.
pub async fn record_of(state: &AppState, ctx: &Ctx, id: i64, reveal: bool) -> AppResult<Record> {
    let p = ctx.user()?;
    let v = store::get_volunteer(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let teams = store::volunteer_teams(&state.db, id).await?;
    let obj = Object::Volunteer {
        user_id: v.user_id,
        teams: places(state, &teams).await?,
    };
    crate::features::ensure(p, Action::View, &obj)?;
    let own = v.user_id == Some(p.user_id);
    let full = own || (reveal && policy::may_reveal(p, &obj));
    if full && !own {
        let mut tx = state.db.begin().await?;
        audit::record_raw(
            &mut tx,
            &ctx.actor(),
            audit::Op::ViewUnmasked,
            Subject::new("volunteer", Some(id), &v.volunteer_no),
            &serde_json::json!({}),
        )
        .await?;
        tx.commit().await?;
    }
    let may_reveal = !own && policy::may_reveal(p, &obj);
    Ok(record(&v, &teams, trainings_of(state, id).await?, full, may_reveal))
}

/// The caller's own volunteer record, or why there is none (none yet, or waiting for the team).
pub async fn own_volunteer(state: &AppState, ctx: &Ctx) -> AppResult<Volunteer> {
    let p = ctx.user()?;
    match store::volunteer_by_user(&state.db, p.user_id).await? {
        Some(v) => Ok(v),
        None => {
            let waiting: i64 = on_db!(&state.db, pool => sqlx::query_scalar(
                "select count(*) from pending_links where user_id = $1").bind(p.user_id).fetch_one(pool).await?);
            Err(AppError::BadRequest(if waiting > 0 {
                "err.link_pending"
            } else {
                "err.no_volunteer_record"
            }))
        }
    }
}

/// The fields a volunteer corrects themselves; name and ID number are corrected by their team.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct SelfInput {
    pub phone: Option<String>,
    pub residence: Option<String>,
    pub political_status: Option<String>,
    pub employer: Option<String>,
    pub post: Option<String>,
    pub skills: Option<String>,
}

pub async fn update_me(state: &AppState, ctx: &Ctx, input: &SelfInput) -> AppResult<Record> {
    let v = own_volunteer(state, ctx).await?;
    let mut errors = vec![];
    let mut f = crate::domain::volunteer::VolunteerFields {
        name: v.name.clone(),
        ..Default::default()
    };
    f.phone = match Phone::parse(input.phone.as_deref().unwrap_or("")) {
        Some(p) => p.as_str().into(),
        None => {
            errors.push(FieldError::new("phone", "err.phone"));
            String::new()
        }
    };
    if let Some(s) = input
        .political_status
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        match PoliticalStatus::parse(s) {
            Ok(ps) => f.political_status = ps.code().into(),
            Err(k) => errors.push(FieldError::new("political_status", k)),
        }
    }
    f.residence = super::optional_text("residence", input.residence.as_deref(), 100, &mut errors);
    f.employer = super::optional_text("employer", input.employer.as_deref(), 100, &mut errors);
    f.post = super::optional_text("post", input.post.as_deref(), 50, &mut errors);
    f.skills = super::optional_text("skills", input.skills.as_deref(), 200, &mut errors);
    super::validated(errors)?;
    let mut tx = state.db.begin().await?;
    store::update_volunteer(&mut tx, &ctx.actor(), v.id, &f).await?;
    tx.commit().await?;
    record_of(state, ctx, v.id, false).await
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct JoinInput {
    #[serde(flatten)]
    pub person: VolunteerInput,
    /// The account to sign in with.
    pub username: Option<String>,
    pub password: Option<String>,
    /// An invitation from a team (from its link).
    pub invite: Option<String>,
}

/// Signs a volunteer up: an account of their own, linked to their record (found by ID number,
/// else name and phone, or new), and on the inviting team's roster when invited.
pub async fn join(state: &AppState, ctx: &Ctx, input: &JoinInput) -> AppResult<Joined> {
    let mut errors = vec![];
    let f = match check_volunteer(&input.person) {
        Ok(f) => Some(f),
        Err(AppError::Validation(e)) => {
            errors.extend(e);
            None
        }
        Err(e) => return Err(e),
    };
    let account = AccountInput {
        username: input.username.clone(),
        role: Some("volunteer".into()),
        password: input.password.clone(),
        active: Some(true),
        ..Default::default()
    };
    let fields = match super::users::validate(&state.db, &account, true).await {
        Ok((fields, _)) => Some(fields),
        Err(AppError::Validation(e)) => {
            errors.extend(e);
            None
        }
        Err(e) => return Err(e),
    };
    let team_id = match input.invite.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(token) => {
            let found: Option<(i64, i64)> = on_db!(&state.db, pool => sqlx::query_as(
                "select team_id, expires_at from invitations where id = $1").bind(crate::auth::token_hash(token)).fetch_optional(pool).await?);
            match found {
                Some((team, expires)) if expires > now() => Some(team),
                _ => {
                    errors.push(FieldError::new("invite", "err.invite_invalid"));
                    None
                }
            }
        }
    };
    super::validated(errors)?;
    let (f, fields) = (f.expect("validated"), fields.expect("validated"));
    let hash = crate::auth::hash_password_blocking(input.password.clone().unwrap_or_default()).await?;
    let actor = Actor {
        user_id: None,
        username: format!("(join:{})", fields.username),
        ip: ctx.ip.clone(),
    };
    let mut tx = state.db.begin().await?;
    let user = users::create_account(&mut tx, &actor, &fields, &hash)
        .await
        .map_err(|e| super::conflict_on_unique(e, "username", "err.username_taken"))?;
    let already = || AppError::Conflict(vec![FieldError::new("name", "err.already_registered")]);
    let found = store::match_volunteer(&mut tx, f.id_number.as_deref(), &f.name, &f.phone).await?;
    let v = match found {
        // Knowing someone's ID number, or their name and phone, proves nothing: the account waits
        // until its holder proves the phone on record with a code, or the team confirms. What
        // they typed does not touch the record.
        store::Match::ById(id) | store::Match::ByNamePhone(id) => {
            let existing = store::get_volunteer(&state.db, id).await?.ok_or(AppError::NotFound)?;
            if existing.user_id.is_some() {
                return Err(already());
            }
            let data = serde_json::to_string(&input.person).map_err(|e| AppError::Internal(e.into()))?;
            let pending = crate::db::identity::PendingLink {
                user_id: user.id,
                volunteer_id: id,
                team_id,
                data,
            };
            crate::db::identity::insert_pending(&mut tx, &pending).await?;
            let summary = serde_json::json!({"user": user.username, "volunteer_id": id});
            let subject = Subject::new("pending_link", Some(id), &existing.volunteer_no);
            audit::record_raw(&mut tx, &actor, audit::Op::Create, subject, &summary).await?;
            let code_sent = super::identity::issue_code(&mut tx, user.id, &existing, ctx.lang).await?;
            tx.commit().await?;
            return Ok(Joined {
                volunteer_no: None,
                pending: true,
                code_sent,
            });
        }
        store::Match::New => store::insert_volunteer(&mut tx, &actor, &f).await?,
    };
    store::link_user(&mut tx, &actor, v.id, user.id).await?;
    if let Some(team) = team_id {
        store::add_member(&mut tx, &actor, team, v.id, false).await?;
        store::reopen_roster_if_reviewed(&mut tx, &actor, team).await?;
    }
    tx.commit().await?;
    Ok(Joined {
        volunteer_no: Some(v.volunteer_no),
        pending: false,
        code_sent: false,
    })
}

/// A sign-up waiting for its team to confirm that it is the person on record.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct PendingLink {
    pub user_id: i64,
    pub username: String,
    pub volunteer_id: i64,
    pub volunteer_no: String,
    pub name: String,
    /// The phone on record (masked).
    pub phone: String,
    pub created_at: i64,
    /// False when the person came through this team's invitation and matched a record the team
    /// does not keep: the team may then only give them a record of their own.
    pub on_roster: bool,
    #[serde(skip)]
    pub data: String,
}

/// Sign-ups waiting on a team: for people on its roster, or invited to it.
pub async fn pending(state: &AppState, ctx: &Ctx, team_id: i64) -> AppResult<Vec<PendingLink>> {
    let (_, place) = super::teams::load(state, ctx, team_id).await?;
    crate::features::ensure(ctx.user()?, Action::Update, &Object::Team(place))?;
    let mut rows: Vec<PendingLink> = on_db!(&state.db, pool => sqlx::query_as(
        "select p.user_id, u.username, p.volunteer_id, v.volunteer_no, v.name, v.phone, p.created_at, p.data,
                p.volunteer_id in (select volunteer_id from team_members where team_id = $1) as on_roster
         from pending_links p join users u on u.id = p.user_id join volunteers v on v.id = p.volunteer_id
         where p.team_id = $1 or p.volunteer_id in (select volunteer_id from team_members where team_id = $1)
         order by p.id")
        .bind(team_id).fetch_all(pool).await?);
    for r in &mut rows {
        if r.on_roster {
            r.phone = Phone::mask(&r.phone);
        } else {
            // Invited, and matched someone this team does not keep: show only what they typed.
            let typed: serde_json::Value = serde_json::from_str(&r.data).unwrap_or_default();
            r.name = typed["name"].as_str().unwrap_or("").to_string();
            r.volunteer_no = String::new();
            r.phone = String::new();
        }
    }
    Ok(rows)
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct LinkDecision {
    /// `confirm` (the same person: link the account to the record) or `reject` (another person:
    /// a record of their own).
    pub decision: Option<String>,
}

/// The team decides an uncertain sign-up. Only a team that keeps the matched record may confirm
/// that it is the same person (the record is then linked, unchanged; what the person typed
/// differently is proposed as a correction); the team that invited them may only give them a
/// record of their own.
pub async fn decide(
    state: &AppState,
    ctx: &Ctx,
    team_id: i64,
    user_id: i64,
    input: &LinkDecision,
) -> AppResult<Volunteer> {
    let found = pending(state, ctx, team_id)
        .await?
        .into_iter()
        .find(|p| p.user_id == user_id)
        .ok_or(AppError::NotFound)?;
    let link = crate::db::identity::pending_of(&state.db, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let actor = ctx.actor();
    let mut tx = state.db.begin().await?;
    let v = match input.decision.as_deref() {
        Some("confirm") => {
            if !holds_record(state, ctx, found.volunteer_id).await? {
                return Err(AppError::Forbidden);
            }
            let v = super::identity::link(&mut tx, &actor, &link, "team").await?;
            tx.commit().await?;
            return Ok(v);
        }
        Some("reject") => {
            let person: super::teams::VolunteerInput =
                serde_json::from_str(&link.data).map_err(|e| AppError::Internal(e.into()))?;
            let f = check_volunteer(&person)?;
            // Their own record cannot carry the ID number of the record they matched.
            let f = crate::domain::volunteer::VolunteerFields {
                id_number: None,
                id_type: String::new(),
                ..f
            };
            store::insert_volunteer(&mut tx, &actor, &f).await?
        }
        _ => return Err(AppError::field("decision", "err.decision")),
    };
    store::link_user(&mut tx, &actor, v.id, user_id).await?;
    if let Some(team) = link.team_id {
        store::add_member(&mut tx, &actor, team, v.id, false).await?;
    }
    crate::db::identity::delete_pending(&mut tx, user_id).await?;
    let summary = serde_json::json!({"decision": input.decision, "user_id": user_id});
    let subject = Subject::new("pending_link", Some(found.volunteer_id), &found.volunteer_no);
    audit::record_raw(&mut tx, &actor, audit::Op::Update, subject, &summary).await?;
    tx.commit().await?;
    Ok(v)
}

/// Whether the caller maintains the record (may update it through one of its teams).
pub async fn holds_record(state: &AppState, ctx: &Ctx, volunteer_id: i64) -> AppResult<bool> {
    let teams = store::volunteer_teams(&state.db, volunteer_id).await?;
    let obj = Object::Volunteer {
        user_id: None,
        teams: places(state, &teams).await?,
    };
    Ok(policy::allows(ctx.user()?, Action::Update, &obj))
}

#[derive(Serialize, ToSchema)]
pub struct Invitation {
    /// The link to send; it works for 30 days.
    pub url: String,
    pub expires_at: i64,
}

/// Makes an invitation link for a team (those who maintain its roster).
pub async fn invite(state: &AppState, ctx: &Ctx, team_id: i64) -> AppResult<Invitation> {
    let (_, place) = super::teams::load(state, ctx, team_id).await?;
    crate::features::ensure(ctx.user()?, Action::Update, &Object::Team(place))?;
    let token = new_token();
    let expires_at = now() + 30 * 86400;
    let mut tx = state.db.begin().await?;
    on_tx!(&mut tx, c => sqlx::query("insert into invitations (id, team_id, created_at, expires_at) values ($1, $2, $3, $4)")
        .bind(crate::auth::token_hash(&token)).bind(team_id).bind(now()).bind(expires_at).execute(&mut *c).await.map(|r| r.rows_affected())?);
    audit::record_raw(
        &mut tx,
        &ctx.actor(),
        audit::Op::Create,
        Subject::new("invitation", Some(team_id), ""),
        &serde_json::json!({"expires_at": expires_at}),
    )
    .await?;
    tx.commit().await?;
    Ok(Invitation {
        url: format!("/join?invite={token}"),
        expires_at,
    })
}

// ------------------------------------------------------------ JSON API

/// A person's record: masked, or in full with `reveal=true` for those who maintain it (logged).
#[utoipa::path(get, path = "/api/v1/volunteers/{id}", tag = "volunteers", params(RevealParam), responses((status = 200, body = Record)))]
pub async fn api_get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<RevealParam>,
) -> AppResult<Json<Record>> {
    Ok(Json(record_of(&state, &ctx, id, q.reveal.unwrap_or(false)).await?))
}

/// The signed-in volunteer's own record.
#[utoipa::path(get, path = "/api/v1/me/volunteer", tag = "volunteers", responses((status = 200, body = Record)))]
pub async fn api_me(State(state): State<AppState>, ctx: Ctx) -> AppResult<Json<Record>> {
    let v = own_volunteer(&state, &ctx).await?;
    Ok(Json(record_of(&state, &ctx, v.id, false).await?))
}

/// Correct one's own phone, residence, political status, employer, post or skills.
#[utoipa::path(put, path = "/api/v1/me/volunteer", tag = "volunteers", request_body = SelfInput,
    responses((status = 200, body = Record), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_update_me(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(input): Json<SelfInput>,
) -> AppResult<Json<Record>> {
    Ok(Json(update_me(&state, &ctx, &input).await?))
}

/// Everything kept about the signed-in volunteer, as a JSON file (PIPL: a copy of one's own data).
#[utoipa::path(get, path = "/api/v1/me/volunteer/export", tag = "volunteers", responses((status = 200, body = Record)))]
pub async fn api_export_me(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let v = own_volunteer(&state, &ctx).await?;
    let r = record_of(&state, &ctx, v.id, false).await?;
    let mut tx = state.db.begin().await?;
    audit::record_raw(
        &mut tx,
        &ctx.actor(),
        audit::Op::Export,
        Subject::new("volunteer", Some(v.id), &v.volunteer_no),
        &serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    let body = serde_json::to_string_pretty(&r).map_err(|e| AppError::Internal(e.into()))?;
    let disposition = format!("attachment; filename=\"{}.json\"", v.volunteer_no);
    Ok((
        [
            (CONTENT_TYPE, "application/json; charset=utf-8".to_string()),
            (CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}

#[derive(Serialize, ToSchema)]
pub struct Joined {
    /// The volunteer number, once the account is linked to a record.
    pub volunteer_no: Option<String>,
    /// True when the sign-up matched a record (by ID number, or by name and phone): the account is
    /// linked once its holder proves the phone on record with a code (`POST /api/v1/me/link`), or
    /// the team that keeps the record confirms.
    pub pending: bool,
    /// True when a code was sent to the phone on the record.
    pub code_sent: bool,
}

/// Sign up as a volunteer (public): real name, phone, ID optional, consent, username and password.
#[utoipa::path(post, path = "/api/v1/join", tag = "volunteers", security(()), request_body = JoinInput,
    responses((status = 201, body = Joined), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_join(State(state): State<AppState>, ctx: Ctx, Json(input): Json<JoinInput>) -> AppResult<Response> {
    Ok((StatusCode::CREATED, Json(join(&state, &ctx, &input).await?)).into_response())
}

/// Make an invitation link that puts whoever signs up through it on the team's roster.
#[utoipa::path(post, path = "/api/v1/teams/{id}/invitations", tag = "volunteers", responses((status = 201, body = Invitation)))]
pub async fn api_invite(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    Ok((StatusCode::CREATED, Json(invite(&state, &ctx, id).await?)).into_response())
}

/// Sign-ups waiting for the team to confirm that they are the person on record.
#[utoipa::path(get, path = "/api/v1/teams/{id}/pending", tag = "volunteers", responses((status = 200, body = Vec<PendingLink>)))]
pub async fn api_pending(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<PendingLink>>> {
    Ok(Json(pending(&state, &ctx, id).await?))
}

/// Confirm (the same person) or reject (another person) an uncertain sign-up.
#[utoipa::path(post, path = "/api/v1/teams/{id}/pending/{user_id}", tag = "volunteers", request_body = LinkDecision,
    responses((status = 200, body = Decided), (status = 404, body = crate::error::ErrorBody)))]
pub async fn api_decide(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, user_id)): Path<(i64, i64)>,
    Json(input): Json<LinkDecision>,
) -> AppResult<Json<Decided>> {
    let v = decide(&state, &ctx, id, user_id, &input).await?;
    Ok(Json(Decided {
        volunteer_id: v.id,
        volunteer_no: v.volunteer_no,
    }))
}

/// The record the account is now linked to.
#[derive(Serialize, ToSchema)]
pub struct Decided {
    pub volunteer_id: i64,
    pub volunteer_no: String,
}

async fn page_decide(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, user_id)): Path<(i64, i64)>,
    Form(input): Form<LinkDecision>,
) -> AppResult<Response> {
    decide(&state, &ctx, id, user_id, &input).await?;
    Ok(crate::web::redirect_with_flash(
        &format!("/teams/{id}"),
        "flash.saved",
        ctx.secure,
    ))
}

// ------------------------------------------------------------ pages

fn record_page(state: &AppState, ctx: &Ctx, r: &Record, may_reveal: bool, own: bool) -> Response {
    let politics = PoliticalStatus::from_code(&r.political_status)
        .map(|s| s.label())
        .unwrap_or("");
    let sex = match r.sex.as_str() {
        "M" => ctx.t("sex.M"),
        "F" => ctx.t("sex.F"),
        _ => String::new(),
    };
    let hours: i64 = r.trainings.iter().map(|t| t.minutes).sum();
    let page = minijinja::context! {
        title => format!("{} · {}", r.name, r.volunteer_no), r => r, politics => politics, sex => sex,
        id_type => crate::domain::volunteer::id_type_label(&r.id_type), may_reveal => may_reveal && !r.unmasked, own => own,
        training_hours => format!("{:.1}", hours as f64 / 60.0),
        may_erase => !own && super::privacy::staff_may_erase(ctx),
    };
    ctx.render(state, "volunteer.html", page)
}

async fn page_record(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<RevealParam>,
) -> AppResult<Response> {
    let r = record_of(&state, &ctx, id, q.reveal.unwrap_or(false)).await?;
    Ok(record_page(&state, &ctx, &r, r.may_reveal, false))
}

fn self_form(ctx: &Ctx, input: &SelfInput) -> FormPage {
    let lang = ctx.lang;
    let v = |o: &Option<String>| o.clone().unwrap_or_default();
    let politics = PoliticalStatus::ALL
        .iter()
        .map(|s| crate::web::form::Choice {
            value: s.label().into(),
            label: s.label().into(),
        })
        .collect();
    let fields = vec![
        Field::text(lang, "phone", "field.phone", v(&input.phone))
            .required()
            .kind("tel"),
        Field::text(lang, "residence", "field.residence", v(&input.residence)),
        Field::select(
            lang,
            "political_status",
            "field.political_status",
            v(&input.political_status),
            politics,
        ),
        Field::text(lang, "employer", "field.employer", v(&input.employer)),
        Field::text(lang, "post", "field.post", v(&input.post)),
        Field::text(lang, "skills", "field.skills", v(&input.skills)),
    ];
    FormPage::new(lang, ctx.t("me.correct"), "/me/record", "/me/record", fields)
}

async fn page_me(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    if crate::db::identity::pending_of(&state.db, ctx.user()?.user_id)
        .await?
        .is_some()
    {
        return Ok(axum::response::Redirect::to("/me/link").into_response());
    }
    let v = own_volunteer(&state, &ctx).await?;
    let r = record_of(&state, &ctx, v.id, false).await?;
    Ok(record_page(&state, &ctx, &r, false, true))
}

async fn page_update_me(State(state): State<AppState>, ctx: Ctx, Form(input): Form<SelfInput>) -> AppResult<Response> {
    let result = update_me(&state, &ctx, &input).await;
    outcome(&state, &ctx, result, "/me/record", || async {
        Ok(self_form(&ctx, &input))
    })
    .await
}

#[derive(Deserialize)]
struct InviteParam {
    invite: Option<String>,
}

fn join_form(ctx: &Ctx, input: &JoinInput) -> FormPage {
    let lang = ctx.lang;
    let mut fields = super::teams::volunteer_fields(lang, &input.person, false);
    fields.insert(
        0,
        Field::text(
            lang,
            "username",
            "field.username",
            input.username.clone().unwrap_or_default(),
        )
        .required()
        .hint(lang, "hint.username"),
    );
    fields.insert(
        1,
        Field::text(lang, "password", "field.password", "")
            .kind("password")
            .required()
            .hint(lang, "hint.password"),
    );
    let mut invite =
        Field::text(lang, "invite", "field.invite", input.invite.clone().unwrap_or_default()).kind("hidden");
    invite.maxlength = None;
    fields.push(invite);
    let mut f = FormPage::new(lang, ctx.t("join.title"), "/join", "/login", fields);
    f.submit = ctx.t("join.submit");
    f
}

async fn page_join(State(state): State<AppState>, ctx: Ctx, Query(q): Query<InviteParam>) -> AppResult<Response> {
    let input = JoinInput {
        invite: q.invite,
        ..Default::default()
    };
    Ok(ctx.render_form(&state, &join_form(&ctx, &input)))
}

async fn page_join_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(input): Form<JoinInput>,
) -> AppResult<Response> {
    match join(&state, &ctx, &input).await {
        Ok(j) => {
            let flash = if j.pending {
                "flash.join_pending"
            } else {
                "flash.joined"
            };
            let to = if j.pending {
                "/login?next=%2Fme%2Flink"
            } else {
                "/login"
            };
            Ok(crate::web::redirect_with_flash(to, flash, ctx.secure))
        }
        result => outcome(&state, &ctx, result, "/login", || async { Ok(join_form(&ctx, &input)) }).await,
    }
}

async fn page_invite(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let inv = invite(&state, &ctx, id).await?;
    let page = minijinja::context! {
        title => ctx.t("invite.title"), messages => vec![ctx.t("invite.help"), inv.url.clone()], back => format!("/teams/{id}"),
        ok => true,
    };
    Ok(ctx.render(&state, "notice.html", page))
}
