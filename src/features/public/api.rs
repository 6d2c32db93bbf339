//! The public site's JSON API: the same figures and lists as its pages, for anyone.

use axum::extract::{Path, Query, State};
use axum::Json;

use super::service::{self, ActivityQuery, Home, ReportDetail};
use crate::db::list::Page;
use crate::db::public::{PublicActivity, Report};
use crate::error::AppResult;
use crate::features::PageParams;
use crate::state::AppState;

/// The public home: the district's headline figures for the campaign year, this month's
/// concentrated day, the next activities and the latest reports (no sign-in needed).
#[utoipa::path(get, path = "/api/v1/public/home", tag = "public", security(()),
    responses((status = 200, body = Home)))]
pub async fn home(State(state): State<AppState>) -> AppResult<Json<Home>> {
    Ok(Json(service::home(&state.db).await?))
}

/// Published activities not yet ended, soonest first, filtered by street, community, category
/// and days (no sign-in needed; no personal data).
#[utoipa::path(get, path = "/api/v1/public/activities", tag = "public", security(()), params(ActivityQuery),
    responses((status = 200, body = Page<PublicActivity>), (status = 422, body = crate::error::ErrorBody)))]
pub async fn activities(
    State(state): State<AppState>,
    Query(q): Query<ActivityQuery>,
) -> AppResult<Json<Page<PublicActivity>>> {
    Ok(Json(service::activities(&state.db, &q).await?))
}

/// Reports of completed activities, newest first (no sign-in needed).
#[utoipa::path(get, path = "/api/v1/public/reports", tag = "public", security(()), params(PageParams),
    responses((status = 200, body = Page<Report>)))]
pub async fn reports(State(state): State<AppState>, Query(paging): Query<PageParams>) -> AppResult<Json<Page<Report>>> {
    Ok(Json(service::reports(&state.db, paging.page, paging.per_page).await?))
}

/// One report: the completed activity's summary and its photos with their text alternatives.
#[utoipa::path(get, path = "/api/v1/public/reports/{id}", tag = "public", security(()),
    params(("id" = i64, Path, description = "The activity")),
    responses((status = 200, body = ReportDetail), (status = 404, body = crate::error::ErrorBody)))]
pub async fn report(State(state): State<AppState>, Path(id): Path<i64>) -> AppResult<Json<ReportDetail>> {
    Ok(Json(service::report(&state.db, id).await?))
}
