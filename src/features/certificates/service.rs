//! Service records, certificates and the rules of service: the rules and policy, shared by the
//! pages, the API, the CLI and the demo.

use std::collections::BTreeMap;

use chrono::Datelike;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::policy::{self, Action, Object};
use crate::auth::Acting;
use crate::db::attendance::ServiceLine;
use crate::db::certificates::Certificate;
use crate::db::Db;
use crate::db::{attendance, certificates, settings, teams, volunteers};
use crate::domain::campaign::date_of;
use crate::domain::service::{constant_eq, hours, sign, Rules};
use crate::error::{AppError, AppResult, FieldError};
use crate::features::ensure;
use crate::features::teams::place;
use crate::features::volunteers::{record_of, Record};
use crate::state::AppState;
use crate::web::form::lenient_i64;

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct YearTotal {
    pub year: String,
    pub minutes: i64,
    pub hours: f64,
    pub activities: i64,
}

/// A volunteer's service record: every confirmed activity, totals, star level, certificates.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ServiceRecord {
    pub volunteer: Record,
    pub lines: Vec<ServiceLine>,
    pub years: Vec<YearTotal>,
    pub total_minutes: i64,
    pub total_hours: f64,
    /// 0–5 by the district's thresholds.
    pub stars: usize,
    /// Hours at which the next star comes.
    pub next_star_hours: Option<i64>,
    pub certificates: Vec<Certificate>,
    /// Nominations for commendation (表彰) and the honours conferred.
    pub honours: Vec<crate::features::commendations::service::OwnNomination>,
}

pub async fn service_record(state: &AppState, by: &Acting, volunteer_id: i64) -> AppResult<ServiceRecord> {
    if let Some(r) = own_service_record(state, by, volunteer_id).await? {
        return Ok(r);
    }
    let volunteer = record_of(&state.db, by, volunteer_id, false).await?;
    let lines = attendance::service_lines(&state.db, volunteer_id).await?;
    let rules = settings::rules(&state.db).await?;
    let certificates = certificates::certificates_of(&state.db, volunteer_id).await?;
    let honours = crate::features::commendations::of_volunteer(&state.db, volunteer_id).await?;
    Ok(summed(volunteer, lines, &rules, certificates, honours))
}

/// One's own record on PostgreSQL, in one statement (`db::certificates::own_record_pg`); None
/// elsewhere, or when the record is not the caller's own.
async fn own_service_record(state: &AppState, by: &Acting, volunteer_id: i64) -> AppResult<Option<ServiceRecord>> {
    if by.principal.as_ref().and_then(|p| p.volunteer_id) != Some(volunteer_id) {
        return Ok(None);
    }
    let Some(j) = certificates::own_record_pg(&state.db, volunteer_id).await? else {
        return Ok(None);
    };
    use certificates::OwnRecordJson as J;
    let v: volunteers::Volunteer = J::part(j.volunteer.as_deref().ok_or(AppError::NotFound)?)?;
    let teams: Vec<crate::features::volunteers::TeamLine> = J::part(&j.teams)?;
    let trainings: Vec<volunteers::TrainingLine> = J::part(&j.trainings)?;
    let Some(volunteer) = crate::features::volunteers::own_record(by, &v, teams, trainings)? else {
        return Ok(None);
    };
    let rules = settings::parse_rules(j.rules.as_deref());
    let lines: Vec<ServiceLine> = J::part(&j.lines)?;
    let honours: Vec<crate::features::commendations::service::OwnNomination> = J::part(&j.honours)?;
    Ok(Some(summed(volunteer, lines, &rules, j.certificates()?, honours)))
}

