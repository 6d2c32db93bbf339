//! recovery: the HTML pages. Asking for a code shows the page to enter it at once (the phone or
//! address stays in the form, not in the address bar).

use axum::extract::State;
use axum::response::Response;
use axum::Form;

use super::service::{self, ForgotInput, ResetInput};
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;
use crate::web::{redirect_with_flash, unprocessable, Ctx};

fn field_errors(ctx: &Ctx, errors: &[FieldError]) -> minijinja::Value {
    let map: std::collections::BTreeMap<String, String> =
        errors.iter().map(|e| (e.field.clone(), e.message(ctx.lang))).collect();
    minijinja::Value::from_serialize(&map)
}

fn forgot_view(state: &AppState, ctx: &Ctx, input: &ForgotInput, errors: &[FieldError]) -> Response {
    let page = minijinja::context! {
        title => ctx.t("recovery.title"),
        login => input.login.clone().unwrap_or_default(),
        errors => field_errors(ctx, errors),
    };
    ctx.render(state, "recovery/forgot.html", page)
}

fn reset_view(state: &AppState, ctx: &Ctx, input: &ResetInput, sent: bool, errors: &[FieldError]) -> Response {
    let page = minijinja::context! {
        title => ctx.t("recovery.reset_title"),
        login => input.login.clone().unwrap_or_default(),
        sent => sent,
        errors => field_errors(ctx, errors),
        password_hint => ctx.t("hint.password"),
    };
    ctx.render(state, "recovery/reset.html", page)
}

pub(super) async fn page_forgot(State(state): State<AppState>, ctx: Ctx) -> Response {
    forgot_view(&state, &ctx, &ForgotInput::default(), &[])
}

pub(super) async fn page_forgot_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(input): Form<ForgotInput>,
) -> AppResult<Response> {
    match service::forgot(&state, &ctx, &input).await {
        Ok(_) => {
            let next = ResetInput {
                login: input.login.clone(),
                ..Default::default()
            };
            Ok(reset_view(&state, &ctx, &next, true, &[]))
        }
        Err(AppError::Validation(errs)) => Ok(unprocessable(forgot_view(&state, &ctx, &input, &errs))),
        Err(e) => Err(e),
    }
}

pub(super) async fn page_reset(State(state): State<AppState>, ctx: Ctx) -> Response {
    reset_view(&state, &ctx, &ResetInput::default(), false, &[])
}

pub(super) async fn page_reset_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(input): Form<ResetInput>,
) -> AppResult<Response> {
    match service::reset(&state.db, &ctx, &input).await {
        Ok(()) => Ok(redirect_with_flash("/login", "flash.password_reset", ctx.secure)),
        Err(AppError::Validation(errs)) => {
            let kept = ResetInput {
                login: input.login.clone(),
                ..Default::default()
            };
            Ok(unprocessable(reset_view(&state, &ctx, &kept, false, &errs)))
        }
        Err(e) => Err(e),
    }
}
