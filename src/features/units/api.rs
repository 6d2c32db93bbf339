//! units: the JSON API (thin handlers over [`super::service`]).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::service;
use super::UnitInput;
use crate::db::list::Page;
use crate::db::units::Unit;
use crate::error::AppResult;
use crate::features::ListParams;
use crate::state::AppState;
use crate::web::Ctx;

/// List the units the caller may see.
#[utoipa::path(get, path = "/api/v1/units", tag = "units", params(ListParams),
    responses((status = 200, body = Page<Unit>), (status = 401, body = crate::error::ErrorBody)))]
pub async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<ListParams>,
) -> AppResult<Json<Page<Unit>>> {
    Ok(Json(service::list(&state.db, &ctx, &params).await?))
}

/// One unit.
#[utoipa::path(get, path = "/api/v1/units/{id}", tag = "units",
    responses((status = 200, body = Unit), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn api_get(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Unit>> {
    Ok(Json(service::get_one(&state.db, &ctx, id).await?))
}

/// Register a civilized unit (district admin).
#[utoipa::path(post, path = "/api/v1/units", tag = "units", request_body = UnitInput,
    responses((status = 201, body = Unit), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_create(State(state): State<AppState>, ctx: Ctx, Json(input): Json<UnitInput>) -> AppResult<Response> {
    Ok((
        StatusCode::CREATED,
        Json(service::create(&state.db, &ctx, &input).await?),
    )
        .into_response())
}

/// Replace a unit's fields (the unit itself may change its contact details only).
#[utoipa::path(put, path = "/api/v1/units/{id}", tag = "units", request_body = UnitInput,
    responses((status = 200, body = Unit), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<UnitInput>,
) -> AppResult<Json<Unit>> {
    Ok(Json(service::update(&state.db, &ctx, id, &input).await?))
}

/// Delete a unit that has no pairings and no accounts left.
#[utoipa::path(delete, path = "/api/v1/units/{id}", tag = "units",
    responses((status = 204), (status = 409, body = crate::error::ErrorBody)))]
pub async fn api_delete(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<StatusCode> {
    service::delete(&state.db, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
