//! The audit trail: who changed what, when, from where, with each field's before and after.
//!
//! Writes happen only through [`record`], which takes the open transaction of the change, so an
//! entry exists exactly when the change does.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

use super::{like_pattern, now, Db, Tx};
use crate::{on_db, on_tx};

/// Who acts: a signed-in user, or the command line.
#[derive(Clone, Debug)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub username: String,
    pub ip: String,
}

impl Actor {
    pub fn cli() -> Actor {
        Actor {
            user_id: None,
            username: "(cli)".into(),
            ip: "local".into(),
        }
    }

    pub fn system(what: &str) -> Actor {
        Actor {
            user_id: None,
            username: format!("({what})"),
            ip: "local".into(),
        }
    }
}

/// What an audit entry records: a field change (create, update, delete) or an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Create,
    Update,
    Delete,
    /// A file of records was taken away (the trail keeps how many rows and whether unmasked).
    Export,
    Import,
    /// Someone looked at personal data in full.
    ViewUnmasked,
    SignIn,
    SignOut,
    AutoSignOut,
    SignUp,
    CancelSignup,
    ConfirmHours,
    AddPhoto,
    IssueCertificate,
    Password,
    Erase,
    /// The demo generator filled the database.
    DemoScale,
}

impl Op {
    /// The action as the trail stores it.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Create => "create",
            Op::Update => "update",
            Op::Delete => "delete",
            Op::Export => "export",
            Op::Import => "import",
            Op::ViewUnmasked => "view_unmasked",
            Op::SignIn => "sign_in",
            Op::SignOut => "sign_out",
            Op::AutoSignOut => "auto_sign_out",
            Op::SignUp => "sign_up",
            Op::CancelSignup => "cancel_signup",
            Op::ConfirmHours => "confirm_hours",
            Op::AddPhoto => "add_photo",
            Op::IssueCertificate => "issue_certificate",
            Op::Password => "password",
            Op::Erase => "erase",
            Op::DemoScale => "demo_scale",
        }
    }
}

/// Fields that are never copied into the trail.
const SECRET_FIELDS: &[&str] = &["password_hash", "password"];

/// The changed fields of an object, as `{"field": {"before": x, "after": y}}`.
pub fn diff(before: Option<&Value>, after: Option<&Value>) -> Value {
    let empty = Map::new();
    let b = before.and_then(Value::as_object).unwrap_or(&empty);
    let a = after.and_then(Value::as_object).unwrap_or(&empty);
    let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut out = Map::new();
    for k in keys {
        if SECRET_FIELDS.contains(&k.as_str()) || k == "updated_at" || k == "created_at" {
            continue;
        }
        let (bv, av) = (b.get(k).unwrap_or(&Value::Null), a.get(k).unwrap_or(&Value::Null));
        if bv != av {
            let mut change = Map::new();
            change.insert("before".into(), bv.clone());
            change.insert("after".into(), av.clone());
            out.insert(k.clone(), Value::Object(change));
        }
    }
    Value::Object(out)
}

/// What an entry is about: the kind of object, its id, and a label people recognise it by.
#[derive(Clone, Copy, Debug)]
pub struct Subject<'a> {
    pub kind: &'a str,
    pub id: Option<i64>,
    pub label: &'a str,
}

impl<'a> Subject<'a> {
    pub fn new(kind: &'a str, id: Option<i64>, label: &'a str) -> Subject<'a> {
        Subject { kind, id, label }
    }
}

/// Writes one entry in the transaction of the change it describes. An update that changed
/// nothing writes nothing.
pub async fn record<T: Serialize>(
    tx: &mut Tx,
    actor: &Actor,
    op: Op,
    subject: Subject<'_>,
    before: Option<&T>,
    after: Option<&T>,
) -> Result<(), sqlx::Error> {
    let to_value = |v: Option<&T>| v.map(|v| serde_json::to_value(v).unwrap_or(Value::Null));
    let changes = diff(to_value(before).as_ref(), to_value(after).as_ref());
    if op == Op::Update && changes.as_object().is_some_and(|m| m.is_empty()) {
        return Ok(());
    }
    record_raw(tx, actor, op, subject, &changes).await
}

