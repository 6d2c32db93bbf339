//! The commendation's JSON API, and the public notice and honour roll's JSON twins.

use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::notice::{self, AnswerInput, Finalised, HonourRoll, HonourYear, NoticeView, ObjectionInput, PublishInput};
use super::service::{self, Candidate, CategoryInput, DeedInput, NominationInput, ReviewInput, YearRef};
use super::{forms, ImportParams, YearParam};
use crate::db::commendations::{Category, Nomination, Objection};
use crate::db::list::Page;
use crate::error::AppResult;
use crate::excel::{self, ImportReport};
use crate::features::PageParams;
use crate::state::AppState;
use crate::web::Ctx;

/// The year's commendation at a glance.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Overview {
    /// The campaign whose commendation this is (pass it as `campaign_id` to the other routes).
    pub campaign_id: i64,
    pub year: i64,
    pub categories: Vec<Category>,
    pub notice: NoticeView,
    /// The year before, while its commendation is still under way (it is held in March of the
    /// next year): pass its `campaign_id` to work on it.
    pub unfinished: Option<YearRef>,
}

/// A year's categories, quotas and eligibility, and its notice.
#[utoipa::path(get, path = "/api/v1/commendations", tag = "commendations", params(YearParam), responses((status = 200, body = Overview)))]
pub async fn overview(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(y): Query<YearParam>,
) -> AppResult<Json<Overview>> {
    let (campaign, categories) = service::categories(&state.db, &ctx, y.campaign_id).await?;
    let notice = notice::notice_for(&state.db, &ctx, &campaign).await?;
    let unfinished = service::unfinished(&state.db, &campaign).await?;
    Ok(Json(Overview {
        unfinished,
        campaign_id: campaign.id,
        year: campaign.year,
        categories,
        notice,
    }))
}

/// Changes a category's quotas and eligibility (the district).
#[utoipa::path(put, path = "/api/v1/commendations/categories/{id}", tag = "commendations", request_body = CategoryInput,
    responses((status = 200, body = Category)))]
pub async fn update_category(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<CategoryInput>,
) -> AppResult<Json<Category>> {
    Ok(Json(service::update_category(&state.db, &ctx, id, &input).await?))
}

#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CandidateParams {
    /// The category (default: the first of the year's).
    #[serde(default, deserialize_with = "crate::web::form::lenient_i64")]
    pub category_id: Option<i64>,
}

/// The candidates of a category the caller may nominate, with the facts behind each, best first.
#[utoipa::path(get, path = "/api/v1/commendations/candidates", tag = "commendations", params(CandidateParams, YearParam, PageParams),
    responses((status = 200, body = Page<Candidate>)))]
pub async fn candidates(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CandidateParams>,
    Query(y): Query<YearParam>,
    Query(paging): Query<PageParams>,
) -> AppResult<Json<Page<Candidate>>> {
    let id = match q.category_id {
        Some(id) => id,
        None => service::categories(&state.db, &ctx, y.campaign_id)
            .await?
            .1
            .first()
            .map(|c| c.id)
            .ok_or(crate::error::AppError::NotFound)?,
    };
    Ok(Json(paging.page_of(service::candidates(&state.db, &ctx, id).await?)))
}

/// The nominations the caller may see (the district all, a street or unit its own).
#[utoipa::path(get, path = "/api/v1/commendations/nominations", tag = "commendations", params(YearParam, PageParams),
    responses((status = 200, body = Page<Nomination>)))]
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(y): Query<YearParam>,
    Query(paging): Query<PageParams>,
) -> AppResult<Json<Page<Nomination>>> {
    Ok(Json(
        paging.page_of(service::list(&state.db, &ctx, y.campaign_id).await?),
    ))
}

