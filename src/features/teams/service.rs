//! Teams: registering one, changing its details, submitting its roster to the district office and
//! the office's review; the unit's declared managers.

use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::auth::policy::{self, Action, Listing, Object, Principal, Role, TeamPlace};
use crate::auth::Acting;
use crate::db::campaigns::{self, Campaign};
use crate::db::managers::{self, Manager};
use crate::db::teams::{self as store, Team, TeamFields, TeamScope};
use crate::db::{communities, units, Db};
use crate::domain::campaign::{parse_categories, Categories};
use crate::domain::dates::format_ymd;
use crate::domain::team::{ReviewDecision, RosterStatus};
use crate::error::{AppError, AppResult, FieldError};
use crate::features::{conflict_on_unique, ensure, optional_phone, optional_text, required_name, validated};
use crate::web::form::lenient_i64;

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct TeamInput {
    /// The unit the team belongs to (district only; a unit's own staff need not give it).
    #[serde(default, deserialize_with = "lenient_i64")]
    pub unit_id: Option<i64>,
    /// Or the community, for a resident team.
    #[serde(default, deserialize_with = "lenient_i64")]
    pub community_id: Option<i64>,
    pub name: Option<String>,
    /// 负责人.
    pub leader_name: Option<String>,
    pub leader_phone: Option<String>,
    /// 联系人.
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    /// Service categories: codes, numbers 1–7 or names, separated by commas or 、.
    pub categories: Option<String>,
    /// `YYYY-MM-DD`.
    pub founded_on: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TeamListParams {
    pub q: Option<String>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub unit_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub community_id: Option<i64>,
    /// Only rosters in this state: `draft`, `submitted`, `accepted` or `returned`.
    pub status: Option<String>,
    /// Page number, from 1.
    #[serde(default, deserialize_with = "lenient_i64")]
    pub page: Option<i64>,
    /// Rows per page (1–500, default 20).
    #[serde(default, deserialize_with = "lenient_i64")]
    pub per_page: Option<i64>,
}

/// The active campaign, or 400 when there is none.
pub async fn active_campaign(db: &Db) -> AppResult<Campaign> {
    campaigns::active_campaign(db)
        .await?
        .ok_or(AppError::BadRequest("err.no_campaign"))
}

/// Where a team sits in the tree, for the policy.
pub async fn place(db: &Db, team: &Team) -> AppResult<TeamPlace> {
    let (paired_community_ids, paired_street_ids) = match team.unit_id {
        Some(u) => units::unit_pairing_tree(db, u).await?,
        None => (vec![], vec![]),
    };
    Ok(TeamPlace {
        unit_id: team.unit_id,
        community_id: team.community_id,
        street_id: team.street_id,
        paired_community_ids,
        paired_street_ids,
    })
}

/// The team and its place, after a View check.
pub async fn load(db: &Db, by: &Acting, id: i64) -> AppResult<(Team, TeamPlace)> {
    let team = store::get_team(db, id).await?.ok_or(AppError::NotFound)?;
    let place = place(db, &team).await?;
    ensure(by.user()?, Action::View, &Object::Team(place.clone()))?;
    Ok((team, place))
}

/// The team, after an Update check, in the active campaign (past campaigns are read-only).
pub async fn load_for_change(db: &Db, by: &Acting, id: i64) -> AppResult<(Team, TeamPlace, Campaign)> {
    let (team, place) = load(db, by, id).await?;
    ensure(by.user()?, Action::Update, &Object::Team(place.clone()))?;
    let campaign = active_campaign(db).await?;
    if campaign.id != team.campaign_id {
        return Err(AppError::BadRequest("err.campaign_closed"));
    }
    Ok((team, place, campaign))
}

/// The team, after a check that the caller maintains its roster (Update).
pub async fn load_to_maintain(db: &Db, by: &Acting, id: i64) -> AppResult<(Team, TeamPlace)> {
    let (team, place) = load(db, by, id).await?;
    ensure(by.user()?, Action::Update, &Object::Team(place.clone()))?;
    Ok((team, place))
}

fn team_scope(p: &Principal, params: &TeamListParams) -> AppResult<TeamScope> {
    let mut s = TeamScope::of(policy::list_scope(p, Listing::Teams)).ok_or(AppError::Forbidden)?;
    // Narrowing within the scope; it never widens it.
    if let Some(u) = params.unit_id {
        if s.unit.is_some_and(|own| own != u) {
            return Err(AppError::Forbidden);
        }
        s.unit = Some(u);
    }
    if let Some(c) = params.community_id {
        if s.community.is_some_and(|own| own != c) {
            return Err(AppError::Forbidden);
        }
        s.community = Some(c);
    }
    Ok(s)
}

pub async fn list(db: &Db, by: &Acting, params: &TeamListParams) -> AppResult<Vec<Team>> {
    let p = by.user()?;
    let campaign = active_campaign(db).await?;
    let scope = team_scope(p, params)?;
    let mut teams = store::list_teams(db, campaign.id, scope, params.q.as_deref()).await?;
    if params.community_id.is_some() {
        // Narrowed to a community: its own teams only, not the units paired with it.
        teams.retain(|t| t.community_id == params.community_id);
    }
    if let Some(status) = params.status.as_deref().filter(|s| !s.is_empty()) {
        let wanted = RosterStatus::parse(status);
        teams.retain(|t| Some(t.roster_status) == wanted);
    }
    Ok(teams)
}

fn team_fields(input: &TeamInput, errors: &mut Vec<FieldError>) -> TeamFields {
    let categories = match parse_categories(input.categories.as_deref().unwrap_or("")) {
        Ok(c) => Categories(c),
        Err(part) => {
            errors.push(FieldError::new("categories", "err.category").with("value", part));
            Categories::default()
        }
    };
    let founded_on = match input.founded_on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => String::new(),
        Some(s) => crate::domain::dates::parse_date(s).map(format_ymd).unwrap_or_else(|k| {
            errors.push(FieldError::new("founded_on", k));
            s.to_string()
        }),
    };
    TeamFields {
        name: required_name("name", input.name.as_deref(), errors),
        leader_name: optional_text("leader_name", input.leader_name.as_deref(), 50, errors),
        leader_phone: optional_phone("leader_phone", input.leader_phone.as_deref(), errors),
        contact_name: optional_text("contact_name", input.contact_name.as_deref(), 50, errors),
        contact_phone: optional_phone("contact_phone", input.contact_phone.as_deref(), errors),
        categories,
        founded_on,
    }
}

