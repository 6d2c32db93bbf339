//! Streets (街道).

use serde::Serialize;
use utoipa::ToSchema;

use super::audit::{self, Actor};
use super::list::{ListQuery, Page};
use super::{now, Db, Tx};
use crate::{on_db, on_tx};

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
    on_db!(db, mut pool => {
        let items: Vec<Street> = sqlx::query_as(&list_sql).bind(&pat).bind(street)
            .bind(lq.per_page).bind(lq.offset()).fetch_all(pool.ex()).await?;
        let total: i64 = sqlx::query_scalar(&count_sql).bind(&pat).bind(street).fetch_one(pool.ex()).await?;
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

impl audit::Audited for Street {
    const KIND: &'static str = "street";
    fn label(&self) -> String {
        self.name.clone()
    }
    async fn load(tx: &mut Tx, id: i64) -> Result<Option<Street>, sqlx::Error> {
        street_in_tx(tx, id).await
    }
}

pub async fn create_street(tx: &mut Tx, actor: &Actor, name: &str) -> Result<Street, sqlx::Error> {
    let t = now();
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "insert into streets (name, created_at, updated_at) values ($1, $2, $2) returning id")
        .bind(name).bind(t).fetch_one(&mut *c).await?);
    audit::created(tx, actor, id).await
}

pub async fn update_street(tx: &mut Tx, actor: &Actor, id: i64, name: &str) -> Result<Street, sqlx::Error> {
    let before: Street = audit::before(tx, id).await?;
    on_tx!(tx, c => sqlx::query("update streets set name = $1, updated_at = $2 where id = $3")
        .bind(name).bind(now()).bind(id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    audit::updated(tx, actor, id, &before).await
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
    let before: Street = audit::before(tx, id).await?;
    on_tx!(tx, c => sqlx::query("delete from streets where id = $1").bind(id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    audit::deleted(tx, actor, id, &before).await
}
