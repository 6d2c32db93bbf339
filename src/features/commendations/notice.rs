//! The public notice (公示) of the approved list, the objections anyone may raise against it and
//! their answers, finalising, the honour roll, and honour certificates (荣誉证书) signed and
//! numbered like service certificates and verified on the same public page.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::service::{get, is_district, nomination_object, year};
use crate::auth::policy::{self, Action, Object};
use crate::auth::Acting;
use crate::db::campaigns::{get_campaign, Campaign};
use crate::db::commendations::{self as store, HonourCertificate, Nomination, Notice, Objection, RollLine};
use crate::db::{settings, Db};
use crate::domain::commendation::{
    notice_ends, NominationEvent, NominationStatus, NomineeKind, ObjectionStatus, NOTICE_WORKING_DAYS,
};
use crate::domain::service::{constant_eq, sign};
use crate::error::{AppError, AppResult, FieldError};
use crate::features::certificates::Verification;
use crate::features::{ensure, required_name, required_text, validated};

/// The notice as the district and the public see it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct NoticeView {
    pub year: i64,
    pub notice: Option<Notice>,
    /// The period is running (today is on or before its last day).
    pub running: bool,
    pub finalised: bool,
    /// Name, unit and category only.
    pub lines: Vec<RollLine>,
    pub open_objections: i64,
}

fn today() -> NaiveDate {
    NaiveDate::parse_from_str(&crate::domain::campaign::today(), "%Y-%m-%d").unwrap_or_default()
}

fn running(n: &Notice) -> bool {
    n.finalised_at.is_none() && crate::domain::campaign::today() <= n.ends_on
}

/// The notice anyone may read (nothing personal on it): the one in its period, of whichever
/// year (a year is commended in March of the next); else the newest published; else none yet.
pub async fn public_notice(db: &Db) -> AppResult<NoticeView> {
    let notices = store::latest_notices(db, 10).await?;
    let shown = notices.iter().find(|n| running(n)).or(notices.first()).cloned();
    let campaign = match &shown {
        Some(n) => get_campaign(db, n.campaign_id).await?.ok_or(AppError::NotFound)?,
        None => year(db, None).await?,
    };
    view_of(db, &campaign, shown).await
}

/// A campaign's notice with the list on it while it is not finalised.
async fn view_of(db: &Db, campaign: &Campaign, notice: Option<Notice>) -> AppResult<NoticeView> {
    let (lines, open) = match &notice {
        Some(n) if n.finalised_at.is_none() => {
            let open = store::open_objections_now(db, n.id).await?;
            (store::roll(db, campaign.id, NominationStatus::Approved).await?, open)
        }
        _ => (vec![], 0),
    };
    Ok(NoticeView {
        year: campaign.year,
        running: notice.as_ref().is_some_and(running),
        finalised: notice.as_ref().is_some_and(|n| n.finalised_at.is_some()),
        notice,
        lines,
        open_objections: open,
    })
}

/// How long the notice runs.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct PublishInput {
    /// Working days (default 5).
    pub working_days: Option<i64>,
}

/// The district publishes the approved list for the period; nominations still waiting for review
/// must be decided first.
pub async fn publish(db: &Db, by: &Acting, campaign_id: Option<i64>, input: &PublishInput) -> AppResult<NoticeView> {
    let campaign = year(db, campaign_id).await?;
    publish_campaign(db, by, campaign.id, input, today()).await?;
    view_of(db, &campaign, store::notice_of(db, campaign.id).await?).await
}

