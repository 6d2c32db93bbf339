//! Request rate limits per address, per account and for the whole site. The counts live in the
//! database, so every instance behind a load balancer shares them; a request over a limit is
//! answered 429 with `Retry-After`.
//!
//! Limits that guard something sensitive (sign-up, walk-ins, certificate checks) write every
//! hit at once. The general limits on browsing and on the API gather their hits in memory and
//! add them to the shared counts once a second, so that a busy site does not pay a write per
//! request; between two flushes an instance knows the shared count of the last flush plus its
//! own hits since.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::db::{self, limits, Db};
use crate::error::AppError;

/// One limit: at most `limit` hits per `window` seconds for each subject.
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    pub name: &'static str,
    pub window: i64,
    pub limit: i64,
    /// Written at once (sensitive) or gathered and flushed each second (general).
    pub exact: bool,
}

/// New accounts through `/join`, from one address.
pub const JOIN_PER_ADDRESS: Rule = Rule {
    name: "join:ip",
    window: 3600,
    limit: 10,
    exact: true,
};
/// New accounts through `/join`, from everyone together.
pub const JOIN_GLOBAL: Rule = Rule {
    name: "join:all",
    window: 3600,
    limit: 300,
    exact: true,
};
/// Sign-ins and walk-ins on the phone page, from one address (a site's Wi-Fi is shared, so
/// generous).
pub const SCAN_PER_ADDRESS: Rule = Rule {
    name: "scan:ip",
    window: 60,
    limit: 120,
    exact: true,
};
/// Certificate checks, from one address.
pub const VERIFY_PER_ADDRESS: Rule = Rule {
    name: "verify:ip",
    window: 60,
    limit: 30,
    exact: true,
};
/// Objections to the commendation notice (公示), from one address.
pub const OBJECTION_PER_ADDRESS: Rule = Rule {
    name: "objection:ip",
    window: 3600,
    limit: 5,
    exact: true,
};
/// Needs posted by residents on the public form (四单), from one address.
pub const NEED_PER_ADDRESS: Rule = Rule {
    name: "need:ip",
    window: 3600,
    limit: 5,
    exact: true,
};
/// Ratings and other posts through residents' private need links, from one address.
pub const NEED_LINK_PER_ADDRESS: Rule = Rule {
    name: "need_link:ip",
    window: 3600,
    limit: 20,
    exact: true,
};
/// Sign-in attempts (right or wrong), from one address.
pub const LOGIN_PER_ADDRESS: Rule = Rule {
    name: "login:ip",
    window: 60,
    limit: 60,
    exact: true,
};
/// One-time codes asked for, per account.
pub const CODE_SENDS_PER_ACCOUNT: Rule = Rule {
    name: "code:send",
    window: 3600,
    limit: 5,
    exact: true,
};
/// One-time codes sent to one new e-mail address or phone number (proving a contact), whoever
/// asks: an account cannot flood a stranger's phone.
pub const CODE_SENDS_PER_TARGET: Rule = Rule {
    name: "code:to",
    window: 3600,
    limit: 5,
    exact: true,
};
/// Password-recovery codes asked for, from one address.
pub const RECOVERY_PER_ADDRESS: Rule = Rule {
    name: "recover:ip",
    window: 3600,
    limit: 20,
    exact: true,
};
/// Password-recovery codes asked for one phone number or e-mail address (counted whether or not
/// an account has it, so the limit tells nothing).
pub const RECOVERY_PER_TARGET: Rule = Rule {
    name: "recover:to",
    window: 3600,
    limit: 5,
    exact: true,
};
/// Attempts at a new password with a recovery code, from one address.
pub const RESET_PER_ADDRESS: Rule = Rule {
    name: "reset:ip",
    window: 3600,
    limit: 30,
    exact: true,
};
/// Requests of anyone not signed in, from one address.
pub const ANONYMOUS_PER_ADDRESS: Rule = Rule {
    name: "anon:ip",
    window: 60,
    limit: 600,
    exact: false,
};
/// Requests of everyone not signed in together.
pub const ANONYMOUS_GLOBAL: Rule = Rule {
    name: "anon:all",
    window: 60,
    limit: 60_000,
    exact: false,
};
/// Requests of one signed-in account (the default; `Config::user_rate_limit` sets it).
pub const PER_ACCOUNT_DEFAULT: i64 = 6_000;

/// What a refused request is told: when to try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    pub retry_after: i64,
}

impl From<Refused> for AppError {
    fn from(r: Refused) -> Self {
        AppError::RateLimited {
            retry_after: r.retry_after,
        }
    }
}

#[derive(Default)]
struct Local {
    start: i64,
    /// The shared count as of the last flush.
    known: i64,
    /// This instance's hits since.
    unsent: i64,
}

