//! Storage of service: activities, sign-ups with their waiting list, attendance with its history,
//! dispatched actions, photos, certificates and the district's rules. Every write takes the
//! transaction of the change and writes its audit entry in it.

use serde::Serialize;
use utoipa::ToSchema;

use super::audit::{self, Actor, Op, Subject};
use super::campaign::TeamScope;
use super::{now, Db, Tx};
use crate::domain::service::Rules;
use crate::{on_db, on_tx};

// ------------------------------------------------------------------ settings

/// The district's rules of service (defaults until the district sets them).
pub async fn rules(db: &Db) -> Result<Rules, sqlx::Error> {
    let v: Option<String> = on_db!(db, pool => sqlx::query_scalar("select value from settings where key = 'service_rules'")
        .fetch_optional(pool).await?);
    Ok(v.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default())
}

pub async fn set_rules(tx: &mut Tx, actor: &Actor, before: &Rules, after: &Rules) -> Result<(), sqlx::Error> {
    let value = serde_json::to_string(after).unwrap_or_default();
    on_tx!(tx, c => sqlx::query(
        "insert into settings (key, value, updated_at) values ('service_rules', $1, $2)
         on conflict (key) do update set value = excluded.value, updated_at = excluded.updated_at")
        .bind(&value).bind(now()).execute(&mut *c).await.map(|r| r.rows_affected())?);
    audit::record(
        tx,
        actor,
        Op::Update,
        Subject::new("service_rules", None, "service rules"),
        Some(before),
        Some(after),
    )
    .await
}

/// The key that signs certificates, made once and kept in the database so that every
/// instance behind the load balancer signs and checks alike.
pub async fn signing_key(db: &Db) -> Result<String, sqlx::Error> {
    let found: Option<String> = on_db!(db, pool => sqlx::query_scalar(
        "select value from settings where key = 'certificate_key'").fetch_optional(pool).await?);
    if let Some(k) = found {
        return Ok(k);
    }
    let fresh = crate::auth::new_token();
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, c => sqlx::query(
        "insert into settings (key, value, updated_at) values ('certificate_key', $1, $2) on conflict (key) do nothing")
        .bind(&fresh).bind(now()).execute(&mut *c).await.map(|r| r.rows_affected())?);
    tx.commit().await?;
    on_db!(db, pool => sqlx::query_scalar("select value from settings where key = 'certificate_key'")
        .fetch_one(pool).await)
}

// ---------------------------------------------------------------- activities

/// An activity: concentrated (on the month's day), scattered (the team's own) or dispatched.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct Activity {
    pub id: i64,
    pub campaign_id: i64,
    /// The organising team; co-organisers are in `teams`.
    pub team_id: i64,
    pub community_id: Option<i64>,
    pub dispatch_id: Option<i64>,
    pub title: String,
    pub theme: String,
    /// A service category code (SPEC §3).
    pub category: String,
    /// A five-goods dimension: environment, order, culture, security, service.
    pub dimension: String,
    /// `concentrated`, `scattered` or `dispatched`.
    pub form: String,
    pub address: String,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    /// Epoch seconds.
    pub starts_at: i64,
    pub ends_at: i64,
    pub capacity: i64,
    /// Places taken by confirmed sign-ups.
    pub taken: i64,
    /// People signed in.
    pub attended: i64,
    /// `team` (the organising teams' members) or `all` (any registered volunteer).
    pub open_to: String,
    pub signup_opens_at: Option<i64>,
    pub signup_closes_at: Option<i64>,
    pub min_age: Option<i64>,
    pub max_age: Option<i64>,
    pub skills: String,
    /// What will be done.
    pub content: String,
    pub risky: bool,
    pub risk_statement: String,
    /// The accident insurance arranged (policy, insurer); required to publish a risky activity.
    pub insurance: String,
    pub leader_name: String,
    #[serde(skip)]
    pub leader_phone: String,
    /// `draft`, `published`, `completed` or `cancelled` (see `phase` for ongoing).
    pub status: String,
    pub cancel_reason: String,
    pub published_at: Option<i64>,
    #[serde(skip)]
    pub code_secret: String,
    /// The poster's code changes every few seconds (shown on a screen).
    pub code_rotates: bool,
    /// Sign-in only within this many metres of the map point.
    pub geofence_m: Option<i64>,
    pub summary: String,
    pub people_served: Option<i64>,
    pub completed_at: Option<i64>,
    pub hours_confirmed_at: Option<i64>,
    pub hours_confirmed_by: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub team_name: String,
    /// The organising team's unit or community.
    pub org_name: String,
    pub community_name: Option<String>,
}

