//! 四单, the needs loop: a community or a resident posts a need (点单), the community publishes
//! it, the street or the district dispatches it to a team or opens it for claim (派单), the team
//! accepts (a draft activity is made) or declines (接单), and after the activity the community
//! and the resident rate it (评单). Timers flag steps not taken in time; per-team figures feed
//! the assessment; the public wall shows what still waits.

pub mod api;
mod pages;
pub mod public;
pub mod service;
pub mod workbench;

use axum::routing::{get, post};
use utoipa_axum::{router::OpenApiRouter, routes};

pub use crate::db::needs::{counts, team_figures as team_figures_of, NeedCounts, TeamFigures};
use crate::state::AppState;
pub use service::{NeedLine, NeedView};
pub use workbench::{board_block, overdue_needs, todo_items, OverdueLine};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/needs", get(pages::list).post(pages::create))
        .route("/needs/new", get(pages::new))
        .route("/needs/figures", get(pages::figures))
        .route("/needs/ask", get(pages::ask_form).post(pages::ask))
        .route("/needs/wall", get(pages::wall))
        .route("/needs/track/{token}", get(pages::track))
        .route("/needs/track/{token}/rate", post(pages::rate_by_link))
        .route("/needs/{id}", get(pages::detail))
        .route("/needs/{id}/review", post(pages::review))
        .route("/needs/{id}/dispatch", post(pages::dispatch))
        .route("/needs/{id}/cancel", post(pages::cancel))
        .route("/needs/{id}/answer", post(pages::answer))
        .route("/needs/{id}/rate", post(pages::rate))
        .routes(routes!(api::list, api::create))
        .routes(routes!(api::get))
        .routes(routes!(api::review))
        .routes(routes!(api::dispatch))
        .routes(routes!(api::cancel))
        .routes(routes!(api::answer))
        .routes(routes!(api::rate))
        .routes(routes!(api::figures))
        .routes(routes!(api::get_timers, api::set_timers))
        .routes(routes!(api::ask))
        .routes(routes!(api::wall))
        .routes(routes!(api::track))
        .routes(routes!(api::rate_by_link))
}
