//! The activities' JSON API: thin handlers with their OpenAPI annotations.

use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::pages::read_photo;
use super::service::*;
use crate::db::activities::Activity;
use crate::db::signups;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::Ctx;

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
    responses((status = 200, body = Vec<signups::Participant>)))]
pub async fn api_signups(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<signups::Participant>>> {
    let a = load_managed(&state, &ctx, id).await?;
    Ok(Json(signups::participants(&state.db, a.id).await?))
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

/// Adds a photo (JPEG, PNG, WebP or GIF, up to 5 MB) to a completed activity: field `file`, and
/// field `alt` saying what it shows (required, up to 300 characters; read aloud on the public report).
#[utoipa::path(post, path = "/api/v1/activities/{id}/photos", tag = "activities",
    responses((status = 201, description = "The photo's id"), (status = 422, description = "Not an image, too large")))]
pub async fn api_photo(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> AppResult<Response> {
    let up = read_photo(multipart).await?;
    let pid = add_photo(&state, &ctx, id, &up.bytes, up.alt.as_deref()).await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(serde_json::json!({"id": pid, "url": format!("/activities/{id}/photos/{pid}")})),
    )
        .into_response())
}
