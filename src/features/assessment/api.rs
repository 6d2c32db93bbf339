//! The assessment's JSON API.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::score::Ranking;
use super::service::{self, AdjustmentInput, CloseInput, Explanation, RankingParams, SchemeInput};
use crate::db::assessment::{Adjustment, Item};
use crate::db::list::Page;
use crate::error::{AppError, AppResult};
use crate::features::PageParams;
use crate::state::AppState;
use crate::web::Ctx;

#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CampaignParam {
    /// The campaign (default: the active one).
    #[serde(default, deserialize_with = "crate::web::form::lenient_i64")]
    pub campaign_id: Option<i64>,
}

/// The scores and places within each category, live (kept for a few minutes) or frozen (the
/// district all; a street its area; a unit or community its own).
#[utoipa::path(get, path = "/api/v1/assessment", tag = "assessment", params(RankingParams), responses((status = 200, body = Ranking)))]
pub async fn ranking(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<RankingParams>,
) -> AppResult<Json<Ranking>> {
    Ok(Json(service::ranking(&state.db, &ctx, &params).await?))
}

/// The frozen snapshot of a closed year (404 while it is open).
#[utoipa::path(get, path = "/api/v1/assessment/snapshot", tag = "assessment", params(CampaignParam), responses((status = 200, body = Ranking)))]
pub async fn snapshot(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<CampaignParam>,
) -> AppResult<Json<Ranking>> {
    let params = RankingParams {
        campaign_id: p.campaign_id,
        ..Default::default()
    };
    let r = service::ranking(&state.db, &ctx, &params).await?;
    if !r.frozen {
        return Err(AppError::NotFound);
    }
    Ok(Json(r))
}

/// One unit's, community's or team's score with the facts behind every point.
#[utoipa::path(get, path = "/api/v1/assessment/{kind}/{id}", tag = "assessment",
    params(("kind" = String, Path, description = "`unit`, `community` or `team`"), CampaignParam),
    responses((status = 200, body = Explanation)))]
pub async fn explain(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((kind, id)): Path<(String, i64)>,
    Query(p): Query<CampaignParam>,
) -> AppResult<Json<Explanation>> {
    Ok(Json(service::explain(&state.db, &ctx, &kind, id, p.campaign_id).await?))
}

/// A campaign's scheme: every indicator with its weight and cap.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Scheme {
    pub indicators: Vec<Item>,
}

/// The year's scheme: each indicator's weight and cap.
#[utoipa::path(get, path = "/api/v1/assessment/scheme", tag = "assessment", params(CampaignParam), responses((status = 200, body = Scheme)))]
pub async fn scheme(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<CampaignParam>,
) -> AppResult<Json<Scheme>> {
    Ok(Json(Scheme {
        indicators: service::scheme(&state.db, &ctx, p.campaign_id).await?,
    }))
}

/// Changes weights and caps (the district, before the year is closed).
#[utoipa::path(put, path = "/api/v1/assessment/scheme", tag = "assessment", request_body = SchemeInput, responses((status = 200, body = Scheme)))]
pub async fn update_scheme(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(input): Json<SchemeInput>,
) -> AppResult<Json<Scheme>> {
    Ok(Json(Scheme {
        indicators: service::update_scheme(&state.db, &ctx, &input).await?,
    }))
}

/// Bonuses and penalties the caller may see.
#[utoipa::path(get, path = "/api/v1/assessment/adjustments", tag = "assessment", params(CampaignParam, PageParams),
    responses((status = 200, body = Page<Adjustment>)))]
pub async fn adjustments(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<CampaignParam>,
    Query(paging): Query<PageParams>,
) -> AppResult<Json<Page<Adjustment>>> {
    Ok(Json(
        paging.page_of(service::adjustments(&state.db, &ctx, p.campaign_id).await?),
    ))
}

/// Records a bonus or penalty with its reason and evidence (the district; audited).
#[utoipa::path(post, path = "/api/v1/assessment/adjustments", tag = "assessment", request_body = AdjustmentInput,
    responses((status = 201, body = Adjustment)))]
pub async fn add_adjustment(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(input): Json<AdjustmentInput>,
) -> AppResult<Response> {
    let a = service::add_adjustment(&state.db, &ctx, &input).await?;
    Ok((StatusCode::CREATED, Json(a)).into_response())
}

/// Closes the year's assessment: the ranking is frozen as it is now (the district; once).
#[utoipa::path(post, path = "/api/v1/assessment/close", tag = "assessment", request_body = CloseInput, responses((status = 200, body = Ranking)))]
pub async fn close(State(state): State<AppState>, ctx: Ctx, Json(input): Json<CloseInput>) -> AppResult<Json<Ranking>> {
    Ok(Json(service::close(&state.db, &ctx, &input).await?))
}
