//! The assessment's records (the scheme, bonus and penalty items, the kept ranking and the frozen
//! snapshot) and the facts it reads beyond the board and the compliance grid: hours, the roster
//! that served, dispatched actions; and one organisation's facts for the drill-down.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::audit::{self, Actor, Op, Subject};
use super::{now, Db, Tx};
use crate::{on_db, on_tx};

/// One line of the scheme.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
#[schema(as = SchemeItem)]
pub struct Item {
    pub indicator: String,
    pub weight: i64,
    pub cap: i64,
}

/// A bonus (positive points) or penalty (negative) entered by the district.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
pub struct Adjustment {
    pub id: i64,
    pub campaign_id: i64,
    /// `unit`, `community` or `team`.
    pub org_kind: String,
    pub org_id: i64,
    /// Tenths of a point.
    pub points: i64,
    pub reason: String,
    pub evidence: String,
    pub created_by: String,
    pub created_at: i64,
}

/// A new bonus or penalty, checked.
pub struct NewAdjustment<'a> {
    pub campaign_id: i64,
    pub org_kind: &'a str,
    pub org_id: i64,
    pub points: i64,
    pub reason: &'a str,
    pub evidence: &'a str,
    pub label: &'a str,
}

/// The scheme of a campaign, in the order the lines were made.
pub async fn scheme(db: &Db, campaign_id: i64) -> Result<Vec<Item>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select indicator, weight, cap from assessment_items where campaign_id = $1 order by id")
        .bind(campaign_id).fetch_all(pool).await)
}

/// Adds the lines a campaign's scheme lacks (the defaults), audited.
pub async fn add_items(tx: &mut Tx, actor: &Actor, campaign_id: i64, items: &[Item]) -> Result<(), sqlx::Error> {
    for i in items {
        on_tx!(tx, c => sqlx::query(
            "insert into assessment_items (campaign_id, indicator, weight, cap, updated_at) values ($1, $2, $3, $4, $5)")
            .bind(campaign_id).bind(&i.indicator).bind(i.weight).bind(i.cap).bind(now())
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    }
    if !items.is_empty() {
        let details = serde_json::json!({ "items": items });
        audit::record_raw(
            tx,
            actor,
            Op::Create,
            Subject::new("assessment_scheme", Some(campaign_id), "scheme"),
            &details,
        )
        .await?;
    }
    Ok(())
}

/// Changes one line's weight and cap, audited with the values before and after.
pub async fn update_item(tx: &mut Tx, actor: &Actor, campaign_id: i64, item: &Item) -> Result<(), sqlx::Error> {
    let before: Option<Item> = on_tx!(tx, c => sqlx::query_as(
        "select indicator, weight, cap from assessment_items where campaign_id = $1 and indicator = $2")
        .bind(campaign_id).bind(&item.indicator).fetch_optional(&mut *c).await)?;
    on_tx!(tx, c => sqlx::query(
        "update assessment_items set weight = $1, cap = $2, updated_at = $3 where campaign_id = $4 and indicator = $5")
        .bind(item.weight).bind(item.cap).bind(now()).bind(campaign_id).bind(&item.indicator)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    audit::record(
        tx,
        actor,
        Op::Update,
        Subject::new("assessment_scheme", Some(campaign_id), &item.indicator),
        before.as_ref(),
        Some(item),
    )
    .await
}

/// Records a bonus or penalty, audited.
pub async fn create_adjustment(tx: &mut Tx, actor: &Actor, a: &NewAdjustment<'_>) -> Result<Adjustment, sqlx::Error> {
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "insert into assessment_adjustments (campaign_id, org_kind, org_id, points, reason, evidence, created_by, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8) returning id")
        .bind(a.campaign_id).bind(a.org_kind).bind(a.org_id).bind(a.points).bind(a.reason).bind(a.evidence)
        .bind(&actor.username).bind(now()).fetch_one(&mut *c).await)?;
    let row: Adjustment = on_tx!(tx, c => sqlx::query_as("select * from assessment_adjustments where id = $1")
        .bind(id).fetch_one(&mut *c).await)?;
    audit::record(
        tx,
        actor,
        Op::Create,
        Subject::new("assessment_adjustment", Some(id), a.label),
        None,
        Some(&row),
    )
    .await?;
    Ok(row)
}

