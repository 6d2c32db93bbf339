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
