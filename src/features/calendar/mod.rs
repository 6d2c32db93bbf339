//! The concentrated-day calendar (附件5): generated for the campaign (the third Saturday of each
//! month of activities), moved by the district with a reason, a theme for each month; exported as
//! the calendar form (.xlsx) and as an iCalendar feed phones subscribe to.

pub mod api;
mod ics;
mod pages;
pub mod service;

use axum::routing::{get, post};
use utoipa_axum::{router::OpenApiRouter, routes};

pub use crate::db::calendar::{ensure_days, ConcentratedDay};
use crate::state::AppState;
pub use service::{list, update, DayInput};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/calendar", get(pages::page))
        .route("/calendar/{month}", post(pages::update))
        .route("/calendar.ics", get(pages::ics))
        .route("/calendar.xlsx", get(pages::xlsx))
        .routes(routes!(api::list))
        .routes(routes!(api::update))
}
