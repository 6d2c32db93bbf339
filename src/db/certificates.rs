//! Service certificates (志愿服务证明).

use serde::Serialize;
use utoipa::ToSchema;

use super::audit::{self, Actor, Subject};
use super::{now, Db, Tx};
use crate::{on_db, on_tx};

#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct Certificate {
    pub id: i64,
    pub number: String,
    pub volunteer_id: i64,
    pub team_id: Option<i64>,
    pub issued_at: i64,
    /// What the certificate states, as issued (JSON).
    #[serde(skip)]
    pub statement: String,
    #[serde(skip)]
    pub signature: String,
    pub created_by: String,
}

pub async fn insert_certificate(
    tx: &mut Tx,
    actor: &Actor,
    number: &str,
    volunteer_id: i64,
    team_id: Option<i64>,
    statement: &serde_json::Value,
    signature: &str,
) -> Result<Certificate, sqlx::Error> {
    let t = now();
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "insert into certificates (number, volunteer_id, team_id, issued_at, statement, signature, created_by)
         values ($1, $2, $3, $4, $5, $6, $7) returning id")
        .bind(number).bind(volunteer_id).bind(team_id).bind(t).bind(statement.to_string()).bind(signature)
        .bind(&actor.username).fetch_one(&mut *c).await?);
    audit::record_raw(
        tx,
        actor,
        audit::Op::IssueCertificate,
        Subject::new("certificate", Some(id), number),
        statement,
    )
    .await?;
    Ok(Certificate {
        id,
        number: number.to_string(),
        volunteer_id,
        team_id,
        issued_at: t,
        statement: statement.to_string(),
        signature: signature.to_string(),
        created_by: actor.username.clone(),
    })
}

pub async fn certificate_by_number(db: &Db, number: &str) -> Result<Option<Certificate>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as("select * from certificates where number = $1")
        .bind(number).fetch_optional(pool).await)
}

pub async fn certificates_of(db: &Db, volunteer_id: i64) -> Result<Vec<Certificate>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as("select * from certificates where volunteer_id = $1 order by issued_at desc")
        .bind(volunteer_id).fetch_all(pool).await)
}
