//! The needs loop in public: a resident posts a need (no account; a private link follows it and
//! later rates it), and the need wall shows what still waits for a team — never a contact.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::service::{category_of, checked, rate_as, NeedInput, RateInput};
use crate::auth::Acting;
use crate::db::needs::{self as store, CommunityChoice, NeedEvent, NeedFilter, NeedRating};
use crate::db::Db;
use crate::domain::campaign::Category;
use crate::domain::need::{NeedSource, NeedStatus, NeedStep, Rater};
use crate::domain::org::Scope;
use crate::domain::service::Dimension;
use crate::error::{AppError, AppResult, FieldError};
use crate::features::campaign::service::active;
use crate::features::validated;

/// The hash a resident's token is kept as (the token itself is only in their link).
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.trim().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A need the resident posted, and the private link to follow it.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[schema(as = NeedAsked)]
pub struct Asked {
    pub id: i64,
    /// The token of the private link (`/needs/track/{token}`), shown once.
    pub token: String,
    pub link: String,
}

/// A resident posts a need through the public form (rate-limited by address; CSRF on the form).
pub async fn ask(db: &Db, by: &Acting, input: &NeedInput) -> AppResult<Asked> {
    let community = match input.community_id {
        Some(id) => crate::db::communities::get_community(db, id).await?,
        None => None,
    };
    let campaign = active(db).await?;
    let new = match (
        community.as_ref(),
        checked(
            input,
            campaign.id,
            community.as_ref().map_or(0, |c| c.id),
            NeedSource::Resident,
        ),
    ) {
        (Some(_), Ok(n)) => n,
        (None, r) => {
            let mut errors = vec![FieldError::new("community_id", "err.need_community")];
            if let Err(AppError::Validation(more)) = r {
                errors.extend(more);
            }
            validated(errors)?;
            unreachable!("errors above")
        }
        (_, Err(e)) => return Err(e),
    };
    let token = crate::domain::token::new_token();
    let mut tx = db.begin().await?;
    let id = store::insert_need(&mut tx, &by.actor(), &new, Some(&token_hash(&token))).await?;
    tx.commit().await?;
    Ok(Asked {
        id,
        link: format!("/needs/track/{token}"),
        token,
    })
}

/// What a resident sees through their link: what they typed, where the need stands, and the
/// steps; no staff names and nothing the community typed about others.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[schema(as = NeedTracked)]
pub struct Tracked {
    pub id: i64,
    pub community_name: String,
    pub category: Category,
    pub description: String,
    pub place: String,
    pub wished_from: String,
    pub wished_to: String,
    pub head_count: i64,
    pub contact_name: String,
    pub contact_phone: String,
    pub status: NeedStatus,
    pub close_reason: String,
    pub team_name: Option<String>,
    /// The steps taken and when (no one's name).
    pub steps: Vec<TrackedStep>,
    /// The resident's own rating, once given.
    pub rating: Option<NeedRating>,
    pub may_rate: bool,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
#[schema(as = NeedTrackedStep)]
pub struct TrackedStep {
    pub step: NeedStep,
    pub at: i64,
}

fn steps(events: Vec<NeedEvent>) -> Vec<TrackedStep> {
    events
        .into_iter()
        .map(|e| TrackedStep { step: e.step, at: e.at })
        .collect()
}

/// The need behind a resident's link; an unknown token is simply not found.
pub async fn track(db: &Db, token: &str) -> AppResult<Tracked> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::NotFound);
    }
    let n = store::by_token(db, &token_hash(token))
        .await?
        .ok_or(AppError::NotFound)?;
    let rating = store::ratings_of(db, n.id)
        .await?
        .into_iter()
        .find(|r| r.rater == Rater::Resident);
    Ok(Tracked {
        id: n.id,
        community_name: n.community_name,
        category: n.category,
        description: n.description,
        place: n.place,
        wished_from: n.wished_from,
        wished_to: n.wished_to,
        head_count: n.head_count,
        contact_name: n.contact_name,
        contact_phone: n.contact_phone,
        close_reason: n.close_reason,
        team_name: n.team_name,
        may_rate: n.status == NeedStatus::Fulfilled && rating.is_none(),
        status: n.status,
        steps: steps(store::events_of(db, n.id).await?),
        rating,
    })
}

/// The resident rates their fulfilled need through their link, once.
pub async fn rate_by_link(db: &Db, by: &Acting, token: &str, input: &RateInput) -> AppResult<Tracked> {
    track(db, token).await?;
    let n = store::by_token(db, &token_hash(token))
        .await?
        .ok_or(AppError::NotFound)?;
    rate_as(db, by, &n, Rater::Resident, input).await?;
    track(db, token).await
}

/// A need on the public wall: what, where, when and how many — no contact, no requester.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[schema(as = NeedOnWall)]
pub struct WallNeed {
    pub id: i64,
    pub category: Category,
    pub dimension: Dimension,
    pub community_id: i64,
    pub community_name: String,
    pub street_id: i64,
    pub street_name: String,
    pub description: String,
    pub place: String,
    pub wished_from: String,
    pub wished_to: String,
    pub head_count: i64,
    pub status: NeedStatus,
    /// The team that took it, once one did.
    pub team_name: Option<String>,
}

/// The wall's filters.
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WallParams {
    #[serde(default, deserialize_with = "crate::web::form::lenient_i64")]
    pub street_id: Option<i64>,
    #[serde(default, deserialize_with = "crate::web::form::lenient_i64")]
    pub community_id: Option<i64>,
    pub category: Option<String>,
}

/// Published needs not yet fulfilled (waiting for a team, or taken and being served).
pub async fn wall(db: &Db, params: &WallParams) -> AppResult<Vec<WallNeed>> {
    let category = match params.category.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(category_of(s).ok_or_else(|| {
            AppError::Validation(vec![
                FieldError::new("category", "err.category_unknown").with("value", s)
            ])
        })?),
    };
    let campaign = active(db).await?;
    let filter = NeedFilter {
        statuses: vec![
            NeedStatus::Published,
            NeedStatus::Dispatched,
            NeedStatus::Open,
            NeedStatus::Accepted,
        ],
        street_id: params.street_id,
        community_id: params.community_id,
        category,
    };
    let mut out: Vec<WallNeed> = store::list(db, campaign.id, &Scope::All, &filter)
        .await?
        .into_iter()
        .map(|n| WallNeed {
            id: n.id,
            category: n.category,
            dimension: n.dimension,
            community_id: n.community_id,
            community_name: n.community_name,
            street_id: n.street_id,
            street_name: n.street_name,
            description: n.description,
            place: n.place,
            wished_from: n.wished_from,
            wished_to: n.wished_to,
            head_count: n.head_count,
            team_name: if n.status == NeedStatus::Accepted {
                n.team_name
            } else {
                None
            },
            status: n.status,
        })
        .collect();
    // Those still waiting for a team first, the soonest wished first.
    out.sort_by(|a, b| {
        (a.status == NeedStatus::Accepted, &a.wished_from, a.id).cmp(&(
            b.status == NeedStatus::Accepted,
            &b.wished_from,
            b.id,
        ))
    });
    Ok(out)
}

/// Every community, for the public form and the wall's filter.
pub async fn communities(db: &Db) -> AppResult<Vec<CommunityChoice>> {
    Ok(store::community_choices(db).await?)
}
