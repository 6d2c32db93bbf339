//! The JSON API of teams, rosters and managers: thin handlers over the service functions.

use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::members::{self, MemberView, VolunteerInput};
use super::roster::{self, ImportParams};
use super::service::{self, ManagerInput, ReviewInput, TeamInput, TeamListParams};
use crate::db::list::Page;
use crate::db::managers::Manager;
use crate::db::teams::Team;
use crate::error::AppResult;
use crate::excel::{self, ImportReport};
use crate::features::volunteers::RevealParam;
use crate::state::AppState;
use crate::web::Ctx;

/// Teams of the active campaign that the caller may see.
#[utoipa::path(get, path = "/api/v1/teams", tag = "teams", params(TeamListParams), responses((status = 200, body = Page<Team>)))]
pub async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<TeamListParams>,
) -> AppResult<Json<Page<Team>>> {
    let paging = crate::features::PageParams {
        page: params.page,
        per_page: params.per_page,
    };
    Ok(Json(paging.page_of(service::list(&state.db, &ctx, &params).await?)))
}

/// Register a team (a unit's staff for their unit, a community's for theirs; the district or a
/// street names the org).
#[utoipa::path(post, path = "/api/v1/teams", tag = "teams", request_body = TeamInput,
    responses((status = 201, body = Team), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_create(State(state): State<AppState>, ctx: Ctx, Json(input): Json<TeamInput>) -> AppResult<Response> {
    Ok((
        StatusCode::CREATED,
        Json(service::create(&state.db, &ctx, &input).await?),
    )
        .into_response())
}

/// One team.
#[utoipa::path(get, path = "/api/v1/teams/{id}", tag = "teams", responses((status = 200, body = Team)))]
pub async fn api_get(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Team>> {
    Ok(Json(service::load(&state.db, &ctx, id).await?.0))
}

/// Change a team's name, 负责人, 联系人, categories or founding date.
#[utoipa::path(put, path = "/api/v1/teams/{id}", tag = "teams", request_body = TeamInput,
    responses((status = 200, body = Team), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<TeamInput>,
) -> AppResult<Json<Team>> {
    Ok(Json(service::update(&state.db, &ctx, id, &input).await?))
}

/// The roster, masked; with `reveal=true` in full for those who keep it (the view is logged;
/// 403 for others).
#[utoipa::path(get, path = "/api/v1/teams/{id}/members", tag = "teams", params(RevealParam),
    responses((status = 200, body = Vec<MemberView>), (status = 403, body = crate::error::ErrorBody)))]
pub async fn api_members(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<RevealParam>,
) -> AppResult<Json<Vec<MemberView>>> {
    let reveal = q.reveal.unwrap_or(false);
    Ok(Json(members::members(&state.db, &ctx, id, reveal, true).await?.1))
}

/// Put a person on the roster: found by ID number (else name and phone) or recorded anew.
#[utoipa::path(post, path = "/api/v1/teams/{id}/members", tag = "teams", request_body = VolunteerInput,
    responses((status = 201, body = MemberView), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_add_member(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<VolunteerInput>,
) -> AppResult<Response> {
    let m = members::add_member(&state.db, &ctx, id, &input).await?;
    Ok((StatusCode::CREATED, Json(m)).into_response())
}

/// Take a person off the roster (their record stays).
#[utoipa::path(delete, path = "/api/v1/teams/{id}/members/{volunteer_id}", tag = "teams", responses((status = 204)))]
pub async fn api_remove_member(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, volunteer_id)): Path<(i64, i64)>,
) -> AppResult<StatusCode> {
    members::remove_member(&state.db, &ctx, id, volunteer_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Submit the roster to the district office.
#[utoipa::path(post, path = "/api/v1/teams/{id}/roster/submit", tag = "teams",
    responses((status = 200, body = Team), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_submit(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Team>> {
    Ok(Json(service::submit(&state.db, &ctx, id).await?))
}

/// Accept a submitted roster, or return it with a reason (district office).
#[utoipa::path(post, path = "/api/v1/teams/{id}/roster/review", tag = "teams", request_body = ReviewInput,
    responses((status = 200, body = Team), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_review(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<ReviewInput>,
) -> AppResult<Json<Team>> {
    Ok(Json(service::review(&state.db, &ctx, id, &input).await?))
}

/// Upload a roster (附件2, multipart field `file`): every problem is reported by Excel row and
/// column; with `dry_run=true` nothing is written, otherwise all rows are written or none.
#[utoipa::path(post, path = "/api/v1/teams/{id}/roster/import", tag = "teams", params(ImportParams),
    request_body(content_type = "multipart/form-data", description = "field `file`: the .xlsx"),
    responses((status = 200, body = ImportReport), (status = 422, body = excel::ImportRefused, description = "The report of the rows with problems, or why the upload was refused")))]
pub async fn api_import(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(params): Query<ImportParams>,
    multipart: Multipart,
) -> AppResult<Response> {
    let bytes = crate::web::upload::read_file(multipart).await?;
    let report = roster::import(&state, &ctx, id, &bytes, params.dry_run.unwrap_or(false)).await?;
    Ok(report.into_response())
}

fn xlsx((bytes, filename): (Vec<u8>, String)) -> Response {
    crate::web::download::download(bytes, "roster.xlsx", &filename)
}

/// The blank roster form.
#[utoipa::path(get, path = "/api/v1/roster/template.xlsx", tag = "teams",
    responses((status = 200, description = "the blank form (.xlsx)", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn template(ctx: Ctx) -> AppResult<Response> {
    Ok(xlsx(roster::template(&ctx)?))
}

/// The team's roster in the layout of 附件2, masked; with `reveal=true` personal data in full for
/// those who keep the roster. Every export is written to the audit trail (and whether it was full).
#[utoipa::path(get, path = "/api/v1/teams/{id}/roster/export.xlsx", tag = "teams", params(RevealParam),
    responses((status = 200, description = "the roster (.xlsx)", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn export(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<RevealParam>,
) -> AppResult<Response> {
    Ok(xlsx(
        roster::export(&state.db, &ctx, id, q.reveal.unwrap_or(false)).await?,
    ))
}

/// The unit's declared managers, and whether each is on one of its rosters.
#[utoipa::path(get, path = "/api/v1/units/{id}/managers", tag = "teams", responses((status = 200, body = Vec<Manager>)))]
pub async fn api_managers(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<Manager>>> {
    Ok(Json(service::managers(&state.db, &ctx, id).await?))
}

/// Declare a manager (name and post).
#[utoipa::path(post, path = "/api/v1/units/{id}/managers", tag = "teams", request_body = ManagerInput,
    responses((status = 204), (status = 409, body = crate::error::ErrorBody)))]
pub async fn api_add_manager(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<ManagerInput>,
) -> AppResult<StatusCode> {
    service::add_manager(&state.db, &ctx, id, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Remove a declared manager.
#[utoipa::path(delete, path = "/api/v1/units/{id}/managers/{manager_id}", tag = "teams", responses((status = 204)))]
pub async fn api_delete_manager(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, manager_id)): Path<(i64, i64)>,
) -> AppResult<StatusCode> {
    service::delete_manager(&state.db, &ctx, id, manager_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
