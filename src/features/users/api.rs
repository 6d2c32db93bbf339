//! users: the JSON API (thin handlers over [`super::service`]).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::service;
use super::AccountInput;
use crate::db::list::Page;
use crate::db::users::Account;
use crate::error::AppResult;
use crate::features::ListParams;
use crate::state::AppState;
use crate::web::Ctx;

/// List the accounts the caller may see (a street: its communities' staff).
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(ListParams), responses((status = 200, body = Page<Account>)))]
pub async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<ListParams>,
) -> AppResult<Json<Page<Account>>> {
    Ok(Json(service::list(&state.db, &ctx, &params).await?))
}

/// One account.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", responses((status = 200, body = Account)))]
pub async fn api_get(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Account>> {
    Ok(Json(service::get_one(&state.db, &ctx, id).await?))
}

/// Create an account.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = AccountInput,
    responses((status = 201, body = Account), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_create(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(input): Json<AccountInput>,
) -> AppResult<Response> {
    Ok((
        StatusCode::CREATED,
        Json(service::create(&state.db, &ctx, &input).await?),
    )
        .into_response())
}

/// Replace an account's fields; a `password` sets a new one and ends the account's sessions.
#[utoipa::path(put, path = "/api/v1/users/{id}", tag = "users", request_body = AccountInput,
    responses((status = 200, body = Account), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<AccountInput>,
) -> AppResult<Json<Account>> {
    Ok(Json(service::update(&state.db, &ctx, id, &input).await?))
}

/// Delete an account.
#[utoipa::path(delete, path = "/api/v1/users/{id}", tag = "users", responses((status = 204)))]
pub async fn api_delete(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<StatusCode> {
    service::delete(&state.db, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Reset an account's password to a temporary one, shown only in this answer (an administrator
/// who manages the account: the district any, a street its communities' staff). The account's
/// sessions end and its holder must choose a new password at the next sign-in.
#[utoipa::path(post, path = "/api/v1/users/{id}/password", tag = "users",
    responses((status = 200, body = service::TemporaryPassword), (status = 403, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn api_reset_password(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Json<service::TemporaryPassword>> {
    Ok(Json(service::reset_password(&state.db, &ctx, id).await?))
}
