//! users: the rules, policy checks and writes, for the web pages, the API and the command line.

use super::AccountInput;
use crate::auth::policy::{self, Action, Listing, Object, OrgKind, Role};
use crate::auth::Acting;
use crate::auth::{hash_password_blocking, password_problem};
use crate::db::list::Page;
use crate::db::users::{self, Account, AccountFields};
use crate::db::Db;
use crate::db::{communities, streets, units};
use crate::error::{AppError, AppResult, FieldError};
use crate::features::{conflict_on_unique, ensure, optional_text, validated, ListParams};
use crate::i18n::{t, Lang};

pub fn object(a: &Account) -> Object {
    Object::Account {
        id: a.id,
        role: Role::parse(&a.role).unwrap_or(Role::Volunteer),
        street_id: a.org_street_id,
        community_id: a.community_id,
        unit_id: a.unit_id,
    }
}

pub async fn list(db: &Db, by: &Acting, params: &ListParams) -> AppResult<Page<Account>> {
    let p = by.user()?;
    let lq = params.query(p, Listing::Accounts)?;
    Ok(users::list_accounts(db, &lq, p.user_id).await?)
}

pub async fn get_one(db: &Db, by: &Acting, id: i64) -> AppResult<Account> {
    let a = users::get_account(db, id).await?.ok_or(AppError::NotFound)?;
    ensure(by.user()?, Action::View, &object(&a))?;
    Ok(a)
}

/// Checks an account's fields; `creating` makes the password required. Also answers the street
/// the account's org sits under, for the policy.
pub async fn validate(db: &Db, input: &AccountInput, creating: bool) -> AppResult<(AccountFields, Option<i64>)> {
    let mut errors = vec![];
    let username = input.username.as_deref().unwrap_or("").trim().to_lowercase();
    let valid_username = (3..=32).contains(&username.len())
        && username
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
        && username.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    if username.is_empty() {
        errors.push(FieldError::new("username", "err.required"));
    } else if !valid_username {
        errors.push(FieldError::new("username", "err.username"));
    }
    let display_name = optional_text("display_name", input.display_name.as_deref(), 50, &mut errors);
    let role = match input.role.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            errors.push(FieldError::new("role", "err.required"));
            None
        }
        Some(r) => Role::parse(r).or_else(|| {
            errors.push(FieldError::new("role", "err.role"));
            None
        }),
    };
    let (mut street_id, mut community_id, mut unit_id, mut org_street) = (None, None, None, None);
    if let Some(kind) = role.and_then(Role::org_kind) {
        let (field, given) = match kind {
            OrgKind::Street => ("street_id", input.street_id.or(input.org_id)),
            OrgKind::Community => ("community_id", input.community_id.or(input.org_id)),
            OrgKind::Unit => ("unit_id", input.unit_id.or(input.org_id)),
        };
        match given {
            None => errors.push(FieldError::new(field, "err.org_required")),
            Some(id) => {
                let found = match kind {
                    OrgKind::Street => streets::get_street(db, id).await?.map(|s| s.id),
                    OrgKind::Community => communities::get_community(db, id).await?.map(|c| c.street_id),
                    OrgKind::Unit => units::get_unit(db, id).await?.map(|_| 0),
                };
                match (found, kind) {
                    (None, _) => errors.push(FieldError::new(field, "err.no_such_org")),
                    (Some(s), OrgKind::Street) => (street_id, org_street) = (Some(id), Some(s)),
                    (Some(s), OrgKind::Community) => (community_id, org_street) = (Some(id), Some(s)),
                    (Some(_), OrgKind::Unit) => unit_id = Some(id),
                }
            }
        }
    }
    let password = input.password.as_deref().unwrap_or("");
    if creating && password.is_empty() {
        errors.push(FieldError::new("password", "err.required"));
    } else if !password.is_empty() {
        if let Some(problem) = password_problem(password, &username) {
            errors.push(problem);
        }
    }
    validated(errors)?;
    let role = role.expect("validated").as_str().to_string();
    let active = input.active.unwrap_or(true);
    Ok((
        AccountFields {
            username,
            display_name,
            role,
            street_id,
            community_id,
            unit_id,
            active,
        },
        org_street,
    ))
}

fn fields_object(id: i64, f: &AccountFields, org_street: Option<i64>) -> Object {
    Object::Account {
        id,
        role: Role::parse(&f.role).unwrap_or(Role::Volunteer),
        street_id: org_street,
        community_id: f.community_id,
        unit_id: f.unit_id,
    }
}

