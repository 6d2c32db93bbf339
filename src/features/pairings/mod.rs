//! 结对: which civilized unit serves which community, and the pairing table (附件1) in Excel.

mod api;
mod pages;
pub mod service;

use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::excel::{self};
use crate::state::AppState;
use crate::web::form::lenient_i64;
use api::*;
use pages::*;
use utoipa_axum::{router::OpenApiRouter, routes};

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct PairingInput {
    #[serde(default, deserialize_with = "lenient_i64")]
    pub unit_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub community_id: Option<i64>,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// `true` checks the file and writes nothing.
    pub dry_run: Option<bool>,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/pairings", get(page_list).post(page_create))
        .route("/pairings/new", get(page_new))
        .route("/pairings/{id}/delete", get(page_delete_confirm).post(page_delete))
        .route("/pairings/import", get(page_import).post(page_import_upload))
        .route("/pairings/template.xlsx", get(template))
        .route("/pairings/export.xlsx", get(export))
        .routes(routes!(api_list, api_create))
        .routes(routes!(api_get, api_delete))
        .routes(routes!(template))
        .routes(routes!(export))
        .routes(routes!(api_import))
        .layer(DefaultBodyLimit::max(excel::MAX_UPLOAD_BYTES + 64 * 1024))
}
