//! Attendance: sign-in, sign-out, corrections and confirmed hours.

use serde::Serialize;
use utoipa::ToSchema;

use super::activities::Activity;
use super::audit::{self, Actor, Op, Subject};
use super::{now, Db, Tx};
use crate::domain::service::Rules;
use crate::{on_db, on_tx};

/// A sign-in or sign-out as stored.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct Attendance {
    pub id: i64,
    pub activity_id: i64,
    pub volunteer_id: i64,
    pub signed_in_at: i64,
    pub signed_out_at: Option<i64>,
    /// `scan`, `api`, `leader` or `walk_in`.
    pub method: String,
    pub auto_signed_out: bool,
    /// Service minutes by the district's rules, once signed out.
    pub minutes: Option<i64>,
    pub confirmed_at: Option<i64>,
}

pub const ATTENDANCE_COLS: &str =
    "id, activity_id, volunteer_id, signed_in_at, signed_out_at, method, auto_signed_out, minutes, confirmed_at";

pub async fn attendance_of(db: &Db, activity_id: i64, volunteer_id: i64) -> Result<Option<Attendance>, sqlx::Error> {
    let sql = format!("select {ATTENDANCE_COLS} from attendance where activity_id = $1 and volunteer_id = $2");
    on_db!(db, pool => sqlx::query_as(&sql).bind(activity_id).bind(volunteer_id).fetch_optional(pool).await)
}

async fn attendance_in_tx(tx: &mut Tx, activity_id: i64, volunteer_id: i64) -> Result<Option<Attendance>, sqlx::Error> {
    let sql = format!("select {ATTENDANCE_COLS} from attendance where activity_id = $1 and volunteer_id = $2");
    on_tx!(tx, c => sqlx::query_as(&sql).bind(activity_id).bind(volunteer_id).fetch_optional(&mut *c).await)
}