pub async fn create(db: &Db, by: &Acting, input: &TeamInput) -> AppResult<Team> {
    let p = by.user()?;
    let campaign = active_campaign(db).await?;
    let mut errors = vec![];
    let f = team_fields(input, &mut errors);
    // Staff of a unit or a community register their own; the district and streets name the org.
    let (unit_id, community_id) = match p.role {
        Role::UnitAdmin => (p.unit_id, None),
        Role::CommunityAdmin => (None, p.community_id),
        _ => (
            input.unit_id,
            if input.unit_id.is_some() {
                None
            } else {
                input.community_id
            },
        ),
    };
    let mut place = TeamPlace {
        unit_id,
        community_id,
        ..Default::default()
    };
    match (unit_id, community_id) {
        (Some(u), _) => {
            if units::get_unit(db, u).await?.is_none() {
                errors.push(FieldError::new("unit_id", "err.no_such_unit"));
            }
        }
        (_, Some(c)) => match communities::get_community(db, c).await? {
            Some(c) => place.street_id = Some(c.street_id),
            None => errors.push(FieldError::new("community_id", "err.no_such_community")),
        },
        _ => errors.push(FieldError::new("unit_id", "err.team_org_required")),
    }
    validated(errors)?;
    ensure(p, Action::Create, &Object::Team(place))?;
    let mut tx = db.begin().await?;
    let team = store::create_team(&mut tx, &by.actor(), campaign.id, unit_id, community_id, &f)
        .await
        .map_err(|e| conflict_on_unique(e, "name", "err.team_taken"))?;
    tx.commit().await?;
    Ok(team)
}

pub async fn update(db: &Db, by: &Acting, id: i64, input: &TeamInput) -> AppResult<Team> {
    load_for_change(db, by, id).await?;
    let mut errors = vec![];
    let f = team_fields(input, &mut errors);
    validated(errors)?;
    let mut tx = db.begin().await?;
    let team = store::update_team(&mut tx, &by.actor(), id, &f)
        .await
        .map_err(|e| conflict_on_unique(e, "name", "err.team_taken"))?;
    tx.commit().await?;
    Ok(team)
}

