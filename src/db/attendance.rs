//! Attendance: sign-in, sign-out, corrections and confirmed hours.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use utoipa::ToSchema;

use super::activities::Activity;
use super::audit::{self, Actor, Op, Subject};
use super::{now, Db, Tx};
use crate::domain::attendance::{month_of, Method};
use crate::domain::campaign::Category;
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
    pub method: Method,
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

/// What a scan records: a sign-in (how, and the walk-in's hashed secret) or a sign-out (by the
/// district's rules; `auto` when the system closes a line left open).
#[derive(Clone, Debug)]
pub enum Mark {
    In {
        method: Method,
        walkin_token: Option<String>,
    },
    Out {
        rules: Rules,
        auto: bool,
    },
}

/// One sign-in or sign-out to write.
#[derive(Clone, Debug)]
pub struct Scan {
    pub actor: Actor,
    pub activity: Activity,
    pub volunteer_id: i64,
    pub at: i64,
    pub mark: Mark,
}

/// The one write path of sign-ins and sign-outs: the group-commit writer calls it with a batch,
/// walk-ins, leaders, the automatic sign-out and the demo with what they have, each in their
/// transaction. Answers, per scan, the attendance and whether this scan changed it (`None`: a
/// sign-out of someone never signed in). A repeated scan changes nothing and counts nothing.
/// Sign-ins are written before sign-outs.
pub async fn record(tx: &mut Tx, scans: &[Scan]) -> Result<Vec<Option<(Attendance, bool)>>, sqlx::Error> {
    let mut out = vec![None; scans.len()];
    let ins: Vec<usize> = (0..scans.len())
        .filter(|i| matches!(scans[*i].mark, Mark::In { .. }))
        .collect();
    if !ins.is_empty() {
        for (i, r) in sign_ins(tx, scans, &ins).await? {
            out[i] = Some(r);
        }
    }
    for (i, scan) in scans.iter().enumerate() {
        if let Mark::Out { rules, auto } = &scan.mark {
            out[i] = sign_out_one(tx, scan, rules, *auto).await?;
        }
    }
    Ok(out)
}

/// Records a sign-in (see [`record`]); a second one changes nothing and returns the first (`false`).
pub async fn sign_in(
    tx: &mut Tx,
    actor: &Actor,
    a: &Activity,
    volunteer_id: i64,
    at: i64,
    method: Method,
    walkin_token: Option<&str>,
) -> Result<(Attendance, bool), sqlx::Error> {
    let mark = Mark::In {
        method,
        walkin_token: walkin_token.map(str::to_string),
    };
    one(tx, actor, a, volunteer_id, at, mark)
        .await?
        .ok_or(sqlx::Error::RowNotFound)
}

/// Records a sign-out at `at` (capped at the end) with the minutes it gives (see [`record`]); a
/// second one changes nothing. `None` when they never signed in.
pub async fn sign_out(
    tx: &mut Tx,
    actor: &Actor,
    a: &Activity,
    rules: &Rules,
    volunteer_id: i64,
    at: i64,
    auto: bool,
) -> Result<Option<(Attendance, bool)>, sqlx::Error> {
    let mark = Mark::Out {
        rules: rules.clone(),
        auto,
    };
    one(tx, actor, a, volunteer_id, at, mark).await
}

async fn one(
    tx: &mut Tx,
    actor: &Actor,
    a: &Activity,
    volunteer_id: i64,
    at: i64,
    mark: Mark,
) -> Result<Option<(Attendance, bool)>, sqlx::Error> {
    let scan = Scan {
        actor: actor.clone(),
        activity: a.clone(),
        volunteer_id,
        at,
        mark,
    };
    Ok(record(tx, std::slice::from_ref(&scan)).await?.remove(0))
}

/// The audit entry of a scan that changed something: the one way sign-ins and sign-outs are
/// audited.
fn audit_entry<'a>(scan: &'a Scan, op: Op, changes: serde_json::Value) -> audit::Entry<'a> {
    audit::Entry {
        actor: &scan.actor,
        op,
        subject: Subject::new("activity", Some(scan.activity.id), &scan.activity.title),
        changes,
    }
}

