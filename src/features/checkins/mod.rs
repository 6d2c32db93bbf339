//! Check-in (联系报到, 附件4 志愿者服务登记表): a unit's team files it for a paired community, the
//! street forwards it, the community confirms or returns it; then the team files its long-term
//! activity plan (长效活动方案).

pub mod api;
mod pages;
pub mod plan;
pub mod service;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::state::AppState;
pub use plan::MAX_PLAN_BYTES;
pub use service::{file, import_registration, list, move_on, FileInput, MoveInput};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/checkins", get(pages::page).post(pages::file))
        .route("/checkins/{id}/move", post(pages::move_on))
        .route("/checkins/{id}/plan", post(pages::plan))
        .route("/checkins/{id}/plan-file", get(api::plan_file))
        .route("/checkins/{id}/form.xlsx", get(api::form_xlsx))
        .route("/checkins/template.xlsx", get(api::template))
        .route("/teams/{id}/registration", post(pages::registration))
        .routes(routes!(api::list, api::file))
        .routes(routes!(api::move_on))
        .routes(routes!(api::plan))
        .routes(routes!(api::plan_file))
        .routes(routes!(api::form_xlsx))
        .routes(routes!(api::template))
        .routes(routes!(api::registration))
        .layer(DefaultBodyLimit::max(MAX_PLAN_BYTES + 64 * 1024))
}
