//! The campaign year in the database: campaigns and milestones, teams and rosters, volunteers,
//! declared managers, traffic-persuasion volunteers and training, check-ins and plans. Every write
//! takes the acting user and records its audit entry.

use std::collections::HashMap;

use serde::Serialize;
use utoipa::ToSchema;

use super::audit::{self, Actor, Op, Subject};
use super::{now, Db, Tx};
use crate::domain::campaign::Milestones;
use crate::domain::text::match_key;
use crate::domain::volunteer::VolunteerFields;
use crate::{on_db, on_tx};

// ---------------------------------------------------------------- campaigns

/// A campaign year and its milestones (dates are `YYYY-MM-DD`).
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct Campaign {
    pub id: i64,
    pub year: i64,
    pub name: String,
    /// Only the active campaign takes changes; past ones are read-only.
    pub active: bool,
    pub formation_due: String,
    pub roster_due: String,
    pub checkin_due: String,
    pub activities_start: String,
    pub activities_end: String,
    /// `YYYY-MM`.
    pub commendation_month: String,
    /// Ages for traffic-volunteer eligibility are counted on this day.
    pub reference_date: String,
    pub created_at: i64,
    pub updated_at: i64,
}

pub async fn active_campaign(db: &Db) -> Result<Option<Campaign>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as("select * from campaigns where active = true").fetch_optional(pool).await)
}

pub async fn list_campaigns(db: &Db) -> Result<Vec<Campaign>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as("select * from campaigns order by year desc").fetch_all(pool).await)
}

pub async fn get_campaign(db: &Db, id: i64) -> Result<Option<Campaign>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as("select * from campaigns where id = $1").bind(id).fetch_optional(pool).await)
}

async fn campaign_in_tx(tx: &mut Tx, id: i64) -> Result<Campaign, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as("select * from campaigns where id = $1").bind(id).fetch_one(&mut *c).await)
}

/// Opens a campaign year; it becomes the active one and every other is closed.
pub async fn create_campaign(
    tx: &mut Tx,
    actor: &Actor,
    year: i64,
    name: &str,
    m: &Milestones,
) -> Result<Campaign, sqlx::Error> {
    let t = now();
    on_tx!(tx, c => sqlx::query("update campaigns set active = false, updated_at = $1 where active = true")
        .bind(t).execute(&mut *c).await.map(|r| r.rows_affected())?);
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "insert into campaigns (year, name, active, formation_due, roster_due, checkin_due, activities_start,
                                activities_end, commendation_month, reference_date, created_at, updated_at)
         values ($1, $2, true, $3, $4, $5, $6, $7, $8, $9, $10, $10) returning id")
        .bind(year).bind(name).bind(&m.formation_due).bind(&m.roster_due).bind(&m.checkin_due)
        .bind(&m.activities_start).bind(&m.activities_end).bind(&m.commendation_month).bind(&m.reference_date).bind(t)
        .fetch_one(&mut *c).await?);
    let after = campaign_in_tx(tx, id).await?;
    audit::record(
        tx,
        actor,
        Op::Create,
        Subject::new("campaign", Some(id), name),
        None,
        Some(&after),
    )
    .await?;
    Ok(after)
}

