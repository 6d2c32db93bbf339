//! 四单: community needs, their timeline and ratings, the per-team figures the assessment reads
//! and the counts the dashboards, the public home and the monthly form read.

use serde::Serialize;
use utoipa::ToSchema;

use super::audit::{self, Actor, Op, Subject};
use super::{now, Db, Tx};
use crate::domain::campaign::Category;
use crate::domain::need::{median, NeedSource, NeedStatus, NeedStep, Rater};
use crate::domain::org::Scope;
use crate::domain::service::Dimension;
use crate::{on_db, on_tx};

/// A need as staff see it (the contact is masked by the service for those not handling it).
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
#[schema(as = CommunityNeed)]
pub struct Need {
    pub id: i64,
    pub campaign_id: i64,
    pub community_id: i64,
    pub community_name: String,
    pub street_id: i64,
    pub street_name: String,
    pub category: Category,
    pub dimension: Dimension,
    pub description: String,
    pub place: String,
    /// `YYYY-MM-DD`: the first and the last day the service is wished for.
    pub wished_from: String,
    pub wished_to: String,
    pub head_count: i64,
    pub contact_name: String,
    pub contact_phone: String,
    pub source: NeedSource,
    pub status: NeedStatus,
    pub close_reason: String,
    /// The team it is dispatched to or accepted by.
    pub team_id: Option<i64>,
    pub team_name: Option<String>,
    pub activity_id: Option<i64>,
    /// When the current step began (the timers run from it).
    pub step_at: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// One step of a need's timeline.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
#[schema(as = NeedEvent)]
pub struct NeedEvent {
    pub id: i64,
    pub need_id: i64,
    pub step: NeedStep,
    pub team_id: Option<i64>,
    pub team_name: Option<String>,
    pub note: String,
    pub response_secs: Option<i64>,
    pub actor: String,
    pub at: i64,
}

/// A rating (评单).
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
#[schema(as = NeedRating)]
pub struct NeedRating {
    pub rater: Rater,
    pub stars: i64,
    pub comment: String,
    pub at: i64,
}

/// A new need, checked.
pub struct NewNeed {
    pub campaign_id: i64,
    pub community_id: i64,
    pub category: Category,
    pub dimension: Dimension,
    pub description: String,
    pub place: String,
    pub wished_from: String,
    pub wished_to: String,
    pub head_count: i64,
    pub contact_name: String,
    pub contact_phone: String,
    pub source: NeedSource,
}

/// What a list of needs is narrowed to.
#[derive(Clone, Debug, Default)]
pub struct NeedFilter {
    pub statuses: Vec<NeedStatus>,
    pub street_id: Option<i64>,
    pub community_id: Option<i64>,
    pub category: Option<Category>,
}

const SELECT: &str = "select n.id, n.campaign_id, n.community_id, c.name as community_name, c.street_id,
        s.name as street_name, n.category, n.dimension, n.description, n.place, n.wished_from, n.wished_to,
        n.head_count, n.contact_name, n.contact_phone, n.source, n.status, n.close_reason, n.team_id,
        t.name as team_name, n.activity_id, n.step_at, n.created_at, n.updated_at
     from needs n join communities c on c.id = n.community_id join streets s on s.id = c.street_id
     left join teams t on t.id = n.team_id";

/// The part of `where` a scope adds: a street its area, a community its own, a unit the needs
/// sent to its teams and those open for any team; `$2` is the scope's id.
fn scope_sql(scope: &Scope) -> Option<&'static str> {
    match scope {
        Scope::All => Some("($2 is null or 1 = 1)"),
        Scope::Street(_) => Some("c.street_id = $2"),
        Scope::Community(_) => Some("n.community_id = $2"),
        Scope::Unit(_) => Some(
            "(n.status = 'open' or exists (select 1 from teams ut where ut.unit_id = $2 and
              (ut.id = n.team_id or ut.id in (select e.team_id from need_events e where e.need_id = n.id))))",
        ),
        Scope::OwnAccount(_) | Scope::Nothing => None,
    }
}

