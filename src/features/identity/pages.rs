//! The pages of proving who one is (the code) and of a team deciding proposed corrections.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Form;

use super::service::{decide_correction, prove, resend, status, CodeInput, CorrectionDecision, LinkStatus};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::{self, Ctx};

fn render_link(state: &AppState, ctx: &Ctx, s: &LinkStatus, error: Option<String>) -> Response {
    let typed: Vec<(String, String)> = s
        .typed
        .as_object()
        .map(|o| {
            o.iter()
                .filter(|(k, _)| !matches!(k.as_str(), "consent" | "id_consent" | "guardian_consent"))
                .map(|(k, v)| {
                    (
                        ctx.t(&format!("field.{k}")),
                        v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let page = minijinja::context! {
        title => ctx.t("link.title"), by_code => s.by_code, typed => typed, error => error,
    };
    ctx.render(state, "identity/link.html", page)
}

pub async fn link_page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let (s, _) = status(&state.db, &ctx).await?;
    if !s.pending {
        return Ok(web::redirect_with_flash("/me/record", "flash.link_done", ctx.secure));
    }
    Ok(render_link(&state, &ctx, &s, None))
}

pub async fn link_submit(State(state): State<AppState>, ctx: Ctx, Form(input): Form<CodeInput>) -> AppResult<Response> {
    match prove(&state.db, &ctx, &input).await {
        Ok(_) => Ok(web::redirect_with_flash("/me/record", "flash.link_done", ctx.secure)),
        Err(AppError::Validation(errs)) => {
            let (s, _) = status(&state.db, &ctx).await?;
            let msg = errs.first().map(|e| e.message(ctx.lang));
            Ok(web::unprocessable(render_link(&state, &ctx, &s, msg)))
        }
        Err(e) => Err(e),
    }
}

pub async fn resend_submit(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let sent = resend(&state, &ctx).await?;
    let flash = if sent { "flash.code_sent" } else { "err.link_no_phone" };
    Ok(web::redirect_with_flash("/me/link", flash, ctx.secure))
}

pub async fn correction_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, cid)): Path<(i64, i64)>,
    Form(input): Form<CorrectionDecision>,
) -> AppResult<Response> {
    decide_correction(&state.db, &ctx, id, cid, &input).await?;
    Ok(web::redirect_with_flash(&format!("/teams/{id}"), "flash.saved", ctx.secure).into_response())
}
