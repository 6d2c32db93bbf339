//! The calendar's JSON API.

use axum::extract::{Path, Query, State};
use axum::Json;

use super::service::{self, DayInput};
use crate::db::calendar::ConcentratedDay;
use crate::db::list::Page;
use crate::error::AppResult;
use crate::features::PageParams;
use crate::state::AppState;
use crate::web::Ctx;

/// The active campaign's concentrated activity days (public).
#[utoipa::path(get, path = "/api/v1/calendar", tag = "calendar", security(()), params(PageParams),
    responses((status = 200, body = Page<ConcentratedDay>)))]
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(paging): Query<PageParams>,
) -> AppResult<Json<Page<ConcentratedDay>>> {
    Ok(Json(paging.page_of(service::list(&state.db, &ctx).await?.1)))
}

/// Move a month's day (a reason is required when it is not the third Saturday) or set its theme.
#[utoipa::path(put, path = "/api/v1/calendar/{month}", tag = "calendar",
    params(("month" = i64, Path, description = "The campaign month (1–12)")), request_body = DayInput,
    responses((status = 200, body = ConcentratedDay), (status = 422, body = crate::error::ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(month): Path<i64>,
    Json(input): Json<DayInput>,
) -> AppResult<Json<ConcentratedDay>> {
    Ok(Json(service::update(&state.db, &ctx, month, &input).await?))
}
