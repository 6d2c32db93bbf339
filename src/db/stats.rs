//! The kept figures (issue 12 §3): the dirty keys the triggers of migration 0021 mark, the
//! recounts of those keys (per activity, volunteer, team and month), the figures per scope the
//! dashboards read, and the reads the compliance grid takes from them.

use serde::Serialize;
use utoipa::ToSchema;

use super::{Db, Tx};
use crate::{on_db, on_tx};

/// A dirty key: (`activity` | `volunteer` | `team` | `month`, id, month).
pub type Key = (String, i64, String);

/// Ids recounted per statement (a storm of sign-ins marks thousands of volunteers; the writer
/// is held for one chunk at a time, never for a pass over every sign-in).
pub const CHUNK: usize = 1000;

/// Whether some key waits for a recount.
pub async fn any_dirty(db: &Db) -> Result<bool, sqlx::Error> {
    let n: Option<i64> =
        on_db!(db, pool => sqlx::query_scalar("select id from stats_dirty limit 1").fetch_optional(pool).await?);
    Ok(n.is_some())
}

/// Takes every dirty key (a concurrent refresher on PostgreSQL waits for the rows and finds
/// them gone; a key marked again after this is taken by the next refresh).
pub async fn claim(tx: &mut Tx) -> Result<Vec<Key>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as("delete from stats_dirty returning kind, id, month").fetch_all(&mut *c).await)
}