/// [`publish`] for a campaign from the day `from` (the demo's past year ran its notice in March).
pub async fn publish_campaign(
    db: &Db,
    by: &Acting,
    campaign_id: i64,
    input: &PublishInput,
    from: NaiveDate,
) -> AppResult<()> {
    ensure(by.user()?, Action::Update, &Object::Commendation)?;
    let days = input.working_days.unwrap_or(NOTICE_WORKING_DAYS);
    if !(1..=30).contains(&days) {
        return Err(AppError::Validation(vec![FieldError::new(
            "working_days",
            "err.commend_range",
        )
        .with("min", 1)
        .with("max", 30)]));
    }
    if store::notice_of(db, campaign_id).await?.is_some() {
        return Err(AppError::field("notice", "err.commend_notice_published"));
    }
    // Nominations still under review stay so: they may be rejected later, not approved onto this list.
    let all = store::nominations(db, Some(campaign_id), store::NominationScope::All).await?;
    let approved = all.iter().filter(|n| n.status == NominationStatus::Approved).count();
    if approved == 0 {
        return Err(AppError::field("notice", "err.commend_nothing_approved"));
    }
    let ends = notice_ends(from, days);
    let mut tx = db.begin().await?;
    store::insert_notice(
        &mut tx,
        &by.actor(),
        campaign_id,
        &from.format("%Y-%m-%d").to_string(),
        &ends.format("%Y-%m-%d").to_string(),
        days,
        approved,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// An objection from the public form.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct ObjectionInput {
    /// The nomination on the notice it concerns.
    #[serde(default, deserialize_with = "crate::web::form::lenient_i64")]
    pub nomination_id: Option<i64>,
    pub name: Option<String>,
    /// A phone number or e-mail address (seen only by the district office).
    pub contact: Option<String>,
    pub text: Option<String>,
}

/// Anyone raises an objection against a nomination on a notice in its period (rate-limited by
/// address; audited).
pub async fn object(db: &Db, by: &Acting, input: &ObjectionInput) -> AppResult<i64> {
    let notices: Vec<Notice> = store::latest_notices(db, 10)
        .await?
        .into_iter()
        .filter(running)
        .collect();
    if notices.is_empty() {
        return Err(AppError::field("notice", "err.commend_no_notice"));
    }
    let mut errors = vec![];
    let name = required_name("name", input.name.as_deref(), &mut errors);
    // Kept as the district would dial or write it: the phone or address in its one form.
    let typed = required_text("contact", input.contact.as_deref(), 100, &mut errors);
    let contact = match crate::domain::phone::Phone::parse(&typed) {
        Some(phone) => phone.as_str().to_string(),
        None => crate::domain::login::email(&typed).unwrap_or_default(),
    };
    if !typed.is_empty() && contact.is_empty() {
        errors.push(FieldError::new("contact", "err.commend_contact"));
    }
    let text = required_text("text", input.text.as_deref(), 2000, &mut errors);
    let on_notice = match input.nomination_id {
        Some(id) => store::get_nomination(db, id)
            .await?
            .filter(|n| n.status == NominationStatus::Approved)
            .and_then(|n| Some((notices.iter().find(|x| x.campaign_id == n.campaign_id)?.id, n))),
        None => None,
    };
    if on_notice.is_none() {
        errors.push(FieldError::new("nomination_id", "err.commend_not_on_notice"));
    }
    validated(errors)?;
    let (notice_id, n) = on_notice.expect("checked");
    let mut tx = db.begin().await?;
    let id = store::insert_objection(&mut tx, &by.actor(), notice_id, n.id, &name, &contact, &text).await?;
    tx.commit().await?;
    Ok(id)
}

/// The objections to a year's notice the caller may read: the district all, in full; a unit or
/// street those against its own nominations, the objector's name and contact masked.
pub async fn objections(db: &Db, by: &Acting, campaign_id: Option<i64>) -> AppResult<Vec<Objection>> {
    let p = by.user()?;
    ensure(p, Action::View, &Object::Commendation)?;
    let campaign = year(db, campaign_id).await?;
    let Some(notice) = store::notice_of(db, campaign.id).await? else {
        return Ok(vec![]);
    };
    let district = is_district(p);
    Ok(store::objections(db, notice.id)
        .await?
        .into_iter()
        .filter(|o| {
            policy::allows(
                p,
                Action::View,
                &Object::Nomination {
                    by_unit_id: o.by_unit_id,
                    by_street_id: o.by_street_id,
                },
            )
        })
        .map(|mut o| {
            // The nominating unit or street sees what was objected, not who objected in full:
            // neither the contact nor the name (no retaliation).
            if !district {
                o.contact = crate::domain::notification::mask_address(&o.contact);
                o.name = crate::features::certificates::mask_name(&o.name);
            }
            o
        })
        .collect())
}

/// The district's answer to an objection.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[schema(as = ObjectionAnswer)]
pub struct AnswerInput {
    /// `upheld` (the nomination is withdrawn) or `dismissed`.
    pub outcome: String,
    pub answer: Option<String>,
}

pub async fn answer(db: &Db, by: &Acting, id: i64, input: &AnswerInput) -> AppResult<Objection> {
    ensure(by.user()?, Action::Update, &Object::Commendation)?;
    let mut errors = vec![];
    let text = required_text("answer", input.answer.as_deref(), 2000, &mut errors);
    let outcome = ObjectionStatus::parse_outcome(&input.outcome);
    if outcome.is_none() {
        errors.push(FieldError::new("outcome", "err.commend_outcome"));
    }
    validated(errors)?;
    let outcome = outcome.expect("checked");
    let mut tx = db.begin().await?;
    // An objection of any year's notice: one still open can only be on a notice not finalised.
    let o = store::get_objection(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    if o.status != ObjectionStatus::Open {
        return Err(AppError::field("outcome", "err.commend_answered"));
    }
    let after = store::answer_objection(&mut tx, &by.actor(), &o, outcome, &text).await?;
    if outcome == ObjectionStatus::Upheld {
        let n = <Nomination as crate::db::audit::Audited>::load(&mut tx, o.nomination_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if let Some(next) = n.status.after(NominationEvent::Uphold) {
            store::set_status(&mut tx, &by.actor(), &n, next, &text).await?;
        }
    }
    crate::features::notifications::events::objection_answered(&mut tx, &after).await?;
    tx.commit().await?;
    Ok(after)
}

/// What finalising did.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Finalised {
    pub year: i64,
    pub commended: usize,
    pub certificates: Vec<String>,
}

/// After the period, with no objection open, the district finalises: the approved become the
/// honour roll, each with an honour certificate.
pub async fn finalise(db: &Db, by: &Acting, campaign_id: Option<i64>) -> AppResult<Finalised> {
    ensure(by.user()?, Action::Update, &Object::Commendation)?;
    let campaign = year(db, campaign_id).await?;
    finalise_campaign(db, by, campaign.id, campaign.year).await
}

/// [`finalise`] for a given campaign (the demo finishes a past year with it).
pub async fn finalise_campaign(db: &Db, by: &Acting, campaign_id: i64, year: i64) -> AppResult<Finalised> {
    ensure(by.user()?, Action::Update, &Object::Commendation)?;
    let notice = store::notice_of(db, campaign_id)
        .await?
        .ok_or_else(|| AppError::field("notice", "err.commend_no_notice"))?;
    if notice.finalised_at.is_some() {
        return Err(AppError::field("notice", "err.commend_finalised"));
    }
    if running(&notice) {
        return Err(AppError::Validation(vec![FieldError::new(
            "notice",
            "err.commend_period_runs",
        )
        .with("date", &notice.ends_on)]));
    }
    let key = settings::signing_key(db).await?;
    let district = crate::db::district::district_name(db).await?.unwrap_or_default();
    let pending = store::nominations(db, Some(campaign_id), store::NominationScope::All)
        .await?
        .iter()
        .any(|n| n.status == NominationStatus::Submitted);
    if pending {
        return Err(AppError::field("notice", "err.commend_pending_review"));
    }
    let mut tx = db.begin().await?;
    // A second finalise at the same moment waits here and then finds it done.
    if !store::hold_unfinalised(&mut tx, notice.id).await? {
        return Err(AppError::field("notice", "err.commend_finalised"));
    }
    if store::open_objections(&mut tx, notice.id).await? > 0 {
        return Err(AppError::field("notice", "err.commend_objection_open"));
    }
    let mut numbers = vec![];
    for id in store::approved_of(&mut tx, campaign_id).await? {
        let n = <Nomination as crate::db::audit::Audited>::load(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let Some(next) = n.status.after(NominationEvent::Finalise) else {
            continue;
        };
        let n = store::set_status(&mut tx, &by.actor(), &n, next, "").await?;
        let statement = HonourStatement {
            honoree: n.nominee_name.clone(),
            org: n.nominee_org.clone(),
            kind: n.kind,
            category: n.category_name.clone(),
            year,
            issuer: format!("{district}学雷锋志愿服务进社区活动领导小组办公室"),
            issued_on: crate::domain::campaign::today(),
        };
        let json = serde_json::to_value(&statement).map_err(|e| AppError::Internal(e.into()))?;
        let number = crate::features::certificates::service::certificate_number(
            crate::features::certificates::service::CertificateKind::Honour,
            year,
        );
        let signature = sign(
            &key,
            &crate::features::certificates::service::payload(&number, &json.to_string()),
            64,
        );
        store::insert_honour_certificate(&mut tx, &by.actor(), &number, n.id, &json, &signature).await?;
        crate::features::notifications::events::honour_conferred(&mut tx, &n, year, &number).await?;
        numbers.push(number);
    }
    store::set_finalised(&mut tx, &by.actor(), &notice, numbers.len()).await?;
    tx.commit().await?;
    Ok(Finalised {
        year,
        commended: numbers.len(),
        certificates: numbers,
    })
}

// ---------------------------------------------------------------- honours

/// What an honour certificate states, as issued; signed with the district's key.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct HonourStatement {
    pub honoree: String,
    pub org: String,
    pub kind: NomineeKind,
    pub category: String,
    pub year: i64,
    pub issuer: String,
    pub issued_on: String,
}

pub fn honour_verify_path(c: &HonourCertificate) -> String {
    crate::features::certificates::service::signed_path(&c.number, &c.signature)
}

/// The honour roll of a year (public).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct HonourRoll {
    pub year: i64,
    pub lines: Vec<RollLine>,
}

/// The years with an honour roll, latest first, with how many were commended.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct HonourYear {
    pub year: i64,
    pub commended: i64,
}

