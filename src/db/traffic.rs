//! Traffic-persuasion volunteers (交通劝导) and their training.

use serde::Serialize;
use utoipa::ToSchema;

use super::audit::{self, Actor, Op, Subject};
use super::volunteers::Volunteer;
use super::{now, Db, Tx};
use crate::{on_db, on_tx};

/// A traffic-persuasion volunteer (附件3) and why they qualify.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct TrafficVolunteer {
    pub traffic_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    /// `traffic.reason.league`, `traffic.reason.youth` or `traffic.reason.activist`.
    pub reason: String,
    /// Training hours recorded by the police brigade, in minutes.
    pub training_minutes: i64,
    pub passed: bool,
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub volunteer: Volunteer,
}

pub async fn traffic_volunteers(
    db: &Db,
    campaign_id: i64,
    unit_id: Option<i64>,
) -> Result<Vec<TrafficVolunteer>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select x.id as traffic_id, x.unit_id, u.name as unit_name, x.reason,
                coalesce((select cast(sum(tr.minutes) as bigint) from training_attendance a join trainings tr on tr.id = a.training_id
                          where a.volunteer_id = x.volunteer_id and tr.campaign_id = x.campaign_id), 0) as training_minutes,
                exists (select 1 from training_attendance a join trainings tr on tr.id = a.training_id
                        where a.volunteer_id = x.volunteer_id and tr.campaign_id = x.campaign_id and a.passed = true) as passed,
                v.*
         from traffic_volunteers x join volunteers v on v.id = x.volunteer_id join units u on u.id = x.unit_id
         where x.campaign_id = $1 and ($2 is null or x.unit_id = $2) order by u.name, x.id")
        .bind(campaign_id).bind(unit_id).fetch_all(pool).await)
}

pub async fn add_traffic_volunteer(
    tx: &mut Tx,
    actor: &Actor,
    campaign_id: i64,
    unit_id: i64,
    volunteer_id: i64,
    reason: &str,
) -> Result<bool, sqlx::Error> {
    let id: Option<i64> = on_tx!(tx, c => sqlx::query_scalar(
        "insert into traffic_volunteers (campaign_id, unit_id, volunteer_id, reason, created_at) values ($1, $2, $3, $4, $5)
         on conflict (campaign_id, volunteer_id) do nothing returning id")
        .bind(campaign_id).bind(unit_id).bind(volunteer_id).bind(reason).bind(now()).fetch_optional(&mut *c).await?);
    if let Some(id) = id {
        let after = serde_json::json!({"unit_id": unit_id, "volunteer_id": volunteer_id, "reason": reason});
        audit::record(
            tx,
            actor,
            Op::Create,
            Subject::new("traffic_volunteer", Some(id), ""),
            None,
            Some(&after),
        )
        .await?;
    }
    Ok(id.is_some())
}

pub async fn remove_traffic_volunteer(
    tx: &mut Tx,
    actor: &Actor,
    campaign_id: i64,
    unit_id: i64,
    volunteer_id: i64,
) -> Result<bool, sqlx::Error> {
    let id: Option<i64> = on_tx!(tx, c => sqlx::query_scalar(
        "delete from traffic_volunteers where campaign_id = $1 and unit_id = $2 and volunteer_id = $3 returning id")
        .bind(campaign_id).bind(unit_id).bind(volunteer_id).fetch_optional(&mut *c).await?);
    if let Some(id) = id {
        let gone = serde_json::json!({"unit_id": unit_id, "volunteer_id": volunteer_id});
        audit::record_raw(
            tx,
            actor,
            audit::Op::Delete,
            Subject::new("traffic_volunteer", Some(id), ""),
            &gone,
        )
        .await?;
    }
    Ok(id.is_some())
}

/// Marks the unit's traffic list as sent to the district (the first time counts for the board).
pub async fn submit_traffic_list(
    tx: &mut Tx,
    actor: &Actor,
    campaign_id: i64,
    unit_id: i64,
) -> Result<(), sqlx::Error> {
    let id: Option<i64> = on_tx!(tx, c => sqlx::query_scalar(
        "insert into traffic_lists (campaign_id, unit_id, submitted_at) values ($1, $2, $3)
         on conflict (campaign_id, unit_id) do nothing returning id")
        .bind(campaign_id).bind(unit_id).bind(now()).fetch_optional(&mut *c).await?);
    if let Some(id) = id {
        let after = serde_json::json!({"unit_id": unit_id});
        audit::record(
            tx,
            actor,
            Op::Create,
            Subject::new("traffic_list", Some(id), ""),
            None,
            Some(&after),
        )
        .await?;
    }
    Ok(())
}

pub async fn traffic_list_submitted_at(db: &Db, campaign_id: i64, unit_id: i64) -> Result<Option<i64>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar("select submitted_at from traffic_lists where campaign_id = $1 and unit_id = $2")
        .bind(campaign_id).bind(unit_id).fetch_optional(pool).await)
}

/// A training session held by the police brigade.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct Training {
    pub id: i64,
    pub campaign_id: i64,
    pub held_on: String,
    pub place: String,
    pub content: String,
    pub minutes: i64,
    pub attended: i64,
    pub passed: i64,
    pub created_at: i64,
}

pub async fn trainings(db: &Db, campaign_id: i64) -> Result<Vec<Training>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select t.*, (select count(*) from training_attendance a where a.training_id = t.id) as attended,
                (select count(*) from training_attendance a where a.training_id = t.id and a.passed = true) as passed
         from trainings t where t.campaign_id = $1 order by t.held_on desc, t.id desc")
        .bind(campaign_id).fetch_all(pool).await)
}

/// What a training session was.
#[derive(Clone, Debug)]
pub struct NewTraining {
    pub held_on: String,
    pub place: String,
    pub content: String,
    pub minutes: i64,
}

/// Records a training with who attended and who passed, in one transaction.
pub async fn record_training(
    tx: &mut Tx,
    actor: &Actor,
    campaign_id: i64,
    t: &NewTraining,
    attendance: &[(i64, bool)],
) -> Result<i64, sqlx::Error> {
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "insert into trainings (campaign_id, held_on, place, content, minutes, created_at) values ($1, $2, $3, $4, $5, $6)
         returning id")
        .bind(campaign_id).bind(&t.held_on).bind(&t.place).bind(&t.content).bind(t.minutes).bind(now()).fetch_one(&mut *c).await?);
    for (volunteer_id, passed) in attendance {
        on_tx!(tx, c => sqlx::query(
            "insert into training_attendance (training_id, volunteer_id, passed) values ($1, $2, $3)")
            .bind(id).bind(volunteer_id).bind(passed).execute(&mut *c).await.map(|r| r.rows_affected())?);
    }
    let after = serde_json::json!({"held_on": t.held_on, "place": t.place, "content": t.content, "minutes": t.minutes,
        "attended": attendance.len(), "passed": attendance.iter().filter(|(_, p)| *p).count()});
    audit::record(
        tx,
        actor,
        Op::Create,
        Subject::new("training", Some(id), &t.content),
        None,
        Some(&after),
    )
    .await?;
    Ok(id)
}
