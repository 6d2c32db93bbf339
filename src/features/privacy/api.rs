//! The JSON API of erasure: thin handlers.

use axum::extract::{Path, State};
use axum::Json;

use super::service::{erase, notices, ErasureInput};
use crate::db::privacy::{Erasure, ErasureNotice};
use crate::error::AppResult;
use crate::features::volunteers::own_volunteer;
use crate::state::AppState;
use crate::web::Ctx;

/// Withdraw consent and erase one's own volunteer record (PIPL Art. 47): personal fields are
/// erased, the account is closed, hours stay in the figures without the person, certificates
/// still verify as "issued, holder's record withdrawn". Refused (409) while an activity one is
/// signed up for is under way.
#[utoipa::path(post, path = "/api/v1/me/erasure", tag = "volunteers", request_body = ErasureInput,
    responses((status = 200, body = Erasure), (status = 409, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_erase_me(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(input): Json<ErasureInput>,
) -> AppResult<Json<Erasure>> {
    let v = own_volunteer(&state.db, &ctx).await?;
    Ok(Json(erase(&state.db, &ctx, v.id, input.confirm).await?))
}

/// Carry out a volunteer's erasure request received by the district office (district only).
#[utoipa::path(post, path = "/api/v1/volunteers/{id}/erasure", tag = "volunteers", request_body = ErasureInput,
    responses((status = 200, body = Erasure), (status = 403, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_erase(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<ErasureInput>,
) -> AppResult<Json<Erasure>> {
    Ok(Json(erase(&state.db, &ctx, id, input.confirm).await?))
}

/// People on the team's roster whose records were erased on their request.
#[utoipa::path(get, path = "/api/v1/teams/{id}/erasures", tag = "teams", responses((status = 200, body = Vec<ErasureNotice>)))]
pub async fn api_notices(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<ErasureNotice>>> {
    Ok(Json(notices(&state.db, &ctx, id).await?))
}