/// Records a sign-in; a second one changes nothing and returns the first (`false`).
pub async fn sign_in(
    tx: &mut Tx,
    actor: &Actor,
    a: &Activity,
    volunteer_id: i64,
    at: i64,
    method: &str,
    walkin_token: Option<&str>,
) -> Result<(Attendance, bool), sqlx::Error> {
    let month = crate::domain::campaign::date_of(a.starts_at)[..7].to_string();
    let inserted: Option<Attendance> = on_tx!(tx, c => sqlx::query_as(&format!(
        "insert into attendance (activity_id, volunteer_id, signed_in_at, method, walkin_token, created_at, month)
         values ($1, $2, $3, $4, $5, $6, $7) on conflict (activity_id, volunteer_id) do nothing returning {ATTENDANCE_COLS}"))
        .bind(a.id).bind(volunteer_id).bind(at).bind(method).bind(walkin_token).bind(now()).bind(&month)
        .fetch_optional(&mut *c).await?);
    match inserted {
        Some(row) => {
            on_tx!(tx, c => sqlx::query("update activities set attended = attended + 1 where id = $1")
                .bind(a.id).execute(&mut *c).await.map(|r| r.rows_affected())?);
            audit::record_raw(
                tx,
                actor,
                audit::Op::SignIn,
                Subject::new("activity", Some(a.id), &a.title),
                &serde_json::json!({"volunteer_id": volunteer_id, "at": at, "method": method}),
            )
            .await?;
            Ok((row, true))
        }
        None => Ok((
            attendance_in_tx(tx, a.id, volunteer_id)
                .await?
                .ok_or(sqlx::Error::RowNotFound)?,
            false,
        )),
    }
}

/// Records a sign-out at `at` (capped at the end) with the minutes it gives; a second one
/// changes nothing. `None` when they never signed in.
pub async fn sign_out(
    tx: &mut Tx,
    actor: &Actor,
    a: &Activity,
    rules: &Rules,
    volunteer_id: i64,
    at: i64,
    auto: bool,
) -> Result<Option<(Attendance, bool)>, sqlx::Error> {
    let Some(row) = attendance_in_tx(tx, a.id, volunteer_id).await? else {
        return Ok(None);
    };
    if row.signed_out_at.is_some() {
        return Ok(Some((row, false)));
    }
    let out = at.min(a.ends_at).max(row.signed_in_at);
    let minutes = rules.minutes(a.starts_at, a.ends_at, row.signed_in_at, out);
    let n = on_tx!(tx, c => sqlx::query(
        "update attendance set signed_out_at = $1, minutes = $2, auto_signed_out = $3 where id = $4 and signed_out_at is null")
        .bind(out).bind(minutes).bind(auto).bind(row.id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    let after = attendance_in_tx(tx, a.id, volunteer_id)
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    if n == 1 {
        audit::record_raw(
            tx,
            actor,
            if auto {
                audit::Op::AutoSignOut
            } else {
                audit::Op::SignOut
            },
            Subject::new("activity", Some(a.id), &a.title),
            &serde_json::json!({"volunteer_id": volunteer_id, "at": out, "minutes": minutes}),
        )
        .await?;
    }
    Ok(Some((after, n == 1)))
}

/// Opens again a sign-out the system made at the end, so that a real time can replace it.
pub async fn reopen_automatic_sign_out(tx: &mut Tx, activity_id: i64, volunteer_id: i64) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query(
        "update attendance set signed_out_at = null, minutes = null, auto_signed_out = false
         where activity_id = $1 and volunteer_id = $2 and auto_signed_out and confirmed_at is null")
        .bind(activity_id).bind(volunteer_id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    Ok(n > 0)
}

/// Signs out, at the end time and flagged, everyone still signed in once the activity is over.
pub async fn close_open_attendance(
    tx: &mut Tx,
    actor: &Actor,
    a: &Activity,
    rules: &Rules,
) -> Result<u64, sqlx::Error> {
    let open: Vec<i64> = on_tx!(tx, c => sqlx::query_scalar(
        "select volunteer_id from attendance where activity_id = $1 and signed_out_at is null")
        .bind(a.id).fetch_all(&mut *c).await?);
    let mut n = 0;
    for v in open {
        if let Some((_, true)) = sign_out(tx, actor, a, rules, v, a.ends_at, true).await? {
            n += 1;
        }
    }
    Ok(n)
}

/// One change to a sign-in, sign-out or hours, with the value it replaced.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct Correction {
    pub id: i64,
    pub attendance_id: i64,
    pub field: String,
    pub old_value: String,
    pub new_value: String,
    pub reason: String,
    pub username: String,
    pub at: i64,
}

pub async fn corrections(db: &Db, activity_id: i64) -> Result<Vec<Correction>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select ch.id, ch.attendance_id, ch.field, ch.old_value, ch.new_value, ch.reason, ch.username, ch.at
         from attendance_changes ch join attendance t on t.id = ch.attendance_id where t.activity_id = $1
         order by ch.at, ch.id")
        .bind(activity_id).fetch_all(pool).await)
}

/// Corrects a person's times or hours with a reason; the old values are kept.
#[allow(clippy::too_many_arguments)]
pub async fn correct(
    tx: &mut Tx,
    actor: &Actor,
    a: &Activity,
    before: &Attendance,
    signed_in_at: i64,
    signed_out_at: i64,
    minutes: i64,
    reason: &str,
) -> Result<Attendance, sqlx::Error> {
    let t = now();
    let fmt = |v: Option<i64>| v.map(crate::domain::service::format_local).unwrap_or_default();
    let changes = [
        ("signed_in_at", fmt(Some(before.signed_in_at)), fmt(Some(signed_in_at))),
        ("signed_out_at", fmt(before.signed_out_at), fmt(Some(signed_out_at))),
        (
            "minutes",
            before.minutes.map(|m| m.to_string()).unwrap_or_default(),
            minutes.to_string(),
        ),
    ];
    for (field, old, new) in changes.iter().filter(|(_, o, n)| o != n) {
        on_tx!(tx, c => sqlx::query(
            "insert into attendance_changes (attendance_id, field, old_value, new_value, reason, username, at)
             values ($1, $2, $3, $4, $5, $6, $7)")
            .bind(before.id).bind(*field).bind(old).bind(new).bind(reason).bind(&actor.username).bind(t)
            .execute(&mut *c).await.map(|r| r.rows_affected())?);
    }
    on_tx!(tx, c => sqlx::query(
        "update attendance set signed_in_at = $1, signed_out_at = $2, minutes = $3, auto_signed_out = false where id = $4")
        .bind(signed_in_at).bind(signed_out_at).bind(minutes).bind(before.id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    let after = attendance_in_tx(tx, a.id, before.volunteer_id)
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    let label = format!("{} #{}", a.title, before.volunteer_id);
    audit::record(
        tx,
        actor,
        Op::Update,
        Subject::new("attendance", Some(before.id), &label),
        Some(before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

/// The leader confirms the hours: every attendance line is confirmed and confirmed sign-ups
/// who never came are recorded as no-shows. Returns (confirmed lines, no-shows).
pub async fn confirm_hours(tx: &mut Tx, actor: &Actor, a: &Activity) -> Result<(u64, u64), sqlx::Error> {
    let t = now();
    let lines = on_tx!(tx, c => sqlx::query(
        "update attendance set confirmed_at = $1 where activity_id = $2 and confirmed_at is null")
        .bind(t).bind(a.id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    let no_shows = on_tx!(tx, c => sqlx::query(
        "update signups set status = 'no_show', updated_at = $1 where activity_id = $2 and status = 'confirmed'
           and not exists (select 1 from attendance t where t.activity_id = signups.activity_id
                           and t.volunteer_id = signups.volunteer_id)")
        .bind(t).bind(a.id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    on_tx!(tx, c => sqlx::query(
        "update activities set hours_confirmed_at = coalesce(hours_confirmed_at, $1), hours_confirmed_by = $2,
            updated_at = $1 where id = $3")
        .bind(t).bind(&actor.username).bind(a.id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    audit::record_raw(
        tx,
        actor,
        audit::Op::ConfirmHours,
        Subject::new("activity", Some(a.id), &a.title),
        &serde_json::json!({"lines": lines, "no_shows": no_shows}),
    )
    .await?;
    Ok((lines, no_shows))
}

/// One confirmed activity on a volunteer's record (办法 Art 7).
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct ServiceLine {
    pub activity_id: i64,
    pub title: String,
    pub starts_at: i64,
    pub address: String,
    pub content: String,
    pub category: String,
    pub minutes: i64,
    pub team_id: i64,
    /// The organising unit or community.
    pub organiser: String,
    pub leader_name: String,
    /// Who confirmed the hours.
    pub recorded_by: String,
}

pub async fn service_lines(db: &Db, volunteer_id: i64) -> Result<Vec<ServiceLine>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select a.id as activity_id, a.title, a.starts_at, a.address, a.content, a.category,
            coalesce(t.minutes, 0) as minutes, a.team_id, coalesce(u.name, tc.name) as organiser, a.leader_name,
            a.hours_confirmed_by as recorded_by
         from attendance t join activities a on a.id = t.activity_id join teams tm on tm.id = a.team_id
         left join units u on u.id = tm.unit_id left join communities tc on tc.id = tm.community_id
         where t.volunteer_id = $1 and t.confirmed_at is not null
         order by a.starts_at desc")
        .bind(volunteer_id).fetch_all(pool).await)
}
