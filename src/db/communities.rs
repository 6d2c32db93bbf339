//! Communities (社区).

use serde::Serialize;
use utoipa::ToSchema;

use super::audit::{self, Actor};
use super::list::{ListQuery, Page};
use super::streets::Dependents;
use super::{now, Db, Tx};
use crate::{on_db, on_tx};

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
    on_db!(db, mut pool => {
        let items: Vec<Community> = sqlx::query_as(&list_sql).bind(&pat).bind(street).bind(community).bind(unit)
            .bind(lq.street_id).bind(lq.per_page).bind(lq.offset()).fetch_all(pool.ex()).await?;
        let total: i64 = sqlx::query_scalar(&count_sql).bind(&pat).bind(street).bind(community).bind(unit)
            .bind(lq.street_id).fetch_one(pool.ex()).await?;
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

impl audit::Audited for Community {
    const KIND: &'static str = "community";
    fn label(&self) -> String {
        self.name.clone()
    }
    async fn load(tx: &mut Tx, id: i64) -> Result<Option<Community>, sqlx::Error> {
        community_in_tx(tx, id).await
    }
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
    audit::created(tx, actor, id).await
}

pub async fn update_community(
    tx: &mut Tx,
    actor: &Actor,
    id: i64,
    f: &CommunityFields,
) -> Result<Community, sqlx::Error> {
    let before: Community = audit::before(tx, id).await?;
    on_tx!(tx, c => sqlx::query(
        "update communities set street_id = $1, name = $2, address = $3, contact_person = $4, contact_phone = $5,
         updated_at = $6 where id = $7")
        .bind(f.street_id).bind(&f.name).bind(&f.address).bind(&f.contact_person).bind(&f.contact_phone)
        .bind(now()).bind(id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    audit::updated(tx, actor, id, &before).await
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
    let before: Community = audit::before(tx, id).await?;
    on_tx!(tx, c => sqlx::query("delete from communities where id = $1").bind(id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    audit::deleted(tx, actor, id, &before).await
}