/// The record with its totals by year and its stars.
fn summed(
    volunteer: Record,
    lines: Vec<ServiceLine>,
    rules: &Rules,
    certificates: Vec<Certificate>,
    honours: Vec<crate::features::commendations::service::OwnNomination>,
) -> ServiceRecord {
    let mut years: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for l in &lines {
        let e = years
            .entry(crate::domain::dates::local(l.starts_at).year().to_string())
            .or_default();
        e.0 += l.minutes;
        e.1 += 1;
    }
    let total: i64 = lines.iter().map(|l| l.minutes).sum();
    ServiceRecord {
        volunteer,
        years: years
            .into_iter()
            .rev()
            .map(|(year, (minutes, activities))| YearTotal {
                year,
                minutes,
                hours: hours(minutes),
                activities,
            })
            .collect(),
        total_minutes: total,
        total_hours: hours(total),
        stars: rules.stars_for(total),
        next_star_hours: rules.next_star(total),
        certificates,
        honours,
        lines,
    }
}

pub async fn own_id(state: &AppState, by: &Acting) -> AppResult<i64> {
    // The session read brought the caller's volunteer record along; without one, the reason.
    if let Some(id) = by.user()?.volunteer_id {
        return Ok(id);
    }
    Ok(crate::features::volunteers::own_volunteer(&state.db, by).await?.id)
}

// ---------------------------------------------------------------- certificates

/// What a certificate states, as issued; signed with the district's key.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Statement {
    pub name: String,
    pub id_type: String,
    /// Masked ID number.
    pub id_number: String,
    pub volunteer_no: String,
    pub minutes: i64,
    pub hours: f64,
    pub activities: i64,
    /// The kinds of service given.
    pub content: String,
    pub from: String,
    pub to: String,
    /// The recording organisation (谁记录谁证明), its responsible person and contact.
    pub issuer: String,
    pub issuer_person: String,
    pub issuer_contact: String,
    pub issued_on: String,
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct IssueInput {
    /// Only the service this team recorded, issued by its unit or community; leave out for the
    /// whole record, issued by the district.
    #[serde(default, deserialize_with = "lenient_i64")]
    pub team_id: Option<i64>,
}

/// The issued certificate and where it is verified.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Issued {
    pub number: String,
    pub statement: Statement,
    /// The public page that verifies it (the QR code's target).
    pub verify_path: String,
}

pub fn verify_path(c: &Certificate) -> String {
    signed_path(&c.number, &c.signature)
}

/// Where the QR code of a certificate (service or honour) leads: the public check with the
/// signature's first 16 characters.
pub fn signed_path(number: &str, signature: &str) -> String {
    format!("/verify/{number}?s={}", &signature[..16])
}

/// What a certificate's signature covers: its number and its statement.
pub fn payload(number: &str, statement: &str) -> String {
    format!("{number}\n{statement}")
}

