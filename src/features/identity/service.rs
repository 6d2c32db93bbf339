//! Proving that a person is the one on record before an account is linked to it: a one-time code
//! sent to the phone on record, or the confirmation of the team that keeps the record. Until then
//! the account sees only what its holder typed, and what they typed never changes the record:
//! differences go to the team as proposed corrections.

use hmac::{Mac, SimpleHmac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use utoipa::ToSchema;

use crate::auth::Acting;
use crate::db::audit::{self, Actor, Subject};
use crate::db::identity::{self as idstore, PendingLink, ProposedCorrection};
use crate::db::volunteers::{self as store, Volunteer};
use crate::db::{now, Db, Tx};
use crate::domain::phone::Phone;
use crate::domain::volunteer::{CorrectionStatus, Person, VolunteerFields};
use crate::error::{AppError, AppResult, FieldError};
use crate::features::teams::{self, check_volunteer, VolunteerInput};
use crate::i18n::{tf, Lang};
use crate::state::AppState;
use crate::web::limits;

/// What a code proves: that its holder has the phone on the record.
const LINK: &str = "link";
/// How long a code lives, and how many tries it allows.
pub const CODE_SECS: i64 = 10 * 60;
pub const CODE_TRIES: i64 = 5;

pub(crate) fn code_hash(salt: &str, code: &str) -> SimpleHmac<Sha256> {
    let mut mac = <SimpleHmac<Sha256> as Mac>::new_from_slice(salt.as_bytes()).expect("any key length");
    mac.update(code.as_bytes());
    mac
}

pub(crate) fn new_code() -> String {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    format!("{:06}", OsRng.next_u32() % 1_000_000)
}

/// Makes a code for `user_id` to prove they hold `v`'s phone and sends it there (in `tx`).
/// Answers false when the record has no phone to send it to: then only the team can confirm.
pub async fn issue_code(tx: &mut Tx, user_id: i64, v: &Volunteer, lang: Lang) -> AppResult<bool> {
    if Phone::parse(&v.phone).is_none() {
        return Ok(false);
    }
    let code = new_code();
    let salt = crate::auth::new_token();
    let hash = hex(&code_hash(&salt, &code).finalize().into_bytes());
    idstore::store_code(tx, LINK, user_id, Some(v.id), &salt, &hash, now() + CODE_SECS).await?;
    let body = tf(
        lang,
        "sms.link_code",
        &[("code", code), ("minutes", (CODE_SECS / 60).to_string())],
    );
    idstore::enqueue(tx, "sms", &v.phone, "link_code", &body).await?;
    Ok(true)
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Where a sign-up waiting for proof stands, and what its holder typed.
#[derive(Serialize, ToSchema)]
pub struct LinkStatus {
    /// True while the account waits to be linked to a record.
    pub pending: bool,
    /// True when a code can be sent to the phone on the record (else the team confirms).
    pub by_code: bool,
    /// What the account's holder typed when signing up (their own words, nothing from the record).
    #[schema(value_type = Object)]
    pub typed: serde_json::Value,
}

pub async fn status(db: &Db, by: &Acting) -> AppResult<(LinkStatus, Option<PendingLink>)> {
    let p = by.user()?;
    let Some(pending) = idstore::pending_of(db, p.user_id).await? else {
        return Ok((
            LinkStatus {
                pending: false,
                by_code: false,
                typed: serde_json::json!({}),
            },
            None,
        ));
    };
    let v = store::get_volunteer(db, pending.volunteer_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut typed: serde_json::Value = serde_json::from_str(&pending.data).unwrap_or_default();
    if let Some(o) = typed.as_object_mut() {
        o.retain(|_, v| !v.is_null() && v.as_str() != Some(""));
    }
    Ok((
        LinkStatus {
            pending: true,
            by_code: Phone::parse(&v.phone).is_some(),
            typed,
        },
        Some(pending),
    ))
}

/// Sends a new code (at most a few an hour per account).
pub async fn resend(state: &AppState, by: &Acting) -> AppResult<bool> {
    let p = by.user()?;
    let pending = idstore::pending_of(&state.db, p.user_id)
        .await?
        .ok_or(AppError::BadRequest("err.link_nothing_pending"))?;
    state
        .limits
        .hit(limits::CODE_SENDS_PER_ACCOUNT, &p.user_id.to_string())
        .await?;
    let v = store::get_volunteer(&state.db, pending.volunteer_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    let sent = issue_code(&mut tx, p.user_id, &v, by.lang).await?;
    tx.commit().await?;
    Ok(sent)
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct CodeInput {
    /// The six digits sent to the phone on record.
    pub code: Option<String>,
}

/// Checks a code; when right, links the account to the record.
pub async fn prove(db: &Db, by: &Acting, input: &CodeInput) -> AppResult<Volunteer> {
    let p = by.user()?;
    let typed: String = input
        .code
        .as_deref()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if typed.is_empty() {
        return Err(AppError::field("code", "err.required"));
    }
    let pending = idstore::pending_of(db, p.user_id)
        .await?
        .ok_or(AppError::BadRequest("err.link_nothing_pending"))?;
    let mut tx = db.begin().await?;
    let Some(stored) = idstore::attempt_code(&mut tx, LINK, p.user_id).await? else {
        return Err(AppError::field("code", "err.code_none"));
    };
    let problem = if stored.attempts > CODE_TRIES {
        Some("err.code_tries")
    } else if stored.expires_at < now() {
        Some("err.code_expired")
    } else if stored.volunteer_id != Some(pending.volunteer_id)
        || hex_decode(&stored.code_hash).is_none_or(|h| code_hash(&stored.salt, &typed).verify_slice(&h).is_err())
    {
        Some("err.code_wrong")
    } else {
        None
    };
    if let Some(key) = problem {
        // The attempt stays counted.
        tx.commit().await?;
        let mut e = FieldError::new("code", key);
        if key == "err.code_wrong" {
            e = e.with("left", (CODE_TRIES - stored.attempts).max(0));
        }
        return Err(AppError::Validation(vec![e]));
    }
    if !idstore::use_code(&mut tx, stored.id).await? {
        return Err(AppError::field("code", "err.code_none"));
    }
    let actor = by.actor();
    let v = link(&mut tx, &actor, &pending, "code").await?;
    tx.commit().await?;
    Ok(v)
}

pub(crate) fn hex_decode(s: &str) -> Option<Vec<u8>> {
    (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok()))
        .collect()
}

/// Links the waiting account to its record once proven (by code or by the team): the record is
/// not changed; what the person typed differently is proposed to the team.
pub async fn link(tx: &mut Tx, actor: &Actor, pending: &PendingLink, how: &str) -> AppResult<Volunteer> {
    let v = store::volunteer_in_tx(tx, pending.volunteer_id).await?;
    if v.user_id.is_some() {
        return Err(AppError::Conflict(vec![FieldError::new(
            "code",
            "err.already_registered",
        )]));
    }
    store::link_user(tx, actor, v.id, pending.user_id).await?;
    if let Some(team) = pending.team_id {
        store::add_member(tx, actor, team, v.id, false).await?;
    }
    let person: VolunteerInput = serde_json::from_str(&pending.data).map_err(|e| AppError::Internal(e.into()))?;
    if let Ok(f) = check_volunteer(&person) {
        let changes = differences(&f, &v);
        if !changes.is_empty() {
            idstore::propose_correction(
                tx,
                actor,
                v.id,
                Some(pending.user_id),
                &serde_json::Value::Object(changes),
            )
            .await?;
        }
    }
    idstore::delete_pending(tx, pending.user_id).await?;
    audit::record_raw(
        tx,
        actor,
        audit::Op::Update,
        Subject::new("pending_link", Some(v.id), &v.volunteer_no),
        &serde_json::json!({"linked": pending.user_id, "proof": how}),
    )
    .await?;
    Ok(v)
}

/// The fields someone typed that say something other than the record (blanks say nothing).
pub fn differences(typed: &VolunteerFields, v: &Volunteer) -> serde_json::Map<String, serde_json::Value> {
    typed.person.differences(&v.person)
}

/// The fields of a proposal as an update: only what it names (blanks keep what is stored).
fn as_fields(data: &serde_json::Value) -> VolunteerFields {
    VolunteerFields {
        person: Person::from_texts(data),
        ..Default::default()
    }
}

/// The open proposals for people on a team's roster (those who maintain it).
pub async fn corrections(db: &Db, by: &Acting, team_id: i64) -> AppResult<Vec<ProposedCorrection>> {
    teams::service::load_to_maintain(db, by, team_id).await?;
    Ok(idstore::open_corrections(db, team_id).await?)
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct CorrectionDecision {
    /// `apply` (write the proposed values to the record) or `dismiss`.
    pub decision: Option<String>,
}

/// A team that maintains the record applies or dismisses a proposed correction.
pub async fn decide_correction(
    db: &Db,
    by: &Acting,
    team_id: i64,
    id: i64,
    input: &CorrectionDecision,
) -> AppResult<()> {
    let c = corrections(db, by, team_id)
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or(AppError::NotFound)?;
    let actor = by.actor();
    let status = input
        .decision
        .as_deref()
        .and_then(CorrectionStatus::decided)
        .ok_or(AppError::field("decision", "err.decision"))?;
    let mut tx = db.begin().await?;
    if status == CorrectionStatus::Applied {
        store::update_volunteer(&mut tx, &actor, c.volunteer_id, &as_fields(&c.data)).await?;
    }
    if !idstore::close_correction(&mut tx, &actor, id, status).await? {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

#[derive(Serialize, ToSchema)]
pub struct Linked {
    pub volunteer_no: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits_and_hashes_verify_only_the_right_code() {
        let c = new_code();
        assert_eq!(c.len(), 6);
        assert!(c.chars().all(|ch| ch.is_ascii_digit()));
        let h = code_hash("salt", "123456").finalize().into_bytes();
        let stored = hex(&h);
        let raw = hex_decode(&stored).unwrap();
        assert!(code_hash("salt", "123456").verify_slice(&raw).is_ok());
        assert!(code_hash("salt", "123457").verify_slice(&raw).is_err());
        assert!(code_hash("pepper", "123456").verify_slice(&raw).is_err());
        assert_eq!(hex_decode("zz"), None);
    }

    #[test]
    fn only_what_was_typed_differently_is_proposed() {
        let typed = VolunteerFields {
            person: Person {
                name: "王小明".into(),
                phone: "13900000000".into(),
                employer: String::new(),
                ..Default::default()
            },
            ..Default::default()
        };
        let v = Volunteer {
            id: 1,
            volunteer_no: "LF1".into(),
            person: Person {
                name: "王小明".into(),
                sex: "M".into(),
                phone: "13800000000".into(),
                employer: "税务局".into(),
                ..Default::default()
            },
            consent_at: None,
            id_consent_at: None,
            guardian_consent_at: None,
            user_id: None,
            created_at: 0,
            updated_at: 0,
        };
        let d = differences(&typed, &v);
        assert_eq!(d.len(), 1);
        assert_eq!(d["phone"], "13900000000");
        let f = as_fields(&serde_json::Value::Object(d));
        assert_eq!(f.phone, "13900000000");
        assert_eq!(f.name, "");
    }
}
