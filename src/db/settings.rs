//! The district's service rules and signing key.

use super::audit::{self, Actor, Op, Subject};
use super::{now, Db, Tx};
use crate::domain::service::Rules;
use crate::{on_db, on_tx};

/// The district's rules of service (defaults until the district sets them).
pub async fn rules(db: &Db) -> Result<Rules, sqlx::Error> {
    let v: Option<String> = on_db!(db, pool => sqlx::query_scalar("select value from settings where key = 'service_rules'")
        .fetch_optional(pool).await?);
    Ok(parse_rules(v.as_deref()))
}

/// The rules as stored (JSON), or the defaults when none are or they do not read.
pub fn parse_rules(stored: Option<&str>) -> Rules {
    stored.and_then(|s| serde_json::from_str(s).ok()).unwrap_or_default()
}

pub async fn set_rules(tx: &mut Tx, actor: &Actor, before: &Rules, after: &Rules) -> Result<(), sqlx::Error> {
    let value = serde_json::to_string(after).unwrap_or_default();
    on_tx!(tx, c => sqlx::query(
        "insert into settings (key, value, updated_at) values ('service_rules', $1, $2)
         on conflict (key) do update set value = excluded.value, updated_at = excluded.updated_at")
        .bind(&value).bind(now()).execute(&mut *c).await.map(|r| r.rows_affected())?);
    audit::record(
        tx,
        actor,
        Op::Update,
        Subject::new("service_rules", None, "service rules"),
        Some(before),
        Some(after),
    )
    .await
}

/// The key that signs certificates, made once and kept in the database so that every
/// instance behind the load balancer signs and checks alike.
pub async fn signing_key(db: &Db) -> Result<String, sqlx::Error> {
    let found: Option<String> = on_db!(db, pool => sqlx::query_scalar(
        "select value from settings where key = 'certificate_key'").fetch_optional(pool).await?);
    if let Some(k) = found {
        return Ok(k);
    }
    let fresh = crate::domain::token::new_token();
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, c => sqlx::query(
        "insert into settings (key, value, updated_at) values ('certificate_key', $1, $2) on conflict (key) do nothing")
        .bind(&fresh).bind(now()).execute(&mut *c).await.map(|r| r.rows_affected())?);
    tx.commit().await?;
    on_db!(db, pool => sqlx::query_scalar("select value from settings where key = 'certificate_key'")
        .fetch_one(pool).await)
}