impl Activity {
    /// The status people see: a published activity is ongoing from its start.
    pub fn phase(&self, now: i64) -> &'static str {
        phase(&self.status, self.starts_at, self.ends_at, now)
    }
}

/// The status people see: a published activity is ongoing from its start and ended (waiting for
/// its hours) from its end.
pub fn phase(status: &str, starts_at: i64, ends_at: i64, now: i64) -> &'static str {
    match status {
        "published" if now >= ends_at => "ended",
        "published" if now >= starts_at => "ongoing",
        "published" => "published",
        "completed" => "completed",
        "cancelled" => "cancelled",
        _ => "draft",
    }
}

const ACTIVITY_COLS: &str = "a.id, a.campaign_id, a.team_id, a.community_id, a.dispatch_id, a.title, a.theme,
        a.category, a.dimension, a.form, a.address, a.lat, a.lng, a.starts_at, a.ends_at, a.capacity, a.taken,
        a.attended, a.open_to, a.signup_opens_at, a.signup_closes_at, a.min_age, a.max_age, a.skills, a.content, a.risky,
        a.risk_statement, a.insurance, a.leader_name, a.leader_phone, a.status, a.cancel_reason, a.published_at, a.code_secret,
        a.code_rotates, a.geofence_m, a.summary, a.people_served, a.completed_at, a.hours_confirmed_at,
        a.hours_confirmed_by, a.created_at, a.updated_at, t.name as team_name, coalesce(u.name, tc.name) as org_name,
        cm.name as community_name";
const ACTIVITY_FROM: &str = "from activities a join teams t on t.id = a.team_id left join units u on u.id = t.unit_id
     left join communities tc on tc.id = t.community_id left join communities cm on cm.id = a.community_id";

pub async fn get_activity(db: &Db, id: i64) -> Result<Option<Activity>, sqlx::Error> {
    let sql = format!("select {ACTIVITY_COLS} {ACTIVITY_FROM} where a.id = $1");
    on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)
}

pub async fn activity_in_tx(tx: &mut Tx, id: i64) -> Result<Option<Activity>, sqlx::Error> {
    let sql = format!("select {ACTIVITY_COLS} {ACTIVITY_FROM} where a.id = $1");
    on_tx!(tx, c => sqlx::query_as(&sql).bind(id).fetch_optional(&mut *c).await)
}

/// Everything a scan needs, in one read: the activity, the caller's volunteer record and
/// sign-up, and the district's rules.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ScanContext {
    #[sqlx(flatten)]
    pub activity: Activity,
    pub volunteer_id: Option<i64>,
    pub signup: Option<String>,
    pub rules: Option<String>,
}

impl ScanContext {
    pub fn rules(&self) -> Rules {
        self.rules
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_default()
    }
}

pub async fn scan_context(db: &Db, activity_id: i64, user_id: i64) -> Result<Option<ScanContext>, sqlx::Error> {
    let sql = format!(
        "select {ACTIVITY_COLS}, v.id as volunteer_id, s.status as signup,
            (select value from settings where key = 'service_rules') as rules
         {ACTIVITY_FROM} left join volunteers v on v.user_id = $2
         left join signups s on s.activity_id = a.id and s.volunteer_id = v.id
         where a.id = $1"
    );
    on_db!(db, pool => sqlx::query_as(&sql).bind(activity_id).bind(user_id).fetch_optional(pool).await)
}

