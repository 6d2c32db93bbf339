//! The monthly statistics' JSON API and the form's download.

use axum::extract::{Query, State};
use axum::response::Response;
use axum::Json;

use super::service::{self, MonthlyParams};
use crate::db::monthly::Monthly;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::Ctx;

/// The month's figures and the paragraph for publicity (the district's own, a street's or a
/// unit's; `month` is `YYYY-MM`).
#[utoipa::path(get, path = "/api/v1/stats/monthly", tag = "monthly", params(MonthlyParams),
    responses((status = 200, body = Monthly)))]
pub async fn monthly(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<MonthlyParams>,
) -> AppResult<Json<Monthly>> {
    Ok(Json(service::report(&state.db, &ctx, &params).await?))
}

/// The month's statistics form (月报表) as .xlsx (written to the audit trail as an export).
#[utoipa::path(get, path = "/api/v1/stats/monthly.xlsx", tag = "monthly", params(MonthlyParams),
    responses((status = 200, description = "The form (.xlsx)", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn xlsx(State(state): State<AppState>, ctx: Ctx, Query(params): Query<MonthlyParams>) -> AppResult<Response> {
    let (bytes, name) = service::export(&state.db, &ctx, &params).await?;
    Ok(crate::web::download::download(bytes, "monthly.xlsx", &name))
}
