//! Sign-ups with their waiting list.

use serde::Serialize;
use utoipa::ToSchema;

use super::activities::Activity;
use super::audit::{self, Actor, Subject};
use super::{now, Db, Tx};
use crate::domain::activity::{AddedBy, SignupStatus};
use crate::{on_db, on_tx};

/// One person on an activity's list: sign-up and attendance together.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct Participant {
    pub volunteer_id: i64,
    pub volunteer_no: String,
    pub name: String,
    #[serde(skip)]
    pub phone: String,
    /// `confirmed`, `waiting`, `cancelled`, `no_show`, or empty for a walk-in.
    pub signup: Option<SignupStatus>,
    pub signed_up_at: Option<i64>,
    pub attendance_id: Option<i64>,
    pub signed_in_at: Option<i64>,
    pub signed_out_at: Option<i64>,
    pub method: Option<String>,
    /// Still signed in at the end: signed out at the end time by the system.
    pub auto_signed_out: Option<bool>,
    pub minutes: Option<i64>,
    pub confirmed_at: Option<i64>,
    pub is_manager: bool,
}

pub async fn participants(db: &Db, activity_id: i64) -> Result<Vec<Participant>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select v.id as volunteer_id, v.volunteer_no, v.name, v.phone, s.status as signup, s.created_at as signed_up_at,
            t.id as attendance_id, t.signed_in_at, t.signed_out_at, t.method, t.auto_signed_out, t.minutes,
            t.confirmed_at,
            exists (select 1 from team_members m join activity_teams at on at.team_id = m.team_id
                    where at.activity_id = $1 and m.volunteer_id = v.id and m.is_manager) as is_manager
         from volunteers v
         left join signups s on s.volunteer_id = v.id and s.activity_id = $1
         left join attendance t on t.volunteer_id = v.id and t.activity_id = $1
         where s.id is not null or t.id is not null
         order by case s.status when 'confirmed' then 0 when 'no_show' then 1 when 'waiting' then 2 when 'cancelled' then 4
                  else 3 end, s.id, t.id")
        .bind(activity_id).fetch_all(pool).await)
}

/// What became of a sign-up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SignupOutcome {
    Confirmed,
    Waiting,
    /// Was already on the list (confirmed or waiting); nothing changed.
    AlreadyConfirmed,
    AlreadyWaiting,
}

