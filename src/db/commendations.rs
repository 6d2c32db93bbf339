//! 表彰: categories and quotas, nominations, the public notice and its objections, honour
//! certificates, and the record facts candidates are suggested from.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::audit::{self, Actor, Op, Subject};
use super::campaigns::Campaign;
use super::{now, Db, Tx};
use crate::domain::commendation::{NominationStatus, NomineeKind, ObjectionStatus, DEFAULT_CATEGORIES};
use crate::{on_db, on_tx};

/// A category of a campaign's commendation, with its quotas and eligibility.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
#[schema(as = CommendationCategory)]
pub struct Category {
    pub id: i64,
    pub campaign_id: i64,
    pub name: String,
    pub kind: NomineeKind,
    /// How many the district may approve in all.
    pub quota: i64,
    /// How many each unit or street may nominate.
    pub quota_per_nominator: i64,
    pub min_hours: i64,
    pub min_stars: i64,
    /// Refused at this many no-shows in a row (0: not checked).
    pub no_show_streak: i64,
    pub no_open_findings: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The district's defaults for a campaign that has none yet (written once; audited).
pub async fn ensure_categories(tx: &mut Tx, actor: &Actor, campaign_id: i64) -> Result<(), sqlx::Error> {
    let have: i64 = on_tx!(tx, c => sqlx::query_scalar("select count(*) from commendation_categories where campaign_id = $1")
        .bind(campaign_id).fetch_one(&mut *c).await?);
    if have > 0 {
        return Ok(());
    }
    let t = now();
    for d in &DEFAULT_CATEGORIES {
        let id: Option<i64> = on_tx!(tx, c => sqlx::query_scalar(
            "insert into commendation_categories (campaign_id, name, kind, quota, quota_per_nominator, min_hours,
                created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $7)
             on conflict (campaign_id, name) do nothing returning id")
            .bind(campaign_id).bind(d.name).bind(d.kind).bind(d.quota).bind(d.quota_per_nominator).bind(d.min_hours)
            .bind(t).fetch_optional(&mut *c).await?);
        if let Some(id) = id {
            audit::created::<Category>(tx, actor, id).await?;
        }
    }
    Ok(())
}

pub async fn categories(db: &Db, campaign_id: i64) -> Result<Vec<Category>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as("select * from commendation_categories where campaign_id = $1 order by id")
        .bind(campaign_id).fetch_all(pool).await)
}

pub async fn get_category(db: &Db, id: i64) -> Result<Option<Category>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as("select * from commendation_categories where id = $1")
        .bind(id).fetch_optional(pool).await)
}

/// Changes a category's quotas and eligibility (audited).
pub async fn update_category(
    tx: &mut Tx,
    actor: &Actor,
    before: &Category,
    after: &Category,
) -> Result<Category, sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "update commendation_categories set quota = $1, quota_per_nominator = $2, min_hours = $3, min_stars = $4,
            no_show_streak = $5, no_open_findings = $6, updated_at = $7 where id = $8")
        .bind(after.quota).bind(after.quota_per_nominator).bind(after.min_hours).bind(after.min_stars)
        .bind(after.no_show_streak).bind(after.no_open_findings).bind(now()).bind(before.id)
        .execute(&mut *c).await.map(|_| ()))?;
    audit::updated(tx, actor, before.id, before).await
}

impl audit::Audited for Category {
    const KIND: &'static str = "commendation_category";
    fn label(&self) -> String {
        self.name.clone()
    }
    async fn load(tx: &mut Tx, id: i64) -> Result<Option<Category>, sqlx::Error> {
        on_tx!(tx, c => sqlx::query_as("select * from commendation_categories where id = $1")
            .bind(id).fetch_optional(&mut *c).await)
    }
}

// ---------------------------------------------------------------- nominations

/// A nomination: who, in which category, by whom, with the deed text and its state.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct Nomination {
    pub id: i64,
    pub campaign_id: i64,
    pub category_id: i64,
    pub category_name: String,
    pub kind: NomineeKind,
    pub team_id: Option<i64>,
    pub volunteer_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub community_id: Option<i64>,
    pub nominee_name: String,
    pub nominee_org: String,
    pub by_unit_id: Option<i64>,
    pub by_street_id: Option<i64>,
    /// The nominating unit or street (empty: the district).
    pub by_name: String,
    /// 事迹.
    pub deed: String,
    pub status: NominationStatus,
    pub review_reason: String,
    pub reviewed_at: Option<i64>,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
}