/// A campaign's bonuses and penalties, newest first.
pub async fn adjustments(db: &Db, campaign_id: i64) -> Result<Vec<Adjustment>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select * from assessment_adjustments where campaign_id = $1 order by created_at desc, id desc")
        .bind(campaign_id).fetch_all(pool).await)
}

/// The kept ranking of a campaign: (computed at, JSON).
pub async fn cached(db: &Db, campaign_id: i64) -> Result<Option<(i64, String)>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as("select computed_at, body from assessment_cache where campaign_id = $1")
        .bind(campaign_id).fetch_optional(pool).await)
}

/// Keeps a computed ranking (derived from audited records, so not itself audited).
/// One statement, so that two refreshes at once (two instances, two viewers of a stale ranking)
/// both succeed: the later computation is kept.
pub async fn keep(tx: &mut Tx, campaign_id: i64, at: i64, body: &str) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "insert into assessment_cache (campaign_id, computed_at, body) values ($1, $2, $3)
         on conflict (campaign_id) do update set computed_at = excluded.computed_at, body = excluded.body
         where excluded.computed_at >= assessment_cache.computed_at")
        .bind(campaign_id).bind(at).bind(body).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Drops the kept ranking (after a change to what it is computed from).
pub async fn forget(tx: &mut Tx, campaign_id: i64) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("delete from assessment_cache where campaign_id = $1").bind(campaign_id)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The frozen snapshot of a campaign: (taken at, taken by, JSON).
pub async fn snapshot(db: &Db, campaign_id: i64) -> Result<Option<(i64, String, String)>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as("select taken_at, taken_by, body from assessment_snapshots where campaign_id = $1")
        .bind(campaign_id).fetch_optional(pool).await)
}

/// Freezes the ranking (once; audited).
pub async fn freeze(
    tx: &mut Tx,
    actor: &Actor,
    campaign_id: i64,
    at: i64,
    body: &str,
    rows: usize,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "insert into assessment_snapshots (campaign_id, taken_at, taken_by, body) values ($1, $2, $3, $4)")
        .bind(campaign_id).bind(at).bind(&actor.username).bind(body).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    let details = serde_json::json!({ "taken_at": at, "rows": rows });
    audit::record_raw(
        tx,
        actor,
        Op::Update,
        Subject::new("assessment_snapshot", Some(campaign_id), "close"),
        &details,
    )
    .await
}

/// (team, count) pairs.
pub type PerTeam = Vec<(i64, i64)>;

/// Per team of the campaign: people on its roster who signed in during the months
/// `first..=last` (`YYYY-MM`), and the minutes confirmed at its activities.
pub async fn served_and_minutes(
    db: &Db,
    campaign_id: i64,
    first: &str,
    last: &str,
) -> Result<(PerTeam, PerTeam), sqlx::Error> {
    let served: PerTeam = on_db!(db, pool => sqlx::query_as(
        "select m.team_id, count(*) from team_members m join teams t on t.id = m.team_id
         where t.campaign_id = $1 and exists (select 1 from attendance x where x.volunteer_id = m.volunteer_id
           and x.month >= $2 and x.month <= $3)
         group by m.team_id")
        .bind(campaign_id).bind(first).bind(last).fetch_all(pool).await)?;
    let minutes: PerTeam = on_db!(db, pool => sqlx::query_as(
        "select a.team_id, cast(coalesce(sum(x.minutes), 0) as bigint) from activities a
         join attendance x on x.activity_id = a.id
         where a.campaign_id = $1 and x.confirmed_at is not null and x.minutes is not null
         group by a.team_id")
        .bind(campaign_id).fetch_all(pool).await)?;
    Ok((served, minutes))
}

/// One dispatched team's line: (team, answer, review, the action's end, people signed in at the
/// team's activity).
pub type DispatchLine = (i64, String, String, i64, i64);

/// Every dispatched line of the campaign.
pub async fn dispatch_lines(db: &Db, campaign_id: i64) -> Result<Vec<DispatchLine>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select dt.team_id, dt.answer, dt.review, d.ends_at, coalesce(a.attended, 0)
         from dispatch_teams dt join dispatches d on d.id = dt.dispatch_id
         left join activities a on a.id = dt.activity_id where d.campaign_id = $1")
        .bind(campaign_id).fetch_all(pool).await)
}

