//! contact: the JSON API.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;

use super::service::{self, ChangeInput, ChangeRequested, ConfirmInput, Contact};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::Ctx;

/// The caller's e-mail address and mobile number (where every message goes).
#[utoipa::path(get, path = "/api/v1/me/contact", tag = "auth", responses((status = 200, body = Contact)))]
pub async fn get_contact(State(state): State<AppState>, ctx: Ctx) -> AppResult<Json<Contact>> {
    Ok(Json(service::contact(&state.db, &ctx).await?))
}

/// Change one address (`{"email": …}` or `{"phone": …}`): a one-time code goes to the new one,
/// to be confirmed at `/api/v1/me/contact/confirm`; an empty value removes the address at once.
#[utoipa::path(post, path = "/api/v1/me/contact", tag = "auth", request_body = ChangeInput,
    responses((status = 202, body = ChangeRequested), (status = 422, body = crate::error::ErrorBody),
        (status = 429, body = crate::error::ErrorBody)))]
pub async fn change_contact(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(input): Json<ChangeInput>,
) -> AppResult<(StatusCode, Json<ChangeRequested>)> {
    Ok((
        StatusCode::ACCEPTED,
        Json(service::request(&state, &ctx, &input).await?),
    ))
}

/// Set the new address with the code it received.
#[utoipa::path(post, path = "/api/v1/me/contact/confirm", tag = "auth", request_body = ConfirmInput,
    responses((status = 200, body = Contact), (status = 422, body = crate::error::ErrorBody)))]
pub async fn confirm_contact(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(input): Json<ConfirmInput>,
) -> AppResult<Json<Contact>> {
    Ok(Json(service::confirm(&state.db, &ctx, &input).await?))
}