const NOMINATION_SELECT: &str = "select n.id, n.campaign_id, n.category_id, k.name as category_name, n.kind, n.team_id,
        n.volunteer_id, n.unit_id, n.community_id, n.nominee_name, n.nominee_org, n.by_unit_id, n.by_street_id,
        coalesce(bu.name, bs.name, '') as by_name, n.deed, n.status, n.review_reason, n.reviewed_at, n.created_by,
        n.created_at, n.updated_at
     from nominations n join commendation_categories k on k.id = n.category_id
     left join units bu on bu.id = n.by_unit_id left join streets bs on bs.id = n.by_street_id";

/// Which nominations a list holds.
#[derive(Clone, Copy, Debug)]
pub enum NominationScope {
    All,
    ByUnit(i64),
    ByStreet(i64),
    Volunteer(i64),
    Nothing,
}

pub async fn nominations(
    db: &Db,
    campaign_id: Option<i64>,
    scope: NominationScope,
) -> Result<Vec<Nomination>, sqlx::Error> {
    let (cond, id) = match scope {
        NominationScope::All => ("1 = 1", 0),
        NominationScope::ByUnit(u) => ("n.by_unit_id = $2", u),
        NominationScope::ByStreet(s) => ("n.by_street_id = $2", s),
        NominationScope::Volunteer(v) => ("n.volunteer_id = $2", v),
        NominationScope::Nothing => return Ok(vec![]),
    };
    let sql = format!(
        "{NOMINATION_SELECT} where ($1 = 0 or n.campaign_id = $1) and {cond} and ($2 = $2)
         order by n.category_id, n.status, n.id"
    );
    on_db!(db, pool => sqlx::query_as(&sql).bind(campaign_id.unwrap_or(0)).bind(id).fetch_all(pool).await)
}

pub async fn get_nomination(db: &Db, id: i64) -> Result<Option<Nomination>, sqlx::Error> {
    let sql = format!("{NOMINATION_SELECT} where n.id = $1");
    on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)
}

impl audit::Audited for Nomination {
    const KIND: &'static str = "nomination";
    fn label(&self) -> String {
        format!("{} · {}", self.category_name, self.nominee_name)
    }
    async fn load(tx: &mut Tx, id: i64) -> Result<Option<Nomination>, sqlx::Error> {
        let sql = format!("{NOMINATION_SELECT} where n.id = $1");
        on_tx!(tx, c => sqlx::query_as(&sql).bind(id).fetch_optional(&mut *c).await)
    }
}

/// A checked nomination to record.
#[derive(Clone, Debug)]
pub struct NewNomination {
    pub campaign_id: i64,
    pub category_id: i64,
    pub kind: NomineeKind,
    pub nominee_id: i64,
    pub nominee_name: String,
    pub nominee_org: String,
    pub by_unit_id: Option<i64>,
    pub by_street_id: Option<i64>,
    pub deed: String,
}

fn nominee_column(kind: NomineeKind) -> &'static str {
    match kind {
        NomineeKind::Team => "team_id",
        NomineeKind::Volunteer => "volunteer_id",
        NomineeKind::Unit => "unit_id",
        NomineeKind::Community => "community_id",
    }
}

pub async fn insert_nomination(tx: &mut Tx, actor: &Actor, n: &NewNomination) -> Result<Nomination, sqlx::Error> {
    let t = now();
    let sql = format!(
        "insert into nominations (campaign_id, category_id, kind, {}, nominee_name, nominee_org, by_unit_id,
            by_street_id, deed, status, created_by, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) returning id",
        nominee_column(n.kind)
    );
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(&sql)
        .bind(n.campaign_id).bind(n.category_id).bind(n.kind).bind(n.nominee_id).bind(&n.nominee_name)
        .bind(&n.nominee_org).bind(n.by_unit_id).bind(n.by_street_id).bind(&n.deed).bind(NominationStatus::Submitted)
        .bind(&actor.username).bind(t).fetch_one(&mut *c).await?);
    audit::created(tx, actor, id).await
}

