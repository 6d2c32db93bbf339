//! The reads behind each role's workbench (`/` and `GET /api/v1/me/todo`): each one grouped or
//! narrowed in SQL, never a query per row, so the district's workbench stays fast at scale.
//! `unit` and `community` narrow the team-based reads to one org's teams (both `None`: all).

use serde::Serialize;
use utoipa::ToSchema;

use super::Db;
use crate::domain::activity::{ActivityStatus, SignupStatus};
use crate::on_db;

/// A team's roster sent back, with the reviewer's reason.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ReturnedRoster {
    pub team_id: i64,
    pub team: String,
    pub reason: String,
    pub returned_at: Option<i64>,
}

pub async fn returned_rosters(
    db: &Db,
    campaign_id: i64,
    unit: Option<i64>,
    community: Option<i64>,
) -> Result<Vec<ReturnedRoster>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select id as team_id, name as team, roster_return_reason as reason, roster_reviewed_at as returned_at
         from teams where campaign_id = $1 and roster_status = 'returned'
           and ($2 is null or unit_id = $2) and ($3 is null or community_id = $3)
         order by name")
        .bind(campaign_id).bind(unit).bind(community).fetch_all(pool).await)
}

/// A check-in: returned to its team with a reason, or filed and waiting for its street.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CheckInLine {
    pub id: i64,
    pub team: String,
    pub community: String,
    pub reason: String,
    pub at: i64,
}

/// A team's check-ins that still ask something of someone: returned to the team (`reason` = the
/// reviewer's reason), or on their way — filed (waiting for the street, `reason` = `filed`) or
/// forwarded (waiting for the community, `forwarded`). One read for both lists of the workbench.
pub async fn open_checkins(
    db: &Db,
    campaign_id: i64,
    unit: Option<i64>,
    community: Option<i64>,
) -> Result<(Vec<CheckInLine>, Vec<CheckInLine>), sqlx::Error> {
    let rows: Vec<(bool, i64, String, String, String, i64)> = on_db!(db, pool => sqlx::query_as(
        "select k.status = 'returned', k.id, t.name, c.name,
                case when k.status = 'returned' then k.return_reason else k.status end,
                case when k.status = 'returned' then coalesce(k.returned_at, k.filed_at)
                     else coalesce(k.forwarded_at, k.filed_at) end
         from checkins k join teams t on t.id = k.team_id join communities c on c.id = k.community_id
         where t.campaign_id = $1 and k.status in ('returned', 'filed', 'forwarded')
           and ($2 is null or t.unit_id = $2) and ($3 is null or t.community_id = $3)
         order by k.id")
        .bind(campaign_id).bind(unit).bind(community).fetch_all(pool).await?);
    let (returned, in_flight): (Vec<_>, Vec<_>) = rows.into_iter().partition(|r| r.0);
    let line = |(_, id, team, community, reason, at): (bool, i64, String, String, String, i64)| CheckInLine {
        id,
        team,
        community,
        reason,
        at,
    };
    Ok((
        returned.into_iter().map(line).collect(),
        in_flight.into_iter().map(line).collect(),
    ))
}

/// Check-ins filed with communities of a street (all streets: `None`) and not yet forwarded.
pub async fn checkins_to_forward(
    db: &Db,
    campaign_id: i64,
    street: Option<i64>,
) -> Result<Vec<CheckInLine>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select k.id, t.name as team, c.name as community, '' as reason, k.filed_at as at
         from checkins k join teams t on t.id = k.team_id join communities c on c.id = k.community_id
         where t.campaign_id = $1 and k.status = 'filed' and ($2 is null or c.street_id = $2)
         order by k.filed_at, k.id")
        .bind(campaign_id).bind(street).fetch_all(pool).await)
}

/// Check-ins forwarded to a community and waiting for it to confirm.
pub async fn checkins_to_confirm(db: &Db, campaign_id: i64, community: i64) -> Result<Vec<CheckInLine>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select k.id, t.name as team, c.name as community, '' as reason, coalesce(k.forwarded_at, k.filed_at) as at
         from checkins k join teams t on t.id = k.team_id join communities c on c.id = k.community_id
         where t.campaign_id = $1 and k.status = 'forwarded' and k.community_id = $2
         order by k.id")
        .bind(campaign_id).bind(community).fetch_all(pool).await)
}

/// A dispatched action waiting for a team's answer (or the district's review of a decline).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DispatchLine {
    pub dispatch_id: i64,
    pub title: String,
    pub team: String,
    pub starts_at: i64,
    pub reason: String,
}

