//! The org tree in the database: the district, streets, communities, civilized units and their
//! pairings (结对). Every write takes the acting user and records its audit entry.

use serde::Serialize;
use utoipa::ToSchema;

use super::audit::{self, Actor, Op, Subject};
use super::{like_pattern, now, Db, Tx};
use crate::auth::policy::Scope;
use crate::domain::text::match_key;
use crate::{on_db, on_tx};

/// One page of a list, and how many rows match in all.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// What a list asks for: search text, page, and the scope the policy allows.
#[derive(Clone, Debug)]
pub struct ListQuery {
    pub q: Option<String>,
    pub page: i64,
    pub per_page: i64,
    pub scope: Scope,
    /// Narrower filters chosen by the user (e.g. one street's communities).
    pub street_id: Option<i64>,
    pub community_id: Option<i64>,
    pub unit_id: Option<i64>,
}

impl ListQuery {
    fn pattern(&self) -> Option<String> {
        self.q
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(like_pattern)
    }
    fn offset(&self) -> i64 {
        (self.page.max(1) - 1).saturating_mul(self.per_page)
    }
    /// The scope as the three tree parameters every scoped query takes.
    fn tree(&self) -> (Option<i64>, Option<i64>, Option<i64>) {
        match self.scope {
            Scope::Street(s) => (Some(s), None, None),
            Scope::Community(c) => (None, Some(c), None),
            Scope::Unit(u) => (None, None, Some(u)),
            _ => (None, None, None),
        }
    }
    fn empty<T>(&self) -> Page<T> {
        Page {
            items: vec![],
            total: 0,
            page: self.page,
            per_page: self.per_page,
        }
    }
    fn allows_nothing(&self) -> bool {
        matches!(self.scope, Scope::Nothing | Scope::OwnAccount(_))
    }
}

// ---------------------------------------------------------------- district

pub async fn district_name(db: &Db) -> Result<Option<String>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar("select name from district where id = 1").fetch_optional(pool).await)
}

#[derive(Serialize)]
struct DistrictRecord<'a> {
    name: &'a str,
}

pub async fn set_district_name(tx: &mut Tx, actor: &Actor, name: &str) -> Result<(), sqlx::Error> {
    let before: Option<String> =
        on_tx!(tx, c => sqlx::query_scalar("select name from district where id = 1").fetch_optional(&mut *c).await?);
    on_tx!(tx, c => sqlx::query(
        "insert into district (id, name, updated_at) values (1, $1, $2)
         on conflict (id) do update set name = excluded.name, updated_at = excluded.updated_at")
        .bind(name).bind(now()).execute(&mut *c).await.map(|r| r.rows_affected())?);
    let op = if before.is_some() { Op::Update } else { Op::Create };
    let b = before.as_deref().map(|name| DistrictRecord { name });
    let subject = Subject::new("district", Some(1), name);
    audit::record(tx, actor, op, subject, b.as_ref(), Some(&DistrictRecord { name })).await
}

// ---------------------------------------------------------------- streets

/// 街道: a street office and its area.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct Street {
    pub id: i64,
    pub name: String,
    /// How many communities it has.
    pub communities: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

const STREET_SELECT: &str =
    "select s.id, s.name, (select count(*) from communities c where c.street_id = s.id) as communities,
            s.created_at, s.updated_at from streets s";

pub async fn list_streets(db: &Db, lq: &ListQuery) -> Result<Page<Street>, sqlx::Error> {
    if lq.allows_nothing() {
        return Ok(lq.empty());
    }
    let (street, _, _) = lq.tree();
    let filter = "where ($1 is null or lower(s.name) like $1 escape '\\') and ($2 is null or s.id = $2)";
    let list_sql = format!("{STREET_SELECT} {filter} order by s.name limit $3 offset $4");
    let count_sql = format!("select count(*) from streets s {filter}");
    let pat = lq.pattern();
    on_db!(db, pool => {
        let items: Vec<Street> = sqlx::query_as(&list_sql).bind(&pat).bind(street)
            .bind(lq.per_page).bind(lq.offset()).fetch_all(pool).await?;
        let total: i64 = sqlx::query_scalar(&count_sql).bind(&pat).bind(street).fetch_one(pool).await?;
        Ok(Page { items, total, page: lq.page, per_page: lq.per_page })
    })
}

pub async fn get_street(db: &Db, id: i64) -> Result<Option<Street>, sqlx::Error> {
    let sql = format!("{STREET_SELECT} where s.id = $1");
    on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)
}

