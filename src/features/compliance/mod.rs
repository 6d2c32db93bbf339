//! Monthly compliance, computed and never typed: per unit (and community) and month, the
//! activities held (the campaign asks for at least one), the turnout on the concentrated day,
//! the managers who served, and hours confirmed late or not at all. The district's
//! month-by-unit grid is exported to .xlsx.

pub mod api;
mod pages;
pub mod service;

use axum::routing::get;
use utoipa_axum::{router::OpenApiRouter, routes};

pub use crate::db::compliance::{Grid, MonthCell, OrgCompliance};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/compliance", get(pages::grid))
        .route("/compliance.xlsx", get(pages::grid_xlsx))
        .route("/compliance/units/{id}", get(pages::unit))
        .routes(routes!(api::grid))
        .routes(routes!(api::unit))
}
