//! The campaign year: its milestones (set by the district) and the milestone board (where every
//! unit and community stands against each milestone).

pub mod api;
pub mod board;
mod forms;
mod pages;
pub mod service;

use axum::routing::get;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::state::AppState;
pub use board::{board, BoardParams};
pub use service::{active, create, orgs_in_scope, unit_streets, update, CampaignInput};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/campaign", get(pages::edit).post(pages::update))
        .route("/campaign/new", get(pages::new).post(pages::create))
        .route("/board", get(pages::board))
        .routes(routes!(api::list, api::create))
        .routes(routes!(api::active, api::update))
        .routes(routes!(api::board))
        .routes(routes!(api::board_export))
        .route("/board/export.xlsx", get(api::board_export))
}
