//! Privacy: personal data shown masked unless the caller asks (`reveal=true`) and the policy
//! allows it, every full view logged; and a volunteer's erasure of their record on their request
//! (PIPL Art. 47), refused while an activity of theirs is under way.

use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::policy::{self, Object};
use crate::auth::Acting;
use crate::db::audit::{self, Subject};
use crate::db::privacy::{self as privacy_store, Erasure, ErasureNotice};
use crate::db::volunteers::{self as store, Volunteer};
use crate::db::{activities, settings, signups, Db};
use crate::domain::volunteer::ErasureRequest;
use crate::error::{AppError, AppResult, FieldError};
use crate::features::teams;

// ------------------------------------------------------------ masking

/// Whether the caller sees `obj`'s personal data in full: only when asked for (`reveal`) and
/// allowed by the policy; asking without being allowed is refused (403).
pub fn reveals(by: &Acting, reveal: bool, obj: &Object) -> AppResult<bool> {
    if !reveal {
        return Ok(false);
    }
    if policy::may_reveal(by.user()?, obj) {
        Ok(true)
    } else {
        Err(AppError::Forbidden)
    }
}

/// Writes the `view_unmasked` entry of a full view of personal data.
pub async fn log_unmasked(db: &Db, by: &Acting, subject: Subject<'_>, details: serde_json::Value) -> AppResult<()> {
    let mut tx = db.begin().await?;
    audit::record_raw(&mut tx, &by.actor(), audit::Op::ViewUnmasked, subject, &details).await?;
    tx.commit().await?;
    Ok(())
}

/// A record with its ID number, phone and guardian's phone masked.
pub fn mask_volunteer(v: &mut Volunteer) {
    v.person = v.person.masked();
}

// ------------------------------------------------------------ erasure

/// Erasing a record: it cannot be undone, so the request must say so.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct ErasureInput {
    /// Must be `true`: the person understands that the record cannot be restored.
    #[serde(default)]
    pub confirm: bool,
}

/// Whether the signed-in staff member may carry out erasure requests (the record page's button).
pub fn staff_may_erase(by: &Acting) -> bool {
    let anyone = Object::Volunteer {
        user_id: None,
        teams: vec![],
    };
    by.principal.as_ref().is_some_and(|p| policy::may_erase(p, &anyone))
}

/// Erases a volunteer's personal data: refused unless confirmed, allowed by the policy (the
/// person, or the district), and no activity of theirs is under way. Their sign-ups for activities
/// not started are cancelled; hours stay; the teams are told; certificates still verify.
pub async fn erase(db: &Db, by: &Acting, volunteer_id: i64, confirmed: bool) -> AppResult<Erasure> {
    let p = by.user()?;
    let v = store::get_volunteer(db, volunteer_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut places = vec![];
    for t in store::volunteer_teams(db, volunteer_id).await? {
        places.push(teams::place(db, &t).await?);
    }
    let obj = Object::Volunteer {
        user_id: v.user_id,
        teams: places,
    };
    if !policy::may_erase(p, &obj) {
        return Err(AppError::Forbidden);
    }
    if privacy_store::erased_at(db, volunteer_id).await?.is_some() {
        return Err(AppError::Conflict(vec![FieldError::new(
            "volunteer_id",
            "err.already_erased",
        )]));
    }
    if !confirmed {
        return Err(AppError::field("confirm", "err.erasure_confirm"));
    }
    let busy = privacy_store::activities_under_way(db, volunteer_id).await?;
    if !busy.is_empty() {
        let titles: Vec<String> = busy.into_iter().map(|(_, t)| t).collect();
        return Err(AppError::Conflict(vec![FieldError::new(
            "volunteer_id",
            "err.erasure_under_way",
        )
        .with("activities", titles.join("、"))]));
    }
    let requested_by = if v.user_id == Some(p.user_id) {
        ErasureRequest::Own
    } else {
        ErasureRequest::Staff
    };
    let key = settings::signing_key(db).await?;
    let actor = by.actor();
    let mut tx = db.begin().await?;
    let mut cancelled = 0;
    for activity_id in privacy_store::upcoming_signups(&mut tx, volunteer_id).await? {
        if let Some(a) = activities::activity_in_tx(&mut tx, activity_id).await? {
            if signups::cancel_signup(&mut tx, &actor, &a, volunteer_id)
                .await?
                .is_some()
            {
                cancelled += 1;
            }
        }
    }
    let erasure = privacy_store::erase_volunteer(&mut tx, &actor, volunteer_id, requested_by, &key, cancelled).await?;
    tx.commit().await?;
    Ok(erasure)
}

/// What the teams keeping a record were told of its erasure.
pub async fn notices(db: &Db, by: &Acting, team_id: i64) -> AppResult<Vec<ErasureNotice>> {
    teams::load(db, by, team_id).await?;
    Ok(privacy_store::notices(db, team_id).await?)
}
