//! The delivery job: any instance may run it. Each round claims due e-mail and SMS messages
//! (PostgreSQL: `FOR UPDATE SKIP LOCKED`; SQLite: the single writer), holds back those in the
//! recipient's quiet hours and those over the channel's rate limit (counted in the database, so
//! shared by every instance), sends the rest a few at a time and records each outcome: sent,
//! retried later with exponential backoff, failed after the last try, or skipped when the
//! channel is not configured here.

use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinSet;

use super::channels::Channels;
use crate::db::notifications::{self as store, Outcome, Outgoing};
use crate::db::{limits, now, Db};
use crate::domain::notification::{after_quiet_hours, backoff_secs, mask_address, Channel, MAX_ATTEMPTS};
use crate::state::{AppState, NotifyConfig};

/// Messages claimed per channel per round (one statement claims them, one marks them sent).
pub const BATCH: i64 = 500;
/// How long a claim holds before another instance may take the message over.
const LEASE_SECS: i64 = 120;
/// Sends in flight at once per channel (one per pooled SMTP connection).
const PARALLEL: usize = super::channels::SMTP_CONNECTIONS;

/// What one round did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Round {
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
    pub skipped: usize,
    pub later: usize,
}

impl Round {
    pub fn handled(&self) -> usize {
        self.sent + self.retried + self.failed + self.skipped + self.later
    }
}

fn per_minute(cfg: &NotifyConfig, channel: Channel) -> i64 {
    match channel {
        Channel::Email => cfg.email_per_minute,
        Channel::Sms => cfg.sms_per_minute,
        Channel::Inbox => 0,
    }
}

/// One round over e-mail and SMS.
pub async fn deliver_due(db: &Db, channels: &Arc<Channels>, cfg: &NotifyConfig) -> anyhow::Result<Round> {
    let mut round = Round::default();
    for channel in [Channel::Email, Channel::Sms] {
        let r = deliver_channel(db, channels, cfg, channel).await?;
        round.sent += r.sent;
        round.retried += r.retried;
        round.failed += r.failed;
        round.skipped += r.skipped;
        round.later += r.later;
    }
    Ok(round)
}

async fn deliver_channel(
    db: &Db,
    channels: &Arc<Channels>,
    cfg: &NotifyConfig,
    channel: Channel,
) -> anyhow::Result<Round> {
    let t = now();
    let claimed = store::claim(db, t, channel, BATCH, LEASE_SECS).await?;
    let mut round = Round::default();
    if claimed.is_empty() {
        return Ok(round);
    }
    let mut outcomes: Vec<(i64, Outcome)> = Vec::with_capacity(claimed.len());
    let mut to_send: Vec<Outgoing> = Vec::with_capacity(claimed.len());
    for m in claimed {
        let quiet_until = if m.quiet_hours && !m.urgent {
            after_quiet_hours(t)
        } else {
            t
        };
        if quiet_until > t {
            outcomes.push((m.id, Outcome::Later(quiet_until)));
        } else if !channels.configured(channel) {
            let reason = if channels.log_fallback() {
                // A warning: in development this is the only place the message can be read.
                tracing::warn!(
                    outbox = m.id,
                    channel = channel.as_str(),
                    to = %mask_address(&m.recipient),
                    kind = m.kind.as_str(),
                    "{} not configured: written to the log: {} — {}",
                    channel.as_str(),
                    m.subject,
                    m.body
                );
                "not configured: written to the log"
            } else {
                "not configured"
            };
            outcomes.push((m.id, Outcome::Skipped(reason.into())));
        } else {
            to_send.push(m);
        }
    }
    // The channel's rate limit, shared by all instances: what is over it waits for the next minute.
    let limit = per_minute(cfg, channel);
    if limit > 0 && !to_send.is_empty() {
        let window = limits::window_start(t, 60);
        let mut tx = db.begin().await?;
        let count = limits::add(
            &mut tx,
            &format!("notify:{}", channel.as_str()),
            window,
            to_send.len() as i64,
        )
        .await?;
        tx.commit().await?;
        let over = (count - limit).clamp(0, to_send.len() as i64) as usize;
        for m in to_send.split_off(to_send.len() - over) {
            outcomes.push((m.id, Outcome::Later(window + 60)));
        }
    }
    let mut set = JoinSet::new();
    let mut pending = to_send.into_iter();
    let mut results = vec![];
    loop {
        while set.len() < PARALLEL {
            let Some(m) = pending.next() else { break };
            let ch = channels.clone();
            set.spawn(async move {
                let r = ch.send(&m).await;
                (m, r)
            });
        }
        match set.join_next().await {
            Some(Ok(r)) => results.push(r),
            Some(Err(e)) => tracing::error!(error = %e, "a notification send task failed"),
            None => break,
        }
    }
    for (m, r) in results {
        let o = match r {
            Ok(()) => Outcome::Sent,
            Err(e) if e.permanent || m.attempts >= MAX_ATTEMPTS => {
                tracing::warn!(outbox = m.id, channel = channel.as_str(), error = %e.message, "notification failed");
                Outcome::Failed(e.message)
            }
            Err(e) => Outcome::Retry(t + backoff_secs(m.attempts), e.message),
        };
        outcomes.push((m.id, o));
    }
    for (_, o) in &outcomes {
        match o {
            Outcome::Sent => round.sent += 1,
            Outcome::Retry(..) => round.retried += 1,
            Outcome::Failed(_) => round.failed += 1,
            Outcome::Skipped(_) => round.skipped += 1,
            Outcome::Later(_) => round.later += 1,
        }
    }
    store::finish(db, &outcomes).await?;
    Ok(round)
}

