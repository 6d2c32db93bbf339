//! The outbox of notifications: every message to every recipient on every channel.
//!
//! **Queueing an event** (from any write, inside its own transaction, so that a message exists
//! exactly when the change it tells of was committed):
//!
//! ```ignore
//! use crate::db::notifications::{self as notices, Notice};
//! use crate::domain::notification::NoticeKind;
//! notices::queue(&mut tx, &[
//!     Notice::to_user(NoticeKind::ActivityCancelled, format!("activity_cancelled:{id}"), user_id)
//!         .param("title", &activity.title)
//!         .param("starts", format_local(activity.starts_at))
//!         .link(format!("/activities/{id}")),
//! ]).await?;
//! ```
//!
//! - `event` names the event once (`<kind>:<object id>[:<more>]`); with the recipient and the
//!   channel it makes the row's idempotency key, which is unique: queueing the same event for
//!   the same person again adds nothing, so a periodic job or a retried request may queue freely.
//! - A notice to a user (`Notice::to_user`) goes to the in-app inbox at once (one-time codes
//!   excepted), and is queued for e-mail and SMS when the account has an address there (its own,
//!   proved under `/me/contact`; SMS falls back to the volunteer record's phone) and keeps the
//!   channel on (`notification_prefs`). Subject and
//!   body are rendered now in the user's language from `notify.<kind>.subject|body` (i18n files),
//!   with `{name}` filled from the params.
//! - A notice to an address (`Notice::to_address`, e.g. a one-time code to the phone being
//!   proved) goes only there, in the language given.
//! - Non-urgent e-mail and SMS to someone who keeps quiet hours wait until 07:00 China time.
//!
//! Delivery (`claim` / `finish`) is run by `features::notifications::delivery` on any instance:
//! PostgreSQL claims rows with `FOR UPDATE SKIP LOCKED`, SQLite through its single writer, so
//! two instances never send one row twice. This is the one file with per-backend SQL outside
//! migrations and backups, for that claim.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use super::notify_facts::*;

use super::audit::{self, Actor, Op, Subject};
use super::list::Page;
use super::{now, Db, Tx};
use crate::domain::notification::{after_quiet_hours, Channel, DeliveryState, NoticeKind};
use crate::i18n::{tf, Lang};
use crate::{on_db, on_tx};

/// Marks a parameter value that is an i18n key (a NUL never comes from user input: the
/// databases refuse it).
const TEXT_KEY: &str = "\u{0}t:";

/// Who a notice is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Recipient {
    /// An account: its inbox, and its e-mail and phone when it has them and wants them.
    User(i64),
    /// One address only (an e-mail address, or a phone), in the language given.
    Address { address: String, lang: Lang },
}

/// One event to tell one recipient about.
#[derive(Clone, Debug)]
pub struct Notice {
    pub kind: NoticeKind,
    /// The event, unique per occurrence: `activity_cancelled:42`, `activity_soon:42`.
    pub event: String,
    pub to: Recipient,
    /// Filled into the kind's texts (`{title}` ← `("title", …)`).
    pub params: Vec<(String, String)>,
    /// Where the message leads in the site (`/activities/42`); empty for none.
    pub link: String,
}

impl Notice {
    pub fn to_user(kind: NoticeKind, event: impl Into<String>, user_id: i64) -> Notice {
        Notice {
            kind,
            event: event.into(),
            to: Recipient::User(user_id),
            params: vec![],
            link: String::new(),
        }
    }

    pub fn to_address(kind: NoticeKind, event: impl Into<String>, address: impl Into<String>, lang: Lang) -> Notice {
        Notice {
            kind,
            event: event.into(),
            to: Recipient::Address {
                address: address.into(),
                lang,
            },
            params: vec![],
            link: String::new(),
        }
    }

    pub fn param(mut self, name: &str, value: impl ToString) -> Notice {
        self.params.push((name.to_string(), value.to_string()));
        self
    }

    pub fn link(mut self, link: impl Into<String>) -> Notice {
        self.link = link.into();
        self
    }

    /// The same notice to each of `user_ids` (duplicates dropped).
    pub fn to_each(&self, user_ids: &[i64]) -> Vec<Notice> {
        let mut seen = HashSet::new();
        user_ids
            .iter()
            .filter(|u| seen.insert(**u))
            .map(|u| Notice {
                to: Recipient::User(*u),
                ..self.clone()
            })
            .collect()
    }

