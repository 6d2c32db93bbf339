//! 街道: the district's streets.

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
pub struct StreetInput {
    /// The street's name, unique in the district.
    pub name: Option<String>,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/streets", get(page_list).post(page_create))
        .route("/streets/new", get(page_new))
        .route("/streets/{id}", axum::routing::post(page_update))
        .route("/streets/{id}/edit", get(page_edit))
        .route("/streets/{id}/delete", get(page_delete_confirm).post(page_delete))
        .routes(routes!(api_list, api_create))
        .routes(routes!(api_get, api_update, api_delete))
}