/// Units' level and kind, by id.
pub async fn unit_classes(db: &Db) -> Result<Vec<(i64, String, String)>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as("select id, level, kind from units").fetch_all(pool).await)
}

/// A campaign's teams: (id, name, unit, community).
pub async fn teams(db: &Db, campaign_id: i64) -> Result<Vec<(i64, String, Option<i64>, Option<i64>)>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as("select id, name, unit_id, community_id from teams where campaign_id = $1 order by id")
        .bind(campaign_id).fetch_all(pool).await)
}

/// A campaign's teams' rosters: (team, people, managers).
pub async fn team_rosters(db: &Db, campaign_id: i64) -> Result<Vec<(i64, i64, i64)>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select m.team_id, count(*), cast(sum(case when m.is_manager then 1 else 0 end) as bigint)
         from team_members m join teams t on t.id = m.team_id where t.campaign_id = $1 group by m.team_id")
        .bind(campaign_id).fetch_all(pool).await)
}

/// One activity behind a score.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
pub struct ActivityFact {
    pub id: i64,
    pub team_id: i64,
    pub title: String,
    pub day: String,
    pub attended: i64,
    pub ends_at: i64,
    pub hours_confirmed_at: Option<i64>,
    /// Minutes confirmed at it.
    pub minutes: i64,
}

/// Which teams' facts are read: `None` for every team of the campaign (closing the year), or
/// those listed (one organisation's explanation).
pub type Teams<'a> = Option<&'a [i64]>;

/// ` and <column> in (…)` for the teams listed, nothing for all of them.
fn team_filter(column: &str, teams: Teams) -> String {
    teams.map_or(String::new(), |ids| format!(" and {column} in ({})", id_list(ids)))
}

/// The activities held by `teams` in the campaign up to `t`, by day, with the minutes confirmed
/// at each: a few teams' summed per activity along the sign-ins' unique index; every team's in
/// one grouped pass over the campaign's sign-ins (two to three times faster at district scale
/// than summing each of its 17,500 activities in turn).
pub async fn activities_of(
    db: &Db,
    campaign_id: i64,
    teams: Teams<'_>,
    t: i64,
) -> Result<Vec<ActivityFact>, sqlx::Error> {
    const COLUMNS: &str = "a.id, a.team_id, a.title, a.day, a.attended, a.ends_at, a.hours_confirmed_at";
    const HELD: &str =
        "a.campaign_id = $1 and a.status in ('published', 'completed') and a.ends_at <= $2 and a.attended > 0";
    let sql = match teams {
        Some(ids) => format!(
            "select {COLUMNS}, (select cast(coalesce(sum(x.minutes), 0) as bigint) from attendance x
                  where x.activity_id = a.id and x.confirmed_at is not null) as minutes
             from activities a where {HELD} and a.team_id in ({}) order by a.day, a.id",
            id_list(ids)
        ),
        None => format!(
            "select {COLUMNS}, cast(coalesce(m.minutes, 0) as bigint) as minutes
             from activities a left join (select x.activity_id, sum(x.minutes) as minutes
                 from attendance x join activities b on b.id = x.activity_id
                 where b.campaign_id = $1 and x.confirmed_at is not null group by x.activity_id) m
               on m.activity_id = a.id
             where {HELD} order by a.day, a.id"
        ),
    };
    on_db!(db, pool => sqlx::query_as(&sql).bind(campaign_id).bind(t).fetch_all(pool).await)
}

