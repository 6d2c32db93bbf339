//! Notifications: one outbox for every message (in-app inbox, e-mail over SMTP, SMS through an
//! HTTP provider), delivered by a job any instance may run, with retries, per-channel rate
//! limits, per-user preferences and quiet hours, and a send log the district reads.
//!
//! **To tell people about an event** from code that holds a transaction, queue [`Notice`]s in
//! it — the message exists exactly when the change is committed:
//!
//! ```ignore
//! use crate::db::notifications::{queue, Notice};
//! use crate::domain::notification::NoticeKind;
//! let n = Notice::to_user(NoticeKind::Promoted, format!("promoted:{signup_id}"), user_id)
//!     .param("title", &title)
//!     .param("starts", format_local(starts_at))
//!     .link(format!("/activities/{activity_id}"));
//! queue(&mut tx, &[n]).await?;                      // in the caller's transaction
//! // or, with no transaction at hand:
//! crate::features::notifications::notify(&db, &[n]).await?;
//! ```
//!
//! `event` (`<kind>:<object id>…`) with the recipient and channel is the idempotency key: the
//! same event is never queued, and so never sent, twice. `Notice::to_each(&user_ids)` copies a
//! notice to many; `Notice::to_address` sends to one phone or e-mail address only (one-time
//! codes: `db::identity::enqueue` does that). Each kind's texts are `notify.<kind>.subject` and
//! `notify.<kind>.body` in both i18n files, with `{param}` placeholders. See
//! [`crate::db::notifications`] for how recipients, channels and quiet hours are decided.

pub mod api;
pub mod channels;
pub mod delivery;
pub mod events;
mod pages;
pub mod reminders;
pub mod service;

use axum::routing::{get, post};
use utoipa_axum::{router::OpenApiRouter, routes};

pub use crate::db::notifications::{queue, Notice, Prefs, Recipient};
pub use crate::domain::notification::{Channel, DeliveryState, NoticeKind};
use crate::state::AppState;
pub use service::notify;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/notifications", get(pages::inbox))
        .route("/notifications/read", post(pages::mark_read))
        .route("/notifications/prefs", post(pages::save_prefs))
        .route("/notifications/sends", get(pages::sends))
        .route("/notifications/rules", post(pages::save_rules))
        .routes(routes!(api::inbox, api::mark_read))
        .routes(routes!(api::unread))
        .routes(routes!(api::get_prefs, api::set_prefs))
        .routes(routes!(api::sends))
        .routes(routes!(api::get_rules, api::set_rules))
}