/// Keeps at most this many gathered counters; past it, hits are written at once.
const MAX_GATHERED: usize = 100_000;

#[derive(Clone)]
pub struct Limiter {
    db: Db,
    gathered: Arc<Mutex<HashMap<String, (Rule, Local)>>>,
    per_account: i64,
}

impl Limiter {
    /// A limiter on `db`; its flush runs once a second for as long as the limiter lives.
    pub fn start(db: Db, per_account: i64) -> Limiter {
        let limiter = Limiter {
            db,
            gathered: Arc::default(),
            per_account,
        };
        let weak = Arc::downgrade(&limiter.gathered);
        let db = limiter.db.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            let mut n: u64 = 0;
            loop {
                tick.tick().await;
                let Some(map) = weak.upgrade() else { break };
                if let Err(e) = flush(&db, &map).await {
                    tracing::warn!("rate limits: flush failed: {e:#}");
                }
                n += 1;
                if n.is_multiple_of(600) {
                    let _ = limits::prune(&db, db::now() - 2 * 86400).await;
                }
            }
        });
        limiter
    }

    /// Counts one hit of `subject` against `rule`; refused when it goes over the limit.
    pub async fn hit(&self, rule: Rule, subject: &str) -> Result<(), AppError> {
        let now = db::now();
        let start = limits::window_start(now, rule.window);
        let key = format!("{}:{subject}", rule.name);
        let retry_after = (start + rule.window - now).max(1);
        if !rule.exact {
            let mut map = self.gathered.lock().expect("rate limit map");
            if map.len() < MAX_GATHERED || map.contains_key(&key) {
                let (_, local) = map.entry(key).or_insert_with(|| (rule, Local::default()));
                if local.start != start {
                    *local = Local {
                        start,
                        ..Local::default()
                    };
                }
                local.unsent += 1;
                return if local.known + local.unsent > rule.limit {
                    Err(Refused { retry_after }.into())
                } else {
                    Ok(())
                };
            }
        }
        let mut tx = self.db.begin().await?;
        let count = limits::add(&mut tx, &key, start, 1).await?;
        tx.commit().await?;
        if count > rule.limit {
            Err(Refused { retry_after }.into())
        } else {
            Ok(())
        }
    }

    /// The limit on one signed-in account's requests per minute.
    pub fn per_account_rule(&self) -> Option<Rule> {
        (self.per_account > 0).then_some(Rule {
            name: "user",
            window: 60,
            limit: self.per_account,
            exact: false,
        })
    }
}

/// How many of an instance's hits on a key wait before they are added to the shared count: a
/// hundredth of the limit. Until then a key's hits cost no write at all (a volunteer's one scan on
/// a busy morning), and each instance can be behind the shared count by at most this many.
fn flush_at(rule: &Rule) -> i64 {
    (rule.limit / 100).max(1)
}

/// Adds the gathered hits that matter to the shared counts in one transaction and learns the
/// totals.
async fn flush(db: &Db, map: &Mutex<HashMap<String, (Rule, Local)>>) -> anyhow::Result<()> {
    let now = db::now();
    let batch: Vec<(String, i64, i64)> = {
        let mut map = map.lock().expect("rate limit map");
        // A counter of a window that is over is of no more use once what it owes is written.
        map.retain(|_, (rule, l)| l.unsent >= flush_at(rule) || l.start == limits::window_start(now, rule.window));
        map.iter_mut()
            .filter(|(_, (rule, l))| l.unsent >= flush_at(rule) || (l.known > 0 && l.unsent > 0))
            .map(|(k, (_, l))| {
                let n = std::mem::take(&mut l.unsent);
                (k.clone(), l.start, n)
            })
            .collect()
    };
    if batch.is_empty() {
        return Ok(());
    }
    let mut totals = Vec::with_capacity(batch.len());
    let result: anyhow::Result<()> = async {
        let mut tx = db.begin().await?;
        for (key, start, n) in &batch {
            totals.push(limits::add(&mut tx, key, *start, *n).await?);
        }
        tx.commit().await?;
        Ok(())
    }
    .await;
    let mut map = map.lock().expect("rate limit map");
    match result {
        Ok(()) => {
            for ((key, start, _), total) in batch.iter().zip(totals) {
                if let Some((_, l)) = map.get_mut(key).filter(|(_, l)| l.start == *start) {
                    l.known = total;
                }
            }
            Ok(())
        }
        Err(e) => {
            // Keep the hits for the next flush.
            for (key, start, n) in &batch {
                if let Some((_, l)) = map.get_mut(key).filter(|(_, l)| l.start == *start) {
                    l.unsent += n;
                }
            }
            Err(e)
        }
    }
}