/// Sends the roster to the district office; late when past the milestone (the board shows it).
pub async fn submit(db: &Db, by: &Acting, id: i64) -> AppResult<Team> {
    let (team, _, _) = load_for_change(db, by, id).await?;
    // Changed after it was accepted: its own state, so that the office sees what it reviews again.
    let status = team
        .roster_status
        .submit(team.roster_accepted_submitted_at.is_some())
        .map_err(|key| AppError::Conflict(vec![FieldError::new("roster_status", key)]))?;
    let mut errors = vec![];
    if team.members == 0 {
        errors.push(FieldError::new("members", "err.roster_empty"));
    }
    if team.leader_name.is_empty() || team.leader_phone.is_empty() {
        errors.push(FieldError::new("leader_name", "err.roster_needs_leader"));
    }
    if team.contact_name.is_empty() || team.contact_phone.is_empty() {
        errors.push(FieldError::new("contact_name", "err.roster_needs_contact"));
    }
    validated(errors)?;
    let mut tx = db.begin().await?;
    let team = store::set_roster_status(&mut tx, &by.actor(), id, status, "").await?;
    tx.commit().await?;
    Ok(team)
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct ReviewInput {
    /// `accept` or `return`.
    pub decision: Option<String>,
    /// Required when returning: what the unit must fix.
    pub reason: Option<String>,
}

/// The district accepts a submitted roster, or returns it with a reason.
pub async fn review(db: &Db, by: &Acting, id: i64, input: &ReviewInput) -> AppResult<Team> {
    let (team, _) = load(db, by, id).await?;
    ensure(by.user()?, Action::Update, &Object::RosterReview)?;
    if !team.roster_status.under_review() {
        return Err(AppError::Conflict(vec![FieldError::new(
            "roster_status",
            "err.roster_not_submitted",
        )]));
    }
    let reason = input.reason.as_deref().map(str::trim).unwrap_or("").to_string();
    let decision = match input.decision.as_deref().and_then(ReviewDecision::parse) {
        Some(ReviewDecision::Return) if reason.is_empty() => {
            return Err(AppError::field("reason", "err.reason_required"))
        }
        Some(d) => d,
        None => return Err(AppError::field("decision", "err.decision")),
    };
    let status = team
        .roster_status
        .review(decision)
        .map_err(|key| AppError::Conflict(vec![FieldError::new("roster_status", key)]))?;
    if reason.chars().count() > 500 {
        return Err(AppError::field("reason", "err.text_too_long"));
    }
    let mut tx = db.begin().await?;
    let team = store::set_roster_status(&mut tx, &by.actor(), id, status, &reason).await?;
    crate::features::notifications::events::roster_reviewed(
        &mut tx,
        &team,
        decision == ReviewDecision::Accept,
        &reason,
    )
    .await?;
    tx.commit().await?;
    Ok(team)
}

// ------------------------------------------------------------ managers (管理人员)

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct ManagerInput {
    #[serde(default, deserialize_with = "lenient_i64")]
    #[schema(ignore)]
    pub unit_id: Option<i64>,
    pub name: Option<String>,
    pub post: Option<String>,
    #[serde(default)]
    #[schema(ignore)]
    pub back: Option<String>,
}

/// The unit, after a check that the caller maintains its rosters; the active campaign.
async fn unit_for_managers(db: &Db, by: &Acting, unit_id: i64) -> AppResult<Campaign> {
    units::get_unit(db, unit_id).await?.ok_or(AppError::NotFound)?;
    let place = TeamPlace {
        unit_id: Some(unit_id),
        ..Default::default()
    };
    ensure(by.user()?, Action::Update, &Object::Team(place))?;
    active_campaign(db).await
}

pub async fn managers(db: &Db, by: &Acting, unit_id: i64) -> AppResult<Vec<Manager>> {
    // Those who maintain the unit's rosters see its managers.
    let campaign = unit_for_managers(db, by, unit_id).await?;
    Ok(managers::managers(db, campaign.id, unit_id).await?)
}

pub async fn add_manager(db: &Db, by: &Acting, unit_id: i64, input: &ManagerInput) -> AppResult<()> {
    let campaign = unit_for_managers(db, by, unit_id).await?;
    let mut errors = vec![];
    let name = required_name("name", input.name.as_deref(), &mut errors);
    let post = optional_text("post", input.post.as_deref(), 50, &mut errors);
    validated(errors)?;
    let mut tx = db.begin().await?;
    if !managers::add_manager(&mut tx, &by.actor(), campaign.id, unit_id, &name, &post).await? {
        return Err(AppError::Conflict(vec![FieldError::new("name", "err.manager_exists")]));
    }
    tx.commit().await?;
    Ok(())
}

pub async fn delete_manager(db: &Db, by: &Acting, unit_id: i64, id: i64) -> AppResult<()> {
    unit_for_managers(db, by, unit_id).await?;
    let mut tx = db.begin().await?;
    if !managers::delete_manager(&mut tx, &by.actor(), unit_id, id).await? {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}
