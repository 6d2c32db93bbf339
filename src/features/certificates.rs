//! The service record (办法 Art 7–8) with totals per year and the star level, the district's
//! rules of service, and the service certificate (志愿服务证明): issued with a unique number,
//! signed, printable on A4 with a QR code, and verifiable by anyone on a public page.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::header::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::ensure;
use super::volunteers::{record_of, Record};
use crate::auth::policy::{self, Action, Object};
use crate::db::campaign as store_campaign;
use crate::db::service::{self as store, Certificate, ServiceLine};
use crate::domain::campaign::{category_label, date_of};
use crate::domain::service::{constant_eq, format_local, hours, sign, Rules};
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;
use crate::web::form::{lenient_i64, Field, FormPage};
use crate::web::{redirect_with_flash, Ctx};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/volunteers/{id}/service", get(service_page))
        .route("/volunteers/{id}/certificates", post(issue_page))
        .route("/me/service", get(my_service_page))
        .route("/certificates/{number}", get(certificate_page))
        .route("/verify/{number}", get(verify_page))
        .route("/service-rules", get(rules_page).post(rules_submit))
        .routes(routes!(api_service))
        .routes(routes!(api_issue))
        .routes(routes!(api_my_service))
        .routes(routes!(api_verify))
        .routes(routes!(api_rules, api_set_rules))
}

// ---------------------------------------------------------------- record

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
}

pub async fn service_record(state: &AppState, ctx: &Ctx, volunteer_id: i64) -> AppResult<ServiceRecord> {
    let volunteer = record_of(state, ctx, volunteer_id, false).await?;
    let lines = store::service_lines(&state.db, volunteer_id).await?;
    let rules = store::rules(&state.db).await?;
    let mut years: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for l in &lines {
        let e = years.entry(date_of(l.starts_at)[..4].to_string()).or_default();
        e.0 += l.minutes;
        e.1 += 1;
    }
    let total: i64 = lines.iter().map(|l| l.minutes).sum();
    Ok(ServiceRecord {
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
        certificates: store::certificates_of(&state.db, volunteer_id).await?,
        lines,
    })
}

