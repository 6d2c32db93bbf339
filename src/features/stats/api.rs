//! The kept figures as JSON.

use axum::extract::{Query, State};
use axum::Json;

use super::service::{self, Stats, StatsParams};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::Ctx;

/// The kept figures of the caller's scope (the district all, or a street or unit it names; a
/// street its own, or a unit paired into it; a unit its own): by `month`, `category`, `street`,
/// `form` (activities held, confirmed attendances, minutes), `status` (activities), `star` and
/// `roster` (people), `milestone` (organisations) and the district's `total`.
#[utoipa::path(get, path = "/api/v1/stats", tag = "stats", params(StatsParams),
    responses((status = 200, body = Stats)))]
pub async fn stats(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<StatsParams>,
) -> AppResult<Json<Stats>> {
    Ok(Json(service::stats(&state.db, &ctx, &params).await?))
}
