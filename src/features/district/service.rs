//! district: the rules and writes, for the web, the API and the command line.

use super::District;
use crate::auth::policy::{Action, Object};
use crate::auth::Acting;
use crate::db::district;
use crate::db::Db;
use crate::error::AppResult;
use crate::features::{ensure, required_name, validated};

pub async fn get_one(db: &Db, by: &Acting) -> AppResult<District> {
    ensure(by.user()?, Action::View, &Object::District)?;
    Ok(District {
        name: district::district_name(db).await?,
    })
}

pub async fn update(db: &Db, by: &Acting, input: &District) -> AppResult<District> {
    ensure(by.user()?, Action::Update, &Object::District)?;
    let mut errors = vec![];
    let name = required_name("name", input.name.as_deref(), &mut errors);
    validated(errors)?;
    let mut tx = db.begin().await?;
    district::set_district_name(&mut tx, &by.actor(), &name).await?;
    tx.commit().await?;
    Ok(District { name: Some(name) })
}
