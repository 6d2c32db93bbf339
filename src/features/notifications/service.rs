//! Notifications as services: queue events (`notify`), read and mark one's inbox, set one's
//! preferences, and the district's log of every send.
//!
//! Other code that already holds a transaction calls [`crate::db::notifications::queue`] with
//! the same [`Notice`]s (see that module's doc); [`notify`] is the same in a transaction of its
//! own, for code that has none.

use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::policy::{self, Action, Object};
use crate::auth::Acting;
use crate::db::list::Page;
use crate::db::notifications::{self as store, InboxItem, Notice, NotifyRules, Prefs, SendFilter, SendRow};
use crate::db::Db;
use crate::domain::notification::{mask_address, Channel, DeliveryState, NoticeKind};
use crate::error::{AppError, AppResult, FieldError};

/// Queues `notices` in a transaction of their own; answers how many messages were added.
pub async fn notify(db: &Db, notices: &[Notice]) -> AppResult<u64> {
    let mut tx = db.begin().await?;
    let n = store::queue(&mut tx, notices).await?;
    tx.commit().await?;
    Ok(n)
}

/// The caller's inbox, newest first.
pub async fn inbox(db: &Db, by: &Acting, unread_only: bool, page: i64, per_page: i64) -> AppResult<Page<InboxItem>> {
    let me = by.user()?;
    Ok(store::inbox(db, me.user_id, unread_only, page, per_page.clamp(1, 200)).await?)
}

/// How many of the caller's inbox messages are unread.
pub async fn unread(db: &Db, by: &Acting) -> AppResult<i64> {
    Ok(store::unread(db, by.user()?.user_id).await?)
}

/// Which messages to mark read: the ids given, or all.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct MarkRead {
    #[serde(default)]
    pub ids: Option<Vec<i64>>,
    #[serde(default)]
    pub all: bool,
}

/// Marks the caller's messages read (someone else's ids change nothing); answers how many.
pub async fn mark_read(db: &Db, by: &Acting, input: &MarkRead) -> AppResult<u64> {
    let me = by.user()?;
    let ids = match (&input.ids, input.all) {
        (_, true) => None,
        (Some(ids), false) if ids.len() <= 1000 => Some(ids.as_slice()),
        (Some(_), false) => return Err(AppError::field("ids", "err.notify_too_many")),
        (None, false) => return Err(AppError::field("ids", "err.required")),
    };
    let mut tx = db.begin().await?;
    let n = store::mark_read(&mut tx, me.user_id, ids).await?;
    tx.commit().await?;
    Ok(n)
}

/// The caller's notification preferences.
pub async fn prefs(db: &Db, by: &Acting) -> AppResult<Prefs> {
    Ok(store::prefs(db, by.user()?.user_id).await?)
}

/// Sets the caller's preferences (channels and quiet hours; addresses are the account's own).
pub async fn set_prefs(db: &Db, by: &Acting, input: &Prefs) -> AppResult<Prefs> {
    let me = by.user()?;
    let before = store::prefs(db, me.user_id).await?;
    let mut tx = db.begin().await?;
    store::set_prefs(&mut tx, &by.actor(), me.user_id, &before, input).await?;
    tx.commit().await?;
    Ok(input.clone())
}

/// Filters of the district's send log, as the API and the page take them.
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SendQuery {
    /// An event kind (`activity_cancelled`, `link_code`, …).
    pub kind: Option<String>,
    /// inbox, email or sms.
    pub channel: Option<String>,
    /// queued, sending, sent, failed or skipped.
    pub state: Option<String>,
    #[serde(default, deserialize_with = "crate::web::form::lenient_i64")]
    pub page: Option<i64>,
    #[serde(default, deserialize_with = "crate::web::form::lenient_i64")]
    pub per_page: Option<i64>,
}

fn parse_filter(q: &SendQuery) -> AppResult<SendFilter> {
    let pick = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let mut errs = vec![];
    let kind = pick(&q.kind).map(|k| NoticeKind::parse(&k).ok_or(()));
    let channel = pick(&q.channel).map(|k| Channel::parse(&k).ok_or(()));
    let state = pick(&q.state).map(|k| DeliveryState::parse(&k).ok_or(()));
    if matches!(kind, Some(Err(_))) {
        errs.push(FieldError::new("kind", "err.notify_choice"));
    }
    if matches!(channel, Some(Err(_))) {
        errs.push(FieldError::new("channel", "err.notify_choice"));
    }
    if matches!(state, Some(Err(_))) {
        errs.push(FieldError::new("state", "err.notify_choice"));
    }
    if !errs.is_empty() {
        return Err(AppError::Validation(errs));
    }
    Ok(SendFilter {
        kind: kind.and_then(Result::ok),
        channel: channel.and_then(Result::ok),
        state: state.and_then(Result::ok),
        user_id: None,
    })
}

/// Whether the caller sees the send log (the district).
pub fn may_see_sends(by: &Acting) -> bool {
    by.user()
        .map(|p| policy::allows(p, Action::View, &Object::AuditLog))
        .unwrap_or(false)
}

/// Every message sent, queued or given up, newest first, filtered (the district only).
pub async fn sends(db: &Db, by: &Acting, q: &SendQuery) -> AppResult<Page<SendRow>> {
    by.user()?;
    if !may_see_sends(by) {
        return Err(AppError::Forbidden);
    }
    let f = parse_filter(q)?;
    let page = store::sends(
        db,
        &f,
        q.page.unwrap_or(1).max(1),
        q.per_page.unwrap_or(50).clamp(1, 500),
    )
    .await?;
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(|mut row| {
                row.recipient = mask_address(&row.recipient);
                row
            })
            .collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    })
}

/// The district's reminder rules.
pub async fn rules(db: &Db, by: &Acting) -> AppResult<NotifyRules> {
    by.user()?;
    Ok(store::rules(db).await?)
}

/// Sets how many days before a milestone's deadline reminders go (the district; 0–30).
pub async fn set_rules(db: &Db, by: &Acting, input: &NotifyRules) -> AppResult<NotifyRules> {
    if !policy::allows(by.user()?, Action::Update, &Object::Campaign) {
        return Err(AppError::Forbidden);
    }
    if !(0..=30).contains(&input.milestone_days) {
        return Err(AppError::field("milestone_days", "err.notify_days"));
    }
    let before = store::rules(db).await?;
    let mut tx = db.begin().await?;
    store::set_rules(&mut tx, &by.actor(), &before, input).await?;
    tx.commit().await?;
    Ok(input.clone())
}
