//! The traffic list's JSON API and 附件3 download.

use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::service::{self, PickInput, TrainingInput};
use crate::db::list::Page;
use crate::db::traffic::{TrafficVolunteer, Training};
use crate::error::AppResult;
use crate::excel::{self, ImportReport};
use crate::features::teams::ImportParams;
use crate::features::PageParams;
use crate::state::AppState;
use crate::web::form::lenient_i64;
use crate::web::Ctx;

#[derive(Clone, Debug, Default, Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
pub struct UnitParam {
    /// The unit (a unit's own staff need not give it).
    #[serde(default, deserialize_with = "lenient_i64")]
    pub unit_id: Option<i64>,
}

#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// The unit (a unit's own staff need not give it); leave out for everyone's.
    #[serde(default, deserialize_with = "lenient_i64")]
    pub unit_id: Option<i64>,
    /// ID numbers and phones in full (the unit, the district, the police brigade); logged.
    pub reveal: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
}

pub(super) fn xlsx(bytes: Vec<u8>, filename: &str) -> Response {
    crate::web::download::download(bytes, "traffic.xlsx", filename)
}

/// The traffic volunteers in the layout of 附件3 (a unit's own, or everyone's for the police and
/// the district), masked; with `reveal=true` ID numbers and phones in full for those who may see
/// them. Every export is written to the audit trail (and whether it was full).
#[utoipa::path(get, path = "/api/v1/traffic/export.xlsx", tag = "traffic", params(ExportParams),
    responses((status = 200, description = "附件3 (.xlsx)", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn export(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ExportParams>) -> AppResult<Response> {
    let bytes = service::export(&state.db, &ctx, q.unit_id, q.reveal.unwrap_or(false)).await?;
    Ok(xlsx(bytes, "附件3-文明交通行为劝导志愿者登记表.xlsx"))
}

/// Traffic volunteers: a unit's own (`unit_id`), or everyone's for the police and the district;
/// ID numbers and phones masked unless `reveal=true` (logged; 403 for those who may not).
#[utoipa::path(get, path = "/api/v1/traffic", tag = "traffic", params(ExportParams, PageParams),
    responses((status = 200, body = Page<TrafficVolunteer>)))]
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ExportParams>,
    Query(paging): Query<PageParams>,
) -> AppResult<Json<Page<TrafficVolunteer>>> {
    let volunteers = service::view(&state.db, &ctx, q.unit_id, q.reveal.unwrap_or(false)).await?;
    Ok(Json(paging.page_of(volunteers)))
}

/// Choose a person from the unit's roster (refused with the reason if they do not qualify).
#[utoipa::path(post, path = "/api/v1/traffic", tag = "traffic", request_body = PickInput,
    responses((status = 204), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn pick(State(state): State<AppState>, ctx: Ctx, Json(input): Json<PickInput>) -> AppResult<StatusCode> {
    service::pick(&state.db, &ctx, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Take a person off the unit's list.
#[utoipa::path(delete, path = "/api/v1/traffic/{unit_id}/{volunteer_id}", tag = "traffic", responses((status = 204)))]
pub async fn remove(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((unit_id, volunteer_id)): Path<(i64, i64)>,
) -> AppResult<StatusCode> {
    let input = PickInput {
        unit_id: Some(unit_id),
        volunteer_id: Some(volunteer_id),
    };
    service::remove(&state.db, &ctx, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Send the unit's list to the district office.
#[utoipa::path(post, path = "/api/v1/traffic/submit", tag = "traffic", request_body = UnitParam, responses((status = 204)))]
pub async fn submit(State(state): State<AppState>, ctx: Ctx, Json(q): Json<UnitParam>) -> AppResult<StatusCode> {
    service::submit(&state.db, &ctx, q.unit_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Upload 附件3 (multipart field `file`): the people listed are picked from the unit's rosters.
#[utoipa::path(post, path = "/api/v1/units/{id}/traffic/import", tag = "traffic", params(ImportParams),
    request_body(content_type = "multipart/form-data", description = "field `file`: the .xlsx"),
    responses((status = 200, body = ImportReport), (status = 422, body = excel::ImportRefused, description = "The report of the rows with problems, or why the upload was refused")))]
pub async fn import(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(params): Query<ImportParams>,
    multipart: Multipart,
) -> AppResult<Response> {
    let bytes = crate::web::upload::read_file(multipart).await?;
    let report = service::import(&state, &ctx, id, &bytes, params.dry_run.unwrap_or(false)).await?;
    Ok(report.into_response())
}

/// Training sessions of this campaign (police brigade and district).
#[utoipa::path(get, path = "/api/v1/trainings", tag = "traffic", params(PageParams), responses((status = 200, body = Page<Training>)))]
pub async fn trainings(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(paging): Query<PageParams>,
) -> AppResult<Json<Page<Training>>> {
    Ok(Json(paging.page_of(service::trainings(&state.db, &ctx).await?)))
}

/// Record a training session with who attended and who passed.
#[utoipa::path(post, path = "/api/v1/trainings", tag = "traffic", request_body = TrainingInput,
    responses((status = 201, body = Created), (status = 422, body = crate::error::ErrorBody)))]
pub async fn training(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(input): Json<TrainingInput>,
) -> AppResult<Response> {
    let id = service::record_training(&state.db, &ctx, &input).await?;
    Ok((StatusCode::CREATED, Json(Created { id })).into_response())
}