fn scope_id(scope: &Scope) -> Option<i64> {
    match scope {
        Scope::Street(i) | Scope::Community(i) | Scope::Unit(i) => Some(*i),
        _ => None,
    }
}

pub async fn get_need(db: &Db, id: i64) -> Result<Option<Need>, sqlx::Error> {
    let sql = format!("{SELECT} where n.id = $1");
    on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)
}

/// The need a resident's link names, by the hash of its token.
pub async fn by_token(db: &Db, token_hash: &str) -> Result<Option<Need>, sqlx::Error> {
    let sql = format!("{SELECT} where n.token_hash = $1");
    on_db!(db, pool => sqlx::query_as(&sql).bind(token_hash).fetch_optional(pool).await)
}

/// A campaign's needs in `scope`, narrowed by `f`, oldest step first.
pub async fn list(db: &Db, campaign_id: i64, scope: &Scope, f: &NeedFilter) -> Result<Vec<Need>, sqlx::Error> {
    let Some(scoped) = scope_sql(scope) else {
        return Ok(vec![]);
    };
    let statuses: Vec<String> = f.statuses.iter().map(|s| format!("'{}'", s.as_str())).collect();
    let by_status = if statuses.is_empty() {
        String::new()
    } else {
        // The statuses are the enum's own fixed strings, never typed text.
        format!(" and n.status in ({})", statuses.join(", "))
    };
    let sql = format!(
        "{SELECT} where n.campaign_id = $1 and {scoped}{by_status} and ($3 is null or c.street_id = $3)
           and ($4 is null or n.community_id = $4) and ($5 is null or n.category = $5)
         order by n.step_at, n.id"
    );
    on_db!(db, pool => sqlx::query_as(&sql).bind(campaign_id).bind(scope_id(scope)).bind(f.street_id)
        .bind(f.community_id).bind(f.category).fetch_all(pool).await)
}

pub async fn events_of(db: &Db, need_id: i64) -> Result<Vec<NeedEvent>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select e.id, e.need_id, e.step, e.team_id, t.name as team_name, e.note, e.response_secs, e.actor, e.at
         from need_events e left join teams t on t.id = e.team_id where e.need_id = $1 order by e.at, e.id")
        .bind(need_id).fetch_all(pool).await)
}

pub async fn ratings_of(db: &Db, need_id: i64) -> Result<Vec<NeedRating>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select rater, stars, comment, at from need_ratings where need_id = $1 order by at")
        .bind(need_id).fetch_all(pool).await)
}

/// Whether `team_id` was ever asked for or answered this need (its staff may then see it).
pub async fn team_involved(db: &Db, need_id: i64, team_id: i64) -> Result<bool, sqlx::Error> {
    let n: i64 = on_db!(db, pool => sqlx::query_scalar(
        "select count(*) from need_events where need_id = $1 and team_id = $2")
        .bind(need_id).bind(team_id).fetch_one(pool).await?);
    Ok(n > 0)
}

/// The teams ever asked for or answering this need.
pub async fn teams_involved(db: &Db, need_id: i64) -> Result<Vec<i64>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar(
        "select distinct team_id from need_events where need_id = $1 and team_id is not null")
        .bind(need_id).fetch_all(pool).await)
}

async fn event(
    tx: &mut Tx,
    actor: &Actor,
    need_id: i64,
    step: NeedStep,
    team_id: Option<i64>,
    note: &str,
    response_secs: Option<i64>,
) -> Result<(), sqlx::Error> {
    let at = now();
    on_tx!(tx, c => sqlx::query(
        "insert into need_events (need_id, step, team_id, note, response_secs, actor, at) values ($1, $2, $3, $4, $5, $6, $7)")
        .bind(need_id).bind(step).bind(team_id).bind(note).bind(response_secs).bind(&actor.username).bind(at)
        .execute(&mut *c).await.map(|_| ()))
}

