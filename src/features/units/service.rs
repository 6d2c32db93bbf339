//! units: the rules, policy checks and writes, for the web pages, the API and the command line.

use super::UnitInput;
use crate::auth::policy::{self, Action, Listing, Object, Principal};
use crate::auth::Acting;
use crate::db::list::Page;
use crate::db::units;
use crate::db::units::{Unit, UnitFields};
use crate::db::Db;
use crate::domain::org::UnitLevel;
use crate::domain::phone::Phone;
use crate::error::{AppError, AppResult, FieldError};
use crate::features::{
    conflict_on_unique, ensure, optional_phone, optional_text, required_name, validated, ListParams,
};

pub fn bare_object(id: i64) -> Object {
    Object::Unit {
        id,
        paired_community_ids: vec![],
        paired_street_ids: vec![],
    }
}

fn mask(p: &Principal, mut u: Unit) -> Unit {
    if !u.contact_phone.is_empty() && !policy::allows(p, Action::Update, &bare_object(u.id)) {
        u.contact_phone = Phone::mask(&u.contact_phone);
    }
    u
}

pub async fn list(db: &Db, by: &Acting, params: &ListParams) -> AppResult<Page<Unit>> {
    let p = by.user()?;
    let lq = params.query(p, Listing::Units)?;
    let mut page = units::list_units(db, &lq).await?;
    page.items = page.items.into_iter().map(|u| mask(p, u)).collect();
    Ok(page)
}

pub async fn load(db: &Db, by: &Acting, id: i64) -> AppResult<(Unit, Object)> {
    let u = units::get_unit(db, id).await?.ok_or(AppError::NotFound)?;
    let (paired_community_ids, paired_street_ids) = units::unit_pairing_tree(db, id).await?;
    let obj = Object::Unit {
        id,
        paired_community_ids,
        paired_street_ids,
    };
    ensure(by.user()?, Action::View, &obj)?;
    Ok((u, obj))
}

pub async fn get_one(db: &Db, by: &Acting, id: i64) -> AppResult<Unit> {
    let (u, _) = load(db, by, id).await?;
    Ok(mask(by.user()?, u))
}

fn validate(input: &UnitInput) -> AppResult<UnitFields> {
    let mut errors = vec![];
    let name = required_name("name", input.name.as_deref(), &mut errors);
    let level = match input.level.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            errors.push(FieldError::new("level", "err.required"));
            None
        }
        Some(l) => {
            let level = UnitLevel::parse(l);
            if level.is_none() {
                errors.push(FieldError::new("level", "err.level"));
            }
            level
        }
    };
    let kind = optional_text("kind", input.kind.as_deref(), 50, &mut errors);
    let address = optional_text("address", input.address.as_deref(), 200, &mut errors);
    let contact_person = optional_text("contact_person", input.contact_person.as_deref(), 50, &mut errors);
    let contact_phone = optional_phone("contact_phone", input.contact_phone.as_deref(), &mut errors);
    validated(errors)?;
    let Some(level) = level else {
        unreachable!("a missing or unknown level is an error above")
    };
    Ok(UnitFields {
        name,
        level,
        kind,
        address,
        contact_person,
        contact_phone,
    })
}

pub async fn create(db: &Db, by: &Acting, input: &UnitInput) -> AppResult<Unit> {
    ensure(by.user()?, Action::Create, &bare_object(0))?;
    let f = validate(input)?;
    let mut tx = db.begin().await?;
    let u = units::create_unit(&mut tx, &by.actor(), &f)
        .await
        .map_err(|e| conflict_on_unique(e, "name", "err.unit_taken"))?;
    tx.commit().await?;
    Ok(u)
}

pub async fn update(db: &Db, by: &Acting, id: i64, input: &UnitInput) -> AppResult<Unit> {
    let p = by.user()?;
    let (before, obj) = load(db, by, id).await?;
    ensure(p, Action::Update, &obj)?;
    let f = validate(input)?;
    if !policy::may_edit_identity(p, &obj) {
        let mut errors = vec![];
        if f.name != before.name {
            errors.push(FieldError::new("name", "err.identity_locked"));
        }
        if f.level != before.level {
            errors.push(FieldError::new("level", "err.identity_locked"));
        }
        validated(errors)?;
    }
    let mut tx = db.begin().await?;
    let u = units::update_unit(&mut tx, &by.actor(), id, &f)
        .await
        .map_err(|e| conflict_on_unique(e, "name", "err.unit_taken"))?;
    tx.commit().await?;
    Ok(u)
}

pub async fn delete(db: &Db, by: &Acting, id: i64) -> AppResult<()> {
    let (_, obj) = load(db, by, id).await?;
    ensure(by.user()?, Action::Delete, &obj)?;
    let mut tx = db.begin().await?;
    let deps = units::unit_dependents(&mut tx, id).await?;
    if deps.pairings > 0 || deps.users > 0 {
        return Err(AppError::Conflict(vec![FieldError::new("id", "err.unit_has_children")
            .with("pairings", deps.pairings)
            .with("users", deps.users)]));
    }
    units::delete_unit(&mut tx, &by.actor(), id).await?;
    tx.commit().await?;
    Ok(())
}
