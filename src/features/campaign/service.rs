//! The campaign year: opening it, changing its milestones; and what the other campaign
//! capabilities share (the active campaign, a team's place, the orgs a board covers).

use std::collections::HashMap;

use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::policy::{Action, Object, Scope};
use crate::auth::Acting;
use crate::db::audit::{self, Op, Subject};
use crate::db::campaigns::{self as store, Campaign};
use crate::db::list::ListQuery;
use crate::db::{communities, pairings, units, Db};
use crate::domain::campaign::{parse_form_date, Milestones, OrgRowKind};
use crate::error::{AppError, AppResult, FieldError};
use crate::features::{conflict_on_unique, ensure, required_name, validated};
use crate::web::form::lenient_i64;

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct CampaignInput {
    /// The campaign year (when opening one).
    #[serde(default, deserialize_with = "lenient_i64")]
    pub year: Option<i64>,
    pub name: Option<String>,
    pub formation_due: Option<String>,
    pub roster_due: Option<String>,
    pub checkin_due: Option<String>,
    pub activities_start: Option<String>,
    pub activities_end: Option<String>,
    /// `YYYY-MM`.
    pub commendation_month: Option<String>,
    pub reference_date: Option<String>,
}

impl CampaignInput {
    /// A campaign's values, to edit.
    pub fn of(c: &Campaign) -> CampaignInput {
        CampaignInput {
            year: Some(c.year),
            name: Some(c.name.clone()),
            formation_due: Some(c.formation_due.clone()),
            roster_due: Some(c.roster_due.clone()),
            checkin_due: Some(c.checkin_due.clone()),
            activities_start: Some(c.activities_start.clone()),
            activities_end: Some(c.activities_end.clone()),
            commendation_month: Some(c.commendation_month.clone()),
            reference_date: Some(c.reference_date.clone()),
        }
    }

    /// A new year with the plan's dates.
    pub fn defaults(year: i64) -> CampaignInput {
        let m = Milestones::defaults(year as i32);
        CampaignInput {
            year: Some(year),
            name: None,
            formation_due: Some(m.formation_due),
            roster_due: Some(m.roster_due),
            checkin_due: Some(m.checkin_due),
            activities_start: Some(m.activities_start),
            activities_end: Some(m.activities_end),
            commendation_month: Some(m.commendation_month),
            reference_date: Some(m.reference_date),
        }
    }
}

/// The active campaign, or a 400 that says to open one. Takes the database or anything that
/// holds it.
pub async fn active(db: impl AsRef<Db>) -> AppResult<Campaign> {
    store::active_campaign(db.as_ref())
        .await?
        .ok_or(AppError::BadRequest("err.no_campaign"))
}

/// The active campaign, if one is open.
pub async fn current(db: &Db) -> AppResult<Option<Campaign>> {
    Ok(store::active_campaign(db).await?)
}

/// The active campaign to edit (district admin), if one is open.
pub async fn editable(db: &Db, by: &Acting) -> AppResult<Option<Campaign>> {
    ensure(by.user()?, Action::Update, &Object::Campaign)?;
    current(db).await
}

/// Every campaign year, newest first.
pub async fn list(db: &Db, by: &Acting) -> AppResult<Vec<Campaign>> {
    ensure(by.user()?, Action::View, &Object::Campaign)?;
    Ok(store::list_campaigns(db).await?)
}

/// The active campaign, for those who may see it.
pub async fn get_active(db: &Db, by: &Acting) -> AppResult<Campaign> {
    ensure(by.user()?, Action::View, &Object::Campaign)?;
    active(db).await
}

/// The year a new campaign is offered for: the one after the latest, or this year.
pub async fn next_year(db: &Db, by: &Acting) -> AppResult<i64> {
    ensure(by.user()?, Action::Create, &Object::Campaign)?;
    let this_year = chrono::Datelike::year(&crate::domain::dates::local(crate::db::now())) as i64;
    let latest = store::list_campaigns(db).await?.first().map(|c| c.year + 1);
    Ok(latest.unwrap_or(this_year))
}

/// The milestones typed, each checked; blanks take the plan's default for the year.
fn milestones(input: &CampaignInput, year: i32, errors: &mut Vec<FieldError>) -> Milestones {
    let d = Milestones::defaults(year);
    let commendation_month = match input.commendation_month.as_deref().map(str::trim) {
        None | Some("") => d.commendation_month,
        Some(s) => match crate::domain::dates::parse_year_month(s) {
            Ok((y, m, _)) => format!("{y:04}-{m:02}"),
            Err(k) => {
                errors.push(FieldError::new("commendation_month", k));
                s.to_string()
            }
        },
    };
    let mut date = |field: &'static str, v: &Option<String>, default: String| match v.as_deref().map(str::trim) {
        None | Some("") => default,
        Some(s) => parse_form_date(s).unwrap_or_else(|k| {
            errors.push(FieldError::new(field, k));
            s.to_string()
        }),
    };
    let m = Milestones {
        formation_due: date("formation_due", &input.formation_due, d.formation_due),
        roster_due: date("roster_due", &input.roster_due, d.roster_due),
        checkin_due: date("checkin_due", &input.checkin_due, d.checkin_due),
        activities_start: date("activities_start", &input.activities_start, d.activities_start),
        activities_end: date("activities_end", &input.activities_end, d.activities_end),
        commendation_month,
        reference_date: date("reference_date", &input.reference_date, d.reference_date),
    };
    let order = [
        ("roster_due", &m.formation_due, &m.roster_due),
        ("checkin_due", &m.roster_due, &m.checkin_due),
        ("activities_end", &m.activities_start, &m.activities_end),
    ];
    for (field, before, after) in order {
        if errors.is_empty() && after < before {
            errors.push(FieldError::new(field, "err.milestone_order"));
        }
    }
    m
}