/// Marks everything dirty (the recount command, after which the refresh recounts it all).
pub async fn mark_all(tx: &mut Tx) -> Result<(), sqlx::Error> {
    for sql in [
        "insert into stats_dirty (kind, id, month) select 'activity', id, '' from activities where true on conflict do nothing",
        "insert into stats_dirty (kind, id, month) select distinct 'volunteer', volunteer_id, '' from attendance
         where true on conflict do nothing",
        "insert into stats_dirty (kind, id, month) select distinct 'month', 0, month from activities where true
         on conflict do nothing",
        "insert into stats_dirty (kind, id, month) select 'team', id, '' from teams where true on conflict do nothing",
    ] {
        on_tx!(tx, c => sqlx::query(sql).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// ` where {col} in (…)` for integer ids (safe to inline), or nothing for every row.
fn only(col: &str, ids: Option<&[i64]>) -> String {
    match ids {
        None => String::new(),
        Some(ids) => format!(
            " where {col} in ({})",
            std::iter::once("-1".to_string())
                .chain(ids.iter().map(i64::to_string))
                .collect::<Vec<_>>()
                .join(",")
        ),
    }
}

async fn run(tx: &mut Tx, sql: &str) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(sql).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Recounts the confirmed people and minutes of the activities `ids` (all when `None`).
pub async fn recount_activities(tx: &mut Tx, ids: Option<&[i64]>) -> Result<(), sqlx::Error> {
    run(tx, &format!("delete from stats_activity{}", only("activity_id", ids))).await?;
    run(
        tx,
        &format!(
            "insert into stats_activity (activity_id, people, minutes)
             select a.id, count(x.id), cast(coalesce(sum(x.minutes), 0) as bigint) from activities a
             left join attendance x on x.activity_id = a.id and x.confirmed_at is not null and x.minutes is not null{}
             group by a.id",
            only("a.id", ids)
        ),
    )
    .await
}

/// Recounts the confirmed minutes (all years) of the volunteers `ids` (all when `None`).
pub async fn recount_volunteers(tx: &mut Tx, ids: Option<&[i64]>) -> Result<(), sqlx::Error> {
    run(tx, &format!("delete from stats_volunteer{}", only("volunteer_id", ids))).await?;
    let filter = only("volunteer_id", ids);
    let and = if filter.is_empty() {
        " where".to_string()
    } else {
        format!("{filter} and")
    };
    run(
        tx,
        &format!(
            "insert into stats_volunteer (volunteer_id, minutes)
             select volunteer_id, cast(sum(minutes) as bigint) from attendance{and} confirmed_at is not null
               and minutes is not null group by volunteer_id"
        ),
    )
    .await
}

/// Recounts the roster sizes of the teams `ids` (all when `None`).
pub async fn recount_teams(tx: &mut Tx, ids: Option<&[i64]>) -> Result<(), sqlx::Error> {
    run(tx, &format!("delete from stats_team{}", only("team_id", ids))).await?;
    run(
        tx,
        &format!(
            "insert into stats_team (team_id, campaign_id, roster, managers)
             select t.id, t.campaign_id, count(m.id),
                    cast(coalesce(sum(case when m.is_manager then 1 else 0 end), 0) as bigint)
             from teams t left join team_members m on m.team_id = t.id{} group by t.id, t.campaign_id",
            only("t.id", ids)
        ),
    )
    .await
}

/// The campaigns whose months of activities hold `month`, and those of the teams `teams`.
pub async fn campaigns_of(tx: &mut Tx, month: &str) -> Result<Vec<i64>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(
        "select id from campaigns where substr(activities_start, 1, 7) <= $1 and substr(activities_end, 1, 7) >= $1")
        .bind(month).fetch_all(&mut *c).await)
}

/// The campaign and its months (`activities_start`, `activities_end`) of each of the teams.
pub async fn team_campaigns(tx: &mut Tx, teams: &[i64]) -> Result<Vec<(i64, String, String)>, sqlx::Error> {
    let sql = format!(
        "select distinct c.id, c.activities_start, c.activities_end from teams t join campaigns c on c.id = t.campaign_id{}",
        only("t.id", Some(teams))
    );
    on_tx!(tx, c => sqlx::query_as(&sql).fetch_all(&mut *c).await)
}

/// Recounts one month of one campaign's compliance per team, except the late hours
/// ([`late_candidates`], [`set_late`]).
pub async fn recount_month(tx: &mut Tx, campaign_id: i64, month: &str) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("delete from stats_team_month where campaign_id = $1 and month = $2")
        .bind(campaign_id).bind(month).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    on_tx!(tx, c => sqlx::query(
        "insert into stats_team_month (campaign_id, team_id, month, held, co_held, turnout, managers_served, hours_late)
         select $1, team_id, $2, cast(sum(held) as bigint), cast(sum(co) as bigint), cast(sum(turnout) as bigint),
                cast(sum(managers) as bigint), 0
         from (
           select team_id, count(*) as held, 0 as co, 0 as turnout, 0 as managers from activities
           where campaign_id = $1 and month = $2 and status in ('published', 'completed') and attended > 0
           group by team_id
           union all
           select at.team_id, 0, count(*), 0, 0 from activity_teams at join activities a on a.id = at.activity_id
           where at.co and a.campaign_id = $1 and a.month = $2 and a.status in ('published', 'completed')
             and a.attended > 0 group by at.team_id
           union all
           select team_id, 0, 0, sum(attended), 0 from activities
           where campaign_id = $1 and month = $2 and status <> 'cancelled'
             and day in (select day from concentrated_days where campaign_id = $1)
           group by team_id
           union all
           select m.team_id, 0, 0, 0, count(distinct m.volunteer_id) from team_members m
           join teams t on t.id = m.team_id
           join attendance x on x.volunteer_id = m.volunteer_id
           where m.is_manager and t.campaign_id = $1 and x.month = $2
           group by m.team_id
         ) f group by team_id")
        .bind(campaign_id).bind(month).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Activities of a month whose hours were confirmed a day or more after the end: (team, ends,
/// confirmed at); the caller decides by the working-day rule which were late.
pub async fn late_candidates(tx: &mut Tx, campaign_id: i64, month: &str) -> Result<Vec<(i64, i64, i64)>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as(
        "select team_id, ends_at, hours_confirmed_at from activities
         where campaign_id = $1 and month = $2 and status in ('published', 'completed') and attended > 0
           and hours_confirmed_at > ends_at + 86400")
        .bind(campaign_id).bind(month).fetch_all(&mut *c).await)
}

/// Sets the activities confirmed late of teams in a month.
pub async fn set_late(tx: &mut Tx, campaign_id: i64, month: &str, late: &[(i64, i64)]) -> Result<(), sqlx::Error> {
    for (team, n) in late {
        on_tx!(tx, c => sqlx::query(
            "update stats_team_month set hours_late = $4 where campaign_id = $1 and month = $2 and team_id = $3")
            .bind(campaign_id).bind(month).bind(team).bind(n).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// One team's month as kept: (team, month, held, co-held, turnout, managers served, hours late).
pub type TeamMonthRow = (i64, String, i64, i64, i64, i64, i64);

/// The kept months of a campaign's teams (`unit` narrows them to one unit's teams).
pub async fn team_months(db: &Db, campaign_id: i64, unit: Option<i64>) -> Result<Vec<TeamMonthRow>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select s.team_id, s.month, s.held, s.co_held, s.turnout, s.managers_served, s.hours_late
         from stats_team_month s join teams t on t.id = s.team_id
         where s.campaign_id = $1 and ($2 is null or t.unit_id = $2)")
        .bind(campaign_id).bind(unit).fetch_all(pool).await)
}

/// The kept roster sizes of a campaign's teams: (team, people, managers).
pub async fn team_sizes(db: &Db, campaign_id: i64) -> Result<Vec<(i64, i64, i64)>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as("select team_id, roster, managers from stats_team where campaign_id = $1")
        .bind(campaign_id).fetch_all(pool).await)
}

/// Attended activities not over at `t` (kept as held, not yet held): (organising or co-organising
/// team, month, co).
pub async fn under_way(db: &Db, campaign_id: i64, t: i64) -> Result<Vec<(i64, String, bool)>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select a.team_id, a.month, false from activities a
         where a.ends_at > $2 and a.attended > 0 and a.campaign_id = $1 and a.status in ('published', 'completed')
         union all
         select at.team_id, a.month, true from activities a join activity_teams at on at.activity_id = a.id and at.co
         where a.ends_at > $2 and a.attended > 0 and a.campaign_id = $1 and a.status in ('published', 'completed')")
        .bind(campaign_id).bind(t).fetch_all(pool).await)
}

