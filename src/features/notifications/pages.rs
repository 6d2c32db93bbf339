//! The notifications' pages: the inbox (with the preferences form) and the district's send log.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::Response;

use super::api::InboxQuery;
use super::service::{self, MarkRead, SendQuery};
use crate::db::notifications::Prefs;
use crate::domain::dates::format_local;
use crate::domain::notification::{Channel, DeliveryState, ALL_KINDS};
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;
use crate::web::{form_urlencoded_pairs, redirect_with_flash, Ctx};

async fn inbox_view(
    state: &AppState,
    ctx: &Ctx,
    q: &InboxQuery,
    prefs: Prefs,
    errors: &[FieldError],
) -> AppResult<Response> {
    let unread_only = q.unread.unwrap_or(false);
    let contact = crate::features::contact::service::contact(&state.db, ctx).await?;
    let page = service::inbox(&state.db, ctx, unread_only, q.page.unwrap_or(1), 50).await?;
    let items: Vec<_> = page
        .items
        .iter()
        .map(|m| {
            minijinja::context! {
                id => m.id, subject => m.subject, body => m.body, link => m.link,
                at => format_local(m.created_at), unread => m.read_at.is_none(),
                kind => ctx.t(&format!("notify.kind.{}", m.kind.as_str())),
            }
        })
        .collect();
    let errors: Vec<String> = errors
        .iter()
        .map(|e| {
            format!(
                "{}: {}",
                ctx.t(&format!("notify.prefs.{}", e.field)),
                e.message(ctx.lang)
            )
        })
        .collect();
    let mut r = ctx.render(
        state,
        "notifications/inbox.html",
        minijinja::context! {
            title => ctx.t("nav.notifications"), items => items, total => page.total, unread_only => unread_only,
            prefs => prefs, contact => contact, errors => errors, may_see_sends => service::may_see_sends(ctx),
        },
    );
    if !errors.is_empty() {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

pub async fn inbox(State(state): State<AppState>, ctx: Ctx, Query(q): Query<InboxQuery>) -> AppResult<Response> {
    let prefs = service::prefs(&state.db, &ctx).await?;
    inbox_view(&state, &ctx, &q, prefs, &[]).await
}

pub async fn mark_read(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> AppResult<Response> {
    let pairs = form_urlencoded_pairs(&String::from_utf8_lossy(&body));
    let ids: Vec<i64> = pairs
        .iter()
        .filter(|(k, _)| k == "id")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let input = MarkRead {
        all: ids.is_empty(),
        ids: Some(ids),
    };
    service::mark_read(&state.db, &ctx, &input).await?;
    let to = pairs
        .iter()
        .find(|(k, _)| k == "next")
        .map(|(_, v)| v.as_str())
        .filter(|v| v.starts_with('/') && !v.starts_with("//"))
        .unwrap_or("/notifications");
    Ok(redirect_with_flash(to, "flash.saved", ctx.secure))
}

pub async fn save_prefs(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> AppResult<Response> {
    let pairs = form_urlencoded_pairs(&String::from_utf8_lossy(&body));
    let v = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let input = Prefs {
        email_on: v("email_on").is_some(),
        sms_on: v("sms_on").is_some(),
        quiet_hours: v("quiet_hours").is_some(),
    };
    match service::set_prefs(&state.db, &ctx, &input).await {
        Ok(_) => Ok(redirect_with_flash("/notifications#prefs", "flash.saved", ctx.secure)),
        Err(AppError::Validation(errs)) => inbox_view(&state, &ctx, &InboxQuery::default(), input, &errs).await,
        Err(e) => Err(e),
    }
}

pub async fn sends(State(state): State<AppState>, ctx: Ctx, Query(q): Query<SendQuery>) -> AppResult<Response> {
    let page = service::sends(&state.db, &ctx, &q).await?;
    let rows: Vec<_> = page
        .items
        .iter()
        .map(|r| {
            minijinja::context! {
                id => r.id, kind => ctx.t(&format!("notify.kind.{}", r.kind.as_str())),
                channel => ctx.t(&format!("notify.channel.{}", r.channel.as_str())),
                recipient => r.recipient, subject => r.subject, state => r.state.as_str(),
                state_label => ctx.t(&format!("notify.state.{}", r.state.as_str())),
                attempts => r.attempts, created => format_local(r.created_at),
                sent => r.sent_at.map(format_local), next => format_local(r.next_attempt_at), error => r.error,
            }
        })
        .collect();
    let opt = |v: &str, key: String| minijinja::context! { value => v, label => ctx.t(&key) };
    let kinds: Vec<_> = ALL_KINDS
        .iter()
        .map(|k| opt(k.as_str(), format!("notify.kind.{}", k.as_str())))
        .collect();
    let channels: Vec<_> = [Channel::Inbox, Channel::Email, Channel::Sms]
        .iter()
        .map(|c| opt(c.as_str(), format!("notify.channel.{}", c.as_str())))
        .collect();
    let states: Vec<_> = [
        DeliveryState::Queued,
        DeliveryState::Sending,
        DeliveryState::Sent,
        DeliveryState::Failed,
        DeliveryState::Skipped,
    ]
    .iter()
    .map(|s| opt(s.as_str(), format!("notify.state.{}", s.as_str())))
    .collect();
    let pages = (page.total + page.per_page - 1) / page.per_page.max(1);
    Ok(ctx.render(
        &state,
        "notifications/sends.html",
        minijinja::context! {
            title => ctx.t("notify.sends"), rows => rows, total => page.total, page => page.page, pages => pages,
            kinds => kinds, channels => channels, states => states,
            rules => service::rules(&state.db, &ctx).await?,
            f => minijinja::context! { kind => q.kind, channel => q.channel, state => q.state },
        },
    ))
}

pub async fn save_rules(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> AppResult<Response> {
    let pairs = form_urlencoded_pairs(&String::from_utf8_lossy(&body));
    let days = pairs
        .iter()
        .find(|(k, _)| k == "milestone_days")
        .and_then(|(_, v)| v.trim().parse::<i64>().ok())
        .unwrap_or(-1);
    let input = crate::db::notifications::NotifyRules { milestone_days: days };
    match service::set_rules(&state.db, &ctx, &input).await {
        Ok(_) => Ok(redirect_with_flash("/notifications/sends", "flash.saved", ctx.secure)),
        Err(AppError::Validation(errs)) => Ok(ctx.refusal_for(&state, "notify.rules", &errs, "/notifications/sends")),
        Err(e) => Err(e),
    }
}