    /// A parameter shown as the text of i18n `key` in each recipient's language.
    pub fn param_text(mut self, name: &str, key: &str) -> Notice {
        self.params.push((name.to_string(), format!("{TEXT_KEY}{key}")));
        self
    }

    /// Subject and body in `lang`.
    pub fn render(&self, lang: Lang) -> (String, String) {
        let params: Vec<(&str, String)> = self
            .params
            .iter()
            .map(|(k, v)| match v.strip_prefix(TEXT_KEY) {
                Some(key) => (k.as_str(), crate::i18n::t(lang, key)),
                None => (k.as_str(), v.clone()),
            })
            .collect();
        (
            tf(lang, &self.kind.subject_key(), &params),
            tf(lang, &self.kind.body_key(), &params),
        )
    }
}

/// How an account wants to be told: which channels, and whether non-urgent messages wait out
/// the night. Where to is the account's own e-mail address and phone (`/me/contact`).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, sqlx::FromRow, PartialEq)]
pub struct Prefs {
    pub email_on: bool,
    pub sms_on: bool,
    /// Non-urgent e-mail and SMS wait from 22:00 until 07:00.
    pub quiet_hours: bool,
}

impl Default for Prefs {
    fn default() -> Prefs {
        Prefs {
            email_on: true,
            sms_on: true,
            quiet_hours: true,
        }
    }
}

#[derive(sqlx::FromRow)]
struct Person {
    id: i64,
    lang: String,
    email: String,
    phone: String,
    email_on: bool,
    sms_on: bool,
    quiet_hours: bool,
}

// The account's own addresses (proved with a code when set); an account with no phone of its
// own is sent SMS at its volunteer record's phone.
const PERSON_SQL: &str = "select u.id, u.lang, coalesce(u.email, '') as email,
        coalesce(nullif(u.phone, ''), v.phone, '') as phone,
        coalesce(p.email_on, true) as email_on, coalesce(p.sms_on, true) as sms_on,
        coalesce(p.quiet_hours, true) as quiet_hours
    from users u left join notification_prefs p on p.user_id = u.id left join volunteers v on v.user_id = u.id
    where u.active and u.id in ";

fn placeholders(from: usize, n: usize) -> String {
    let list: Vec<String> = (from..from + n).map(|i| format!("${i}")).collect();
    format!("({})", list.join(", "))
}