pub async fn update_campaign(
    tx: &mut Tx,
    actor: &Actor,
    id: i64,
    name: &str,
    m: &Milestones,
) -> Result<Campaign, sqlx::Error> {
    let before = campaign_in_tx(tx, id).await?;
    on_tx!(tx, c => sqlx::query(
        "update campaigns set name = $1, formation_due = $2, roster_due = $3, checkin_due = $4, activities_start = $5,
         activities_end = $6, commendation_month = $7, reference_date = $8, updated_at = $9 where id = $10")
        .bind(name).bind(&m.formation_due).bind(&m.roster_due).bind(&m.checkin_due).bind(&m.activities_start)
        .bind(&m.activities_end).bind(&m.commendation_month).bind(&m.reference_date).bind(now()).bind(id)
        .execute(&mut *c).await.map(|r| r.rows_affected())?);
    let after = campaign_in_tx(tx, id).await?;
    audit::record(
        tx,
        actor,
        Op::Update,
        Subject::new("campaign", Some(id), name),
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

// ---------------------------------------------------------------- teams

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
    /// Comma-separated service category codes.
    pub categories: String,
    pub founded_on: String,
    /// `draft`, `submitted`, `accepted`, `returned`, or `resubmitted` (changed after it was
    /// accepted, and submitted again).
    pub roster_status: String,
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
    pub categories: String,
    pub founded_on: String,
}

const TEAM_SELECT: &str = "select t.id, t.campaign_id, t.unit_id, t.community_id, coalesce(u.name, c.name) as org_name,
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
    pub fn of(scope: crate::auth::policy::Scope) -> Option<TeamScope> {
        use crate::auth::policy::Scope;
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

async fn team_in_tx(tx: &mut Tx, id: i64) -> Result<Team, sqlx::Error> {
    let sql = format!("{TEAM_SELECT} where t.id = $1");
    on_tx!(tx, c => sqlx::query_as(&sql).bind(id).fetch_one(&mut *c).await)
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
    let after = team_in_tx(tx, id).await?;
    audit::record(
        tx,
        actor,
        Op::Create,
        Subject::new("team", Some(id), &after.name),
        None,
        Some(&after),
    )
    .await?;
    Ok(after)
}

pub async fn update_team(tx: &mut Tx, actor: &Actor, id: i64, f: &TeamFields) -> Result<Team, sqlx::Error> {
    let before = team_in_tx(tx, id).await?;
    on_tx!(tx, c => sqlx::query(
        "update teams set name = $1, leader_name = $2, leader_phone = $3, contact_name = $4, contact_phone = $5,
         categories = $6, founded_on = $7, updated_at = $8 where id = $9")
        .bind(&f.name).bind(&f.leader_name).bind(&f.leader_phone).bind(&f.contact_name).bind(&f.contact_phone)
        .bind(&f.categories).bind(&f.founded_on).bind(now()).bind(id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    let after = team_in_tx(tx, id).await?;
    audit::record(
        tx,
        actor,
        Op::Update,
        Subject::new("team", Some(id), &after.name),
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

/// Moves a roster through its states: `submitted` and `resubmitted` stamp the time, `accepted`
/// and `returned` the review (with the reason for a return); the first acceptance keeps the time
/// of the submission it accepted.
pub async fn set_roster_status(
    tx: &mut Tx,
    actor: &Actor,
    id: i64,
    status: &str,
    reason: &str,
) -> Result<Team, sqlx::Error> {
    let before = team_in_tx(tx, id).await?;
    let t = now();
    let sql = if status == "submitted" || status == "resubmitted" {
        "update teams set roster_status = $1, roster_submitted_at = $2, roster_return_reason = $3, updated_at = $2 where id = $4"
    } else if status == "accepted" {
        "update teams set roster_status = $1, roster_reviewed_at = $2, roster_return_reason = $3, updated_at = $2,
            roster_accepted_submitted_at = coalesce(roster_accepted_submitted_at, roster_submitted_at) where id = $4"
    } else {
        "update teams set roster_status = $1, roster_reviewed_at = $2, roster_return_reason = $3, updated_at = $2 where id = $4"
    };
    on_tx!(tx, c => sqlx::query(sql).bind(status).bind(t).bind(reason).bind(id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    let after = team_in_tx(tx, id).await?;
    audit::record(
        tx,
        actor,
        Op::Update,
        Subject::new("team", Some(id), &after.name),
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

/// A changed roster goes back to draft so that it is submitted (and reviewed) again; one that was
/// accepted keeps its accepted submission for the deadline.
pub async fn reopen_roster_if_reviewed(tx: &mut Tx, actor: &Actor, id: i64) -> Result<(), sqlx::Error> {
    let status: String = on_tx!(tx, c => sqlx::query_scalar("select roster_status from teams where id = $1")
        .bind(id).fetch_one(&mut *c).await?);
    if status != "draft" {
        set_roster_status(tx, actor, id, "draft", "").await?;
    }
    Ok(())
}

// ---------------------------------------------------------------- volunteers and rosters

/// One person's record, whatever teams they are in.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct Volunteer {
    pub id: i64,
    /// 志愿者编号: shown instead of the ID number.
    pub volunteer_no: String,
    pub name: String,
    pub sex: String,
    pub birth_date: String,
    pub id_type: String,
    pub id_number: Option<String>,
    pub phone: String,
    pub residence: String,
    pub political_status: String,
    pub employer: String,
    pub post: String,
    pub skills: String,
    pub consent_at: Option<i64>,
    pub id_consent_at: Option<i64>,
    pub guardian_name: String,
    pub guardian_phone: String,
    pub guardian_consent_at: Option<i64>,
    pub user_id: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A line of a team's roster: the volunteer and their place in the team.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct Member {
    pub member_id: i64,
    pub team_id: i64,
    pub is_manager: bool,
    /// The person's service categories in this team (codes, comma-separated), as on 附件2.
    pub categories: String,
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub volunteer: Volunteer,
}

pub async fn get_volunteer(db: &Db, id: i64) -> Result<Option<Volunteer>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as("select * from volunteers where id = $1").bind(id).fetch_optional(pool).await)
}

pub async fn volunteer_by_user(db: &Db, user_id: i64) -> Result<Option<Volunteer>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as("select * from volunteers where user_id = $1").bind(user_id).fetch_optional(pool).await)
}

pub async fn volunteer_in_tx(tx: &mut Tx, id: i64) -> Result<Volunteer, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as("select * from volunteers where id = $1").bind(id).fetch_one(&mut *c).await)
}

pub async fn members(db: &Db, team_id: i64) -> Result<Vec<Member>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select m.id as member_id, m.team_id, m.is_manager, m.categories, v.* from team_members m
         join volunteers v on v.id = m.volunteer_id where m.team_id = $1 order by m.id")
        .bind(team_id).fetch_all(pool).await)
}

/// The roster inside a transaction (for seeding and imports that read what they wrote).
pub async fn members_in_tx(tx: &mut Tx, team_id: i64) -> Result<Vec<Member>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as(
        "select m.id as member_id, m.team_id, m.is_manager, m.categories, v.* from team_members m
         join volunteers v on v.id = m.volunteer_id where m.team_id = $1 order by m.id")
        .bind(team_id).fetch_all(&mut *c).await)
}

/// The teams (with their orgs) a volunteer is on, for the policy's view of the record.
pub async fn volunteer_teams(db: &Db, volunteer_id: i64) -> Result<Vec<Team>, sqlx::Error> {
    let sql = format!("{TEAM_SELECT} where t.id in (select team_id from team_members where volunteer_id = $1)");
    on_db!(db, pool => sqlx::query_as(&sql).bind(volunteer_id).fetch_all(pool).await)
}

/// How an incoming person matches the records already kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Match {
    /// The same ID number: the same person.
    ById(i64),
    /// No ID number to compare, the same name and phone: the same person.
    ByNamePhone(i64),
    New,
}

/// Finds the existing record of a person: by ID number, else by name and phone.
pub async fn match_volunteer(
    tx: &mut Tx,
    id_number: Option<&str>,
    name: &str,
    phone: &str,
) -> Result<Match, sqlx::Error> {
    if let Some(n) = id_number {
        let hit: Option<i64> = on_tx!(tx, c => sqlx::query_scalar("select id from volunteers where id_number = $1")
            .bind(n).fetch_optional(&mut *c).await?);
        if let Some(id) = hit {
            return Ok(Match::ById(id));
        }
    }
    // A record with another ID number is another person even with the same name and phone; names
    // compare whatever their width and spacing (欧阳  娜 = 欧阳娜).
    let same_phone: Vec<(i64, String)> = on_tx!(tx, c => sqlx::query_as(
        "select id, name from volunteers where phone = $1 and ($2 is null or id_number is null) order by id")
        .bind(phone).bind(id_number).fetch_all(&mut *c).await?);
    let key = match_key(name);
    let hit = same_phone
        .into_iter()
        .find(|(_, n)| match_key(n) == key)
        .map(|(id, _)| id);
    Ok(hit.map(Match::ByNamePhone).unwrap_or(Match::New))
}

/// The records that may be the people of an upload, fetched in a few queries instead of one per
/// row: those with one of the ID numbers, and those with one of the phones.
pub async fn people_like(tx: &mut Tx, id_numbers: &[String], phones: &[String]) -> Result<Vec<Volunteer>, sqlx::Error> {
    let mut out: Vec<Volunteer> = vec![];
    for (column, values) in [("id_number", id_numbers), ("phone", phones)] {
        for chunk in values.chunks(500) {
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!("select * from volunteers where {column} in ({})", marks.join(", "));
            let rows: Vec<Volunteer> = on_tx!(tx, c => {
                let mut q = sqlx::query_as(&sql);
                for v in chunk {
                    q = q.bind(v);
                }
                q.fetch_all(&mut *c).await?
            });
            out.extend(rows);
        }
    }
    out.sort_by_key(|v| v.id);
    out.dedup_by_key(|v| v.id);
    Ok(out)
}

/// Records fetched by [`people_like`], indexed for matching row after row.
pub struct PeopleIndex {
    people: Vec<Volunteer>,
    by_id_number: HashMap<String, usize>,
    by_name_phone: HashMap<(String, String), Vec<usize>>,
    by_id: HashMap<i64, usize>,
}

impl PeopleIndex {
    pub fn new(people: Vec<Volunteer>) -> PeopleIndex {
        let mut ix = PeopleIndex {
            by_id_number: HashMap::new(),
            by_name_phone: HashMap::new(),
            by_id: HashMap::new(),
            people: vec![],
        };
        for (i, v) in people.iter().enumerate() {
            if let Some(n) = &v.id_number {
                ix.by_id_number.insert(n.clone(), i);
            }
            ix.by_name_phone
                .entry((match_key(&v.name), v.phone.clone()))
                .or_default()
                .push(i);
            ix.by_id.insert(v.id, i);
        }
        ix.people = people;
        ix
    }

    pub fn get(&self, id: i64) -> Option<&Volunteer> {
        self.by_id.get(&id).map(|i| &self.people[*i])
    }

    /// The same rule as [`match_volunteer`].
    pub fn matching(&self, id_number: Option<&str>, name: &str, phone: &str) -> Match {
        if let Some(i) = id_number.and_then(|n| self.by_id_number.get(n)) {
            return Match::ById(self.people[*i].id);
        }
        self.by_name_phone
            .get(&(match_key(name), phone.to_string()))
            .and_then(|c| {
                c.iter()
                    .map(|i| &self.people[*i])
                    .find(|v| id_number.is_none() || v.id_number.is_none())
            })
            .map(|v| Match::ByNamePhone(v.id))
            .unwrap_or(Match::New)
    }
}

/// Whether [`update_volunteer`] with these fields would change the record.
pub fn would_change(v: &Volunteer, f: &VolunteerFields) -> bool {
    let differs = |new: &str, old: &str| !new.is_empty() && new != old;
    differs(&f.name, &v.name)
        || differs(&f.sex, &v.sex)
        || differs(&f.birth_date, &v.birth_date)
        || differs(&f.id_type, &v.id_type)
        || (f.id_number.is_some() && f.id_number != v.id_number)
        || differs(&f.phone, &v.phone)
        || differs(&f.residence, &v.residence)
        || differs(&f.political_status, &v.political_status)
        || differs(&f.employer, &v.employer)
        || differs(&f.post, &v.post)
        || differs(&f.skills, &v.skills)
        || differs(&f.guardian_name, &v.guardian_name)
        || differs(&f.guardian_phone, &v.guardian_phone)
}

/// Creates a person's record with a new volunteer number; consent is recorded as given now.
pub async fn insert_volunteer(tx: &mut Tx, actor: &Actor, f: &VolunteerFields) -> Result<Volunteer, sqlx::Error> {
    let t = now();
    let placeholder = format!("new-{}", crate::auth::new_token());
    let id_consent = f.id_number.as_ref().map(|_| t);
    let guardian_consent = (!f.guardian_name.is_empty()).then_some(t);
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "insert into volunteers (volunteer_no, name, sex, birth_date, id_type, id_number, phone, residence,
            political_status, employer, post, skills, consent_at, id_consent_at, guardian_name, guardian_phone,
            guardian_consent_at, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $13, $13) returning id")
        .bind(&placeholder).bind(&f.name).bind(&f.sex).bind(&f.birth_date).bind(&f.id_type).bind(&f.id_number)
        .bind(&f.phone).bind(&f.residence).bind(&f.political_status).bind(&f.employer).bind(&f.post).bind(&f.skills)
        .bind(t).bind(id_consent).bind(&f.guardian_name).bind(&f.guardian_phone).bind(guardian_consent)
        .fetch_one(&mut *c).await?);
    on_tx!(tx, c => sqlx::query("update volunteers set volunteer_no = $1 where id = $2")
        .bind(volunteer_no(id)).bind(id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    let after = volunteer_in_tx(tx, id).await?;
    audit::record(
        tx,
        actor,
        Op::Create,
        Subject::new("volunteer", Some(id), &after.volunteer_no),
        None,
        Some(&after),
    )
    .await?;
    Ok(after)
}

/// The volunteer number of a record: unit-independent, never the ID number.
pub fn volunteer_no(id: i64) -> String {
    format!("LF{id:08}")
}

/// Updates a person's record with what was typed; blanks never erase what is known.
pub async fn update_volunteer(
    tx: &mut Tx,
    actor: &Actor,
    id: i64,
    f: &VolunteerFields,
) -> Result<Volunteer, sqlx::Error> {
    let before = volunteer_in_tx(tx, id).await?;
    let keep = |new: &str, old: &str| {
        if new.is_empty() {
            old.to_string()
        } else {
            new.to_string()
        }
    };
    let t = now();
    let id_number = f.id_number.clone().or(before.id_number.clone());
    let id_consent = if f.id_number.is_some() && before.id_number.is_none() {
        Some(t)
    } else {
        before.id_consent_at
    };
    let guardian_consent = if !f.guardian_name.is_empty() && before.guardian_name.is_empty() {
        Some(t)
    } else {
        before.guardian_consent_at
    };
    on_tx!(tx, c => sqlx::query(
        "update volunteers set name = $1, sex = $2, birth_date = $3, id_type = $4, id_number = $5, phone = $6,
            residence = $7, political_status = $8, employer = $9, post = $10, skills = $11, id_consent_at = $12,
            guardian_name = $13, guardian_phone = $14, guardian_consent_at = $15, updated_at = $16 where id = $17")
        .bind(keep(&f.name, &before.name)).bind(keep(&f.sex, &before.sex)).bind(keep(&f.birth_date, &before.birth_date))
        .bind(keep(&f.id_type, &before.id_type)).bind(&id_number).bind(keep(&f.phone, &before.phone))
        .bind(keep(&f.residence, &before.residence)).bind(keep(&f.political_status, &before.political_status))
        .bind(keep(&f.employer, &before.employer)).bind(keep(&f.post, &before.post)).bind(keep(&f.skills, &before.skills))
        .bind(id_consent).bind(keep(&f.guardian_name, &before.guardian_name))
        .bind(keep(&f.guardian_phone, &before.guardian_phone)).bind(guardian_consent).bind(t).bind(id)
        .execute(&mut *c).await.map(|r| r.rows_affected())?);
    let after = volunteer_in_tx(tx, id).await?;
    audit::record(
        tx,
        actor,
        Op::Update,
        Subject::new("volunteer", Some(id), &after.volunteer_no),
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

/// Puts a volunteer on a team's roster (or updates the manager flag); answers whether a line was added.
pub async fn add_member(
    tx: &mut Tx,
    actor: &Actor,
    team_id: i64,
    volunteer_id: i64,
    is_manager: bool,
) -> Result<bool, sqlx::Error> {
    let existing: Option<(i64, bool)> = on_tx!(tx, c => sqlx::query_as(
        "select id, is_manager from team_members where team_id = $1 and volunteer_id = $2")
        .bind(team_id).bind(volunteer_id).fetch_optional(&mut *c).await?);
    #[derive(Serialize)]
    struct Line {
        team_id: i64,
        volunteer_id: i64,
        is_manager: bool,
    }
    let line = Line {
        team_id,
        volunteer_id,
        is_manager,
    };
    match existing {
        Some((_, was)) if was == is_manager => Ok(false),
        Some((id, was)) => {
            on_tx!(tx, c => sqlx::query("update team_members set is_manager = $1 where id = $2")
                .bind(is_manager).bind(id).execute(&mut *c).await.map(|r| r.rows_affected())?);
            let before = Line {
                is_manager: was,
                ..line
            };
            let after = Line {
                team_id,
                volunteer_id,
                is_manager,
            };
            audit::record(
                tx,
                actor,
                Op::Update,
                Subject::new("member", Some(id), ""),
                Some(&before),
                Some(&after),
            )
            .await?;
            Ok(false)
        }
        None => {
            let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
                "insert into team_members (team_id, volunteer_id, is_manager, created_at) values ($1, $2, $3, $4) returning id")
                .bind(team_id).bind(volunteer_id).bind(is_manager).bind(now()).fetch_one(&mut *c).await?);
            audit::record(
                tx,
                actor,
                Op::Create,
                Subject::new("member", Some(id), ""),
                None,
                Some(&line),
            )
            .await?;
            Ok(true)
        }
    }
}

/// Sets a roster line's service categories (codes, comma-separated); answers whether they changed.
pub async fn set_member_categories(
    tx: &mut Tx,
    actor: &Actor,
    team_id: i64,
    volunteer_id: i64,
    categories: &str,
) -> Result<bool, sqlx::Error> {
    let existing: Option<(i64, String)> = on_tx!(tx, c => sqlx::query_as(
        "select id, categories from team_members where team_id = $1 and volunteer_id = $2")
        .bind(team_id).bind(volunteer_id).fetch_optional(&mut *c).await?);
    let Some((id, before)) = existing.filter(|(_, was)| was != categories) else {
        return Ok(false);
    };
    on_tx!(tx, c => sqlx::query("update team_members set categories = $1 where id = $2")
        .bind(categories).bind(id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    audit::record(
        tx,
        actor,
        Op::Update,
        Subject::new("member", Some(id), ""),
        Some(&serde_json::json!({"categories": before})),
        Some(&serde_json::json!({"categories": categories})),
    )
    .await?;
    Ok(true)
}

pub async fn remove_member(tx: &mut Tx, actor: &Actor, team_id: i64, volunteer_id: i64) -> Result<bool, sqlx::Error> {
    let id: Option<i64> = on_tx!(tx, c => sqlx::query_scalar(
        "delete from team_members where team_id = $1 and volunteer_id = $2 returning id")
        .bind(team_id).bind(volunteer_id).fetch_optional(&mut *c).await?);
    if let Some(id) = id {
        let gone = serde_json::json!({"team_id": team_id, "volunteer_id": volunteer_id});
        audit::record_raw(tx, actor, "delete", Subject::new("member", Some(id), ""), &gone).await?;
    }
    Ok(id.is_some())
}

pub async fn link_user(tx: &mut Tx, actor: &Actor, volunteer_id: i64, user_id: i64) -> Result<(), sqlx::Error> {
    let before = volunteer_in_tx(tx, volunteer_id).await?;
    on_tx!(tx, c => sqlx::query("update volunteers set user_id = $1, updated_at = $2 where id = $3")
        .bind(user_id).bind(now()).bind(volunteer_id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    let after = volunteer_in_tx(tx, volunteer_id).await?;
    let subject = Subject::new("volunteer", Some(volunteer_id), &after.volunteer_no);
    audit::record(tx, actor, Op::Update, subject, Some(&before), Some(&after)).await
}

// ---------------------------------------------------------------- managers (管理人员)

/// A manager the unit declares; the plan says every manager serves.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct Manager {
    pub id: i64,
    pub unit_id: i64,
    pub name: String,
    pub post: String,
    /// Whether someone of that name is on one of the unit's rosters this campaign.
    pub on_roster: bool,
}

pub async fn managers(db: &Db, campaign_id: i64, unit_id: i64) -> Result<Vec<Manager>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select g.id, g.unit_id, g.name, g.post,
                exists (select 1 from team_members m join teams t on t.id = m.team_id join volunteers v on v.id = m.volunteer_id
                        where t.campaign_id = g.campaign_id and t.unit_id = g.unit_id and v.name = g.name) as on_roster
         from unit_managers g where g.campaign_id = $1 and g.unit_id = $2 order by g.id")
        .bind(campaign_id).bind(unit_id).fetch_all(pool).await)
}

/// Declares a manager; answers false when the name was declared already.
pub async fn add_manager(
    tx: &mut Tx,
    actor: &Actor,
    campaign_id: i64,
    unit_id: i64,
    name: &str,
    post: &str,
) -> Result<bool, sqlx::Error> {
    let id: Option<i64> = on_tx!(tx, c => sqlx::query_scalar(
        "insert into unit_managers (campaign_id, unit_id, name, post, created_at) values ($1, $2, $3, $4, $5)
         on conflict (campaign_id, unit_id, name) do nothing returning id")
        .bind(campaign_id).bind(unit_id).bind(name).bind(post).bind(now()).fetch_optional(&mut *c).await?);
    if let Some(id) = id {
        let after = serde_json::json!({"unit_id": unit_id, "name": name, "post": post});
        audit::record(
            tx,
            actor,
            Op::Create,
            Subject::new("manager", Some(id), name),
            None,
            Some(&after),
        )
        .await?;
    }
    Ok(id.is_some())
}

pub async fn delete_manager(tx: &mut Tx, actor: &Actor, unit_id: i64, id: i64) -> Result<bool, sqlx::Error> {
    let name: Option<String> = on_tx!(tx, c => sqlx::query_scalar(
        "delete from unit_managers where id = $1 and unit_id = $2 returning name")
        .bind(id).bind(unit_id).fetch_optional(&mut *c).await?);
    if let Some(name) = &name {
        let gone = serde_json::json!({"unit_id": unit_id, "name": name});
        audit::record_raw(tx, actor, "delete", Subject::new("manager", Some(id), name), &gone).await?;
    }
    Ok(name.is_some())
}

// ---------------------------------------------------------------- traffic-persuasion volunteers

/// A traffic-persuasion volunteer (附件3) and why they qualify.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct TrafficVolunteer {
    pub traffic_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    /// `traffic.reason.league`, `traffic.reason.youth` or `traffic.reason.activist`.
    pub reason: String,
    /// Training hours recorded by the police brigade, in minutes.
    pub training_minutes: i64,
    pub passed: bool,
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub volunteer: Volunteer,
}

pub async fn traffic_volunteers(
    db: &Db,
    campaign_id: i64,
    unit_id: Option<i64>,
) -> Result<Vec<TrafficVolunteer>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select x.id as traffic_id, x.unit_id, u.name as unit_name, x.reason,
                coalesce((select cast(sum(tr.minutes) as bigint) from training_attendance a join trainings tr on tr.id = a.training_id
                          where a.volunteer_id = x.volunteer_id and tr.campaign_id = x.campaign_id), 0) as training_minutes,
                exists (select 1 from training_attendance a join trainings tr on tr.id = a.training_id
                        where a.volunteer_id = x.volunteer_id and tr.campaign_id = x.campaign_id and a.passed = true) as passed,
                v.*
         from traffic_volunteers x join volunteers v on v.id = x.volunteer_id join units u on u.id = x.unit_id
         where x.campaign_id = $1 and ($2 is null or x.unit_id = $2) order by u.name, x.id")
        .bind(campaign_id).bind(unit_id).fetch_all(pool).await)
}

pub async fn add_traffic_volunteer(
    tx: &mut Tx,
    actor: &Actor,
    campaign_id: i64,
    unit_id: i64,
    volunteer_id: i64,
    reason: &str,
) -> Result<bool, sqlx::Error> {
    let id: Option<i64> = on_tx!(tx, c => sqlx::query_scalar(
        "insert into traffic_volunteers (campaign_id, unit_id, volunteer_id, reason, created_at) values ($1, $2, $3, $4, $5)
         on conflict (campaign_id, volunteer_id) do nothing returning id")
        .bind(campaign_id).bind(unit_id).bind(volunteer_id).bind(reason).bind(now()).fetch_optional(&mut *c).await?);
    if let Some(id) = id {
        let after = serde_json::json!({"unit_id": unit_id, "volunteer_id": volunteer_id, "reason": reason});
        audit::record(
            tx,
            actor,
            Op::Create,
            Subject::new("traffic_volunteer", Some(id), ""),
            None,
            Some(&after),
        )
        .await?;
    }
    Ok(id.is_some())
}

pub async fn remove_traffic_volunteer(
    tx: &mut Tx,
    actor: &Actor,
    campaign_id: i64,
    unit_id: i64,
    volunteer_id: i64,
) -> Result<bool, sqlx::Error> {
    let id: Option<i64> = on_tx!(tx, c => sqlx::query_scalar(
        "delete from traffic_volunteers where campaign_id = $1 and unit_id = $2 and volunteer_id = $3 returning id")
        .bind(campaign_id).bind(unit_id).bind(volunteer_id).fetch_optional(&mut *c).await?);
    if let Some(id) = id {
        let gone = serde_json::json!({"unit_id": unit_id, "volunteer_id": volunteer_id});
        audit::record_raw(
            tx,
            actor,
            "delete",
            Subject::new("traffic_volunteer", Some(id), ""),
            &gone,
        )
        .await?;
    }
    Ok(id.is_some())
}

/// Marks the unit's traffic list as sent to the district (the first time counts for the board).
pub async fn submit_traffic_list(
    tx: &mut Tx,
    actor: &Actor,
    campaign_id: i64,
    unit_id: i64,
) -> Result<(), sqlx::Error> {
    let id: Option<i64> = on_tx!(tx, c => sqlx::query_scalar(
        "insert into traffic_lists (campaign_id, unit_id, submitted_at) values ($1, $2, $3)
         on conflict (campaign_id, unit_id) do nothing returning id")
        .bind(campaign_id).bind(unit_id).bind(now()).fetch_optional(&mut *c).await?);
    if let Some(id) = id {
        let after = serde_json::json!({"unit_id": unit_id});
        audit::record(
            tx,
            actor,
            Op::Create,
            Subject::new("traffic_list", Some(id), ""),
            None,
            Some(&after),
        )
        .await?;
    }
    Ok(())
}

pub async fn traffic_list_submitted_at(db: &Db, campaign_id: i64, unit_id: i64) -> Result<Option<i64>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar("select submitted_at from traffic_lists where campaign_id = $1 and unit_id = $2")
        .bind(campaign_id).bind(unit_id).fetch_optional(pool).await)
}

/// A training session held by the police brigade.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct Training {
    pub id: i64,
    pub campaign_id: i64,
    pub held_on: String,
    pub place: String,
    pub content: String,
    pub minutes: i64,
    pub attended: i64,
    pub passed: i64,
    pub created_at: i64,
}

