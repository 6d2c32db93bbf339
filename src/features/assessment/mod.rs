//! The year's assessment (考核): the district's scheme of indicators computed from the records
//! (each with a weight and a cap) plus bonuses and penalties; a score per unit, community and
//! team, ranked within categories, every point explained down to its facts; live through the
//! year (kept with the time it was computed), frozen when the district closes it; .xlsx export.

pub mod api;
pub mod facts;
mod pages;
pub mod score;
pub mod service;
mod xlsx;

use axum::routing::{get, post};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::state::AppState;
pub use score::{Ranking, Score};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/assessment", get(pages::ranking))
        .route("/assessment.xlsx", get(pages::ranking_xlsx))
        .route("/assessment/scheme", get(pages::scheme).post(pages::save_scheme))
        .route(
            "/assessment/adjustments",
            get(pages::adjustments).post(pages::add_adjustment),
        )
        .route("/assessment/close", post(pages::close))
        .route("/assessment/{kind}/{id}", get(pages::explain))
        .routes(routes!(api::ranking))
        .routes(routes!(api::snapshot))
        .routes(routes!(api::scheme, api::update_scheme))
        .routes(routes!(api::adjustments, api::add_adjustment))
        .routes(routes!(api::close))
        .routes(routes!(api::explain))
}
