//! Compliance's JSON API.

use axum::extract::{Path, Query, State};
use axum::Json;

use super::service::{self, GridParams};
use crate::db::compliance::{Grid, OrgCompliance};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::Ctx;

/// The month-by-unit grid (the district all; a street its units and communities; a unit itself).
#[utoipa::path(get, path = "/api/v1/compliance", tag = "compliance", params(GridParams), responses((status = 200, body = Grid)))]
pub async fn grid(State(state): State<AppState>, ctx: Ctx, Query(params): Query<GridParams>) -> AppResult<Json<Grid>> {
    Ok(Json(service::grid(&state.db, &ctx, &params).await?))
}

/// One unit's months.
#[utoipa::path(get, path = "/api/v1/units/{id}/compliance", tag = "compliance", responses((status = 200, body = OrgCompliance)))]
pub async fn unit(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<OrgCompliance>> {
    Ok(Json(service::unit(&state.db, &ctx, id).await?))
}
