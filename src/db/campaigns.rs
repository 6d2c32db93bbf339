//! Campaign years and their milestone dates.

use serde::Serialize;
use utoipa::ToSchema;

use super::audit::{self, Actor, Op, Subject};
use super::{now, Db, Tx};
use crate::domain::campaign::Milestones;
use crate::{on_db, on_tx};

/// A campaign year and its milestones (dates are `YYYY-MM-DD`).
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct Campaign {
    pub id: i64,
    pub year: i64,
    pub name: String,
    /// Only the active campaign takes changes; past ones are read-only.
    pub active: bool,
    pub formation_due: String,
    pub roster_due: String,
    pub checkin_due: String,
    pub activities_start: String,
    pub activities_end: String,
    /// `YYYY-MM`.
    pub commendation_month: String,
    /// Ages for traffic-volunteer eligibility are counted on this day.
    pub reference_date: String,
    pub created_at: i64,
    pub updated_at: i64,
}

pub async fn active_campaign(db: &Db) -> Result<Option<Campaign>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as("select * from campaigns where active = true").fetch_optional(pool).await)
}

pub async fn list_campaigns(db: &Db) -> Result<Vec<Campaign>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as("select * from campaigns order by year desc").fetch_all(pool).await)
}

pub async fn get_campaign(db: &Db, id: i64) -> Result<Option<Campaign>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as("select * from campaigns where id = $1").bind(id).fetch_optional(pool).await)
}

async fn campaign_in_tx(tx: &mut Tx, id: i64) -> Result<Campaign, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as("select * from campaigns where id = $1").bind(id).fetch_one(&mut *c).await)
}

/// Opens a campaign year; it becomes the active one and every other is closed.
pub async fn create_campaign(
    tx: &mut Tx,
    actor: &Actor,
    year: i64,
    name: &str,
    m: &Milestones,
) -> Result<Campaign, sqlx::Error> {
    let t = now();
    on_tx!(tx, c => sqlx::query("update campaigns set active = false, updated_at = $1 where active = true")
        .bind(t).execute(&mut *c).await.map(|r| r.rows_affected())?);
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "insert into campaigns (year, name, active, formation_due, roster_due, checkin_due, activities_start,
                                activities_end, commendation_month, reference_date, created_at, updated_at)
         values ($1, $2, true, $3, $4, $5, $6, $7, $8, $9, $10, $10) returning id")
        .bind(year).bind(name).bind(&m.formation_due).bind(&m.roster_due).bind(&m.checkin_due)
        .bind(&m.activities_start).bind(&m.activities_end).bind(&m.commendation_month).bind(&m.reference_date).bind(t)
        .fetch_one(&mut *c).await?);
    let after = campaign_in_tx(tx, id).await?;
    audit::record(
        tx,
        actor,
        Op::Create,
        Subject::new("campaign", Some(id), name),
        None,
        Some(&after),
    )
    .await?;
    Ok(after)
}

pub async fn update_campaign(
    tx: &mut Tx,
    actor: &Actor,
    id: i64,
    name: &str,
    m: &Milestones,
) -> Result<Campaign, sqlx::Error> {
    let before = campaign_in_tx(tx, id).await?;
    on_tx!(tx, c => sqlx::query(
        "update campaigns set name = $1, formation_due = $2, roster_due = $3, checkin_due = $4, activities_start = $5,
         activities_end = $6, commendation_month = $7, reference_date = $8, updated_at = $9 where id = $10")
        .bind(name).bind(&m.formation_due).bind(&m.roster_due).bind(&m.checkin_due).bind(&m.activities_start)
        .bind(&m.activities_end).bind(&m.commendation_month).bind(&m.reference_date).bind(now()).bind(id)
        .execute(&mut *c).await.map(|r| r.rows_affected())?);
    let after = campaign_in_tx(tx, id).await?;
    audit::record(
        tx,
        actor,
        Op::Update,
        Subject::new("campaign", Some(id), name),
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}
