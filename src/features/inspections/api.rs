//! The inspections' JSON API.

use axum::extract::{Multipart, Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

use super::findings::{self, AnswerInput, FileTarget, FindingInput, ReviewInput, FILE_MAX};
use super::service::{self, ChecklistInput, ChecklistLine, InspectionInput, InspectionParams, InspectionView};
use super::service::{RecordInput, TransitionInput};
use crate::db::inspections::{Finding, Inspection};
use crate::db::list::Page;
use crate::error::{AppError, AppResult, FieldError};
use crate::features::PageParams;
use crate::state::AppState;
use crate::web::form::lenient_i64;
use crate::web::Ctx;

/// The active campaign's inspections the caller may see (the district all, a street its units'
/// and communities', a unit or community its own), latest first.
#[utoipa::path(get, path = "/api/v1/inspections", tag = "inspections", params(InspectionParams),
    responses((status = 200, body = Page<Inspection>), (status = 403, description = "Not in the caller's scope")))]
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<InspectionParams>,
) -> AppResult<Json<Page<Inspection>>> {
    let (_, rows) = service::list(&state.db, &ctx, &params).await?;
    let paging = PageParams {
        page: params.page,
        per_page: params.per_page,
    };
    Ok(Json(paging.page_of(rows)))
}

/// Plans an inspection of a unit, community, team or activity in the caller's scope; its items
/// are the campaign's checklist.
#[utoipa::path(post, path = "/api/v1/inspections", tag = "inspections", request_body = InspectionInput,
    responses((status = 201, body = Inspection), (status = 403, description = "Not in the caller's scope"), (status = 422, description = "Invalid")))]
pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(input): Json<InspectionInput>,
) -> AppResult<Response> {
    let i = service::create(&state.db, &ctx, &input).await?;
    Ok((StatusCode::CREATED, Json(i)).into_response())
}

/// The campaign's checklist (the plan's defaults until the district sets its own).
#[utoipa::path(get, path = "/api/v1/inspections/checklist", tag = "inspections",
    responses((status = 200, body = Page<ChecklistLine>)))]
pub async fn checklist(State(state): State<AppState>, ctx: Ctx) -> AppResult<Json<Page<ChecklistLine>>> {
    Ok(Json(whole(service::checklist(&state.db, &ctx).await?)))
}

/// A short list answered whole, like every other list.
fn whole<T>(items: Vec<T>) -> Page<T> {
    PageParams {
        page: None,
        per_page: Some(500),
    }
    .page_of(items)
}

/// Sets the campaign's checklist (the district); inspections already planned keep theirs.
#[utoipa::path(put, path = "/api/v1/inspections/checklist", tag = "inspections", request_body = ChecklistInput,
    responses((status = 200, body = Page<ChecklistLine>), (status = 422, description = "Invalid")))]
pub async fn set_checklist(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(input): Json<ChecklistInput>,
) -> AppResult<Json<Page<ChecklistLine>>> {
    Ok(Json(whole(service::set_checklist(&state.db, &ctx, &input).await?)))
}

/// The inspections and their findings as .xlsx (written to the audit trail as an export).
#[utoipa::path(get, path = "/api/v1/inspections/export.xlsx", tag = "inspections", params(InspectionParams),
    responses((status = 200, description = "The list (.xlsx)", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn export(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<InspectionParams>,
) -> AppResult<Response> {
    let (bytes, name) = super::overview::export(&state.db, &ctx, &params).await?;
    Ok(crate::web::download::download(bytes, "inspections.xlsx", &name))
}

#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FindingParams {
    /// `open`, `answered`, `returned` or `accepted`.
    pub status: Option<String>,
    /// `closed_on_time`, `closed_late`, `open_overdue` or `open_not_due`.
    pub standing: Option<String>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub page: Option<i64>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub per_page: Option<i64>,
}

/// The findings of the active campaign in the caller's scope, by deadline.
#[utoipa::path(get, path = "/api/v1/inspections/findings", tag = "inspections", params(FindingParams),
    responses((status = 200, body = Page<Finding>)))]
pub async fn findings_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<FindingParams>,
) -> AppResult<Json<Page<Finding>>> {
    let rows = super::overview::findings(&state.db, &ctx, params.status.as_deref(), params.standing.as_deref())
        .await?
        .into_iter()
        .map(|(f, _)| f)
        .collect();
    let paging = PageParams {
        page: params.page,
        per_page: params.per_page,
    };
    Ok(Json(paging.page_of(rows)))
}

/// An inspection with its items, findings and files.
#[utoipa::path(get, path = "/api/v1/inspections/{id}", tag = "inspections",
    responses((status = 200, body = InspectionView), (status = 404, description = "Not found or not in scope")))]
