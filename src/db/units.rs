//! Civilized units (文明单位).

use serde::Serialize;
use utoipa::ToSchema;

use super::audit::{self, Actor};
use super::list::{ListQuery, Page};
use super::streets::Dependents;
use super::{now, Db, Tx};
use crate::domain::org::UnitLevel;
use crate::domain::text::match_key;
use crate::{on_db, on_tx};

/// 文明单位: a civilized unit (市级以上).
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct Unit {
    pub id: i64,
    pub name: String,
    pub level: UnitLevel,
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
    pub level: UnitLevel,
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
    on_db!(db, mut pool => {
        let items: Vec<Unit> = sqlx::query_as(&list_sql).bind(&pat).bind(street).bind(community).bind(unit)
            .bind(lq.per_page).bind(lq.offset()).fetch_all(pool.ex()).await?;
        let total: i64 = sqlx::query_scalar(&count_sql).bind(&pat).bind(street).bind(community).bind(unit)
            .fetch_one(pool.ex()).await?;
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

impl audit::Audited for Unit {
    const KIND: &'static str = "unit";
    fn label(&self) -> String {
        self.name.clone()
    }
    async fn load(tx: &mut Tx, id: i64) -> Result<Option<Unit>, sqlx::Error> {
        unit_in_tx(tx, id).await
    }
}

/// The communities (and their streets) a unit is paired with, for the policy's view of it.
pub async fn unit_pairing_tree(db: &Db, unit_id: i64) -> Result<(Vec<i64>, Vec<i64>), sqlx::Error> {
    let rows: Vec<(i64, i64)> = on_db!(db, pool => sqlx::query_as(
        "select c.id, c.street_id from pairings p join communities c on c.id = p.community_id where p.unit_id = $1")
        .bind(unit_id).fetch_all(pool).await?);
    Ok(rows.into_iter().unzip())
}

/// The units paired with the community `community_id`.
pub async fn paired_with(db: &Db, community_id: i64) -> Result<Vec<i64>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar("select unit_id from pairings where community_id = $1")
        .bind(community_id).fetch_all(pool).await)
}

pub async fn create_unit(tx: &mut Tx, actor: &Actor, f: &UnitFields) -> Result<Unit, sqlx::Error> {
    let t = now();
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "insert into units (name, level, kind, address, contact_person, contact_phone, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $7) returning id")
        .bind(&f.name).bind(f.level).bind(&f.kind).bind(&f.address).bind(&f.contact_person).bind(&f.contact_phone)
        .bind(t).fetch_one(&mut *c).await?);
    audit::created(tx, actor, id).await
}

pub async fn update_unit(tx: &mut Tx, actor: &Actor, id: i64, f: &UnitFields) -> Result<Unit, sqlx::Error> {
    let before: Unit = audit::before(tx, id).await?;
    on_tx!(tx, c => sqlx::query(
        "update units set name = $1, level = $2, kind = $3, address = $4, contact_person = $5, contact_phone = $6,
         updated_at = $7 where id = $8")
        .bind(&f.name).bind(f.level).bind(&f.kind).bind(&f.address).bind(&f.contact_person).bind(&f.contact_phone)
        .bind(now()).bind(id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    audit::updated(tx, actor, id, &before).await
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
    let before: Unit = audit::before(tx, id).await?;
    on_tx!(tx, c => sqlx::query("delete from units where id = $1").bind(id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    audit::deleted(tx, actor, id, &before).await
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
