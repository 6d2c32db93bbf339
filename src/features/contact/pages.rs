//! contact: the page under `/me`. Asking for a code shows the field to enter it at once.

use axum::extract::State;
use axum::response::Response;
use axum::Form;
use serde::Deserialize;

use super::service::{self, ChangeInput, ConfirmInput};
use crate::domain::notification::ContactChannel;
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;
use crate::web::{redirect_with_flash, unprocessable, Ctx};

/// The page's two forms: which one was sent (`email` or `phone`) and its value.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ChangeForm {
    pub channel: Option<String>,
    pub value: Option<String>,
}

async fn view(state: &AppState, ctx: &Ctx, code_for: Option<&str>, errors: &[FieldError]) -> AppResult<Response> {
    let c = service::contact(&state.db, ctx).await?;
    let map: std::collections::BTreeMap<String, String> =
        errors.iter().map(|e| (e.field.clone(), e.message(ctx.lang))).collect();
    let page = minijinja::context! {
        title => ctx.t("contact.title"), email => c.email, phone => c.phone,
        code_for => code_for, errors => minijinja::Value::from_serialize(&map),
    };
    let r = ctx.render(state, "contact/contact.html", page);
    Ok(if errors.is_empty() { r } else { unprocessable(r) })
}

pub(super) async fn page_contact(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.user()?;
    view(&state, &ctx, None, &[]).await
}

pub(super) async fn page_change(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<ChangeForm>,
) -> AppResult<Response> {
    let value = f.value.clone().unwrap_or_default();
    let input = match f.channel.as_deref().and_then(ContactChannel::parse) {
        Some(ContactChannel::Phone) => ChangeInput {
            phone: Some(value),
            ..Default::default()
        },
        Some(ContactChannel::Email) => ChangeInput {
            email: Some(value),
            ..Default::default()
        },
        None => {
            let e = FieldError::new("channel", "err.notify_choice");
            return view(&state, &ctx, None, &[e]).await;
        }
    };
    match service::request(&state, &ctx, &input).await {
        Ok(r) if r.code_sent => view(&state, &ctx, Some(&r.channel), &[]).await,
        Ok(_) => Ok(redirect_with_flash("/me/contact", "flash.saved", ctx.secure)),
        Err(AppError::Validation(errs)) => view(&state, &ctx, None, &errs).await,
        Err(e) => Err(e),
    }
}

pub(super) async fn page_confirm(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(input): Form<ConfirmInput>,
) -> AppResult<Response> {
    match service::confirm(&state.db, &ctx, &input).await {
        Ok(_) => Ok(redirect_with_flash("/me/contact", "flash.contact_saved", ctx.secure)),
        Err(AppError::Validation(errs)) => {
            let channel = input.channel.as_deref().and_then(ContactChannel::parse);
            view(&state, &ctx, channel.map(ContactChannel::as_str), &errs).await
        }
        Err(e) => Err(e),
    }
}