/// Opens a campaign year (district admin); it becomes the active one, with its calendar.
pub async fn create(db: &Db, by: &Acting, input: &CampaignInput) -> AppResult<Campaign> {
    ensure(by.user()?, Action::Create, &Object::Campaign)?;
    let mut errors = vec![];
    let year = match input.year {
        Some(y) if (2000..=2100).contains(&y) => y,
        Some(_) => {
            errors.push(FieldError::new("year", "err.year"));
            0
        }
        None => {
            errors.push(FieldError::new("year", "err.required"));
            0
        }
    };
    let default_name = format!("{year}年“弘扬雷锋精神，志愿服务进社区”活动");
    let name = match input.name.as_deref().map(str::trim) {
        None | Some("") => default_name,
        _ => required_name("name", input.name.as_deref(), &mut errors),
    };
    let m = milestones(input, year as i32, &mut errors);
    validated(errors)?;
    let mut tx = db.begin().await?;
    let c = store::create_campaign(&mut tx, &by.actor(), year, &name, &m)
        .await
        .map_err(|e| conflict_on_unique(e, "year", "err.campaign_exists"))?;
    crate::db::calendar::ensure_days(&mut tx, &by.actor(), &c).await?;
    tx.commit().await?;
    Ok(c)
}

/// Changes the active campaign's name or milestones (district admin).
pub async fn update(db: &Db, by: &Acting, input: &CampaignInput) -> AppResult<Campaign> {
    ensure(by.user()?, Action::Update, &Object::Campaign)?;
    let current = active(db).await?;
    let mut errors = vec![];
    let name = match input.name.as_deref().map(str::trim) {
        None | Some("") => current.name.clone(),
        _ => required_name("name", input.name.as_deref(), &mut errors),
    };
    let m = milestones(input, current.year as i32, &mut errors);
    validated(errors)?;
    let mut tx = db.begin().await?;
    let c = store::update_campaign(&mut tx, &by.actor(), current.id, &name, &m).await?;
    tx.commit().await?;
    Ok(c)
}

// ------------------------------------------------------------ shared by the campaign capabilities

// Where a team sits in the tree, and the team after a View check: the teams capability decides.
pub use crate::features::teams::{load as load_team, place as team_place};

/// Writes one audit entry on its own (an export, a full view).
pub async fn log(db: &Db, by: &Acting, op: Op, subject: Subject<'_>, details: &serde_json::Value) -> AppResult<()> {
    let mut tx = db.begin().await?;
    audit::record_raw(&mut tx, &by.actor(), op, subject, details).await?;
    tx.commit().await?;
    Ok(())
}

/// A whole list in a scope (boards and grids cover every org at once).
fn everything(scope: Scope) -> ListQuery {
    ListQuery {
        q: None,
        page: 1,
        per_page: 1_000_000,
        scope,
        street_id: None,
        community_id: None,
        unit_id: None,
    }
}

/// The units and communities a board or grid covers, as (kind, id, name, street): a unit's own
/// shows the unit; a community's, a street's and the district's also the communities in scope.
pub async fn orgs_in_scope(
    db: &Db,
    scope: Scope,
    kind: Option<OrgRowKind>,
) -> AppResult<Vec<(OrgRowKind, i64, String, String)>> {
    let mut out = vec![];
    if kind != Some(OrgRowKind::Community) {
        let street_of = unit_streets(db).await?;
        for u in units::list_units(db, &everything(scope)).await?.items {
            let street = street_of.get(&u.id).cloned().unwrap_or_default();
            out.push((OrgRowKind::Unit, u.id, u.name, street));
        }
    }
    if kind != Some(OrgRowKind::Unit) && !matches!(scope, Scope::Unit(_)) {
        for c in communities::list_communities(db, &everything(scope)).await?.items {
            out.push((OrgRowKind::Community, c.id, c.name, c.street_name));
        }
    }
    Ok(out)
}

/// The streets a unit is paired into, as one label per unit.
pub async fn unit_streets(db: &Db) -> AppResult<HashMap<i64, String>> {
    let mut map: HashMap<i64, Vec<String>> = Default::default();
    for p in pairings::list_pairings(db, &everything(Scope::All)).await?.items {
        let v = map.entry(p.unit_id).or_default();
        if !v.contains(&p.street_name) {
            v.push(p.street_name);
        }
    }
    Ok(map.into_iter().map(|(k, v)| (k, v.join("、"))).collect())
}
