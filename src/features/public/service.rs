//! What the public site shows, for anyone (signed in or not): the district's headline figures,
//! this month's concentrated day, published activities to come, and reports of completed ones.
//! Nothing here needs an account, and nothing personal is answered.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::db::campaigns::Campaign;
use crate::db::list::Page;
use crate::db::public::{self, Photo, PublicActivity, Report, UpcomingFilter};
use crate::db::Db;
use crate::domain::campaign::Category;
use crate::domain::dates::parse_local;
use crate::error::{AppError, AppResult, FieldError};
use crate::features::validated;
use crate::web::form::lenient_i64;

/// How many upcoming activities and reports the home page shows.
const HOME_ACTIVITIES: i64 = 5;
const HOME_REPORTS: i64 = 3;
/// Rows per page of the public lists.
const PER_PAGE: i64 = 12;
/// The most rows a public list answers at once.
const MAX_PER_PAGE: i64 = 50;
/// The furthest page a public list goes to (a deeper offset only costs the database).
const MAX_PAGE: i64 = 500;

/// The district's headline figures for the campaign year.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[schema(as = PublicFigures)]
pub struct Figures {
    /// The campaign's year.
    pub year: i64,
    /// Volunteers on the year's rosters.
    pub volunteers: i64,
    /// Teams formed.
    pub teams: i64,
    /// Activities held this year (published or completed).
    pub activities: i64,
    /// Confirmed hours of service this year.
    pub hours: f64,
}

/// This month's concentrated activity day.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[schema(as = PublicConcentratedDay)]
pub struct Day {
    /// `YYYY-MM-DD`.
    pub day: String,
    pub theme: String,
}

/// Everything the public home shows.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[schema(as = PublicHome)]
pub struct Home {
    pub figures: Figures,
    /// This month's concentrated day, when the campaign has one this month.
    pub concentrated_day: Option<Day>,
    /// The next published activities.
    pub upcoming: Vec<PublicActivity>,
    /// The latest reports of completed activities.
    pub reports: Vec<Report>,
}

/// The district's headline figures of the active campaign (zero when none is open). One call, so
/// that kept figures can answer it instead of the raw records.
pub async fn headline(db: &Db) -> AppResult<Figures> {
    let c = crate::features::campaign::service::current(db).await?;
    figures_of(db, c.as_ref()).await
}

async fn figures_of(db: &Db, c: Option<&Campaign>) -> AppResult<Figures> {
    let Some(c) = c else {
        return Ok(Figures {
            year: 0,
            volunteers: 0,
            teams: 0,
            activities: 0,
            hours: 0.0,
        });
    };
    // Read from the kept figures (four rows), not summed over every sign-in.
    let h = crate::features::stats::service::headline(db, c).await?;
    Ok(Figures {
        year: c.year,
        volunteers: h.volunteers,
        teams: h.teams,
        activities: h.activities,
        hours: crate::domain::service::hours(h.confirmed_minutes),
    })
}

pub async fn home(db: &Db) -> AppResult<Home> {
    let current = crate::features::campaign::service::current(db).await?;
    let figures = figures_of(db, current.as_ref()).await?;
    let Some(c) = current else {
        return Ok(Home {
            figures,
            concentrated_day: None,
            upcoming: vec![],
            reports: public::reports(db, HOME_REPORTS, 0).await?.0,
        });
    };
    let today = crate::domain::campaign::today();
    let concentrated_day = public::concentrated_day(db, c.id, &today[..7])
        .await?
        .map(|(day, theme)| Day { day, theme });
    let f = UpcomingFilter {
        campaign_id: c.id,
        now: crate::db::now(),
        limit: HOME_ACTIVITIES,
        ..Default::default()
    };
    let upcoming = public::upcoming(db, &f).await?;
    let reports = public::reports(db, HOME_REPORTS, 0).await?.0;
    Ok(Home {
        figures,
        concentrated_day,
        upcoming,
        reports,
    })
}