/// Posts a need (点单), with the hash of the resident's token if a resident posted it; audited
/// with the contact left out.
pub async fn insert_need(
    tx: &mut Tx,
    actor: &Actor,
    n: &NewNeed,
    token_hash: Option<&str>,
) -> Result<i64, sqlx::Error> {
    let t = now();
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "insert into needs (campaign_id, community_id, category, dimension, description, place, wished_from, wished_to,
            head_count, contact_name, contact_phone, source, token_hash, status, step_at, created_by, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $15, $15) returning id")
        .bind(n.campaign_id).bind(n.community_id).bind(n.category).bind(n.dimension).bind(&n.description)
        .bind(&n.place).bind(&n.wished_from).bind(&n.wished_to).bind(n.head_count).bind(&n.contact_name)
        .bind(&n.contact_phone).bind(n.source).bind(token_hash).bind(NeedStatus::Submitted).bind(t)
        .bind(&actor.username).fetch_one(&mut *c).await?);
    event(tx, actor, id, NeedStep::Posted, None, "", None).await?;
    audit::record_raw(
        tx,
        actor,
        Op::Create,
        Subject::new("need", Some(id), n.category.label()),
        &serde_json::json!({"community_id": n.community_id, "category": n.category, "place": n.place,
            "head_count": n.head_count, "source": n.source}),
    )
    .await?;
    Ok(id)
}

/// One move of the workflow, checked by the caller with `NeedStatus::may_become`.
pub struct Move<'a> {
    pub to: NeedStatus,
    pub step: NeedStep,
    /// The team the need is now with (`None` clears it).
    pub team_id: Option<i64>,
    /// The team the step concerns in the timeline (a declining team, after the need left it).
    pub event_team_id: Option<i64>,
    pub activity_id: Option<i64>,
    pub note: &'a str,
    pub response_secs: Option<i64>,
}

/// Moves a need and writes its timeline and audit lines; refuses (false) when the need is no
/// longer in `from` (another request moved it first).
pub async fn move_need(tx: &mut Tx, actor: &Actor, need: &Need, m: &Move<'_>) -> Result<bool, sqlx::Error> {
    let t = now();
    let close_reason = if m.to == NeedStatus::Closed { m.note } else { "" };
    let changed = on_tx!(tx, c => sqlx::query(
        "update needs set status = $1, team_id = $2, activity_id = $3, close_reason = $4, step_at = $5, updated_at = $5
         where id = $6 and status = $7")
        .bind(m.to).bind(m.team_id).bind(m.activity_id).bind(close_reason).bind(t).bind(need.id).bind(need.status)
        .execute(&mut *c).await?.rows_affected());
    if changed == 0 {
        return Ok(false);
    }
    event(tx, actor, need.id, m.step, m.event_team_id, m.note, m.response_secs).await?;
    audit::record_raw(
        tx,
        actor,
        Op::Update,
        Subject::new("need", Some(need.id), need.category.label()),
        &serde_json::json!({"status": [need.status, m.to], "team_id": [need.team_id, m.team_id],
            "activity_id": m.activity_id, "note": m.note}),
    )
    .await?;
    Ok(true)
}

/// When the need was last dispatched to `team_id` (the response time runs from it).
pub async fn asked_at(tx: &mut Tx, need_id: i64, team_id: i64) -> Result<Option<i64>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(
        "select max(at) from need_events where need_id = $1 and team_id = $2 and step = 'dispatched'")
        .bind(need_id).bind(team_id).fetch_one(&mut *c).await)
}