pub async fn trainings(db: &Db, campaign_id: i64) -> Result<Vec<Training>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select t.*, (select count(*) from training_attendance a where a.training_id = t.id) as attended,
                (select count(*) from training_attendance a where a.training_id = t.id and a.passed = true) as passed
         from trainings t where t.campaign_id = $1 order by t.held_on desc, t.id desc")
        .bind(campaign_id).fetch_all(pool).await)
}

/// Records a training with who attended and who passed, in one transaction.
/// What a training session was.
#[derive(Clone, Debug)]
pub struct NewTraining {
    pub held_on: String,
    pub place: String,
    pub content: String,
    pub minutes: i64,
}

pub async fn record_training(
    tx: &mut Tx,
    actor: &Actor,
    campaign_id: i64,
    t: &NewTraining,
    attendance: &[(i64, bool)],
) -> Result<i64, sqlx::Error> {
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "insert into trainings (campaign_id, held_on, place, content, minutes, created_at) values ($1, $2, $3, $4, $5, $6)
         returning id")
        .bind(campaign_id).bind(&t.held_on).bind(&t.place).bind(&t.content).bind(t.minutes).bind(now()).fetch_one(&mut *c).await?);
    for (volunteer_id, passed) in attendance {
        on_tx!(tx, c => sqlx::query(
            "insert into training_attendance (training_id, volunteer_id, passed) values ($1, $2, $3)")
            .bind(id).bind(volunteer_id).bind(passed).execute(&mut *c).await.map(|r| r.rows_affected())?);
    }
    let after = serde_json::json!({"held_on": t.held_on, "place": t.place, "content": t.content, "minutes": t.minutes,
        "attended": attendance.len(), "passed": attendance.iter().filter(|(_, p)| *p).count()});
    audit::record(
        tx,
        actor,
        Op::Create,
        Subject::new("training", Some(id), &t.content),
        None,
        Some(&after),
    )
    .await?;
    Ok(id)
}