async fn people(tx: &mut Tx, ids: &[i64]) -> sqlx::Result<HashMap<i64, Person>> {
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(900) {
        let sql = format!("{PERSON_SQL}{}", placeholders(1, chunk.len()));
        let rows: Vec<Person> = on_tx!(tx, c => {
            let mut q = sqlx::query_as(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            q.fetch_all(&mut *c).await?
        });
        out.extend(rows.into_iter().map(|p| (p.id, p)));
    }
    Ok(out)
}

/// One row to insert.
struct Row {
    kind: NoticeKind,
    user_id: Option<i64>,
    recipient: String,
    channel: Channel,
    key: String,
    params: String,
    subject: String,
    body: String,
    link: String,
    lang: Lang,
    urgent: bool,
    quiet: bool,
    state: DeliveryState,
    next_at: i64,
    sent_at: Option<i64>,
}

const COLS: usize = 16;

/// Queues `notices` in `tx` (see the module's doc). Answers how many messages were added
/// (inbox, e-mail and SMS rows; those queued before under the same key are not counted).
///
/// Each distinct text (kind, language and parameters: a reminder to the 50 people of one
/// activity is one text) is rendered once, and the rows go in as multi-row inserts.
pub async fn queue(tx: &mut Tx, notices: &[Notice]) -> sqlx::Result<u64> {
    if notices.is_empty() {
        return Ok(0);
    }
    let t = now();
    let ids: Vec<i64> = notices
        .iter()
        .filter_map(|n| match n.to {
            Recipient::User(u) => Some(u),
            _ => None,
        })
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let people = people(tx, &ids).await?;
    let mut rows = Vec::with_capacity(notices.len() * 2);
    // (kind, language, params as JSON) → subject and body.
    let mut texts: HashMap<(NoticeKind, &str, String), (String, String)> = HashMap::new();
    for n in notices {
        let params = serde_json::to_string(&n.params.iter().cloned().collect::<HashMap<_, _>>()).unwrap_or_default();
        let urgent = n.kind.is_urgent();
        let mut push = |channel: Channel, user_id: Option<i64>, recipient: &str, lang: Lang, quiet: bool| {
            let (subject, body) = texts
                .entry((n.kind, lang.code(), params.clone()))
                .or_insert_with(|| n.render(lang))
                .clone();
            let who = user_id
                .map(|u| format!("u{u}"))
                .unwrap_or_else(|| recipient.to_string());
            let inbox = channel == Channel::Inbox;
            let quiet = quiet && !urgent;
            rows.push(Row {
                kind: n.kind,
                user_id,
                recipient: recipient.to_string(),
                channel,
                key: format!("{}|{}|{}", n.event, who, channel.as_str()),
                params: params.clone(),
                subject,
                body,
                link: n.link.clone(),
                lang,
                urgent,
                quiet,
                state: if inbox {
                    DeliveryState::Sent
                } else {
                    DeliveryState::Queued
                },
                next_at: if quiet { after_quiet_hours(t) } else { t },
                sent_at: inbox.then_some(t),
            });
        };
        match &n.to {
            Recipient::User(u) => {
                let Some(p) = people.get(u) else { continue };
                let lang = Lang::parse(&p.lang);
                if !n.kind.is_code() {
                    push(Channel::Inbox, Some(p.id), "", lang, false);
                }
                if p.email_on && !p.email.trim().is_empty() {
                    push(Channel::Email, Some(p.id), p.email.trim(), lang, p.quiet_hours);
                }
                if p.sms_on && !p.phone.trim().is_empty() {
                    push(Channel::Sms, Some(p.id), p.phone.trim(), lang, p.quiet_hours);
                }
            }
            Recipient::Address { address, lang } => {
                let a = address.trim();
                if !a.is_empty() {
                    push(Channel::of_address(a), None, a, *lang, false);
                }
            }
        }
    }
    insert(tx, &rows, t).await
}

async fn insert(tx: &mut Tx, rows: &[Row], t: i64) -> sqlx::Result<u64> {
    let sqlite = tx.is_sqlite();
    // Within both databases' limits on binds per statement (SQLite 32,766, PostgreSQL 65,535).
    let per_statement = if sqlite { 500 } else { 1000 };
    let mut added = 0;
    for chunk in rows.chunks(per_statement) {
        let sql = format!(
            "insert into outbox (kind, user_id, recipient, channel, idempotency_key, params, subject, body, link,
                lang, urgent, quiet_hours, state, next_attempt_at, created_at, sent_at) values {}
             on conflict (idempotency_key) do nothing",
            super::value_groups(tx, chunk.len(), COLS)
        );
        added += on_tx!(tx, c => {
            let mut q = sqlx::query(&sql);
            for r in chunk {
                q = q.bind(r.kind).bind(r.user_id).bind(&r.recipient).bind(r.channel).bind(&r.key)
                    .bind(&r.params).bind(&r.subject).bind(&r.body).bind(&r.link).bind(r.lang.code())
                    .bind(r.urgent).bind(r.quiet).bind(r.state).bind(r.next_at).bind(t).bind(r.sent_at);
            }
            q.execute(&mut *c).await?.rows_affected()
        });
    }
    Ok(added)
}

/// The newest message of `kind` to the address `recipient` (tests and support read one-time
/// codes here when no provider is configured).
pub async fn last_body_to(db: &Db, recipient: &str, kind: NoticeKind) -> sqlx::Result<Option<String>> {
    on_db!(db, pool => sqlx::query_scalar(
        "select body from outbox where recipient = $1 and kind = $2 order by id desc limit 1")
        .bind(recipient).bind(kind).fetch_optional(pool).await)
}

// ---- delivery ------------------------------------------------------------------------------

/// A message claimed for sending.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Outgoing {
    pub id: i64,
    pub kind: NoticeKind,
    pub channel: Channel,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub link: String,
    pub lang: String,
    pub urgent: bool,
    pub quiet_hours: bool,
    pub attempts: i64,
}

const CLAIM_WHERE: &str = "channel = $2 and state in ('queued', 'sending') and next_attempt_at <= $1
    and (state = 'queued' or claimed_until < $1) order by next_attempt_at, id limit $3";
