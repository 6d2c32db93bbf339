//! Activities: their fields, state, teams and photos.

use serde::Serialize;
use utoipa::ToSchema;

use super::audit::{self, Actor, Op, Subject};
use super::teams::TeamScope;
use super::{now, Db, Tx};
use crate::domain::activity::{ActivityForm, ActivityStatus, OpenTo, Phase, SignupStatus};
use crate::domain::campaign::Category;
use crate::domain::service::{Dimension, Rules};
use crate::{on_db, on_tx};

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
    /// A service category (SPEC §3).
    pub category: Category,
    /// A five-goods dimension.
    pub dimension: Dimension,
    /// `concentrated`, `scattered` or `dispatched`.
    pub form: ActivityForm,
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
    pub open_to: OpenTo,
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
    pub status: ActivityStatus,
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
    pub fn phase(&self, now: i64) -> Phase {
        phase(self.status, self.starts_at, self.ends_at, now)
    }
}

pub use crate::domain::activity::phase;

/// The activity's own columns (without the names of its team, organiser and community).
macro_rules! activity_own_cols {
    () => {
        "a.id, a.campaign_id, a.team_id, a.community_id, a.dispatch_id, a.title, a.theme,
        a.category, a.dimension, a.form, a.address, a.lat, a.lng, a.starts_at, a.ends_at, a.capacity, a.taken,
        a.attended, a.open_to, a.signup_opens_at, a.signup_closes_at, a.min_age, a.max_age, a.skills, a.content, a.risky,
        a.risk_statement, a.insurance, a.leader_name, a.leader_phone, a.status, a.cancel_reason, a.published_at, a.code_secret,
        a.code_rotates, a.geofence_m, a.summary, a.people_served, a.completed_at, a.hours_confirmed_at,
        a.hours_confirmed_by, a.created_at, a.updated_at"
    };
}
const ACTIVITY_COLS: &str = concat!(
    activity_own_cols!(),
    ", t.name as team_name, coalesce(u.name, tc.name) as org_name,
        cm.name as community_name"
);
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
    pub signup: Option<SignupStatus>,
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
    pub category: Category,
    pub dimension: Dimension,
    pub form: ActivityForm,
    pub address: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub capacity: i64,
    pub taken: i64,
    pub waiting: i64,
    pub status: ActivityStatus,
    pub team_id: i64,
    pub team_name: String,
    pub org_name: String,
    pub community_name: Option<String>,
    /// The viewer's sign-up: `confirmed`, `waiting`, or none.
    pub my_signup: Option<SignupStatus>,
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
    let order = if f.newest_first {
        "a.starts_at desc, a.id desc"
    } else {
        "a.starts_at, a.id"
    };
    let public = !staff || f.include_public;
    // Only the filters given are written into the statement: a condition of the form
    // `($8 is null or a.community_id = $8)` keeps the planner from using an index for it.
    let cond = list_condition(f, all, public, street, community, unit, pat.is_some());
    // The total comes with the page (`count(*) over ()`); only a page past the end asks again.
    let sql = format!(
        "select a.id, a.title, a.theme, a.category, a.dimension, a.form, a.address, a.starts_at, a.ends_at, a.capacity,
            a.taken, (select count(*) from signups w where w.activity_id = a.id and w.status = 'waiting') as waiting,
            a.status, a.team_id, t.name as team_name, coalesce(u.name, tc.name) as org_name, cm.name as community_name,
            (select s.status from signups s where s.activity_id = a.id and s.volunteer_id = $14
               and s.status in ('confirmed', 'waiting')) as my_signup,
            count(*) over () as total
         from activities a join teams t on t.id = a.team_id left join units u on u.id = t.unit_id
         left join communities tc on tc.id = t.community_id left join communities cm on cm.id = a.community_id
         where {cond} order by {order} limit $15 offset $16"
    );
    #[derive(sqlx::FromRow)]
    struct Counted {
        #[sqlx(flatten)]
        line: ActivityLine,
        total: i64,
    }
    let count_sql = format!("select count(*) from activities a where {cond}");
    let offset = (f.page.max(1) - 1).saturating_mul(f.per_page);
    on_db!(db, mut pool => {
        let rows: Vec<Counted> = sqlx::query_as(&sql)
            .bind(f.campaign_id).bind(all).bind(public).bind(street).bind(community).bind(unit)
            .bind(f.team_id).bind(f.community_id).bind(&f.category).bind(&f.form).bind(f.from).bind(f.to).bind(&pat)
            .bind(viewer_volunteer.unwrap_or(-1)).bind(f.per_page).bind(offset)
            .fetch_all(pool.ex()).await?;
        let total: i64 = match rows.first() {
            Some(r) => r.total,
            None if offset == 0 => 0,
            None => sqlx::query_scalar(&count_sql)
                .bind(f.campaign_id).bind(all).bind(public).bind(street).bind(community).bind(unit)
                .bind(f.team_id).bind(f.community_id).bind(&f.category).bind(&f.form).bind(f.from).bind(f.to).bind(&pat)
                .fetch_one(pool.ex()).await?,
        };
        Ok((rows.into_iter().map(|r| r.line).collect(), total))
    })
}

