//! streets: the rules, policy checks and writes, for the web pages, the API and the command line.

use super::StreetInput;
use crate::auth::policy::{Action, Listing, Object};
use crate::auth::Acting;
use crate::db::list::Page;
use crate::db::streets;
use crate::db::streets::Street;
use crate::db::Db;
use crate::error::{AppError, AppResult, FieldError};
use crate::features::{conflict_on_unique, ensure, required_name, validated, ListParams};

pub async fn list(db: &Db, by: &Acting, params: &ListParams) -> AppResult<Page<Street>> {
    let lq = params.query(by.user()?, Listing::Streets)?;
    Ok(streets::list_streets(db, &lq).await?)
}

pub async fn get_one(db: &Db, by: &Acting, id: i64) -> AppResult<Street> {
    let s = streets::get_street(db, id).await?.ok_or(AppError::NotFound)?;
    ensure(by.user()?, Action::View, &Object::Street { id })?;
    Ok(s)
}

fn validate(input: &StreetInput) -> AppResult<String> {
    let mut errors = vec![];
    let name = required_name("name", input.name.as_deref(), &mut errors);
    validated(errors)?;
    Ok(name)
}

pub async fn create(db: &Db, by: &Acting, input: &StreetInput) -> AppResult<Street> {
    ensure(by.user()?, Action::Create, &Object::Street { id: 0 })?;
    let name = validate(input)?;
    let mut tx = db.begin().await?;
    let s = streets::create_street(&mut tx, &by.actor(), &name)
        .await
        .map_err(|e| conflict_on_unique(e, "name", "err.street_taken"))?;
    tx.commit().await?;
    Ok(s)
}

pub async fn update(db: &Db, by: &Acting, id: i64, input: &StreetInput) -> AppResult<Street> {
    get_one(db, by, id).await?;
    ensure(by.user()?, Action::Update, &Object::Street { id })?;
    let name = validate(input)?;
    let mut tx = db.begin().await?;
    let s = streets::update_street(&mut tx, &by.actor(), id, &name)
        .await
        .map_err(|e| conflict_on_unique(e, "name", "err.street_taken"))?;
    tx.commit().await?;
    Ok(s)
}

pub async fn delete(db: &Db, by: &Acting, id: i64) -> AppResult<()> {
    get_one(db, by, id).await?;
    ensure(by.user()?, Action::Delete, &Object::Street { id })?;
    let mut tx = db.begin().await?;
    let deps = streets::street_dependents(&mut tx, id).await?;
    if deps.communities > 0 || deps.users > 0 {
        return Err(AppError::Conflict(vec![FieldError::new(
            "id",
            "err.street_has_children",
        )
        .with("communities", deps.communities)
        .with("users", deps.users)]));
    }
    streets::delete_street(&mut tx, &by.actor(), id).await?;
    tx.commit().await?;
    Ok(())
}
