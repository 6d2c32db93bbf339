//! The JSON API of proving who one is and of proposed corrections: thin handlers.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;

use super::service::{
    corrections, decide_correction, prove, resend, status, CodeInput, CorrectionDecision, LinkStatus, Linked,
};
use crate::db::identity::ProposedCorrection;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::Ctx;

/// Where the caller's sign-up stands: waiting to be linked to a record, and what they typed.
#[utoipa::path(get, path = "/api/v1/me/link", tag = "volunteers", responses((status = 200, body = LinkStatus)))]
pub async fn api_status(State(state): State<AppState>, ctx: Ctx) -> AppResult<Json<LinkStatus>> {
    Ok(Json(status(&state.db, &ctx).await?.0))
}

/// Prove with the code sent to the phone on record; the account is then linked to the record.
#[utoipa::path(post, path = "/api/v1/me/link", tag = "volunteers", request_body = CodeInput,
    responses((status = 200, body = Linked), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_prove(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(input): Json<CodeInput>,
) -> AppResult<Json<Linked>> {
    let v = prove(&state.db, &ctx, &input).await?;
    Ok(Json(Linked {
        volunteer_no: v.volunteer_no,
    }))
}

/// Send a new code to the phone on record (a few an hour).
#[utoipa::path(post, path = "/api/v1/me/link/code", tag = "volunteers",
    responses((status = 202), (status = 400, body = crate::error::ErrorBody), (status = 429, body = crate::error::ErrorBody)))]
pub async fn api_resend(State(state): State<AppState>, ctx: Ctx) -> AppResult<StatusCode> {
    if resend(&state, &ctx).await? {
        Ok(StatusCode::ACCEPTED)
    } else {
        Err(AppError::BadRequest("err.link_no_phone"))
    }
}

/// Corrections proposed by people who signed up as someone on the team's roster.
#[utoipa::path(get, path = "/api/v1/teams/{id}/corrections", tag = "volunteers",
    responses((status = 200, body = Vec<ProposedCorrection>)))]
pub async fn api_corrections(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<ProposedCorrection>>> {
    Ok(Json(corrections(&state.db, &ctx, id).await?))
}

/// Apply or dismiss a proposed correction.
#[utoipa::path(post, path = "/api/v1/teams/{id}/corrections/{correction_id}", tag = "volunteers", request_body = CorrectionDecision,
    responses((status = 204), (status = 404, body = crate::error::ErrorBody)))]
pub async fn api_decide_correction(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, cid)): Path<(i64, i64)>,
    Json(input): Json<CorrectionDecision>,
) -> AppResult<StatusCode> {
    decide_correction(&state.db, &ctx, id, cid, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}
