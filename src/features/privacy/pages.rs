//! The pages of erasure: the person's own request, and the district carrying out one received.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::Form;
use serde::Deserialize;

use super::service::{erase, staff_may_erase};
use crate::db::privacy::{self as privacy_store, Erasure};
use crate::db::volunteers::{self as store, Volunteer};
use crate::error::{AppError, AppResult};
use crate::features::volunteers::own_volunteer;
use crate::state::AppState;
use crate::web::{redirect_with_flash, Ctx};

#[derive(Deserialize)]
pub struct ErasureForm {
    pub confirm: Option<String>,
}

fn erasure_page(
    state: &AppState,
    ctx: &Ctx,
    v: &Volunteer,
    busy: &[(i64, String)],
    action: &str,
    back: &str,
) -> Response {
    let busy: Vec<String> = busy.iter().map(|(_, t)| t.clone()).collect();
    let page = minijinja::context! {
        title => ctx.t("erasure.title"), v => v, busy => busy, action => action, back => back,
        own => v.user_id.is_some() && ctx.principal.as_ref().map(|p| p.user_id) == v.user_id,
    };
    ctx.render(state, "privacy/erasure.html", page)
}

pub async fn page_erasure_me(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let v = own_volunteer(&state.db, &ctx).await?;
    let busy = privacy_store::activities_under_way(&state.db, v.id).await?;
    Ok(erasure_page(&state, &ctx, &v, &busy, "/me/erasure", "/me/record"))
}

pub async fn page_erasure(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    if !staff_may_erase(&ctx) {
        ctx.user()?;
        return Err(AppError::Forbidden);
    }
    let v = store::get_volunteer(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let busy = privacy_store::activities_under_way(&state.db, v.id).await?;
    let (action, back) = (format!("/volunteers/{id}/erasure"), format!("/volunteers/{id}"));
    Ok(erasure_page(&state, &ctx, &v, &busy, &action, &back))
}

fn outcome(
    state: &AppState,
    ctx: &Ctx,
    result: AppResult<Erasure>,
    done: &str,
    flash: &str,
    back: &str,
) -> AppResult<Response> {
    match result {
        Ok(_) => Ok(redirect_with_flash(done, flash, ctx.secure)),
        Err(AppError::Validation(errs) | AppError::Conflict(errs)) => {
            Ok(ctx.refusal_for(state, "erasure.refused", &errs, back))
        }
        Err(e) => Err(e),
    }
}

pub async fn page_erase_me(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(input): Form<ErasureForm>,
) -> AppResult<Response> {
    let v = own_volunteer(&state.db, &ctx).await?;
    let result = erase(&state.db, &ctx, v.id, input.confirm.is_some()).await;
    // The session has ended with the account: back to the sign-in page.
    outcome(&state, &ctx, result, "/login", "flash.erased", "/me/erasure")
}

pub async fn page_erase(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<ErasureForm>,
) -> AppResult<Response> {
    let result = erase(&state.db, &ctx, id, input.confirm.is_some()).await;
    let back = format!("/volunteers/{id}/erasure");
    outcome(
        &state,
        &ctx,
        result,
        &format!("/volunteers/{id}"),
        "flash.erased_staff",
        &back,
    )
}