/// Issues a certificate of a volunteer's confirmed service as it stands: all of it (issued by the
/// district) or what one team recorded (issued by its unit or community). The volunteer asks
/// for their own; otherwise the issuer's staff issue it (谁记录谁证明), if they may see the record.
pub async fn issue(db: &Db, by: &Acting, volunteer_id: i64, input: &IssueInput) -> AppResult<Issued> {
    let p = by.user()?;
    let v = volunteers::get_volunteer(db, volunteer_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut teams = vec![];
    for t in volunteers::volunteer_teams(db, volunteer_id).await? {
        teams.push(place(db, &t).await?);
    }
    let obj = Object::Volunteer {
        user_id: v.user_id,
        teams,
    };
    ensure(p, Action::View, &obj)?;
    let own = v.user_id == Some(p.user_id);
    let may = own
        || match input.team_id {
            None => policy::allows(p, Action::Update, &Object::Campaign),
            Some(tid) => match teams::get_team(db, tid).await? {
                Some(team) => policy::allows(p, Action::Update, &Object::Team(place(db, &team).await?)),
                None => false,
            },
        };
    if !may {
        return Err(AppError::Forbidden);
    }
    let team_id = input.team_id;
    let all_lines = attendance::service_lines(db, volunteer_id).await?;
    let rules = settings::rules(db).await?;
    let district = crate::db::district::district_name(db).await?.unwrap_or_default();
    let (lines, issuer, person, contact): (Vec<&ServiceLine>, String, String, String) = match team_id {
        Some(tid) => {
            let team = teams::get_team(db, tid)
                .await?
                .ok_or_else(|| AppError::field("team_id", "err.not_found"))?;
            (
                all_lines.iter().filter(|l| l.team_id == tid).collect(),
                team.org_name.clone(),
                team.leader_name.clone(),
                team.contact_phone.clone(),
            )
        }
        None => (
            all_lines.iter().collect(),
            format!("{district}学雷锋志愿服务进社区活动领导小组办公室"),
            rules.issuer_person.clone(),
            rules.issuer_contact.clone(),
        ),
    };
    if lines.is_empty() {
        return Err(AppError::field("team_id", "err.no_confirmed_service"));
    }
    let minutes: i64 = lines.iter().map(|l| l.minutes).sum();
    let mut kinds: Vec<&str> = vec![];
    for l in &lines {
        let k = l.category.label();
        if !kinds.contains(&k) {
            kinds.push(k);
        }
    }
    let statement = Statement {
        name: v.name.clone(),
        id_type: if v.id_number.is_some() {
            "居民身份证".into()
        } else {
            String::new()
        },
        id_number: v
            .id_number
            .as_deref()
            .map(crate::features::teams::mask_id)
            .unwrap_or_default(),
        volunteer_no: v.volunteer_no.clone(),
        minutes,
        hours: hours(minutes),
        activities: lines.len() as i64,
        content: kinds.join("、"),
        from: lines.iter().map(|l| date_of(l.starts_at)).min().unwrap_or_default(),
        to: lines.iter().map(|l| date_of(l.starts_at)).max().unwrap_or_default(),
        issuer,
        issuer_person: person,
        issuer_contact: contact,
        issued_on: crate::domain::campaign::today(),
    };
    let json = serde_json::to_value(&statement).map_err(|e| AppError::Internal(e.into()))?;
    let key = settings::signing_key(db).await?;
    let year = chrono::NaiveDate::parse_from_str(&statement.issued_on, "%Y-%m-%d")
        .map(|d| d.year())
        .unwrap_or_default();
    let number = certificate_number(CertificateKind::Service, year as i64);
    let signature = sign(&key, &payload(&number, &json.to_string()), 64);
    let mut tx = db.begin().await?;
    let c = certificates::insert_certificate(&mut tx, &by.actor(), &number, v.id, team_id, &json, &signature).await?;
    crate::features::notifications::events::certificate_issued(&mut tx, v.id, &number, minutes, &verify_path(&c))
        .await?;
    tx.commit().await?;
    Ok(Issued {
        verify_path: verify_path(&c),
        number,
        statement,
    })
}

/// What the public verification page says.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Verification {
    pub valid: bool,
    pub number: String,
    /// Name partly masked.
    pub name: Option<String>,
    pub volunteer_no: Option<String>,
    pub hours: Option<f64>,
    pub activities: Option<i64>,
    pub issuer: Option<String>,
    pub issued_on: Option<String>,
    /// Issued, but the holder's record was since erased on their request: the certificate stands,
    /// without the person (no name, no number).
    pub holder_withdrawn: bool,
    /// An honour certificate (荣誉证书): the year and the title conferred.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub honour: Option<String>,
    /// An honour certificate: the honoured one's unit or community.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub honour_org: Option<String>,
}

/// What a certificate is for; its number says it (`LFC…` for service, `LFH…` for an honour),
/// and `/verify/{number}` checks it accordingly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CertificateKind {
    /// 志愿服务证明.
    Service,
    /// 荣誉证书.
    Honour,
}