/// Attended activities over at `t` whose hours are not confirmed: (team, month, ends).
pub async fn unconfirmed(db: &Db, campaign_id: i64, t: i64) -> Result<Vec<(i64, String, i64)>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select team_id, month, ends_at from activities
         where hours_confirmed_at is null and attended > 0 and ends_at <= $2 and campaign_id = $1
           and status in ('published', 'completed')")
        .bind(campaign_id).bind(t).fetch_all(pool).await)
}

/// One activity as the figures count it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ActivityFacts {
    pub team_id: i64,
    pub unit_id: Option<i64>,
    /// The team's community (a resident team) and the community served.
    pub team_community_id: Option<i64>,
    pub community_id: Option<i64>,
    pub month: String,
    pub category: String,
    pub form: String,
    pub status: String,
    pub people: i64,
    pub minutes: i64,
}

/// Every activity of a campaign with its kept people and minutes.
pub async fn activity_facts(db: &Db, campaign_id: i64) -> Result<Vec<ActivityFacts>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select a.team_id, t.unit_id, t.community_id as team_community_id, a.community_id, a.month, a.category,
                a.form, a.status, coalesce(s.people, 0) as people, coalesce(s.minutes, 0) as minutes
         from activities a join teams t on t.id = a.team_id left join stats_activity s on s.activity_id = a.id
         where a.campaign_id = $1")
        .bind(campaign_id).fetch_all(pool).await)
}

/// Each community's street: (community, street).
pub async fn community_streets(db: &Db) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as("select id, street_id from communities").fetch_all(pool).await)
}

/// The streets that have communities, by id, with their names (the dashboard's columns).
pub async fn street_names(db: &Db) -> Result<Vec<(i64, String)>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select s.id, s.name from streets s where exists (select 1 from communities c where c.street_id = s.id)
         order by s.id")
        .fetch_all(pool).await)
}

