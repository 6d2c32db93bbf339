//! communities: the JSON API (thin handlers over [`super::service`]).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::service;
use super::CommunityInput;
use crate::db::communities::Community;
use crate::db::list::Page;
use crate::error::AppResult;
use crate::features::ListParams;
use crate::state::AppState;
use crate::web::Ctx;

/// List the communities the caller may see.
#[utoipa::path(get, path = "/api/v1/communities", tag = "communities", params(ListParams),
    responses((status = 200, body = Page<Community>), (status = 401, body = crate::error::ErrorBody)))]
pub async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<ListParams>,
) -> AppResult<Json<Page<Community>>> {
    Ok(Json(service::list(&state.db, &ctx, &params).await?))
}

/// One community.
#[utoipa::path(get, path = "/api/v1/communities/{id}", tag = "communities",
    responses((status = 200, body = Community), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn api_get(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Community>> {
    Ok(Json(service::get_one(&state.db, &ctx, id).await?))
}

/// Create a community (district admin, or the street it belongs to).
#[utoipa::path(post, path = "/api/v1/communities", tag = "communities", request_body = CommunityInput,
    responses((status = 201, body = Community), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_create(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(input): Json<CommunityInput>,
) -> AppResult<Response> {
    Ok((
        StatusCode::CREATED,
        Json(service::create(&state.db, &ctx, &input).await?),
    )
        .into_response())
}

/// Replace a community's fields.
#[utoipa::path(put, path = "/api/v1/communities/{id}", tag = "communities", request_body = CommunityInput,
    responses((status = 200, body = Community), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<CommunityInput>,
) -> AppResult<Json<Community>> {
    Ok(Json(service::update(&state.db, &ctx, id, &input).await?))
}

/// Delete a community that has no pairings and no accounts left.
#[utoipa::path(delete, path = "/api/v1/communities/{id}", tag = "communities",
    responses((status = 204), (status = 409, body = crate::error::ErrorBody)))]
pub async fn api_delete(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<StatusCode> {
    service::delete(&state.db, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
