//! Check-ins (附件4) of teams with communities, and long-term plans.

use serde::Serialize;
use utoipa::ToSchema;

use super::audit::{self, Actor, Op, Subject};
use super::teams::TeamScope;
use super::{now, Db, Tx};
use crate::domain::checkin::CheckInStatus;
use crate::{on_db, on_tx};

/// A team's check-in with one paired community: filed by the team, forwarded by the street,
/// confirmed (or returned) by the community; then the long-term plan.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct CheckIn {
    pub id: i64,
    pub team_id: i64,
    pub team_name: String,
    pub unit_id: Option<i64>,
    pub org_name: String,
    pub community_id: i64,
    pub community_name: String,
    pub street_id: i64,
    pub street_name: String,
    pub status: CheckInStatus,
    pub filed_at: i64,
    pub forwarded_at: Option<i64>,
    pub confirmed_at: Option<i64>,
    pub returned_at: Option<i64>,
    pub return_reason: String,
    pub plan_text: String,
    pub plan_filed_at: Option<i64>,
    pub plan_file_name: String,
    pub plan_file_type: String,
}

const CHECKIN_SELECT: &str =
    "select k.id, k.team_id, t.name as team_name, t.unit_id, coalesce(u.name, tc.name) as org_name,
        k.community_id, c.name as community_name, c.street_id, s.name as street_name, k.status, k.filed_at,
        k.forwarded_at, k.confirmed_at, k.returned_at, k.return_reason, k.plan_text, k.plan_filed_at,
        k.plan_file_name, k.plan_file_type
     from checkins k join teams t on t.id = k.team_id left join units u on u.id = t.unit_id
     left join communities tc on tc.id = t.community_id
     join communities c on c.id = k.community_id join streets s on s.id = c.street_id";

/// Check-ins of one campaign within a scope (a street's communities, a community, a unit's teams).
pub async fn checkins(db: &Db, campaign_id: i64, s: TeamScope) -> Result<Vec<CheckIn>, sqlx::Error> {
    if !s.all && s.street.is_none() && s.community.is_none() && s.unit.is_none() {
        return Ok(vec![]);
    }
    let sql = format!(
        "{CHECKIN_SELECT} where t.campaign_id = $1 and ($2 is null or c.street_id = $2) and ($3 is null or k.community_id = $3)
         and ($4 is null or t.unit_id = $4) order by s.name, c.name, t.name"
    );
    on_db!(db, pool => sqlx::query_as(&sql).bind(campaign_id).bind(s.street).bind(s.community).bind(s.unit)
        .fetch_all(pool).await)
}

pub async fn get_checkin(db: &Db, id: i64) -> Result<Option<CheckIn>, sqlx::Error> {
    let sql = format!("{CHECKIN_SELECT} where k.id = $1");
    on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)
}

async fn checkin_in_tx(tx: &mut Tx, id: i64) -> Result<CheckIn, sqlx::Error> {
    let sql = format!("{CHECKIN_SELECT} where k.id = $1");
    on_tx!(tx, c => sqlx::query_as(&sql).bind(id).fetch_one(&mut *c).await)
}

fn checkin_label(k: &CheckIn) -> String {
    format!("{} → {}", k.team_name, k.community_name)
}

/// Files a check-in (or files it again after a return).
pub async fn file_checkin(tx: &mut Tx, actor: &Actor, team_id: i64, community_id: i64) -> Result<CheckIn, sqlx::Error> {
    let t = now();
    let existing: Option<i64> = on_tx!(tx, c => sqlx::query_scalar(
        "select id from checkins where team_id = $1 and community_id = $2").bind(team_id).bind(community_id)
        .fetch_optional(&mut *c).await?);
    let (id, before) = match existing {
        Some(id) => {
            let before = checkin_in_tx(tx, id).await?;
            on_tx!(tx, c => sqlx::query(
                "update checkins set status = 'filed', filed_at = $1, forwarded_at = null, confirmed_at = null,
                 returned_at = null, return_reason = '' where id = $2")
                .bind(t).bind(id).execute(&mut *c).await.map(|r| r.rows_affected())?);
            (id, Some(before))
        }
        None => {
            let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
                "insert into checkins (team_id, community_id, status, filed_at) values ($1, $2, 'filed', $3) returning id")
                .bind(team_id).bind(community_id).bind(t).fetch_one(&mut *c).await?);
            (id, None)
        }
    };
    let after = checkin_in_tx(tx, id).await?;
    let op = if before.is_some() { Op::Update } else { Op::Create };
    audit::record(
        tx,
        actor,
        op,
        Subject::new("checkin", Some(id), &checkin_label(&after)),
        before.as_ref(),
        Some(&after),
    )
    .await?;
    Ok(after)
}

/// Moves a check-in on: `forwarded` (street), `confirmed` or `returned` (community).
pub async fn move_checkin(
    tx: &mut Tx,
    actor: &Actor,
    id: i64,
    status: CheckInStatus,
    reason: &str,
) -> Result<CheckIn, sqlx::Error> {
    let before = checkin_in_tx(tx, id).await?;
    let column = match status {
        CheckInStatus::Forwarded => "forwarded_at",
        CheckInStatus::Confirmed => "confirmed_at",
        _ => "returned_at",
    };
    let sql = format!("update checkins set status = $1, {column} = $2, return_reason = $3 where id = $4");
    on_tx!(tx, c => sqlx::query(&sql).bind(status).bind(now()).bind(reason).bind(id).execute(&mut *c).await
        .map(|r| r.rows_affected())?);
    let after = checkin_in_tx(tx, id).await?;
    audit::record(
        tx,
        actor,
        Op::Update,
        Subject::new("checkin", Some(id), &checkin_label(&after)),
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

/// Files the long-term activity plan (长效活动方案) with an optional attached file.
pub async fn file_plan(
    tx: &mut Tx,
    actor: &Actor,
    id: i64,
    text: &str,
    file: Option<(&str, &str, &[u8])>,
) -> Result<CheckIn, sqlx::Error> {
    let before = checkin_in_tx(tx, id).await?;
    let t = now();
    match file {
        Some((name, mime, bytes)) => {
            on_tx!(tx, c => sqlx::query(
                "update checkins set plan_text = $1, plan_filed_at = $2, plan_file_name = $3, plan_file_type = $4,
                 plan_file = $5 where id = $6")
                .bind(text).bind(t).bind(name).bind(mime).bind(bytes).bind(id).execute(&mut *c).await
                .map(|r| r.rows_affected())?)
        }
        None => {
            on_tx!(tx, c => sqlx::query("update checkins set plan_text = $1, plan_filed_at = $2 where id = $3")
                .bind(text).bind(t).bind(id).execute(&mut *c).await.map(|r| r.rows_affected())?)
        }
    };
    let after = checkin_in_tx(tx, id).await?;
    audit::record(
        tx,
        actor,
        Op::Update,
        Subject::new("checkin", Some(id), &checkin_label(&after)),
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

pub async fn plan_file(db: &Db, id: i64) -> Result<Option<(String, String, Vec<u8>)>, sqlx::Error> {
    let row: Option<(String, String, Option<Vec<u8>>)> = on_db!(db, pool => sqlx::query_as(
        "select plan_file_name, plan_file_type, plan_file from checkins where id = $1").bind(id).fetch_optional(pool).await?);
    Ok(row.and_then(|(n, t, b)| b.map(|b| (n, t, b))))
}