/// The sign-ins of a batch in four statements, whatever their number: insert what is new,
/// recount the activities touched, write the audit entries, read back every line.
async fn sign_ins(tx: &mut Tx, scans: &[Scan], ins: &[usize]) -> Result<Vec<(usize, (Attendance, bool))>, sqlx::Error> {
    let t = now();
    let values: Vec<String> = (0..ins.len())
        .map(|k| {
            let n = k * 7;
            format!(
                "(${}, ${}, ${}, ${}, ${}, ${}, ${})",
                n + 1,
                n + 2,
                n + 3,
                n + 4,
                n + 5,
                n + 6,
                n + 7
            )
        })
        .collect();
    let insert = format!(
        "insert into attendance (activity_id, volunteer_id, signed_in_at, method, walkin_token, created_at, month)
         values {} on conflict (activity_id, volunteer_id) do nothing returning activity_id, volunteer_id",
        values.join(", ")
    );
    let how = |s: &Scan| match &s.mark {
        Mark::In { method, walkin_token } => (*method, walkin_token.clone()),
        Mark::Out { .. } => unreachable!("only sign-ins are inserted"),
    };
    let inserted: Vec<(i64, i64)> = on_tx!(tx, c => {
        let mut q = sqlx::query_as(&insert).persistent(ins.len() == 1);
        for i in ins {
            let s = &scans[*i];
            let (method, token) = how(s);
            q = q.bind(s.activity.id).bind(s.volunteer_id).bind(s.at).bind(method).bind(token).bind(t)
                .bind(month_of(s.activity.starts_at));
        }
        q.fetch_all(&mut *c).await?
    });
    let fresh: HashSet<(i64, i64)> = inserted.into_iter().collect();
    let mut activities: Vec<i64> = ins.iter().map(|i| scans[*i].activity.id).collect();
    activities.sort_unstable();
    activities.dedup();
    let list = |xs: &[i64]| xs.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(",");
    if !fresh.is_empty() {
        let touched: Vec<i64> = activities
            .iter()
            .copied()
            .filter(|a| fresh.iter().any(|(x, _)| x == a))
            .collect();
        // Counted from the lines, not incremented: a repeated scan cannot count twice. Ids are
        // integers from the database: safe to inline.
        let recount = format!(
            "update activities set attended = (select count(*) from attendance x where x.activity_id = activities.id)
             where id in ({})",
            list(&touched)
        );
        on_tx!(tx, c => sqlx::query(&recount).persistent(false).execute(&mut *c).await.map(|r| r.rows_affected())?);
        let mut seen = HashSet::new();
        let entries: Vec<audit::Entry> = ins
            .iter()
            .map(|i| &scans[*i])
            .filter(|s| {
                let pair = (s.activity.id, s.volunteer_id);
                fresh.contains(&pair) && seen.insert(pair)
            })
            .map(|s| {
                let (method, _) = how(s);
                let changes = serde_json::json!({"volunteer_id": s.volunteer_id, "at": s.at, "method": method});
                audit_entry(s, Op::SignIn, changes)
            })
            .collect();
        audit::record_many(tx, &entries).await?;
    }
    let mut volunteers: Vec<i64> = ins.iter().map(|i| scans[*i].volunteer_id).collect();
    volunteers.sort_unstable();
    volunteers.dedup();
    let read = format!(
        "select {ATTENDANCE_COLS} from attendance where activity_id in ({}) and volunteer_id in ({})",
        list(&activities),
        list(&volunteers)
    );
    let rows: Vec<Attendance> = on_tx!(tx, c => sqlx::query_as(&read).persistent(false).fetch_all(&mut *c).await?);
    let by: HashMap<(i64, i64), Attendance> = rows.into_iter().map(|r| ((r.activity_id, r.volunteer_id), r)).collect();
    let mut first = HashSet::new();
    let mut out = vec![];
    for i in ins {
        let s = &scans[*i];
        let pair = (s.activity.id, s.volunteer_id);
        let Some(row) = by.get(&pair) else {
            return Err(sqlx::Error::RowNotFound);
        };
        // Of two identical scans in one batch, the first made the change.
        let changed = fresh.contains(&pair) && first.insert(pair);
        out.push((*i, (row.clone(), changed)));
    }
    Ok(out)
}

