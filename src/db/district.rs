//! The district itself: its name.

use serde::Serialize;

use super::audit::{self, Actor, Op, Subject};
use super::{now, Db, Tx};
use crate::{on_db, on_tx};

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

/// What is still missing in the district's setup (the district admin's to-do list).
pub struct DistrictGaps {
    pub unpaired_units: i64,
    pub unpaired_communities: i64,
    pub units_without_account: i64,
}

/// Counted with `not in` over the (few) staff accounts: a correlated `not exists` per unit scanned
/// every account, volunteers included, and took half a second at district scale.
pub async fn district_gaps(db: &Db) -> Result<DistrictGaps, sqlx::Error> {
    on_db!(db, mut pool => {
        let unpaired_units = sqlx::query_scalar("select count(*) from units u where not exists (select 1 from pairings p where p.unit_id = u.id)").fetch_one(pool.ex()).await?;
        let unpaired_communities = sqlx::query_scalar("select count(*) from communities c where not exists (select 1 from pairings p where p.community_id = c.id)").fetch_one(pool.ex()).await?;
        let units_without_account = sqlx::query_scalar("select count(*) from units u where u.id not in (select unit_id from users where unit_id is not null)").fetch_one(pool.ex()).await?;
        Ok(DistrictGaps { unpaired_units, unpaired_communities, units_without_account })
    })
}

/// What is still missing under one street (the street admin's to-do list).
pub struct StreetGaps {
    pub unpaired_communities: i64,
    pub communities_without_account: i64,
}

pub async fn street_gaps(db: &Db, street: i64) -> Result<StreetGaps, sqlx::Error> {
    on_db!(db, mut pool => {
        let unpaired_communities = sqlx::query_scalar("select count(*) from communities c where c.street_id = $1 and not exists (select 1 from pairings p where p.community_id = c.id)").bind(street).fetch_one(pool.ex()).await?;
        let communities_without_account = sqlx::query_scalar("select count(*) from communities c where c.street_id = $1 and c.id not in (select community_id from users where community_id is not null)").bind(street).fetch_one(pool.ex()).await?;
        Ok(StreetGaps { unpaired_communities, communities_without_account })
    })
}
