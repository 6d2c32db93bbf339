//! account: the HTML pages.

use axum::extract::{Query, State};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde::Deserialize;

use super::service;
use super::{LangInput, LoginInput, PasswordInput};
use crate::auth::{self, SessionKind};
use crate::db::users;
use crate::error::{AppError, AppResult, FieldError};
use crate::i18n::Lang;
use crate::state::AppState;
use crate::web::{redirect_with_flash, safe_next, set_cookie, unprocessable, Ctx, LANG_COOKIE, SESSION_COOKIE};

#[derive(Deserialize)]
pub(super) struct NextParam {
    next: Option<String>,
}

pub(super) fn login_view(
    state: &AppState,
    ctx: &Ctx,
    input: &LoginInput,
    error: Option<String>,
    field_errors: &[FieldError],
) -> Response {
    let field_error = |f: &str| field_errors.iter().find(|e| e.field == f).map(|e| e.message(ctx.lang));
    let (username_error, password_error) = (field_error("username"), field_error("password"));
    // After a failed submit the first field in error has the focus (its message is tied to it).
    // A refusal that is about neither field (a wrong password) leaves the focus on the first
    // field, which names the message in its aria-describedby.
    let focus = if password_error.is_some() && username_error.is_none() && error.is_none() {
        "password"
    } else {
        "username"
    };
    let page = minijinja::context! {
        title => ctx.t("login.title"),
        username => input.username.clone().unwrap_or_default(),
        next => safe_next(input.next.as_deref()),
        error => error,
        username_error => username_error,
        password_error => password_error,
        focus => focus,
    };
    ctx.render(state, "account/login.html", page)
}

pub(super) async fn login_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<NextParam>) -> Response {
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

pub(super) async fn login_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: axum::http::HeaderMap,
    Form(input): Form<LoginInput>,
) -> AppResult<Response> {
    let (username, password) = match service::credentials(&input) {
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
                        username: s.username.clone(),
                        ip: ctx.ip.clone(),
                    };
                    let mut tx = state.db.begin().await?;
                    users::set_lang(&mut tx, &actor, s.user_id, chosen.code()).await?;
                    tx.commit().await?;
                }
            }
            // A password reset by an administrator is changed before anything else.
            let mut res = if s.must_change_password {
                redirect_with_flash("/account", "flash.must_change_password", ctx.secure)
            } else {
                (StatusCode::SEE_OTHER, [(LOCATION, safe_next(input.next.as_deref()))]).into_response()
            };
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

pub(super) async fn logout(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    if let Some(p) = &ctx.principal {
        auth::end_session(&state.db, &p.session_id).await?;
    }
    let mut res = (StatusCode::SEE_OTHER, [(LOCATION, "/login")]).into_response();
    res.headers_mut()
        .append(SET_COOKIE, set_cookie(SESSION_COOKIE, "", Some(0), ctx.secure, true));
    Ok(res)
}

pub(super) fn account_view(state: &AppState, ctx: &Ctx, errors: &[FieldError]) -> AppResult<Response> {
    let p = ctx.user()?;
    let field_error = |f: &str| errors.iter().find(|e| e.field == f).map(|e| e.message(ctx.lang));
    let page = minijinja::context! {
        title => ctx.t("account.title"),
        username => p.username, role_label => crate::features::users::role_label(ctx.lang, p.role.as_str()),
        current_error => field_error("current_password"), new_error => field_error("new_password"),
        must_change => p.must_change_password,
        password_hint => ctx.t("hint.password"),
    };
    Ok(ctx.render(state, "account/account.html", page))
}

pub(super) async fn account_page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    account_view(&state, &ctx, &[])
}

pub(super) async fn password_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(input): Form<PasswordInput>,
) -> AppResult<Response> {
    match service::change_password(&state.db, &ctx, &input).await {
        Ok(()) => Ok(redirect_with_flash("/account", "flash.password_changed", ctx.secure)),
        Err(AppError::Validation(errs)) => Ok(unprocessable(account_view(&state, &ctx, &errs)?)),
        Err(e) => Err(e),
    }
}

pub(super) async fn lang_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(input): Form<LangInput>,
) -> AppResult<Response> {
    let lang = service::set_lang(&state.db, &ctx, &input).await?;
    let mut res = (StatusCode::SEE_OTHER, [(LOCATION, safe_next(input.next.as_deref()))]).into_response();
    res.headers_mut().append(
        SET_COOKIE,
        set_cookie(LANG_COOKIE, lang.code(), Some(365 * 86400), ctx.secure, false),
    );
    Ok(res)
}