/// Every unit's id and name, by name (the district's picker on the dashboard). One row, not one
/// per unit: SQLite hands each row over from its own thread, and 300 hand-overs cost more than
/// the rest of the page.
pub async fn unit_names(db: &Db) -> Result<Vec<(i64, String)>, sqlx::Error> {
    let sql = match db {
        Db::Sqlite { .. } => "select json_group_array(json_array(id, name) order by name, id) from units",
        Db::Pg(_) => "select coalesce(json_agg(json_build_array(id, name) order by name, id), '[]')::text from units",
    };
    let list: String = on_db!(db, pool => sqlx::query_scalar(sql).fetch_one(pool).await)?;
    serde_json::from_str(&list).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

/// Volunteers per team and star level (0–5 by the kept minutes and the thresholds in minutes):
/// (team, stars, people); and the district's, each person once (team 0).
pub async fn stars(db: &Db, campaign_id: i64, minutes: &[i64; 5]) -> Result<Vec<(i64, i64, i64)>, sqlx::Error> {
    let level = "cast(case when coalesce(v.minutes, 0) >= $6 then 5 when coalesce(v.minutes, 0) >= $5 then 4
                 when coalesce(v.minutes, 0) >= $4 then 3 when coalesce(v.minutes, 0) >= $3 then 2
                 when coalesce(v.minutes, 0) >= $2 then 1 else 0 end as bigint)";
    let sql = format!(
        "select m.team_id, {level} as stars, count(*) from team_members m join teams t on t.id = m.team_id
         left join stats_volunteer v on v.volunteer_id = m.volunteer_id where t.campaign_id = $1
         group by 1, 2
         union all
         select 0, {level}, count(*) from (select distinct m.volunteer_id from team_members m
           join teams t on t.id = m.team_id where t.campaign_id = $1) p
         left join stats_volunteer v on v.volunteer_id = p.volunteer_id group by 2"
    );
    on_db!(db, pool => sqlx::query_as(&sql).bind(campaign_id).bind(minutes[0]).bind(minutes[1]).bind(minutes[2])
        .bind(minutes[3]).bind(minutes[4]).fetch_all(pool).await)
}

/// People added to each team's roster per China-time day: (team, day number since 1970, people).
pub async fn roster_days(db: &Db, campaign_id: i64) -> Result<Vec<(i64, i64, i64)>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select m.team_id, (m.created_at + 28800) / 86400 as d, count(*) from team_members m
         join teams t on t.id = m.team_id where t.campaign_id = $1 group by 1, 2")
        .bind(campaign_id).fetch_all(pool).await)
}

/// One kept figure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema, sqlx::FromRow)]
#[schema(as = StatsFigure)]
pub struct Figure {
    /// What it is counted by: `month`, `category`, `street`, `status`, `form`, `star`, `roster`,
    /// `milestone`, `needs` or `total`.
    pub dim: String,
    /// The month (`YYYY-MM`), category code, street id, status, stars (0–5), milestone and status, …
    pub key: String,
    pub activities: i64,
    /// Confirmed attendances (人次); for `star`, `roster` and `total` the people counted.
    pub people: i64,
    /// Confirmed minutes.
    pub minutes: i64,
}

