//! The needs' JSON API.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::public::{self, Asked, Tracked, WallNeed, WallParams};
use super::service::{
    self, AnswerInput, CancelInput, DispatchInput, NeedInput, NeedLine, NeedParams, NeedView, RateInput, ReviewInput,
};
use crate::db::list::Page;
use crate::db::needs::TeamFigures;
use crate::domain::need::NeedTimers;
use crate::error::AppResult;
use crate::features::PageParams;
use crate::state::AppState;
use crate::web::Ctx;

/// The needs the caller may see (the district all, a street its area, a community its own, a
/// unit those sent to its teams and those open for claim), overdue first.
#[utoipa::path(get, path = "/api/v1/needs", tag = "needs", params(NeedParams, PageParams),
    responses((status = 200, body = Page<NeedLine>)))]
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<NeedParams>,
    Query(paging): Query<PageParams>,
) -> AppResult<Json<Page<NeedLine>>> {
    Ok(Json(paging.page_of(service::list(&state.db, &ctx, &params).await?)))
}

/// Community staff (or their street, or the district) post a need (点单).
#[utoipa::path(post, path = "/api/v1/needs", tag = "needs", request_body = NeedInput,
    responses((status = 201, body = NeedView)))]
pub async fn create(State(state): State<AppState>, ctx: Ctx, Json(input): Json<NeedInput>) -> AppResult<Response> {
    let v = service::post(&state.db, &ctx, &input).await?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

/// A need with its timeline, ratings, timer and the moves the caller may make.
#[utoipa::path(get, path = "/api/v1/needs/{id}", tag = "needs", responses((status = 200, body = NeedView)))]
pub async fn get(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<NeedView>> {
    Ok(Json(service::view(&state.db, &ctx, id).await?))
}

/// The community publishes a posted need, or closes it with a reason.
#[utoipa::path(post, path = "/api/v1/needs/{id}/review", tag = "needs", request_body = ReviewInput,
    responses((status = 200, body = NeedView)))]
pub async fn review(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<ReviewInput>,
) -> AppResult<Json<NeedView>> {
    Ok(Json(service::review(&state.db, &ctx, id, &input).await?))
}

/// The street or the district dispatches a need to a team (派单), re-dispatches it, or opens it
/// for any team to claim (`{"open": true}`).
#[utoipa::path(post, path = "/api/v1/needs/{id}/dispatch", tag = "needs", request_body = DispatchInput,
    responses((status = 200, body = NeedView)))]
pub async fn dispatch(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<DispatchInput>,
) -> AppResult<Json<NeedView>> {
    Ok(Json(service::dispatch(&state.db, &ctx, id, &input).await?))
}

/// The dispatcher takes a need back to the queue, with a reason.
#[utoipa::path(post, path = "/api/v1/needs/{id}/cancel", tag = "needs", request_body = CancelInput,
    responses((status = 200, body = NeedView)))]
pub async fn cancel(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<CancelInput>,
) -> AppResult<Json<NeedView>> {
    Ok(Json(service::cancel(&state.db, &ctx, id, &input).await?))
}

/// A team accepts or declines a need dispatched to it, or claims an open one (接单); accepting
/// or claiming makes a draft activity in the community, linked to the need.
#[utoipa::path(post, path = "/api/v1/needs/{id}/answer", tag = "needs", request_body = AnswerInput,
    responses((status = 200, body = NeedView)))]
pub async fn answer(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<AnswerInput>,
) -> AppResult<Json<NeedView>> {
    Ok(Json(service::answer(&state.db, &ctx, id, &input).await?))
}

/// The community rates a fulfilled need once (评单): 1–5 stars and a comment; again is 409.
#[utoipa::path(post, path = "/api/v1/needs/{id}/rate", tag = "needs", request_body = RateInput,
    responses((status = 200, body = NeedView), (status = 409, body = crate::error::ErrorBody)))]
pub async fn rate(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<RateInput>,
) -> AppResult<Json<NeedView>> {
    Ok(Json(service::rate(&state.db, &ctx, id, &input).await?))
}

/// Per team: needs received, accepted, declined, fulfilled, median response time, average rating.
#[utoipa::path(get, path = "/api/v1/needs/figures", tag = "needs", params(PageParams),
    responses((status = 200, body = Page<TeamFigures>)))]
pub async fn figures(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(paging): Query<PageParams>,
) -> AppResult<Json<Page<TeamFigures>>> {
    Ok(Json(paging.page_of(service::team_figures(&state.db, &ctx).await?)))
}

/// How long each step may wait, in working days.
#[utoipa::path(get, path = "/api/v1/needs/timers", tag = "needs", responses((status = 200, body = NeedTimers)))]
pub async fn get_timers(State(state): State<AppState>, ctx: Ctx) -> AppResult<Json<NeedTimers>> {
    ctx.user()?;
    Ok(Json(service::timers(&state.db).await?))
}

/// The district sets the timers (1–30 working days each).
#[utoipa::path(put, path = "/api/v1/needs/timers", tag = "needs", request_body = NeedTimers,
    responses((status = 200, body = NeedTimers)))]
pub async fn set_timers(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(input): Json<NeedTimers>,
) -> AppResult<Json<NeedTimers>> {
    Ok(Json(service::set_timers(&state.db, &ctx, &input).await?))
}

/// Public: a resident posts a need (consent required; rate-limited); the answer holds the
/// private link to follow and later rate it.
#[utoipa::path(post, path = "/api/v1/needs/ask", tag = "needs", security(()), request_body = NeedInput,
    responses((status = 201, body = Asked), (status = 422, body = crate::error::ErrorBody)))]
pub async fn ask(State(state): State<AppState>, ctx: Ctx, Json(input): Json<NeedInput>) -> AppResult<Response> {
    let a = public::ask(&state.db, &ctx, &input).await?;
    Ok((StatusCode::CREATED, Json(a)).into_response())
}

/// Public: the need wall — published needs not yet fulfilled, without any contact.
#[utoipa::path(get, path = "/api/v1/needs/wall", tag = "needs", security(()), params(WallParams, PageParams),
    responses((status = 200, body = Page<WallNeed>)))]
pub async fn wall(
    State(state): State<AppState>,
    Query(params): Query<WallParams>,
    Query(paging): Query<PageParams>,
) -> AppResult<Json<Page<WallNeed>>> {
    Ok(Json(paging.page_of(public::wall(&state.db, &params).await?)))
}

/// Public: the need behind a resident's private link.
#[utoipa::path(get, path = "/api/v1/needs/track/{token}", tag = "needs", security(()),
    params(("token" = String, Path, description = "The token of the resident's link")),
    responses((status = 200, body = Tracked)))]
pub async fn track(State(state): State<AppState>, Path(token): Path<String>) -> AppResult<Json<Tracked>> {
    Ok(Json(public::track(&state.db, &token).await?))
}

/// Public: the resident rates their fulfilled need once through their link.
#[utoipa::path(post, path = "/api/v1/needs/track/{token}/rate", tag = "needs", security(()),
    params(("token" = String, Path, description = "The token of the resident's link")), request_body = RateInput,
    responses((status = 200, body = Tracked), (status = 409, body = crate::error::ErrorBody)))]
pub async fn rate_by_link(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    Json(input): Json<RateInput>,
) -> AppResult<Json<Tracked>> {
    Ok(Json(public::rate_by_link(&state.db, &ctx, &token, &input).await?))
}
