//! The public site (宣传, SPEC §6): for anyone, no sign-in — the district's headline figures,
//! this month's concentrated day, published activities to come (filtered, with the way to sign
//! up), reports of completed activities with their photos, and the certificate check; in both
//! languages, phone first, with share cards for WeChat and other apps. `/` shows it to anyone not
//! signed in; `/site` to everyone.

pub mod api;
mod pages;
pub mod service;

use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::IntoResponse;
use axum::routing::get;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::state::AppState;
pub use pages::home_page;

/// The share card's picture (1200×630, made for this site; no third-party asset).
pub const OG_IMAGE: &str = "/static/og.png";
const OG_PNG: &[u8] = include_bytes!("../../../templates/static/og.png");

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/site", get(pages::site))
        .route("/site/activities", get(pages::activities))
        .route("/reports", get(pages::reports))
        .route("/reports/{id}", get(pages::report))
        .route("/verify", get(pages::verify))
        .route(
            OG_IMAGE,
            get(|| async {
                (
                    [(CONTENT_TYPE, "image/png"), (CACHE_CONTROL, "public, max-age=86400")],
                    OG_PNG,
                )
                    .into_response()
            }),
        )
        .routes(routes!(api::home))
        .routes(routes!(api::activities))
        .routes(routes!(api::reports))
        .routes(routes!(api::report))
}
