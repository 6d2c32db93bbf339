//! 月报: the month's statistics of the district, a street or a unit, counted from the records
//! (activities, sign-ins and their confirmed minutes, rosters) in a few grouped reads, and the
//! report they make.

use serde::Serialize;
use utoipa::ToSchema;

use super::Db;
use crate::domain::monthly::Area;
use crate::on_db;

/// One line of the form: activities held, person-times signed in, hours confirmed.
#[derive(Clone, Debug, Default, Serialize, ToSchema)]
#[schema(as = MonthlyLine)]
pub struct Line {
    /// `total`, a category's code (`public_affairs` …) or a form's (`concentrated`, `scattered`,
    /// `dispatched`).
    pub code: String,
    /// Its name in the caller's language.
    pub label: String,
    /// Activities held: over, not cancelled, with someone signed in.
    pub held: i64,
    /// 人次: sign-ins at them.
    pub person_times: i64,
    /// Minutes confirmed at them, and the same in hours (to the hundredth).
    pub minutes: i64,
    pub hours: f64,
}

/// Needs received and fulfilled in the month (四单), once needs are recorded.
#[derive(Clone, Debug, Default, Serialize, ToSchema)]
#[schema(as = MonthlyNeeds)]
pub struct Needs {
    pub received: i64,
    pub fulfilled: i64,
}

/// The month's statistics (月报) of one area, generated from the records.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[schema(as = MonthlyReport)]
pub struct Monthly {
    /// `YYYY-MM`.
    pub month: String,
    /// The first and last day of the month (`YYYY-MM-DD`).
    pub period_start: String,
    pub period_end: String,
    /// `district`, `street` or `unit`.
    pub area: String,
    /// The street's or unit's id (none for the district).
    pub area_id: Option<i64>,
    /// Who reports: the district's, street's or unit's name.
    pub area_name: String,
    /// The district's name (the form's title starts with it).
    pub district_name: String,
    pub total: Line,
    /// The seven service categories, in the campaign notice's order.
    pub by_category: Vec<Line>,
    /// Concentrated action, own (scattered) activities, dispatched joint action.
    pub by_form: Vec<Line>,
    /// The month's concentrated activity day (`YYYY-MM-DD`), if the campaign has one.
    pub concentrated_day: Option<String>,
    /// People who signed in at activities held on it, and the teams that held them.
    pub concentrated_people: i64,
    pub concentrated_teams: i64,
    /// Different volunteers who signed in, and teams that held an activity, in the month.
    pub volunteers_active: i64,
    pub teams_active: i64,
    /// People newly put on a roster in the month.
    pub new_registrations: i64,
    /// Needs received and fulfilled; absent until the needs loop records them.
    pub needs: Option<Needs>,
    /// A short paragraph for publicity, from the figures, in the caller's language.
    pub summary: String,
    /// When the figures were read (seconds since the epoch).
    pub generated_at: i64,
}

/// One group of held activities: (category, form, activities, sign-ins, confirmed minutes).
pub type Group = (String, String, i64, i64, i64);

/// The raw counts of one area's month.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    pub groups: Vec<Group>,
    pub volunteers_active: i64,
    pub teams_active: i64,
    pub concentrated_day: Option<String>,
    pub concentrated_people: i64,
    pub concentrated_teams: i64,
    pub new_registrations: i64,
}

/// Activities (`a`, with their team `t`) of the area; `$3` is the area's id.
fn activities_in(area: Area) -> &'static str {
    match area {
        Area::District => "",
        // Held in the street's communities (an activity without a community: its team's).
        Area::Street(_) => {
            " and coalesce(a.community_id, t.community_id) in (select id from communities where street_id = $3)"
        }
        Area::Unit(_) => " and t.unit_id = $3",
    }
}