const CLAIM_RETURNING: &str =
    "returning id, kind, channel, recipient, subject, body, link, lang, urgent, quiet_hours, attempts";

/// Claims up to `limit` messages of `channel` due at `now` for `lease` seconds (a message whose
/// lease ran out, because its instance stopped, is claimed again). Each claimed row counts an
/// attempt. Two instances claiming at once get different rows.
pub async fn claim(db: &Db, now: i64, channel: Channel, limit: i64, lease: i64) -> sqlx::Result<Vec<Outgoing>> {
    if limit <= 0 {
        return Ok(vec![]);
    }
    match db {
        Db::Pg(pool) => {
            let sql = format!(
                "update outbox set state = 'sending', claimed_until = $1 + $4, attempts = attempts + 1
                 where id in (select id from outbox where {CLAIM_WHERE} for update skip locked) {CLAIM_RETURNING}"
            );
            sqlx::query_as(&sql)
                .bind(now)
                .bind(channel)
                .bind(limit)
                .bind(lease)
                .fetch_all(pool)
                .await
        }
        Db::Sqlite { .. } => {
            // The single writer connection serialises claims: the select and the update run
            // in one write transaction no other instance or task can interleave with.
            let sql = format!(
                "update outbox set state = 'sending', claimed_until = $1 + $4, attempts = attempts + 1
                 where id in (select id from outbox where {CLAIM_WHERE}) {CLAIM_RETURNING}"
            );
            let mut tx = db.begin().await?;
            let rows = on_tx!(&mut tx, c => sqlx::query_as(&sql)
                .bind(now).bind(channel).bind(limit).bind(lease).fetch_all(&mut *c).await?);
            tx.commit().await?;
            Ok(rows)
        }
    }
}

/// What became of a claimed message.
#[derive(Clone, Debug)]
pub enum Outcome {
    Sent,
    /// Try again at the time given (the error kept).
    Retry(i64, String),
    Failed(String),
    Skipped(String),
    /// Not tried (quiet hours, the channel's rate limit): back in the queue for then.
    Later(i64),
}

/// Records what became of claimed messages, in one transaction.
pub async fn finish(db: &Db, outcomes: &[(i64, Outcome)]) -> sqlx::Result<()> {
    if outcomes.is_empty() {
        return Ok(());
    }
    let t = now();
    let sent: Vec<i64> = outcomes
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::Sent))
        .map(|(id, _)| *id)
        .collect();
    let mut tx = db.begin().await?;
    for chunk in sent.chunks(900) {
        let sql = format!(
            "update outbox set state = 'sent', sent_at = $1, claimed_until = null, error = '' where id in {}",
            placeholders(2, chunk.len())
        );
        on_tx!(&mut tx, c => {
            let mut q = sqlx::query(&sql).bind(t);
            for id in chunk {
                q = q.bind(*id);
            }
            q.execute(&mut *c).await?.rows_affected()
        });
    }
    // The rest grouped by what is written (a round's skipped or held-back messages share it).
    let mut groups: HashMap<(DeliveryState, i64, String, bool), Vec<i64>> = HashMap::new();
    for (id, o) in outcomes {
        let (state, next, error, undo_attempt) = match o {
            Outcome::Sent => continue,
            Outcome::Retry(at, e) => (DeliveryState::Queued, *at, e.as_str(), false),
            Outcome::Failed(e) => (DeliveryState::Failed, t, e.as_str(), false),
            Outcome::Skipped(e) => (DeliveryState::Skipped, t, e.as_str(), false),
            Outcome::Later(at) => (DeliveryState::Queued, *at, "", true),
        };
        let error: String = error.chars().take(500).collect();
        groups.entry((state, next, error, undo_attempt)).or_default().push(*id);
    }
    for ((state, next, error, undo_attempt), ids) in groups {
        for chunk in ids.chunks(900) {
            let sql = format!(
                "update outbox set state = $1, next_attempt_at = $2, error = $3, claimed_until = null,
                     attempts = attempts - $4 where id in {}",
                placeholders(5, chunk.len())
            );
            on_tx!(&mut tx, c => {
                let mut q = sqlx::query(&sql).bind(state).bind(next).bind(&error).bind(i64::from(undo_attempt));
                for id in chunk {
                    q = q.bind(*id);
                }
                q.execute(&mut *c).await?.rows_affected()
            });
        }
    }
    tx.commit().await
}