/// Nominations of a category that count against its quotas: all of them, or one nominator's.
pub async fn counting(
    tx: &mut Tx,
    category_id: i64,
    by: Option<(Option<i64>, Option<i64>)>,
) -> Result<i64, sqlx::Error> {
    let (all, u, s) = match by {
        None => (1, 0, 0),
        Some((u, s)) => (0, u.unwrap_or(0), s.unwrap_or(0)),
    };
    on_tx!(tx, c => sqlx::query_scalar(
        "select count(*) from nominations where category_id = $1 and status not in ('rejected', 'withdrawn')
            and ($2 = 1 or (coalesce(by_unit_id, 0) = $3 and coalesce(by_street_id, 0) = $4))")
        .bind(category_id).bind(all).bind(u).bind(s).fetch_one(&mut *c).await)
}

/// Approved (or commended) nominations of a category: what the overall quota limits.
pub async fn approved_count(tx: &mut Tx, category_id: i64) -> Result<i64, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(
        "select count(*) from nominations where category_id = $1 and status in ('approved', 'commended')")
        .bind(category_id).fetch_one(&mut *c).await)
}

/// Holds the category until the transaction ends, so that the quota and "already nominated" checks
/// and the write after them are not raced by another submit (a row lock on PostgreSQL; SQLite has
/// one writer).
pub async fn lock_category(tx: &mut Tx, category_id: i64) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("update commendation_categories set quota = quota where id = $1")
        .bind(category_id).execute(&mut *c).await.map(|_| ()))
}

/// Whether the nominee is already nominated in the category (and not refused or taken off).
pub async fn already_nominated(
    tx: &mut Tx,
    category_id: i64,
    kind: NomineeKind,
    nominee_id: i64,
) -> Result<bool, sqlx::Error> {
    let sql = format!(
        "select count(*) from nominations where category_id = $1 and {} = $2 and status not in ('rejected', 'withdrawn')",
        nominee_column(kind)
    );
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar(&sql).bind(category_id).bind(nominee_id).fetch_one(&mut *c).await?);
    Ok(n > 0)
}

pub async fn set_deed(tx: &mut Tx, actor: &Actor, before: &Nomination, deed: &str) -> Result<Nomination, sqlx::Error> {
    on_tx!(tx, c => sqlx::query("update nominations set deed = $1, updated_at = $2 where id = $3")
        .bind(deed).bind(now()).bind(before.id).execute(&mut *c).await.map(|_| ()))?;
    audit::updated(tx, actor, before.id, before).await
}

/// Moves a nomination to `status` (with the district's reason), audited.
pub async fn set_status(
    tx: &mut Tx,
    actor: &Actor,
    before: &Nomination,
    status: NominationStatus,
    reason: &str,
) -> Result<Nomination, sqlx::Error> {
    let t = now();
    on_tx!(tx, c => sqlx::query(
        "update nominations set status = $1, review_reason = $2, reviewed_at = $3, updated_at = $3 where id = $4")
        .bind(status).bind(reason).bind(t).bind(before.id).execute(&mut *c).await.map(|_| ()))?;
    audit::updated(tx, actor, before.id, before).await
}

pub async fn delete_nomination(tx: &mut Tx, actor: &Actor, before: &Nomination) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("delete from nominations where id = $1").bind(before.id).execute(&mut *c).await.map(|_| ()))?;
    audit::deleted(tx, actor, before.id, before).await
}

// ---------------------------------------------------------------- notice and objections

/// The public notice (公示) of a campaign's approved nominations.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct Notice {
    pub id: i64,
    pub campaign_id: i64,
    /// `YYYY-MM-DD`, China time.
    pub published_on: String,
    /// The last day of the period.
    pub ends_on: String,
    pub working_days: i64,
    pub finalised_at: Option<i64>,
    pub created_at: i64,
}

/// The newest notices, newest published first (the public page picks the one in its period).
pub async fn latest_notices(db: &Db, limit: i64) -> Result<Vec<Notice>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select * from commendation_notices order by published_on desc, id desc limit $1")
        .bind(limit).fetch_all(pool).await)
}

/// The campaign just before the year `year` if its commendation is under way: something nominated
/// and no honour roll finalised yet.
pub async fn previous_under_way(db: &Db, year: i64) -> Result<Option<Campaign>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select c.* from campaigns c
         where c.year = (select max(year) from campaigns where year < $1)
           and exists (select 1 from nominations n where n.campaign_id = c.id)
           and not exists (select 1 from commendation_notices x
                           where x.campaign_id = c.id and x.finalised_at is not null)")
        .bind(year).fetch_optional(pool).await)
}

