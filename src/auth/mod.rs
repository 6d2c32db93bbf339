//! Passwords, sessions and bearer tokens, sign-in throttling; the permission policy lives in
//! [`policy`].

pub mod acting;
pub mod policy;

pub use acting::Acting;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use sha2::{Digest, Sha256};

use crate::db::{self, limits, Db};
use crate::error::{AppError, AppResult, FieldError};
use crate::i18n::Lang;
use crate::{on_db, on_tx};
use policy::{Principal, Role};

/// How long a browser session lives without use, and at most.
pub const WEB_IDLE_SECS: i64 = 8 * 3600;
pub const WEB_MAX_SECS: i64 = 7 * 24 * 3600;
/// How long an API token lives.
pub const API_MAX_SECS: i64 = 30 * 24 * 3600;
/// Wrong passwords for one account from one address within a window before that address is
/// refused for that account (a stranger elsewhere cannot lock the owner out).
pub const MAX_FAILURES_PER_ADDRESS: i64 = 5;
/// Wrong passwords for one account from anywhere within a window after which every attempt on
/// it is slowed down (never refused: a correct password from an address without failures
/// still gets through).
pub const SLOW_DOWN_AFTER: i64 = 20;
pub const FAILURE_WINDOW_SECS: i64 = 15 * 60;
/// How long a slowed-down attempt waits before its password is checked.
const SLOW_DOWN: std::time::Duration = std::time::Duration::from_secs(2);

/// Hashes a password with Argon2id (default parameters); call it off the async threads.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
}

pub async fn hash_password_blocking(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || hash_password(&password)).await?
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

async fn verify_password_blocking(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .unwrap_or(false)
}

/// A hash that no password matches, verified against for unknown usernames so that the answer
/// takes as long as for a known one.
static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| hash_password("not a real password, only for timing").unwrap_or_default());

/// Why a new password is refused, if it is.
pub fn password_problem(password: &str, username: &str) -> Option<FieldError> {
    let chars = password.chars().count();
    let classes = [
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    let lower = password.to_lowercase();
    let common = ["password", "12345678", "qwerty", "11111111", "abc12345", "leifeng"];
    if chars < 10 {
        Some(FieldError::new("password", "err.password_short").with("min", 10))
    } else if chars > 128 {
        Some(FieldError::new("password", "err.password_long").with("max", 128))
    } else if classes < 2 || common.iter().any(|c| lower.contains(c)) || lower.contains(&username.to_lowercase()) {
        Some(FieldError::new("password", "err.password_weak"))
    } else {
        None
    }
}

pub use crate::domain::token::new_token;

/// Sessions are stored by the hash of their token, so a copy of the database opens none.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    Web,
    Api,
}

impl SessionKind {
    fn as_str(self) -> &'static str {
        match self {
            SessionKind::Web => "web",
            SessionKind::Api => "api",
        }
    }
}

/// A successful sign-in: the secret to hand to the client.
pub struct NewSession {
    pub token: String,
    pub csrf: String,
    pub user_id: i64,
    pub lang: Lang,
    pub expires_at: i64,
}

/// An attempt at a password, counted before the slow hash runs so that simultaneous guesses
/// cannot all slip under the limit.
pub struct Attempt {
    pair: String,
    account: String,
    start: i64,
}

impl Attempt {
    /// Reserves an attempt for `username` from `ip`: refused when this address has had too
    /// many failures on this account; slowed down when the account has had many from anywhere.
    pub async fn reserve(db: &Db, username: &str, ip: &str) -> AppResult<Attempt> {
        let now = db::now();
        let start = limits::window_start(now, FAILURE_WINDOW_SECS);
        let attempt = Attempt {
            pair: format!("pw:{username}|{ip}"),
            account: format!("pw:{username}"),
            start,
        };
        let mut tx = db.begin().await?;
        let pair = limits::add(&mut tx, &attempt.pair, start, 1).await?;
        let account = limits::add(&mut tx, &attempt.account, start, 1).await?;
        tx.commit().await?;
        if pair > MAX_FAILURES_PER_ADDRESS {
            let until = start + FAILURE_WINDOW_SECS;
            return Err(AppError::Locked {
                minutes: ((until - now + 59) / 60).max(1),
            });
        }
        if account > SLOW_DOWN_AFTER {
            tokio::time::sleep(SLOW_DOWN).await;
        }
        Ok(attempt)
    }

    /// The password was right: this address starts again with a clean slate on this account,
    /// and the attempt does not count against the account.
    pub async fn succeeded(self, tx: &mut db::Tx) -> AppResult<()> {
        limits::clear(tx, &self.pair).await?;
        limits::add(tx, &self.account, self.start, -1).await?;
        Ok(())
    }
}

/// Checks `password` against `user_id`'s, counted against the same limits as a sign-in (the
/// current password asked before a change).
pub async fn check_current_password(
    db: &Db,
    user_id: i64,
    username: &str,
    ip: &str,
    password: String,
) -> AppResult<bool> {
    let attempt = Attempt::reserve(db, username, ip).await?;
    let hash = crate::db::users::password_hash(db, user_id).await?;
    let ok = verify_password_blocking(password, hash).await;
    if ok {
        let mut tx = db.begin().await?;
        attempt.succeeded(&mut tx).await?;
        tx.commit().await?;
    }
    Ok(ok)
}

