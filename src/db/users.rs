//! Accounts in the database. Every write takes the acting user and records its audit entry.

use serde::Serialize;
use utoipa::ToSchema;

use super::audit::{self, Actor, Op, Subject};
use super::list::{ListQuery, Page};
use super::{like_pattern, now, Db, Tx};
use crate::domain::org::Scope;
use crate::{on_db, on_tx};

/// An account (the password hash never leaves the database layer).
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    /// `district_admin`, `street_admin`, `community_admin`, `unit_admin`, `police` or `volunteer`.
    pub role: String,
    pub street_id: Option<i64>,
    pub community_id: Option<i64>,
    pub unit_id: Option<i64>,
    /// The name of the org node the account belongs to, if any.
    pub org_name: Option<String>,
    /// The street its org sits under (a community's street for community staff).
    pub org_street_id: Option<i64>,
    pub lang: String,
    pub active: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Clone, Debug)]
pub struct AccountFields {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub street_id: Option<i64>,
    pub community_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub active: bool,
}

const ACCOUNT_SELECT: &str = "select a.id, a.username, a.display_name, a.role, a.street_id, a.community_id, a.unit_id,
        coalesce(s.name, c.name, u.name) as org_name, coalesce(a.street_id, c.street_id) as org_street_id,
        a.lang, a.active, a.created_at, a.updated_at
     from users a left join streets s on s.id = a.street_id left join communities c on c.id = a.community_id
     left join units u on u.id = a.unit_id";

/// Accounts in `lq`'s scope; `viewer_id` is always included for a street, which lists itself too.
pub async fn list_accounts(db: &Db, lq: &ListQuery, viewer_id: i64) -> Result<Page<Account>, sqlx::Error> {
    let (street, own) = match lq.scope {
        Scope::All => (None, None),
        // A street sees its communities' staff and itself.
        Scope::Street(s) => (Some(s), None),
        Scope::OwnAccount(id) => (None, Some(id)),
        _ => {
            return Ok(Page {
                items: vec![],
                total: 0,
                page: lq.page,
                per_page: lq.per_page,
            })
        }
    };
    let pat =
        lq.q.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(like_pattern);
    let filter =
        "where ($1 is null or lower(a.username) like $1 escape '\\' or lower(a.display_name) like $1 escape '\\')
        and ($2 is null or (a.role = 'community_admin' and c.street_id = $2) or a.id = $3)
        and ($4 is null or a.id = $4)";
    let list_sql = format!("{ACCOUNT_SELECT} {filter} order by a.username limit $5 offset $6");
    let count_sql = format!("select count(*) from users a left join communities c on c.id = a.community_id {filter}");
    on_db!(db, mut pool => {
        let items: Vec<Account> = sqlx::query_as(&list_sql).bind(&pat).bind(street).bind(viewer_id).bind(own)
            .bind(lq.per_page).bind((lq.page.max(1) - 1).saturating_mul(lq.per_page)).fetch_all(pool.ex()).await?;
        let total: i64 = sqlx::query_scalar(&count_sql).bind(&pat).bind(street).bind(viewer_id).bind(own)
            .fetch_one(pool.ex()).await?;
        Ok(Page { items, total, page: lq.page, per_page: lq.per_page })
    })
}

pub async fn get_account(db: &Db, id: i64) -> Result<Option<Account>, sqlx::Error> {
    let sql = format!("{ACCOUNT_SELECT} where a.id = $1");
    on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)
}

async fn account_in_tx(tx: &mut Tx, id: i64) -> Result<Option<Account>, sqlx::Error> {
    let sql = format!("{ACCOUNT_SELECT} where a.id = $1");
    on_tx!(tx, c => sqlx::query_as(&sql).bind(id).fetch_optional(&mut *c).await)
}

impl audit::Audited for Account {
    const KIND: &'static str = "user";
    fn label(&self) -> String {
        self.username.clone()
    }
    async fn load(tx: &mut Tx, id: i64) -> Result<Option<Account>, sqlx::Error> {
        account_in_tx(tx, id).await
    }
}

