//! Signing in and out, one's own account: password and language.

use axum::extract::{Query, State};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{self, hash_password_blocking, password_problem, SessionKind};
use crate::db::users;
use crate::error::{AppError, AppResult, FieldError};
use crate::i18n::Lang;
use crate::state::AppState;
use crate::web::{redirect_with_flash, safe_next, set_cookie, unprocessable, Ctx, LANG_COOKIE, SESSION_COOKIE};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/login", get(login_page).post(login_submit))
        .route("/logout", post(logout))
        .route("/account", get(account_page))
        .route("/account/password", post(password_submit))
        .route("/lang", post(lang_submit))
        .routes(routes!(api_login))
        .routes(routes!(api_logout))
        .routes(routes!(api_me))
        .routes(routes!(api_password))
        .routes(routes!(api_lang))
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct LoginInput {
    pub username: Option<String>,
    pub password: Option<String>,
    /// Where to go after signing in (pages only).
    #[serde(default)]
    #[schema(ignore)]
    pub next: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    /// Seconds since the Unix epoch.
    pub expires_at: i64,
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct PasswordInput {
    pub current_password: Option<String>,
    pub new_password: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct LangInput {
    /// `zh-CN` or `en`.
    pub lang: Option<String>,
    #[serde(default)]
    #[schema(ignore)]
    pub next: Option<String>,
}

/// Who the caller is.
#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub street_id: Option<i64>,
    pub community_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub lang: String,
}

fn credentials(input: &LoginInput) -> AppResult<(String, String)> {
    let mut errors = vec![];
    let username = input.username.clone().unwrap_or_default();
    let password = input.password.clone().unwrap_or_default();
    if username.trim().is_empty() {
        errors.push(FieldError::new("username", "err.required"));
    }
    if password.is_empty() {
        errors.push(FieldError::new("password", "err.required"));
    }
    super::validated(errors)?;
    Ok((username, password))
}

/// Sign in; answers a bearer token for the API.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", security(()), request_body = LoginInput,
    responses((status = 200, body = TokenResponse), (status = 401, body = crate::error::ErrorBody), (status = 429, body = crate::error::ErrorBody)))]