/// The organising teams of an activity (the main one first).
pub async fn activity_team_ids(db: &Db, id: i64) -> Result<Vec<i64>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar(
        "select at.team_id from activity_teams at join activities a on a.id = at.activity_id where at.activity_id = $1
         order by (at.team_id = a.team_id) desc, at.team_id")
        .bind(id).fetch_all(pool).await)
}

/// Which activities a list shows.
#[derive(Clone, Debug, Default)]
pub struct ActivityFilter {
    pub campaign_id: i64,
    /// Staff see their teams' activities in every state; `None` lists what the public sees.
    pub scope: Option<TeamScope>,
    pub team_id: Option<i64>,
    pub community_id: Option<i64>,
    pub category: Option<String>,
    pub form: Option<String>,
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub q: Option<String>,
    /// Also what the public sees (published, completed, cancelled) beyond the scope's own.
    pub include_public: bool,
    /// Newest first (past activities) instead of soonest first.
    pub newest_first: bool,
    pub page: i64,
    pub per_page: i64,
}

/// One line of a list of activities, with the viewer's own sign-up.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct ActivityLine {
    pub id: i64,
    pub title: String,
    pub theme: String,
    pub category: String,
    pub dimension: String,
    pub form: String,
    pub address: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub capacity: i64,
    pub taken: i64,
    pub waiting: i64,
    pub status: String,
    pub team_id: i64,
    pub team_name: String,
    pub org_name: String,
    pub community_name: Option<String>,
    /// The viewer's sign-up: `confirmed`, `waiting`, or none.
    pub my_signup: Option<String>,
}

pub async fn list_activities(
    db: &Db,
    f: &ActivityFilter,
    viewer_volunteer: Option<i64>,
) -> Result<(Vec<ActivityLine>, i64), sqlx::Error> {
    let (all, street, community, unit, staff) = match f.scope {
        Some(s) => (s.all, s.street, s.community, s.unit, true),
        None => (false, None, None, None, false),
    };
    let pat =
        f.q.as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(super::like_pattern);
    // An activity lasts at most 7 days, so "not ended by $11" also bounds the start: that lets the
    // start-time index skip the year's past activities.
    let cond = "a.campaign_id = $1
        and ($2 or ($3 and (a.status in ('published', 'completed') or (a.status = 'cancelled' and a.published_at is not null))) or exists (
            select 1 from activity_teams at2 join teams t2 on t2.id = at2.team_id
            left join communities c2 on c2.id = t2.community_id
            where at2.activity_id = a.id
              and ($4 is null or c2.street_id = $4 or t2.unit_id in
                   (select p.unit_id from pairings p join communities pc on pc.id = p.community_id where pc.street_id = $4)
                   or (a.published_at is not null and a.community_id in (select id from communities where street_id = $4)))
              and ($5 is null or t2.community_id = $5 or (a.published_at is not null and a.community_id = $5))
              and ($6 is null or t2.unit_id = $6)
              and ($4 is not null or $5 is not null or $6 is not null)))
        and ($7 is null or a.team_id = $7 or a.id in (select activity_id from activity_teams where team_id = $7))
        and ($8 is null or a.community_id = $8)
        and ($9 is null or a.category = $9)
        and ($10 is null or a.form = $10)
        and ($11 is null or a.ends_at >= $11)
        and ($11 is null or a.starts_at >= $11 - 604800)
        and ($12 is null or a.starts_at < $12)
        and ($13 is null or lower(a.title) like $13 escape '\\' or lower(a.address) like $13 escape '\\')";
    let order = if f.newest_first {
        "a.starts_at desc, a.id desc"
    } else {
        "a.starts_at, a.id"
    };
    let sql = format!(
        "select a.id, a.title, a.theme, a.category, a.dimension, a.form, a.address, a.starts_at, a.ends_at, a.capacity,
            a.taken, (select count(*) from signups w where w.activity_id = a.id and w.status = 'waiting') as waiting,
            a.status, a.team_id, t.name as team_name, coalesce(u.name, tc.name) as org_name, cm.name as community_name,
            (select s.status from signups s where s.activity_id = a.id and s.volunteer_id = $14
               and s.status in ('confirmed', 'waiting')) as my_signup
         from activities a join teams t on t.id = a.team_id left join units u on u.id = t.unit_id
         left join communities tc on tc.id = t.community_id left join communities cm on cm.id = a.community_id
         where {cond} order by {order} limit $15 offset $16"
    );
    let count_sql = format!("select count(*) from activities a where {cond}");
    let public = !staff || f.include_public;
    let offset = (f.page.max(1) - 1).saturating_mul(f.per_page);
    on_db!(db, pool => {
        let items: Vec<ActivityLine> = sqlx::query_as(&sql)
            .bind(f.campaign_id).bind(all).bind(public).bind(street).bind(community).bind(unit)
            .bind(f.team_id).bind(f.community_id).bind(&f.category).bind(&f.form).bind(f.from).bind(f.to).bind(&pat)
            .bind(viewer_volunteer.unwrap_or(-1)).bind(f.per_page).bind(offset)
            .fetch_all(pool).await?;
        let total: i64 = sqlx::query_scalar(&count_sql)
            .bind(f.campaign_id).bind(all).bind(public).bind(street).bind(community).bind(unit)
            .bind(f.team_id).bind(f.community_id).bind(&f.category).bind(&f.form).bind(f.from).bind(f.to).bind(&pat)
            .fetch_one(pool).await?;
        Ok((items, total))
    })
}

