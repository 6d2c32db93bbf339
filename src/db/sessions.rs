//! Sessions in the database: stored by the hash of their token, so a copy of the database opens none.

use super::{Db, Tx};
use crate::domain::token::SessionKind;
use crate::{on_db, on_tx};

/// A session joined with its account, as a request's principal is built from it.
#[derive(sqlx::FromRow)]
pub struct SessionRow {
    pub id: String,
    pub csrf: String,
    pub kind: SessionKind,
    pub last_seen_at: i64,
    pub expires_at: i64,
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub street_id: Option<i64>,
    pub community_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub community_street_id: Option<i64>,
    pub lang: String,
    pub active: bool,
    /// The account's volunteer record, if it has one.
    pub volunteer_id: Option<i64>,
    /// The password was reset by an administrator and waits to be changed.
    pub must_change_password: bool,
    /// Unread in-app messages (the bell), counted only when asked for (0 otherwise).
    pub unread: i64,
}

/// What a new session stores.
pub struct NewSessionRow<'a> {
    pub id_hash: &'a str,
    pub user_id: i64,
    pub csrf: &'a str,
    pub kind: SessionKind,
    pub ip: &'a str,
    pub now: i64,
    pub expires_at: i64,
}

/// Opens a session, dropping the account's expired ones first.
pub async fn open(tx: &mut Tx, s: &NewSessionRow<'_>) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => {
        sqlx::query("delete from sessions where user_id = $1 and expires_at < $2").bind(s.user_id).bind(s.now).execute(&mut *c).await.map(|r| r.rows_affected())?;
        sqlx::query(
            "insert into sessions (id, user_id, csrf, kind, ip, created_at, last_seen_at, expires_at)
             values ($1, $2, $3, $4, $5, $6, $6, $7)")
            .bind(s.id_hash).bind(s.user_id).bind(s.csrf).bind(s.kind).bind(s.ip)
            .bind(s.now).bind(s.expires_at).execute(&mut *c).await.map(|r| r.rows_affected())?;
    });
    Ok(())
}

/// The session stored under `id_hash`, with its account, and with the account's unread in-app
/// messages when `count_unread` (a page's bell: one round trip for both).
pub async fn find(db: &Db, id_hash: &str, count_unread: bool) -> Result<Option<SessionRow>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select s.id, s.csrf, s.kind, s.last_seen_at, s.expires_at, u.id as user_id, u.username,
                u.display_name, u.role, u.street_id, u.community_id, u.unit_id,
                c.street_id as community_street_id, u.lang, u.active,
                (select v.id from volunteers v where v.user_id = u.id) as volunteer_id,
                u.must_change_password,
                case when $2 = 1 then (select count(*) from outbox o
                    where o.user_id = u.id and o.channel = 'inbox' and o.read_at is null) else 0 end as unread
         from sessions s join users u on u.id = s.user_id
         left join communities c on c.id = u.community_id
         where s.id = $1")
        .bind(id_hash).bind(i64::from(count_unread)).fetch_optional(pool).await)
}

/// Notes the session's last use.
pub async fn touch(db: &Db, id: &str, now: i64) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, c => sqlx::query("update sessions set last_seen_at = $1 where id = $2")
        .bind(now).bind(id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    tx.commit().await
}

/// Ends one session.
pub async fn end(db: &Db, id: &str) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, c => sqlx::query("delete from sessions where id = $1").bind(id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    tx.commit().await
}

/// Ends every session of an account (disabled, or its role changed).
pub async fn end_all_of(tx: &mut Tx, user_id: i64) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("delete from sessions where user_id = $1").bind(user_id).execute(&mut *c).await.map(|r| r.rows_affected())?);
    Ok(())
}

/// Ends every session of an account except `keep` (a password change).
pub async fn end_others_of(tx: &mut Tx, user_id: i64, keep: &str) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("delete from sessions where user_id = $1 and id <> $2")
        .bind(user_id).bind(keep).execute(&mut *c).await.map(|r| r.rows_affected())?);
    Ok(())
}