/// One sign-out; only a line still open is closed, so two writers never close it twice.
async fn sign_out_one(
    tx: &mut Tx,
    scan: &Scan,
    rules: &Rules,
    auto: bool,
) -> Result<Option<(Attendance, bool)>, sqlx::Error> {
    let a = &scan.activity;
    let Some(row) = attendance_in_tx(tx, a.id, scan.volunteer_id).await? else {
        return Ok(None);
    };
    if row.signed_out_at.is_some() {
        return Ok(Some((row, false)));
    }
    let out = scan.at.min(a.ends_at).max(row.signed_in_at);
    let minutes = rules.minutes(a.starts_at, a.ends_at, row.signed_in_at, out);
    let n = on_tx!(tx, c => sqlx::query(
        "update attendance set signed_out_at = $1, minutes = $2, auto_signed_out = $3 where id = $4 and signed_out_at is null")
        .bind(out).bind(minutes).bind(auto).bind(row.id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    let after = attendance_in_tx(tx, a.id, scan.volunteer_id)
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    if n == 1 {
        let op = if auto { Op::AutoSignOut } else { Op::SignOut };
        let changes = serde_json::json!({"volunteer_id": scan.volunteer_id, "at": out, "minutes": minutes});
        audit::record_many(tx, &[audit_entry(scan, op, changes)]).await?;
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
    let scans: Vec<Scan> = open
        .into_iter()
        .map(|v| Scan {
            actor: actor.clone(),
            activity: a.clone(),
            volunteer_id: v,
            at: a.ends_at,
            mark: Mark::Out {
                rules: rules.clone(),
                auto: true,
            },
        })
        .collect();
    let done = record(tx, &scans).await?;
    Ok(done.iter().filter(|r| matches!(r, Some((_, true)))).count() as u64)
}

/// The activities (up to 200) that ended before `before` and still have someone signed in.
pub async fn ended_with_open_lines(db: &Db, before: i64) -> Result<Vec<i64>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar(
        "select distinct t.activity_id from attendance t join activities a on a.id = t.activity_id
         where t.signed_out_at is null and a.ends_at <= $1 and a.status in ('published', 'completed') limit 200")
        .bind(before).fetch_all(pool).await)
}

/// Whether the volunteer is on the roster of one of the activity's organising teams.
pub async fn on_organising_roster(db: &Db, activity_id: i64, volunteer_id: i64) -> Result<bool, sqlx::Error> {
    let n: i64 = on_db!(db, pool => sqlx::query_scalar(
        "select count(*) from team_members m join activity_teams at on at.team_id = m.team_id
         where at.activity_id = $1 and m.volunteer_id = $2")
        .bind(activity_id).bind(volunteer_id).fetch_one(pool).await?);
    Ok(n > 0)
}

/// An earlier walk-in's record with this name and phone (no account, on no roster): a name and
/// a phone prove nothing, so a walk-in never joins a record that a team keeps or a person holds.
pub async fn walk_in_record(tx: &mut Tx, name: &str, phone: &str) -> Result<Option<i64>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(
        "select id from volunteers v where name = $1 and phone = $2 and user_id is null
           and not exists (select 1 from team_members m where m.volunteer_id = v.id)
         order by id limit 1")
        .bind(name).bind(phone).fetch_optional(&mut *c).await)
}

/// The walk-in whose phone kept this (hashed) secret, on this activity.
pub async fn walk_in_volunteer(db: &Db, activity_id: i64, token_hash: &str) -> Result<Option<i64>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar(
        "select volunteer_id from attendance where activity_id = $1 and walkin_token = $2")
        .bind(activity_id).bind(token_hash).fetch_optional(pool).await)
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
#[derive(Clone, Debug, Serialize, serde::Deserialize, ToSchema, sqlx::FromRow)]
pub struct ServiceLine {
    pub activity_id: i64,
    pub title: String,
    pub starts_at: i64,
    pub address: String,
    pub content: String,
    pub category: Category,
    pub minutes: i64,
    pub team_id: i64,
    /// The organising unit or community.
    pub organiser: String,
    pub leader_name: String,
    /// Who confirmed the hours.
    pub recorded_by: String,
}

/// A volunteer's (`$1`) confirmed service lines, and their order (on the output's aliases): read
/// here and inside `certificates::own_record_pg`.
pub(crate) const SERVICE_LINES: &str =
    "select a.id as activity_id, a.title, a.starts_at as starts_at, a.address, a.content,
        a.category, coalesce(t.minutes, 0) as minutes, a.team_id, coalesce(u.name, tc.name) as organiser,
        a.leader_name, a.hours_confirmed_by as recorded_by
     from attendance t join activities a on a.id = t.activity_id join teams tm on tm.id = a.team_id
     left join units u on u.id = tm.unit_id left join communities tc on tc.id = tm.community_id
     where t.volunteer_id = $1 and t.confirmed_at is not null";
pub(crate) const SERVICE_LINES_ORDER: &str = "starts_at desc, activity_id desc";

pub async fn service_lines(db: &Db, volunteer_id: i64) -> Result<Vec<ServiceLine>, sqlx::Error> {
    let sql = format!("{SERVICE_LINES} order by {SERVICE_LINES_ORDER}");
    on_db!(db, pool => sqlx::query_as(&sql).bind(volunteer_id).fetch_all(pool).await)
}