/// Writes an entry that is not a field change (a sign-in, an export, a view of personal data).
pub async fn record_raw(
    tx: &mut Tx,
    actor: &Actor,
    op: Op,
    subject: Subject<'_>,
    changes: &Value,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "insert into audit_log (at, user_id, username, ip, action, object_type, object_id, object_label, changes)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
        .bind(now()).bind(actor.user_id).bind(&actor.username).bind(&actor.ip).bind(op.as_str())
        .bind(subject.kind).bind(subject.id).bind(subject.label).bind(changes.to_string())
        .execute(&mut *c).await.map(|r| r.rows_affected())?);
    Ok(())
}

/// A record whose changes the trail keeps: the kind it is filed under, the label people know it
/// by, and how it is read inside the transaction of a change.
pub trait Audited: Serialize + Sized + Send {
    const KIND: &'static str;
    fn label(&self) -> String;
    fn load(tx: &mut Tx, id: i64) -> impl std::future::Future<Output = Result<Option<Self>, sqlx::Error>> + Send;
}

/// The record as it is before a change (`RowNotFound` when there is none).
pub async fn before<T: Audited>(tx: &mut Tx, id: i64) -> Result<T, sqlx::Error> {
    T::load(tx, id).await?.ok_or(sqlx::Error::RowNotFound)
}

/// After an insert: reads the new record and records its creation; answers the record.
pub async fn created<T: Audited>(tx: &mut Tx, actor: &Actor, id: i64) -> Result<T, sqlx::Error> {
    let after = before::<T>(tx, id).await?;
    let label = after.label();
    record(
        tx,
        actor,
        Op::Create,
        Subject::new(T::KIND, Some(id), &label),
        None,
        Some(&after),
    )
    .await?;
    Ok(after)
}

/// After an update: reads the record again and records what changed since `before`; answers
/// the record as it is now (the one helper for load before / update / load after / audit).
pub async fn updated<T: Audited>(tx: &mut Tx, actor: &Actor, id: i64, before: &T) -> Result<T, sqlx::Error> {
    updated_as(tx, actor, id, before, None).await
}

