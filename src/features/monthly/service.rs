//! The month's statistics (月报) for whoever reports them: the district for itself, a street or a
//! unit; a street for itself or a unit paired into it; a unit for itself. Every id asked for is
//! checked against the caller's scope; the month must be over or under way, in a campaign's year.

use serde::Deserialize;
use utoipa::IntoParams;

use super::summary;
use crate::auth::policy::{self, Action, Object, Scope};
use crate::auth::Acting;
use crate::db::audit::{Op, Subject};
use crate::db::list::ListQuery;
use crate::db::monthly::{self as store, Facts, Line, Monthly, Needs};
use crate::db::{now, streets, units, Db};
use crate::domain::activity::ActivityForm;
use crate::domain::campaign::Category;
use crate::domain::monthly::{Area, MonthProblem, YearMonth};
use crate::domain::service::hours;
use crate::error::{AppError, AppResult, FieldError};
use crate::features::campaign::service::log;
use crate::features::ensure;
use crate::i18n::{t, Lang};
use crate::web::form::lenient_i64;

#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MonthlyParams {
    /// `YYYY-MM`; the previous month when left out (or this month, when the previous one is in
    /// no campaign's year).
    pub month: Option<String>,
    /// A street's figures (the district any street, a street its own).
    #[serde(default, deserialize_with = "lenient_i64")]
    pub street_id: Option<i64>,
    /// A unit's figures (the district any unit, a street a unit paired into it, a unit itself).
    #[serde(default, deserialize_with = "lenient_i64")]
    pub unit_id: Option<i64>,
}

/// What the caller may pick on the page: the months, newest first, and the streets and units.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Choices {
    pub months: Vec<String>,
    pub streets: Vec<(i64, String)>,
    pub units: Vec<(i64, String)>,
}

/// The area asked for, once the caller may see it (403 otherwise).
async fn area_of(db: &Db, by: &Acting, params: &MonthlyParams) -> AppResult<Area> {
    let p = by.user()?;
    let scope = policy::monthly_scope(p);
    let own = match scope {
        Scope::All => Area::District,
        Scope::Street(s) => Area::Street(s),
        Scope::Unit(u) => Area::Unit(u),
        _ => return Err(AppError::Forbidden),
    };
    let (street_id, unit_id) = (params.street_id, params.unit_id);
    if street_id.is_some() && unit_id.is_some() {
        return Err(AppError::Validation(vec![FieldError::new(
            "unit_id",
            "err.monthly_one_area",
        )]));
    }
    let area = match (street_id, unit_id) {
        (Some(id), _) => {
            ensure(p, Action::View, &object(Some(id), None, vec![]))?;
            if streets::get_street(db, id).await?.is_none() {
                return Err(AppError::field("street_id", "err.monthly_street_unknown"));
            }
            Area::Street(id)
        }
        (_, Some(id)) => {
            // An unknown unit has no streets: a street is refused it like any other unit not its own.
            let (_, street_ids) = units::unit_pairing_tree(db, id).await?;
            ensure(p, Action::View, &object(None, Some(id), street_ids))?;
            if units::get_unit(db, id).await?.is_none() {
                return Err(AppError::field("unit_id", "err.monthly_unit_unknown"));
            }
            Area::Unit(id)
        }
        (None, None) => own,
    };
    Ok(area)
}

fn object(street_id: Option<i64>, unit_id: Option<i64>, unit_street_ids: Vec<i64>) -> Object {
    Object::MonthlyStats {
        street_id,
        unit_id,
        unit_street_ids,
    }
}

/// The month asked for, or 422 saying why not and what to choose.
async fn month_of(db: &Db, asked: Option<&str>, t_now: i64) -> AppResult<YearMonth> {
    let years = store::campaign_years(db).await?;
    let refuse = |problem: MonthProblem, shown: &str| {
        let latest = YearMonth::of(t_now).key();
        let years: Vec<String> = years.iter().map(i64::to_string).collect();
        AppError::Validation(vec![FieldError::new("month", problem.key())
            .with("month", shown)
            .with("latest", latest)
            .with("years", years.join("、"))])
    };
    match asked.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => {
            let shown: String = s.chars().take(20).collect();
            YearMonth::parse(s)
                .and_then(|m| m.check(t_now, &years))
                .map_err(|p| refuse(p, &shown))
        }
        None => {
            let this = YearMonth::of(t_now);
            [this.prev(), this]
                .into_iter()
                .find_map(|m| m.check(t_now, &years).ok())
                .ok_or_else(|| refuse(MonthProblem::NoCampaign, &this.key()))
        }
    }
}

/// The name of who reports.
async fn area_name(db: &Db, area: Area, district: &str) -> AppResult<String> {
    Ok(match area {
        Area::District => district.to_string(),
        Area::Street(id) => streets::get_street(db, id).await?.map(|s| s.name).unwrap_or_default(),
        Area::Unit(id) => units::get_unit(db, id).await?.map(|u| u.name).unwrap_or_default(),
    })
}

/// The needs (四单) received and fulfilled in the month, in the area: the district all, a street
/// those of its communities, a unit those its teams took. `None` when no campaign covers the year.
async fn needs_of(db: &Db, area: Area, month: YearMonth) -> AppResult<Option<Needs>> {
    let campaigns = crate::db::campaigns::list_campaigns(db).await?;
    let Some(c) = campaigns.iter().find(|c| c.year == i64::from(month.year)) else {
        return Ok(None);
    };
    let scope = match area {
        Area::District => Scope::All,
        Area::Street(s) => Scope::Street(s),
        Area::Unit(u) => Scope::Unit(u),
    };
    let n = crate::db::needs::counts(db, c.id, &scope, Some((month.year, month.month))).await?;
    Ok(Some(Needs {
        received: n.received,
        fulfilled: n.fulfilled,
    }))
}

