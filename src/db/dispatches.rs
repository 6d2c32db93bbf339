//! Dispatched joint actions (服从调配联合行动) and the teams each dispatches.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::audit::{self, Actor, Op, Subject};
use super::{now, Db, Tx};
use crate::domain::campaign::Category;
use crate::domain::dispatch::{DispatchAnswer, DispatchReview};
use crate::domain::service::Dimension;
use crate::{on_db, on_tx};

/// A dispatched joint action.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct Dispatch {
    pub id: i64,
    pub campaign_id: i64,
    pub title: String,
    /// The key area or group it serves.
    pub target: String,
    pub description: String,
    pub category: Category,
    pub dimension: Dimension,
    pub address: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// One dispatched team: its head count, its answer, and what it delivered.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct DispatchTeam {
    pub id: i64,
    pub dispatch_id: i64,
    pub team_id: i64,
    pub team_name: String,
    pub org_name: String,
    pub required: i64,
    /// `pending`, `accepted` or `declined`.
    pub answer: DispatchAnswer,
    pub decline_reason: String,
    /// The district's review of a decline: empty, `approved` or `rejected`.
    pub review: DispatchReview,
    pub review_note: String,
    pub activity_id: Option<i64>,
    pub answered_at: Option<i64>,
    pub reviewed_at: Option<i64>,
    /// Volunteers named when accepting.
    pub named: i64,
    /// Volunteers who signed in at the team's activity.
    pub present: i64,
}

/// A team and its required head count.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct TeamCount {
    pub team_id: i64,
    pub required: i64,
}

/// A new action, checked.
pub struct NewDispatch {
    pub campaign_id: i64,
    pub title: String,
    pub target: String,
    pub description: String,
    pub category: Category,
    pub dimension: Dimension,
    pub address: String,
    pub starts_at: i64,
    pub ends_at: i64,
}

const TEAMS_SQL: &str = "select dt.id, dt.dispatch_id, dt.team_id, t.name as team_name, coalesce(u.name, c.name) as org_name,
        dt.required, dt.answer, dt.decline_reason, dt.review, dt.review_note, dt.activity_id, dt.answered_at, dt.reviewed_at,
        (select count(*) from dispatch_named n where n.dispatch_team_id = dt.id) as named,
        (select count(*) from attendance a where a.activity_id = dt.activity_id) as present
     from dispatch_teams dt join teams t on t.id = dt.team_id left join units u on u.id = t.unit_id
     left join communities c on c.id = t.community_id";

pub async fn get_dispatch(db: &Db, id: i64) -> Result<Option<Dispatch>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as("select * from dispatches where id = $1").bind(id).fetch_optional(pool).await)
}

/// The ids of a campaign's actions, latest start first.
pub async fn dispatch_ids(db: &Db, campaign_id: i64) -> Result<Vec<i64>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar("select id from dispatches where campaign_id = $1 order by starts_at desc")
        .bind(campaign_id).fetch_all(pool).await)
}

/// An action's teams, by org and team name.
pub async fn teams_of(db: &Db, id: i64) -> Result<Vec<DispatchTeam>, sqlx::Error> {
    let sql = format!("{TEAMS_SQL} where dt.dispatch_id = $1 order by coalesce(u.name, c.name), t.name");
    on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_all(pool).await)
}

/// One team's line of an action, inside a transaction.
pub async fn team_line(tx: &mut Tx, id: i64, team_id: i64) -> Result<Option<DispatchTeam>, sqlx::Error> {
    let sql = format!("{TEAMS_SQL} where dt.dispatch_id = $1 and dt.team_id = $2");
    on_tx!(tx, c => sqlx::query_as(&sql).bind(id).bind(team_id).fetch_optional(&mut *c).await)
}

/// Creates an action with its teams (audited).
pub async fn create_dispatch(
    tx: &mut Tx,
    actor: &Actor,
    d: &NewDispatch,
    teams: &[TeamCount],
) -> Result<i64, sqlx::Error> {
    let t = now();
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "insert into dispatches (campaign_id, title, target, description, category, dimension, address, starts_at, ends_at,
            created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) returning id")
        .bind(d.campaign_id).bind(&d.title).bind(&d.target).bind(&d.description).bind(d.category).bind(d.dimension)
        .bind(&d.address).bind(d.starts_at).bind(d.ends_at).bind(t).fetch_one(&mut *c).await?);
    for tc in teams {
        on_tx!(tx, c => sqlx::query("insert into dispatch_teams (dispatch_id, team_id, required) values ($1, $2, $3)")
            .bind(id).bind(tc.team_id).bind(tc.required).execute(&mut *c).await.map(|r| r.rows_affected())?);
    }
    audit::record_raw(
        tx,
        actor,
        Op::Create,
        Subject::new("dispatch", Some(id), &d.title),
        &serde_json::json!({"title": d.title, "target": d.target, "teams": teams}),
    )
    .await?;
    Ok(id)
}

/// Names a volunteer for a team's line (accepting).
pub async fn name_volunteer(tx: &mut Tx, line_id: i64, volunteer_id: i64) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("insert into dispatch_named (dispatch_team_id, volunteer_id) values ($1, $2)")
        .bind(line_id).bind(volunteer_id).execute(&mut *c).await.map(|_| ()))
}

/// The team accepted: its activity for the action.
pub async fn set_accepted(tx: &mut Tx, line_id: i64, activity_id: i64, at: i64) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "update dispatch_teams set answer = $1, decline_reason = '', review = '', activity_id = $2,
            answered_at = $3 where id = $4")
        .bind(DispatchAnswer::Accepted).bind(activity_id).bind(at).bind(line_id).execute(&mut *c).await.map(|_| ()))
}

/// The team declined, with its reason (a new review is due).
pub async fn set_declined(tx: &mut Tx, line_id: i64, reason: &str, at: i64) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "update dispatch_teams set answer = $1, decline_reason = $2, review = '', review_note = '',
            answered_at = $3 where id = $4")
        .bind(DispatchAnswer::Declined).bind(reason).bind(at).bind(line_id).execute(&mut *c).await.map(|_| ()))
}

/// The district's review of a decline.
pub async fn set_review(tx: &mut Tx, line_id: i64, review: DispatchReview, note: &str) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("update dispatch_teams set review = $1, review_note = $2, reviewed_at = $3 where id = $4")
        .bind(review).bind(note).bind(now()).bind(line_id).execute(&mut *c).await.map(|_| ()))
}

/// A line's change is audited with [`audit::updated_as`], under the action's title and the team.
impl audit::Audited for DispatchTeam {
    const KIND: &'static str = "dispatch_team";
    fn label(&self) -> String {
        self.team_name.clone()
    }
    async fn load(tx: &mut Tx, id: i64) -> Result<Option<DispatchTeam>, sqlx::Error> {
        let sql = format!("{TEAMS_SQL} where dt.id = $1");
        on_tx!(tx, c => sqlx::query_as(&sql).bind(id).fetch_optional(&mut *c).await)
    }
}
