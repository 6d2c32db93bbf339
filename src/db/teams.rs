//! Volunteer teams (志愿服务队) of units and communities, and their roster state.

use serde::Serialize;
use utoipa::ToSchema;

use super::audit::{self, Actor};
use super::{now, Db, Tx};
use crate::domain::campaign::Categories;
use crate::domain::team::RosterStatus;
use crate::{on_db, on_tx};

/// A volunteer team of a unit (文明单位志愿服务队) or a community (社区居民志愿服务队).
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct Team {
    pub id: i64,
    pub campaign_id: i64,
    pub unit_id: Option<i64>,
    pub community_id: Option<i64>,
    /// The unit's or the community's name.
    pub org_name: String,
    /// For a community team, its street.
    pub street_id: Option<i64>,
    pub name: String,
    /// 负责人 and phone.
    pub leader_name: String,
    pub leader_phone: String,
    /// 联系人 and phone.
    pub contact_name: String,
    pub contact_phone: String,
    /// Service category codes, comma-separated.
    #[schema(value_type = String)]
    pub categories: Categories,
    pub founded_on: String,
    /// `draft`, `submitted`, `accepted`, `returned`, or `resubmitted` (changed after it was
    /// accepted, and submitted again).
    pub roster_status: RosterStatus,
    pub roster_submitted_at: Option<i64>,
    /// When the roster that was first accepted had been submitted: the board measures the
    /// deadline by it, whatever changes follow.
    pub roster_accepted_submitted_at: Option<i64>,
    pub roster_reviewed_at: Option<i64>,
    pub roster_return_reason: String,
    pub members: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Clone, Debug)]
pub struct TeamFields {
    pub name: String,
    pub leader_name: String,
    pub leader_phone: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub categories: Categories,
    pub founded_on: String,
}

pub(super) const TEAM_SELECT: &str = "select t.id, t.campaign_id, t.unit_id, t.community_id, coalesce(u.name, c.name) as org_name,
        c.street_id, t.name, t.leader_name, t.leader_phone, t.contact_name, t.contact_phone, t.categories, t.founded_on,
        t.roster_status, t.roster_submitted_at, t.roster_accepted_submitted_at, t.roster_reviewed_at, t.roster_return_reason,
        (select count(*) from team_members m where m.team_id = t.id) as members, t.created_at, t.updated_at
     from teams t left join units u on u.id = t.unit_id left join communities c on c.id = t.community_id";

/// Which teams a list shows: the policy's scope in tree terms.
#[derive(Clone, Copy, Debug)]
pub struct TeamScope {
    pub all: bool,
    pub street: Option<i64>,
    pub community: Option<i64>,
    pub unit: Option<i64>,
}

impl TeamScope {
    /// The teams a listing scope of the policy covers; `None` when it covers none.
    pub fn of(scope: crate::domain::org::Scope) -> Option<TeamScope> {
        use crate::domain::org::Scope;
        let none = TeamScope {
            all: false,
            street: None,
            community: None,
            unit: None,
        };
        match scope {
            Scope::All => Some(TeamScope { all: true, ..none }),
            Scope::Street(s) => Some(TeamScope {
                street: Some(s),
                ..none
            }),
            Scope::Community(c) => Some(TeamScope {
                community: Some(c),
                ..none
            }),
            Scope::Unit(u) => Some(TeamScope { unit: Some(u), ..none }),
            Scope::OwnAccount(_) | Scope::Nothing => None,
        }
    }
}

pub async fn list_teams(db: &Db, campaign_id: i64, s: TeamScope, q: Option<&str>) -> Result<Vec<Team>, sqlx::Error> {
    if !s.all && s.street.is_none() && s.community.is_none() && s.unit.is_none() {
        return Ok(vec![]);
    }
    let pat = q.map(str::trim).filter(|q| !q.is_empty()).map(super::like_pattern);
    let sql = format!(
        "{TEAM_SELECT} where t.campaign_id = $1
         and ($2 is null or c.street_id = $2 or t.unit_id in
              (select p.unit_id from pairings p join communities pc on pc.id = p.community_id where pc.street_id = $2))
         and ($3 is null or t.community_id = $3 or t.unit_id in (select unit_id from pairings where community_id = $3))
         and ($4 is null or t.unit_id = $4)
         and ($5 is null or lower(t.name) like $5 escape '\\' or lower(coalesce(u.name, c.name)) like $5 escape '\\')
         order by coalesce(u.name, c.name), t.name"
    );
    on_db!(db, pool => sqlx::query_as(&sql).bind(campaign_id).bind(s.street).bind(s.community).bind(s.unit).bind(&pat)
        .fetch_all(pool).await)
}