fn line(code: &str, label: String, groups: &[&store::Group]) -> Line {
    let (held, person_times, minutes) = groups
        .iter()
        .fold((0, 0, 0), |(h, p, m), g| (h + g.2, p + g.3, m + g.4));
    Line {
        code: code.to_string(),
        label,
        held,
        person_times,
        minutes,
        hours: hours(minutes),
    }
}

/// The form's lines from the grouped counts.
fn lines(f: &Facts, lang: Lang) -> (Line, Vec<Line>, Vec<Line>) {
    let all: Vec<&store::Group> = f.groups.iter().collect();
    let total = line("total", t(lang, "monthly.total"), &all);
    let by_category = Category::ALL
        .iter()
        .map(|c| {
            let of: Vec<_> = f.groups.iter().filter(|g| g.0 == c.code()).collect();
            line(c.code(), t(lang, &format!("category.{}", c.code())), &of)
        })
        .collect();
    let by_form = ActivityForm::ALL
        .iter()
        .map(|x| {
            let of: Vec<_> = f.groups.iter().filter(|g| g.1 == x.as_str()).collect();
            line(x.as_str(), t(lang, &format!("monthly.form.{}", x.as_str())), &of)
        })
        .collect();
    (total, by_category, by_form)
}

/// The month's statistics of the area the caller asks for (its own by default).
pub async fn report(db: &Db, by: &Acting, params: &MonthlyParams) -> AppResult<Monthly> {
    let area = area_of(db, by, params).await?;
    let t_now = now();
    let month = month_of(db, params.month.as_deref(), t_now).await?;
    let facts = store::facts(db, area, &month.key(), month.span(), t_now).await?;
    let district_name = crate::db::district::district_name(db).await?.unwrap_or_default();
    let area_name = area_name(db, area, &district_name).await?;
    let (total, by_category, by_form) = lines(&facts, by.lang);
    let mut m = Monthly {
        month: month.key(),
        period_start: month.first_day().to_string(),
        period_end: month.last_day().to_string(),
        area: area.kind().to_string(),
        area_id: match area {
            Area::District => None,
            Area::Street(id) | Area::Unit(id) => Some(id),
        },
        area_name,
        district_name,
        total,
        by_category,
        by_form,
        concentrated_day: facts.concentrated_day,
        concentrated_people: facts.concentrated_people,
        concentrated_teams: facts.concentrated_teams,
        volunteers_active: facts.volunteers_active,
        teams_active: facts.teams_active,
        new_registrations: facts.new_registrations,
        needs: needs_of(db, area, month).await?,
        summary: String::new(),
        generated_at: t_now,
    };
    m.summary = summary::paragraph(&m, area, by.lang);
    Ok(m)
}

/// The form as .xlsx with its file name; the export is written to the audit trail.
pub async fn export(db: &Db, by: &Acting, params: &MonthlyParams) -> AppResult<(Vec<u8>, String)> {
    use crate::excel::forms::monthly as form;
    let m = report(db, by, params).await?;
    let p = by.user()?;
    let filled_by = if p.display_name.is_empty() {
        p.username.clone()
    } else {
        p.display_name.clone()
    };
    let today = crate::domain::dates::local(m.generated_at).date().to_string();
    let bytes = form::write(&m, by.lang, &filled_by, &today)?;
    let title = form::title(&m, by.lang);
    let label = format!("{title} · {}", m.area_name);
    let details = serde_json::json!({"month": m.month, "area": m.area, "area_id": m.area_id});
    log(db, by, Op::Export, Subject::new("monthly", m.area_id, &label), &details).await?;
    Ok((bytes, format!("{title} {}.xlsx", m.area_name)))
}

/// What the caller may pick: the months of the campaigns' years up to this one, newest first;
/// the streets and units in its scope.
pub async fn choices(db: &Db, by: &Acting) -> AppResult<Choices> {
    let p = by.user()?;
    let scope = policy::monthly_scope(p);
    if matches!(scope, Scope::Nothing | Scope::OwnAccount(_)) {
        return Err(AppError::Forbidden);
    }
    let t_now = now();
    let years = store::campaign_years(db).await?;
    let mut months = vec![];
    let mut m = YearMonth::of(t_now);
    while let Some(first) = years.first() {
        if (m.year as i64) < *first || months.len() >= 240 {
            break;
        }
        if years.contains(&(m.year as i64)) {
            months.push(m.key());
        }
        m = m.prev();
    }
    let everything = |scope| ListQuery {
        q: None,
        page: 1,
        per_page: 1_000_000,
        scope,
        street_id: None,
        community_id: None,
        unit_id: None,
    };
    let (streets, units) = match scope {
        Scope::All => (
            streets::list_streets(db, &everything(Scope::All)).await?.items,
            units::list_units(db, &everything(Scope::All)).await?.items,
        ),
        Scope::Street(s) => (
            vec![],
            units::list_units(db, &everything(Scope::Street(s))).await?.items,
        ),
        _ => (vec![], vec![]),
    };
    Ok(Choices {
        months,
        streets: streets.into_iter().map(|s| (s.id, s.name)).collect(),
        units: units.into_iter().map(|u| (u.id, u.name)).collect(),
    })
}