// ---- the inbox -----------------------------------------------------------------------------

/// A message in someone's inbox.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct InboxItem {
    pub id: i64,
    pub kind: NoticeKind,
    pub subject: String,
    pub body: String,
    pub link: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

/// The inbox of `user_id`, newest first (only unread ones when asked).
pub async fn inbox(
    db: &Db,
    user_id: i64,
    unread_only: bool,
    page: i64,
    per_page: i64,
) -> sqlx::Result<Page<InboxItem>> {
    let offset = (page.max(1) - 1).saturating_mul(per_page);
    let (items, total): (Vec<InboxItem>, i64) = on_db!(db, mut pool => {
        let items = sqlx::query_as(
            "select id, kind, subject, body, link, created_at, read_at from outbox
             where user_id = $1 and channel = 'inbox' and ($2 = 0 or read_at is null)
             order by id desc limit $3 offset $4")
            .bind(user_id).bind(i64::from(unread_only)).bind(per_page).bind(offset).fetch_all(pool.ex()).await?;
        let total = sqlx::query_scalar(
            "select count(*) from outbox where user_id = $1 and channel = 'inbox' and ($2 = 0 or read_at is null)")
            .bind(user_id).bind(i64::from(unread_only)).fetch_one(pool.ex()).await?;
        (items, total)
    });
    Ok(Page {
        items,
        total,
        page: page.max(1),
        per_page,
    })
}

/// How many inbox messages of `user_id` are unread (the bell).
pub async fn unread(db: &Db, user_id: i64) -> sqlx::Result<i64> {
    on_db!(db, pool => sqlx::query_scalar(
        "select count(*) from outbox where user_id = $1 and channel = 'inbox' and read_at is null")
        .bind(user_id).fetch_one(pool).await)
}

/// Marks inbox messages of `user_id` read: those in `ids`, or all when `ids` is None. Answers
/// how many changed (someone else's ids change nothing).
pub async fn mark_read(tx: &mut Tx, user_id: i64, ids: Option<&[i64]>) -> sqlx::Result<u64> {
    let t = now();
    match ids {
        None => Ok(on_tx!(tx, c => sqlx::query(
            "update outbox set read_at = $1 where user_id = $2 and channel = 'inbox' and read_at is null")
            .bind(t).bind(user_id).execute(&mut *c).await?.rows_affected())),
        Some([]) => Ok(0),
        Some(ids) => {
            let mut n = 0;
            for chunk in ids.chunks(900) {
                let sql = format!(
                    "update outbox set read_at = $1 where user_id = $2 and channel = 'inbox' and read_at is null
                     and id in {}",
                    placeholders(3, chunk.len())
                );
                n += on_tx!(tx, c => {
                    let mut q = sqlx::query(&sql).bind(t).bind(user_id);
                    for id in chunk {
                        q = q.bind(*id);
                    }
                    q.execute(&mut *c).await?.rows_affected()
                });
            }
            Ok(n)
        }
    }
}

// ---- preferences ---------------------------------------------------------------------------

/// The preferences of `user_id` (defaults until set).
pub async fn prefs(db: &Db, user_id: i64) -> sqlx::Result<Prefs> {
    let p: Option<Prefs> = on_db!(db, pool => sqlx::query_as(
        "select email_on, sms_on, quiet_hours from notification_prefs where user_id = $1")
        .bind(user_id).fetch_optional(pool).await?);
    Ok(p.unwrap_or_default())
}

/// Sets the preferences of `user_id`, audited.
pub async fn set_prefs(tx: &mut Tx, actor: &Actor, user_id: i64, before: &Prefs, after: &Prefs) -> sqlx::Result<()> {
    on_tx!(tx, c => sqlx::query(
        "insert into notification_prefs (user_id, email_on, sms_on, quiet_hours, updated_at)
         values ($1, $2, $3, $4, $5)
         on conflict (user_id) do update set email_on = excluded.email_on, sms_on = excluded.sms_on,
             quiet_hours = excluded.quiet_hours, updated_at = excluded.updated_at")
        .bind(user_id).bind(after.email_on).bind(after.sms_on)
        .bind(after.quiet_hours).bind(now()).execute(&mut *c).await?.rows_affected());
    audit::record(
        tx,
        actor,
        Op::Update,
        Subject::new("notification_prefs", Some(user_id), "notification preferences"),
        Some(before),
        Some(after),
    )
    .await
}

// ---- the district's send log ---------------------------------------------------------------

/// One message as the district's send log lists it (the address is masked by the service).
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct SendRow {
    pub id: i64,
    pub kind: NoticeKind,
    pub channel: Channel,
    pub user_id: Option<i64>,
    pub recipient: String,
    pub subject: String,
    pub state: DeliveryState,
    pub attempts: i64,
    pub created_at: i64,
    pub next_attempt_at: i64,
    pub sent_at: Option<i64>,
    pub error: String,
}

/// Filters of the send log.
#[derive(Clone, Debug, Default)]
pub struct SendFilter {
    pub kind: Option<NoticeKind>,
    pub channel: Option<Channel>,
    pub state: Option<DeliveryState>,
    pub user_id: Option<i64>,
}

/// The send log, newest first.
pub async fn sends(db: &Db, f: &SendFilter, page: i64, per_page: i64) -> sqlx::Result<Page<SendRow>> {
    let offset = (page.max(1) - 1).saturating_mul(per_page);
    let cond = "($1 = '' or kind = $1) and ($2 = '' or channel = $2) and ($3 = '' or state = $3)
        and ($4 = 0 or user_id = $4)";
    let kind = f.kind.map(|k| k.as_str()).unwrap_or("");
    let channel = f.channel.map(|k| k.as_str()).unwrap_or("");
    let state = f.state.map(|k| k.as_str()).unwrap_or("");
    let user = f.user_id.unwrap_or(0);
    let items_sql = format!(
        "select id, kind, channel, user_id, recipient, subject, state, attempts, created_at, next_attempt_at,
            sent_at, error from outbox where {cond} order by id desc limit $5 offset $6"
    );
    let count_sql = format!("select count(*) from outbox where {cond}");
    let (items, total) = on_db!(db, mut pool => {
        let items: Vec<SendRow> = sqlx::query_as(&items_sql).bind(kind).bind(channel).bind(state).bind(user)
            .bind(per_page).bind(offset).fetch_all(pool.ex()).await?;
        let total: i64 = sqlx::query_scalar(&count_sql).bind(kind).bind(channel).bind(state).bind(user)
            .fetch_one(pool.ex()).await?;
        (items, total)
    });
    Ok(Page {
        items,
        total,
        page: page.max(1),
        per_page,
    })
}

/// Messages per state (the send log's summary and the tests' check that nothing is left).
pub async fn count_by_state(db: &Db, state: DeliveryState) -> sqlx::Result<i64> {
    on_db!(db, pool => sqlx::query_scalar("select count(*) from outbox where state = $1")
        .bind(state).fetch_one(pool).await)
}

/// Claims the one message `id` if it is queued (the test command sends its message itself).
pub async fn claim_one(db: &Db, id: i64, now: i64, lease: i64) -> sqlx::Result<Option<Outgoing>> {
    let sql = format!(
        "update outbox set state = 'sending', claimed_until = $2 + $3, attempts = attempts + 1
         where id = $1 and state = 'queued' {CLAIM_RETURNING}"
    );
    let mut tx = db.begin().await?;
    let row = on_tx!(&mut tx, c => sqlx::query_as(&sql).bind(id).bind(now).bind(lease).fetch_optional(&mut *c).await?);
    tx.commit().await?;
    Ok(row)
}

/// The state and error of message `id`.
pub async fn state_of(db: &Db, id: i64) -> sqlx::Result<Option<(DeliveryState, String)>> {
    on_db!(db, pool => sqlx::query_as("select state, error from outbox where id = $1")
        .bind(id).fetch_optional(pool).await)
}

/// The ids of the messages queued under `event` (every recipient and channel).
pub async fn ids_of_event(db: &Db, event: &str) -> sqlx::Result<Vec<i64>> {
    let prefix = format!("{event}|");
    on_db!(db, pool => sqlx::query_scalar(
        "select id from outbox where substr(idempotency_key, 1, $2) = $1 order by id")
        .bind(&prefix).bind(prefix.chars().count() as i32).fetch_all(pool).await)
}