/// The public list's filters, as a GET form sends them.
#[derive(Clone, Debug, Default, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActivityQuery {
    #[serde(default, deserialize_with = "lenient_i64")]
    pub street_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub community_id: Option<i64>,
    /// A category code (`public_affairs`, `mutual_help`, …).
    pub category: Option<String>,
    /// First day (`YYYY-MM-DD`).
    pub from: Option<String>,
    /// Last day (`YYYY-MM-DD`), included.
    pub to: Option<String>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub page: Option<i64>,
}

/// A day given in a filter, read as the start of that day in China time.
fn day_start(field: &str, value: Option<&str>, errors: &mut Vec<FieldError>) -> Option<i64> {
    let v = value.map(str::trim).filter(|v| !v.is_empty())?;
    match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        Ok(d) => parse_local(&format!("{} 00:00", d.format("%Y-%m-%d"))),
        Err(_) => {
            errors.push(FieldError::new(field, "err.public_date"));
            None
        }
    }
}

/// Published activities not yet ended, filtered; an unknown category or a date that is no date
/// is refused naming the field (ids that match nothing simply find nothing).
pub async fn activities(db: &Db, q: &ActivityQuery) -> AppResult<Page<PublicActivity>> {
    let mut errors = vec![];
    let category = match q.category.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        None => None,
        Some(code) => match Category::from_code(code) {
            Some(c) => Some(c),
            None => {
                errors.push(FieldError::new("category", "err.public_category"));
                None
            }
        },
    };
    let from = day_start("from", q.from.as_deref(), &mut errors);
    // The last day is included: up to the start of the next.
    let to = day_start("to", q.to.as_deref(), &mut errors).map(|t| t + 86400);
    if let (Some(f), Some(t)) = (from, to) {
        if t <= f {
            errors.push(FieldError::new("to", "err.public_date_order"));
        }
    }
    validated(errors)?;
    let page = q.page.unwrap_or(1).clamp(1, MAX_PAGE);
    let Some(c) = crate::features::campaign::service::current(db).await? else {
        return Ok(Page {
            items: vec![],
            total: 0,
            page,
            per_page: PER_PAGE,
        });
    };
    let f = UpcomingFilter {
        campaign_id: c.id,
        now: crate::db::now(),
        street_id: q.street_id,
        community_id: q.community_id,
        category,
        from,
        to,
        limit: PER_PAGE,
        offset: (page - 1) * PER_PAGE,
    };
    let items = public::upcoming(db, &f).await?;
    // The count only when the page is not the whole answer.
    let total = if f.offset == 0 && (items.len() as i64) < f.limit {
        items.len() as i64
    } else {
        public::upcoming_count(db, &f).await?
    };
    Ok(Page {
        items,
        total,
        page,
        per_page: PER_PAGE,
    })
}

/// Reports of completed activities, newest first.
pub async fn reports(db: &Db, page: Option<i64>, per_page: Option<i64>) -> AppResult<Page<Report>> {
    let page = page.unwrap_or(1).clamp(1, MAX_PAGE);
    let per_page = per_page.unwrap_or(PER_PAGE).clamp(1, MAX_PER_PAGE);
    let (items, total) = public::reports(db, per_page, (page - 1) * per_page).await?;
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}

/// One report with its photos.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[schema(as = PublicReportDetail)]
pub struct ReportDetail {
    #[serde(flatten)]
    pub report: Report,
    pub photos: Vec<Photo>,
}

/// A completed, published activity's report; any other activity is not found here.
pub async fn report(db: &Db, id: i64) -> AppResult<ReportDetail> {
    let report = public::report(db, id).await?.ok_or(AppError::NotFound)?;
    let photos = public::report_photos(db, id).await?;
    Ok(ReportDetail { report, photos })
}

/// Streets and communities for the filters.
pub async fn places(db: &Db) -> AppResult<(Vec<(i64, String)>, Vec<(i64, String, i64)>)> {
    Ok(public::places(db).await?)
}
