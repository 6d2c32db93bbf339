//! recovery: the JSON API.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;

use super::service::{self, CodeRequested, ForgotInput, ResetInput};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::Ctx;

/// Ask for a code to reset a forgotten password, sent to the mobile number or e-mail address
/// given if an active volunteer account has it. The answer is the same whether or not one has.
#[utoipa::path(post, path = "/api/v1/auth/password/forgot", tag = "auth", security(()), request_body = ForgotInput,
    responses((status = 202, body = CodeRequested), (status = 422, body = crate::error::ErrorBody), (status = 429, body = crate::error::ErrorBody)))]
pub async fn api_forgot(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(input): Json<ForgotInput>,
) -> AppResult<(StatusCode, Json<CodeRequested>)> {
    Ok((StatusCode::ACCEPTED, Json(service::forgot(&state, &ctx, &input).await?)))
}

/// Set a new password with the code received; every session of the account ends. A wrong,
/// expired, used or unknown code gives one answer (`err.reset_code` on the field `code`).
#[utoipa::path(post, path = "/api/v1/auth/password/reset", tag = "auth", security(()), request_body = ResetInput,
    responses((status = 204), (status = 422, body = crate::error::ErrorBody), (status = 429, body = crate::error::ErrorBody)))]
pub async fn api_reset(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(input): Json<ResetInput>,
) -> AppResult<StatusCode> {
    service::reset(&state.db, &ctx, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}