/// One dispatched line behind a score.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
pub struct DispatchFact {
    pub dispatch_id: i64,
    pub team_id: i64,
    pub title: String,
    pub answer: String,
    pub review: String,
    pub ends_at: i64,
    pub attended: i64,
}

/// The dispatched lines of `teams`, in the order the actions start.
pub async fn dispatches_of(db: &Db, campaign_id: i64, teams: Teams<'_>) -> Result<Vec<DispatchFact>, sqlx::Error> {
    let only = team_filter("dt.team_id", teams);
    let sql = format!(
        "select d.id as dispatch_id, dt.team_id, d.title, dt.answer, dt.review, d.ends_at, coalesce(a.attended, 0) as attended
         from dispatch_teams dt join dispatches d on d.id = dt.dispatch_id
         left join activities a on a.id = dt.activity_id
         where d.campaign_id = $1{only} order by d.starts_at, d.id, dt.team_id"
    );
    on_db!(db, pool => sqlx::query_as(&sql).bind(campaign_id).fetch_all(pool).await)
}

/// One check-in behind a score: (team, community name, status, confirmed at).
pub type CheckinFact = (i64, String, String, Option<i64>);

/// The check-ins of `teams` (of the campaign), by team and community.
pub async fn checkins_of(db: &Db, campaign_id: i64, teams: Teams<'_>) -> Result<Vec<CheckinFact>, sqlx::Error> {
    let only = team_filter("k.team_id", teams);
    let sql = format!(
        "select k.team_id, c.name, k.status, k.confirmed_at from checkins k
         join teams t on t.id = k.team_id join communities c on c.id = k.community_id
         where t.campaign_id = $1{only} order by k.team_id, c.name, k.id"
    );
    on_db!(db, pool => sqlx::query_as(&sql).bind(campaign_id).fetch_all(pool).await)
}

/// The facts behind one score frozen when the year was closed (its JSON), if any: a year closed
/// before they were frozen has none.
pub async fn frozen_facts(db: &Db, campaign_id: i64, kind: &str, id: i64) -> Result<Option<String>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar(
        "select body from assessment_snapshot_facts where campaign_id = $1 and kind = $2 and org_id = $3")
        .bind(campaign_id).bind(kind).bind(id).fetch_optional(pool).await)
}

/// Rows written per statement when the facts are frozen (four values each, far under either
/// database's limit on bound values).
const FACTS_PER_STATEMENT: usize = 200;

/// Freezes the facts behind every score, (kind, id, JSON), several rows per statement (derived
/// from audited records and part of the audited close, so not audited row by row).
pub async fn freeze_facts(tx: &mut Tx, campaign_id: i64, rows: &[(String, i64, String)]) -> Result<(), sqlx::Error> {
    for chunk in rows.chunks(FACTS_PER_STATEMENT) {
        let values = super::value_groups(tx, chunk.len(), 4);
        let sql = format!("insert into assessment_snapshot_facts (campaign_id, kind, org_id, body) values {values}");
        on_tx!(tx, c => {
            let mut q = sqlx::query(&sql);
            for (kind, id, body) in chunk {
                q = q.bind(campaign_id).bind(kind).bind(*id).bind(body);
            }
            q.execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// Integer ids inlined in a query (safe: integers only), never empty.
fn id_list(ids: &[i64]) -> String {
    std::iter::once("-1".to_string())
        .chain(ids.iter().map(|i| i.to_string()))
        .collect::<Vec<_>>()
        .join(",")
}