/// Puts a volunteer on the list: a place if one is free, else the waiting list. The place is
/// taken with one conditional update of the activity's counter, which also locks the activity
/// row, so concurrent sign-ups never overbook on either database.
pub async fn sign_up(
    tx: &mut Tx,
    actor: &Actor,
    a: &Activity,
    volunteer_id: i64,
    added_by: AddedBy,
) -> Result<SignupOutcome, sqlx::Error> {
    let t = now();
    // Lock the activity first, as a cancellation does: sign-ups and cancellations of one activity
    // then queue in one order (no deadlock), and a cancellation sees every waiting sign-up.
    on_tx!(tx, c => sqlx::query("update activities set updated_at = updated_at where id = $1")
        .bind(a.id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    let fresh = on_tx!(tx, c => sqlx::query(
        "insert into signups (activity_id, volunteer_id, status, added_by, created_at, updated_at)
         values ($1, $2, 'new', $3, $4, $4)
         on conflict (activity_id, volunteer_id) do update set status = 'new', added_by = excluded.added_by,
            created_at = excluded.created_at, updated_at = excluded.updated_at
         where signups.status = 'cancelled'")
        .bind(a.id).bind(volunteer_id).bind(added_by).bind(t).execute(&mut *c).await.map(|r| r.rows_affected())?);
    if fresh == 0 {
        let status: SignupStatus = on_tx!(tx, c => sqlx::query_scalar(
            "select status from signups where activity_id = $1 and volunteer_id = $2")
            .bind(a.id).bind(volunteer_id).fetch_one(&mut *c).await?);
        return Ok(if status == SignupStatus::Waiting {
            SignupOutcome::AlreadyWaiting
        } else {
            SignupOutcome::AlreadyConfirmed
        });
    }
    let got = on_tx!(tx, c => sqlx::query(
        "update activities set taken = taken + 1 where id = $1 and taken < capacity")
        .bind(a.id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    let status = if got == 1 {
        SignupStatus::Confirmed
    } else {
        SignupStatus::Waiting
    };
    on_tx!(tx, c => sqlx::query("update signups set status = $1 where activity_id = $2 and volunteer_id = $3")
        .bind(status).bind(a.id).bind(volunteer_id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    audit::record_raw(
        tx,
        actor,
        audit::Op::SignUp,
        Subject::new("activity", Some(a.id), &a.title),
        &serde_json::json!({"volunteer_id": volunteer_id, "status": status, "added_by": added_by}),
    )
    .await?;
    Ok(if got == 1 {
        SignupOutcome::Confirmed
    } else {
        SignupOutcome::Waiting
    })
}

/// Takes a volunteer off the list; a freed place goes to the first on the waiting list, whose id
/// is returned. False when they were not on it.
pub async fn cancel_signup(
    tx: &mut Tx,
    actor: &Actor,
    a: &Activity,
    volunteer_id: i64,
) -> Result<Option<Option<i64>>, sqlx::Error> {
    // Lock the activity first, so that cancellations and sign-ups of one activity queue up.
    on_tx!(tx, c => sqlx::query("update activities set updated_at = updated_at where id = $1")
        .bind(a.id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    let was: Option<SignupStatus> = on_tx!(tx, c => sqlx::query_scalar(
        "select status from signups where activity_id = $1 and volunteer_id = $2 and status in ('confirmed', 'waiting')")
        .bind(a.id).bind(volunteer_id).fetch_optional(&mut *c).await?);
    let Some(was) = was else { return Ok(None) };
    let t = now();
    on_tx!(tx, c => sqlx::query(
        "update signups set status = 'cancelled', updated_at = $1 where activity_id = $2 and volunteer_id = $3")
        .bind(t).bind(a.id).bind(volunteer_id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    let mut promoted = None;
    if was == SignupStatus::Confirmed {
        let next: Option<i64> = on_tx!(tx, c => sqlx::query_scalar(
            "select volunteer_id from signups where activity_id = $1 and status = 'waiting' order by created_at, id limit 1")
            .bind(a.id).fetch_optional(&mut *c).await?);
        match next {
            Some(v) => {
                on_tx!(tx, c => sqlx::query(
                    "update signups set status = 'confirmed', updated_at = $1 where activity_id = $2 and volunteer_id = $3")
                    .bind(t).bind(a.id).bind(v).execute(&mut *c).await.map(|r| r.rows_affected())?);
                promoted = Some(v);
            }
            None => {
                on_tx!(tx, c => sqlx::query("update activities set taken = taken - 1 where id = $1 and taken > 0")
                    .bind(a.id).execute(&mut *c).await.map(|r| r.rows_affected())?);
            }
        }
    }
    audit::record_raw(
        tx,
        actor,
        audit::Op::CancelSignup,
        Subject::new("activity", Some(a.id), &a.title),
        &serde_json::json!({"volunteer_id": volunteer_id, "was": was, "promoted": promoted}),
    )
    .await?;
    Ok(Some(promoted))
}

/// A volunteer's confirmed sign-ups that overlap `a` (a time clash).
pub async fn clash(db: &Db, a: &Activity, volunteer_id: i64) -> Result<Option<String>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar(
        "select b.title from signups s join activities b on b.id = s.activity_id
         where s.volunteer_id = $1 and s.status = 'confirmed' and b.id <> $2 and b.status <> 'cancelled'
           and b.starts_at < $3 and b.ends_at > $4 limit 1")
        .bind(volunteer_id).bind(a.id).bind(a.ends_at).bind(a.starts_at).fetch_optional(pool).await)
}

/// One volunteer's sign-up for one activity, as [`sign_up_counted`] writes it.
pub struct NewSignup {
    pub actor: Actor,
    pub activity_id: i64,
    /// The activity's title, for the audit trail.
    pub title: String,
    pub volunteer_id: i64,
    pub added_by: AddedBy,
}

/// [`sign_up`] in as few round trips as each database allows, answering the places as the write
/// left them (no read after the commit). Returns the outcome, the places taken and the capacity.
///
/// PostgreSQL: one statement, so no `begin`/`commit` of its own: it locks the activity as a
/// cancellation does (see [`cancel_signup`]), writes the sign-up with its status at once, counts
/// the place and writes the audit entry [`audit::record_raw`] would, all or nothing. SQLite: one
/// transaction of its own on the one writer (see [`sign_up_sqlite`]); the server's sign-ups share
/// transactions instead, through [`super::signup_writer`].
pub async fn sign_up_counted(db: &Db, s: &NewSignup) -> Result<(SignupOutcome, i64, i64), sqlx::Error> {
    let (actor, activity_id, title, volunteer_id, added_by) =
        (&s.actor, s.activity_id, s.title.as_str(), s.volunteer_id, s.added_by);
    let t = now();
    let (fresh, was, taken, capacity): (Option<SignupStatus>, Option<SignupStatus>, i64, i64) = match db {
        Db::Pg(pool) => {
            // The request's own connection: taking a second one while it holds the first would
            // wait on the pool under load (see `db::held`).
            let mut conn = super::held::conn(pool).await?;
            let entry = |status: SignupStatus| {
                serde_json::json!({"volunteer_id": volunteer_id, "status": status, "added_by": added_by}).to_string()
            };
            let row: Option<(i64, i64, Option<SignupStatus>, Option<SignupStatus>)> = sqlx::query_as(
                "with a as (select taken, capacity from activities where id = $1 for no key update),
                 s as (
                    insert into signups (activity_id, volunteer_id, status, added_by, created_at, updated_at)
                    select $1, $2, case when a.taken < a.capacity then 'confirmed' else 'waiting' end, $3, $4, $4
                    from a
                    on conflict (activity_id, volunteer_id) do update set status = excluded.status,
                        added_by = excluded.added_by, created_at = excluded.created_at, updated_at = excluded.updated_at
                    where signups.status = 'cancelled'
                    returning status),
                 counted as (
                    update activities set taken = taken + 1
                    where id = $1 and exists (select 1 from s where status = 'confirmed')),
                 logged as (
                    insert into audit_log (at, user_id, username, ip, action, object_type, object_id, object_label, changes)
                    select $4, $5, $6, $7, $8, 'activity', $1, $9,
                        case when s.status = 'confirmed' then $10 else $11 end
                    from s)
                 select a.taken, a.capacity, (select status from s),
                    (select status from signups where activity_id = $1 and volunteer_id = $2)
                 from a",
            )
            .bind(activity_id)
            .bind(volunteer_id)
            .bind(added_by)
            .bind(t)
            .bind(actor.user_id)
            .bind(&actor.username)
            .bind(&actor.ip)
            .bind(audit::Op::SignUp.as_str())
            .bind(title)
            .bind(entry(SignupStatus::Confirmed))
            .bind(entry(SignupStatus::Waiting))
            .fetch_optional(&mut *conn)
            .await?;
            let (taken, capacity, fresh, was) = row.ok_or(sqlx::Error::RowNotFound)?;
            // The statement's snapshot may miss a sign-up committed while it waited for the lock
            // (a double submit): then the row is read again.
            let was = match (&fresh, was) {
                (None, None) => Some(
                    sqlx::query_scalar::<_, SignupStatus>(
                        "select status from signups where activity_id = $1 and volunteer_id = $2",
                    )
                    .bind(activity_id)
                    .bind(volunteer_id)
                    .fetch_one(&mut *conn)
                    .await?,
                ),
                (_, was) => was,
            };
            let counted = i64::from(fresh == Some(SignupStatus::Confirmed));
            (fresh, was, taken + counted, capacity)
        }
        Db::Sqlite { .. } => {
            let mut tx = db.begin().await?;
            let answer = sign_up_sqlite(&mut tx, s).await?;
            tx.commit().await?;
            return Ok(answer);
        }
    };
    Ok((outcome(fresh, was), taken, capacity))
}

/// What a sign-up's write says: `fresh` is the status written (none: it was on the list),
/// `was` the status it had.
fn outcome(fresh: Option<SignupStatus>, was: Option<SignupStatus>) -> SignupOutcome {
    match (fresh, was) {
        (Some(SignupStatus::Confirmed), _) => SignupOutcome::Confirmed,
        (Some(_), _) => SignupOutcome::Waiting,
        (None, Some(SignupStatus::Waiting)) => SignupOutcome::AlreadyWaiting,
        (None, _) => SignupOutcome::AlreadyConfirmed,
    }
}

/// [`sign_up_counted`] on SQLite inside `tx` (the caller's transaction, which the group-commit
/// writer shares among many sign-ups): the sign-up is written with the status the places give,
/// then the place is counted and the entry written.
pub(super) async fn sign_up_sqlite(tx: &mut Tx, s: &NewSignup) -> Result<(SignupOutcome, i64, i64), sqlx::Error> {
    let (actor, activity_id, title, volunteer_id, added_by) =
        (&s.actor, s.activity_id, s.title.as_str(), s.volunteer_id, s.added_by);
    let t = now();
    let fresh: Option<SignupStatus> = on_tx!(tx, c => sqlx::query_scalar(
        "insert into signups (activity_id, volunteer_id, status, added_by, created_at, updated_at)
         select id, $2, case when taken < capacity then 'confirmed' else 'waiting' end, $3, $4, $4
         from activities where id = $1
         on conflict (activity_id, volunteer_id) do update set status = excluded.status, added_by = excluded.added_by,
            created_at = excluded.created_at, updated_at = excluded.updated_at
         where signups.status = 'cancelled'
         returning status")
        .bind(activity_id).bind(volunteer_id).bind(added_by).bind(t).fetch_optional(&mut *c).await?);
    let (was, taken, capacity) = match &fresh {
        Some(status) => {
            let counted = if *status == SignupStatus::Confirmed {
                "update activities set taken = taken + 1 where id = $1 returning taken, capacity"
            } else {
                "select taken, capacity from activities where id = $1"
            };
            let (taken, capacity): (i64, i64) = on_tx!(tx, c => sqlx::query_as(counted)
                .bind(activity_id).fetch_one(&mut *c).await?);
            audit::record_raw(
                tx,
                actor,
                audit::Op::SignUp,
                Subject::new("activity", Some(activity_id), title),
                &serde_json::json!({"volunteer_id": volunteer_id, "status": status, "added_by": added_by}),
            )
            .await?;
            (None, taken, capacity)
        }
        None => {
            let (was, taken, capacity): (SignupStatus, i64, i64) = on_tx!(tx, c => sqlx::query_as(
                "select s.status, a.taken, a.capacity from signups s join activities a on a.id = s.activity_id
                 where s.activity_id = $1 and s.volunteer_id = $2")
                .bind(activity_id).bind(volunteer_id).fetch_one(&mut *c).await?);
            (Some(was), taken, capacity)
        }
    };
    Ok((outcome(fresh, was), taken, capacity))
}
