//! Volunteers and team rosters: matching people, adding and removing members.

use std::collections::HashMap;

use serde::Serialize;
use utoipa::ToSchema;

use super::audit::{self, Actor, Op, Subject};
use super::teams::{Team, TEAM_SELECT};
use super::{now, Db, Tx};
use crate::domain::campaign::Categories;
use crate::domain::text::match_key;
use crate::domain::volunteer::{Person, VolunteerFields};
use crate::{on_db, on_tx};

/// One person's record, whatever teams they are in.
#[derive(Clone, Debug, Serialize, serde::Deserialize, ToSchema, sqlx::FromRow)]
pub struct Volunteer {
    pub id: i64,
    /// 志愿者编号: shown instead of the ID number.
    pub volunteer_no: String,
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub person: Person,
    pub consent_at: Option<i64>,
    pub id_consent_at: Option<i64>,
    pub guardian_consent_at: Option<i64>,
    pub user_id: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A record reads as the person it keeps (`v.name`, `v.phone`).
impl std::ops::Deref for Volunteer {
    type Target = Person;
    fn deref(&self) -> &Person {
        &self.person
    }
}

/// A line of a team's roster: the volunteer and their place in the team.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct Member {
    pub member_id: i64,
    pub team_id: i64,
    pub is_manager: bool,
    /// The person's service categories in this team, as on 附件2 (stored as comma-separated codes).
    #[schema(value_type = String)]
    pub categories: Categories,
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
    audit::before(tx, id).await
}

impl audit::Audited for Volunteer {
    const KIND: &'static str = "volunteer";
    fn label(&self) -> String {
        self.volunteer_no.clone()
    }
    async fn load(tx: &mut Tx, id: i64) -> Result<Option<Volunteer>, sqlx::Error> {
        on_tx!(tx, c => sqlx::query_as("select * from volunteers where id = $1").bind(id).fetch_optional(&mut *c).await)
    }
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
    f.person.would_change(&v.person)
}

/// Creates a person's record with a new volunteer number; consent is recorded as given now.
pub async fn insert_volunteer(tx: &mut Tx, actor: &Actor, f: &VolunteerFields) -> Result<Volunteer, sqlx::Error> {
    let t = now();
    let placeholder = format!("new-{}", crate::domain::token::new_token());
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
    audit::created(tx, actor, id).await
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
    let t = now();
    let p = f.person.merged_onto(&before.person);
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
        .bind(&p.name).bind(&p.sex).bind(&p.birth_date).bind(&p.id_type).bind(&p.id_number).bind(&p.phone)
        .bind(&p.residence).bind(&p.political_status).bind(&p.employer).bind(&p.post).bind(&p.skills)
        .bind(id_consent).bind(&p.guardian_name).bind(&p.guardian_phone).bind(guardian_consent).bind(t).bind(id)
        .execute(&mut *c).await.map(|r| r.rows_affected())?);
    audit::updated(tx, actor, id, &before).await
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
    categories: &Categories,
) -> Result<bool, sqlx::Error> {
    let existing: Option<(i64, Categories)> = on_tx!(tx, c => sqlx::query_as(
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
        audit::record_raw(
            tx,
            actor,
            audit::Op::Delete,
            Subject::new("member", Some(id), ""),
            &gone,
        )
        .await?;
    }
    Ok(id.is_some())
}

pub async fn link_user(tx: &mut Tx, actor: &Actor, volunteer_id: i64, user_id: i64) -> Result<(), sqlx::Error> {
    let before = volunteer_in_tx(tx, volunteer_id).await?;
    on_tx!(tx, c => sqlx::query("update volunteers set user_id = $1, updated_at = $2 where id = $3")
        .bind(user_id).bind(now()).bind(volunteer_id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    audit::updated(tx, actor, volunteer_id, &before).await.map(|_| ())
}

/// A training the volunteer attended, for their record.
#[derive(Clone, Debug, Serialize, serde::Deserialize, ToSchema, sqlx::FromRow)]
pub struct TrainingLine {
    pub held_on: String,
    pub place: String,
    pub content: String,
    pub minutes: i64,
    pub passed: bool,
}

/// The trainings a volunteer attended, oldest first.
pub async fn trainings_of(db: &Db, volunteer_id: i64) -> Result<Vec<TrainingLine>, sqlx::Error> {
    let sql = format!("{TRAININGS} order by {TRAININGS_ORDER}");
    on_db!(db, pool => sqlx::query_as(&sql).bind(volunteer_id).fetch_all(pool).await)
}

/// A volunteer's (`$1`) trainings and their order (on the output's aliases, which both databases
/// resolve before the tables' columns): read here and inside
/// `certificates::own_record_pg`.
pub(crate) const TRAININGS: &str = "select t.id as training_id, t.held_on, t.place, t.content, t.minutes, a.passed
     from training_attendance a join trainings t on t.id = a.training_id where a.volunteer_id = $1";
pub(crate) const TRAININGS_ORDER: &str = "held_on, training_id";

/// The team an invitation (by its token's hash) puts people on, and when it expires.
pub async fn invitation(db: &Db, token_hash: &str) -> Result<Option<(i64, i64)>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as("select team_id, expires_at from invitations where id = $1")
        .bind(token_hash).fetch_optional(pool).await)
}

/// Records an invitation to a team (by its token's hash), audited.
pub async fn insert_invitation(
    tx: &mut Tx,
    actor: &Actor,
    token_hash: &str,
    team_id: i64,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("insert into invitations (id, team_id, created_at, expires_at) values ($1, $2, $3, $4)")
        .bind(token_hash).bind(team_id).bind(now()).bind(expires_at).execute(&mut *c).await.map(|r| r.rows_affected())?);
    audit::record_raw(
        tx,
        actor,
        Op::Create,
        Subject::new("invitation", Some(team_id), ""),
        &serde_json::json!({"expires_at": expires_at}),
    )
    .await?;
    Ok(())
}
