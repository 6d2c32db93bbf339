//! Dispatched joint actions (服从调配联合行动): the district creates an action for key areas or
//! groups and dispatches teams, each with a head count; each team accepts with named volunteers
//! (which makes the team's activity for the action) or declines with a reason the district
//! reviews. The fulfilment view shows required, named and present per team.

pub mod api;
mod forms;
mod pages;
pub mod service;

use axum::routing::{get, post};
use utoipa_axum::{router::OpenApiRouter, routes};

pub use crate::db::dispatches::{Dispatch, DispatchTeam, TeamCount};
use crate::state::AppState;
pub use service::{answer, create, list, review, view, AnswerInput, DispatchInput, DispatchView, ReviewInput};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/dispatches", get(pages::list).post(pages::create))
        .route("/dispatches/new", get(pages::new))
        .route("/dispatches/{id}", get(pages::detail))
        .route("/dispatches/{id}/teams/{team_id}/answer", post(pages::answer))
        .route("/dispatches/{id}/teams/{team_id}/review", post(pages::review))
        .routes(routes!(api::list, api::create))
        .routes(routes!(api::get))
        .routes(routes!(api::answer))
        .routes(routes!(api::review))
}
