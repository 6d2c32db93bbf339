//! What the public site reads: the district's headline figures, published activities to come,
//! reports of completed activities and their photos. Only what a public notice shows leaves
//! here: no leader's phone, no volunteer's name.

use serde::Serialize;
use utoipa::ToSchema;

use super::Db;
use crate::domain::activity::{ActivityForm, OpenTo};
use crate::domain::campaign::Category;
use crate::on_db;

/// Which published activities the public list shows.
#[derive(Clone, Debug, Default)]
pub struct UpcomingFilter {
    pub campaign_id: i64,
    /// Not yet ended at this time.
    pub now: i64,
    pub street_id: Option<i64>,
    pub community_id: Option<i64>,
    pub category: Option<Category>,
    /// Starting at or after (epoch seconds).
    pub from: Option<i64>,
    /// Starting before (epoch seconds).
    pub to: Option<i64>,
    pub limit: i64,
    pub offset: i64,
}

/// A published activity as the public sees it.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
#[schema(as = PublicActivity)]
pub struct PublicActivity {
    pub id: i64,
    pub title: String,
    pub theme: String,
    pub category: Category,
    pub form: ActivityForm,
    pub address: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub capacity: i64,
    pub taken: i64,
    /// `all` (any registered volunteer) or `team` (the organising teams' members).
    pub open_to: OpenTo,
    pub team_name: String,
    /// The organising team's unit or community.
    pub org_name: String,
    /// Where it is held (the filters' values).
    pub community_id: Option<i64>,
    pub community_name: Option<String>,
    pub street_id: Option<i64>,
    pub street_name: Option<String>,
}

const PUBLIC_FROM: &str = "from activities a join teams t on t.id = a.team_id left join units u on u.id = t.unit_id
     left join communities tc on tc.id = t.community_id left join communities cm on cm.id = a.community_id
     left join streets st on st.id = cm.street_id";

impl UpcomingFilter {
    /// The filters given, as a `where` clause over `a` (activities) and `cm` (their community).
    /// Only those given are written into the statement (the planner keeps its indexes); the
    /// parameters keep their numbers and all are bound, which both databases accept.
    fn clause(&self) -> String {
        let mut c = vec!["a.campaign_id = $1 and a.status = 'published' and a.ends_at >= $2"];
        if self.street_id.is_some() {
            c.push("cm.street_id = $3");
        }
        if self.community_id.is_some() {
            c.push("a.community_id = $4");
        }
        if self.category.is_some() {
            c.push("a.category = $5");
        }
        if self.from.is_some() {
            c.push("a.starts_at >= $6");
        }
        if self.to.is_some() {
            c.push("a.starts_at < $7");
        }
        c.join(" and ")
    }
}

/// Binds the filter's seven parameters, in the numbers its clause uses.
macro_rules! bind_filter {
    ($q:expr, $f:expr) => {
        $q.bind($f.campaign_id)
            .bind($f.now)
            .bind($f.street_id)
            .bind($f.community_id)
            .bind($f.category.map(|c| c.code()))
            .bind($f.from)
            .bind($f.to)
    };
}

/// Published activities not yet ended, soonest first: one page of them. Read along the
/// published activities' start index (`activities_upcoming`), so a page costs its own rows, not
/// the thousands of activities to come that a count would visit.
pub async fn upcoming(db: &Db, f: &UpcomingFilter) -> Result<Vec<PublicActivity>, sqlx::Error> {
    let sql = format!(
        "select a.id, a.title, a.theme, a.category, a.form, a.address, a.starts_at, a.ends_at, a.capacity, a.taken,
            a.open_to, t.name as team_name, coalesce(u.name, tc.name) as org_name, a.community_id, cm.name as community_name,
            cm.street_id, st.name as street_name
         {PUBLIC_FROM} where {} order by a.starts_at, a.id limit $8 offset $9",
        f.clause()
    );
    on_db!(db, pool => bind_filter!(sqlx::query_as(&sql), f).bind(f.limit).bind(f.offset).fetch_all(pool).await)
}

