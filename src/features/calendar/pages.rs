//! The calendar's HTML page and its two downloads.

use axum::extract::{Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::Form;

use super::service::{self, DayInput};
use crate::auth::policy::{self, Action, Object};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::{redirect_with_flash, Ctx};

pub async fn page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let (campaign, days) = service::list(&state.db, &ctx).await?;
    let may_edit = ctx
        .principal
        .as_ref()
        .is_some_and(|p| policy::allows(p, Action::Update, &Object::Campaign));
    let rows: Vec<_> = days
        .iter()
        .map(|d| minijinja::context! { d => d, weekday => crate::web::labels::weekday(ctx.lang, &d.day), moved => d.day != d.planned_day })
        .collect();
    let page = minijinja::context! { title => ctx.t("calendar.title"), campaign => campaign, rows => rows, may_edit => may_edit };
    Ok(ctx.render(&state, "calendar/calendar.html", page))
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(month): Path<i64>,
    Form(input): Form<DayInput>,
) -> AppResult<Response> {
    match service::update(&state.db, &ctx, month, &input).await {
        Ok(_) => Ok(redirect_with_flash("/calendar", "flash.saved", ctx.secure)),
        Err(AppError::Validation(errs)) => Ok(ctx.refusal_for(&state, "calendar.title", &errs, "/calendar")),
        Err(e) => Err(e),
    }
}

/// The days as an iCalendar feed (public).
pub async fn ics(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let feed = service::ics(&state.db, &ctx).await?;
    Ok(([(CONTENT_TYPE, "text/calendar; charset=utf-8")], feed).into_response())
}

/// The calendar form (附件5) as .xlsx.
pub async fn xlsx(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let (bytes, name) = service::xlsx(&state.db, &ctx).await?;
    Ok(crate::web::download::download(bytes, "calendar.xlsx", &name))
}
