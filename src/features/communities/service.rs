//! communities: the rules, policy checks and writes, for the web pages, the API and the command line.

use super::CommunityInput;
use crate::auth::policy::{self, Action, Listing, Object, Principal};
use crate::auth::Acting;
use crate::db::communities::{Community, CommunityFields};
use crate::db::list::{ListQuery, Page};
use crate::db::Db;
use crate::db::{communities, streets};
use crate::domain::phone::Phone;
use crate::error::{AppError, AppResult, FieldError};
use crate::features::{
    conflict_on_unique, ensure, optional_phone, optional_text, required_name, validated, ListParams,
};
use crate::web::form::Choice;

pub fn object(c: &Community, paired_unit_ids: Vec<i64>) -> Object {
    Object::Community {
        id: c.id,
        street_id: c.street_id,
        paired_unit_ids,
    }
}

/// Whether the viewer needs the contact phone in full (those who may edit the community).
fn sees_phone(p: &Principal, c: &Community) -> bool {
    policy::allows(p, Action::Update, &object(c, vec![]))
}

fn mask(p: &Principal, mut c: Community) -> Community {
    if !c.contact_phone.is_empty() && !sees_phone(p, &c) {
        c.contact_phone = Phone::mask(&c.contact_phone);
    }
    c
}

pub async fn list(db: &Db, by: &Acting, params: &ListParams) -> AppResult<Page<Community>> {
    let p = by.user()?;
    let lq = params.query(p, Listing::Communities)?;
    let mut page = communities::list_communities(db, &lq).await?;
    page.items = page.items.into_iter().map(|c| mask(p, c)).collect();
    Ok(page)
}

/// The community and its description for the policy, unmasked, after a View check.
pub async fn load(db: &Db, by: &Acting, id: i64) -> AppResult<(Community, Object)> {
    let c = communities::get_community(db, id).await?.ok_or(AppError::NotFound)?;
    let obj = object(&c, communities::units_paired_with(db, id).await?);
    ensure(by.user()?, Action::View, &obj)?;
    Ok((c, obj))
}

pub async fn get_one(db: &Db, by: &Acting, id: i64) -> AppResult<Community> {
    let (c, _) = load(db, by, id).await?;
    Ok(mask(by.user()?, c))
}

async fn validate(db: &Db, input: &CommunityInput) -> AppResult<CommunityFields> {
    let mut errors = vec![];
    let name = required_name("name", input.name.as_deref(), &mut errors);
    let address = optional_text("address", input.address.as_deref(), 200, &mut errors);
    let contact_person = optional_text("contact_person", input.contact_person.as_deref(), 50, &mut errors);
    let contact_phone = optional_phone("contact_phone", input.contact_phone.as_deref(), &mut errors);
    let street_id = match input.street_id {
        None => {
            errors.push(FieldError::new("street_id", "err.required"));
            0
        }
        Some(id) => {
            if streets::get_street(db, id).await?.is_none() {
                errors.push(FieldError::new("street_id", "err.no_such_street"));
            }
            id
        }
    };
    validated(errors)?;
    Ok(CommunityFields {
        street_id,
        name,
        address,
        contact_person,
        contact_phone,
    })
}

pub async fn create(db: &Db, by: &Acting, input: &CommunityInput) -> AppResult<Community> {
    let p = by.user()?;
    if !policy::may_create(p, Listing::Communities) {
        return Err(AppError::Forbidden);
    }
    let f = validate(db, input).await?;
    ensure(
        p,
        Action::Create,
        &Object::Community {
            id: 0,
            street_id: f.street_id,
            paired_unit_ids: vec![],
        },
    )?;
    let mut tx = db.begin().await?;
    let c = communities::create_community(&mut tx, &by.actor(), &f)
        .await
        .map_err(|e| conflict_on_unique(e, "name", "err.community_taken"))?;
    tx.commit().await?;
    Ok(c)
}

pub async fn update(db: &Db, by: &Acting, id: i64, input: &CommunityInput) -> AppResult<Community> {
    let p = by.user()?;
    let (before, obj) = load(db, by, id).await?;
    ensure(p, Action::Update, &obj)?;
    let f = validate(db, input).await?;
    if !policy::may_edit_identity(p, &obj) {
        let mut errors = vec![];
        if f.name != before.name {
            errors.push(FieldError::new("name", "err.identity_locked"));
        }
        if f.street_id != before.street_id {
            errors.push(FieldError::new("street_id", "err.identity_locked"));
        }
        validated(errors)?;
    }
    // Moving it to another street needs the right over that street too.
    ensure(
        p,
        Action::Update,
        &Object::Community {
            id,
            street_id: f.street_id,
            paired_unit_ids: vec![],
        },
    )?;
    let mut tx = db.begin().await?;
    let c = communities::update_community(&mut tx, &by.actor(), id, &f)
        .await
        .map_err(|e| conflict_on_unique(e, "name", "err.community_taken"))?;
    tx.commit().await?;
    Ok(c)
}

pub async fn delete(db: &Db, by: &Acting, id: i64) -> AppResult<()> {
    let (_, obj) = load(db, by, id).await?;
    ensure(by.user()?, Action::Delete, &obj)?;
    let mut tx = db.begin().await?;
    let deps = communities::community_dependents(&mut tx, id).await?;
    if deps.pairings > 0 || deps.users > 0 {
        return Err(AppError::Conflict(vec![FieldError::new(
            "id",
            "err.community_has_children",
        )
        .with("pairings", deps.pairings)
        .with("users", deps.users)]));
    }
    communities::delete_community(&mut tx, &by.actor(), id).await?;
    tx.commit().await?;
    Ok(())
}

/// The streets `p` may put a community in, for the form's drop-down.
pub async fn street_choices(db: &Db, p: &Principal) -> AppResult<Vec<Choice>> {
    let lq = ListQuery {
        q: None,
        page: 1,
        per_page: 1000,
        scope: policy::list_scope(p, Listing::Streets),
        street_id: None,
        community_id: None,
        unit_id: None,
    };
    let page = streets::list_streets(db, &lq).await?;
    Ok(page
        .items
        .into_iter()
        .map(|s| Choice {
            value: s.id.to_string(),
            label: s.name,
        })
        .collect())
}
