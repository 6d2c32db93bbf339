//! 文明单位: the civilized units that form volunteer teams.

mod api;
mod pages;
pub mod service;

use axum::routing::get;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::state::AppState;
use api::*;
use pages::*;
use utoipa_axum::{router::OpenApiRouter, routes};

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct UnitInput {
    /// Unique in the district.
    pub name: Option<String>,
    /// `city`, `province` or `national` (市级, 省级, 全国级 are accepted too).
    pub level: Option<String>,
    /// 机关, 事业单位, 企业, 学校 …
    pub kind: Option<String>,
    pub address: Option<String>,
    pub contact_person: Option<String>,
    pub contact_phone: Option<String>,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/units", get(page_list).post(page_create))
        .route("/units/new", get(page_new))
        .route("/units/{id}", axum::routing::post(page_update))
        .route("/units/{id}/edit", get(page_edit))
        .route("/units/{id}/delete", get(page_delete_confirm).post(page_delete))
        .routes(routes!(api_list, api_create))
        .routes(routes!(api_get, api_update, api_delete))
}