/// What an activity form sets.
#[derive(Clone, Debug, Serialize)]
pub struct ActivityFields {
    pub team_id: i64,
    pub co_team_ids: Vec<i64>,
    pub community_id: Option<i64>,
    pub dispatch_id: Option<i64>,
    pub title: String,
    pub theme: String,
    pub category: String,
    pub dimension: String,
    pub form: String,
    pub address: String,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub starts_at: i64,
    pub ends_at: i64,
    pub capacity: i64,
    pub open_to: String,
    pub signup_opens_at: Option<i64>,
    pub signup_closes_at: Option<i64>,
    pub min_age: Option<i64>,
    pub max_age: Option<i64>,
    pub skills: String,
    pub content: String,
    pub risky: bool,
    pub risk_statement: String,
    pub insurance: String,
    pub leader_name: String,
    pub leader_phone: String,
    pub code_rotates: bool,
    pub geofence_m: Option<i64>,
}

pub async fn insert_activity(
    tx: &mut Tx,
    actor: &Actor,
    campaign_id: i64,
    f: &ActivityFields,
    status: &str,
) -> Result<Activity, sqlx::Error> {
    let t = now();
    let secret = crate::auth::new_token();
    let day = crate::domain::campaign::date_of(f.starts_at);
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "insert into activities (campaign_id, team_id, community_id, dispatch_id, title, theme, category, dimension, form,
            address, lat, lng, starts_at, ends_at, capacity, open_to, signup_opens_at, signup_closes_at, min_age, max_age,
            skills, content, risky, risk_statement, insurance, leader_name, leader_phone, status, code_secret, code_rotates,
            geofence_m, created_at, updated_at, month, day, published_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23,
            $24, $25, $26, $27, $28, $29, $30, $31, $32, $32, $33, $34, $35) returning id")
        .bind(campaign_id).bind(f.team_id).bind(f.community_id).bind(f.dispatch_id).bind(&f.title).bind(&f.theme)
        .bind(&f.category).bind(&f.dimension).bind(&f.form).bind(&f.address).bind(f.lat).bind(f.lng)
        .bind(f.starts_at).bind(f.ends_at).bind(f.capacity).bind(&f.open_to).bind(f.signup_opens_at)
        .bind(f.signup_closes_at).bind(f.min_age).bind(f.max_age).bind(&f.skills).bind(&f.content).bind(f.risky)
        .bind(&f.risk_statement).bind(&f.insurance).bind(&f.leader_name).bind(&f.leader_phone).bind(status)
        .bind(&secret).bind(f.code_rotates).bind(f.geofence_m).bind(t)
        .bind(&day[..7]).bind(&day).bind((status == "published").then_some(t))
        .fetch_one(&mut *c).await?);
    set_activity_teams(tx, id, f.team_id, &f.co_team_ids).await?;
    let a = activity_in_tx(tx, id).await?.ok_or(sqlx::Error::RowNotFound)?;
    audit::record(
        tx,
        actor,
        Op::Create,
        Subject::new("activity", Some(id), &a.title),
        None,
        Some(&a),
    )
    .await?;
    Ok(a)
}

