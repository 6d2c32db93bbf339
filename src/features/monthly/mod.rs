//! 月报: the month's statistics form of the district, a street or a unit, generated from the
//! records (activities held, 人次, confirmed hours by category and by form, the concentrated
//! day's turnout, volunteers and teams active, new registrations), as a page that prints, an
//! .xlsx in the official layout and JSON, with a paragraph for publicity.

pub mod api;
mod pages;
pub mod service;
mod summary;

use axum::routing::get;
use utoipa_axum::{router::OpenApiRouter, routes};

pub use crate::db::monthly::{Line, Monthly, Needs};
use crate::state::AppState;
pub use service::MonthlyParams;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/stats/monthly", get(pages::monthly))
        .route("/stats/monthly.xlsx", get(api::xlsx))
        .routes(routes!(api::monthly))
        .routes(routes!(api::xlsx))
}