/// Dispatches a team may answer: pending, or declined and the decline rejected.
pub async fn dispatches_to_answer(
    db: &Db,
    campaign_id: i64,
    unit: Option<i64>,
    community: Option<i64>,
) -> Result<Vec<DispatchLine>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select d.id as dispatch_id, d.title, t.name as team, d.starts_at, dt.review_note as reason
         from dispatch_teams dt join dispatches d on d.id = dt.dispatch_id join teams t on t.id = dt.team_id
         where d.campaign_id = $1 and (dt.answer = 'pending' or (dt.answer = 'declined' and dt.review = 'rejected'))
           and ($2 is null or t.unit_id = $2) and ($3 is null or t.community_id = $3)
         order by d.starts_at, d.id")
        .bind(campaign_id).bind(unit).bind(community).fetch_all(pool).await)
}

/// Declines the district has not reviewed yet.
pub async fn declines_to_review(db: &Db, campaign_id: i64) -> Result<Vec<DispatchLine>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select d.id as dispatch_id, d.title, t.name as team, d.starts_at, dt.decline_reason as reason
         from dispatch_teams dt join dispatches d on d.id = dt.dispatch_id join teams t on t.id = dt.team_id
         where d.campaign_id = $1 and dt.answer = 'declined' and dt.review = ''
         order by d.starts_at, d.id")
        .bind(campaign_id).fetch_all(pool).await)
}

/// An activity that is over, was attended and whose hours are not confirmed yet.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Unconfirmed {
    pub id: i64,
    pub title: String,
    pub team: String,
    pub ends_at: i64,
}

pub async fn hours_to_confirm(
    db: &Db,
    campaign_id: i64,
    t: i64,
    unit: Option<i64>,
    community: Option<i64>,
) -> Result<Vec<Unconfirmed>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select a.id, a.title, t.name as team, a.ends_at from activities a join teams t on t.id = a.team_id
         where a.campaign_id = $1 and a.status in ('published', 'completed') and a.ends_at <= $2 and a.attended > 0
           and a.hours_confirmed_at is null
           and ($3 is null or t.unit_id = $3) and ($4 is null or t.community_id = $4)
         order by a.ends_at, a.id")
        .bind(campaign_id).bind(t).bind(unit).bind(community).fetch_all(pool).await)
}

/// A team's roster waiting for the district (submitted or submitted again).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct RosterLine {
    pub team_id: i64,
    pub team: String,
    pub submitted_at: Option<i64>,
}

pub async fn rosters_to_review(
    db: &Db,
    campaign_id: i64,
    unit: Option<i64>,
    community: Option<i64>,
) -> Result<Vec<RosterLine>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select id as team_id, name as team, roster_submitted_at as submitted_at from teams
         where campaign_id = $1 and roster_status in ('submitted', 'resubmitted')
           and ($2 is null or unit_id = $2) and ($3 is null or community_id = $3)
         order by roster_submitted_at, id")
        .bind(campaign_id).bind(unit).bind(community).fetch_all(pool).await)
}

/// People who asked to join a team and wait for it to confirm them, per team.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct JoinLine {
    pub team_id: i64,
    pub team: String,
    pub people: i64,
    pub since: i64,
}

pub async fn joins_to_confirm(
    db: &Db,
    campaign_id: i64,
    unit: Option<i64>,
    community: Option<i64>,
) -> Result<Vec<JoinLine>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select t.id as team_id, t.name as team, count(*) as people, min(p.created_at) as since
         from pending_links p join teams t on t.id = p.team_id
         where t.campaign_id = $1 and ($2 is null or t.unit_id = $2) and ($3 is null or t.community_id = $3)
         group by t.id, t.name order by t.name")
        .bind(campaign_id).bind(unit).bind(community).fetch_all(pool).await)
}

/// The concentrated day of a month (1–12) of a campaign, and its theme.
pub async fn concentrated_day(db: &Db, campaign_id: i64, month: i64) -> Result<Option<(String, String)>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select day, theme from concentrated_days where campaign_id = $1 and month = $2")
        .bind(campaign_id).bind(month).fetch_optional(pool).await)
}

/// A recent line of the audit trail that took personal data away or showed it in full.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct Disclosure {
    pub id: i64,
    pub at: i64,
    pub username: String,
    /// `export` or `view_unmasked`.
    pub action: String,
    pub object_type: String,
    pub object_label: String,
}

pub async fn recent_disclosures(db: &Db, limit: i64) -> Result<Vec<Disclosure>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select id, at, username, action, object_type, object_label from audit_log
         where action in ('export', 'view_unmasked') order by id desc limit $1")
        .bind(limit).fetch_all(pool).await)
}

/// A unit's traffic list as submitted, with how many people are on it and how many of those
/// have no training recorded in the campaign.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct TrafficLine {
    pub unit_id: i64,
    pub unit: String,
    pub submitted_at: i64,
    pub people: i64,
    pub untrained: i64,
}

