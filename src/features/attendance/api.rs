//! The JSON API of the day: scans by a script, the poster's code, the leader's tools.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use super::service::*;
use crate::db::attendance::{Attendance, Correction};
use crate::db::now;
use crate::db::{attendance, settings};
use crate::domain::attendance::Method;
use crate::domain::service::signin_code;
use crate::error::{AppError, AppResult};
use crate::features::activities::load_managed;
use crate::state::AppState;
use crate::web::Ctx;

/// Signs the caller in, as the volunteer behind the bearer token. Repeating it changes nothing
/// (`changed: false`). A rotating code must be sent; a geofence needs `lat`/`lng`.
#[utoipa::path(post, path = "/api/v1/activities/{id}/sign-in", tag = "attendance", request_body(content = ScanInput, description = "Optional"),
    responses((status = 200, body = AttendanceResult), (status = 422, description = "Not open, closed, cancelled, stale code, outside the geofence")))]
pub async fn api_sign_in(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> AppResult<Json<AttendanceResult>> {
    let input = scan_body(&body)?;
    Ok(Json(scan_self(&state, &ctx, id, &input, Method::Api, false).await?))
}

/// Signs the caller out; hours follow from the district's rules. Repeating it changes nothing.
#[utoipa::path(post, path = "/api/v1/activities/{id}/sign-out", tag = "attendance", request_body(content = ScanInput, description = "Optional"),
    responses((status = 200, body = AttendanceResult), (status = 422, description = "Not signed in, closed")))]
pub async fn api_sign_out(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> AppResult<Json<AttendanceResult>> {
    let input = scan_body(&body)?;
    Ok(Json(scan_self(&state, &ctx, id, &input, Method::Api, true).await?))
}

/// The body is optional: none, or JSON.
fn scan_body(body: &[u8]) -> AppResult<ScanInput> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(ScanInput::default());
    }
    serde_json::from_slice(body).map_err(|_| AppError::BadRequest("err.bad_json"))
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CodeInfo {
    pub code: String,
    pub url_path: String,
    /// Seconds the code stays current (none when fixed).
    pub rotates_every: Option<i64>,
}

/// The poster's current code (the organisers), e.g. to show it on another screen.
#[utoipa::path(get, path = "/api/v1/activities/{id}/code", tag = "attendance", responses((status = 200, body = CodeInfo)))]
pub async fn api_code(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<CodeInfo>> {
    let a = load_managed(&state, &ctx, id).await?;
    let rules = settings::rules(&state.db).await?;
    let code = signin_code(&a.code_secret, a.code_rotates, rules.code_rotate_secs, now());
    Ok(Json(CodeInfo {
        url_path: format!("/s/{}?c={code}", a.id),
        code,
        rotates_every: a.code_rotates.then_some(rules.code_rotate_secs),
    }))
}

/// The leader signs people in or out together.
#[utoipa::path(post, path = "/api/v1/activities/{id}/attendance", tag = "attendance", request_body = BulkInput,
    responses((status = 200, body = BulkResult)))]
pub async fn api_bulk(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<BulkInput>,
) -> AppResult<Json<BulkResult>> {
    Ok(Json(bulk(&state, &ctx, id, &input).await?))
}

/// Corrects one person's times or hours, with a reason; the old values are kept.
#[utoipa::path(put, path = "/api/v1/activities/{id}/attendance/{volunteer_id}", tag = "attendance", request_body = CorrectionInput,
    responses((status = 200, body = Attendance), (status = 422, description = "Hours beyond the span, no reason")))]
pub async fn api_correct(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, vid)): Path<(i64, i64)>,
    Json(input): Json<CorrectionInput>,
) -> AppResult<Json<Attendance>> {
    Ok(Json(correct(&state, &ctx, id, vid, &input).await?))
}

/// Every correction made to the activity's attendance, oldest first.
#[utoipa::path(get, path = "/api/v1/activities/{id}/corrections", tag = "attendance", responses((status = 200, body = Vec<Correction>)))]
pub async fn api_corrections(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<Correction>>> {
    let a = load_managed(&state, &ctx, id).await?;
    Ok(Json(attendance::corrections(&state.db, a.id).await?))
}

/// Confirms the hours of a finished activity (and completes it).
#[utoipa::path(post, path = "/api/v1/activities/{id}/hours/confirm", tag = "attendance", responses((status = 200, body = ConfirmResult)))]
pub async fn api_confirm(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Json<ConfirmResult>> {
    Ok(Json(confirm(&state, &ctx, id).await?))
}
