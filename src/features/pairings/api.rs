//! pairings: the JSON API (thin handlers over [`super::service`]).

use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::service;
use super::{ImportParams, PairingInput};
use crate::db::list::Page;
use crate::db::pairings::Pairing;
use crate::error::{AppError, AppResult, FieldError};
use crate::excel::{self, ImportReport};
use crate::features::ListParams;
use crate::state::AppState;
use crate::web::Ctx;

/// List the pairings the caller may see.
#[utoipa::path(get, path = "/api/v1/pairings", tag = "pairings", params(ListParams),
    responses((status = 200, body = Page<Pairing>)))]
pub async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<ListParams>,
) -> AppResult<Json<Page<Pairing>>> {
    Ok(Json(service::list(&state.db, &ctx, &params).await?))
}

/// One pairing.
#[utoipa::path(get, path = "/api/v1/pairings/{id}", tag = "pairings", responses((status = 200, body = Pairing)))]
pub async fn api_get(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Pairing>> {
    Ok(Json(service::get_one(&state.db, &ctx, id).await?))
}

/// Pair a unit with a community (district admin).
#[utoipa::path(post, path = "/api/v1/pairings", tag = "pairings", request_body = PairingInput,
    responses((status = 201, body = Pairing), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_create(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(input): Json<PairingInput>,
) -> AppResult<Response> {
    Ok((
        StatusCode::CREATED,
        Json(service::create(&state.db, &ctx, &input).await?),
    )
        .into_response())
}

/// End a pairing.
#[utoipa::path(delete, path = "/api/v1/pairings/{id}", tag = "pairings", responses((status = 204)))]
pub async fn api_delete(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<StatusCode> {
    service::delete(&state.db, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Import the pairing table (附件1, multipart field `file`). With `dry_run=true` nothing is written;
/// otherwise all rows are written or, if any row has a problem, none.
#[utoipa::path(post, path = "/api/v1/pairings/import", tag = "pairings", params(ImportParams),
    request_body(content_type = "multipart/form-data", description = "field `file`: the .xlsx"),
    responses((status = 200, body = ImportReport), (status = 422, body = excel::ImportRefused, description = "The report of the rows with problems, or why the upload was refused")))]
pub async fn api_import(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<ImportParams>,
    multipart: Multipart,
) -> AppResult<Response> {
    let (bytes, _) = read_upload(multipart).await?;
    let report = service::import(&state, &ctx, &bytes, params.dry_run.unwrap_or(false)).await?;
    Ok(report.into_response())
}

fn xlsx_response(bytes: Vec<u8>, filename: &str) -> Response {
    crate::web::download::download(bytes, "pairings.xlsx", filename)
}

/// A blank pairing table to fill in.
#[utoipa::path(get, path = "/api/v1/pairings/template.xlsx", tag = "pairings",
    responses((status = 200, description = "the blank form (.xlsx)", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn template(ctx: Ctx) -> AppResult<Response> {
    ctx.user()?;
    let bytes = excel::write_form(&crate::excel::forms::pairing::sheet(), &[])?;
    Ok(xlsx_response(bytes, "附件1-结对表-模板.xlsx"))
}

/// The pairings the caller may see, in the layout of 附件1. The export is written to the audit trail.
#[utoipa::path(get, path = "/api/v1/pairings/export.xlsx", tag = "pairings", params(ListParams),
    responses((status = 200, description = "the pairing table (.xlsx)", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn export(State(state): State<AppState>, ctx: Ctx, Query(params): Query<ListParams>) -> AppResult<Response> {
    let bytes = service::export(&state.db, &ctx, &params).await?;
    Ok(xlsx_response(bytes, "附件1-结对表.xlsx"))
}

/// The uploaded file and the `dry_run` field of a multipart form.
pub(super) async fn read_upload(mut multipart: Multipart) -> AppResult<(Vec<u8>, Option<String>)> {
    let mut file = None;
    let mut dry_run = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest("err.bad_upload"))?
    {
        match field.name() {
            Some("file") => {
                let bytes: Bytes = field.bytes().await.map_err(|_| {
                    AppError::Validation(vec![
                        FieldError::new("file", "err.file_too_large").with("mb", excel::MAX_UPLOAD_BYTES / 1024 / 1024)
                    ])
                })?;
                file = Some(bytes.to_vec());
            }
            Some("dry_run") => dry_run = field.text().await.ok(),
            _ => {}
        }
    }
    match file {
        Some(f) if !f.is_empty() => Ok((f, dry_run)),
        _ => Err(AppError::field("file", "err.no_file")),
    }
}