pub async fn get(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<InspectionView>> {
    Ok(Json(service::view(&state.db, &ctx, id).await?))
}

/// Records (or corrects) the visit: the day, the inspectors, each item's result and note.
#[utoipa::path(put, path = "/api/v1/inspections/{id}/items", tag = "inspections", request_body = RecordInput,
    responses((status = 200, body = InspectionView), (status = 409, description = "Not in a state to record"), (status = 422, description = "Invalid")))]
pub async fn record(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<RecordInput>,
) -> AppResult<Json<InspectionView>> {
    Ok(Json(service::record(&state.db, &ctx, id, &input).await?))
}

/// Closes an inspection whose findings are all accepted, or cancels a planned one.
#[utoipa::path(post, path = "/api/v1/inspections/{id}/transition", tag = "inspections", request_body = TransitionInput,
    responses((status = 200, body = Inspection), (status = 409, description = "Not allowed from its state")))]
pub async fn transition(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<TransitionInput>,
) -> AppResult<Json<Inspection>> {
    Ok(Json(service::transition(&state.db, &ctx, id, &input).await?))
}

/// Raises a finding on a recorded inspection, with a severity and a rectification deadline.
#[utoipa::path(post, path = "/api/v1/inspections/{id}/findings", tag = "inspections", request_body = FindingInput,
    responses((status = 201, body = Finding), (status = 409, description = "Not recorded yet, or closed")))]
pub async fn raise(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<FindingInput>,
) -> AppResult<Response> {
    let f = findings::raise(&state.db, &ctx, id, &input).await?;
    Ok((StatusCode::CREATED, Json(f)).into_response())
}

/// The inspected organisation answers a finding with what it did.
#[utoipa::path(post, path = "/api/v1/inspections/findings/{id}/answer", tag = "inspections", request_body = AnswerInput,
    responses((status = 200, body = Finding), (status = 409, description = "Not waiting for an answer")))]
pub async fn answer(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<AnswerInput>,
) -> AppResult<Json<Finding>> {
    Ok(Json(findings::answer(&state.db, &ctx, id, &input).await?))
}

/// The inspector accepts the answer (closing the finding) or returns it with a reason.
#[utoipa::path(post, path = "/api/v1/inspections/findings/{id}/review", tag = "inspections", request_body = ReviewInput,
    responses((status = 200, body = Finding), (status = 409, description = "No answer to review")))]
pub async fn review(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<ReviewInput>,
) -> AppResult<Json<Finding>> {
    Ok(Json(findings::review(&state.db, &ctx, id, &input).await?))
}

/// A multipart upload: the file and where it goes.
pub async fn read_file_upload(multipart: Multipart) -> AppResult<(FileTarget, String, Vec<u8>)> {
    let too_large = || {
        AppError::Validation(vec![
            FieldError::new("file", "err.file_too_large").with("mb", FILE_MAX / 1024 / 1024)
        ])
    };
    let (bytes, _, fields) = crate::web::upload::read_upload(multipart)
        .await
        .map_err(|_| too_large())?;
    let id = |k: &str| fields.get(k).and_then(|v| v.trim().parse::<i64>().ok());
    let to = FileTarget {
        item_id: id("item_id"),
        finding_id: id("finding_id"),
    };
    Ok((to, fields.get("file_name").cloned().unwrap_or_default(), bytes))
}

/// Adds a photo (JPEG, PNG, WebP or GIF; on a finding also PDF, Word, Excel or text) of up to
/// 5 MB to the inspection, one of its items (`item_id`) or findings (`finding_id`); field `file`.
#[utoipa::path(post, path = "/api/v1/inspections/{id}/files", tag = "inspections",
    responses((status = 201, description = "The file's id and address"), (status = 422, description = "Not an accepted file, too large")))]
pub async fn add_file(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> AppResult<Response> {
    let (to, name, bytes) = read_file_upload(multipart).await?;
    let fid = findings::add_file(&state, &ctx, id, to, &name, &bytes).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({"id": fid, "url": format!("/inspections/{id}/files/{fid}")})),
    )
        .into_response())
}

/// A photo or file of an inspection.
#[utoipa::path(get, path = "/api/v1/inspections/{id}/files/{file_id}", tag = "inspections",
    responses((status = 200, description = "The file", content(
        (String = "image/jpeg"), (String = "image/png"), (String = "image/webp"), (String = "image/gif"),
        (String = "application/pdf"), (String = "text/plain")))))]
pub async fn file(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, file_id)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let (name, kind, data) = findings::file(&state.db, &ctx, id, file_id).await?;
    let disposition = crate::web::download::disposition(kind.starts_with("image/"), "file", &name);
    Ok((
        [
            (CONTENT_TYPE, kind),
            (CONTENT_DISPOSITION, disposition),
            // Behind the inspection's access check: browsers may keep it, shared caches may not.
            (CACHE_CONTROL, "private, max-age=86400".to_string()),
        ],
        data,
    )
        .into_response())
}