pub async fn api_login(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(input): Json<LoginInput>,
) -> AppResult<Json<TokenResponse>> {
    let (username, password) = credentials(&input)?;
    let s = auth::sign_in(&state.db, &username, &password, SessionKind::Api, &ctx.ip).await?;
    Ok(Json(TokenResponse {
        token: s.token,
        expires_at: s.expires_at,
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

pub async fn change_password(state: &AppState, ctx: &Ctx, input: &PasswordInput) -> AppResult<()> {
    let p = ctx.user()?;
    let current = input.current_password.clone().unwrap_or_default();
    let new = input.new_password.clone().unwrap_or_default();
    let ok = auth::check_current_password(&state.db, p.user_id, &p.username, &ctx.ip, current).await?;
    let mut errors = vec![];
    if !ok {
        errors.push(FieldError::new("current_password", "err.current_password"));
    }
    if new.is_empty() {
        errors.push(FieldError::new("new_password", "err.required"));
    } else if let Some(mut problem) = password_problem(&new, &p.username) {
        problem.field = "new_password".into();
        errors.push(problem);
    }
    super::validated(errors)?;
    let hash = hash_password_blocking(new).await?;
    let mut tx = state.db.begin().await?;
    users::set_password(&mut tx, &ctx.actor(), p.user_id, &hash, Some(&p.session_id)).await?;
    tx.commit().await?;
    Ok(())
}

/// Change one's password; every other session of the account ends.
#[utoipa::path(put, path = "/api/v1/me/password", tag = "auth", request_body = PasswordInput,
    responses((status = 204), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_password(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(input): Json<PasswordInput>,
) -> AppResult<StatusCode> {
    change_password(&state, &ctx, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn set_lang(state: &AppState, ctx: &Ctx, input: &LangInput) -> AppResult<Lang> {
    let lang = match input.lang.as_deref() {
        Some("zh-CN") | Some("zh") => Lang::Zh,
        Some("en") => Lang::En,
        _ => return Err(AppError::field("lang", "err.lang")),
    };
    if let Some(p) = &ctx.principal {
        let mut tx = state.db.begin().await?;
        users::set_lang(&mut tx, &ctx.actor(), p.user_id, lang.code()).await?;
        tx.commit().await?;
    }
    Ok(lang)
}

/// Choose the language of pages and messages (remembered for the account).
#[utoipa::path(put, path = "/api/v1/me/lang", tag = "auth", request_body = LangInput,
    responses((status = 204), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_lang(State(state): State<AppState>, ctx: Ctx, Json(input): Json<LangInput>) -> AppResult<StatusCode> {
    ctx.user()?;
    set_lang(&state, &ctx, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct NextParam {
    next: Option<String>,
}

fn login_view(
    state: &AppState,
    ctx: &Ctx,
    input: &LoginInput,
    error: Option<String>,
    field_errors: &[FieldError],
) -> Response {
    let field_error = |f: &str| field_errors.iter().find(|e| e.field == f).map(|e| e.message(ctx.lang));
    let page = minijinja::context! {
        title => ctx.t("login.title"),
        username => input.username.clone().unwrap_or_default(),
        next => safe_next(input.next.as_deref()),
        error => error,
        username_error => field_error("username"),
        password_error => field_error("password"),
    };
    ctx.render(state, "login.html", page)
}

async fn login_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<NextParam>) -> Response {
    if ctx.principal.is_some() {
        return (StatusCode::SEE_OTHER, [(LOCATION, safe_next(q.next.as_deref()))]).into_response();
    }
    login_view(
        &state,
        &ctx,
        &LoginInput {
            next: q.next,
            ..Default::default()
        },
        None,
        &[],
    )
}

async fn login_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: axum::http::HeaderMap,
    Form(input): Form<LoginInput>,
) -> AppResult<Response> {
    let (username, password) = match credentials(&input) {
        Ok(c) => c,
        Err(AppError::Validation(errs)) => return Ok(unprocessable(login_view(&state, &ctx, &input, None, &errs))),
        Err(e) => return Err(e),
    };
    match auth::sign_in(&state.db, &username, &password, SessionKind::Web, &ctx.ip).await {
        Ok(s) => {
            // A language picked on this browser while signed out wins over the stored one, and
            // is remembered for the account.
            if let Some(chosen) = crate::web::cookie(&headers, LANG_COOKIE).map(|c| Lang::parse(&c)) {
                if chosen != s.lang {
                    let actor = crate::db::audit::Actor {
                        user_id: Some(s.user_id),
                        username: username.trim().to_lowercase(),
                        ip: ctx.ip.clone(),
                    };
                    let mut tx = state.db.begin().await?;
                    users::set_lang(&mut tx, &actor, s.user_id, chosen.code()).await?;
                    tx.commit().await?;
                }
            }
            let mut res = (StatusCode::SEE_OTHER, [(LOCATION, safe_next(input.next.as_deref()))]).into_response();
            let age = auth::WEB_MAX_SECS;
            res.headers_mut().append(
                SET_COOKIE,
                set_cookie(SESSION_COOKIE, &s.token, Some(age), ctx.secure, true),
            );
            Ok(res)
        }
        Err(e @ (AppError::BadCredentials | AppError::Locked { .. })) => {
            let status = e.status();
            let info = e.info();
            let msg = crate::i18n::tf(ctx.lang, info.key, &info.params);
            let mut res = login_view(
                &state,
                &ctx,
                &LoginInput {
                    password: None,
                    ..input
                },
                Some(msg),
                &[],
            );
            *res.status_mut() = status;
            Ok(res)
        }
        Err(e) => Err(e),
    }
}

async fn logout(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    if let Some(p) = &ctx.principal {
        auth::end_session(&state.db, &p.session_id).await?;
    }
    let mut res = (StatusCode::SEE_OTHER, [(LOCATION, "/login")]).into_response();
    res.headers_mut()
        .append(SET_COOKIE, set_cookie(SESSION_COOKIE, "", Some(0), ctx.secure, true));
    Ok(res)
}

fn account_view(state: &AppState, ctx: &Ctx, errors: &[FieldError]) -> AppResult<Response> {
    let p = ctx.user()?;
    let field_error = |f: &str| errors.iter().find(|e| e.field == f).map(|e| e.message(ctx.lang));
    let page = minijinja::context! {
        title => ctx.t("account.title"),
        username => p.username, role_label => super::users::role_label(ctx.lang, p.role.as_str()),
        current_error => field_error("current_password"), new_error => field_error("new_password"),
        password_hint => ctx.t("hint.password"),
    };
    Ok(ctx.render(state, "account.html", page))
}

async fn account_page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    account_view(&state, &ctx, &[])
}

async fn password_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(input): Form<PasswordInput>,
) -> AppResult<Response> {
    match change_password(&state, &ctx, &input).await {
        Ok(()) => Ok(redirect_with_flash("/account", "flash.password_changed", ctx.secure)),
        Err(AppError::Validation(errs)) => Ok(unprocessable(account_view(&state, &ctx, &errs)?)),
        Err(e) => Err(e),
    }
}

async fn lang_submit(State(state): State<AppState>, ctx: Ctx, Form(input): Form<LangInput>) -> AppResult<Response> {
    let lang = set_lang(&state, &ctx, &input).await?;
    let mut res = (StatusCode::SEE_OTHER, [(LOCATION, safe_next(input.next.as_deref()))]).into_response();
    res.headers_mut().append(
        SET_COOKIE,
        set_cookie(LANG_COOKIE, lang.code(), Some(365 * 86400), ctx.secure, false),
    );
    Ok(res)
}
