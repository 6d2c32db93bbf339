//! Check-ins' HTML page and its forms.

use axum::extract::{Multipart, Path, State};
use axum::response::Response;
use axum::Form;

use super::api::read_plan;
use super::service::{self, may_take, status_key, FileInput, MoveInput};
use crate::auth::policy::Role;
use crate::domain::campaign::date_of;
use crate::domain::checkin::CheckInStep;
use crate::error::{AppError, AppResult, FieldError};
use crate::features::campaign::active;
use crate::state::AppState;
use crate::web::{redirect_with_flash, Ctx};

pub async fn page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let p = ctx.user()?;
    let campaign = active(&state.db).await?;
    let checkins = service::list(&state.db, &ctx).await?;
    let to_file: Vec<_> = service::unfiled(&state.db, &ctx, &campaign, &checkins)
        .await?
        .into_iter()
        .map(|u| minijinja::context! { team_id => u.team.id, team => u.team.name, community_id => u.community_id, community => u.community })
        .collect();
    let rows: Vec<_> = checkins
        .iter()
        .map(|k| {
            let owner = p.role == Role::DistrictAdmin || (p.role == Role::UnitAdmin && k.unit_id == p.unit_id);
            minijinja::context! {
                k => k, status => ctx.t(&status_key(k.status)),
                may_forward => k.status == CheckInStep::Forward.from() && may_take(p, CheckInStep::Forward, k),
                may_confirm => k.status == CheckInStep::Confirm.from() && may_take(p, CheckInStep::Confirm, k),
                may_plan => k.status.may_file_plan() && owner,
                late => k.confirmed_at.map(date_of).is_some_and(|d| d > campaign.checkin_due),
            }
        })
        .collect();
    let page =
        minijinja::context! { title => ctx.t("checkin.title"), rows => rows, to_file => to_file, campaign => campaign };
    Ok(ctx.render(&state, "checkins/checkins.html", page))
}

fn notice(state: &AppState, ctx: &Ctx, errs: &[FieldError]) -> Response {
    ctx.refusal_for(state, "checkin.title", errs, "/checkins")
}

pub async fn file(State(state): State<AppState>, ctx: Ctx, Form(input): Form<FileInput>) -> AppResult<Response> {
    match service::file(&state.db, &ctx, &input).await {
        Ok(_) => Ok(redirect_with_flash("/checkins", "flash.checkin_filed", ctx.secure)),
        Err(AppError::Validation(errs) | AppError::Conflict(errs)) => Ok(notice(&state, &ctx, &errs)),
        Err(e) => Err(e),
    }
}

pub async fn move_on(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<MoveInput>,
) -> AppResult<Response> {
    match service::move_on(&state.db, &ctx, id, &input).await {
        Ok(k) => Ok(redirect_with_flash(
            "/checkins",
            &format!("flash.checkin_{}", k.status.as_str()),
            ctx.secure,
        )),
        Err(AppError::Validation(errs) | AppError::Conflict(errs)) => Ok(notice(&state, &ctx, &errs)),
        Err(e) => Err(e),
    }
}

pub async fn plan(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> AppResult<Response> {
    let result = match read_plan(multipart).await {
        Ok((text, f)) => service::file_plan(&state, &ctx, id, &text, f).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(redirect_with_flash("/checkins", "flash.plan_filed", ctx.secure)),
        Err(AppError::Validation(errs) | AppError::Conflict(errs)) => Ok(notice(&state, &ctx, &errs)),
        Err(e) => Err(e),
    }
}

pub async fn registration(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> AppResult<Response> {
    let (bytes, dry_run, _) = crate::web::upload::read_upload(multipart).await?;
    if bytes.is_empty() {
        return Ok(notice(&state, &ctx, &[FieldError::new("file", "err.no_file")]));
    }
    let dry_run = dry_run.is_some_and(|v| v == "true");
    let report = match service::import_registration(&state, &ctx, id, &bytes, dry_run).await {
        Ok(r) => r,
        Err(AppError::Validation(errs)) => return Ok(notice(&state, &ctx, &errs)),
        Err(e) => return Err(e),
    };
    if report.errors.is_empty() {
        let flash = if dry_run {
            "flash.form_checked"
        } else {
            "flash.checkin_filed"
        };
        return Ok(redirect_with_flash(&format!("/teams/{id}"), flash, ctx.secure));
    }
    Ok(ctx.refusal(
        &state,
        "checkin.title",
        report.messages(ctx.lang),
        &format!("/teams/{id}"),
    ))
}