/// The `where` of [`list_activities`] with only the filters given. The parameters keep their
/// numbers (`$1`…`$13`); those not used are still bound, which both databases accept. An
/// activity lasts at most 7 days, so "not ended by $11" also bounds the start: that lets the
/// start-time index skip the year's past activities.
fn list_condition(
    f: &ActivityFilter,
    all: bool,
    public: bool,
    street: Option<i64>,
    community: Option<i64>,
    unit: Option<i64>,
    has_pattern: bool,
) -> String {
    let mut c: Vec<String> = vec!["a.campaign_id = $1".into()];
    if !all {
        let mut seen = vec![];
        if public {
            seen.push(
                "a.status in ('published', 'completed') or (a.status = 'cancelled' and a.published_at is not null)"
                    .to_string(),
            );
        }
        if street.is_some() || community.is_some() || unit.is_some() {
            let mut own = vec![];
            if street.is_some() {
                own.push(
                    "(c2.street_id = $4 or t2.unit_id in
                       (select p.unit_id from pairings p join communities pc on pc.id = p.community_id where pc.street_id = $4)
                       or (a.published_at is not null and a.community_id in (select id from communities where street_id = $4)))",
                );
            }
            if community.is_some() {
                own.push("(t2.community_id = $5 or (a.published_at is not null and a.community_id = $5))");
            }
            if unit.is_some() {
                own.push("t2.unit_id = $6");
            }
            seen.push(format!(
                "exists (select 1 from activity_teams at2 join teams t2 on t2.id = at2.team_id
                    left join communities c2 on c2.id = t2.community_id
                    where at2.activity_id = a.id and {})",
                own.join(" and ")
            ));
        }
        if seen.is_empty() {
            c.push("1 = 0".into());
        } else {
            c.push(format!("({})", seen.join(" or ")));
        }
    }
    if f.team_id.is_some() {
        c.push("(a.team_id = $7 or a.id in (select activity_id from activity_teams where team_id = $7))".into());
    }
    if f.community_id.is_some() {
        c.push("a.community_id = $8".into());
    }
    if f.category.is_some() {
        c.push("a.category = $9".into());
    }
    if f.form.is_some() {
        c.push("a.form = $10".into());
    }
    if f.from.is_some() {
        c.push("a.ends_at >= $11 and a.starts_at >= $11 - 604800".into());
    }
    if f.to.is_some() {
        c.push("a.starts_at < $12".into());
    }
    if has_pattern {
        c.push("(lower(a.title) like $13 escape '\\' or lower(a.address) like $13 escape '\\')".into());
    }
    c.join(" and ")
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
    pub category: Category,
    pub dimension: Dimension,
    pub form: ActivityForm,
    pub address: String,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub starts_at: i64,
    pub ends_at: i64,
    pub capacity: i64,
    pub open_to: OpenTo,
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
    status: ActivityStatus,
) -> Result<Activity, sqlx::Error> {
    let t = now();
    let secret = crate::domain::token::new_token();
    let local = crate::domain::dates::local(f.starts_at).date();
    let (day, month) = (
        local.format("%Y-%m-%d").to_string(),
        crate::domain::dates::month_key(local),
    );
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "insert into activities (campaign_id, team_id, community_id, dispatch_id, title, theme, category, dimension, form,
            address, lat, lng, starts_at, ends_at, capacity, open_to, signup_opens_at, signup_closes_at, min_age, max_age,
            skills, content, risky, risk_statement, insurance, leader_name, leader_phone, status, code_secret, code_rotates,
            geofence_m, created_at, updated_at, month, day, published_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23,
            $24, $25, $26, $27, $28, $29, $30, $31, $32, $32, $33, $34, $35) returning id")
        .bind(campaign_id).bind(f.team_id).bind(f.community_id).bind(f.dispatch_id).bind(&f.title).bind(&f.theme)
        .bind(f.category).bind(f.dimension).bind(f.form).bind(&f.address).bind(f.lat).bind(f.lng)
        .bind(f.starts_at).bind(f.ends_at).bind(f.capacity).bind(f.open_to).bind(f.signup_opens_at)
        .bind(f.signup_closes_at).bind(f.min_age).bind(f.max_age).bind(&f.skills).bind(&f.content).bind(f.risky)
        .bind(&f.risk_statement).bind(&f.insurance).bind(&f.leader_name).bind(&f.leader_phone).bind(status)
        .bind(&secret).bind(f.code_rotates).bind(f.geofence_m).bind(t)
        .bind(&month).bind(&day).bind((status == ActivityStatus::Published).then_some(t))
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
    let local = crate::domain::dates::local(f.starts_at).date();
    let (day, month) = (
        local.format("%Y-%m-%d").to_string(),
        crate::domain::dates::month_key(local),
    );
    on_tx!(tx, c => sqlx::query(
        "update activities set team_id = $1, community_id = $2, title = $3, theme = $4, category = $5, dimension = $6,
            form = $7, address = $8, lat = $9, lng = $10, starts_at = $11, ends_at = $12, capacity = $13, open_to = $14,
            signup_opens_at = $15, signup_closes_at = $16, min_age = $17, max_age = $18, skills = $19, content = $20,
            risky = $21, risk_statement = $22, insurance = $23, leader_name = $24, leader_phone = $25,
            code_rotates = $26, geofence_m = $27, updated_at = $28, month = $30, day = $31
         where id = $29")
        .bind(f.team_id).bind(f.community_id).bind(&f.title).bind(&f.theme).bind(f.category).bind(f.dimension)
        .bind(f.form).bind(&f.address).bind(f.lat).bind(f.lng).bind(f.starts_at).bind(f.ends_at).bind(f.capacity)
        .bind(f.open_to).bind(f.signup_opens_at).bind(f.signup_closes_at).bind(f.min_age).bind(f.max_age)
        .bind(&f.skills).bind(&f.content).bind(f.risky).bind(&f.risk_statement).bind(&f.insurance)
        .bind(&f.leader_name).bind(&f.leader_phone).bind(f.code_rotates).bind(f.geofence_m).bind(now()).bind(before.id)
        .bind(&month).bind(&day)
        .execute(&mut *c).await.map(|r| r.rows_affected())?);
    set_activity_teams(tx, before.id, f.team_id, &f.co_team_ids).await?;
    if month != crate::domain::dates::month_key(crate::domain::dates::local(before.starts_at).date()) {
        on_tx!(tx, c => sqlx::query("update attendance set month = $1 where activity_id = $2")
            .bind(&month).bind(before.id).execute(&mut *c).await.map(|r| r.rows_affected())?);
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
    status: ActivityStatus,
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

#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct PhotoInfo {
    pub id: i64,
    pub content_type: String,
    pub size: i64,
    pub created_at: i64,
    /// What the photo shows, for those who cannot see it (the activity's title for older photos).
    pub alt_text: String,
}

pub async fn photos(db: &Db, activity_id: i64) -> Result<Vec<PhotoInfo>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select p.id, p.content_type, p.size, p.created_at, case when p.alt_text = '' then a.title else p.alt_text end as alt_text
         from activity_photos p join activities a on a.id = p.activity_id where p.activity_id = $1 order by p.id")
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
    alt_text: &str,
) -> Result<i64, sqlx::Error> {
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "insert into activity_photos (activity_id, content_type, size, data, created_at, alt_text) values ($1, $2, $3, $4, $5, $6)
         returning id")
        .bind(a.id).bind(content_type).bind(data.len() as i64).bind(data).bind(now()).bind(alt_text).fetch_one(&mut *c).await?);
    audit::record_raw(
        tx,
        actor,
        audit::Op::AddPhoto,
        Subject::new("activity", Some(a.id), &a.title),
        &serde_json::json!({"photo": id, "type": content_type, "size": data.len(), "alt": alt_text}),
    )
    .await?;
    Ok(id)
}