/// Teams (`t`) of the area; `$3` is the area's id.
fn teams_in(area: Area) -> &'static str {
    match area {
        Area::District => "",
        // Its communities' teams and the teams of units paired with its communities.
        Area::Street(_) => {
            " and (t.community_id in (select id from communities where street_id = $3)
               or t.unit_id in (select p.unit_id from pairings p join communities c on c.id = p.community_id
                                where c.street_id = $3))"
        }
        Area::Unit(_) => " and t.unit_id = $3",
    }
}

fn area_id(area: Area) -> Option<i64> {
    match area {
        Area::District => None,
        Area::Street(id) | Area::Unit(id) => Some(id),
    }
}

/// What counts as held: not a draft or cancelled, over by `$2`, with someone signed in (the
/// inner join with the sign-ins).
const HELD: &str = "from activities a join teams t on t.id = a.team_id join attendance x on x.activity_id = a.id
     where a.status in ('published', 'completed') and a.ends_at <= $2";

/// The month `month` (`YYYY-MM`, China time, spanning the timestamps `span`) of `area`, as the
/// records stand at `now`; `year` and `month_no` find the campaign's concentrated day.
pub async fn facts(db: &Db, area: Area, month: &str, span: (i64, i64), now: i64) -> Result<Facts, sqlx::Error> {
    let id = area_id(area);
    let groups_sql = format!(
        "select a.category, case when a.dispatch_id is not null then 'dispatched' else a.form end,
                count(distinct a.id), count(*),
                cast(coalesce(sum(case when x.confirmed_at is not null then x.minutes end), 0) as bigint)
         {HELD} and a.month = $1{} group by 1, 2",
        activities_in(area)
    );
    let active_sql = format!(
        "select count(distinct x.volunteer_id), count(distinct a.team_id) {HELD} and a.month = $1{}",
        activities_in(area)
    );
    let day_sql = format!(
        "select count(distinct x.volunteer_id), count(distinct a.team_id) {HELD} and a.day = $1{}",
        activities_in(area)
    );
    let roster_sql = format!(
        "select count(distinct m.volunteer_id) from team_members m join teams t on t.id = m.team_id
         where m.created_at >= $1 and m.created_at < $2{}",
        teams_in(area)
    );
    let (year, month_no) = month
        .split_once('-')
        .and_then(|(y, m)| Some((y.parse::<i64>().ok()?, m.parse::<i64>().ok()?)))
        .unwrap_or_default();
    let day: Option<String> = on_db!(db, pool => sqlx::query_scalar(
        "select cd.day from concentrated_days cd join campaigns c on c.id = cd.campaign_id
         where c.year = $1 and cd.month = $2 order by cd.id limit 1")
        .bind(year).bind(month_no).fetch_optional(pool).await?);
    let groups: Vec<Group> = on_db!(db, pool => {
        let q = sqlx::query_as(&groups_sql).bind(month).bind(now);
        match id { Some(id) => q.bind(id), None => q }.fetch_all(pool).await?
    });
    let (volunteers_active, teams_active): (i64, i64) = on_db!(db, pool => {
        let q = sqlx::query_as(&active_sql).bind(month).bind(now);
        match id { Some(id) => q.bind(id), None => q }.fetch_one(pool).await?
    });
    let (concentrated_people, concentrated_teams): (i64, i64) = match &day {
        Some(d) => on_db!(db, pool => {
            let q = sqlx::query_as(&day_sql).bind(d).bind(now);
            match id { Some(id) => q.bind(id), None => q }.fetch_one(pool).await?
        }),
        None => (0, 0),
    };
    let new_registrations: i64 = on_db!(db, pool => {
        let q = sqlx::query_scalar(&roster_sql).bind(span.0).bind(span.1);
        match id { Some(id) => q.bind(id), None => q }.fetch_one(pool).await?
    });
    Ok(Facts {
        groups,
        volunteers_active,
        teams_active,
        concentrated_day: day,
        concentrated_people,
        concentrated_teams,
        new_registrations,
    })
}

/// The years campaigns were opened for.
pub async fn campaign_years(db: &Db) -> Result<Vec<i64>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar("select year from campaigns order by year").fetch_all(pool).await)
}
