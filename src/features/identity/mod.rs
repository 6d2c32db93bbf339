//! Proving that a person is the one on record before an account is linked to it: a one-time code
//! sent to the phone on record, or the confirmation of the team that keeps the record. Until then
//! the account sees only what its holder typed, and what they typed never changes the record:
//! differences go to the team as proposed corrections.

pub mod api;
pub mod pages;
pub mod service;

use axum::routing::{get, post};
use utoipa_axum::{router::OpenApiRouter, routes};

pub use service::{corrections, differences, issue_code, link, CODE_SECS, CODE_TRIES};

use crate::state::AppState;
use api::*;
use pages::*;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/me/link", get(link_page).post(link_submit))
        .route("/me/link/code", post(resend_submit))
        .route("/teams/{id}/corrections/{correction_id}", post(correction_submit))
        .routes(routes!(api_status, api_prove))
        .routes(routes!(api_resend))
        .routes(routes!(api_corrections))
        .routes(routes!(api_decide_correction))
}