/// Records a rating once per rater; false when this rater already rated (a double submit).
pub async fn rate(
    tx: &mut Tx,
    actor: &Actor,
    need: &Need,
    rater: Rater,
    stars: i64,
    comment: &str,
) -> Result<bool, sqlx::Error> {
    let t = now();
    let added = on_tx!(tx, c => sqlx::query(
        "insert into need_ratings (need_id, rater, stars, comment, at) values ($1, $2, $3, $4, $5)
         on conflict (need_id, rater) do nothing")
        .bind(need.id).bind(rater).bind(stars).bind(comment).bind(t).execute(&mut *c).await?.rows_affected());
    if added == 0 {
        return Ok(false);
    }
    event(
        tx,
        actor,
        need.id,
        NeedStep::Rated,
        need.team_id,
        &format!("{stars}★"),
        None,
    )
    .await?;
    audit::record_raw(
        tx,
        actor,
        Op::Create,
        Subject::new("need_rating", Some(need.id), need.category.label()),
        &serde_json::json!({"rater": rater, "stars": stars, "comment": comment}),
    )
    .await?;
    Ok(true)
}

/// The activity made for an accepted need was completed (fulfilled) or cancelled (the need goes
/// back to the queue): called in the transaction that changes the activity.
pub async fn activity_closed(tx: &mut Tx, actor: &Actor, activity_id: i64, completed: bool) -> Result<(), sqlx::Error> {
    let sql = format!("{SELECT} where n.activity_id = $1 and n.status = $2");
    let found: Vec<Need> = on_tx!(tx, c => sqlx::query_as(&sql).bind(activity_id).bind(NeedStatus::Accepted)
        .fetch_all(&mut *c).await?);
    for need in found {
        let m = if completed {
            Move {
                to: NeedStatus::Fulfilled,
                step: NeedStep::Fulfilled,
                team_id: need.team_id,
                event_team_id: need.team_id,
                activity_id: Some(activity_id),
                note: "",
                response_secs: None,
            }
        } else {
            Move {
                to: NeedStatus::Published,
                step: NeedStep::Cancelled,
                team_id: None,
                event_team_id: need.team_id,
                activity_id: None,
                note: "",
                response_secs: None,
            }
        };
        move_need(tx, actor, &need, &m).await?;
    }
    Ok(())
}

/// A team's figures for the assessment.
#[derive(Clone, Debug, Default, Serialize, ToSchema)]
pub struct TeamFigures {
    pub team_id: i64,
    pub team_name: String,
    pub org_name: String,
    /// Needs dispatched to the team, or claimed by it.
    pub received: i64,
    /// Accepted or claimed.
    pub accepted: i64,
    pub declined: i64,
    /// Its accepted needs whose activity was completed.
    pub fulfilled: i64,
    /// Median seconds from being asked to answering; `None` before any answer.
    pub median_response_secs: Option<i64>,
    /// Average stars of its fulfilled needs' ratings; `None` before any rating.
    pub average_rating: Option<f64>,
    pub ratings: i64,
}

#[derive(sqlx::FromRow)]
struct TeamEventRow {
    team_id: i64,
    team_name: String,
    org_name: String,
    step: NeedStep,
    response_secs: Option<i64>,
}

/// Per team of the campaign that ever had a need: received, accepted, fulfilled, median
/// response time and average rating.
pub async fn team_figures(db: &Db, campaign_id: i64) -> Result<Vec<TeamFigures>, sqlx::Error> {
    let rows: Vec<TeamEventRow> = on_db!(db, pool => sqlx::query_as(
        "select e.team_id, t.name as team_name, coalesce(u.name, cm.name, '') as org_name, e.step, e.response_secs
         from need_events e join needs n on n.id = e.need_id join teams t on t.id = e.team_id
         left join units u on u.id = t.unit_id left join communities cm on cm.id = t.community_id
         where n.campaign_id = $1 and e.step in ('dispatched', 'claimed', 'accepted', 'declined', 'fulfilled')
         order by e.team_id, e.at")
        .bind(campaign_id).fetch_all(pool).await?);
    let ratings: Vec<(i64, i64)> = on_db!(db, pool => sqlx::query_as(
        "select n.team_id, r.stars from need_ratings r join needs n on n.id = r.need_id
         where n.campaign_id = $1 and n.team_id is not null")
        .bind(campaign_id).fetch_all(pool).await?);
    let mut out: Vec<TeamFigures> = vec![];
    let mut responses: Vec<Vec<i64>> = vec![];
    for r in rows {
        if out.last().map(|f| f.team_id) != Some(r.team_id) {
            out.push(TeamFigures {
                team_id: r.team_id,
                team_name: r.team_name.clone(),
                org_name: r.org_name.clone(),
                ..Default::default()
            });
            responses.push(vec![]);
        }
        let f = out.last_mut().expect("pushed");
        match r.step {
            NeedStep::Dispatched => f.received += 1,
            NeedStep::Claimed => {
                f.received += 1;
                f.accepted += 1;
            }
            NeedStep::Accepted => f.accepted += 1,
            NeedStep::Declined => f.declined += 1,
            NeedStep::Fulfilled => f.fulfilled += 1,
            _ => {}
        }
        if let (Some(s), NeedStep::Accepted | NeedStep::Declined) = (r.response_secs, r.step) {
            responses.last_mut().expect("pushed").push(s);
        }
    }
    for (f, rs) in out.iter_mut().zip(responses) {
        f.median_response_secs = median(rs);
        let mine: Vec<i64> = ratings
            .iter()
            .filter(|(t, _)| *t == f.team_id)
            .map(|(_, s)| *s)
            .collect();
        f.ratings = mine.len() as i64;
        if !mine.is_empty() {
            f.average_rating = Some(mine.iter().sum::<i64>() as f64 / mine.len() as f64);
        }
    }
    out.sort_by(|a, b| a.org_name.cmp(&b.org_name).then(a.team_name.cmp(&b.team_name)));
    Ok(out)
}

/// How many needs reached each step (in a month, by when the step was taken; or in the whole
/// campaign), and how many stand in each state now.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = NeedCounts)]
pub struct NeedCounts {
    pub received: i64,
    pub published: i64,
    /// Dispatched to a team or opened for any team to claim.
    pub dispatched: i64,
    /// Accepted or claimed.
    pub accepted: i64,
    pub fulfilled: i64,
    pub closed: i64,
    /// Rated by the community or the resident.
    pub rated: i64,
}

/// Needs received, published, dispatched, accepted, fulfilled and closed in `scope` (a street its
/// communities, a community its own, a unit those its teams took; `Scope::All` the district),
/// in the month `(year, month)` when given. Each need counts once per step.
pub async fn counts(
    db: &Db,
    campaign_id: i64,
    scope: &Scope,
    month: Option<(i32, u32)>,
) -> Result<NeedCounts, sqlx::Error> {
    let (from, to) = match month {
        Some((y, m)) => month_bounds(y, m),
        None => (None, None),
    };
    let (street, community, unit) = match scope {
        Scope::All => (None, None, None),
        Scope::Street(s) => (Some(*s), None, None),
        Scope::Community(c) => (None, Some(*c), None),
        Scope::Unit(u) => (None, None, Some(*u)),
        _ => return Ok(NeedCounts::default()),
    };
    let rows: Vec<(NeedStep, i64)> = on_db!(db, pool => sqlx::query_as(
        "select e.step, count(distinct e.need_id) from need_events e join needs n on n.id = e.need_id
           join communities c on c.id = n.community_id
         where n.campaign_id = $1 and ($2 is null or e.at >= $2) and ($3 is null or e.at < $3)
           and ($4 is null or c.street_id = $4) and ($5 is null or n.community_id = $5)
           and ($6 is null or exists (select 1 from teams ut where ut.id = n.team_id and ut.unit_id = $6))
         group by e.step")
        .bind(campaign_id).bind(from).bind(to).bind(street).bind(community).bind(unit).fetch_all(pool).await?);
    let mut out = NeedCounts::default();
    for (step, n) in rows {
        match step {
            NeedStep::Posted => out.received += n,
            NeedStep::Published => out.published += n,
            NeedStep::Dispatched | NeedStep::Opened => out.dispatched += n,
            NeedStep::Accepted | NeedStep::Claimed => out.accepted += n,
            NeedStep::Fulfilled => out.fulfilled += n,
            NeedStep::Closed => out.closed += n,
            NeedStep::Rated => out.rated += n,
            NeedStep::Declined | NeedStep::Cancelled => {}
        }
    }
    Ok(out)
}

/// Needs per state now, in `scope` (the board's and the dashboards' "needs by state").
pub async fn by_status(db: &Db, campaign_id: i64, scope: &Scope) -> Result<Vec<(NeedStatus, i64)>, sqlx::Error> {
    let Some(scoped) = scope_sql(scope) else {
        return Ok(vec![]);
    };
    let sql = format!(
        "select n.status, count(*) from needs n join communities c on c.id = n.community_id
         where n.campaign_id = $1 and {scoped} group by n.status"
    );
    on_db!(db, pool => sqlx::query_as(&sql).bind(campaign_id).bind(scope_id(scope)).fetch_all(pool).await)
}

/// The first instant of a China-time month and of the next, as timestamps.
fn month_bounds(y: i32, m: u32) -> (Option<i64>, Option<i64>) {
    let start = |y: i32, m: u32| {
        chrono::NaiveDate::from_ymd_opt(y, m, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .and_then(|d| d.and_local_timezone(crate::domain::dates::china()).single())
            .map(|d| d.timestamp())
    };
    let (ny, nm) = if m >= 12 { (y + 1, 1) } else { (y, m + 1) };
    (start(y, m), start(ny, nm))
}

/// How long each step may wait (defaults until the district sets them).
pub async fn timers(db: &Db) -> Result<crate::domain::need::NeedTimers, sqlx::Error> {
    let v: Option<String> = on_db!(db, pool => sqlx::query_scalar("select value from settings where key = 'need_timers'")
        .fetch_optional(pool).await?);
    Ok(v.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default())
}

pub async fn set_timers(
    tx: &mut Tx,
    actor: &Actor,
    before: &crate::domain::need::NeedTimers,
    after: &crate::domain::need::NeedTimers,
) -> Result<(), sqlx::Error> {
    let value = serde_json::to_string(after).unwrap_or_default();
    on_tx!(tx, c => sqlx::query(
        "insert into settings (key, value, updated_at) values ('need_timers', $1, $2)
         on conflict (key) do update set value = excluded.value, updated_at = excluded.updated_at")
        .bind(&value).bind(now()).execute(&mut *c).await.map(|r| r.rows_affected())?);
    audit::record(
        tx,
        actor,
        Op::Update,
        Subject::new("need_timers", None, "need timers"),
        Some(before),
        Some(after),
    )
    .await
}

/// A community as the public form and the wall's filter offer it.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
#[schema(as = NeedCommunityChoice)]
pub struct CommunityChoice {
    pub id: i64,
    pub name: String,
    pub street_id: i64,
    pub street_name: String,
}

/// Every community, by street and name.
pub async fn community_choices(db: &Db) -> Result<Vec<CommunityChoice>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select c.id, c.name, c.street_id, s.name as street_name from communities c join streets s on s.id = c.street_id
         order by s.name, c.name")
        .fetch_all(pool).await)
}

/// The demo's history: a need's current step began `secs` ago (its timer has run), or its
/// activity was held in the past and completed (the need fulfilled), as on a site in use.
pub async fn demo_age(tx: &mut Tx, need_id: i64, secs: i64) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("update needs set step_at = step_at - $1 where id = $2")
        .bind(secs).bind(need_id).execute(&mut *c).await.map(|_| ()))
}

/// The demo's held activity: moved to `starts_at`–`ends_at` (in the past) before it is completed.
pub async fn demo_hold(tx: &mut Tx, activity_id: i64, starts_at: i64, ends_at: i64) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("update activities set starts_at = $1, ends_at = $2 where id = $3")
        .bind(starts_at).bind(ends_at).bind(activity_id).execute(&mut *c).await.map(|_| ()))
}
