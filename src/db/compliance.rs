//! Monthly compliance: the grid's values, and the reads it is computed from (per team and month,
//! in a handful of grouped queries; the activity counters kept with each sign-in spare a pass
//! over the sign-ins).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Db;
use crate::domain::campaign::OrgRowKind;
use crate::domain::compliance::MonthStatus;
use crate::on_db;

/// One org's month.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MonthCell {
    /// `YYYY-MM`.
    pub month: String,
    /// `met`, `missed`, `open` (the month is under way) or `future`.
    pub status: MonthStatus,
    /// Activities held: over, not cancelled, with someone signed in.
    pub held: i64,
    /// People who signed in at its activities on the month's concentrated day.
    pub concentrated_turnout: i64,
    /// Its managers who served that month.
    pub managers_served: i64,
    /// Activities whose hours were confirmed after the deadline, or are overdue.
    pub hours_late: i64,
    pub hours_missing: i64,
}

/// One unit's (or community's) year.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct OrgCompliance {
    /// `unit` or `community`.
    pub kind: OrgRowKind,
    pub id: i64,
    pub name: String,
    pub street: String,
    /// Volunteers on its rosters and managers among them.
    pub roster: i64,
    pub managers: i64,
    pub months: Vec<MonthCell>,
    /// Months met of the months that are over.
    pub met: i64,
    pub due: i64,
}

/// The month-by-org grid of a campaign.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Grid {
    pub campaign_year: i64,
    pub months: Vec<String>,
    pub rows: Vec<OrgCompliance>,
}

/// (team, month `YYYY-MM`, count).
pub type TeamMonth = (i64, String, i64);

/// The raw facts of one campaign (or one unit's teams in it).
#[derive(Debug, Default)]
pub struct Facts {
    /// Every team: (id, unit, community).
    pub teams: Vec<(i64, Option<i64>, Option<i64>)>,
    /// Activities held (over, not cancelled, someone signed in), own and co-organised.
    pub held: Vec<TeamMonth>,
    pub co_held: Vec<TeamMonth>,
    /// People signed in on the concentrated days.
    pub turnout: Vec<TeamMonth>,
    /// Managers who served.
    pub managers: Vec<TeamMonth>,
    /// Activities that may be late: (team, month, ends_at, hours_confirmed_at).
    pub confirmations: Vec<(i64, String, i64, Option<i64>)>,
    /// (team, people on its roster) and (team, managers among them).
    pub roster: Vec<(i64, i64)>,
    pub managers_count: Vec<(i64, i64)>,
}

/// The facts at time `t` for the months `first..=last` (`YYYY-MM`), counted from the raw records;
/// `unit` narrows them to one unit's teams. The grid reads the kept figures (`db::stats`); this
/// recount is what they are checked against.
pub async fn facts(
    db: &Db,
    campaign_id: i64,
    t: i64,
    first: &str,
    last: &str,
    unit: Option<i64>,
) -> Result<Facts, sqlx::Error> {
    let teams: Vec<(i64, Option<i64>, Option<i64>)> = on_db!(db, pool => sqlx::query_as(
        "select id, unit_id, community_id from teams where campaign_id = $1 and ($2 is null or unit_id = $2)")
        .bind(campaign_id).bind(unit).fetch_all(pool).await?);
    // Only this unit's teams (an id list of integers, safe to inline).
    let only = |col: &str| match unit {
        None => String::new(),
        Some(_) => format!(
            " and {col} in ({})",
            std::iter::once("-1".to_string())
                .chain(teams.iter().map(|(id, _, _)| id.to_string()))
                .collect::<Vec<_>>()
                .join(",")
        ),
    };
    let held_sql = format!(
        "select team_id, month, count(*) from activities
         where campaign_id = $1 and status in ('published', 'completed') and ends_at <= $2 and attended > 0{}
         group by team_id, month",
        only("team_id")
    );
    let co_held_sql = format!(
        "select at.team_id, a.month, count(*) from activity_teams at join activities a on a.id = at.activity_id
         where at.co and a.campaign_id = $1 and a.status in ('published', 'completed') and a.ends_at <= $2
           and a.attended > 0{} group by at.team_id, a.month",
        only("at.team_id")
    );
    let turnout_sql = format!(
        "select team_id, month, cast(sum(attended) as bigint) from activities
         where campaign_id = $1 and status <> 'cancelled'
           and day in (select day from concentrated_days where campaign_id = $1){}
         group by team_id, month",
        only("team_id")
    );
    let managers_sql = format!(
        "select m.team_id, x.month, count(distinct m.volunteer_id) from team_members m
         join attendance x on x.volunteer_id = m.volunteer_id
         where m.is_manager and x.month >= $1 and x.month <= $2{}
         group by m.team_id, x.month",
        only("m.team_id")
    );
    // Only activities that may be late: not confirmed, or confirmed a day or more after the end
    // (the deadline is counted in working days, by the district's rules, by the caller).
    let confirm_sql = format!(
        "select team_id, month, ends_at, hours_confirmed_at from activities
         where campaign_id = $1 and status in ('published', 'completed') and ends_at <= $2 and attended > 0
           and (hours_confirmed_at is null or hours_confirmed_at > ends_at + 86400){}",
        only("team_id")
    );
    let roster_sql = format!(
        "select team_id, count(*) from team_members where 1 = 1{} group by team_id",
        only("team_id")
    );
    let managers_count_sql = format!(
        "select team_id, count(*) from team_members where is_manager{} group by team_id",
        only("team_id")
    );
    // The reads are independent: run them side by side on the pool's connections.
    type Pairs = Vec<(i64, i64)>;
    let (held, co_held, turnout, managers, confirmations, roster, managers_count) = tokio::try_join!(
        async {
            Ok::<Vec<TeamMonth>, sqlx::Error>(
                on_db!(db, pool => sqlx::query_as(&held_sql).bind(campaign_id).bind(t).fetch_all(pool).await?),
            )
        },
        async {
            Ok::<Vec<TeamMonth>, sqlx::Error>(
                on_db!(db, pool => sqlx::query_as(&co_held_sql).bind(campaign_id).bind(t).fetch_all(pool).await?),
            )
        },
        async {
            Ok::<Vec<TeamMonth>, sqlx::Error>(
                on_db!(db, pool => sqlx::query_as(&turnout_sql).bind(campaign_id).fetch_all(pool).await?),
            )
        },
        async {
            Ok::<Vec<TeamMonth>, sqlx::Error>(
                on_db!(db, pool => sqlx::query_as(&managers_sql).bind(first).bind(last).fetch_all(pool).await?),
            )
        },
        async {
            Ok::<Vec<(i64, String, i64, Option<i64>)>, sqlx::Error>(on_db!(db, pool => sqlx::query_as(&confirm_sql)
                .bind(campaign_id).bind(t).fetch_all(pool).await?))
        },
        async { Ok::<Pairs, sqlx::Error>(on_db!(db, pool => sqlx::query_as(&roster_sql).fetch_all(pool).await?)) },
        async {
            Ok::<Pairs, sqlx::Error>(on_db!(db, pool => sqlx::query_as(&managers_count_sql).fetch_all(pool).await?))
        },
    )?;
    Ok(Facts {
        teams,
        held,
        co_held,
        turnout,
        managers,
        confirmations,
        roster,
        managers_count,
    })
}

/// Every team of a campaign: (id, unit, community).
pub async fn teams(db: &Db, campaign_id: i64) -> Result<Vec<(i64, Option<i64>, Option<i64>)>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as("select id, unit_id, community_id from teams where campaign_id = $1")
        .bind(campaign_id).fetch_all(pool).await)
}
