//! account: the rules and writes, for the web, the API and the command line.

use super::{LangInput, LoginInput, PasswordInput};
use crate::auth::Acting;
use crate::auth::{self, hash_password_blocking, password_problem};
use crate::db::users;
use crate::db::Db;
use crate::error::{AppError, AppResult, FieldError};
use crate::i18n::Lang;

pub fn credentials(input: &LoginInput) -> AppResult<(String, String)> {
    let mut errors = vec![];
    let username = input.username.clone().unwrap_or_default();
    let password = input.password.clone().unwrap_or_default();
    if username.trim().is_empty() {
        errors.push(FieldError::new("username", "err.required"));
    }
    if password.is_empty() {
        errors.push(FieldError::new("password", "err.required"));
    }
    crate::features::validated(errors)?;
    Ok((username, password))
}

pub async fn change_password(db: &Db, by: &Acting, input: &PasswordInput) -> AppResult<()> {
    let p = by.user()?;
    let current = input.current_password.clone().unwrap_or_default();
    let new = input.new_password.clone().unwrap_or_default();
    let ok = auth::check_current_password(db, p.user_id, &p.username, &by.ip, current).await?;
    let mut errors = vec![];
    if !ok {
        errors.push(FieldError::new("current_password", "err.current_password"));
    }
    if new.is_empty() {
        errors.push(FieldError::new("new_password", "err.required"));
    } else if let Some(mut problem) = password_problem(&new, &p.username) {
        problem.field = "new_password".into();
        errors.push(problem);
    }
    crate::features::validated(errors)?;
    let hash = hash_password_blocking(new).await?;
    let mut tx = db.begin().await?;
    users::set_password(&mut tx, &by.actor(), p.user_id, &hash, Some(&p.session_id)).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn set_lang(db: &Db, by: &Acting, input: &LangInput) -> AppResult<Lang> {
    let lang = match input.lang.as_deref() {
        Some("zh-CN") | Some("zh") => Lang::Zh,
        Some("en") => Lang::En,
        _ => return Err(AppError::field("lang", "err.lang")),
    };
    if let Some(p) = &by.principal {
        let mut tx = db.begin().await?;
        users::set_lang(&mut tx, &by.actor(), p.user_id, lang.code()).await?;
        tx.commit().await?;
    }
    Ok(lang)
}