pub async fn notice_of(db: &Db, campaign_id: i64) -> Result<Option<Notice>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as("select * from commendation_notices where campaign_id = $1")
        .bind(campaign_id).fetch_optional(pool).await)
}

pub async fn insert_notice(
    tx: &mut Tx,
    actor: &Actor,
    campaign_id: i64,
    published_on: &str,
    ends_on: &str,
    working_days: i64,
    listed: usize,
) -> Result<i64, sqlx::Error> {
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "insert into commendation_notices (campaign_id, published_on, ends_on, working_days, created_at)
         values ($1, $2, $3, $4, $5) returning id")
        .bind(campaign_id).bind(published_on).bind(ends_on).bind(working_days).bind(now()).fetch_one(&mut *c).await?);
    audit::record_raw(
        tx,
        actor,
        Op::Create,
        Subject::new("commendation_notice", Some(id), published_on),
        &serde_json::json!({"published_on": published_on, "ends_on": ends_on, "working_days": working_days, "listed": listed}),
    )
    .await?;
    Ok(id)
}

/// Holds the notice until the transaction ends if it is not finalised yet (false: it is).
pub async fn hold_unfinalised(tx: &mut Tx, notice_id: i64) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query(
        "update commendation_notices set working_days = working_days where id = $1 and finalised_at is null")
        .bind(notice_id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn set_finalised(tx: &mut Tx, actor: &Actor, notice: &Notice, commended: usize) -> Result<(), sqlx::Error> {
    let t = now();
    on_tx!(tx, c => sqlx::query("update commendation_notices set finalised_at = $1 where id = $2")
        .bind(t).bind(notice.id).execute(&mut *c).await.map(|_| ()))?;
    audit::record_raw(
        tx,
        actor,
        Op::Update,
        Subject::new("commendation_notice", Some(notice.id), &notice.published_on),
        &serde_json::json!({"finalised_at": {"before": null, "after": t}, "commended": commended}),
    )
    .await
}

/// An objection raised against a nomination on the notice.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct Objection {
    pub id: i64,
    pub notice_id: i64,
    pub nomination_id: i64,
    pub nominee_name: String,
    pub category_name: String,
    pub name: String,
    /// The objector's phone or e-mail: in full for the district only.
    pub contact: String,
    pub body: String,
    pub status: ObjectionStatus,
    pub answer: String,
    pub answered_by: String,
    pub answered_at: Option<i64>,
    pub created_at: i64,
    #[serde(skip)]
    pub by_unit_id: Option<i64>,
    #[serde(skip)]
    pub by_street_id: Option<i64>,
}

const OBJECTION_SELECT: &str = "select o.id, o.notice_id, o.nomination_id, n.nominee_name, k.name as category_name, o.name,
        o.contact, o.body, o.status, o.answer, o.answered_by, o.answered_at, o.created_at, n.by_unit_id, n.by_street_id
     from objections o join nominations n on n.id = o.nomination_id join commendation_categories k on k.id = n.category_id";

impl audit::Audited for Objection {
    const KIND: &'static str = "objection";
    fn label(&self) -> String {
        self.nominee_name.clone()
    }
    async fn load(tx: &mut Tx, id: i64) -> Result<Option<Objection>, sqlx::Error> {
        let sql = format!("{OBJECTION_SELECT} where o.id = $1");
        on_tx!(tx, c => sqlx::query_as(&sql).bind(id).fetch_optional(&mut *c).await)
    }
}

pub async fn objections(db: &Db, notice_id: i64) -> Result<Vec<Objection>, sqlx::Error> {
    let sql = format!("{OBJECTION_SELECT} where o.notice_id = $1 order by o.id");
    on_db!(db, pool => sqlx::query_as(&sql).bind(notice_id).fetch_all(pool).await)
}

pub async fn get_objection(tx: &mut Tx, id: i64) -> Result<Option<Objection>, sqlx::Error> {
    <Objection as audit::Audited>::load(tx, id).await
}

/// Records an objection from the public form (audited; the trail keeps the contact masked).
pub async fn insert_objection(
    tx: &mut Tx,
    actor: &Actor,
    notice_id: i64,
    nomination_id: i64,
    name: &str,
    contact: &str,
    body: &str,
) -> Result<i64, sqlx::Error> {
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "insert into objections (notice_id, nomination_id, name, contact, body, ip, status, created_at)
         values ($1, $2, $3, $4, $5, $6, 'open', $7) returning id")
        .bind(notice_id).bind(nomination_id).bind(name).bind(contact).bind(body).bind(&actor.ip).bind(now())
        .fetch_one(&mut *c).await?);
    audit::record_raw(
        tx,
        actor,
        Op::Create,
        Subject::new("objection", Some(id), name),
        &serde_json::json!({"nomination_id": nomination_id, "name": name,
            "contact": crate::domain::notification::mask_address(contact), "body": body}),
    )
    .await?;
    Ok(id)
}

