//! Pairings (结对) of units with communities.

use serde::Serialize;
use utoipa::ToSchema;

use super::audit::{self, Actor};
use super::list::{ListQuery, Page};
use super::{now, Db, Tx};
use crate::{on_db, on_tx};

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
    on_db!(db, mut pool => {
        let items: Vec<Pairing> = sqlx::query_as(&list_sql).bind(&pat).bind(street).bind(community).bind(unit)
            .bind(lq.street_id).bind(lq.community_id).bind(lq.unit_id)
            .bind(lq.per_page).bind(lq.offset()).fetch_all(pool.ex()).await?;
        let total: i64 = sqlx::query_scalar(&count_sql).bind(&pat).bind(street).bind(community).bind(unit)
            .bind(lq.street_id).bind(lq.community_id).bind(lq.unit_id).fetch_one(pool.ex()).await?;
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

impl audit::Audited for Pairing {
    const KIND: &'static str = "pairing";
    fn label(&self) -> String {
        pairing_label(self)
    }
    async fn load(tx: &mut Tx, id: i64) -> Result<Option<Pairing>, sqlx::Error> {
        pairing_in_tx(tx, id).await
    }
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
    audit::created(tx, actor, id).await
}

pub async fn pairing_exists(tx: &mut Tx, unit_id: i64, community_id: i64) -> Result<bool, sqlx::Error> {
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "select count(*) from pairings where unit_id = $1 and community_id = $2")
        .bind(unit_id).bind(community_id).fetch_one(&mut *c).await?);
    Ok(n > 0)
}

pub async fn delete_pairing(tx: &mut Tx, actor: &Actor, id: i64) -> Result<(), sqlx::Error> {
    let before: Pairing = audit::before(tx, id).await?;
    on_tx!(tx, c => sqlx::query("delete from pairings where id = $1").bind(id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    audit::deleted(tx, actor, id, &before).await
}