pub async fn get_team(db: &Db, id: i64) -> Result<Option<Team>, sqlx::Error> {
    let sql = format!("{TEAM_SELECT} where t.id = $1");
    on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)
}

impl audit::Audited for Team {
    const KIND: &'static str = "team";
    fn label(&self) -> String {
        self.name.clone()
    }
    async fn load(tx: &mut Tx, id: i64) -> Result<Option<Team>, sqlx::Error> {
        let sql = format!("{TEAM_SELECT} where t.id = $1");
        on_tx!(tx, c => sqlx::query_as(&sql).bind(id).fetch_optional(&mut *c).await)
    }
}

pub async fn create_team(
    tx: &mut Tx,
    actor: &Actor,
    campaign_id: i64,
    unit_id: Option<i64>,
    community_id: Option<i64>,
    f: &TeamFields,
) -> Result<Team, sqlx::Error> {
    let t = now();
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "insert into teams (campaign_id, unit_id, community_id, name, leader_name, leader_phone, contact_name,
                            contact_phone, categories, founded_on, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) returning id")
        .bind(campaign_id).bind(unit_id).bind(community_id).bind(&f.name).bind(&f.leader_name).bind(&f.leader_phone)
        .bind(&f.contact_name).bind(&f.contact_phone).bind(&f.categories).bind(&f.founded_on).bind(t)
        .fetch_one(&mut *c).await?);
    audit::created(tx, actor, id).await
}

pub async fn update_team(tx: &mut Tx, actor: &Actor, id: i64, f: &TeamFields) -> Result<Team, sqlx::Error> {
    let before: Team = audit::before(tx, id).await?;
    on_tx!(tx, c => sqlx::query(
        "update teams set name = $1, leader_name = $2, leader_phone = $3, contact_name = $4, contact_phone = $5,
         categories = $6, founded_on = $7, updated_at = $8 where id = $9")
        .bind(&f.name).bind(&f.leader_name).bind(&f.leader_phone).bind(&f.contact_name).bind(&f.contact_phone)
        .bind(&f.categories).bind(&f.founded_on).bind(now()).bind(id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    audit::updated(tx, actor, id, &before).await
}

/// Moves a roster through its states: `submitted` and `resubmitted` stamp the time, `accepted`
/// and `returned` the review (with the reason for a return); the first acceptance keeps the time
/// of the submission it accepted.
pub async fn set_roster_status(
    tx: &mut Tx,
    actor: &Actor,
    id: i64,
    status: RosterStatus,
    reason: &str,
) -> Result<Team, sqlx::Error> {
    let before: Team = audit::before(tx, id).await?;
    let t = now();
    let sql = if status.under_review() {
        "update teams set roster_status = $1, roster_submitted_at = $2, roster_return_reason = $3, updated_at = $2 where id = $4"
    } else if status == RosterStatus::Accepted {
        "update teams set roster_status = $1, roster_reviewed_at = $2, roster_return_reason = $3, updated_at = $2,
            roster_accepted_submitted_at = coalesce(roster_accepted_submitted_at, roster_submitted_at) where id = $4"
    } else {
        "update teams set roster_status = $1, roster_reviewed_at = $2, roster_return_reason = $3, updated_at = $2 where id = $4"
    };
    on_tx!(tx, c => sqlx::query(sql).bind(status).bind(t).bind(reason).bind(id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    audit::updated(tx, actor, id, &before).await
}

/// A changed roster goes back to draft so that it is submitted (and reviewed) again; one that was
/// accepted keeps its accepted submission for the deadline.
pub async fn reopen_roster_if_reviewed(tx: &mut Tx, actor: &Actor, id: i64) -> Result<(), sqlx::Error> {
    let status: RosterStatus = on_tx!(tx, c => sqlx::query_scalar("select roster_status from teams where id = $1")
        .bind(id).fetch_one(&mut *c).await?);
    if let Some(draft) = status.reopened() {
        set_roster_status(tx, actor, id, draft, "").await?;
    }
    Ok(())
}