// ---------------------------------------------------------------- check-ins (附件4) and plans

/// A team's check-in with one paired community: filed by the team, forwarded by the street,
/// confirmed (or returned) by the community; then the long-term plan.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct CheckIn {
    pub id: i64,
    pub team_id: i64,
    pub team_name: String,
    pub unit_id: Option<i64>,
    pub org_name: String,
    pub community_id: i64,
    pub community_name: String,
    pub street_id: i64,
    pub street_name: String,
    /// `filed`, `forwarded`, `confirmed` or `returned`.
    pub status: String,
    pub filed_at: i64,
    pub forwarded_at: Option<i64>,
    pub confirmed_at: Option<i64>,
    pub returned_at: Option<i64>,
    pub return_reason: String,
    pub plan_text: String,
    pub plan_filed_at: Option<i64>,
    pub plan_file_name: String,
    pub plan_file_type: String,
}

const CHECKIN_SELECT: &str =
    "select k.id, k.team_id, t.name as team_name, t.unit_id, coalesce(u.name, tc.name) as org_name,
        k.community_id, c.name as community_name, c.street_id, s.name as street_name, k.status, k.filed_at,
        k.forwarded_at, k.confirmed_at, k.returned_at, k.return_reason, k.plan_text, k.plan_filed_at,
        k.plan_file_name, k.plan_file_type
     from checkins k join teams t on t.id = k.team_id left join units u on u.id = t.unit_id
     left join communities tc on tc.id = t.community_id
     join communities c on c.id = k.community_id join streets s on s.id = c.street_id";

