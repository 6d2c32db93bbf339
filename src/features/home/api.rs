//! home's JSON API: the caller's workbench and a volunteer's sign-ups.

use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

use super::service::{self, Workbench};
use crate::db::list::Page;
use crate::db::todo::MySignup;
use crate::error::AppResult;
use crate::features::PageParams;
use crate::state::AppState;
use crate::web::form::lenient_i64;
use crate::web::Ctx;

/// What the caller has to do: each item with its date, its state (`overdue`, `due`, `waiting`
/// for someone else) and the link that does it, plus the role's figures — computed from the same
/// facts as the milestone board and the compliance grid.
#[utoipa::path(get, path = "/api/v1/me/todo", tag = "workbench", responses((status = 200, body = Workbench)))]
pub async fn todo(State(state): State<AppState>, ctx: Ctx) -> AppResult<Json<Workbench>> {
    Ok(Json(service::todo(&state, &ctx).await?))
}

#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SignupParams {
    /// `true`: only activities not over yet, soonest first; otherwise all, newest first.
    pub upcoming: Option<bool>,
    /// Page number, from 1.
    #[serde(default, deserialize_with = "lenient_i64")]
    pub page: Option<i64>,
    /// Rows per page (1–500, default 20).
    #[serde(default, deserialize_with = "lenient_i64")]
    pub per_page: Option<i64>,
}

/// The caller's sign-ups (我的报名), with the place on the waiting list and the attendance.
#[utoipa::path(get, path = "/api/v1/me/signups", tag = "workbench", params(SignupParams),
    responses((status = 200, body = Page<MySignup>), (status = 400, description = "The account has no volunteer record")))]
pub async fn signups(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<SignupParams>,
) -> AppResult<Json<Page<MySignup>>> {
    let all = service::my_signups(&state.db, &ctx, params.upcoming.unwrap_or(false)).await?;
    let paging = PageParams {
        page: params.page,
        per_page: params.per_page,
    };
    Ok(Json(paging.page_of(all)))
}
