//! Check-ins' JSON API and downloads.

use axum::extract::{Multipart, Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::plan::MAX_PLAN_BYTES;
use super::service::{self, FileInput, MoveInput};
use crate::db::checkins::CheckIn;
use crate::db::list::Page;
use crate::error::{AppError, AppResult, FieldError};
use crate::excel;
use crate::features::teams::ImportParams;
use crate::features::PageParams;
use crate::state::AppState;
use crate::web::{urlencode, Ctx};

/// Check-ins of the active campaign in the caller's scope.
#[utoipa::path(get, path = "/api/v1/checkins", tag = "checkins", params(PageParams), responses((status = 200, body = Page<CheckIn>)))]
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(paging): Query<PageParams>,
) -> AppResult<Json<Page<CheckIn>>> {
    Ok(Json(paging.page_of(service::list(&state.db, &ctx).await?)))
}

/// File a team's check-in with a paired community.
#[utoipa::path(post, path = "/api/v1/checkins", tag = "checkins", request_body = FileInput,
    responses((status = 201, body = CheckIn), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn file(State(state): State<AppState>, ctx: Ctx, Json(input): Json<FileInput>) -> AppResult<Response> {
    Ok((StatusCode::CREATED, Json(service::file(&state.db, &ctx, &input).await?)).into_response())
}

/// Forward (street), confirm or return with a reason (community).
#[utoipa::path(post, path = "/api/v1/checkins/{id}/move", tag = "checkins", request_body = MoveInput,
    responses((status = 200, body = CheckIn), (status = 409, body = crate::error::ErrorBody)))]
pub async fn move_on(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<MoveInput>,
) -> AppResult<Json<CheckIn>> {
    Ok(Json(service::move_on(&state.db, &ctx, id, &input).await?))
}

/// File the long-term plan (multipart: `plan_text`, optional `file` — PDF, Word, Excel, JPEG, PNG or
/// text, at most 5 MB) after the community has confirmed the check-in.
#[utoipa::path(post, path = "/api/v1/checkins/{id}/plan", tag = "checkins",
    request_body(content_type = "multipart/form-data", description = "`plan_text` and an optional `file`"),
    responses((status = 200, body = CheckIn), (status = 422, body = crate::error::ErrorBody)))]
pub async fn plan(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> AppResult<Json<CheckIn>> {
    let (text, file) = read_plan(multipart).await?;
    Ok(Json(service::file_plan(&state, &ctx, id, &text, file).await?))
}

/// The plan's text and its attachment (name and content), from the multipart body.
pub async fn read_plan(multipart: Multipart) -> AppResult<(String, Option<(String, Vec<u8>)>)> {
    let (bytes, _, fields) = crate::web::upload::read_upload(multipart).await.map_err(|_| {
        AppError::Validation(vec![
            FieldError::new("file", "err.file_too_large").with("mb", MAX_PLAN_BYTES / 1024 / 1024)
        ])
    })?;
    let text = fields.get("plan_text").cloned().unwrap_or_default();
    let file = (!bytes.is_empty()).then(|| (fields.get("file_name").cloned().unwrap_or_default(), bytes));
    Ok((text, file))
}

/// A check-in's plan file, as uploaded.
#[utoipa::path(get, path = "/api/v1/checkins/{id}/plan-file", tag = "checkins",
    responses((status = 200, description = "the plan file (PDF, Word, Excel, image or text)", content(
        (String = "application/pdf"),
        (String = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (String = "application/msword"),
        (String = "image/jpeg"),
        (String = "image/png"),
        (String = "text/plain"),
    ))))]
pub async fn plan_file(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let (name, mime, bytes) = service::plan_file(&state.db, &ctx, id).await?;
    let disposition = format!("attachment; filename=\"plan\"; filename*=UTF-8''{}", urlencode(&name));
    Ok(([(CONTENT_TYPE, mime), (CONTENT_DISPOSITION, disposition)], bytes).into_response())
}

/// The registration form (附件4) of a check-in, filled in, as .xlsx.
#[utoipa::path(get, path = "/api/v1/checkins/{id}/form.xlsx", tag = "checkins",
    responses((status = 200, description = "the filled-in form (.xlsx)", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn form_xlsx(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let (bytes, name) = service::form_xlsx(&state.db, &ctx, id).await?;
    Ok(crate::web::download::download(bytes, "checkin.xlsx", &name))
}

/// The blank registration form.
#[utoipa::path(get, path = "/api/v1/checkins/template.xlsx", tag = "checkins",
    responses((status = 200, description = "the blank form (.xlsx)", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn template(ctx: Ctx) -> AppResult<Response> {
    let bytes = service::template(&ctx)?;
    Ok(crate::web::download::download(
        bytes,
        "form.xlsx",
        "附件4-志愿者服务登记表-模板.xlsx",
    ))
}

/// Upload a filled registration form (附件4) for a team: its 负责人, 联系人 and categories are
/// updated and the check-in is filed with the community it names.
#[utoipa::path(post, path = "/api/v1/teams/{id}/registration/import", tag = "checkins", params(ImportParams),
    request_body(content_type = "multipart/form-data", description = "field `file`: the .xlsx"),
    responses((status = 200, body = excel::ImportReport), (status = 422, body = excel::ImportRefused, description = "The report of the rows with problems, or why the upload was refused")))]
pub async fn registration(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(params): Query<ImportParams>,
    multipart: Multipart,
) -> AppResult<Response> {
    let bytes = crate::web::upload::read_file(multipart).await?;
    let report = service::import_registration(&state, &ctx, id, &bytes, params.dry_run.unwrap_or(false)).await?;
    Ok(report.into_response())
}