pub async fn answer_objection(
    tx: &mut Tx,
    actor: &Actor,
    before: &Objection,
    status: ObjectionStatus,
    answer: &str,
) -> Result<Objection, sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "update objections set status = $1, answer = $2, answered_by = $3, answered_at = $4 where id = $5")
        .bind(status).bind(answer).bind(&actor.username).bind(now()).bind(before.id).execute(&mut *c).await.map(|_| ()))?;
    audit::updated(tx, actor, before.id, before).await
}

pub async fn open_objections(tx: &mut Tx, notice_id: i64) -> Result<i64, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar("select count(*) from objections where notice_id = $1 and status = 'open'")
        .bind(notice_id).fetch_one(&mut *c).await)
}

pub async fn open_objections_now(db: &Db, notice_id: i64) -> Result<i64, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar("select count(*) from objections where notice_id = $1 and status = 'open'")
        .bind(notice_id).fetch_one(pool).await)
}

/// The approved nominations of a campaign (what finalising commends).
pub async fn approved_of(tx: &mut Tx, campaign_id: i64) -> Result<Vec<i64>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar("select id from nominations where campaign_id = $1 and status = 'approved' order by id")
        .bind(campaign_id).fetch_all(&mut *c).await)
}

// ---------------------------------------------------------------- honour certificates

/// An honour certificate (荣誉证书) of a commended nomination.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct HonourCertificate {
    pub id: i64,
    pub number: String,
    pub nomination_id: i64,
    pub issued_at: i64,
    #[serde(skip)]
    pub statement: String,
    #[serde(skip)]
    pub signature: String,
    pub created_by: String,
    /// When the honoree's record was erased (the statement then has no name).
    #[serde(skip)]
    pub withdrawn_at: Option<i64>,
    /// The redacted statement's signature; the check code on the paper stays `signature`'s.
    #[serde(skip)]
    pub withdrawn_signature: Option<String>,
}

pub async fn insert_honour_certificate(
    tx: &mut Tx,
    actor: &Actor,
    number: &str,
    nomination_id: i64,
    statement: &serde_json::Value,
    signature: &str,
) -> Result<(), sqlx::Error> {
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "insert into honour_certificates (number, nomination_id, issued_at, statement, signature, created_by)
         values ($1, $2, $3, $4, $5, $6) returning id")
        .bind(number).bind(nomination_id).bind(now()).bind(statement.to_string()).bind(signature).bind(&actor.username)
        .fetch_one(&mut *c).await?);
    audit::record_raw(
        tx,
        actor,
        Op::IssueCertificate,
        Subject::new("honour_certificate", Some(id), number),
        statement,
    )
    .await
}

pub async fn honour_by_number(db: &Db, number: &str) -> Result<Option<HonourCertificate>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as("select * from honour_certificates where number = $1")
        .bind(number).fetch_optional(pool).await)
}

pub async fn honour_of(db: &Db, nomination_id: i64) -> Result<Option<HonourCertificate>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as("select * from honour_certificates where nomination_id = $1")
        .bind(nomination_id).fetch_optional(pool).await)
}

/// One line of an honour roll: the public fields only.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
pub struct RollLine {
    pub nomination_id: i64,
    pub category_name: String,
    pub kind: NomineeKind,
    pub nominee_name: String,
    pub nominee_org: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
}

/// The nominations of a campaign in `status`, as a public list shows them.
pub async fn roll(db: &Db, campaign_id: i64, status: NominationStatus) -> Result<Vec<RollLine>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select n.id as nomination_id, k.name as category_name, n.kind, n.nominee_name, n.nominee_org, h.number as certificate
         from nominations n join commendation_categories k on k.id = n.category_id
         left join honour_certificates h on h.nomination_id = n.id
         where n.campaign_id = $1 and n.status = $2 order by k.id, n.nominee_org, n.nominee_name")
        .bind(campaign_id).bind(status).fetch_all(pool).await)
}

