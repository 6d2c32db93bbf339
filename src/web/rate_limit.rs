//! The rate-limit middleware: which limits a request counts against (by its path and who asks),
//! checked against the shared [`Limiter`] in the state. Kept apart from `limits.rs` so that the
//! limiter, which the state holds, does not import the state.

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::state::AppState;
use crate::web::limits::*;
use crate::web::Ctx;

/// Which limits a request counts against, before any handler runs.
fn rules_for(method: &Method, path: &str, ctx: &Ctx, limiter: &Limiter) -> Vec<(Rule, String)> {
    let ip = ctx.ip.clone();
    let mut rules = vec![];
    let post = method == Method::POST;
    if post && (path == "/join" || path == "/api/v1/join") {
        rules.push((JOIN_PER_ADDRESS, ip.clone()));
        rules.push((JOIN_GLOBAL, String::new()));
    }
    if post && path.starts_with("/s/") {
        rules.push((SCAN_PER_ADDRESS, ip.clone()));
    }
    if path == "/verify"
        || path.starts_with("/verify/")
        || (path.starts_with("/api/v1/certificates/") && path.ends_with("/verify"))
    {
        rules.push((VERIFY_PER_ADDRESS, ip.clone()));
    }
    if post && (path == "/notice/objections" || path == "/api/v1/notice/objections") {
        rules.push((OBJECTION_PER_ADDRESS, ip.clone()));
    }
    if post && (path == "/needs/ask" || path == "/api/v1/needs/ask") {
        rules.push((NEED_PER_ADDRESS, ip.clone()));
    }
    if post && path.contains("/needs/track/") {
        rules.push((NEED_LINK_PER_ADDRESS, ip.clone()));
    }
    if post && (path == "/login" || path == "/api/v1/auth/login") {
        rules.push((LOGIN_PER_ADDRESS, ip.clone()));
    }
    if post && (path == "/password/forgot" || path == "/api/v1/auth/password/forgot") {
        rules.push((RECOVERY_PER_ADDRESS, ip.clone()));
    }
    if post && (path == "/password/reset" || path == "/api/v1/auth/password/reset") {
        rules.push((RESET_PER_ADDRESS, ip.clone()));
    }
    match &ctx.principal {
        Some(p) => {
            if let Some(rule) = limiter.per_account_rule() {
                rules.push((rule, p.user_id.to_string()));
            }
        }
        None => {
            rules.push((ANONYMOUS_PER_ADDRESS, ip));
            rules.push((ANONYMOUS_GLOBAL, String::new()));
        }
    }
    rules
}

/// Paths that are never limited: probes and static files.
fn exempt(path: &str) -> bool {
    matches!(path, "/healthz" | "/readyz" | "/favicon.ico") || path.starts_with("/static/")
}

/// The middleware: runs after the session layer (it needs to know who asks).
pub async fn rate_limit_layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if exempt(&path) {
        return next.run(req).await;
    }
    let Some(ctx) = req.extensions().get::<Ctx>().cloned() else {
        return next.run(req).await;
    };
    for (rule, subject) in rules_for(req.method(), &path, &ctx, &state.limits) {
        if let Err(e) = state.limits.hit(rule, &subject).await {
            return e.into_response();
        }
    }
    next.run(req).await
}