/// Check-ins of one campaign within a scope (a street's communities, a community, a unit's teams).
pub async fn checkins(db: &Db, campaign_id: i64, s: TeamScope) -> Result<Vec<CheckIn>, sqlx::Error> {
    if !s.all && s.street.is_none() && s.community.is_none() && s.unit.is_none() {
        return Ok(vec![]);
    }
    let sql = format!(
        "{CHECKIN_SELECT} where t.campaign_id = $1 and ($2 is null or c.street_id = $2) and ($3 is null or k.community_id = $3)
         and ($4 is null or t.unit_id = $4) order by s.name, c.name, t.name"
    );
    on_db!(db, pool => sqlx::query_as(&sql).bind(campaign_id).bind(s.street).bind(s.community).bind(s.unit)
        .fetch_all(pool).await)
}

pub async fn get_checkin(db: &Db, id: i64) -> Result<Option<CheckIn>, sqlx::Error> {
    let sql = format!("{CHECKIN_SELECT} where k.id = $1");
    on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)
}

async fn checkin_in_tx(tx: &mut Tx, id: i64) -> Result<CheckIn, sqlx::Error> {
    let sql = format!("{CHECKIN_SELECT} where k.id = $1");
    on_tx!(tx, c => sqlx::query_as(&sql).bind(id).fetch_one(&mut *c).await)
}