pub async fn create_account(
    tx: &mut Tx,
    actor: &Actor,
    f: &AccountFields,
    password_hash: &str,
) -> Result<Account, sqlx::Error> {
    let t = now();
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "insert into users (username, display_name, password_hash, role, street_id, community_id, unit_id, active,
                            created_at, updated_at, password_changed_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $9) returning id")
        .bind(&f.username).bind(&f.display_name).bind(password_hash).bind(&f.role)
        .bind(f.street_id).bind(f.community_id).bind(f.unit_id).bind(f.active).bind(t)
        .fetch_one(&mut *c).await?);
    audit::created(tx, actor, id).await
}

pub async fn update_account(tx: &mut Tx, actor: &Actor, id: i64, f: &AccountFields) -> Result<Account, sqlx::Error> {
    let before: Account = audit::before(tx, id).await?;
    on_tx!(tx, c => sqlx::query(
        "update users set username = $1, display_name = $2, role = $3, street_id = $4, community_id = $5,
         unit_id = $6, active = $7, updated_at = $8 where id = $9")
        .bind(&f.username).bind(&f.display_name).bind(&f.role).bind(f.street_id).bind(f.community_id)
        .bind(f.unit_id).bind(f.active).bind(now()).bind(id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    if !f.active || before.role != f.role {
        // A disabled account or a changed role ends every open session at once.
        super::sessions::end_all_of(tx, id).await?;
    }
    audit::updated(tx, actor, id, &before).await
}

pub async fn delete_account(tx: &mut Tx, actor: &Actor, id: i64) -> Result<(), sqlx::Error> {
    let before: Account = audit::before(tx, id).await?;
    on_tx!(tx, c => sqlx::query("delete from users where id = $1").bind(id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    audit::deleted(tx, actor, id, &before).await
}

/// Sets a new password; `keep_session` survives, every other session of the account ends.
pub async fn set_password(
    tx: &mut Tx,
    actor: &Actor,
    id: i64,
    hash: &str,
    keep_session: Option<&str>,
) -> Result<(), sqlx::Error> {
    let label: String = on_tx!(tx, c => sqlx::query_scalar("select username from users where id = $1")
        .bind(id).fetch_one(&mut *c).await?);
    on_tx!(tx, c => sqlx::query("update users set password_hash = $1, password_changed_at = $2, updated_at = $2,
                                 must_change_password = false where id = $3")
        .bind(hash).bind(now()).bind(id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    super::sessions::end_others_of(tx, id, keep_session.unwrap_or("")).await?;
    audit::record_raw(
        tx,
        actor,
        audit::Op::Password,
        Subject::new("user", Some(id), &label),
        &serde_json::json!({}),
    )
    .await
}

pub async fn password_hash(db: &Db, id: i64) -> Result<String, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar("select password_hash from users where id = $1").bind(id).fetch_one(pool).await)
}

/// Remembers the account's language.
pub async fn set_lang(tx: &mut Tx, actor: &Actor, id: i64, lang: &str) -> Result<(), sqlx::Error> {
    #[derive(Serialize)]
    struct L<'a> {
        lang: &'a str,
    }
    let before: String = on_tx!(tx, c => sqlx::query_scalar("select lang from users where id = $1")
        .bind(id).fetch_one(&mut *c).await?);
    on_tx!(tx, c => sqlx::query("update users set lang = $1 where id = $2").bind(lang).bind(id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    audit::record(
        tx,
        actor,
        Op::Update,
        Subject::new("user", Some(id), &actor.username),
        Some(&L { lang: &before }),
        Some(&L { lang }),
    )
    .await
}

/// What a sign-in checks a password against.
#[derive(sqlx::FromRow)]
pub struct Credentials {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
    pub active: bool,
    pub lang: String,
    /// An administrator reset the password: the holder must choose a new one.
    pub must_change_password: bool,
}

/// The credentials of the account named `username` (already lower-cased), if there is one.
pub async fn credentials(db: &Db, username: &str) -> Result<Option<Credentials>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select id, username, password_hash, active, lang, must_change_password from users where username = $1")
        .bind(username).fetch_optional(pool).await)
}

/// The credentials of the active volunteer account whose mobile number is `phone` (as stored).
pub async fn credentials_by_phone(db: &Db, phone: &str) -> Result<Option<Credentials>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select id, username, password_hash, active, lang, must_change_password from users
         where phone = $1 and role = 'volunteer' and active = true and phone <> ''")
        .bind(phone).fetch_optional(pool).await)
}

/// How many active district admins there are besides `except` (the last one may not go).
pub async fn other_active_district_admins(db: &Db, except: i64) -> Result<i64, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar(
        "select count(*) from users where role = 'district_admin' and active = true and id <> $1")
        .bind(except).fetch_one(pool).await)
}

/// Where a recovery code for an account goes.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct RecoveryTarget {
    pub id: i64,
    pub username: String,
    pub phone: String,
    pub email: String,
    pub lang: String,
}

