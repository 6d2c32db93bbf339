//! home: the rules and writes, for the web, the API and the command line.

use crate::auth::policy::{self, Listing};
use crate::auth::Acting;
use crate::db::list::ListQuery;
use crate::db::Db;
use crate::db::{communities, pairings, streets, units};
use crate::error::AppResult;

pub async fn count(db: &Db, by: &Acting, what: Listing) -> AppResult<Option<i64>> {
    let p = by.user()?;
    let scope = policy::list_scope(p, what);
    if !policy::may_list(p, what) {
        return Ok(None);
    }
    let lq = ListQuery {
        q: None,
        page: 1,
        per_page: 1,
        scope,
        street_id: None,
        community_id: None,
        unit_id: None,
    };
    Ok(Some(match what {
        Listing::Streets => streets::list_streets(db, &lq).await?.total,
        Listing::Communities => communities::list_communities(db, &lq).await?.total,
        Listing::Units => units::list_units(db, &lq).await?.total,
        Listing::Pairings => pairings::list_pairings(db, &lq).await?.total,
        Listing::Accounts => crate::db::users::list_accounts(db, &lq, p.user_id).await?.total,
        Listing::AuditLog | Listing::Teams | Listing::Board => return Ok(None),
    }))
}
