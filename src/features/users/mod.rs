//! Accounts for district, street, community and unit staff, the police brigade and volunteers.

mod api;
mod pages;
pub mod service;

use axum::routing::get;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::state::AppState;
use crate::web::form::{lenient_bool, lenient_i64};
use api::*;
use pages::*;
pub use service::{role_label, validate};
use utoipa_axum::{router::OpenApiRouter, routes};

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct AccountInput {
    /// 3–32 characters: lower-case letters, digits, `.`, `_`, `-`.
    pub username: Option<String>,
    pub display_name: Option<String>,
    /// `district_admin`, `street_admin`, `community_admin`, `unit_admin`, `police` or `volunteer`.
    pub role: Option<String>,
    /// The org node of the role: a street, community or unit id (or give the specific field).
    #[serde(default, deserialize_with = "lenient_i64")]
    pub org_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub street_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub community_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub unit_id: Option<i64>,
    /// Required when creating; when updating, sets a new password if given.
    pub password: Option<String>,
    /// Defaults to true; a disabled account cannot sign in.
    #[serde(default, deserialize_with = "lenient_bool")]
    pub active: Option<bool>,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/users", get(page_list).post(page_create))
        .route("/users/new", get(page_new))
        .route("/users/{id}", axum::routing::post(page_update))
        .route("/users/{id}/edit", get(page_edit))
        .route("/users/{id}/delete", get(page_delete_confirm).post(page_delete))
        .routes(routes!(api_list, api_create))
        .routes(routes!(api_get, api_update, api_delete))
        .route("/users/{id}/password", get(page_reset_confirm).post(page_reset))
        .routes(routes!(api_reset_password))
}
