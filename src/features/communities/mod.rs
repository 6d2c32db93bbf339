//! 社区: communities under the streets.

mod api;
pub(crate) mod pages;
pub mod service;

use axum::routing::get;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::state::AppState;
use crate::web::form::lenient_i64;
use api::*;
use pages::*;
use utoipa_axum::{router::OpenApiRouter, routes};

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct CommunityInput {
    /// The street it belongs to.
    #[serde(default, deserialize_with = "lenient_i64")]
    pub street_id: Option<i64>,
    /// Unique within its street.
    pub name: Option<String>,
    pub address: Option<String>,
    pub contact_person: Option<String>,
    /// Mobile (13812345678) or landline (0571-87654321).
    pub contact_phone: Option<String>,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/communities", get(page_list).post(page_create))
        .route("/communities/new", get(page_new))
        .route("/communities/{id}", axum::routing::post(page_update))
        .route("/communities/{id}/edit", get(page_edit))
        .route("/communities/{id}/delete", get(page_delete_confirm).post(page_delete))
        .routes(routes!(api_list, api_create))
        .routes(routes!(api_get, api_update, api_delete))
}