fn checkin_label(k: &CheckIn) -> String {
    format!("{} → {}", k.team_name, k.community_name)
}

/// Files a check-in (or files it again after a return).
pub async fn file_checkin(tx: &mut Tx, actor: &Actor, team_id: i64, community_id: i64) -> Result<CheckIn, sqlx::Error> {
    let t = now();
    let existing: Option<i64> = on_tx!(tx, c => sqlx::query_scalar(
        "select id from checkins where team_id = $1 and community_id = $2").bind(team_id).bind(community_id)
        .fetch_optional(&mut *c).await?);
    let (id, before) = match existing {
        Some(id) => {
            let before = checkin_in_tx(tx, id).await?;
            on_tx!(tx, c => sqlx::query(
                "update checkins set status = 'filed', filed_at = $1, forwarded_at = null, confirmed_at = null,
                 returned_at = null, return_reason = '' where id = $2")
                .bind(t).bind(id).execute(&mut *c).await.map(|r| r.rows_affected())?);
            (id, Some(before))
        }
        None => {
            let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
                "insert into checkins (team_id, community_id, status, filed_at) values ($1, $2, 'filed', $3) returning id")
                .bind(team_id).bind(community_id).bind(t).fetch_one(&mut *c).await?);
            (id, None)
        }
    };
    let after = checkin_in_tx(tx, id).await?;
    let op = if before.is_some() { Op::Update } else { Op::Create };
    audit::record(
        tx,
        actor,
        op,
        Subject::new("checkin", Some(id), &checkin_label(&after)),
        before.as_ref(),
        Some(&after),
    )
    .await?;
    Ok(after)
}

