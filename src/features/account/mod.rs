//! Signing in and out, one's own account: password and language.

mod api;
mod pages;
pub mod service;

use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::state::AppState;
use api::*;
use pages::*;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/login", get(login_page).post(login_submit))
        .route("/logout", post(logout))
        .route("/account", get(account_page))
        .route("/account/password", post(password_submit))
        .route("/lang", post(lang_submit))
        .routes(routes!(api_login))
        .routes(routes!(api_logout))
        .routes(routes!(api_me))
        .routes(routes!(api_password))
        .routes(routes!(api_lang))
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct LoginInput {
    /// A username (staff), or a volunteer's mobile number: 11 digits, spaces, dashes and +86
    /// allowed (a volunteer's username still works too).
    pub username: Option<String>,
    pub password: Option<String>,
    /// Where to go after signing in (pages only).
    #[serde(default)]
    #[schema(ignore)]
    pub next: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    /// Seconds since the Unix epoch.
    pub expires_at: i64,
    /// An administrator reset the password: choose a new one (`PUT /api/v1/me/password`) first.
    pub must_change_password: bool,
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct PasswordInput {
    pub current_password: Option<String>,
    pub new_password: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct LangInput {
    /// `zh-CN` or `en`.
    pub lang: Option<String>,
    #[serde(default)]
    #[schema(ignore)]
    pub next: Option<String>,
}

/// Who the caller is.
#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub street_id: Option<i64>,
    pub community_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub lang: String,
}
