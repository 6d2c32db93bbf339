//! Figures kept live and the dashboards (issue 12 §3): confirmed hours and people by month,
//! category, street and unit, activities by state, roster growth, star levels and milestone
//! completion, kept by a refresh job from dirty keys marked in the writing transactions (see
//! `service`), shown as server-drawn SVG charts with their tables and .xlsx, and served by
//! `GET /api/v1/stats`. `/stats/monthly…` belongs to the monthly form, not to this capability.

pub mod api;
pub mod build;
pub mod charts;
mod pages;
pub mod service;
pub mod xlsx;

use axum::routing::get;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::state::AppState;
pub use service::{headline, Headline};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/stats", get(pages::dashboard))
        .route("/stats/charts/{id}", get(pages::chart_xlsx))
        .routes(routes!(api::stats))
}
