//! Sign-in with throttling, sessions and bearer tokens, the principal behind a token, sign-out.

use sha2::{Digest, Sha256};

use super::password::{verify_password_blocking, DUMMY_HASH};
use super::policy::{Principal, Role};
use crate::db::{self, limits, sessions, users, Db};
use crate::domain::login::Login;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;

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

pub use crate::domain::token::{new_token, SessionKind};

/// Sessions are stored by the hash of their token, so a copy of the database opens none.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A successful sign-in: the secret to hand to the client.
pub struct NewSession {
    pub token: String,
    pub csrf: String,
    pub user_id: i64,
    /// The account's username (also when it signed in with a phone number).
    pub username: String,
    pub lang: Lang,
    pub expires_at: i64,
    /// The password was reset by an administrator: the holder must choose a new one first.
    pub must_change_password: bool,
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

/// Checks a login (a volunteer's mobile number, or a username) and password, with throttling,
/// and opens a session. Unknown login and wrong password give the same answer, in about the
/// same time.
pub async fn sign_in(db: &Db, login: &str, password: &str, kind: SessionKind, ip: &str) -> AppResult<NewSession> {
    let login = Login::parse(login);
    let attempt = Attempt::reserve(db, &login.key(), ip).await?;
    let now = db::now();
    let row = match &login {
        // A volunteer's phone; an account named by eleven digits before phones signed in keeps
        // its username.
        Login::Mobile(phone) => match users::credentials_by_phone(db, phone).await? {
            Some(r) => Some(r),
            None => users::credentials(db, phone).await?,
        },
        Login::Email(e) | Login::Username(e) => users::credentials(db, e).await?,
    };
    let ok = match &row {
        Some(r) => verify_password_blocking(password.to_string(), r.password_hash.clone()).await && r.active,
        None => {
            verify_password_blocking(password.to_string(), DUMMY_HASH.clone()).await;
            false
        }
    };
    let Some(user) = row.filter(|_| ok) else {
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
    sessions::open(
        &mut tx,
        &sessions::NewSessionRow {
            id_hash: &token_hash(&token),
            user_id: user.id,
            csrf: &csrf,
            kind,
            ip,
            now,
            expires_at,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(NewSession {
        token,
        csrf,
        user_id: user.id,
        username: user.username.clone(),
        lang: Lang::parse(&user.lang),
        expires_at,
        must_change_password: user.must_change_password,
    })
}

/// The signed-in user behind a session cookie or bearer token, if it is live.
pub async fn principal_for_token(db: &Db, token: &str, count_unread: bool) -> AppResult<Option<(Principal, i64)>> {
    let Some(r) = sessions::find(db, &token_hash(token), count_unread).await? else {
        return Ok(None);
    };
    let now = db::now();
    let idle_expired = r.kind == SessionKind::Web && now - r.last_seen_at > WEB_IDLE_SECS;
    let Some(role) = Role::parse(&r.role).filter(|_| r.active && r.expires_at > now && !idle_expired) else {
        return Ok(None);
    };
    // Web sessions expire when idle, so their last use is kept (at most once a minute: a
    // read-mostly site should not write on every request); API tokens live to their expiry.
    if r.kind == SessionKind::Web && now - r.last_seen_at > 60 {
        sessions::touch(db, &r.id, now).await?;
    }
    let unread = r.unread;
    Ok(Some((
        Principal {
            user_id: r.user_id,
            username: r.username,
            display_name: r.display_name,
            role,
            street_id: r.street_id.or(r.community_street_id),
            community_id: r.community_id,
            unit_id: r.unit_id,
            lang: Lang::parse(&r.lang),
            csrf: if r.kind == SessionKind::Web {
                r.csrf
            } else {
                String::new()
            },
            session_id: r.id,
            volunteer_id: r.volunteer_id,
            must_change_password: r.must_change_password,
        },
        unread,
    )))
}

/// Ends the session (sign-out).
pub async fn end_session(db: &Db, session_id: &str) -> AppResult<()> {
    sessions::end(db, session_id).await?;
    Ok(())
}