impl CertificateKind {
    fn prefix(self) -> &'static str {
        match self {
            CertificateKind::Service => "LFC",
            CertificateKind::Honour => "LFH",
        }
    }

    /// The kind a number was issued as.
    pub fn of_number(number: &str) -> CertificateKind {
        if number.starts_with(CertificateKind::Honour.prefix()) {
            CertificateKind::Honour
        } else {
            CertificateKind::Service
        }
    }
}

/// A new certificate number: the kind's prefix, the year and 12 random characters (THE one
/// place a number is made).
pub fn certificate_number(kind: CertificateKind, year: i64) -> String {
    format!(
        "{}{year:04}{}",
        kind.prefix(),
        crate::auth::new_token()[..12].to_uppercase()
    )
}

/// `张三丰` → `张*丰`, `李四` → `李*`.
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".into(),
        2 => format!("{}*", chars[0]),
        n => format!("{}{}{}", chars[0], "*".repeat(n - 2), chars[n - 1]),
    }
}

/// Checks a certificate: it must exist, its stored statement must carry the district's
/// signature, and the check code of the link (when given) must be that signature's.
pub async fn verify(state: &AppState, number: &str, check: Option<&str>) -> AppResult<Verification> {
    let invalid = Verification {
        valid: false,
        number: number.to_string(),
        name: None,
        volunteer_no: None,
        hours: None,
        activities: None,
        issuer: None,
        issued_on: None,
        holder_withdrawn: false,
        honour: None,
        honour_org: None,
    };
    let number = number.trim().to_uppercase();
    if number.len() > 40 {
        return Ok(invalid);
    }
    // Honour certificates (荣誉证书) are numbered LFH… and checked by the commendation.
    if CertificateKind::of_number(&number) == CertificateKind::Honour {
        return Ok(crate::features::commendations::verify_honour(&state.db, &number, check)
            .await?
            .unwrap_or(invalid));
    }
    let Some(c) = certificates::certificate_by_number(&state.db, &number).await? else {
        return Ok(invalid);
    };
    let key = settings::signing_key(&state.db).await?;
    let expected = sign(&key, &payload(&c.number, &c.statement), 64);
    // The check code on the paper stays the original signature's; a withdrawn holder's statement
    // (the person taken out) carries a signature of its own.
    let link_ok = check.is_none_or(|s| constant_eq(s.trim(), &c.signature[..16]));
    let withdrawn = crate::db::privacy::withdrawn(&state.db, &c.number).await?;
    let signature = withdrawn.as_ref().map_or(c.signature.as_str(), |(_, s)| s.as_str());
    let Ok(st) = serde_json::from_str::<Statement>(&c.statement) else {
        return Ok(invalid);
    };
    if !constant_eq(&expected, signature) || !link_ok {
        return Ok(invalid);
    }
    let holder_withdrawn = withdrawn.is_some();
    Ok(Verification {
        valid: true,
        number: c.number,
        name: (!holder_withdrawn).then(|| mask_name(&st.name)),
        volunteer_no: (!holder_withdrawn).then_some(st.volunteer_no),
        hours: Some(st.hours),
        activities: Some(st.activities),
        issuer: Some(st.issuer),
        issued_on: Some(st.issued_on),
        holder_withdrawn,
        honour: None,
        honour_org: None,
    })
}

// ---------------------------------------------------------------- rules

pub async fn set_rules(state: &AppState, by: &Acting, after: &Rules) -> AppResult<Rules> {
    ensure(by.user()?, Action::Update, &Object::Campaign)?;
    let problems = after.problems();
    if !problems.is_empty() {
        return Err(AppError::Validation(
            problems.into_iter().map(|(f, k)| FieldError::new(f, k)).collect(),
        ));
    }
    let before = settings::rules(&state.db).await?;
    let mut tx = state.db.begin().await?;
    settings::set_rules(&mut tx, &by.actor(), &before, after).await?;
    tx.commit().await?;
    Ok(after.clone())
}
