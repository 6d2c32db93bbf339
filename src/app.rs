//! The application state and the router, assembled from each feature's router.

use std::net::SocketAddr;

use axum::extract::DefaultBodyLimit;
use axum::http::header::{HeaderName, HeaderValue};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::Response;
use axum::Router;
use utoipa::OpenApi;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::features;
use crate::openapi;
use crate::state::AppState;
use crate::web::{self};

/// Every route of the site and the API. The API's are declared with their OpenAPI annotation
/// (utoipa-axum), so the document (`crate::openapi::document`) is built from this same list.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .merge(features::home::router())
        .merge(features::account::router())
        .merge(features::district::router())
        .merge(features::streets::router())
        .merge(features::communities::router())
        .merge(features::units::router())
        .merge(features::pairings::router())
        .merge(features::users::router())
        .merge(features::audit::router())
        .merge(features::campaign::router())
        .merge(features::calendar::router())
        .merge(features::teams::router())
        .merge(features::traffic::router())
        .merge(features::checkins::router())
        .merge(features::volunteers::router())
        .merge(features::identity::router())
        .merge(features::activities::router())
        .merge(features::attendance::router())
        .merge(features::dispatches::router())
        .merge(features::certificates::router())
        .merge(features::privacy::router())
        .merge(features::compliance::router())
        .merge(features::stats::router())
        .merge(features::recovery::router())
        .merge(features::notifications::router())
        .merge(features::contact::router())
        .merge(features::inspections::router())
        .merge(features::assessment::router())
        .merge(features::commendations::router())
        .merge(features::monthly::router())
        .merge(features::public::router())
        .merge(features::needs::router())
        .routes(routes!(openapi::api_document))
}

pub fn router(state: AppState) -> Router {
    let (routes, _) = routes().split_for_parts();
    routes
        .route("/favicon.ico", axum::routing::get(web::favicon::favicon))
        .fallback(features::home::not_found)
        .layer(DefaultBodyLimit::max(web::BODY_LIMIT))
        .layer(from_fn_with_state(state.clone(), web::rate_limit::rate_limit_layer))
        .layer(from_fn(web::refuse_bad_input))
        .layer(from_fn_with_state(state.clone(), web::session_layer))
        .layer(from_fn_with_state(state.clone(), keep_one_connection))
        .layer(from_fn_with_state(state.clone(), web::render_errors))
        .layer(from_fn_with_state(state.clone(), security_headers))
        .layer(from_fn(web::trace_requests))
        .with_state(state)
}

/// On PostgreSQL, the session read and the handler's reads share one connection (`db::held`).
async fn keep_one_connection(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    match &state.db {
        crate::db::Db::Pg(pool) => {
            // A server error may come from a broken connection: that one goes back to the pool.
            crate::db::held::keep_one(pool, &state.spares, next.run(req), |res| {
                !res.status().is_server_error()
            })
            .await
        }
        crate::db::Db::Sqlite { .. } => next.run(req).await,
    }
}

/// Headers every answer carries. `Cache-Control: no-store` on everything that does not say
/// otherwise (pages, API answers and exports may carry personal data; only the static assets and
/// access-checked photos set their own); HSTS only when the request came over HTTPS.
async fn security_headers(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let https = web::came_over_https(&state.cfg, req.headers());
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, k: &'static str, v: &'static str| {
        h.entry(HeaderName::from_static(k))
            .or_insert(HeaderValue::from_static(v));
    };
    set(h, "x-content-type-options", "nosniff");
    set(h, "x-frame-options", "DENY");
    set(h, "referrer-policy", "same-origin");
    set(
        h,
        "content-security-policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
    );
    set(h, "cache-control", "no-store");
    if https {
        set(h, "strict-transport-security", "max-age=31536000");
    }
    res
}

/// Serves until Ctrl-C or SIGTERM; `ready` is told the bound address.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> anyhow::Result<()> {
    tokio::spawn(features::attendance::sign_out_when_over(state.db.clone()));
    features::notifications::delivery::start(&state);
    tokio::spawn(features::assessment::service::keep_fresh(state.db.clone()));
    tokio::spawn(features::stats::service::keep_fresh(state.db.clone()));
    let app = router(state);
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
