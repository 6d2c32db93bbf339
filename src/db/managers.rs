//! Managers (管理人员) a unit declares for the campaign.

use serde::Serialize;
use utoipa::ToSchema;

use super::audit::{self, Actor, Op, Subject};
use super::{now, Db, Tx};
use crate::{on_db, on_tx};

/// A manager the unit declares; the plan says every manager serves.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct Manager {
    pub id: i64,
    pub unit_id: i64,
    pub name: String,
    pub post: String,
    /// Whether someone of that name is on one of the unit's rosters this campaign.
    pub on_roster: bool,
}

pub async fn managers(db: &Db, campaign_id: i64, unit_id: i64) -> Result<Vec<Manager>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select g.id, g.unit_id, g.name, g.post,
                exists (select 1 from team_members m join teams t on t.id = m.team_id join volunteers v on v.id = m.volunteer_id
                        where t.campaign_id = g.campaign_id and t.unit_id = g.unit_id and v.name = g.name) as on_roster
         from unit_managers g where g.campaign_id = $1 and g.unit_id = $2 order by g.id")
        .bind(campaign_id).bind(unit_id).fetch_all(pool).await)
}

/// Declares a manager; answers false when the name was declared already.
pub async fn add_manager(
    tx: &mut Tx,
    actor: &Actor,
    campaign_id: i64,
    unit_id: i64,
    name: &str,
    post: &str,
) -> Result<bool, sqlx::Error> {
    let id: Option<i64> = on_tx!(tx, c => sqlx::query_scalar(
        "insert into unit_managers (campaign_id, unit_id, name, post, created_at) values ($1, $2, $3, $4, $5)
         on conflict (campaign_id, unit_id, name) do nothing returning id")
        .bind(campaign_id).bind(unit_id).bind(name).bind(post).bind(now()).fetch_optional(&mut *c).await?);
    if let Some(id) = id {
        let after = serde_json::json!({"unit_id": unit_id, "name": name, "post": post});
        audit::record(
            tx,
            actor,
            Op::Create,
            Subject::new("manager", Some(id), name),
            None,
            Some(&after),
        )
        .await?;
    }
    Ok(id.is_some())
}

pub async fn delete_manager(tx: &mut Tx, actor: &Actor, unit_id: i64, id: i64) -> Result<bool, sqlx::Error> {
    let name: Option<String> = on_tx!(tx, c => sqlx::query_scalar(
        "delete from unit_managers where id = $1 and unit_id = $2 returning name")
        .bind(id).bind(unit_id).fetch_optional(&mut *c).await?);
    if let Some(name) = &name {
        let gone = serde_json::json!({"unit_id": unit_id, "name": name});
        audit::record_raw(
            tx,
            actor,
            audit::Op::Delete,
            Subject::new("manager", Some(id), name),
            &gone,
        )
        .await?;
    }
    Ok(name.is_some())
}
