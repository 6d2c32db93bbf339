//! The notifications' JSON API: the caller's inbox and preferences, the district's send log.

use axum::extract::{Query, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::service::{self, MarkRead, SendQuery};
use crate::db::list::Page;
use crate::db::notifications::{InboxItem, NotifyRules, Prefs, SendRow};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::form::lenient_i64;
use crate::web::Ctx;

#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InboxQuery {
    /// Only unread messages.
    #[serde(default)]
    pub unread: Option<bool>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub page: Option<i64>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub per_page: Option<i64>,
}

/// How many in-app messages are unread (the bell).
#[derive(Debug, Serialize, ToSchema)]
pub struct Unread {
    pub unread: i64,
}

/// How many were marked read.
#[derive(Debug, Serialize, ToSchema)]
pub struct Marked {
    pub marked: u64,
    pub unread: i64,
}

/// The caller's in-app messages, newest first (`unread=true`: only those not read).
#[utoipa::path(get, path = "/api/v1/me/notifications", tag = "notifications", params(InboxQuery),
    responses((status = 200, body = Page<InboxItem>)))]
pub async fn inbox(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<InboxQuery>,
) -> AppResult<Json<Page<InboxItem>>> {
    let page = service::inbox(
        &state.db,
        &ctx,
        q.unread.unwrap_or(false),
        q.page.unwrap_or(1),
        q.per_page.unwrap_or(20),
    )
    .await?;
    Ok(Json(page))
}

/// How many of the caller's in-app messages are unread (the bell's count).
#[utoipa::path(get, path = "/api/v1/me/notifications/unread", tag = "notifications",
    responses((status = 200, body = Unread)))]
pub async fn unread(State(state): State<AppState>, ctx: Ctx) -> AppResult<Json<Unread>> {
    Ok(Json(Unread {
        unread: service::unread(&state.db, &ctx).await?,
    }))
}

/// Marks the caller's messages read: `{"ids": [..]}` or `{"all": true}`.
#[utoipa::path(post, path = "/api/v1/me/notifications", tag = "notifications", request_body = MarkRead,
    responses((status = 200, body = Marked)))]
pub async fn mark_read(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(input): Json<MarkRead>,
) -> AppResult<Json<Marked>> {
    let marked = service::mark_read(&state.db, &ctx, &input).await?;
    let unread = service::unread(&state.db, &ctx).await?;
    Ok(Json(Marked { marked, unread }))
}

/// The caller's notification preferences (e-mail, phone, channels, quiet hours 22:00–07:00).
#[utoipa::path(get, path = "/api/v1/me/notification-prefs", tag = "notifications",
    responses((status = 200, body = Prefs)))]
pub async fn get_prefs(State(state): State<AppState>, ctx: Ctx) -> AppResult<Json<Prefs>> {
    Ok(Json(service::prefs(&state.db, &ctx).await?))
}

/// Sets the caller's notification preferences.
#[utoipa::path(put, path = "/api/v1/me/notification-prefs", tag = "notifications", request_body = Prefs,
    responses((status = 200, body = Prefs)))]
pub async fn set_prefs(State(state): State<AppState>, ctx: Ctx, Json(input): Json<Prefs>) -> AppResult<Json<Prefs>> {
    Ok(Json(service::set_prefs(&state.db, &ctx, &input).await?))
}

/// Every message queued, sent, failed or skipped, newest first; addresses masked (the district).
#[utoipa::path(get, path = "/api/v1/notifications/sends", tag = "notifications", params(SendQuery),
    responses((status = 200, body = Page<SendRow>)))]
pub async fn sends(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SendQuery>,
) -> AppResult<Json<Page<SendRow>>> {
    Ok(Json(service::sends(&state.db, &ctx, &q).await?))
}

/// The district's reminder rules (days before a milestone's deadline).
#[utoipa::path(get, path = "/api/v1/notifications/rules", tag = "notifications",
    responses((status = 200, body = NotifyRules)))]
pub async fn get_rules(State(state): State<AppState>, ctx: Ctx) -> AppResult<Json<NotifyRules>> {
    Ok(Json(service::rules(&state.db, &ctx).await?))
}

/// Sets the reminder rules (the district).
#[utoipa::path(put, path = "/api/v1/notifications/rules", tag = "notifications", request_body = NotifyRules,
    responses((status = 200, body = NotifyRules)))]
pub async fn set_rules(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(input): Json<NotifyRules>,
) -> AppResult<Json<NotifyRules>> {
    Ok(Json(service::set_rules(&state.db, &ctx, &input).await?))
}
