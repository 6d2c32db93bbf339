//! The service record (办法 Art 7–8) with totals per year and the star level, the district's
//! rules of service, and the service certificate (志愿服务证明): issued with a unique number,
//! signed, printable on A4 with a QR code, and verifiable by anyone on a public page.

mod api;
mod pages;
pub mod service;

use axum::routing::{get, post};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::state::AppState;
pub use service::*;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/volunteers/{id}/service", get(pages::service_page))
        .route("/volunteers/{id}/certificates", post(pages::issue_page))
        .route("/me/service", get(pages::my_service_page))
        .route("/certificates/{number}", get(pages::certificate_page))
        .route("/verify/{number}", get(pages::verify_page))
        .route("/service-rules", get(pages::rules_page).post(pages::rules_submit))
        .routes(routes!(api::api_service))
        .routes(routes!(api::api_issue))
        .routes(routes!(api::api_my_service))
        .routes(routes!(api::api_verify))
        .routes(routes!(api::api_rules, api::api_set_rules))
}
