//! recovery: a forgotten password, replaced with a one-time code sent to the phone or e-mail on
//! record. Asking for a code answers the same, in about the same time, whether an account has
//! that phone or address or not; a code lives ten minutes, opens one reset, allows a few tries;
//! the reset ends every session of the account and is written to the audit trail.

use std::time::{Duration, Instant};

use hmac::Mac;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{hash_password_blocking, password_problem, Acting};
use crate::db::audit::Actor;
use crate::db::identity as outbox;
use crate::db::users::{self, RecoveryTarget};
use crate::db::{now, Db};
use crate::domain::login::Login;
use crate::error::{AppError, AppResult, FieldError};
use crate::features::identity::service::{code_hash, hex, hex_decode, new_code};
use crate::features::identity::{CODE_SECS, CODE_TRIES};
use crate::i18n::{tf, Lang};
use crate::state::AppState;
use crate::web::limits;

/// What a recovery code proves: that its holder reads the phone or mailbox on the account.
const RESET: &str = "reset";
/// Asking for a code answers no sooner than this, whatever happened (an unknown phone answers
/// no faster than one that was sent a code).
const ANSWER_AFTER: Duration = Duration::from_millis(300);

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct ForgotInput {
    /// The mobile number or e-mail address on the account.
    pub login: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct ResetInput {
    /// The mobile number or e-mail address the code was sent to.
    pub login: Option<String>,
    /// The six digits received.
    pub code: Option<String>,
    pub new_password: Option<String>,
}

/// The answer to a request for a code: the same whether or not an account has the phone or
/// address.
#[derive(Serialize, ToSchema)]
pub struct CodeRequested {
    /// Always true once the request was well-formed and not over a limit.
    pub accepted: bool,
    /// How long a code lives, in minutes.
    pub minutes: i64,
}

/// A phone or e-mail address, or the field error that says it is neither.
fn target(login: Option<&str>) -> Result<Login, FieldError> {
    let raw = login.unwrap_or("").trim();
    if raw.is_empty() {
        return Err(FieldError::new("login", "err.required"));
    }
    match Login::parse(raw) {
        l @ (Login::Mobile(_) | Login::Email(_)) => Ok(l),
        Login::Username(_) => Err(FieldError::new("login", "err.recovery_login")),
    }
}

async fn find(db: &Db, login: &Login) -> AppResult<Option<RecoveryTarget>> {
    Ok(match login {
        Login::Mobile(p) => users::recovery_by_phone(db, p).await?,
        Login::Email(e) => users::recovery_by_email(db, e).await?,
        Login::Username(_) => None,
    })
}

/// Sends a code to the phone or address typed, if an active volunteer account has it. Counted
/// per address (the middleware) and per phone or address (here, also when no account has it).
pub async fn forgot(state: &AppState, by: &Acting, input: &ForgotInput) -> AppResult<CodeRequested> {
    let started = Instant::now();
    let login = target(input.login.as_deref()).map_err(|e| AppError::Validation(vec![e]))?;
    state.limits.hit(limits::RECOVERY_PER_TARGET, &login.key()).await?;
    let result = send(&state.db, &login, by.lang).await;
    if let Some(rest) = ANSWER_AFTER.checked_sub(started.elapsed()) {
        tokio::time::sleep(rest).await;
    }
    result?;
    Ok(CodeRequested {
        accepted: true,
        minutes: CODE_SECS / 60,
    })
}

async fn send(db: &Db, login: &Login, lang: Lang) -> AppResult<()> {
    let code = new_code();
    let salt = crate::auth::new_token();
    let hash = hex(&code_hash(&salt, &code).finalize().into_bytes());
    let Some(t) = find(db, login).await? else {
        return Ok(());
    };
    // The code goes where it was asked for: the phone or the address on this account.
    let (channel, recipient) = match login {
        Login::Mobile(_) => ("sms", t.phone.clone()),
        _ => ("email", t.email.clone()),
    };
    // The account's language when it has one, else the asker's.
    let lang = if t.lang.is_empty() { lang } else { Lang::parse(&t.lang) };
    let body = tf(
        lang,
        "sms.reset_code",
        &[("code", code), ("minutes", (CODE_SECS / 60).to_string())],
    );
    let mut tx = db.begin().await?;
    outbox::store_code(&mut tx, RESET, t.id, None, &salt, &hash, now() + CODE_SECS).await?;
    outbox::enqueue(&mut tx, channel, &recipient, "reset_code", &body).await?;
    tx.commit().await?;
    Ok(())
}

/// Sets a new password with a code. Every failure of the code (none sent, wrong, expired, used,
/// too many tries, no such account) gives one answer, so that trying codes tells nothing about
/// who has an account.
pub async fn reset(db: &Db, by: &Acting, input: &ResetInput) -> AppResult<()> {
    let mut errors = vec![];
    let login = target(input.login.as_deref()).map_err(|e| errors.push(e)).ok();
    let code: String = input
        .code
        .as_deref()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if code.is_empty() {
        errors.push(FieldError::new("code", "err.required"));
    }
    let new = input.new_password.clone().unwrap_or_default();
    if new.is_empty() {
        errors.push(FieldError::new("new_password", "err.required"));
    } else if let Some(mut problem) = password_problem(&new, "\u{1}") {
        problem.field = "new_password".into();
        errors.push(problem);
    }
    crate::features::validated(errors)?;
    let login = login.expect("validated");
    // Hashed before anything is looked up: a known and an unknown account cost the same.
    let hash = hash_password_blocking(new.clone()).await?;
    let refused = || AppError::field("code", "err.reset_code");
    let Some(t) = find(db, &login).await? else {
        return Err(refused());
    };
    let mut tx = db.begin().await?;
    let Some(stored) = outbox::attempt_code(&mut tx, RESET, t.id).await? else {
        return Err(refused());
    };
    let right = stored.attempts <= CODE_TRIES
        && stored.expires_at >= now()
        && hex_decode(&stored.code_hash).is_some_and(|h| code_hash(&stored.salt, &code).verify_slice(&h).is_ok());
    if !right {
        // The attempt stays counted.
        tx.commit().await?;
        return Err(refused());
    }
    // Only someone holding the code learns that the password names the account.
    if let Some(mut problem) = password_problem(&new, &t.username) {
        tx.commit().await?;
        problem.field = "new_password".into();
        return Err(AppError::Validation(vec![problem]));
    }
    if !outbox::use_code(&mut tx, stored.id).await? {
        return Err(refused());
    }
    let actor = Actor {
        user_id: Some(t.id),
        username: t.username.clone(),
        ip: by.ip.clone(),
    };
    users::reset_password(&mut tx, &actor, t.id, &hash, false, "recovery").await?;
    tx.commit().await?;
    Ok(())
}
