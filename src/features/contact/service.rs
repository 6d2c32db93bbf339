//! contact: the account's e-mail address and mobile number, the one place every message goes
//! (notification preferences only choose channels and quiet hours). A new address is set only
//! with the one-time code sent to it (ten minutes, single use, a few tries, a few sends an hour);
//! removing one needs no code. A volunteer's mobile number is also how they sign in, so it may
//! not be another active volunteer's.

use hmac::Mac;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Acting;
use crate::db::identity as codes;
use crate::db::notifications::{self as outbox, Notice};
use crate::db::users;
use crate::db::{now, Db};
use crate::domain::notification::{ContactChannel, NoticeKind};
use crate::domain::phone::Phone;
use crate::error::{AppError, AppResult, FieldError};
use crate::features::identity::service::{code_hash, hex, hex_decode, new_code};
use crate::features::identity::{CODE_SECS, CODE_TRIES};
use crate::i18n::tf;
use crate::state::AppState;
use crate::web::limits;

/// The account's addresses.
#[derive(Clone, Debug, Default, Serialize, ToSchema)]
pub struct Contact {
    /// '' for none.
    pub email: String,
    /// '' for none.
    pub phone: String,
}

/// A new address for one of the two: `email` or `phone` (exactly one; '' removes it).
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct ChangeInput {
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// The code received at the new address.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct ConfirmInput {
    /// `email` or `phone`.
    pub channel: Option<String>,
    pub code: Option<String>,
}

/// What asking for a change did.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ChangeRequested {
    /// `email` or `phone`.
    pub channel: String,
    /// A code was sent to the new address (false: the address was removed at once).
    pub code_sent: bool,
    /// How long the code lives, in minutes.
    pub minutes: i64,
}

fn purpose(channel: &str) -> &'static str {
    if channel == "email" {
        "contact_email"
    } else {
        "contact_phone"
    }
}

/// The caller's addresses.
pub async fn contact(db: &Db, by: &Acting) -> AppResult<Contact> {
    let me = by.user()?;
    let (phone, email) = users::contact(db, me.user_id).await?.unwrap_or_default();
    Ok(Contact { email, phone })
}

/// Checks a new address; answers the channel and the address as stored.
fn parse(input: &ChangeInput) -> Result<(&'static str, String), FieldError> {
    match (input.email.as_deref(), input.phone.as_deref()) {
        (Some(e), None) => {
            let e = e.trim();
            if e.is_empty() {
                return Ok(("email", String::new()));
            }
            crate::domain::login::email(e)
                .map(|e| ("email", e))
                .ok_or_else(|| FieldError::new("email", "err.email"))
        }
        (None, Some(p)) => {
            let p = p.trim();
            if p.is_empty() {
                return Ok(("phone", String::new()));
            }
            Phone::parse(p)
                .map(|p| ("phone", p.as_str().to_string()))
                .ok_or_else(|| FieldError::new("phone", "err.phone"))
        }
        _ => Err(FieldError::new("email", "err.contact_one")),
    }
}

/// A volunteer's new phone may not be another active volunteer's sign-in.
async fn phone_taken(db: &Db, by: &Acting, phone: &str) -> AppResult<bool> {
    let me = by.user()?;
    if me.role != crate::auth::policy::Role::Volunteer || phone.is_empty() {
        return Ok(false);
    }
    Ok(users::credentials_by_phone(db, phone)
        .await?
        .is_some_and(|c| c.id != me.user_id))
}

async fn save(db: &Db, by: &Acting, channel: &str, value: &str) -> AppResult<Contact> {
    let me = by.user()?;
    let mut c = contact(db, by).await?;
    if channel == "email" {
        c.email = value.to_string();
    } else {
        c.phone = value.to_string();
    }
    let mut tx = db.begin().await?;
    users::set_contact(&mut tx, &by.actor(), me.user_id, &c.phone, &c.email)
        .await
        .map_err(|e| match e {
            sqlx::Error::Database(d) if d.is_unique_violation() => AppError::field("phone", "err.phone_taken"),
            e => e.into(),
        })?;
    tx.commit().await?;
    Ok(c)
}

/// Asks to change an address: a code goes to the new one (removing one happens at once).
pub async fn request(state: &AppState, by: &Acting, input: &ChangeInput) -> AppResult<ChangeRequested> {
    let me = by.user()?;
    let (channel, value) = parse(input).map_err(|e| AppError::Validation(vec![e]))?;
    let answer = |code_sent| ChangeRequested {
        channel: channel.to_string(),
        code_sent,
        minutes: CODE_SECS / 60,
    };
    if value.is_empty() {
        save(&state.db, by, channel, "").await?;
        return Ok(answer(false));
    }
    if phone_taken(&state.db, by, &value).await? {
        return Err(AppError::field("phone", "err.phone_taken"));
    }
    state
        .limits
        .hit(limits::CODE_SENDS_PER_ACCOUNT, &me.user_id.to_string())
        .await?;
    state.limits.hit(limits::CODE_SENDS_PER_TARGET, &value).await?;
    let code = new_code();
    let salt = crate::auth::new_token();
    let hash = hex(&code_hash(&salt, &code).finalize().into_bytes());
    let text = tf(
        by.lang,
        "sms.contact_code",
        &[("code", code), ("minutes", (CODE_SECS / 60).to_string())],
    );
    let event = format!("contact_code:{}", crate::auth::new_token());
    let notice = Notice::to_address(NoticeKind::OneTimeCode, event, &value, by.lang).param("text", text);
    let mut tx = state.db.begin().await?;
    codes::store_target_code(
        &mut tx,
        purpose(channel),
        me.user_id,
        &value,
        &salt,
        &hash,
        now() + CODE_SECS,
    )
    .await?;
    outbox::queue(&mut tx, &[notice]).await?;
    tx.commit().await?;
    Ok(answer(true))
}

/// Sets the new address with the code sent to it. A wrong, expired, used or missing code gives
/// one answer (`err.contact_code` on `code`).
pub async fn confirm(db: &Db, by: &Acting, input: &ConfirmInput) -> AppResult<Contact> {
    let me = by.user()?;
    let channel = match input.channel.as_deref().and_then(ContactChannel::parse) {
        Some(c) => c.as_str(),
        None => return Err(AppError::field("channel", "err.notify_choice")),
    };
    let code: String = input
        .code
        .as_deref()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if code.is_empty() {
        return Err(AppError::field("code", "err.required"));
    }
    let refused = || AppError::field("code", "err.contact_code");
    let mut tx = db.begin().await?;
    let Some(stored) = codes::attempt_target_code(&mut tx, purpose(channel), me.user_id).await? else {
        return Err(refused());
    };
    let right = stored.attempts <= CODE_TRIES
        && stored.expires_at >= now()
        && hex_decode(&stored.code_hash).is_some_and(|h| code_hash(&stored.salt, &code).verify_slice(&h).is_ok());
    if !right || !codes::use_code(&mut tx, stored.id).await? {
        // The attempt stays counted.
        tx.commit().await?;
        return Err(refused());
    }
    tx.commit().await?;
    if channel == "phone" && phone_taken(db, by, &stored.target).await? {
        return Err(AppError::field("phone", "err.phone_taken"));
    }
    save(db, by, channel, &stored.target).await
}