/// Starts the delivery job and the reminder job of this instance (when `cfg.notify.jobs`).
pub fn start(state: &AppState) {
    let cfg = state.cfg.notify.clone();
    if !cfg.jobs {
        return;
    }
    let channels = match Channels::from_config(&cfg) {
        Ok(c) => Arc::new(c),
        Err(e) => {
            tracing::error!(error = %e, "notification channels misconfigured: e-mail and SMS are not delivered");
            return;
        }
    };
    let db = state.db.clone();
    let poll = Duration::from_millis(cfg.poll_ms.max(10));
    tokio::spawn(async move {
        loop {
            let busy = match deliver_due(&db, &channels, &cfg).await {
                Ok(r) => r.sent + r.retried + r.failed + r.skipped > 0,
                Err(e) => {
                    tracing::warn!(error = %e, "notification delivery round failed");
                    false
                }
            };
            if !busy {
                tokio::time::sleep(poll).await;
            }
        }
    });
    let db = state.db.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            if let Err(e) = super::reminders::run(&db, now()).await {
                tracing::warn!(error = %e, "reminder round failed");
            }
        }
    });
}

/// What `leifeng notify test` saw.
#[derive(Debug)]
pub struct TestReport {
    pub channel: Channel,
    pub state: crate::domain::notification::DeliveryState,
    pub error: String,
}

/// Queues a test message to `to` (an e-mail address or a phone) and sends it at once through
/// the configured channel, recording the outcome like every other send.
pub async fn send_test(db: &Db, cfg: &NotifyConfig, to: &str, lang: crate::i18n::Lang) -> anyhow::Result<TestReport> {
    use crate::db::notifications::Notice;
    use crate::domain::notification::NoticeKind;
    let channels = Arc::new(Channels::from_config(cfg)?);
    let event = format!("test:{}", crate::domain::token::new_token());
    let notice = Notice::to_address(NoticeKind::Test, event.clone(), to, lang)
        .param("at", crate::domain::dates::format_local(now()));
    super::service::notify(db, &[notice])
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let id = *store::ids_of_event(db, &event)
        .await?
        .first()
        .ok_or_else(|| anyhow::anyhow!("nothing was queued: is {to:?} an address?"))?;
    if let Some(m) = store::claim_one(db, id, now(), LEASE_SECS).await? {
        let outcome = if !channels.configured(m.channel) {
            Outcome::Skipped(if channels.log_fallback() {
                tracing::info!(to = %mask_address(&m.recipient), "{} — {}", m.subject, m.body);
                "not configured: written to the log".into()
            } else {
                "not configured".into()
            })
        } else {
            match channels.send(&m).await {
                Ok(()) => Outcome::Sent,
                Err(e) => Outcome::Failed(e.message),
            }
        };
        store::finish(db, &[(id, outcome)]).await?;
    }
    let (state, error) = store::state_of(db, id)
        .await?
        .unwrap_or((crate::domain::notification::DeliveryState::Queued, String::new()));
    Ok(TestReport {
        channel: Channel::of_address(to),
        state,
        error,
    })
}
