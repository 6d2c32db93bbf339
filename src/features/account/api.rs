//! account: the JSON API.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;

use super::service;
use super::{LangInput, LoginInput, Me, PasswordInput, TokenResponse};
use crate::auth::{self, SessionKind};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::Ctx;

/// Sign in with a username (staff) or a mobile number (volunteers); answers a bearer token for
/// the API. With `must_change_password`, only `/api/v1/me/password` (and `me`, `logout`)
/// answers until a new password is set.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", security(()), request_body = LoginInput,
    responses((status = 200, body = TokenResponse), (status = 401, body = crate::error::ErrorBody), (status = 429, body = crate::error::ErrorBody)))]
pub async fn api_login(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(input): Json<LoginInput>,
) -> AppResult<Json<TokenResponse>> {
    let (username, password) = service::credentials(&input)?;
    let s = auth::sign_in(&state.db, &username, &password, SessionKind::Api, &ctx.ip).await?;
    Ok(Json(TokenResponse {
        token: s.token,
        expires_at: s.expires_at,
        must_change_password: s.must_change_password,
    }))
}

/// End the session or token the request carries.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", responses((status = 204)))]
pub async fn api_logout(State(state): State<AppState>, ctx: Ctx) -> AppResult<StatusCode> {
    auth::end_session(&state.db, &ctx.user()?.session_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in account.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", responses((status = 200, body = Me), (status = 401, body = crate::error::ErrorBody)))]
pub async fn api_me(ctx: Ctx) -> AppResult<Json<Me>> {
    let p = ctx.user()?;
    Ok(Json(Me {
        id: p.user_id,
        username: p.username.clone(),
        display_name: p.display_name.clone(),
        role: p.role.as_str().into(),
        street_id: p.street_id,
        community_id: p.community_id,
        unit_id: p.unit_id,
        lang: p.lang.code().into(),
    }))
}

/// Change one's password; every other session of the account ends.
#[utoipa::path(put, path = "/api/v1/me/password", tag = "auth", request_body = PasswordInput,
    responses((status = 204), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_password(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(input): Json<PasswordInput>,
) -> AppResult<StatusCode> {
    service::change_password(&state.db, &ctx, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Choose the language of pages and messages (remembered for the account).
#[utoipa::path(put, path = "/api/v1/me/lang", tag = "auth", request_body = LangInput,
    responses((status = 204), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_lang(State(state): State<AppState>, ctx: Ctx, Json(input): Json<LangInput>) -> AppResult<StatusCode> {
    ctx.user()?;
    service::set_lang(&state.db, &ctx, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}