pub async fn honour_years(db: &Db) -> AppResult<Vec<HonourYear>> {
    Ok(store::honour_years(db)
        .await?
        .into_iter()
        .map(|(year, commended)| HonourYear { year, commended })
        .collect())
}

pub async fn honour_roll(db: &Db, year: i64) -> AppResult<HonourRoll> {
    let campaign = store::campaign_of_year(db, year).await?.ok_or(AppError::NotFound)?;
    let mut lines = store::roll(db, campaign, NominationStatus::Commended).await?;
    // The roll names organisations and people; the certificate numbers stay with their holders.
    for l in &mut lines {
        l.certificate = None;
    }
    Ok(HonourRoll { year, lines })
}

/// An honour certificate to print: the district, the nominator, or the honoured volunteer.
pub async fn honour_certificate(
    db: &Db,
    by: &Acting,
    number: &str,
) -> AppResult<(HonourCertificate, HonourStatement, Nomination)> {
    let c = store::honour_by_number(db, number.trim())
        .await?
        .ok_or(AppError::NotFound)?;
    let n = store::get_nomination(db, c.nomination_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let p = by.user()?;
    let own = match n.volunteer_id {
        Some(v) => p.volunteer_id == Some(v),
        None => false,
    };
    if !own && !policy::allows(p, Action::View, &nomination_object(&n)) {
        return Err(AppError::NotFound);
    }
    let st: HonourStatement = serde_json::from_str(&c.statement).map_err(|e| AppError::Internal(e.into()))?;
    Ok((c, st, n))
}

/// Checks an honour certificate number (the public `/verify/{number}` page asks this for `LFH…`).
pub async fn verify_honour(db: &Db, number: &str, check: Option<&str>) -> AppResult<Option<Verification>> {
    let Some(c) = store::honour_by_number(db, number).await? else {
        return Ok(None);
    };
    let key = settings::signing_key(db).await?;
    let expected = sign(
        &key,
        &crate::features::certificates::service::payload(&c.number, &c.statement),
        64,
    );
    let link_ok = check.is_none_or(|s| constant_eq(s.trim(), &c.signature[..16]));
    let Ok(st) = serde_json::from_str::<HonourStatement>(&c.statement) else {
        return Ok(None);
    };
    // An erased honoree's statement (the person taken out) carries a signature of its own.
    let signature = c.withdrawn_signature.as_deref().unwrap_or(&c.signature);
    if !constant_eq(&expected, signature) || !link_ok {
        return Ok(None);
    }
    let holder_withdrawn = c.withdrawn_at.is_some();
    // The honoree's full name, as on the public notice and the honour roll: a commendation is
    // public by its nature (never a phone or an ID number) — unless their record was erased.
    Ok(Some(Verification {
        valid: true,
        number: c.number,
        name: (!holder_withdrawn).then(|| st.honoree.clone()),
        volunteer_no: None,
        hours: None,
        activities: None,
        issuer: Some(st.issuer),
        issued_on: Some(st.issued_on),
        holder_withdrawn,
        honour: Some(format!("{} {}", st.year, st.category)),
        honour_org: Some(st.org),
    }))
}

/// Everything the district's page shows of a year's notice.
pub async fn notice_for(db: &Db, by: &Acting, campaign: &Campaign) -> AppResult<NoticeView> {
    ensure(by.user()?, Action::View, &Object::Commendation)?;
    view_of(db, campaign, store::notice_of(db, campaign.id).await?).await
}

/// The honour certificate of a nomination, if it has one.
pub async fn certificate_of(db: &Db, by: &Acting, id: i64) -> AppResult<Option<HonourCertificate>> {
    let n = get(db, by, id).await?;
    Ok(store::honour_of(db, n.id).await?)
}