/// Checks a username and password, with throttling, and opens a session.
/// Unknown user and wrong password give the same answer, in about the same time.
pub async fn sign_in(db: &Db, username: &str, password: &str, kind: SessionKind, ip: &str) -> AppResult<NewSession> {
    let username = username.trim().to_lowercase();
    let attempt = Attempt::reserve(db, &username, ip).await?;
    let now = db::now();
    let row: Option<(i64, String, bool, String)> = on_db!(db, pool => sqlx::query_as(
        "select id, password_hash, active, lang from users where username = $1")
        .bind(&username).fetch_optional(pool).await?);
    let ok = match &row {
        Some((_, hash, active, _)) => verify_password_blocking(password.to_string(), hash.clone()).await && *active,
        None => {
            verify_password_blocking(password.to_string(), DUMMY_HASH.clone()).await;
            false
        }
    };
    let Some((user_id, _, _, lang)) = row.filter(|_| ok) else {
        return Err(AppError::BadCredentials);
    };
    let token = new_token();
    let csrf = new_token();
    let expires_at = now
        + if kind == SessionKind::Web {
            WEB_MAX_SECS
        } else {
            API_MAX_SECS
        };
    let mut tx = db.begin().await?;
    attempt.succeeded(&mut tx).await?;
    on_tx!(&mut tx, c => {
        sqlx::query("delete from sessions where user_id = $1 and expires_at < $2").bind(user_id).bind(now).execute(&mut *c).await.map(|r| r.rows_affected())?;
        sqlx::query(
            "insert into sessions (id, user_id, csrf, kind, ip, created_at, last_seen_at, expires_at)
             values ($1, $2, $3, $4, $5, $6, $6, $7)")
            .bind(token_hash(&token)).bind(user_id).bind(&csrf).bind(kind.as_str()).bind(ip)
            .bind(now).bind(expires_at).execute(&mut *c).await.map(|r| r.rows_affected())?;
    });
    tx.commit().await?;
    Ok(NewSession {
        token,
        csrf,
        user_id,
        lang: Lang::parse(&lang),
        expires_at,
    })
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    id: String,
    csrf: String,
    kind: String,
    last_seen_at: i64,
    expires_at: i64,
    user_id: i64,
    username: String,
    display_name: String,
    role: String,
    street_id: Option<i64>,
    community_id: Option<i64>,
    unit_id: Option<i64>,
    community_street_id: Option<i64>,
    lang: String,
    active: bool,
}

/// The signed-in user behind a session cookie or bearer token, if it is live.
pub async fn principal_for_token(db: &Db, token: &str) -> AppResult<Option<Principal>> {
    let id = token_hash(token);
    let row: Option<SessionRow> = on_db!(db, pool => sqlx::query_as(
        "select s.id, s.csrf, s.kind, s.last_seen_at, s.expires_at, u.id as user_id, u.username,
                u.display_name, u.role, u.street_id, u.community_id, u.unit_id,
                c.street_id as community_street_id, u.lang, u.active
         from sessions s join users u on u.id = s.user_id
         left join communities c on c.id = u.community_id
         where s.id = $1")
        .bind(&id).fetch_optional(pool).await?);
    let Some(r) = row else { return Ok(None) };
    let now = db::now();
    let idle_expired = r.kind == "web" && now - r.last_seen_at > WEB_IDLE_SECS;
    let Some(role) = Role::parse(&r.role).filter(|_| r.active && r.expires_at > now && !idle_expired) else {
        return Ok(None);
    };
    // Web sessions expire when idle, so their last use is kept (at most once a minute: a
    // read-mostly site should not write on every request); API tokens live to their expiry.
    if r.kind == "web" && now - r.last_seen_at > 60 {
        let mut tx = db.begin().await?;
        on_tx!(&mut tx, c => sqlx::query("update sessions set last_seen_at = $1 where id = $2")
            .bind(now).bind(&r.id).execute(&mut *c).await.map(|r| r.rows_affected())?);
        tx.commit().await?;
    }
    Ok(Some(Principal {
        user_id: r.user_id,
        username: r.username,
        display_name: r.display_name,
        role,
        street_id: r.street_id.or(r.community_street_id),
        community_id: r.community_id,
        unit_id: r.unit_id,
        lang: Lang::parse(&r.lang),
        csrf: if r.kind == "web" { r.csrf } else { String::new() },
        session_id: r.id,
    }))
}

/// Ends the session (sign-out).
pub async fn end_session(db: &Db, session_id: &str) -> AppResult<()> {
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, c => sqlx::query("delete from sessions where id = $1").bind(session_id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_round_trip() {
        let h = hash_password("Correct-Horse-9").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("Correct-Horse-9", &h));
        assert!(!verify_password("correct-horse-9", &h));
    }

    #[test]
    fn weak_passwords_are_named() {
        assert_eq!(password_problem("short1A", "bob").unwrap().key, "err.password_short");
        assert_eq!(
            password_problem("aaaaaaaaaaaa", "bob").unwrap().key,
            "err.password_weak"
        );
        assert_eq!(password_problem("Password123", "bob").unwrap().key, "err.password_weak");
        assert_eq!(
            password_problem("bobbob-Zeta99", "bob").unwrap().key,
            "err.password_weak"
        );
        assert!(password_problem("MyLeifeng-Pass1", "bob").is_some());
        assert!(password_problem("Volunteer-Day-7", "bob").is_none());
    }
}
