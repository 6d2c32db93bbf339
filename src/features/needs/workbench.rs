//! The needs on the workbench (what waits on the caller, overdue first) and on the milestone
//! board (how many needs wait past their time, per step).

use serde::Serialize;
use utoipa::ToSchema;

use super::service::{list, NeedLine, NeedParams};
use crate::auth::policy::{self, Listing};
use crate::auth::Acting;
use crate::db::Db;
use crate::domain::need::NeedStatus;
use crate::error::AppResult;
use crate::features::home::service::{item, Item, ItemKind, ItemState};
use crate::i18n::tf;

/// One workbench item per state the caller acts on: how many needs wait there, and whether
/// any waits past its time.
pub async fn todo_items(db: &Db, by: &Acting) -> AppResult<Vec<Item>> {
    let p = by.user()?;
    if !policy::may_list(p, Listing::Needs) {
        return Ok(vec![]);
    }
    let lines = list(db, by, &NeedParams::default()).await?;
    let mut out = vec![];
    for (status, sent_only) in policy::need_steps(p) {
        // A team is asked to answer only what was sent to it (or what is open).
        let mine: Vec<_> = lines
            .iter()
            .filter(|l| l.need.status == *status)
            .filter(|l| !sent_only || l.need.status == NeedStatus::Open || l.need.team_id.is_some())
            .collect();
        if mine.is_empty() {
            continue;
        }
        let late = mine.iter().filter(|l| l.overdue).count();
        let due = mine.iter().filter_map(|l| l.due_on.clone()).min();
        let state = if late > 0 { ItemState::Overdue } else { ItemState::Due };
        let step = crate::i18n::t(by.lang, &format!("need.status.{}", status.as_str()));
        let mut it = item(
            ItemKind::Needs,
            tf(by.lang, "todo.needs", &[("n", mine.len().to_string()), ("step", step)]),
            due,
            state,
            format!("/needs?status={}", status.as_str()),
        );
        it.count = Some(mine.len() as i64);
        if late > 0 {
            it.detail = tf(by.lang, "need.overdue_n", &[("n", late.to_string())]);
        }
        out.push(it);
    }
    Ok(out)
}

/// The board's block: needs past their time, per state, in the caller's scope.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[schema(as = NeedsOverdueLine)]
pub struct OverdueLine {
    pub status: NeedStatus,
    pub overdue: i64,
    pub link: String,
}

/// The needs whose step is overdue in the caller's scope (the workbench and the board).
pub async fn overdue_needs(db: &Db, by: &Acting) -> AppResult<Vec<NeedLine>> {
    let p = by.user()?;
    if !policy::may_list(p, Listing::Needs) {
        return Ok(vec![]);
    }
    let params = NeedParams {
        overdue: Some(true),
        ..Default::default()
    };
    list(db, by, &params).await
}

pub async fn board_block(db: &Db, by: &Acting) -> AppResult<Vec<OverdueLine>> {
    if !policy::may_list(by.user()?, Listing::Needs) {
        return Ok(vec![]);
    }
    let lines = overdue_needs(db, by).await?;
    Ok([
        NeedStatus::Submitted,
        NeedStatus::Published,
        NeedStatus::Open,
        NeedStatus::Dispatched,
    ]
    .into_iter()
    .map(|s| OverdueLine {
        status: s,
        overdue: lines.iter().filter(|l| l.need.status == s).count() as i64,
        link: format!("/needs?status={}&overdue=true", s.as_str()),
    })
    .collect())
}