/// The years with a finalised honour roll, latest first.
pub async fn honour_years(db: &Db) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select c.year, count(*) from nominations n join campaigns c on c.id = n.campaign_id
         where n.status = 'commended' group by c.year order by c.year desc")
        .fetch_all(pool).await)
}

// ---------------------------------------------------------------- facts from the records

/// A team's year in the records.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct TeamFacts {
    pub id: i64,
    pub name: String,
    pub unit_id: Option<i64>,
    pub community_id: Option<i64>,
    pub street_id: Option<i64>,
    pub org_name: String,
    pub activities_held: i64,
    pub minutes: i64,
    pub served: i64,
}

pub async fn team_facts(db: &Db, campaign_id: i64) -> Result<Vec<TeamFacts>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select t.id, t.name, t.unit_id, t.community_id, c.street_id, coalesce(u.name, c.name) as org_name,
            (select count(*) from activities a where a.team_id = t.id and a.campaign_id = $1
                and (a.status = 'completed' or a.hours_confirmed_at is not null)) as activities_held,
            (select cast(coalesce(sum(x.minutes), 0) as bigint) from attendance x join activities a on a.id = x.activity_id
                where a.team_id = t.id and a.campaign_id = $1 and x.confirmed_at is not null) as minutes,
            (select count(distinct x.volunteer_id) from attendance x join activities a on a.id = x.activity_id
                where a.team_id = t.id and a.campaign_id = $1 and x.confirmed_at is not null) as served
         from teams t left join units u on u.id = t.unit_id left join communities c on c.id = t.community_id
         where t.campaign_id = $1 order by t.id")
        .bind(campaign_id).fetch_all(pool).await)
}

/// A volunteer who served in the campaign year: confirmed minutes then, and in all up to the end
/// of that year (a past year's star level is the one the volunteer had then, not today's).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct VolunteerFacts {
    pub id: i64,
    pub name: String,
    pub volunteer_no: String,
    pub minutes: i64,
    pub total_minutes: i64,
}

pub async fn volunteer_facts(db: &Db, campaign_id: i64) -> Result<Vec<VolunteerFacts>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select v.id, v.name, v.volunteer_no,
            cast(coalesce(sum(case when a.campaign_id = $1 then x.minutes else 0 end), 0) as bigint) as minutes,
            cast(coalesce(sum(case when ac.year <= cur.year then x.minutes else 0 end), 0) as bigint) as total_minutes
         from volunteers v join attendance x on x.volunteer_id = v.id join activities a on a.id = x.activity_id
         join campaigns ac on ac.id = a.campaign_id join campaigns cur on cur.id = $1
         where x.confirmed_at is not null group by v.id, v.name, v.volunteer_no order by v.id")
        .bind(campaign_id).fetch_all(pool).await)
}

/// Each volunteer's teams in the campaign: (volunteer, team).
pub async fn memberships(db: &Db, campaign_id: i64) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select m.volunteer_id, m.team_id from team_members m join teams t on t.id = m.team_id
         where t.campaign_id = $1 order by m.volunteer_id, m.team_id")
        .bind(campaign_id).fetch_all(pool).await)
}

/// Sign-ups of the campaign whose hours are confirmed, latest first per volunteer:
/// (volunteer, whether it was a no-show).
pub async fn signup_outcomes(db: &Db, campaign_id: i64) -> Result<Vec<(i64, bool)>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select s.volunteer_id, s.status = 'no_show' from signups s join activities a on a.id = s.activity_id
         where a.campaign_id = $1 and a.hours_confirmed_at is not null and s.status in ('confirmed', 'no_show')
         order by s.volunteer_id, a.starts_at desc")
        .bind(campaign_id).fetch_all(pool).await)
}

/// (id, name) of every unit; (id, name, street id, street name) of every community.
pub async fn units_named(db: &Db) -> Result<Vec<(i64, String)>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as("select id, name from units order by name").fetch_all(pool).await)
}

pub async fn communities_named(db: &Db) -> Result<Vec<(i64, String, i64, String)>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select c.id, c.name, c.street_id, s.name from communities c join streets s on s.id = c.street_id order by s.name, c.name")
        .fetch_all(pool).await)
}

/// The campaign of a year.
pub async fn campaign_of_year(db: &Db, year: i64) -> Result<Option<i64>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar("select id from campaigns where year = $1").bind(year).fetch_optional(pool).await)
}
