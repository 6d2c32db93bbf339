//! The dispatches' JSON API.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::service::{self, AnswerInput, DispatchInput, DispatchView, ReviewInput};
use crate::db::dispatches::DispatchTeam;
use crate::db::list::Page;
use crate::error::AppResult;
use crate::features::PageParams;
use crate::state::AppState;
use crate::web::Ctx;

/// The dispatched actions of the active campaign the caller's teams are in (the district: all).
#[utoipa::path(get, path = "/api/v1/dispatches", tag = "dispatches", params(PageParams), responses((status = 200, body = Page<DispatchView>)))]
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(paging): Query<PageParams>,
) -> AppResult<Json<Page<DispatchView>>> {
    Ok(Json(paging.page_of(service::list(&state.db, &ctx).await?)))
}

/// Creates an action and dispatches teams with head counts (the district).
#[utoipa::path(post, path = "/api/v1/dispatches", tag = "dispatches", request_body = DispatchInput,
    responses((status = 201, body = DispatchView)))]
pub async fn create(State(state): State<AppState>, ctx: Ctx, Json(input): Json<DispatchInput>) -> AppResult<Response> {
    let v = service::create(&state.db, &ctx, &input).await?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

/// The action and, per team, required / named / present.
#[utoipa::path(get, path = "/api/v1/dispatches/{id}", tag = "dispatches", responses((status = 200, body = DispatchView)))]
pub async fn get(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<DispatchView>> {
    Ok(Json(service::view(&state.db, &ctx, id).await?))
}

/// A team accepts with named volunteers, or declines with a reason.
#[utoipa::path(post, path = "/api/v1/dispatches/{id}/teams/{team_id}/answer", tag = "dispatches", request_body = AnswerInput,
    responses((status = 200, body = DispatchTeam)))]
pub async fn answer(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, team_id)): Path<(i64, i64)>,
    Json(input): Json<AnswerInput>,
) -> AppResult<Json<DispatchTeam>> {
    Ok(Json(service::answer(&state.db, &ctx, id, team_id, &input).await?))
}

/// The district approves a decline or rejects it (the team answers again).
#[utoipa::path(post, path = "/api/v1/dispatches/{id}/teams/{team_id}/review", tag = "dispatches", request_body = ReviewInput,
    responses((status = 200, body = DispatchTeam)))]
pub async fn review(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, team_id)): Path<(i64, i64)>,
    Json(input): Json<ReviewInput>,
) -> AppResult<Json<DispatchTeam>> {
    Ok(Json(service::review(&state.db, &ctx, id, team_id, &input).await?))
}
