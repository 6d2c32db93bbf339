//! A forgotten password: a one-time code to the phone or e-mail on record, then a new password.
//! Staff passwords are reset by their administrator instead (see `users`).

mod api;
mod pages;
pub mod service;

use axum::routing::get;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::state::AppState;
use api::*;
use pages::*;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/password/forgot", get(page_forgot).post(page_forgot_submit))
        .route("/password/reset", get(page_reset).post(page_reset_submit))
        .routes(routes!(api_forgot))
        .routes(routes!(api_reset))
}