/// How many published activities not yet ended match `f` (the list's page count).
pub async fn upcoming_count(db: &Db, f: &UpcomingFilter) -> Result<i64, sqlx::Error> {
    let sql = format!(
        "select count(*) from activities a left join communities cm on cm.id = a.community_id where {}",
        f.clause()
    );
    on_db!(db, pool => bind_filter!(sqlx::query_scalar(&sql), f).fetch_one(pool).await)
}

/// A completed activity's report as the public sees it.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
#[schema(as = PublicReport)]
pub struct Report {
    pub id: i64,
    pub title: String,
    pub theme: String,
    pub category: Category,
    pub address: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub completed_at: Option<i64>,
    pub summary: String,
    pub people_served: Option<i64>,
    /// Volunteers who served.
    pub attended: i64,
    pub team_name: String,
    pub org_name: String,
    pub community_name: Option<String>,
    pub street_name: Option<String>,
    /// The first photo, shown on the list.
    pub cover_photo: Option<i64>,
    pub cover_alt: Option<String>,
}

const REPORT_COLS: &str = "a.id, a.title, a.theme, a.category, a.address, a.starts_at, a.ends_at, a.completed_at,
    a.summary, a.people_served, a.attended, t.name as team_name, coalesce(u.name, tc.name) as org_name,
    cm.name as community_name, st.name as street_name,
    (select min(p.id) from activity_photos p where p.activity_id = a.id) as cover_photo,
    (select case when p.alt_text = '' then a.title else p.alt_text end from activity_photos p
       where p.activity_id = a.id order by p.id limit 1) as cover_alt";

/// The condition of a public report: completed after being published, with a summary written.
const REPORT_WHERE: &str = "a.status = 'completed' and a.published_at is not null and a.summary <> ''";

/// Reports, newest first, with the total.
pub async fn reports(db: &Db, limit: i64, offset: i64) -> Result<(Vec<Report>, i64), sqlx::Error> {
    let sql = format!(
        "select {REPORT_COLS}, count(*) over () as total {PUBLIC_FROM} where {REPORT_WHERE}
         order by a.completed_at desc, a.id desc limit $1 offset $2"
    );
    #[derive(sqlx::FromRow)]
    struct Counted {
        #[sqlx(flatten)]
        line: Report,
        total: i64,
    }
    on_db!(db, pool => {
        let rows: Vec<Counted> = sqlx::query_as(&sql).bind(limit).bind(offset).fetch_all(pool).await?;
        let total = rows.first().map(|r| r.total).unwrap_or(0);
        Ok((rows.into_iter().map(|r| r.line).collect(), total))
    })
}

/// One report, if the activity's report is public.
pub async fn report(db: &Db, id: i64) -> Result<Option<Report>, sqlx::Error> {
    let sql = format!("select {REPORT_COLS} {PUBLIC_FROM} where a.id = $1 and {REPORT_WHERE}");
    on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)
}

/// A photo of a public report: its address and what it shows.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
#[schema(as = PublicPhoto)]
pub struct Photo {
    pub id: i64,
    pub alt_text: String,
}

pub async fn report_photos(db: &Db, activity_id: i64) -> Result<Vec<Photo>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select p.id, case when p.alt_text = '' then a.title else p.alt_text end as alt_text
         from activity_photos p join activities a on a.id = p.activity_id where p.activity_id = $1 order by p.id")
        .bind(activity_id).fetch_all(pool).await)
}

/// Streets and their communities (id, name, street id), for the filters.
pub async fn places(db: &Db) -> Result<(Vec<(i64, String)>, Vec<(i64, String, i64)>), sqlx::Error> {
    on_db!(db, mut pool => {
        let streets = sqlx::query_as("select id, name from streets order by id").fetch_all(pool.ex()).await?;
        let communities =
            sqlx::query_as("select id, name, street_id from communities order by street_id, id").fetch_all(pool.ex()).await?;
        Ok((streets, communities))
    })
}

/// This month's concentrated day of the campaign (`YYYY-MM-DD`) and its theme.
pub async fn concentrated_day(
    db: &Db,
    campaign_id: i64,
    month_prefix: &str,
) -> Result<Option<(String, String)>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select day, theme from concentrated_days where campaign_id = $1 and day like $2 order by day limit 1")
        .bind(campaign_id).bind(format!("{month_prefix}%")).fetch_optional(pool).await)
}
