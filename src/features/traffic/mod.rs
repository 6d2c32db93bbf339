//! Traffic-persuasion volunteers (文明交通行为劝导志愿者, 附件3): chosen by each unit from its roster
//! among League members, youth and party activists; trained by the traffic police brigade.

pub mod api;
mod pages;
pub mod service;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::excel;
use crate::state::AppState;
pub use service::{import, pick, record_training, remove, submit, PickInput, TrainingInput};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/traffic", get(pages::page))
        .route("/traffic/pick", post(pages::pick))
        .route("/traffic/remove", post(pages::remove))
        .route("/traffic/submit", post(pages::submit))
        .route("/traffic/export.xlsx", get(api::export))
        .route("/traffic/template.xlsx", get(pages::template))
        .route("/traffic/import", post(pages::import))
        .route("/trainings", post(pages::training))
        .routes(routes!(api::list, api::pick))
        .routes(routes!(api::submit))
        .routes(routes!(api::remove))
        .routes(routes!(api::export))
        .routes(routes!(api::import))
        .routes(routes!(api::trainings, api::training))
        .layer(DefaultBodyLimit::max(excel::MAX_UPLOAD_BYTES + 64 * 1024))
}
