//! streets: the JSON API (thin handlers over [`super::service`]).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::service;
use super::StreetInput;
use crate::db::list::Page;
use crate::db::streets::Street;
use crate::error::AppResult;
use crate::features::ListParams;
use crate::state::AppState;
use crate::web::Ctx;

/// List the streets the caller may see.
#[utoipa::path(get, path = "/api/v1/streets", tag = "streets", params(ListParams),
    responses((status = 200, body = Page<Street>), (status = 401, body = crate::error::ErrorBody)))]
pub async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<ListParams>,
) -> AppResult<Json<Page<Street>>> {
    Ok(Json(service::list(&state.db, &ctx, &params).await?))
}

/// One street.
#[utoipa::path(get, path = "/api/v1/streets/{id}", tag = "streets",
    responses((status = 200, body = Street), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn api_get(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Street>> {
    Ok(Json(service::get_one(&state.db, &ctx, id).await?))
}

/// Create a street (district admin).
#[utoipa::path(post, path = "/api/v1/streets", tag = "streets", request_body = StreetInput,
    responses((status = 201, body = Street), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_create(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(input): Json<StreetInput>,
) -> AppResult<Response> {
    Ok((
        StatusCode::CREATED,
        Json(service::create(&state.db, &ctx, &input).await?),
    )
        .into_response())
}

/// Rename a street.
#[utoipa::path(put, path = "/api/v1/streets/{id}", tag = "streets", request_body = StreetInput,
    responses((status = 200, body = Street), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<StreetInput>,
) -> AppResult<Json<Street>> {
    Ok(Json(service::update(&state.db, &ctx, id, &input).await?))
}

/// Delete a street that has no communities and no accounts left.
#[utoipa::path(delete, path = "/api/v1/streets/{id}", tag = "streets",
    responses((status = 204), (status = 409, body = crate::error::ErrorBody)))]
pub async fn api_delete(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<StatusCode> {
    service::delete(&state.db, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