async fn street_in_tx(tx: &mut Tx, id: i64) -> Result<Option<Street>, sqlx::Error> {
    let sql = format!("{STREET_SELECT} where s.id = $1");
    on_tx!(tx, c => sqlx::query_as(&sql).bind(id).fetch_optional(&mut *c).await)
}

pub async fn create_street(tx: &mut Tx, actor: &Actor, name: &str) -> Result<Street, sqlx::Error> {
    let t = now();
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "insert into streets (name, created_at, updated_at) values ($1, $2, $2) returning id")
        .bind(name).bind(t).fetch_one(&mut *c).await?);
    let s = street_in_tx(tx, id).await?.ok_or(sqlx::Error::RowNotFound)?;
    audit::record(
        tx,
        actor,
        Op::Create,
        Subject::new("street", Some(id), &s.name),
        None,
        Some(&s),
    )
    .await?;
    Ok(s)
}

pub async fn update_street(tx: &mut Tx, actor: &Actor, id: i64, name: &str) -> Result<Street, sqlx::Error> {
    let before = street_in_tx(tx, id).await?.ok_or(sqlx::Error::RowNotFound)?;
    on_tx!(tx, c => sqlx::query("update streets set name = $1, updated_at = $2 where id = $3")
        .bind(name).bind(now()).bind(id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    let after = street_in_tx(tx, id).await?.ok_or(sqlx::Error::RowNotFound)?;
    audit::record(
        tx,
        actor,
        Op::Update,
        Subject::new("street", Some(id), &after.name),
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

/// What still hangs off a node and blocks its deletion.
#[derive(Debug, Default)]
pub struct Dependents {
    pub communities: i64,
    pub pairings: i64,
    pub users: i64,
}

pub async fn street_dependents(tx: &mut Tx, id: i64) -> Result<Dependents, sqlx::Error> {
    on_tx!(tx, c => {
        let communities: i64 = sqlx::query_scalar("select count(*) from communities where street_id = $1")
            .bind(id).fetch_one(&mut *c).await?;
        let users: i64 = sqlx::query_scalar("select count(*) from users where street_id = $1")
            .bind(id).fetch_one(&mut *c).await?;
        Ok(Dependents { communities, users, ..Default::default() })
    })
}

pub async fn delete_street(tx: &mut Tx, actor: &Actor, id: i64) -> Result<(), sqlx::Error> {
    let before = street_in_tx(tx, id).await?.ok_or(sqlx::Error::RowNotFound)?;
    on_tx!(tx, c => sqlx::query("delete from streets where id = $1").bind(id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    audit::record(
        tx,
        actor,
        Op::Delete,
        Subject::new("street", Some(id), &before.name),
        Some(&before),
        None,
    )
    .await
}

// ---------------------------------------------------------------- communities

/// 社区: a community under a street.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct Community {
    pub id: i64,
    pub street_id: i64,
    pub street_name: String,
    pub name: String,
    pub address: String,
    pub contact_person: String,
    pub contact_phone: String,
    /// Units paired with it.
    pub units: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The editable fields of a community.
#[derive(Clone, Debug)]
pub struct CommunityFields {
    pub street_id: i64,
    pub name: String,
    pub address: String,
    pub contact_person: String,
    pub contact_phone: String,
}

const COMMUNITY_SELECT: &str =
    "select c.id, c.street_id, s.name as street_name, c.name, c.address, c.contact_person, c.contact_phone,
            (select count(*) from pairings p where p.community_id = c.id) as units,
            c.created_at, c.updated_at
     from communities c join streets s on s.id = c.street_id";

pub async fn list_communities(db: &Db, lq: &ListQuery) -> Result<Page<Community>, sqlx::Error> {
    if lq.allows_nothing() {
        return Ok(lq.empty());
    }
    let (street, community, unit) = lq.tree();
    let filter = "where ($1 is null or lower(c.name) like $1 escape '\\' or lower(s.name) like $1 escape '\\')
        and ($2 is null or c.street_id = $2) and ($3 is null or c.id = $3)
        and ($4 is null or c.id in (select community_id from pairings where unit_id = $4))
        and ($5 is null or c.street_id = $5)";
    let list_sql = format!("{COMMUNITY_SELECT} {filter} order by s.name, c.name limit $6 offset $7");
    let count_sql = format!("select count(*) from communities c join streets s on s.id = c.street_id {filter}");
    let pat = lq.pattern();
    on_db!(db, pool => {
        let items: Vec<Community> = sqlx::query_as(&list_sql).bind(&pat).bind(street).bind(community).bind(unit)
            .bind(lq.street_id).bind(lq.per_page).bind(lq.offset()).fetch_all(pool).await?;
        let total: i64 = sqlx::query_scalar(&count_sql).bind(&pat).bind(street).bind(community).bind(unit)
            .bind(lq.street_id).fetch_one(pool).await?;
        Ok(Page { items, total, page: lq.page, per_page: lq.per_page })
    })
}

pub async fn get_community(db: &Db, id: i64) -> Result<Option<Community>, sqlx::Error> {
    let sql = format!("{COMMUNITY_SELECT} where c.id = $1");
    on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)
}

async fn community_in_tx(tx: &mut Tx, id: i64) -> Result<Option<Community>, sqlx::Error> {
    let sql = format!("{COMMUNITY_SELECT} where c.id = $1");
    on_tx!(tx, c => sqlx::query_as(&sql).bind(id).fetch_optional(&mut *c).await)
}

/// The units paired with a community (for the policy's view of it).
pub async fn units_paired_with(db: &Db, community_id: i64) -> Result<Vec<i64>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar("select unit_id from pairings where community_id = $1")
        .bind(community_id).fetch_all(pool).await)
}

pub async fn create_community(tx: &mut Tx, actor: &Actor, f: &CommunityFields) -> Result<Community, sqlx::Error> {
    let t = now();
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "insert into communities (street_id, name, address, contact_person, contact_phone, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $6) returning id")
        .bind(f.street_id).bind(&f.name).bind(&f.address).bind(&f.contact_person).bind(&f.contact_phone).bind(t)
        .fetch_one(&mut *c).await?);
    let after = community_in_tx(tx, id).await?.ok_or(sqlx::Error::RowNotFound)?;
    audit::record(
        tx,
        actor,
        Op::Create,
        Subject::new("community", Some(id), &after.name),
        None,
        Some(&after),
    )
    .await?;
    Ok(after)
}

pub async fn update_community(
    tx: &mut Tx,
    actor: &Actor,
    id: i64,
    f: &CommunityFields,
) -> Result<Community, sqlx::Error> {
    let before = community_in_tx(tx, id).await?.ok_or(sqlx::Error::RowNotFound)?;
    on_tx!(tx, c => sqlx::query(
        "update communities set street_id = $1, name = $2, address = $3, contact_person = $4, contact_phone = $5,
         updated_at = $6 where id = $7")
        .bind(f.street_id).bind(&f.name).bind(&f.address).bind(&f.contact_person).bind(&f.contact_phone)
        .bind(now()).bind(id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    let after = community_in_tx(tx, id).await?.ok_or(sqlx::Error::RowNotFound)?;
    audit::record(
        tx,
        actor,
        Op::Update,
        Subject::new("community", Some(id), &after.name),
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

pub async fn community_dependents(tx: &mut Tx, id: i64) -> Result<Dependents, sqlx::Error> {
    on_tx!(tx, c => {
        let pairings: i64 = sqlx::query_scalar("select count(*) from pairings where community_id = $1")
            .bind(id).fetch_one(&mut *c).await?;
        let users: i64 = sqlx::query_scalar("select count(*) from users where community_id = $1")
            .bind(id).fetch_one(&mut *c).await?;
        Ok(Dependents { pairings, users, ..Default::default() })
    })
}

pub async fn delete_community(tx: &mut Tx, actor: &Actor, id: i64) -> Result<(), sqlx::Error> {
    let before = community_in_tx(tx, id).await?.ok_or(sqlx::Error::RowNotFound)?;
    on_tx!(tx, c => sqlx::query("delete from communities where id = $1").bind(id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    audit::record(
        tx,
        actor,
        Op::Delete,
        Subject::new("community", Some(id), &before.name),
        Some(&before),
        None,
    )
    .await
}

// ---------------------------------------------------------------- units

/// 文明单位: a civilized unit (市级以上).
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct Unit {
    pub id: i64,
    pub name: String,
    /// `city` (市级), `province` (省级) or `national` (全国级).
    pub level: String,
    /// What kind of body it is (机关, 事业单位, 企业, 学校 …).
    pub kind: String,
    pub address: String,
    pub contact_person: String,
    pub contact_phone: String,
    /// Communities it is paired with.
    pub communities: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Clone, Debug)]
pub struct UnitFields {
    pub name: String,
    pub level: String,
    pub kind: String,
    pub address: String,
    pub contact_person: String,
    pub contact_phone: String,
}

const UNIT_SELECT: &str = "select u.id, u.name, u.level, u.kind, u.address, u.contact_person, u.contact_phone,
            (select count(*) from pairings p where p.unit_id = u.id) as communities, u.created_at, u.updated_at
     from units u";

pub async fn list_units(db: &Db, lq: &ListQuery) -> Result<Page<Unit>, sqlx::Error> {
    if lq.allows_nothing() {
        return Ok(lq.empty());
    }
    let (street, community, unit) = lq.tree();
    let filter = "where ($1 is null or lower(u.name) like $1 escape '\\' or lower(u.kind) like $1 escape '\\')
        and ($2 is null or u.id in (select p.unit_id from pairings p join communities c on c.id = p.community_id
                                     where c.street_id = $2))
        and ($3 is null or u.id in (select unit_id from pairings where community_id = $3))
        and ($4 is null or u.id = $4)";
    let list_sql = format!("{UNIT_SELECT} {filter} order by u.name limit $5 offset $6");
    let count_sql = format!("select count(*) from units u {filter}");
    let pat = lq.pattern();
    on_db!(db, pool => {
        let items: Vec<Unit> = sqlx::query_as(&list_sql).bind(&pat).bind(street).bind(community).bind(unit)
            .bind(lq.per_page).bind(lq.offset()).fetch_all(pool).await?;
        let total: i64 = sqlx::query_scalar(&count_sql).bind(&pat).bind(street).bind(community).bind(unit)
            .fetch_one(pool).await?;
        Ok(Page { items, total, page: lq.page, per_page: lq.per_page })
    })
}

pub async fn get_unit(db: &Db, id: i64) -> Result<Option<Unit>, sqlx::Error> {
    let sql = format!("{UNIT_SELECT} where u.id = $1");
    on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)
}

async fn unit_in_tx(tx: &mut Tx, id: i64) -> Result<Option<Unit>, sqlx::Error> {
    let sql = format!("{UNIT_SELECT} where u.id = $1");
    on_tx!(tx, c => sqlx::query_as(&sql).bind(id).fetch_optional(&mut *c).await)
}

/// The communities (and their streets) a unit is paired with, for the policy's view of it.
pub async fn unit_pairing_tree(db: &Db, unit_id: i64) -> Result<(Vec<i64>, Vec<i64>), sqlx::Error> {
    let rows: Vec<(i64, i64)> = on_db!(db, pool => sqlx::query_as(
        "select c.id, c.street_id from pairings p join communities c on c.id = p.community_id where p.unit_id = $1")
        .bind(unit_id).fetch_all(pool).await?);
    Ok(rows.into_iter().unzip())
}

pub async fn create_unit(tx: &mut Tx, actor: &Actor, f: &UnitFields) -> Result<Unit, sqlx::Error> {
    let t = now();
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "insert into units (name, level, kind, address, contact_person, contact_phone, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $7) returning id")
        .bind(&f.name).bind(&f.level).bind(&f.kind).bind(&f.address).bind(&f.contact_person).bind(&f.contact_phone)
        .bind(t).fetch_one(&mut *c).await?);
    let after = unit_in_tx(tx, id).await?.ok_or(sqlx::Error::RowNotFound)?;
    audit::record(
        tx,
        actor,
        Op::Create,
        Subject::new("unit", Some(id), &after.name),
        None,
        Some(&after),
    )
    .await?;
    Ok(after)
}

pub async fn update_unit(tx: &mut Tx, actor: &Actor, id: i64, f: &UnitFields) -> Result<Unit, sqlx::Error> {
    let before = unit_in_tx(tx, id).await?.ok_or(sqlx::Error::RowNotFound)?;
    on_tx!(tx, c => sqlx::query(
        "update units set name = $1, level = $2, kind = $3, address = $4, contact_person = $5, contact_phone = $6,
         updated_at = $7 where id = $8")
        .bind(&f.name).bind(&f.level).bind(&f.kind).bind(&f.address).bind(&f.contact_person).bind(&f.contact_phone)
        .bind(now()).bind(id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    let after = unit_in_tx(tx, id).await?.ok_or(sqlx::Error::RowNotFound)?;
    audit::record(
        tx,
        actor,
        Op::Update,
        Subject::new("unit", Some(id), &after.name),
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

pub async fn unit_dependents(tx: &mut Tx, id: i64) -> Result<Dependents, sqlx::Error> {
    on_tx!(tx, c => {
        let pairings: i64 = sqlx::query_scalar("select count(*) from pairings where unit_id = $1")
            .bind(id).fetch_one(&mut *c).await?;
        let users: i64 = sqlx::query_scalar("select count(*) from users where unit_id = $1")
            .bind(id).fetch_one(&mut *c).await?;
        Ok(Dependents { pairings, users, ..Default::default() })
    })
}

pub async fn delete_unit(tx: &mut Tx, actor: &Actor, id: i64) -> Result<(), sqlx::Error> {
    let before = unit_in_tx(tx, id).await?.ok_or(sqlx::Error::RowNotFound)?;
    on_tx!(tx, c => sqlx::query("delete from units where id = $1").bind(id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    audit::record(
        tx,
        actor,
        Op::Delete,
        Subject::new("unit", Some(id), &before.name),
        Some(&before),
        None,
    )
    .await
}

/// Looks a unit up by its name (for imports), whatever its widths and spacing.
pub async fn unit_id_by_name(tx: &mut Tx, name: &str) -> Result<Option<i64>, sqlx::Error> {
    let exact: Option<i64> = on_tx!(tx, c => sqlx::query_scalar("select id from units where name = $1")
        .bind(name).fetch_optional(&mut *c).await?);
    if exact.is_some() {
        return Ok(exact);
    }
    // Typed with other widths or spacing (（筹） for (筹)): the same name.
    let all: Vec<(i64, String)> = on_tx!(tx, c => sqlx::query_as("select id, name from units order by id")
        .fetch_all(&mut *c).await?);
    let key = match_key(name);
    Ok(all.into_iter().find(|(_, n)| match_key(n) == key).map(|(id, _)| id))
}

/// Looks a community up by its street's and its own names (for imports), whatever their widths
/// and spacing.
pub async fn community_id_by_names(tx: &mut Tx, street: &str, community: &str) -> Result<Option<i64>, sqlx::Error> {
    let exact: Option<i64> = on_tx!(tx, c => sqlx::query_scalar(
        "select c.id from communities c join streets s on s.id = c.street_id where s.name = $1 and c.name = $2")
        .bind(street).bind(community).fetch_optional(&mut *c).await?);
    if exact.is_some() {
        return Ok(exact);
    }
    let all: Vec<(i64, String, String)> = on_tx!(tx, c => sqlx::query_as(
        "select c.id, s.name, c.name from communities c join streets s on s.id = c.street_id order by c.id")
        .fetch_all(&mut *c).await?);
    let (s_key, c_key) = (match_key(street), match_key(community));
    Ok(all
        .into_iter()
        .find(|(_, s, c)| match_key(s) == s_key && match_key(c) == c_key)
        .map(|(id, _, _)| id))
}

// ---------------------------------------------------------------- pairings

/// 结对: a unit paired with a community.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct Pairing {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub community_id: i64,
    pub community_name: String,
    pub street_id: i64,
    pub street_name: String,
    pub created_at: i64,
}

const PAIRING_SELECT: &str = "select p.id, p.unit_id, u.name as unit_name, p.community_id, c.name as community_name,
            c.street_id, s.name as street_name, p.created_at
     from pairings p join units u on u.id = p.unit_id join communities c on c.id = p.community_id
     join streets s on s.id = c.street_id";

pub async fn list_pairings(db: &Db, lq: &ListQuery) -> Result<Page<Pairing>, sqlx::Error> {
    if lq.allows_nothing() {
        return Ok(lq.empty());
    }
    let (street, community, unit) = lq.tree();
    let filter = "where ($1 is null or lower(u.name) like $1 escape '\\' or lower(c.name) like $1 escape '\\'
                        or lower(s.name) like $1 escape '\\')
        and ($2 is null or c.street_id = $2) and ($3 is null or p.community_id = $3) and ($4 is null or p.unit_id = $4)
        and ($5 is null or c.street_id = $5) and ($6 is null or p.community_id = $6) and ($7 is null or p.unit_id = $7)";
    let list_sql = format!("{PAIRING_SELECT} {filter} order by s.name, c.name, u.name limit $8 offset $9");
    let count_sql = format!(
        "select count(*) from pairings p join units u on u.id = p.unit_id join communities c on c.id = p.community_id
         join streets s on s.id = c.street_id {filter}"
    );
    let pat = lq.pattern();
    on_db!(db, pool => {
        let items: Vec<Pairing> = sqlx::query_as(&list_sql).bind(&pat).bind(street).bind(community).bind(unit)
            .bind(lq.street_id).bind(lq.community_id).bind(lq.unit_id)
            .bind(lq.per_page).bind(lq.offset()).fetch_all(pool).await?;
        let total: i64 = sqlx::query_scalar(&count_sql).bind(&pat).bind(street).bind(community).bind(unit)
            .bind(lq.street_id).bind(lq.community_id).bind(lq.unit_id).fetch_one(pool).await?;
        Ok(Page { items, total, page: lq.page, per_page: lq.per_page })
    })
}

pub async fn get_pairing(db: &Db, id: i64) -> Result<Option<Pairing>, sqlx::Error> {
    let sql = format!("{PAIRING_SELECT} where p.id = $1");
    on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)
}

async fn pairing_in_tx(tx: &mut Tx, id: i64) -> Result<Option<Pairing>, sqlx::Error> {
    let sql = format!("{PAIRING_SELECT} where p.id = $1");
    on_tx!(tx, c => sqlx::query_as(&sql).bind(id).fetch_optional(&mut *c).await)
}

pub fn pairing_label(p: &Pairing) -> String {
    format!("{} ↔ {}/{}", p.unit_name, p.street_name, p.community_name)
}

pub async fn create_pairing(
    tx: &mut Tx,
    actor: &Actor,
    unit_id: i64,
    community_id: i64,
) -> Result<Pairing, sqlx::Error> {
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "insert into pairings (unit_id, community_id, created_at) values ($1, $2, $3) returning id")
        .bind(unit_id).bind(community_id).bind(now()).fetch_one(&mut *c).await?);
    let after = pairing_in_tx(tx, id).await?.ok_or(sqlx::Error::RowNotFound)?;
    audit::record(
        tx,
        actor,
        Op::Create,
        Subject::new("pairing", Some(id), &pairing_label(&after)),
        None,
        Some(&after),
    )
    .await?;
    Ok(after)
}

pub async fn pairing_exists(tx: &mut Tx, unit_id: i64, community_id: i64) -> Result<bool, sqlx::Error> {
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "select count(*) from pairings where unit_id = $1 and community_id = $2")
        .bind(unit_id).bind(community_id).fetch_one(&mut *c).await?);
    Ok(n > 0)
}

pub async fn delete_pairing(tx: &mut Tx, actor: &Actor, id: i64) -> Result<(), sqlx::Error> {
    let before = pairing_in_tx(tx, id).await?.ok_or(sqlx::Error::RowNotFound)?;
    on_tx!(tx, c => sqlx::query("delete from pairings where id = $1").bind(id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    audit::record(
        tx,
        actor,
        Op::Delete,
        Subject::new("pairing", Some(id), &pairing_label(&before)),
        Some(&before),
        None,
    )
    .await
}