/// Moves a check-in on: `forwarded` (street), `confirmed` or `returned` (community).
pub async fn move_checkin(
    tx: &mut Tx,
    actor: &Actor,
    id: i64,
    status: &str,
    reason: &str,
) -> Result<CheckIn, sqlx::Error> {
    let before = checkin_in_tx(tx, id).await?;
    let column = match status {
        "forwarded" => "forwarded_at",
        "confirmed" => "confirmed_at",
        _ => "returned_at",
    };
    let sql = format!("update checkins set status = $1, {column} = $2, return_reason = $3 where id = $4");
    on_tx!(tx, c => sqlx::query(&sql).bind(status).bind(now()).bind(reason).bind(id).execute(&mut *c).await
        .map(|r| r.rows_affected())?);
    let after = checkin_in_tx(tx, id).await?;
    audit::record(
        tx,
        actor,
        Op::Update,
        Subject::new("checkin", Some(id), &checkin_label(&after)),
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

/// Files the long-term activity plan (长效活动方案) with an optional attached file.
pub async fn file_plan(
    tx: &mut Tx,
    actor: &Actor,
    id: i64,
    text: &str,
    file: Option<(&str, &str, &[u8])>,
) -> Result<CheckIn, sqlx::Error> {
    let before = checkin_in_tx(tx, id).await?;
    let t = now();
    match file {
        Some((name, mime, bytes)) => {
            on_tx!(tx, c => sqlx::query(
                "update checkins set plan_text = $1, plan_filed_at = $2, plan_file_name = $3, plan_file_type = $4,
                 plan_file = $5 where id = $6")
                .bind(text).bind(t).bind(name).bind(mime).bind(bytes).bind(id).execute(&mut *c).await
                .map(|r| r.rows_affected())?)
        }
        None => {
            on_tx!(tx, c => sqlx::query("update checkins set plan_text = $1, plan_filed_at = $2 where id = $3")
                .bind(text).bind(t).bind(id).execute(&mut *c).await.map(|r| r.rows_affected())?)
        }
    };
    let after = checkin_in_tx(tx, id).await?;
    audit::record(
        tx,
        actor,
        Op::Update,
        Subject::new("checkin", Some(id), &checkin_label(&after)),
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

pub async fn plan_file(db: &Db, id: i64) -> Result<Option<(String, String, Vec<u8>)>, sqlx::Error> {
    let row: Option<(String, String, Option<Vec<u8>>)> = on_db!(db, pool => sqlx::query_as(
        "select plan_file_name, plan_file_type, plan_file from checkins where id = $1").bind(id).fetch_optional(pool).await?);
    Ok(row.and_then(|(n, t, b)| b.map(|b| (n, t, b))))
}

// ---------------------------------------------------------------- milestone board

/// The facts the board is computed from, per org (unit or community): when each step was done.
#[derive(Clone, Debug, Default)]
pub struct OrgProgress {
    pub teams: i64,
    /// When the first team with both a 负责人 and a 联系人 was registered.
    pub formed_at: Option<i64>,
    /// When the last of its teams' rosters was submitted (all teams submitted), and whether all are accepted.
    pub roster_submitted_at: Option<i64>,
    pub rosters_accepted: bool,
    pub rosters_returned: bool,
    pub traffic_submitted_at: Option<i64>,
    /// Check-ins expected (its teams × its paired communities) and confirmed, and the last confirmation.
    pub checkins_expected: i64,
    pub checkins_confirmed: i64,
    pub checked_in_at: Option<i64>,
    pub plans_filed: i64,
    pub planned_at: Option<i64>,
}

/// Progress of every unit and community in one campaign, keyed by (`unit`|`community`, id).
pub async fn progress(
    db: &Db,
    campaign_id: i64,
) -> Result<std::collections::HashMap<(&'static str, i64), OrgProgress>, sqlx::Error> {
    type TeamRow = (
        Option<i64>,
        Option<i64>,
        i64,
        String,
        String,
        String,
        Option<i64>,
        Option<i64>,
    );
    let teams: Vec<TeamRow> = on_db!(db, pool => sqlx::query_as(
        "select unit_id, community_id, created_at, leader_name, contact_name, roster_status, roster_submitted_at,
                roster_accepted_submitted_at
         from teams where campaign_id = $1").bind(campaign_id).fetch_all(pool).await?);
    let traffic: Vec<(i64, i64)> = on_db!(db, pool => sqlx::query_as(
        "select unit_id, submitted_at from traffic_lists where campaign_id = $1").bind(campaign_id).fetch_all(pool).await?);
    type CheckRow = (Option<i64>, Option<i64>, String, Option<i64>, Option<i64>);
    let checks: Vec<CheckRow> = on_db!(db, pool => sqlx::query_as(
        "select t.unit_id, t.community_id, k.status, k.confirmed_at, k.plan_filed_at
         from checkins k join teams t on t.id = k.team_id where t.campaign_id = $1").bind(campaign_id).fetch_all(pool).await?);
    let pair_counts: Vec<(i64, i64)> = on_db!(db, pool => sqlx::query_as(
        "select unit_id, count(*) from pairings group by unit_id").fetch_all(pool).await?);
    let pairs: std::collections::HashMap<i64, i64> = pair_counts.into_iter().collect();

    let mut out: std::collections::HashMap<(&'static str, i64), OrgProgress> = Default::default();
    let key = |u: Option<i64>, c: Option<i64>| match (u, c) {
        (Some(u), _) => ("unit", u),
        (_, Some(c)) => ("community", c),
        _ => ("unit", -1),
    };
    let mut all_submitted: std::collections::HashMap<(&'static str, i64), bool> = Default::default();
    for (u, c, created, leader, contact, status, submitted, accepted_submission) in teams {
        let k = key(u, c);
        let e = out.entry(k).or_default();
        e.teams += 1;
        if !leader.is_empty() && !contact.is_empty() {
            e.formed_at = Some(e.formed_at.map_or(created, |f| f.min(created)));
        }
        let submitted_all = all_submitted.entry(k).or_insert(true);
        // A roster accepted once counts from the submission that was accepted, whatever was
        // changed (and submitted again) since.
        let submitted = match accepted_submission {
            Some(a) => Some(a),
            None if status != "draft" && status != "returned" => submitted,
            None => None,
        };
        match submitted {
            Some(s) => {
                e.roster_submitted_at = Some(e.roster_submitted_at.map_or(s, |x| x.max(s)));
            }
            _ => *submitted_all = false,
        }
        e.rosters_returned |= status == "returned";
        e.rosters_accepted = if e.teams == 1 {
            status == "accepted"
        } else {
            e.rosters_accepted && status == "accepted"
        };
        // A unit's teams each check in with every community it is paired with; a community's
        // resident teams serve at home and have no check-in to file.
        if let Some(u) = u {
            e.checkins_expected += pairs.get(&u).copied().unwrap_or(0);
        }
    }
    for (k, all) in all_submitted {
        if !all {
            if let Some(e) = out.get_mut(&k) {
                e.roster_submitted_at = None;
            }
        }
    }
    for (u, at) in traffic {
        out.entry(("unit", u)).or_default().traffic_submitted_at = Some(at);
    }
    for (u, c, status, confirmed, planned) in checks {
        let e = out.entry(key(u, c)).or_default();
        if status == "confirmed" {
            e.checkins_confirmed += 1;
            if let Some(at) = confirmed {
                e.checked_in_at = Some(e.checked_in_at.map_or(at, |x| x.max(at)));
            }
        }
        if let Some(at) = planned {
            e.plans_filed += 1;
            e.planned_at = Some(e.planned_at.map_or(at, |x| x.max(at)));
        }
    }
    Ok(out)
}
