//! The home page of each role (what it has to do), health checks, static files, shared pages.

pub mod api;
mod pages;
pub mod service;
mod volunteer;

use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Json;
use serde::Serialize;

use crate::error::AppError;
use crate::state::AppState;
use crate::web::templates::{CSS, JS};
use pages::*;
pub use pages::{delete_outcome, delete_page};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/", get(home))
        .route("/me/signups", get(signups_page))
        .routes(routes!(api::todo))
        .routes(routes!(api::signups))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route(
            "/static/app.css",
            get(|| async { asset("text/css; charset=utf-8", CSS) }),
        )
        .route(
            "/static/app.js",
            get(|| async { asset("text/javascript; charset=utf-8", JS) }),
        )
}

fn asset(mime: &'static str, body: &'static str) -> Response {
    ([(CONTENT_TYPE, mime), (CACHE_CONTROL, "public, max-age=3600")], body).into_response()
}

/// For load balancers and probes: 200 `{"status":"ready",…}` when the database answers and takes
/// a write, else 503 `{"status":"not_ready","reachable":…,"writable":…}` with `Retry-After`.
async fn readyz(State(state): State<AppState>) -> Response {
    let r = state.db.readiness().await;
    let ready = r.ready();
    let body = serde_json::json!({
        "status": if ready { "ready" } else { "not_ready" },
        "database": r.database,
        "reachable": r.reachable,
        "writable": r.writable,
    });
    let mut res = Json(body).into_response();
    if !ready {
        *res.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
        res.headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from_static(crate::error::RETRY_AFTER_SECS));
    }
    res
}

#[derive(Serialize)]
struct Tile {
    label: String,
    value: i64,
    href: &'static str,
}

/// Unknown routes: a 404 that the error layer writes as a page or as JSON.
pub async fn not_found() -> AppError {
    AppError::NotFound
}
