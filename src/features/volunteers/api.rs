//! The JSON API of volunteers' records, sign-ups and invitations: thin handlers.

use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use super::service::{
    decide, export_me, invite, join, own_volunteer, pending, record_of, update_me, Invitation, JoinInput, Joined,
    LinkDecision, Record, RevealParam, SelfInput,
};
use crate::db::identity::WaitingLink as PendingLink;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::Ctx;

/// A person's record: masked, or in full with `reveal=true` for those who maintain it (logged).
#[utoipa::path(get, path = "/api/v1/volunteers/{id}", tag = "volunteers", params(RevealParam), responses((status = 200, body = Record)))]
pub async fn api_get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<RevealParam>,
) -> AppResult<Json<Record>> {
    Ok(Json(record_of(&state.db, &ctx, id, q.reveal.unwrap_or(false)).await?))
}

/// The signed-in volunteer's own record.
#[utoipa::path(get, path = "/api/v1/me/volunteer", tag = "volunteers", responses((status = 200, body = Record)))]
pub async fn api_me(State(state): State<AppState>, ctx: Ctx) -> AppResult<Json<Record>> {
    let v = own_volunteer(&state.db, &ctx).await?;
    Ok(Json(record_of(&state.db, &ctx, v.id, false).await?))
}

/// Correct one's own phone, residence, political status, employer, post or skills.
#[utoipa::path(put, path = "/api/v1/me/volunteer", tag = "volunteers", request_body = SelfInput,
    responses((status = 200, body = Record), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_update_me(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(input): Json<SelfInput>,
) -> AppResult<Json<Record>> {
    Ok(Json(update_me(&state.db, &ctx, &input).await?))
}

/// Everything kept about the signed-in volunteer, as a JSON file (PIPL: a copy of one's own data).
#[utoipa::path(get, path = "/api/v1/me/volunteer/export", tag = "volunteers", responses((status = 200, body = Record)))]
pub async fn api_export_me(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let (v, r) = export_me(&state.db, &ctx).await?;
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

/// Sign up as a volunteer (public): real name, phone, ID optional, consent, username and password.
#[utoipa::path(post, path = "/api/v1/join", tag = "volunteers", security(()), request_body = JoinInput,
    responses((status = 201, body = Joined), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_join(State(state): State<AppState>, ctx: Ctx, Json(input): Json<JoinInput>) -> AppResult<Response> {
    Ok((StatusCode::CREATED, Json(join(&state.db, &ctx, &input).await?)).into_response())
}

/// Make an invitation link that puts whoever signs up through it on the team's roster.
#[utoipa::path(post, path = "/api/v1/teams/{id}/invitations", tag = "volunteers", responses((status = 201, body = Invitation)))]
pub async fn api_invite(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    Ok((StatusCode::CREATED, Json(invite(&state.db, &ctx, id).await?)).into_response())
}

/// Sign-ups waiting for the team to confirm that they are the person on record.
#[utoipa::path(get, path = "/api/v1/teams/{id}/pending", tag = "volunteers", responses((status = 200, body = Vec<PendingLink>)))]
pub async fn api_pending(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<PendingLink>>> {
    Ok(Json(pending(&state.db, &ctx, id).await?))
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
    let v = decide(&state.db, &ctx, id, user_id, &input).await?;
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
