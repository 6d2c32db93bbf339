//! Erasure of a volunteer's personal data on their request (PIPL Art. 47): the record is
//! anonymised in place so that hours, team totals and issued certificates keep their holder
//! without the person; the account is closed; the audit trail keeps that it happened, by whom,
//! of which record, and loses the erased values.

use serde::Serialize;
use serde_json::{json, Value};
use utoipa::ToSchema;

use super::audit::{self, Actor, Subject};
use super::{now, Db, Tx};
use crate::domain::volunteer::ErasureRequest;
use crate::{on_db, on_tx};

/// The personal fields of a volunteer's record that an erasure blanks.
pub const ERASED_FIELDS: &[&str] = &[
    "name",
    "sex",
    "birth_date",
    "id_type",
    "id_number",
    "phone",
    "residence",
    "political_status",
    "employer",
    "post",
    "skills",
    "guardian_name",
    "guardian_phone",
    "consent_at",
    "id_consent_at",
    "guardian_consent_at",
];

/// What stands for an erased value in older audit entries.
pub const ERASED: &str = "(erased)";

/// The name an erased record keeps: no person, only the record's number.
pub fn anonymous_name(volunteer_id: i64) -> String {
    format!("已注销志愿者 #{volunteer_id}")
}

/// When the record was erased, if it was.
pub async fn erased_at(db: &Db, volunteer_id: i64) -> Result<Option<i64>, sqlx::Error> {
    let at: Option<Option<i64>> = on_db!(db, pool => sqlx::query_scalar(
        "select erased_at from volunteers where id = $1").bind(volunteer_id).fetch_optional(pool).await?);
    Ok(at.flatten())
}

/// Activities under way now (published, started, not ended) that the person is signed up for
/// or signed in to: `(id, title)`.
pub async fn activities_under_way(db: &Db, volunteer_id: i64) -> Result<Vec<(i64, String)>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select a.id, a.title from activities a
         where a.status = 'published' and a.starts_at <= $2 and a.ends_at > $2
           and (exists (select 1 from signups s where s.activity_id = a.id and s.volunteer_id = $1
                        and s.status in ('confirmed', 'waiting'))
                or exists (select 1 from attendance t where t.activity_id = a.id and t.volunteer_id = $1))
         order by a.starts_at, a.id")
        .bind(volunteer_id).bind(now()).fetch_all(pool).await)
}

/// Activities not started yet that the person is still on the list of (to be cancelled).
pub async fn upcoming_signups(tx: &mut Tx, volunteer_id: i64) -> Result<Vec<i64>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(
        "select s.activity_id from signups s join activities a on a.id = s.activity_id
         where s.volunteer_id = $1 and s.status in ('confirmed', 'waiting') and a.starts_at > $2
           and a.status in ('draft', 'published')
         order by s.activity_id")
        .bind(volunteer_id).bind(now()).fetch_all(&mut *c).await)
}

/// What an erasure did, for its audit entry and its answer (no erased values).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Erasure {
    pub volunteer_id: i64,
    pub volunteer_no: String,
    /// `self` (the volunteer asked) or `staff` (carried out on the volunteer's request).
    pub requested_by: ErasureRequest,
    pub erased_at: i64,
    /// The fields blanked or anonymised.
    pub fields: Vec<String>,
    /// The teams told (their rosters keep an anonymised line).
    pub teams_told: Vec<i64>,
    /// Sign-ups for activities not started yet that were cancelled.
    pub signups_cancelled: usize,
    /// Certificates that now verify as "issued, holder's record withdrawn".
    pub certificates_withdrawn: usize,
    /// Whether a sign-in account was closed.
    pub account_closed: bool,
    /// Older audit entries whose personal values were replaced by "(erased)".
    pub audit_entries_redacted: usize,
}

/// A team's notice that a person on its roster had their record erased.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct ErasureNotice {
    pub volunteer_id: i64,
    pub volunteer_no: String,
    /// `self` or `staff`.
    pub requested_by: ErasureRequest,
    pub at: i64,
}

pub async fn notices(db: &Db, team_id: i64) -> Result<Vec<ErasureNotice>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select volunteer_id, volunteer_no, requested_by, at from erasure_notices where team_id = $1 order by at desc, id desc")
        .bind(team_id).fetch_all(pool).await)
}