/// The active volunteer account whose mobile number is `phone`, if there is one.
pub async fn recovery_by_phone(db: &Db, phone: &str) -> Result<Option<RecoveryTarget>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select id, username, phone, email, lang from users
         where phone = $1 and role = 'volunteer' and active = true and phone <> ''")
        .bind(phone).fetch_optional(pool).await)
}

/// The one active volunteer account whose e-mail address is `email` (lower-cased); none when no
/// account or several share it (a code to a shared address proves nothing about which one).
pub async fn recovery_by_email(db: &Db, email: &str) -> Result<Option<RecoveryTarget>, sqlx::Error> {
    let mut rows: Vec<RecoveryTarget> = on_db!(db, pool => sqlx::query_as(
        "select id, username, phone, email, lang from users
         where lower(email) = $1 and email <> '' and role = 'volunteer' and active = true limit 2")
        .bind(email).fetch_all(pool).await?);
    Ok(if rows.len() == 1 { rows.pop() } else { None })
}

/// The phone and e-mail on record for an account (empty when none).
pub async fn contact(db: &Db, id: i64) -> Result<Option<(String, String)>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as("select phone, email from users where id = $1")
        .bind(id).fetch_optional(pool).await)
}

/// Sets the mobile number a volunteer signs in with and the e-mail address codes may go to.
/// Fails with a unique violation when another active volunteer account has the number.
pub async fn set_contact(tx: &mut Tx, actor: &Actor, id: i64, phone: &str, email: &str) -> Result<(), sqlx::Error> {
    #[derive(Serialize)]
    struct C {
        phone: String,
        email: String,
    }
    let (label, before_phone, before_email): (String, String, String) = on_tx!(tx, c => sqlx::query_as(
        "select username, phone, email from users where id = $1").bind(id).fetch_one(&mut *c).await?);
    on_tx!(tx, c => sqlx::query("update users set phone = $1, email = $2, updated_at = $3 where id = $4")
        .bind(phone).bind(email).bind(now()).bind(id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    let masked = |p: &str, e: &str| C {
        phone: if p.is_empty() {
            String::new()
        } else {
            crate::domain::phone::Phone::mask(p)
        },
        email: crate::domain::login::mask_email(e),
    };
    audit::record(
        tx,
        actor,
        Op::Update,
        Subject::new("user", Some(id), &label),
        Some(&masked(&before_phone, &before_email)),
        Some(&masked(phone, email)),
    )
    .await
}

/// Sets a password for someone who could not give the current one: by a recovery code (`how` =
/// `recovery`) or by an administrator (`admin_reset`, with `must_change` so that the holder
/// chooses their own at the next sign-in). Every session of the account ends.
pub async fn reset_password(
    tx: &mut Tx,
    actor: &Actor,
    id: i64,
    hash: &str,
    must_change: bool,
    how: &str,
) -> Result<(), sqlx::Error> {
    let label: String = on_tx!(tx, c => sqlx::query_scalar("select username from users where id = $1")
        .bind(id).fetch_one(&mut *c).await?);
    on_tx!(tx, c => sqlx::query("update users set password_hash = $1, password_changed_at = $2, updated_at = $2,
                                 must_change_password = $3 where id = $4")
        .bind(hash).bind(now()).bind(must_change).bind(id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    super::sessions::end_all_of(tx, id).await?;
    audit::record_raw(
        tx,
        actor,
        audit::Op::Password,
        Subject::new("user", Some(id), &label),
        &serde_json::json!({"by": how, "sessions_ended": true}),
    )
    .await
}

/// Whether another active volunteer account than `id` signs in with `id`'s mobile number (the
/// one an account would clash with if it became an active volunteer account).
pub async fn phone_clash(db: &Db, id: i64) -> Result<bool, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar(
        "select exists (select 1 from users o join users me on me.id = $1
                        where o.id <> me.id and me.phone <> '' and o.phone = me.phone
                          and o.role = 'volunteer' and o.active = true)")
        .bind(id).fetch_one(pool).await)
}