/// [`updated`], filed under `label` when given (a record people know by more than its own
/// label, such as a dispatched team by its action's title).
pub async fn updated_as<T: Audited>(
    tx: &mut Tx,
    actor: &Actor,
    id: i64,
    before: &T,
    label: Option<&str>,
) -> Result<T, sqlx::Error> {
    let after = self::before::<T>(tx, id).await?;
    let label = label.map_or_else(|| after.label(), str::to_string);
    record(
        tx,
        actor,
        Op::Update,
        Subject::new(T::KIND, Some(id), &label),
        Some(before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

/// After a delete: records what the record held.
pub async fn deleted<T: Audited>(tx: &mut Tx, actor: &Actor, id: i64, before: &T) -> Result<(), sqlx::Error> {
    let label = before.label();
    record(
        tx,
        actor,
        Op::Delete,
        Subject::new(T::KIND, Some(id), &label),
        Some(before),
        None,
    )
    .await
}

/// One line of the audit trail.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct AuditEntry {
    pub id: i64,
    /// Seconds since the Unix epoch.
    pub at: i64,
    pub user_id: Option<i64>,
    pub username: String,
    pub ip: String,
    /// `create`, `update`, `delete`, `export`, `import`.
    pub action: String,
    pub object_type: String,
    pub object_id: Option<i64>,
    pub object_label: String,
    /// `{"field": {"before": x, "after": y}}` as JSON text.
    pub changes: String,
}

/// Filters for browsing the trail; every one is optional.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilter {
    /// The username of whoever acted (exact).
    pub user: Option<String>,
    /// Object type, e.g. `street`, `community`, `unit`, `pairing`, `user`.
    pub object_type: Option<String>,
    pub object_id: Option<i64>,
    /// Text in the object's label.
    pub q: Option<String>,
    /// From this date (YYYY-MM-DD, inclusive, China time).
    pub from: Option<String>,
    /// Up to this date (YYYY-MM-DD, inclusive, China time).
    pub to: Option<String>,
    pub page: Option<i64>,
}

pub const PAGE_SIZE: i64 = 50;

/// Entries matching `f`, newest first, and how many match in all.
pub async fn list(
    db: &Db,
    f: &AuditFilter,
    from_ts: Option<i64>,
    to_ts: Option<i64>,
) -> Result<(Vec<AuditEntry>, i64), sqlx::Error> {
    let user = f
        .user
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_lowercase);
    let object_type = f.object_type.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let q =
        f.q.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(like_pattern);
    let page = f.page.unwrap_or(1).max(1);
    let filter = "($1 is null or username = $1) and ($2 is null or object_type = $2)
        and ($3 is null or object_id = $3) and ($4 is null or lower(object_label) like $4 escape '\\')
        and ($5 is null or at >= $5) and ($6 is null or at < $6)";
    let list_sql = format!("select * from audit_log where {filter} order by id desc limit $7 offset $8");
    let count_sql = format!("select count(*) from audit_log where {filter}");
    on_db!(db, mut pool => {
        let rows: Vec<AuditEntry> = sqlx::query_as(&list_sql)
            .bind(&user).bind(object_type).bind(f.object_id).bind(&q).bind(from_ts).bind(to_ts)
            .bind(PAGE_SIZE).bind((page - 1).saturating_mul(PAGE_SIZE))
            .fetch_all(pool.ex()).await?;
        let (total,): (i64,) = sqlx::query_as(&count_sql)
            .bind(&user).bind(object_type).bind(f.object_id).bind(&q).bind(from_ts).bind(to_ts)
            .fetch_one(pool.ex()).await?;
        Ok((rows, total))
    })
}

/// One entry of [`record_many`].
pub struct Entry<'a> {
    pub actor: &'a Actor,
    pub op: Op,
    pub subject: Subject<'a>,
    pub changes: Value,
}

/// Writes several entries in one statement (a batch of scans); one entry is [`record_raw`].
pub async fn record_many(tx: &mut Tx, entries: &[Entry<'_>]) -> Result<(), sqlx::Error> {
    match entries {
        [] => return Ok(()),
        [e] => {
            return record_raw(
                tx,
                e.actor,
                e.op,
                Subject::new(e.subject.kind, e.subject.id, e.subject.label),
                &e.changes,
            )
            .await
        }
        _ => {}
    }
    let rows: Vec<String> = (0..entries.len())
        .map(|k| {
            let n = k * 9;
            format!(
                "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                n + 1,
                n + 2,
                n + 3,
                n + 4,
                n + 5,
                n + 6,
                n + 7,
                n + 8,
                n + 9
            )
        })
        .collect();
    let sql = format!(
        "insert into audit_log (at, user_id, username, ip, action, object_type, object_id, object_label, changes)
         values {}",
        rows.join(", ")
    );
    let t = now();
    on_tx!(tx, c => {
        let mut q = sqlx::query(&sql).persistent(false);
        for e in entries {
            q = q.bind(t).bind(e.actor.user_id).bind(&e.actor.username).bind(&e.actor.ip).bind(e.op.as_str())
                .bind(e.subject.kind).bind(e.subject.id).bind(e.subject.label).bind(e.changes.to_string());
        }
        q.execute(&mut *c).await.map(|r| r.rows_affected())?
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn diff_lists_changed_fields_only_and_hides_secrets() {
        let b = json!({"name": "A", "level": "city", "password_hash": "x", "updated_at": 1});
        let a = json!({"name": "B", "level": "city", "password_hash": "y", "updated_at": 2});
        assert_eq!(diff(Some(&b), Some(&a)), json!({"name": {"before": "A", "after": "B"}}));
        assert_eq!(
            diff(None, Some(&json!({"name": "A"}))),
            json!({"name": {"before": null, "after": "A"}})
        );
    }
}