/// Replaces every value in an audit entry's changes with [`ERASED`], keeping which fields changed.
fn redact(changes: &Value) -> Value {
    match changes {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let v = match v {
                        Value::Object(inner) if inner.contains_key("before") || inner.contains_key("after") => {
                            json!({"before": ERASED, "after": ERASED})
                        }
                        _ => Value::String(ERASED.into()),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        _ => Value::String(ERASED.into()),
    }
}

/// Erases the person's data in one transaction; the caller has checked that nothing is under way
/// and cancelled their upcoming sign-ups in `tx`.
pub async fn erase_volunteer(
    tx: &mut Tx,
    actor: &Actor,
    volunteer_id: i64,
    requested_by: ErasureRequest,
    signing_key: &str,
    signups_cancelled: usize,
) -> Result<Erasure, sqlx::Error> {
    let t = now();
    let (volunteer_no, user_id, phone): (String, Option<i64>, String) = on_tx!(tx, c => sqlx::query_as(
        "select volunteer_no, user_id, phone from volunteers where id = $1").bind(volunteer_id).fetch_one(&mut *c).await?);

    // The teams keeping the record are told.
    let teams: Vec<i64> = on_tx!(tx, c => sqlx::query_scalar(
        "select distinct team_id from team_members where volunteer_id = $1 order by team_id")
        .bind(volunteer_id).fetch_all(&mut *c).await?);
    for team in &teams {
        on_tx!(tx, c => sqlx::query(
            "insert into erasure_notices (team_id, volunteer_id, volunteer_no, requested_by, at) values ($1, $2, $3, $4, $5)")
            .bind(team).bind(volunteer_id).bind(&volunteer_no).bind(requested_by).bind(t)
            .execute(&mut *c).await.map(|r| r.rows_affected())?);
    }

    // The record: personal fields blanked, the name replaced; hours, rosters and sign-ups stay.
    on_tx!(tx, c => sqlx::query(
        "update volunteers set name = $1, sex = '', birth_date = '', id_type = '', id_number = null, phone = '',
            residence = '', political_status = '', employer = '', post = '', skills = '', consent_at = null,
            id_consent_at = null, guardian_name = '', guardian_phone = '', guardian_consent_at = null,
            user_id = null, erased_at = $2, updated_at = $2 where id = $3")
        .bind(anonymous_name(volunteer_id)).bind(t).bind(volunteer_id)
        .execute(&mut *c).await.map(|r| r.rows_affected())?);
    // What proving identity kept: codes, proposed corrections (they hold typed values), and the
    // messages sent to the phone on record.
    on_tx!(tx, c => {
        sqlx::query("delete from pending_links where volunteer_id = $1")
            .bind(volunteer_id).execute(&mut *c).await.map(|r| r.rows_affected())?;
        sqlx::query("delete from one_time_codes where volunteer_id = $1 or user_id = $2")
            .bind(volunteer_id).bind(user_id.unwrap_or(-1)).execute(&mut *c).await.map(|r| r.rows_affected())?;
        sqlx::query("delete from proposed_corrections where volunteer_id = $1")
            .bind(volunteer_id).execute(&mut *c).await.map(|r| r.rows_affected())?;
        if !phone.is_empty() {
            sqlx::query("delete from outbox where recipient = $1").bind(&phone).execute(&mut *c).await.map(|r| r.rows_affected())?;
        }
        // Notifications: the account's inbox and sends, and the addresses it gave.
        sqlx::query("delete from outbox where user_id = $1").bind(user_id.unwrap_or(-1))
            .execute(&mut *c).await.map(|r| r.rows_affected())?;
        sqlx::query("delete from notification_prefs where user_id = $1").bind(user_id.unwrap_or(-1))
            .execute(&mut *c).await.map(|r| r.rows_affected())?;
    });

    // The account: renamed, no password that can match, disabled, every session ended.
    let mut actor = actor.clone();
    if let Some(uid) = user_id {
        let name: String = on_tx!(tx, c => sqlx::query_scalar("select username from users where id = $1")
            .bind(uid).fetch_one(&mut *c).await?);
        let new_name = format!("erased-{uid}");
        on_tx!(tx, c => {
            sqlx::query("update users set username = $1, display_name = '', password_hash = '!', active = false,
                         updated_at = $2, password_changed_at = $2 where id = $3")
                .bind(&new_name).bind(t).bind(uid).execute(&mut *c).await.map(|r| r.rows_affected())?;
            sqlx::query("delete from sessions where user_id = $1").bind(uid).execute(&mut *c).await.map(|r| r.rows_affected())?;
            sqlx::query("delete from pending_links where user_id = $1").bind(uid).execute(&mut *c).await.map(|r| r.rows_affected())?;
            sqlx::query("delete from login_failures where username = $1").bind(&name).execute(&mut *c).await.map(|r| r.rows_affected())?;
            // The account's own entries name it by its new name.
            sqlx::query("update audit_log set username = $1 where user_id = $2")
                .bind(&new_name).bind(uid).execute(&mut *c).await.map(|r| r.rows_affected())?;
            sqlx::query("update audit_log set username = $1 where username = $2")
                .bind(format!("(join:{new_name})")).bind(format!("(join:{name})")).execute(&mut *c).await.map(|r| r.rows_affected())?;
            sqlx::query("update audit_log set object_label = $1 where object_type = 'user' and object_id = $2")
                .bind(&new_name).bind(uid).execute(&mut *c).await.map(|r| r.rows_affected())?;
        });
        if actor.user_id == Some(uid) {
            actor.username = new_name;
        }
    }

    // Certificates and honour certificates: the statement without the person, signed anew; they
    // still verify as issued. The honour's name also goes off the notices and the roll.
    let certs = withdraw_statements(
        tx,
        "certificates",
        "select id, number, statement from certificates where volunteer_id = $1 and withdrawn_at is null",
        volunteer_id,
        &["name", "id_type", "id_number", "volunteer_no"],
        signing_key,
        t,
    )
    .await?;
    on_tx!(tx, c => sqlx::query("update nominations set nominee_name = $1 where volunteer_id = $2")
        .bind(anonymous_name(volunteer_id)).bind(volunteer_id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    let honours = withdraw_statements(
        tx,
        "honour_certificates",
        "select h.id, h.number, h.statement from honour_certificates h join nominations n on n.id = h.nomination_id
         where n.volunteer_id = $1 and h.withdrawn_at is null",
        volunteer_id,
        &["honoree"],
        signing_key,
        t,
    )
    .await?;

    // Older audit entries about the person keep what was done, not the values.
    let entries: Vec<(i64, String)> = on_tx!(tx, c => sqlx::query_as(
        "select id, changes from audit_log
         where (object_type in ('volunteer', 'pending_link') and object_id = $1)
            or (object_type = 'user' and object_id = $2)
            or (object_type = 'certificate' and object_id in (select id from certificates where volunteer_id = $1))")
        .bind(volunteer_id).bind(user_id.unwrap_or(-1)).fetch_all(&mut *c).await?);
    for (id, changes) in &entries {
        let v: Value = serde_json::from_str(changes).unwrap_or(Value::Null);
        on_tx!(tx, c => sqlx::query("update audit_log set changes = $1 where id = $2")
            .bind(redact(&v).to_string()).bind(id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    }

    let erasure = Erasure {
        volunteer_id,
        volunteer_no: volunteer_no.clone(),
        requested_by,
        erased_at: t,
        fields: ERASED_FIELDS.iter().map(|f| f.to_string()).collect(),
        teams_told: teams,
        signups_cancelled,
        certificates_withdrawn: certs + honours,
        account_closed: user_id.is_some(),
        audit_entries_redacted: entries.len(),
    };
    let summary = serde_json::to_value(&erasure).unwrap_or(Value::Null);
    audit::record_raw(
        tx,
        &actor,
        audit::Op::Erase,
        Subject::new("volunteer", Some(volunteer_id), &volunteer_no),
        &summary,
    )
    .await?;
    Ok(erasure)
}

/// Blanks `keys` in the statements `select` finds (id, number, statement) for the volunteer and
/// signs each anew as `withdrawn_signature` in `table` (the check code on paper stays the original
/// signature's); answers how many.
async fn withdraw_statements(
    tx: &mut Tx,
    table: &str,
    select: &str,
    volunteer_id: i64,
    keys: &[&str],
    signing_key: &str,
    t: i64,
) -> Result<usize, sqlx::Error> {
    let found: Vec<(i64, String, String)> =
        on_tx!(tx, c => sqlx::query_as(select).bind(volunteer_id).fetch_all(&mut *c).await?);
    let update =
        format!("update {table} set statement = $1, withdrawn_at = $2, withdrawn_signature = $3 where id = $4");
    for (id, number, statement) in &found {
        let mut st: Value = serde_json::from_str(statement).unwrap_or_else(|_| json!({}));
        if let Some(m) = st.as_object_mut() {
            for k in keys {
                if m.contains_key(*k) {
                    m.insert((*k).into(), Value::String(String::new()));
                }
            }
        }
        let redacted = st.to_string();
        let signature = crate::domain::service::sign(signing_key, &format!("{number}\n{redacted}"), 64);
        on_tx!(tx, c => sqlx::query(&update)
            .bind(&redacted).bind(t).bind(&signature).bind(id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    }
    Ok(found.len())
}

/// A withdrawn certificate's redacted statement and its signature, when it was withdrawn.
pub async fn withdrawn(db: &Db, number: &str) -> Result<Option<(i64, String)>, sqlx::Error> {
    let row: Option<(Option<i64>, String)> = on_db!(db, pool => sqlx::query_as(
        "select withdrawn_at, withdrawn_signature from certificates where number = $1")
        .bind(number).fetch_optional(pool).await?);
    Ok(row.and_then(|(at, sig)| at.map(|at| (at, sig))))
}