async fn set_activity_teams(tx: &mut Tx, id: i64, main: i64, co: &[i64]) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("delete from activity_teams where activity_id = $1").bind(id)
        .execute(&mut *c).await.map(|r| r.rows_affected())?);
    let mut all = vec![main];
    all.extend(co.iter().copied().filter(|t| *t != main));
    all.dedup();
    for team in all {
        on_tx!(tx, c => sqlx::query(
            "insert into activity_teams (activity_id, team_id, co) values ($1, $2, $3) on conflict do nothing")
            .bind(id).bind(team).bind(team != main).execute(&mut *c).await.map(|r| r.rows_affected())?);
    }
    Ok(())
}

pub async fn update_activity(
    tx: &mut Tx,
    actor: &Actor,
    before: &Activity,
    f: &ActivityFields,
) -> Result<Activity, sqlx::Error> {
    let day = crate::domain::campaign::date_of(f.starts_at);
    on_tx!(tx, c => sqlx::query(
        "update activities set team_id = $1, community_id = $2, title = $3, theme = $4, category = $5, dimension = $6,
            form = $7, address = $8, lat = $9, lng = $10, starts_at = $11, ends_at = $12, capacity = $13, open_to = $14,
            signup_opens_at = $15, signup_closes_at = $16, min_age = $17, max_age = $18, skills = $19, content = $20,
            risky = $21, risk_statement = $22, insurance = $23, leader_name = $24, leader_phone = $25,
            code_rotates = $26, geofence_m = $27, updated_at = $28, month = $30, day = $31
         where id = $29")
        .bind(f.team_id).bind(f.community_id).bind(&f.title).bind(&f.theme).bind(&f.category).bind(&f.dimension)
        .bind(&f.form).bind(&f.address).bind(f.lat).bind(f.lng).bind(f.starts_at).bind(f.ends_at).bind(f.capacity)
        .bind(&f.open_to).bind(f.signup_opens_at).bind(f.signup_closes_at).bind(f.min_age).bind(f.max_age)
        .bind(&f.skills).bind(&f.content).bind(f.risky).bind(&f.risk_statement).bind(&f.insurance)
        .bind(&f.leader_name).bind(&f.leader_phone).bind(f.code_rotates).bind(f.geofence_m).bind(now()).bind(before.id)
        .bind(&day[..7]).bind(&day)
        .execute(&mut *c).await.map(|r| r.rows_affected())?);
    set_activity_teams(tx, before.id, f.team_id, &f.co_team_ids).await?;
    if day[..7] != crate::domain::campaign::date_of(before.starts_at)[..7] {
        on_tx!(tx, c => sqlx::query("update attendance set month = $1 where activity_id = $2")
            .bind(&day[..7]).bind(before.id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    }
    // More places: the waiting list moves up, in order.
    if f.capacity > before.taken {
        let waiting: Vec<i64> = on_tx!(tx, c => sqlx::query_scalar(
            "select volunteer_id from signups where activity_id = $1 and status = 'waiting' order by created_at, id limit $2")
            .bind(before.id).bind(f.capacity - before.taken).fetch_all(&mut *c).await?);
        for v in &waiting {
            on_tx!(tx, c => sqlx::query(
                "update signups set status = 'confirmed', updated_at = $1 where activity_id = $2 and volunteer_id = $3")
                .bind(now()).bind(before.id).bind(*v).execute(&mut *c).await.map(|r| r.rows_affected())?);
        }
        on_tx!(tx, c => sqlx::query("update activities set taken = taken + $1 where id = $2")
            .bind(waiting.len() as i64).bind(before.id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    }
    audited(tx, actor, before).await
}

/// The activity as a change left it, with the change written to the audit trail.
async fn audited(tx: &mut Tx, actor: &Actor, before: &Activity) -> Result<Activity, sqlx::Error> {
    let after = activity_in_tx(tx, before.id).await?.ok_or(sqlx::Error::RowNotFound)?;
    audit::record(
        tx,
        actor,
        Op::Update,
        Subject::new("activity", Some(before.id), &after.title),
        Some(before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

/// Moves an activity to `status` (with the reason of a cancellation).
pub async fn set_status(
    tx: &mut Tx,
    actor: &Actor,
    before: &Activity,
    status: &str,
    reason: &str,
) -> Result<Activity, sqlx::Error> {
    let t = now();
    on_tx!(tx, c => sqlx::query(
        "update activities set status = $1, cancel_reason = $2, updated_at = $3,
            completed_at = case when $1 = 'completed' then $3 else completed_at end,
            published_at = case when $1 = 'published' then coalesce(published_at, $3) else published_at end
         where id = $4")
        .bind(status).bind(reason).bind(t).bind(before.id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    audited(tx, actor, before).await
}

pub async fn set_summary(
    tx: &mut Tx,
    actor: &Actor,
    before: &Activity,
    summary: &str,
    people_served: Option<i64>,
) -> Result<Activity, sqlx::Error> {
    on_tx!(tx, c => sqlx::query("update activities set summary = $1, people_served = $2, updated_at = $3 where id = $4")
        .bind(summary).bind(people_served).bind(now()).bind(before.id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    audited(tx, actor, before).await
}

// ------------------------------------------------------------------- photos

#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct PhotoInfo {
    pub id: i64,
    pub content_type: String,
    pub size: i64,
    pub created_at: i64,
}

pub async fn photos(db: &Db, activity_id: i64) -> Result<Vec<PhotoInfo>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select id, content_type, size, created_at from activity_photos where activity_id = $1 order by id")
        .bind(activity_id).fetch_all(pool).await)
}

pub async fn photo(db: &Db, activity_id: i64, id: i64) -> Result<Option<(String, Vec<u8>)>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select content_type, data from activity_photos where activity_id = $1 and id = $2")
        .bind(activity_id).bind(id).fetch_optional(pool).await)
}

pub async fn add_photo(
    tx: &mut Tx,
    actor: &Actor,
    a: &Activity,
    content_type: &str,
    data: &[u8],
) -> Result<i64, sqlx::Error> {
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "insert into activity_photos (activity_id, content_type, size, data, created_at) values ($1, $2, $3, $4, $5)
         returning id")
        .bind(a.id).bind(content_type).bind(data.len() as i64).bind(data).bind(now()).fetch_one(&mut *c).await?);
    audit::record_raw(
        tx,
        actor,
        "add_photo",
        Subject::new("activity", Some(a.id), &a.title),
        &serde_json::json!({"photo": id, "type": content_type, "size": data.len()}),
    )
    .await?;
    Ok(id)
}

// ------------------------------------------------------------------- sign-ups

/// One person on an activity's list: sign-up and attendance together.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct Participant {
    pub volunteer_id: i64,
    pub volunteer_no: String,
    pub name: String,
    #[serde(skip)]
    pub phone: String,
    /// `confirmed`, `waiting`, `cancelled`, `no_show`, or empty for a walk-in.
    pub signup: Option<String>,
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
    added_by: &str,
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
        let status: String = on_tx!(tx, c => sqlx::query_scalar(
            "select status from signups where activity_id = $1 and volunteer_id = $2")
            .bind(a.id).bind(volunteer_id).fetch_one(&mut *c).await?);
        return Ok(if status == "waiting" {
            SignupOutcome::AlreadyWaiting
        } else {
            SignupOutcome::AlreadyConfirmed
        });
    }
    let got = on_tx!(tx, c => sqlx::query(
        "update activities set taken = taken + 1 where id = $1 and taken < capacity")
        .bind(a.id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    let status = if got == 1 { "confirmed" } else { "waiting" };
    on_tx!(tx, c => sqlx::query("update signups set status = $1 where activity_id = $2 and volunteer_id = $3")
        .bind(status).bind(a.id).bind(volunteer_id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    audit::record_raw(
        tx,
        actor,
        "sign_up",
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
    let was: Option<String> = on_tx!(tx, c => sqlx::query_scalar(
        "select status from signups where activity_id = $1 and volunteer_id = $2 and status in ('confirmed', 'waiting')")
        .bind(a.id).bind(volunteer_id).fetch_optional(&mut *c).await?);
    let Some(was) = was else { return Ok(None) };
    let t = now();
    on_tx!(tx, c => sqlx::query(
        "update signups set status = 'cancelled', updated_at = $1 where activity_id = $2 and volunteer_id = $3")
        .bind(t).bind(a.id).bind(volunteer_id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    let mut promoted = None;
    if was == "confirmed" {
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
        "cancel_signup",
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

// ------------------------------------------------------------------ attendance

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
                "sign_in",
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
            if auto { "auto_sign_out" } else { "sign_out" },
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
        "confirm_hours",
        Subject::new("activity", Some(a.id), &a.title),
        &serde_json::json!({"lines": lines, "no_shows": no_shows}),
    )
    .await?;
    Ok((lines, no_shows))
}

// ------------------------------------------------------------ service record

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

// --------------------------------------------------------------- certificates

#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct Certificate {
    pub id: i64,
    pub number: String,
    pub volunteer_id: i64,
    pub team_id: Option<i64>,
    pub issued_at: i64,
    /// What the certificate states, as issued (JSON).
    #[serde(skip)]
    pub statement: String,
    #[serde(skip)]
    pub signature: String,
    pub created_by: String,
}

pub async fn insert_certificate(
    tx: &mut Tx,
    actor: &Actor,
    number: &str,
    volunteer_id: i64,
    team_id: Option<i64>,
    statement: &serde_json::Value,
    signature: &str,
) -> Result<Certificate, sqlx::Error> {
    let t = now();
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "insert into certificates (number, volunteer_id, team_id, issued_at, statement, signature, created_by)
         values ($1, $2, $3, $4, $5, $6, $7) returning id")
        .bind(number).bind(volunteer_id).bind(team_id).bind(t).bind(statement.to_string()).bind(signature)
        .bind(&actor.username).fetch_one(&mut *c).await?);
    audit::record_raw(
        tx,
        actor,
        "issue_certificate",
        Subject::new("certificate", Some(id), number),
        statement,
    )
    .await?;
    Ok(Certificate {
        id,
        number: number.to_string(),
        volunteer_id,
        team_id,
        issued_at: t,
        statement: statement.to_string(),
        signature: signature.to_string(),
        created_by: actor.username.clone(),
    })
}

pub async fn certificate_by_number(db: &Db, number: &str) -> Result<Option<Certificate>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as("select * from certificates where number = $1")
        .bind(number).fetch_optional(pool).await)
}

pub async fn certificates_of(db: &Db, volunteer_id: i64) -> Result<Vec<Certificate>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as("select * from certificates where volunteer_id = $1 order by issued_at desc")
        .bind(volunteer_id).fetch_all(pool).await)
}
