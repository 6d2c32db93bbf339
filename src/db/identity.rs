//! Proof that a person is the one on record: the outbox that carries one-time codes, the codes
//! themselves, sign-ups waiting to be linked, and the corrections people propose to a record
//! they do not keep.

use serde::Serialize;
use utoipa::ToSchema;

use super::audit::{self, Actor, Subject};
use super::notifications::{self, Notice};
use super::{now, Db, Tx};
use crate::domain::notification::NoticeKind;
use crate::domain::volunteer::CorrectionStatus;
use crate::i18n::Lang;
use crate::{on_db, on_tx};

/// Sends a one-time code (already rendered as `body`) to `recipient` through the notification
/// outbox, as an urgent message: quiet hours do not hold it, and it never enters an inbox.
/// `channel` is kept for callers; the address decides (`@`: e-mail, otherwise SMS). `kind` names
/// the code (`link_code`, `recovery_code`, …). Answers the outbox row's id.
pub async fn enqueue(tx: &mut Tx, channel: &str, recipient: &str, kind: &str, body: &str) -> sqlx::Result<i64> {
    let _ = channel;
    let key = crate::domain::token::new_token();
    let event = format!("{kind}:{key}");
    let notice = Notice::to_address(NoticeKind::of_code(kind), event.clone(), recipient, Lang::Zh).param("text", body);
    notifications::queue(tx, &[notice]).await?;
    let prefix = format!("{event}|");
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar("select id from outbox where substr(idempotency_key, 1, $2) = $1")
        .bind(&prefix).bind(prefix.chars().count() as i32).fetch_one(&mut *c).await?);
    Ok(id)
}

/// The newest message of `kind` to `recipient` (for the log channel's readers: tests, support).
pub async fn last_message(db: &Db, recipient: &str, kind: &str) -> sqlx::Result<Option<String>> {
    notifications::last_body_to(db, recipient, NoticeKind::of_code(kind)).await
}

/// A one-time code as stored: a keyed hash of it, never the code.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredCode {
    pub id: i64,
    pub volunteer_id: Option<i64>,
    pub salt: String,
    pub code_hash: String,
    pub attempts: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

