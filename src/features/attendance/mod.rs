//! On the day: the QR poster, the phone page behind it (sign in, sign out, or a walk-in who gives
//! name, phone and consent), the API a script uses for the same, the leader's bulk sign-in and
//! sign-out, corrections with a reason, and the confirmation of hours.

mod api;
mod pages;
pub mod service;

use axum::routing::{get, post};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::state::AppState;
pub use service::{close_ended, confirm_due_day, sign_out_when_over};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/s/{id}", get(pages::scan_page))
        .route("/s/{id}/in", post(pages::scan_in))
        .route("/s/{id}/out", post(pages::scan_out))
        .route("/activities/{id}/poster", get(pages::poster))
        .route("/activities/{id}/attendance", post(pages::bulk_page))
        .route("/activities/{id}/attendance/{volunteer_id}", post(pages::correct_page))
        .route("/activities/{id}/hours", post(pages::confirm_page))
        .routes(routes!(api::api_sign_in))
        .routes(routes!(api::api_sign_out))
        .routes(routes!(api::api_code))
        .routes(routes!(api::api_bulk))
        .routes(routes!(api::api_correct))
        .routes(routes!(api::api_corrections))
        .routes(routes!(api::api_confirm))
}