/// Every community (id, name), by street, for the activity form.
pub async fn community_choices(db: &Db) -> Result<Vec<(i64, String)>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as("select id, name from communities order by street_id, name").fetch_all(pool).await)
}

/// What a volunteer's own sign-up checks, in one read: the activity and the title of a confirmed
/// sign-up of theirs that overlaps it (a time clash, as [`super::signups::clash`] finds it).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SignupContext {
    #[sqlx(flatten)]
    pub activity: Activity,
    pub clash: Option<String>,
}

/// The activity comes without the names of its team, organiser and community (empty): a sign-up
/// shows none of them, and their four joins were most of the statement's work on PostgreSQL.
pub async fn signup_context(db: &Db, id: i64, volunteer_id: i64) -> Result<Option<SignupContext>, sqlx::Error> {
    let sql = format!(
        "select {}, '' as team_name, '' as org_name, cast(null as text) as community_name,
            (select b.title from signups s join activities b on b.id = s.activity_id
             where s.volunteer_id = $2 and s.status = 'confirmed' and b.id <> a.id and b.status <> 'cancelled'
               and b.starts_at < a.ends_at and b.ends_at > a.starts_at limit 1) as clash
         from activities a where a.id = $1",
        activity_own_cols!()
    );
    on_db!(db, pool => sqlx::query_as(&sql).bind(id).bind(volunteer_id).fetch_optional(pool).await)
}
