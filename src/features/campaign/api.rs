//! The campaign's JSON API.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::board::{self, BoardParams};
use super::service::{self, CampaignInput};
use crate::db::board::Board;
use crate::db::campaigns::Campaign;
use crate::db::list::Page;
use crate::error::AppResult;
use crate::features::PageParams;
use crate::state::AppState;
use crate::web::Ctx;

/// Every campaign year, newest first.
#[utoipa::path(get, path = "/api/v1/campaigns", tag = "campaign", params(PageParams),
    responses((status = 200, body = Page<Campaign>)))]
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(paging): Query<PageParams>,
) -> AppResult<Json<Page<Campaign>>> {
    Ok(Json(paging.page_of(service::list(&state.db, &ctx).await?)))
}

/// Open a campaign year (district admin); it becomes the active one and the previous one is read-only.
/// Milestones left out take the plan's dates.
#[utoipa::path(post, path = "/api/v1/campaigns", tag = "campaign", request_body = CampaignInput,
    responses((status = 201, body = Campaign), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create(State(state): State<AppState>, ctx: Ctx, Json(input): Json<CampaignInput>) -> AppResult<Response> {
    Ok((
        StatusCode::CREATED,
        Json(service::create(&state.db, &ctx, &input).await?),
    )
        .into_response())
}

/// The active campaign.
#[utoipa::path(get, path = "/api/v1/campaigns/active", tag = "campaign", responses((status = 200, body = Campaign)))]
pub async fn active(State(state): State<AppState>, ctx: Ctx) -> AppResult<Json<Campaign>> {
    Ok(Json(service::get_active(&state.db, &ctx).await?))
}

/// Change the active campaign's name or milestones (district admin).
#[utoipa::path(put, path = "/api/v1/campaigns/active", tag = "campaign", request_body = CampaignInput,
    responses((status = 200, body = Campaign), (status = 422, body = crate::error::ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(input): Json<CampaignInput>,
) -> AppResult<Json<Campaign>> {
    Ok(Json(service::update(&state.db, &ctx, &input).await?))
}

/// The milestone board: every unit and community in the caller's scope against each milestone.
#[utoipa::path(get, path = "/api/v1/board", tag = "campaign", params(BoardParams), responses((status = 200, body = Board)))]
pub async fn board(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<BoardParams>,
) -> AppResult<Json<Board>> {
    Ok(Json(board::board(&state.db, &ctx, &params).await?))
}

/// The board as .xlsx (the export is written to the audit trail).
#[utoipa::path(get, path = "/api/v1/board/export.xlsx", tag = "campaign", params(BoardParams),
    responses((status = 200, description = "the board (.xlsx)", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn board_export(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<BoardParams>,
) -> AppResult<Response> {
    let (bytes, name) = board::export(&state.db, &ctx, &params).await?;
    Ok(crate::web::download::download(bytes, "board.xlsx", &name))
}