/// Nominates a candidate within the caller's quota, with the deed text.
#[utoipa::path(post, path = "/api/v1/commendations/nominations", tag = "commendations", request_body = NominationInput,
    responses((status = 201, body = Nomination), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(input): Json<NominationInput>,
) -> AppResult<Response> {
    let n = service::create(&state.db, &ctx, &input).await?;
    Ok((StatusCode::CREATED, Json(n)).into_response())
}

#[utoipa::path(get, path = "/api/v1/commendations/nominations/{id}", tag = "commendations",
    responses((status = 200, body = Nomination)))]
pub async fn get(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Nomination>> {
    Ok(Json(service::get(&state.db, &ctx, id).await?))
}

/// Changes the deed text while the nomination waits for review.
#[utoipa::path(put, path = "/api/v1/commendations/nominations/{id}", tag = "commendations", request_body = DeedInput,
    responses((status = 200, body = Nomination)))]
pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<DeedInput>,
) -> AppResult<Json<Nomination>> {
    Ok(Json(service::update(&state.db, &ctx, id, &input).await?))
}

/// Takes back a nomination that waits for review.
#[utoipa::path(delete, path = "/api/v1/commendations/nominations/{id}", tag = "commendations", responses((status = 204)))]
pub async fn delete(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<StatusCode> {
    service::delete(&state.db, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The district approves (within the overall quota) or rejects with a reason.
#[utoipa::path(post, path = "/api/v1/commendations/nominations/{id}/review", tag = "commendations", request_body = ReviewInput,
    responses((status = 200, body = Nomination)))]
pub async fn review(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<ReviewInput>,
) -> AppResult<Json<Nomination>> {
    Ok(Json(service::review(&state.db, &ctx, id, &input).await?))
}

/// Uploads the 推荐表 (multipart field `file`). With `dry_run=true` nothing is written; otherwise
/// all rows are recorded or, if any row has a problem, none.
#[utoipa::path(post, path = "/api/v1/commendations/nominations/import", tag = "commendations", params(ImportParams, YearParam),
    request_body(content_type = "multipart/form-data", description = "field `file`: the .xlsx"),
    responses((status = 200, body = ImportReport), (status = 422, body = excel::ImportRefused, description = "The rows with problems, or why the upload was refused")))]
pub async fn import(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<ImportParams>,
    Query(y): Query<YearParam>,
    multipart: Multipart,
) -> AppResult<Response> {
    let bytes = crate::web::upload::read_file(multipart).await?;
    let report = forms::import(&state, &ctx, y.campaign_id, &bytes, params.dry_run.unwrap_or(false)).await?;
    Ok(report.into_response())
}