pub async fn create(db: &Db, by: &Acting, input: &AccountInput) -> AppResult<Account> {
    let p = by.user()?;
    if !policy::may_create(p, Listing::Accounts) {
        return Err(AppError::Forbidden);
    }
    let (f, org_street) = validate(db, input, true).await?;
    ensure(p, Action::Create, &fields_object(0, &f, org_street))?;
    let hash = hash_password_blocking(input.password.clone().unwrap_or_default()).await?;
    let mut tx = db.begin().await?;
    let a = users::create_account(&mut tx, &by.actor(), &f, &hash)
        .await
        .map_err(|e| conflict_on_unique(e, "username", "err.username_taken"))?;
    tx.commit().await?;
    Ok(a)
}

pub async fn update(db: &Db, by: &Acting, id: i64, input: &AccountInput) -> AppResult<Account> {
    let p = by.user()?;
    let before = get_one(db, by, id).await?;
    ensure(p, Action::Update, &object(&before))?;
    let (f, org_street) = validate(db, input, false).await?;
    ensure(p, Action::Update, &fields_object(id, &f, org_street))?;
    if id == p.user_id && (!f.active || f.role != before.role) {
        return Err(AppError::field("role", "err.cannot_demote_self"));
    }
    let was_admin = Role::parse(&before.role) == Some(Role::DistrictAdmin);
    if was_admin
        && (Role::parse(&f.role) != Some(Role::DistrictAdmin) || !f.active)
        && users::other_active_district_admins(db, id).await? == 0
    {
        return Err(AppError::Conflict(vec![FieldError::new("role", "err.last_admin")]));
    }
    // Two active volunteer accounts never share a mobile number (it is their sign-in).
    if f.active && Role::parse(&f.role) == Some(Role::Volunteer) && users::phone_clash(db, id).await? {
        return Err(AppError::Conflict(vec![FieldError::new("active", "err.phone_taken")]));
    }
    let new_hash = match input.password.as_deref().filter(|s| !s.is_empty()) {
        Some(pw) => Some(hash_password_blocking(pw.to_string()).await?),
        None => None,
    };
    let mut tx = db.begin().await?;
    let a = users::update_account(&mut tx, &by.actor(), id, &f)
        .await
        .map_err(|e| conflict_on_unique(e, "username", "err.username_taken"))?;
    if let Some(hash) = new_hash {
        users::set_password(&mut tx, &by.actor(), id, &hash, None).await?;
    }
    tx.commit().await?;
    Ok(a)
}

pub async fn delete(db: &Db, by: &Acting, id: i64) -> AppResult<()> {
    let p = by.user()?;
    let a = get_one(db, by, id).await?;
    ensure(p, Action::Delete, &object(&a))?;
    if id == p.user_id {
        return Err(AppError::Conflict(vec![FieldError::new(
            "id",
            "err.cannot_delete_self",
        )]));
    }
    if Role::parse(&a.role) == Some(Role::DistrictAdmin) && users::other_active_district_admins(db, id).await? == 0 {
        return Err(AppError::Conflict(vec![FieldError::new("id", "err.last_admin")]));
    }
    let mut tx = db.begin().await?;
    users::delete_account(&mut tx, &by.actor(), id).await?;
    tx.commit().await?;
    Ok(())
}

/// A password an administrator set: shown once, changed by its holder at the next sign-in.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct TemporaryPassword {
    pub user_id: i64,
    pub username: String,
    /// Shown only in this answer; the holder must choose a new one at the next sign-in.
    pub temporary_password: String,
}

/// Resets someone's password to a temporary one, for an administrator who manages the account
/// (the same rule as editing it: the district any account, a street its communities' staff).
/// Every session of the account ends; the holder must choose a new password at the next
/// sign-in. One's own password is changed on the account page instead.
pub async fn reset_password(db: &Db, by: &Acting, id: i64) -> AppResult<TemporaryPassword> {
    let p = by.user()?;
    let a = get_one(db, by, id).await?;
    ensure(p, Action::Update, &object(&a))?;
    if id == p.user_id {
        return Err(AppError::Conflict(vec![FieldError::new(
            "id",
            "err.reset_own_password",
        )]));
    }
    let temporary = temporary_password();
    let hash = hash_password_blocking(temporary.clone()).await?;
    let mut tx = db.begin().await?;
    users::reset_password(&mut tx, &by.actor(), id, &hash, true, "admin_reset").await?;
    tx.commit().await?;
    Ok(TemporaryPassword {
        user_id: id,
        username: a.username,
        temporary_password: temporary,
    })
}

/// Twelve characters that are easy to read aloud and type (no 0/O, 1/l/I).
fn temporary_password() -> String {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let body: String = (0..10)
        .map(|_| ALPHABET[(OsRng.next_u32() as usize) % ALPHABET.len()] as char)
        .collect();
    format!("Lf-{body}")
}

pub fn role_label(lang: Lang, role: &str) -> String {
    t(lang, &format!("role.{role}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn temporary_passwords_are_long_and_differ() {
        let a = super::temporary_password();
        assert_eq!(a.chars().count(), 13);
        assert_ne!(a, super::temporary_password());
    }
}
