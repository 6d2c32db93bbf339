//! A volunteer's own record: what staff may see (masked, or in full with the view logged), the
//! volunteer seeing, correcting and downloading their own data, and signing up on the public page
//! or through a team's invitation link.

pub mod api;
pub mod pages;
pub mod service;

use axum::routing::{get, post};
use utoipa_axum::{router::OpenApiRouter, routes};

pub use service::{holds_record, own_record, own_volunteer, pending, record_of, Record, RevealParam, TeamLine};

use crate::state::AppState;
use api::*;
use pages::*;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/volunteers/{id}", get(page_record))
        .route("/me/record", get(page_me).post(page_update_me))
        .route("/me/record/export.json", get(api_export_me))
        .route("/join", get(page_join).post(page_join_submit))
        .route("/teams/{id}/invite", post(page_invite))
        .routes(routes!(api_get))
        .routes(routes!(api_me, api_update_me))
        .routes(routes!(api_export_me))
        .routes(routes!(api_join))
        .routes(routes!(api_invite))
        .routes(routes!(api_pending))
        .routes(routes!(api_decide))
        .route("/teams/{id}/pending/{user_id}", post(page_decide))
}