async fn own_id(state: &AppState, ctx: &Ctx) -> AppResult<i64> {
    Ok(super::volunteers::own_volunteer(state, ctx).await?.id)
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

fn verify_path(c: &Certificate) -> String {
    format!("/verify/{}?s={}", c.number, &c.signature[..16])
}

fn payload(number: &str, statement: &str) -> String {
    format!("{number}\n{statement}")
}

/// Issues a certificate of the record as it stands (the volunteer, or staff who keep the record).
pub async fn issue(state: &AppState, ctx: &Ctx, volunteer_id: i64, input: &IssueInput) -> AppResult<Issued> {
    let record = record_of(state, ctx, volunteer_id, false).await?;
    let p = ctx.user()?;
    let own = store_campaign::volunteer_by_user(&state.db, p.user_id)
        .await?
        .is_some_and(|v| v.id == record.id);
    // The volunteer asks for their own; otherwise the issuer's staff issue it: a team's unit or
    // community for its part, the district for the whole record (谁记录谁证明).
    let may = own
        || match input.team_id {
            None => policy::allows(p, Action::Update, &Object::Campaign),
            Some(tid) => match store_campaign::get_team(&state.db, tid).await? {
                Some(team) => {
                    let place = super::teams::place(state, &team).await?;
                    policy::allows(p, Action::Update, &Object::Team(place))
                }
                None => false,
            },
        };
    if !may {
        return Err(AppError::Forbidden);
    }
    issue_for(&state.db, &ctx.actor(), volunteer_id, input.team_id).await
}

/// Issues a certificate of a volunteer's confirmed service: all of it (issued by the district)
/// or what one team recorded (issued by its unit or community).
pub async fn issue_for(
    db: &crate::db::Db,
    actor: &crate::db::audit::Actor,
    volunteer_id: i64,
    team_id: Option<i64>,
) -> AppResult<Issued> {
    let all_lines = store::service_lines(db, volunteer_id).await?;
    let v = store_campaign::get_volunteer(db, volunteer_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let rules = store::rules(db).await?;
    let district = crate::db::orgs::district_name(db).await?.unwrap_or_default();
    let (lines, issuer, person, contact): (Vec<&ServiceLine>, String, String, String) = match team_id {
        Some(tid) => {
            let team = store_campaign::get_team(db, tid)
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
        let k = category_label(&l.category);
        if !k.is_empty() && !kinds.contains(&k) {
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
        id_number: v.id_number.as_deref().map(super::teams::mask_id).unwrap_or_default(),
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
    let key = store::signing_key(db).await?;
    let number = format!(
        "LFC{}{}",
        &statement.issued_on[..4],
        crate::auth::new_token()[..12].to_uppercase()
    );
    let signature = sign(&key, &payload(&number, &json.to_string()), 64);
    let mut tx = db.begin().await?;
    let c = store::insert_certificate(&mut tx, actor, &number, v.id, team_id, &json, &signature).await?;
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
    };
    let number = number.trim().to_uppercase();
    if number.len() > 40 {
        return Ok(invalid);
    }
    let Some(c) = store::certificate_by_number(&state.db, &number).await? else {
        return Ok(invalid);
    };
    let key = store::signing_key(&state.db).await?;
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
    })
}

// ---------------------------------------------------------------- rules

pub async fn set_rules(state: &AppState, ctx: &Ctx, after: &Rules) -> AppResult<Rules> {
    ensure(ctx.user()?, Action::Update, &Object::Campaign)?;
    let problems = after.problems();
    if !problems.is_empty() {
        return Err(AppError::Validation(
            problems.into_iter().map(|(f, k)| FieldError::new(f, k)).collect(),
        ));
    }
    let before = store::rules(&state.db).await?;
    let mut tx = state.db.begin().await?;
    store::set_rules(&mut tx, &ctx.actor(), &before, after).await?;
    tx.commit().await?;
    Ok(after.clone())
}

#[derive(Clone, Debug, Default, Deserialize)]
struct RulesForm {
    round_minutes: Option<String>,
    round_mode: Option<String>,
    min_share_pct: Option<String>,
    stars: Option<String>,
    confirm_working_days: Option<String>,
    signin_early_minutes: Option<String>,
    signout_grace_minutes: Option<String>,
    code_rotate_secs: Option<String>,
    issuer_person: Option<String>,
    issuer_contact: Option<String>,
}

impl RulesForm {
    fn of(r: &Rules) -> RulesForm {
        RulesForm {
            round_minutes: Some(r.round_minutes.to_string()),
            round_mode: Some(r.round_mode.clone()),
            min_share_pct: Some(r.min_share_pct.to_string()),
            stars: Some(r.stars.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(",")),
            confirm_working_days: Some(r.confirm_working_days.to_string()),
            signin_early_minutes: Some(r.signin_early_minutes.to_string()),
            signout_grace_minutes: Some(r.signout_grace_minutes.to_string()),
            code_rotate_secs: Some(r.code_rotate_secs.to_string()),
            issuer_person: Some(r.issuer_person.clone()),
            issuer_contact: Some(r.issuer_contact.clone()),
        }
    }

    fn rules(&self) -> Rules {
        let n = |v: &Option<String>| v.as_deref().and_then(|s| s.trim().parse::<i64>().ok()).unwrap_or(-1);
        Rules {
            round_minutes: n(&self.round_minutes),
            round_mode: self.round_mode.clone().unwrap_or_default(),
            min_share_pct: n(&self.min_share_pct),
            stars: self
                .stars
                .as_deref()
                .unwrap_or("")
                .split([',', '，', '/', ' '])
                .filter(|s| !s.trim().is_empty())
                .map(|s| s.trim().parse().unwrap_or(-1))
                .collect(),
            confirm_working_days: n(&self.confirm_working_days),
            signin_early_minutes: n(&self.signin_early_minutes),
            signout_grace_minutes: n(&self.signout_grace_minutes),
            code_rotate_secs: n(&self.code_rotate_secs),
            issuer_person: crate::domain::text::clean_name(self.issuer_person.as_deref().unwrap_or_default()),
            issuer_contact: self.issuer_contact.clone().unwrap_or_default().trim().to_string(),
        }
    }
}

fn rules_form(ctx: &Ctx, f: &RulesForm) -> FormPage {
    let l = ctx.lang;
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    let fields = vec![
        Field::text(l, "round_minutes", "rules.round_minutes", s(&f.round_minutes)).kind("number"),
        Field::select(
            l,
            "round_mode",
            "rules.round_mode",
            s(&f.round_mode),
            ["nearest", "down", "up"]
                .iter()
                .map(|m| crate::web::form::Choice {
                    value: m.to_string(),
                    label: ctx.t(&format!("rules.mode_{m}")),
                })
                .collect(),
        ),
        Field::text(l, "min_share_pct", "rules.min_share_pct", s(&f.min_share_pct)).kind("number"),
        Field::text(l, "stars", "rules.stars", s(&f.stars)).hint(l, "rules.stars_hint"),
        Field::text(
            l,
            "confirm_working_days",
            "rules.confirm_working_days",
            s(&f.confirm_working_days),
        )
        .kind("number"),
        Field::text(
            l,
            "signin_early_minutes",
            "rules.signin_early_minutes",
            s(&f.signin_early_minutes),
        )
        .kind("number"),
        Field::text(
            l,
            "signout_grace_minutes",
            "rules.signout_grace_minutes",
            s(&f.signout_grace_minutes),
        )
        .kind("number"),
        Field::text(l, "code_rotate_secs", "rules.code_rotate_secs", s(&f.code_rotate_secs)).kind("number"),
        Field::text(l, "issuer_person", "rules.issuer_person", s(&f.issuer_person)),
        Field::text(l, "issuer_contact", "rules.issuer_contact", s(&f.issuer_contact)),
    ];
    FormPage::new(l, ctx.t("rules.title"), "/service-rules", "/", fields)
}

async fn rules_page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ensure(ctx.user()?, Action::Update, &Object::Campaign)?;
    let r = store::rules(&state.db).await?;
    Ok(ctx.render_form(&state, &rules_form(&ctx, &RulesForm::of(&r))))
}

async fn rules_submit(State(state): State<AppState>, ctx: Ctx, Form(f): Form<RulesForm>) -> AppResult<Response> {
    let result = set_rules(&state, &ctx, &f.rules()).await;
    crate::web::form::outcome(&state, &ctx, result, "/service-rules", || async {
        Ok(rules_form(&ctx, &f))
    })
    .await
}

// ---------------------------------------------------------------- pages

fn record_context(ctx: &Ctx, r: &ServiceRecord, may_issue: bool) -> minijinja::Value {
    let lines: Vec<_> = r
        .lines
        .iter()
        .map(|l| {
            minijinja::context! { l => l, date => format_local(l.starts_at), hours => hours(l.minutes), category => category_label(&l.category) }
        })
        .collect();
    let mut teams: Vec<(i64, String)> = vec![];
    for l in &r.lines {
        if !teams.iter().any(|(id, _)| *id == l.team_id) {
            teams.push((l.team_id, l.organiser.clone()));
        }
    }
    let certs: Vec<_> = r
        .certificates
        .iter()
        .map(|c| minijinja::context! { c => c, issued => format_local(c.issued_at) })
        .collect();
    minijinja::context! {
        title => format!("{} · {}", ctx.t("service.title"), r.volunteer.name), r => r, lines => lines,
        trainings => r.volunteer.trainings, stars => "★".repeat(r.stars), empty_stars => "☆".repeat(5 - r.stars),
        teams => teams, certs => certs, may_issue => may_issue,
    }
}

async fn service_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let r = service_record(&state, &ctx, id).await?;
    Ok(ctx.render(&state, "certificates/service.html", record_context(&ctx, &r, true)))
}

