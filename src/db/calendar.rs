//! The concentrated activity days (附件5) of a campaign: one per month of activities.

use serde::Serialize;
use utoipa::ToSchema;

use super::audit::{self, Actor, Op, Subject};
use super::campaigns::Campaign;
use super::{now, Db, Tx};
use crate::domain::calendar::concentrated_days;
use crate::{on_db, on_tx};

/// One concentrated activity day.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct ConcentratedDay {
    pub id: i64,
    pub campaign_id: i64,
    pub month: i64,
    /// The day (`YYYY-MM-DD`).
    pub day: String,
    /// The third Saturday it was generated as.
    pub planned_day: String,
    /// Why it was moved, when it was.
    pub moved_reason: String,
    /// The month's theme.
    pub theme: String,
    pub updated_at: i64,
}

/// Creates the year's days if the campaign has none yet (a new campaign, or one opened before
/// the calendar existed).
pub async fn ensure_days(tx: &mut Tx, actor: &Actor, c: &Campaign) -> Result<(), sqlx::Error> {
    let n: i64 = on_tx!(tx, t => sqlx::query_scalar("select count(*) from concentrated_days where campaign_id = $1")
        .bind(c.id).fetch_one(&mut *t).await?);
    if n > 0 {
        return Ok(());
    }
    for (month, day) in concentrated_days(&c.activities_start, &c.activities_end) {
        let d = day.to_string();
        on_tx!(tx, t => sqlx::query(
            "insert into concentrated_days (campaign_id, month, day, planned_day, updated_at) values ($1, $2, $3, $3, $4)
             on conflict (campaign_id, month) do nothing")
            .bind(c.id).bind(month as i64).bind(&d).bind(now()).execute(&mut *t).await.map(|r| r.rows_affected())?);
    }
    let summary = serde_json::json!({"campaign": c.year});
    audit::record_raw(
        tx,
        actor,
        Op::Create,
        Subject::new("calendar", Some(c.id), &c.name),
        &summary,
    )
    .await
}

/// A campaign's days, by month.
pub async fn days(db: &Db, campaign_id: i64) -> Result<Vec<ConcentratedDay>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as("select * from concentrated_days where campaign_id = $1 order by month")
        .bind(campaign_id).fetch_all(pool).await)
}

/// Writes a month's day, reason and theme (as `after`), audited against `before`.
pub async fn update_day(
    tx: &mut Tx,
    actor: &Actor,
    label: &str,
    before: &ConcentratedDay,
    after: &ConcentratedDay,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, t => sqlx::query(
        "update concentrated_days set day = $1, moved_reason = $2, theme = $3, updated_at = $4 where id = $5")
        .bind(&after.day).bind(&after.moved_reason).bind(&after.theme).bind(now()).bind(before.id)
        .execute(&mut *t).await.map(|r| r.rows_affected())?);
    audit::record(
        tx,
        actor,
        Op::Update,
        Subject::new("calendar", Some(before.id), label),
        Some(before),
        Some(after),
    )
    .await
}