/// Replaces a campaign's figures. The first statement takes the campaign's row in `stats_state`,
/// so refreshers of several instances write one after another.
pub async fn replace_figures(
    tx: &mut Tx,
    campaign_id: i64,
    at: i64,
    rows: &[(String, i64, Figure)],
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "insert into stats_state (campaign_id, built_at) values ($1, $2)
         on conflict (campaign_id) do update set built_at = excluded.built_at")
        .bind(campaign_id).bind(at).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    on_tx!(tx, c => sqlx::query("delete from stats_figures where campaign_id = $1")
        .bind(campaign_id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    for chunk in rows.chunks(400) {
        let mut sql = String::from(
            "insert into stats_figures (campaign_id, scope, scope_id, dim, key, activities, people, minutes) values ",
        );
        for i in 0..chunk.len() {
            let b = i * 7;
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!(
                "($1, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7,
                b + 8
            ));
        }
        on_tx!(tx, c => {
            let mut q = sqlx::query(&sql).bind(campaign_id);
            for (scope, id, f) in chunk {
                q = q.bind(scope).bind(id).bind(&f.dim).bind(&f.key).bind(f.activities).bind(f.people).bind(f.minutes);
            }
            q.execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// Notes that keys were recounted at `at` (row 0 of `stats_state`), so that a build held back
/// by the gap between builds still follows.
pub async fn note_recount(tx: &mut Tx, at: i64) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "insert into stats_state (campaign_id, built_at) values (0, $1)
         on conflict (campaign_id) do update set built_at = excluded.built_at")
        .bind(at).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Whether keys were recounted after `at`.
pub async fn changed_since(db: &Db, at: i64) -> Result<bool, sqlx::Error> {
    Ok(built_at(db, 0).await?.is_some_and(|r| r >= at))
}

/// When a campaign's figures were last built.
pub async fn built_at(db: &Db, campaign_id: i64) -> Result<Option<i64>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar("select built_at from stats_state where campaign_id = $1")
        .bind(campaign_id).fetch_optional(pool).await)
}

/// The kept figures of one scope (`district` 0, `street` id or `unit` id).
pub async fn figures(db: &Db, campaign_id: i64, scope: &str, scope_id: i64) -> Result<Vec<Figure>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select dim, key, activities, people, minutes from stats_figures
         where campaign_id = $1 and scope = $2 and scope_id = $3 order by dim, key")
        .bind(campaign_id).bind(scope).bind(scope_id).fetch_all(pool).await)
}

/// The district's totals of a campaign.
pub async fn totals(db: &Db, campaign_id: i64) -> Result<Vec<Figure>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select dim, key, activities, people, minutes from stats_figures
         where campaign_id = $1 and scope = 'district' and scope_id = 0 and dim = 'total'")
        .bind(campaign_id).fetch_all(pool).await)
}

/// Distinct volunteers on a campaign's rosters.
pub async fn volunteers_on_rosters(db: &Db, campaign_id: i64) -> Result<i64, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar(
        "select count(distinct m.volunteer_id) from team_members m join teams t on t.id = m.team_id
         where t.campaign_id = $1")
        .bind(campaign_id).fetch_one(pool).await)
}

/// Every kept row as text, in a fixed order (what a recount must reproduce; the build times
/// A kept team-month row and a kept figure row, as the recount compares them.
type MonthRow = (i64, i64, String, i64, i64, i64, i64, i64);
type FigureRow = (i64, String, i64, String, String, i64, i64, i64);

/// left out).
pub async fn dump(db: &Db) -> Result<Vec<String>, sqlx::Error> {
    let mut out = vec![];
    let a: Vec<(i64, i64, i64)> = on_db!(db, pool => sqlx::query_as(
        "select activity_id, people, minutes from stats_activity order by 1").fetch_all(pool).await?);
    out.extend(a.iter().map(|r| format!("activity {r:?}")));
    let v: Vec<(i64, i64)> = on_db!(db, pool => sqlx::query_as(
        "select volunteer_id, minutes from stats_volunteer order by 1").fetch_all(pool).await?);
    out.extend(v.iter().map(|r| format!("volunteer {r:?}")));
    let t: Vec<(i64, i64, i64, i64)> = on_db!(db, pool => sqlx::query_as(
        "select team_id, campaign_id, roster, managers from stats_team order by 1").fetch_all(pool).await?);
    out.extend(t.iter().map(|r| format!("team {r:?}")));
    let m: Vec<MonthRow> = on_db!(db, pool => sqlx::query_as(
        "select campaign_id, team_id, month, held, co_held, turnout, managers_served, hours_late
         from stats_team_month order by 1, 2, 3").fetch_all(pool).await?);
    out.extend(m.iter().map(|r| format!("month {r:?}")));
    let f: Vec<FigureRow> = on_db!(db, pool => sqlx::query_as(
        "select campaign_id, scope, scope_id, dim, key, activities, people, minutes from stats_figures
         order by 1, 2, 3, 4, 5").fetch_all(pool).await?);
    out.extend(f.iter().map(|r| format!("figure {r:?}")));
    Ok(out)
}