pub async fn traffic_lists(db: &Db, campaign_id: i64) -> Result<Vec<TrafficLine>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select l.unit_id, u.name as unit, l.submitted_at,
                count(v.id) as people,
                count(v.id) - count(tr.volunteer_id) as untrained
         from traffic_lists l join units u on u.id = l.unit_id
         left join traffic_volunteers v on v.campaign_id = l.campaign_id and v.unit_id = l.unit_id
         left join (select distinct a.volunteer_id from training_attendance a join trainings g on g.id = a.training_id
                    where g.campaign_id = $1) tr on tr.volunteer_id = v.volunteer_id
         where l.campaign_id = $1
         group by l.unit_id, u.name, l.submitted_at order by l.submitted_at desc, l.unit_id")
        .bind(campaign_id).fetch_all(pool).await)
}

/// One of a volunteer's sign-ups, with the activity, the place on the waiting list and the
/// attendance.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct MySignup {
    pub activity_id: i64,
    pub title: String,
    pub address: String,
    pub team: String,
    pub starts_at: i64,
    pub ends_at: i64,
    /// The activity's status: `published`, `completed` or `cancelled` (`draft` never shows).
    pub activity_status: ActivityStatus,
    /// `confirmed`, `waiting`, `cancelled` or `no_show`.
    pub signup: SignupStatus,
    pub signed_up_at: i64,
    /// Place on the waiting list (1 is next), when waiting.
    pub waiting_position: Option<i64>,
    pub signed_in_at: Option<i64>,
    pub signed_out_at: Option<i64>,
    pub minutes: Option<i64>,
    /// Signing in needs the poster's changing code (scan it there).
    pub code_rotates: bool,
    /// Signing in needs the phone's position.
    pub geofenced: bool,
}

/// A volunteer's sign-ups, soonest first from `from` (epoch seconds; `None`: all, newest first).
pub async fn my_signups(
    db: &Db,
    volunteer_id: i64,
    from: Option<i64>,
    limit: i64,
) -> Result<Vec<MySignup>, sqlx::Error> {
    let order = if from.is_some() {
        "a.starts_at, a.id"
    } else {
        "a.starts_at desc, a.id desc"
    };
    let sql = format!(
        "select a.id as activity_id, a.title, a.address, t.name as team, a.starts_at, a.ends_at,
                a.status as activity_status, s.status as signup, s.created_at as signed_up_at,
                case when s.status = 'waiting' then
                    (select count(*) from signups w where w.activity_id = s.activity_id and w.status = 'waiting'
                       and w.id <= s.id) end as waiting_position,
                x.signed_in_at, x.signed_out_at, x.minutes, a.code_rotates,
                (a.geofence_m is not null and a.lat is not null and a.lng is not null) as geofenced
         from signups s join activities a on a.id = s.activity_id join teams t on t.id = a.team_id
         left join attendance x on x.activity_id = s.activity_id and x.volunteer_id = s.volunteer_id
         where s.volunteer_id = $1 and a.status <> 'draft' and ($2 is null or a.ends_at >= $2)
         order by {order} limit $3"
    );
    on_db!(db, pool => sqlx::query_as(&sql).bind(volunteer_id).bind(from).bind(limit).fetch_all(pool).await)
}

/// An activity open for sign-up.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct OpenActivity {
    pub id: i64,
    pub title: String,
    pub address: String,
    pub team: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub capacity: i64,
    pub taken: i64,
    /// Organised by one of the volunteer's own teams (else: near their teams' communities).
    pub own_team: bool,
}

/// Published activities not started yet and open for sign-up now, organised by the volunteer's
/// teams or held in a community where one of their teams serves (its own or a paired one),
/// that they have not signed up for.
pub async fn open_for(db: &Db, volunteer_id: i64, t: i64, limit: i64) -> Result<Vec<OpenActivity>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "with mine as (select team_id from team_members where volunteer_id = $1),
              near as (select t.community_id as id from teams t join mine m on m.team_id = t.id
                       where t.community_id is not null
                       union select p.community_id from pairings p join teams t on t.unit_id = p.unit_id
                       join mine m on m.team_id = t.id)
         select a.id, a.title, a.address, t.name as team, a.starts_at, a.ends_at, a.capacity, a.taken,
                (a.team_id in (select team_id from mine)) as own_team
         from activities a join teams t on t.id = a.team_id
         where a.status = 'published' and a.starts_at > $2
           and (a.signup_opens_at is null or a.signup_opens_at <= $2)
           and (a.signup_closes_at is null or a.signup_closes_at > $2)
           and (a.team_id in (select team_id from mine)
                or (a.open_to = 'all' and a.community_id in (select id from near)))
           and not exists (select 1 from signups s where s.activity_id = a.id and s.volunteer_id = $1
                           and s.status in ('confirmed', 'waiting'))
         order by a.starts_at, a.id limit $3")
        .bind(volunteer_id).bind(t).bind(limit).fetch_all(pool).await)
}