/// The blank 推荐表.
#[utoipa::path(get, path = "/api/v1/commendations/template.xlsx", tag = "commendations",
    responses((status = 200, description = "the blank form (.xlsx)", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn template(ctx: Ctx) -> AppResult<Response> {
    ctx.user()?;
    Ok(crate::web::download::download(
        forms::template()?,
        "nominations-template.xlsx",
        "推荐表-模板.xlsx",
    ))
}

/// The nominations the caller may see as the 推荐表 (audited).
#[utoipa::path(get, path = "/api/v1/commendations/export.xlsx", tag = "commendations", params(YearParam),
    responses((status = 200, description = "the nominations (.xlsx)", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn export(State(state): State<AppState>, ctx: Ctx, Query(y): Query<YearParam>) -> AppResult<Response> {
    let bytes = forms::export(&state, &ctx, y.campaign_id).await?;
    Ok(crate::web::download::download(bytes, "nominations.xlsx", "推荐表.xlsx"))
}

/// The finalised list for the commendation decision (audited).
#[utoipa::path(get, path = "/api/v1/commendations/final.xlsx", tag = "commendations", params(YearParam),
    responses((status = 200, description = "the final list (.xlsx)", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn final_list(State(state): State<AppState>, ctx: Ctx, Query(y): Query<YearParam>) -> AppResult<Response> {
    let bytes = forms::final_list(&state, &ctx, y.campaign_id).await?;
    Ok(crate::web::download::download(
        bytes,
        "honour-list.xlsx",
        "表彰名单.xlsx",
    ))
}

/// Publishes the approved list on the public notice for the period (default 5 working days).
#[utoipa::path(post, path = "/api/v1/commendations/notice", tag = "commendations", params(YearParam), request_body = PublishInput,
    responses((status = 201, body = NoticeView)))]
pub async fn publish(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(y): Query<YearParam>,
    body: Option<Json<PublishInput>>,
) -> AppResult<Response> {
    let input = body.map(|b| b.0).unwrap_or_default();
    let v = notice::publish(&state.db, &ctx, y.campaign_id, &input).await?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

/// The objections raised (the objector's contact in full for the district only).
#[utoipa::path(get, path = "/api/v1/commendations/objections", tag = "commendations", params(YearParam, PageParams),
    responses((status = 200, body = Page<Objection>)))]
pub async fn objections(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(y): Query<YearParam>,
    Query(paging): Query<PageParams>,
) -> AppResult<Json<Page<Objection>>> {
    Ok(Json(
        paging.page_of(notice::objections(&state.db, &ctx, y.campaign_id).await?),
    ))
}

/// Answers an objection: `upheld` (the nomination is withdrawn) or `dismissed`.
#[utoipa::path(post, path = "/api/v1/commendations/objections/{id}/answer", tag = "commendations", request_body = AnswerInput,
    responses((status = 200, body = Objection)))]
pub async fn answer(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<AnswerInput>,
) -> AppResult<Json<Objection>> {
    Ok(Json(notice::answer(&state.db, &ctx, id, &input).await?))
}

/// After the period, with no objection open: the honour roll and its certificates.
#[utoipa::path(post, path = "/api/v1/commendations/finalise", tag = "commendations", params(YearParam),
    responses((status = 200, body = Finalised)))]
pub async fn finalise(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(y): Query<YearParam>,
) -> AppResult<Json<Finalised>> {
    Ok(Json(notice::finalise(&state.db, &ctx, y.campaign_id).await?))
}

/// Public: the notice in its period, of whichever year; else the newest (name, unit and category only).
#[utoipa::path(get, path = "/api/v1/notice", tag = "commendations", security(()), responses((status = 200, body = NoticeView)))]
pub async fn public_notice(State(state): State<AppState>) -> AppResult<Json<NoticeView>> {
    Ok(Json(notice::public_notice(&state.db).await?))
}

/// Public: raises an objection against a nomination on the notice (rate-limited).
#[utoipa::path(post, path = "/api/v1/notice/objections", tag = "commendations", security(()), request_body = ObjectionInput,
    responses((status = 201, description = "recorded"), (status = 422, body = crate::error::ErrorBody)))]
pub async fn object(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(input): Json<ObjectionInput>,
) -> AppResult<StatusCode> {
    notice::object(&state.db, &ctx, &input).await?;
    Ok(StatusCode::CREATED)
}

/// Public: the years with an honour roll.
#[utoipa::path(get, path = "/api/v1/honours", tag = "commendations", security(()), params(PageParams),
    responses((status = 200, body = Page<HonourYear>)))]
pub async fn honour_years(
    State(state): State<AppState>,
    Query(paging): Query<PageParams>,
) -> AppResult<Json<Page<HonourYear>>> {
    Ok(Json(paging.page_of(notice::honour_years(&state.db).await?)))
}

/// Public: a year's honour roll (name, unit and category).
#[utoipa::path(get, path = "/api/v1/honours/{year}", tag = "commendations", security(()),
    params(("year" = i64, Path, description = "The campaign year")), responses((status = 200, body = HonourRoll)))]
pub async fn honour_roll(State(state): State<AppState>, Path(year): Path<i64>) -> AppResult<Json<HonourRoll>> {
    Ok(Json(notice::honour_roll(&state.db, year).await?))
}