/// Replaces any earlier code of `user_id` for `purpose` with a new one.
pub async fn store_code(
    tx: &mut Tx,
    purpose: &str,
    user_id: i64,
    volunteer_id: Option<i64>,
    salt: &str,
    code_hash: &str,
    expires_at: i64,
) -> sqlx::Result<()> {
    on_tx!(tx, c => {
        sqlx::query("delete from one_time_codes where user_id = $1 and purpose = $2")
            .bind(user_id).bind(purpose).execute(&mut *c).await?;
        sqlx::query(
            "insert into one_time_codes (purpose, user_id, volunteer_id, salt, code_hash, created_at, expires_at)
             values ($1, $2, $3, $4, $5, $6, $7)")
            .bind(purpose).bind(user_id).bind(volunteer_id).bind(salt).bind(code_hash).bind(now()).bind(expires_at)
            .execute(&mut *c).await?;
    });
    Ok(())
}

/// The live code of `user_id` for `purpose`, counting this attempt against it (in the same
/// statement, so simultaneous guesses each count).
pub async fn attempt_code(tx: &mut Tx, purpose: &str, user_id: i64) -> sqlx::Result<Option<StoredCode>> {
    on_tx!(tx, c => sqlx::query_as(
        "update one_time_codes set attempts = attempts + 1
         where user_id = $1 and purpose = $2 and used_at is null
         returning id, volunteer_id, salt, code_hash, attempts, expires_at, used_at")
        .bind(user_id).bind(purpose).fetch_optional(&mut *c).await)
}

/// Marks a code used: it opens nothing twice.
pub async fn use_code(tx: &mut Tx, id: i64) -> sqlx::Result<bool> {
    let n = on_tx!(tx, c => sqlx::query("update one_time_codes set used_at = $1 where id = $2 and used_at is null")
        .bind(now()).bind(id).execute(&mut *c).await?.rows_affected());
    Ok(n == 1)
}

/// A code that proves a new address (`target`) for an account.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TargetCode {
    pub id: i64,
    pub salt: String,
    pub code_hash: String,
    pub attempts: i64,
    pub expires_at: i64,
    pub target: String,
}

/// Replaces any earlier code of `user_id` for `purpose` with one proving `target`.
pub async fn store_target_code(
    tx: &mut Tx,
    purpose: &str,
    user_id: i64,
    target: &str,
    salt: &str,
    code_hash: &str,
    expires_at: i64,
) -> sqlx::Result<()> {
    store_code(tx, purpose, user_id, None, salt, code_hash, expires_at).await?;
    on_tx!(tx, c => sqlx::query("update one_time_codes set target = $1 where user_id = $2 and purpose = $3")
        .bind(target).bind(user_id).bind(purpose).execute(&mut *c).await?.rows_affected());
    Ok(())
}

/// The live code of `user_id` for `purpose` with the address it proves, counting this attempt.
pub async fn attempt_target_code(tx: &mut Tx, purpose: &str, user_id: i64) -> sqlx::Result<Option<TargetCode>> {
    on_tx!(tx, c => sqlx::query_as(
        "update one_time_codes set attempts = attempts + 1
         where user_id = $1 and purpose = $2 and used_at is null
         returning id, salt, code_hash, attempts, expires_at, target")
        .bind(user_id).bind(purpose).fetch_optional(&mut *c).await)
}

/// A sign-up waiting to be linked to the record it matched.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PendingLink {
    pub user_id: i64,
    pub volunteer_id: i64,
    pub team_id: Option<i64>,
    /// What the person typed (JSON of the sign-up form).
    pub data: String,
}

pub async fn pending_of(db: &Db, user_id: i64) -> sqlx::Result<Option<PendingLink>> {
    on_db!(db, pool => sqlx::query_as(
        "select user_id, volunteer_id, team_id, data from pending_links where user_id = $1")
        .bind(user_id).fetch_optional(pool).await)
}

/// How many sign-ups of this account wait to be linked (0 or 1).
pub async fn pending_count(db: &Db, user_id: i64) -> sqlx::Result<i64> {
    on_db!(db, pool => sqlx::query_scalar("select count(*) from pending_links where user_id = $1")
        .bind(user_id).fetch_one(pool).await)
}

/// A sign-up waiting for a team to confirm that it is the person on record.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
#[schema(as = PendingLink)]
pub struct WaitingLink {
    pub user_id: i64,
    pub username: String,
    pub volunteer_id: i64,
    pub volunteer_no: String,
    pub name: String,
    /// The phone on record (masked).
    pub phone: String,
    pub created_at: i64,
    /// False when the person came through this team's invitation and matched a record the team
    /// does not keep: the team may then only give them a record of their own.
    pub on_roster: bool,
    #[serde(skip)]
    pub data: String,
}

/// Sign-ups waiting on a team: for people on its roster, or invited to it (unmasked, as stored).
pub async fn waiting_on_team(db: &Db, team_id: i64) -> sqlx::Result<Vec<WaitingLink>> {
    on_db!(db, pool => sqlx::query_as(
        "select p.user_id, u.username, p.volunteer_id, v.volunteer_no, v.name, v.phone, p.created_at, p.data,
                p.volunteer_id in (select volunteer_id from team_members where team_id = $1) as on_roster
         from pending_links p join users u on u.id = p.user_id join volunteers v on v.id = p.volunteer_id
         where p.team_id = $1 or p.volunteer_id in (select volunteer_id from team_members where team_id = $1)
         order by p.id")
        .bind(team_id).fetch_all(pool).await)
}

pub async fn insert_pending(tx: &mut Tx, p: &PendingLink) -> sqlx::Result<()> {
    on_tx!(tx, c => sqlx::query(
        "insert into pending_links (user_id, volunteer_id, team_id, data, created_at) values ($1, $2, $3, $4, $5)")
        .bind(p.user_id).bind(p.volunteer_id).bind(p.team_id).bind(&p.data).bind(now()).execute(&mut *c).await.map(|r| r.rows_affected())?);
    Ok(())
}

pub async fn delete_pending(tx: &mut Tx, user_id: i64) -> sqlx::Result<()> {
    on_tx!(tx, c => sqlx::query("delete from pending_links where user_id = $1").bind(user_id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    on_tx!(tx, c => sqlx::query("delete from one_time_codes where user_id = $1 and purpose = 'link'")
        .bind(user_id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    Ok(())
}

/// Fields a person typed that differ from the record: proposed to the team that keeps it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProposedCorrection {
    pub id: i64,
    pub volunteer_id: i64,
    pub volunteer_no: String,
    /// The field names and the values proposed.
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
    pub created_at: i64,
}

#[derive(sqlx::FromRow)]
struct CorrectionRow {
    id: i64,
    volunteer_id: i64,
    volunteer_no: String,
    data: String,
    created_at: i64,
}

impl From<CorrectionRow> for ProposedCorrection {
    fn from(r: CorrectionRow) -> Self {
        ProposedCorrection {
            id: r.id,
            volunteer_id: r.volunteer_id,
            volunteer_no: r.volunteer_no,
            data: serde_json::from_str(&r.data).unwrap_or_default(),
            created_at: r.created_at,
        }
    }
}

pub async fn propose_correction(
    tx: &mut Tx,
    actor: &Actor,
    volunteer_id: i64,
    user_id: Option<i64>,
    data: &serde_json::Value,
) -> sqlx::Result<()> {
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "insert into proposed_corrections (volunteer_id, user_id, data, created_at) values ($1, $2, $3, $4) returning id")
        .bind(volunteer_id).bind(user_id).bind(data.to_string()).bind(now()).fetch_one(&mut *c).await?);
    let fields: Vec<&String> = data.as_object().map(|o| o.keys().collect()).unwrap_or_default();
    audit::record_raw(
        tx,
        actor,
        audit::Op::Create,
        Subject::new("proposed_correction", Some(id), ""),
        &serde_json::json!({"volunteer_id": volunteer_id, "fields": fields}),
    )
    .await
}

/// Open proposals for people on `team_id`'s roster.
pub async fn open_corrections(db: &Db, team_id: i64) -> sqlx::Result<Vec<ProposedCorrection>> {
    let rows: Vec<CorrectionRow> = on_db!(db, pool => sqlx::query_as(
        "select p.id, p.volunteer_id, v.volunteer_no, p.data, p.created_at
         from proposed_corrections p join volunteers v on v.id = p.volunteer_id
         where p.status = 'open' and p.volunteer_id in (select volunteer_id from team_members where team_id = $1)
         order by p.id")
        .bind(team_id).fetch_all(pool).await?);
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Closes a proposal as `applied` or `dismissed`; false when someone closed it first.
pub async fn close_correction(tx: &mut Tx, actor: &Actor, id: i64, status: CorrectionStatus) -> sqlx::Result<bool> {
    let n = on_tx!(tx, c => sqlx::query(
        "update proposed_corrections set status = $1, decided_at = $2, decided_by = $3 where id = $4 and status = 'open'")
        .bind(status).bind(now()).bind(actor.user_id).bind(id).execute(&mut *c).await?.rows_affected());
    if n == 1 {
        audit::record_raw(
            tx,
            actor,
            audit::Op::Update,
            Subject::new("proposed_correction", Some(id), ""),
            &serde_json::json!({"status": status}),
        )
        .await?;
    }
    Ok(n == 1)
}