async fn my_service_page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let id = own_id(&state, &ctx).await?;
    let r = service_record(&state, &ctx, id).await?;
    Ok(ctx.render(&state, "certificates/service.html", record_context(&ctx, &r, true)))
}

async fn issue_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<IssueInput>,
) -> AppResult<Response> {
    match issue(&state, &ctx, id, &input).await {
        Ok(i) => Ok(redirect_with_flash(
            &format!("/certificates/{}", i.number),
            "flash.certificate_issued",
            ctx.secure,
        )),
        Err(AppError::Validation(errs)) => Ok(ctx.refusal_for(
            &state,
            "service.issue_refused",
            &errs,
            &format!("/volunteers/{id}/service"),
        )),
        Err(e) => Err(e),
    }
}

/// The printable A4 certificate (the volunteer, or staff who keep the record).
async fn certificate_page(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(number): Path<String>,
) -> AppResult<Response> {
    let c = store::certificate_by_number(&state.db, &number)
        .await?
        .ok_or(AppError::NotFound)?;
    // Seeing the record is what allows seeing its certificate.
    record_of(&state, &ctx, c.volunteer_id, false).await?;
    let st: Statement = serde_json::from_str(&c.statement).map_err(|e| AppError::Internal(e.into()))?;
    let url = format!("{}{}", crate::web::origin(&headers, &ctx), verify_path(&c));
    let qr = qrcode::QrCode::new(url.as_bytes())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("qr: {e}")))?
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(140, 140)
        .build();
    Ok(ctx.render(
        &state,
        "certificates/certificate.html",
        minijinja::context! { title => ctx.t("certificate.title"), c => c, st => st, qr => qr, url => url },
    ))
}

#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CheckParam {
    /// The check code printed in the certificate's link.
    pub s: Option<String>,
}

async fn verify_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(number): Path<String>,
    Query(q): Query<CheckParam>,
) -> AppResult<Response> {
    let v = verify(&state, &number, q.s.as_deref()).await?;
    let mut r = ctx.render(
        &state,
        "certificates/verify.html",
        minijinja::context! { title => ctx.t("verify.title"), v => v },
    );
    if !v.valid {
        *r.status_mut() = axum::http::StatusCode::NOT_FOUND;
    }
    Ok(r)
}

// ---------------------------------------------------------------- API

/// A volunteer's service record: confirmed activities, totals per year, star level.
#[utoipa::path(get, path = "/api/v1/volunteers/{id}/service", tag = "records", responses((status = 200, body = ServiceRecord)))]
pub async fn api_service(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Json<ServiceRecord>> {
    Ok(Json(service_record(&state, &ctx, id).await?))
}

/// The caller's own service record.
#[utoipa::path(get, path = "/api/v1/me/service", tag = "records", responses((status = 200, body = ServiceRecord)))]
pub async fn api_my_service(State(state): State<AppState>, ctx: Ctx) -> AppResult<Json<ServiceRecord>> {
    let id = own_id(&state, &ctx).await?;
    Ok(Json(service_record(&state, &ctx, id).await?))
}

/// Issues a service certificate of the record as it stands.
#[utoipa::path(post, path = "/api/v1/volunteers/{id}/certificates", tag = "records", request_body = IssueInput,
    responses((status = 201, body = Issued), (status = 422, description = "No confirmed service")))]
pub async fn api_issue(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Option<Json<IssueInput>>,
) -> AppResult<Response> {
    let input = body.map(|b| b.0).unwrap_or_default();
    let issued = issue(&state, &ctx, id, &input).await?;
    Ok((axum::http::StatusCode::CREATED, Json(issued)).into_response())
}

/// Public: whether a certificate is valid and what it states (name partly masked).
#[utoipa::path(get, path = "/api/v1/certificates/{number}/verify", tag = "records", security(()),
    params(("number" = String, Path, description = "The certificate number printed on it"), CheckParam),
    responses((status = 200, body = Verification)))]
pub async fn api_verify(
    State(state): State<AppState>,
    Path(number): Path<String>,
    Query(q): Query<CheckParam>,
) -> AppResult<Json<Verification>> {
    Ok(Json(verify(&state, &number, q.s.as_deref()).await?))
}

/// The district's rules of service: rounding, minimum share, star thresholds, deadlines.
#[utoipa::path(get, path = "/api/v1/service-rules", tag = "records", responses((status = 200, body = Rules)))]
pub async fn api_rules(State(state): State<AppState>, ctx: Ctx) -> AppResult<Json<Rules>> {
    ctx.user()?;
    Ok(Json(store::rules(&state.db).await?))
}

#[utoipa::path(put, path = "/api/v1/service-rules", tag = "records", request_body = Rules, responses((status = 200, body = Rules)))]
pub async fn api_set_rules(State(state): State<AppState>, ctx: Ctx, Json(r): Json<Rules>) -> AppResult<Json<Rules>> {
    Ok(Json(set_rules(&state, &ctx, &r).await?))
}

#[cfg(test)]
mod tests {
    use super::mask_name;

    #[test]
    fn names_keep_their_first_and_last_characters() {
        assert_eq!(mask_name("王小明"), "王*明");
        assert_eq!(mask_name("李四"), "李*");
        assert_eq!(mask_name("欧阳娜娜"), "欧**娜");
        assert_eq!(mask_name("王"), "*");
        assert_eq!(mask_name(""), "");
    }
}
