//! On the day: the QR poster, the phone page behind it (sign in, sign out, or a walk-in who gives
//! name, phone and consent), the API a script uses for the same, the leader's bulk sign-in and
//! sign-out, corrections with a reason, and the confirmation of hours.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::header::{HeaderMap, SET_COOKIE};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Json};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::activities::{load, load_managed};
use crate::db::batch::Scan;
use crate::db::campaign as store_campaign;
use crate::db::service::{self as store, Activity, Attendance, Correction};
use crate::db::{now, Db};
use crate::domain::service::{code_valid, confirm_due, distance_m, format_local, parse_local, signin_code, Rules};
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;
use crate::web::{cookie, form_urlencoded_pairs, redirect_with_flash, set_cookie, Ctx};
use crate::{on_db, on_tx};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/s/{id}", get(scan_page))
        .route("/s/{id}/in", post(scan_in))
        .route("/s/{id}/out", post(scan_out))
        .route("/activities/{id}/poster", get(poster))
        .route("/activities/{id}/attendance", post(bulk_page))
        .route("/activities/{id}/attendance/{volunteer_id}", post(correct_page))
        .route("/activities/{id}/hours", post(confirm_page))
        .routes(routes!(api_sign_in))
        .routes(routes!(api_sign_out))
        .routes(routes!(api_code))
        .routes(routes!(api_bulk))
        .routes(routes!(api_correct))
        .routes(routes!(api_corrections))
        .routes(routes!(api_confirm))
}

const WALKIN_COOKIE: &str = "lf_walkin";

/// The day by which the leader confirms the hours (SPEC §9: 10 working days after the end).
pub fn confirm_due_day(a: &Activity, rules: &Rules) -> String {
    let ended = crate::domain::service::local(a.ends_at).date();
    confirm_due(ended, rules.confirm_working_days)
        .format("%Y-%m-%d")
        .to_string()
}

/// What a phone sends with a sign-in or sign-out: the poster's code and, where the activity
/// has a geofence, its position.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct ScanInput {
    /// The code from the poster (required when the code rotates; checked when given).
    pub code: Option<String>,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
}

/// Why the activity does not take a sign-in (or sign-out) now from here, if it does not.
fn gate(a: &Activity, rules: &Rules, input: &ScanInput, t: i64, signing_out: bool) -> Result<(), FieldError> {
    match a.status.as_str() {
        "cancelled" => return Err(FieldError::new("activity", "err.signin_cancelled")),
        "draft" => return Err(FieldError::new("activity", "err.signin_not_published")),
        "completed" => return Err(FieldError::new("activity", "err.signin_closed")),
        _ => {}
    }
    let opens = a.starts_at - rules.signin_early_minutes * 60;
    if t < opens {
        return Err(FieldError::new("activity", "err.signin_too_early").with("at", format_local(opens)));
    }
    let closes = if signing_out {
        a.ends_at + rules.signout_grace_minutes * 60
    } else {
        a.ends_at
    };
    if t > closes {
        return Err(FieldError::new("activity", "err.signin_closed"));
    }
    match input.code.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        None if a.code_rotates => return Err(FieldError::new("code", "err.code_missing")),
        None => {}
        Some(c) if !code_valid(&a.code_secret, a.code_rotates, rules.code_rotate_secs, t, c) => {
            return Err(FieldError::new("code", "err.code_stale"));
        }
        Some(_) => {}
    }
    if let (Some(radius), Some(lat0), Some(lng0)) = (a.geofence_m, a.lat, a.lng) {
        match (input.lat.filter(|x| x.is_finite()), input.lng.filter(|x| x.is_finite())) {
            (Some(lat), Some(lng)) => {
                let d = distance_m(lat0, lng0, lat, lng);
                if d > radius as f64 {
                    return Err(FieldError::new("position", "err.outside_geofence")
                        .with("m", d.round() as i64)
                        .with("radius", radius));
                }
            }
            _ => return Err(FieldError::new("position", "err.position_needed")),
        }
    }
    Ok(())
}

/// The answer to a sign-in or sign-out.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AttendanceResult {
    pub activity_id: i64,
    pub volunteer_id: i64,
    /// False when this repeated an earlier scan: nothing changed.
    pub changed: bool,
    pub attendance: Attendance,
}

/// Whether someone not on the list may still sign in: open activities take walk-ins, team
/// activities their teams' members.
async fn may_walk_in(db: &Db, a: &Activity, volunteer_id: i64) -> AppResult<bool> {
    if a.open_to == "all" {
        return Ok(true);
    }
    let n: i64 = on_db!(db, pool => sqlx::query_scalar(
        "select count(*) from team_members m join activity_teams at on at.team_id = m.team_id
         where at.activity_id = $1 and m.volunteer_id = $2")
        .bind(a.id).bind(volunteer_id).fetch_one(pool).await?);
    Ok(n > 0)
}

/// Signs the caller in (`signing_out` false) or out, as the volunteer; idempotent. One read
/// gathers what the checks need; the write joins the shared transaction of concurrent scans.
pub async fn scan_self(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    input: &ScanInput,
    method: &str,
    signing_out: bool,
) -> AppResult<AttendanceResult> {
    let p = ctx.user()?;
    let c = store::scan_context(&state.db, id, p.user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let Some(vid) = c.volunteer_id else {
        return Err(AppError::BadRequest("err.no_volunteer_record"));
    };
    let rules = c.rules();
    let a = c.activity;
    let t = now();
    gate(&a, &rules, input, t, signing_out).map_err(|e| AppError::Validation(vec![e]))?;
    // Someone not on the list signs in only with the poster's code (they are there, scanning
    // it) and where the activity takes walk-ins; a script without the code only for the listed.
    let scanned = input.code.as_deref().is_some_and(|c| !c.trim().is_empty());
    if !signing_out && c.signup.as_deref() != Some("confirmed") && !(scanned && may_walk_in(&state.db, &a, vid).await?)
    {
        return Err(AppError::field("activity", "err.signin_not_listed"));
    }
    let scan = if signing_out {
        Scan::Out { rules }
    } else {
        Scan::In {
            method: method.to_string(),
        }
    };
    let written = state
        .scans
        .write(ctx.actor(), a, vid, t, scan)
        .await
        .map_err(AppError::from)?;
    let Some((attendance, changed)) = written else {
        return Err(AppError::field("activity", "err.not_signed_in"));
    };
    Ok(AttendanceResult {
        activity_id: id,
        volunteer_id: vid,
        changed,
        attendance,
    })
}

/// A walk-in on the phone page: name, phone and consent make (or find) their record.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct WalkInInput {
    pub code: Option<String>,
    pub lat: Option<String>,
    pub lng: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub consent: Option<String>,
}

impl WalkInInput {
    fn scan(&self) -> ScanInput {
        ScanInput {
            code: self.code.clone(),
            lat: self.lat.as_deref().and_then(|s| s.trim().parse().ok()),
            lng: self.lng.as_deref().and_then(|s| s.trim().parse().ok()),
        }
    }
}

/// Signs a walk-in in; returns the attendance and the secret their phone keeps to sign out.
async fn walk_in(state: &AppState, ctx: &Ctx, a: &Activity, input: &WalkInInput) -> AppResult<(Attendance, String)> {
    let rules = store::rules(&state.db).await?;
    let t = now();
    if input.code.as_deref().is_none_or(|c| c.trim().is_empty()) {
        return Err(AppError::field("code", "err.code_missing"));
    }
    gate(a, &rules, &input.scan(), t, false).map_err(|e| AppError::Validation(vec![e]))?;
    if a.open_to != "all" {
        return Err(AppError::field("activity", "err.signin_not_listed"));
    }
    let mut errors = vec![];
    let name = super::required_name("name", input.name.as_deref(), &mut errors);
    let phone = match crate::domain::phone::Phone::parse(input.phone.as_deref().unwrap_or("")) {
        Some(p) if p.as_str().len() == 11 && p.as_str().starts_with('1') => p.as_str().to_string(),
        _ => {
            errors.push(FieldError::new("phone", "err.mobile"));
            String::new()
        }
    };
    if !matches!(input.consent.as_deref(), Some("on" | "true" | "1")) {
        errors.push(FieldError::new("consent", "err.consent_required"));
    }
    super::validated(errors)?;
    let token = crate::auth::new_token();
    let actor = crate::db::audit::Actor {
        user_id: None,
        username: format!("(walk-in:{name})"),
        ip: ctx.ip.clone(),
    };
    let mut tx = state.db.begin().await?;
    // A name and a phone prove nothing: a walk-in joins only an earlier walk-in's record (no
    // account, on no roster), never a record that a team keeps or a person holds.
    let existing: Option<i64> = on_tx!(&mut tx, c => sqlx::query_scalar(
        "select id from volunteers v where name = $1 and phone = $2 and user_id is null
           and not exists (select 1 from team_members m where m.volunteer_id = v.id)
         order by id limit 1")
        .bind(&name).bind(&phone).fetch_optional(&mut *c).await?);
    let vid = match existing {
        Some(v) => v,
        None => {
            let f = crate::domain::volunteer::VolunteerFields {
                person: crate::domain::volunteer::Person {
                    name: name.clone(),
                    phone: phone.clone(),
                    ..Default::default()
                },
                ..Default::default()
            };
            store_campaign::insert_volunteer(&mut tx, &actor, &f).await?.id
        }
    };
    let hash = crate::auth::token_hash(&token);
    let (att, changed) = store::sign_in(&mut tx, &actor, a, vid, t, "walk_in", Some(&hash)).await?;
    if !changed {
        // Signed in already (by their own phone or the leader): another phone does not take over.
        return Err(AppError::field("activity", "err.walk_in_already"));
    }
    tx.commit().await?;
    Ok((att, token))
}

/// The walk-in's own attendance, found by the secret their phone kept.
async fn walk_in_attendance(db: &Db, activity_id: i64, token: &str) -> AppResult<Option<i64>> {
    Ok(on_db!(db, pool => sqlx::query_scalar(
        "select volunteer_id from attendance where activity_id = $1 and walkin_token = $2")
        .bind(activity_id).bind(crate::auth::token_hash(token)).fetch_optional(pool).await?))
}

/// Every minute: whoever is still signed in to an activity that has ended is signed out at its
/// end time and flagged for the leader. Each instance runs it; the sign-out only takes a line
/// still open, so two instances never sign one person out twice.
pub async fn sign_out_when_over(db: Db) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        tick.tick().await;
        if let Err(e) = close_ended(&db).await {
            tracing::warn!("automatic sign-out: {e:#}");
        }
    }
}

/// Signs out what is still open on activities that have ended; answers how many lines.
pub async fn close_ended(db: &Db) -> anyhow::Result<u64> {
    // After the sign-out grace: until then a volunteer may still sign out themselves.
    let rules = store::rules(db).await?;
    let ended: Vec<i64> = on_db!(db, pool => sqlx::query_scalar(
        "select distinct t.activity_id from attendance t join activities a on a.id = t.activity_id
         where t.signed_out_at is null and a.ends_at <= $1 and a.status in ('published', 'completed') limit 200")
        .bind(now() - rules.signout_grace_minutes * 60).fetch_all(pool).await?);
    if ended.is_empty() {
        return Ok(0);
    }
    let actor = crate::db::audit::Actor::system("auto-sign-out");
    let mut n = 0;
    for id in ended {
        let mut tx = db.begin().await?;
        if let Some(a) = store::activity_in_tx(&mut tx, id).await? {
            n += store::close_open_attendance(&mut tx, &actor, &a, &rules).await?;
        }
        tx.commit().await?;
    }
    Ok(n)
}

// ---------------------------------------------------------------- leader's tools

/// The leader signs people in or out together (at `at`, default now).
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct BulkInput {
    pub volunteer_ids: Vec<i64>,
    /// `sign_in` or `sign_out`.
    pub action: String,
    /// `YYYY-MM-DD HH:MM`, China time; default now.
    pub at: Option<String>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct BulkResult {
    pub changed: u64,
    pub unchanged: u64,
}

pub async fn bulk(state: &AppState, ctx: &Ctx, id: i64, input: &BulkInput) -> AppResult<BulkResult> {
    let a = load_managed(state, ctx, id).await?;
    if matches!(a.status.as_str(), "draft" | "cancelled") {
        return Err(AppError::field("activity", "err.signin_not_published"));
    }
    if a.hours_confirmed_at.is_some() {
        return Err(AppError::field("activity", "err.hours_already_confirmed"));
    }
    if input.volunteer_ids.is_empty() {
        return Err(AppError::field("volunteer_ids", "err.choose_volunteer"));
    }
    let at = match input.at.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => now(),
        Some(s) => parse_local(s).ok_or_else(|| AppError::field("at", "err.datetime"))?,
    };
    if at < a.starts_at - 86400 || at > a.ends_at + 86400 {
        return Err(AppError::field("at", "err.time_outside_activity"));
    }
    let rules = store::rules(&state.db).await?;
    // Only people on this activity's list (signed up, on the waiting list, or already signed in)
    // or on the roster of an organising team the caller runs: a leader cannot write attendance
    // onto the record of another unit's volunteer.
    let listed: std::collections::HashSet<i64> = store::participants(&state.db, a.id)
        .await?
        .into_iter()
        .filter(|p| {
            p.attendance_id.is_some() || matches!(p.signup.as_deref(), Some("confirmed" | "waiting" | "no_show"))
        })
        .map(|p| p.volunteer_id)
        .collect();
    for v in input.volunteer_ids.iter().filter(|v| !listed.contains(v)) {
        // Recording an activity after the fact: the leader's own people need no sign-up.
        if !super::activities::leads_a_team_of(state, ctx, &a, *v).await? {
            return Err(AppError::field("volunteer_ids", "err.not_on_activity_list"));
        }
    }
    let mut tx = state.db.begin().await?;
    let (mut changed, mut unchanged) = (0, 0);
    for vid in &input.volunteer_ids {
        let did = match input.action.as_str() {
            "sign_in" => {
                store::sign_in(&mut tx, &ctx.actor(), &a, *vid, at, "leader", None)
                    .await?
                    .1
            }
            "sign_out" => {
                // The leader's time replaces one the system filled in at the end.
                store::reopen_automatic_sign_out(&mut tx, a.id, *vid).await?;
                let out = store::sign_out(&mut tx, &ctx.actor(), &a, &rules, *vid, at, false).await?;
                match out {
                    Some((_, c)) => c,
                    None => {
                        // Signing out someone never signed in: they came at the start.
                        store::sign_in(&mut tx, &ctx.actor(), &a, *vid, a.starts_at, "leader", None).await?;
                        store::sign_out(&mut tx, &ctx.actor(), &a, &rules, *vid, at, false)
                            .await?
                            .is_some_and(|(_, c)| c)
                    }
                }
            }
            _ => return Err(AppError::field("action", "err.status_action")),
        };
        if did {
            changed += 1;
        } else {
            unchanged += 1;
        }
    }
    tx.commit().await?;
    Ok(BulkResult { changed, unchanged })
}

/// A correction of one person's times or hours, with the reason.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct CorrectionInput {
    /// `YYYY-MM-DD HH:MM`.
    pub signed_in_at: Option<String>,
    pub signed_out_at: Option<String>,
    /// Hours to record instead of those the times give (up to the activity's span).
    pub hours: Option<String>,
    pub reason: Option<String>,
}

pub async fn correct(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    volunteer_id: i64,
    input: &CorrectionInput,
) -> AppResult<Attendance> {
    let a = load_managed(state, ctx, id).await?;
    let before = store::attendance_of(&state.db, a.id, volunteer_id)
        .await?
        .ok_or_else(|| AppError::field("volunteer_id", "err.not_signed_in"))?;
    let rules = store::rules(&state.db).await?;
    let mut errors = vec![];
    let mut time = |field: &str, v: Option<&str>, default: i64| match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => default,
        Some(s) => parse_local(s).unwrap_or_else(|| {
            errors.push(FieldError::new(field, "err.datetime"));
            default
        }),
    };
    let signed_in = time("signed_in_at", input.signed_in_at.as_deref(), before.signed_in_at);
    let signed_out = time(
        "signed_out_at",
        input.signed_out_at.as_deref(),
        before.signed_out_at.unwrap_or(a.ends_at),
    );
    if signed_out < signed_in {
        errors.push(FieldError::new("signed_out_at", "err.out_before_in"));
    }
    let span_minutes = (a.ends_at - a.starts_at) / 60;
    let minutes = match input.hours.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => rules.minutes(a.starts_at, a.ends_at, signed_in, signed_out),
        Some(h) => match h.parse::<f64>() {
            Ok(h) if h.is_finite() && h >= 0.0 => {
                let m = (h * 60.0).round() as i64;
                if m > span_minutes {
                    errors.push(
                        FieldError::new("hours", "err.hours_exceed_span")
                            .with("hours", crate::domain::service::hours(span_minutes)),
                    );
                }
                m
            }
            _ => {
                errors.push(FieldError::new("hours", "err.hours_number"));
                0
            }
        },
    };
    let reason = super::free_text("reason", input.reason.as_deref(), 200, &mut errors);
    if reason.is_empty() {
        errors.push(FieldError::new("reason", "err.correction_reason"));
    }
    super::validated(errors)?;
    let mut tx = state.db.begin().await?;
    let after = store::correct(
        &mut tx,
        &ctx.actor(),
        &a,
        &before,
        signed_in,
        signed_out,
        minutes,
        &reason,
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ConfirmResult {
    /// Lines confirmed now.
    pub confirmed: u64,
    /// Confirmed sign-ups who never came, now recorded as no-shows.
    pub no_shows: u64,
    /// Still signed in at the end: signed out at the end time and flagged.
    pub auto_signed_out: u64,
    /// Whether the confirmation came after the 10-working-day deadline.
    pub late: bool,
}

/// The leader confirms the hours once the activity is over.
pub async fn confirm(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<ConfirmResult> {
    let a = load_managed(state, ctx, id).await?;
    if !matches!(a.status.as_str(), "published" | "completed") {
        return Err(AppError::field("activity", "err.signin_not_published"));
    }
    if now() < a.ends_at {
        return Err(AppError::field("activity", "err.activity_not_ended"));
    }
    let rules = store::rules(&state.db).await?;
    let mut tx = state.db.begin().await?;
    let auto = store::close_open_attendance(&mut tx, &ctx.actor(), &a, &rules).await?;
    let (confirmed, no_shows) = store::confirm_hours(&mut tx, &ctx.actor(), &a).await?;
    if a.status == "published" {
        store::set_status(&mut tx, &ctx.actor(), &a, "completed", "").await?;
    }
    tx.commit().await?;
    Ok(ConfirmResult {
        confirmed,
        no_shows,
        auto_signed_out: auto,
        late: crate::domain::campaign::today() > confirm_due_day(&a, &rules),
    })
}

// ---------------------------------------------------------------- pages

#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CodeParam {
    /// The poster's code.
    pub c: Option<String>,
}

/// The printable poster: the activity and a QR code of its sign-in page. A rotating code's
/// poster is for a screen: it reloads itself before the code changes.
async fn poster(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let a = load_managed(&state, &ctx, id).await?;
    let rules = store::rules(&state.db).await?;
    let code = signin_code(&a.code_secret, a.code_rotates, rules.code_rotate_secs, now());
    let url = format!("{}/s/{}?c={}", crate::web::origin(&headers, &ctx), a.id, code);
    let qr = qrcode::QrCode::new(url.as_bytes())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("qr: {e}")))?
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(280, 280)
        .quiet_zone(true)
        .build();
    Ok(ctx.render(
        &state,
        "poster.html",
        minijinja::context! {
            title => a.title, a => a, qr => qr, url => url,
            starts => format_local(a.starts_at), ends => format_local(a.ends_at)[11..].to_string(),
            refresh => a.code_rotates.then_some((rules.code_rotate_secs / 2).max(5)),
        },
    ))
}

/// The phone page behind the poster.
async fn scan_page(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<CodeParam>,
) -> AppResult<Response> {
    let a = load(&state, &ctx, id).await?;
    let rules = store::rules(&state.db).await?;
    let t = now();
    let code = q.c.clone().unwrap_or_default();
    let code_problem = gate(
        &a,
        &rules,
        &ScanInput {
            code: Some(code.clone()).filter(|c| !c.is_empty()),
            lat: None,
            lng: None,
        },
        t,
        true,
    )
    .err()
    .filter(|e| e.field != "position")
    // The page is reached by scanning the poster: without its code, say so before any form.
    .or_else(|| {
        code.trim()
            .is_empty()
            .then(|| FieldError::new("code", "err.code_missing"))
    })
    .map(|e| e.message(ctx.lang));
    let mut mine = None;
    let mut has_record = false;
    if let Some(p) = &ctx.principal {
        if let Some(v) = store_campaign::volunteer_by_user(&state.db, p.user_id).await? {
            has_record = true;
            mine = store::attendance_of(&state.db, a.id, v.id).await?;
        }
    } else if let Some(tok) = cookie(&headers, WALKIN_COOKIE) {
        if let Some(vid) = walk_in_attendance(&state.db, a.id, &tok).await? {
            mine = store::attendance_of(&state.db, a.id, vid).await?;
        }
    }
    let mine = mine.map(|m| {
        minijinja::context! {
            m => m, in_at => format_local(m.signed_in_at), out_at => m.signed_out_at.map(format_local),
            hours => m.minutes.map(crate::domain::service::hours),
        }
    });
    Ok(ctx.render(
        &state,
        "scan.html",
        minijinja::context! {
            title => a.title, a => a, code => code, problem => code_problem, mine => mine,
            signed_in => ctx.principal.is_some(), has_record => has_record,
            starts => format_local(a.starts_at), ends => format_local(a.ends_at)[11..].to_string(),
            geofence => a.geofence_m.is_some(), here => format!("/s/{id}?c={}", crate::web::urlencode(&code)),
        },
    ))
}

async fn scan_in(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<WalkInInput>,
) -> AppResult<Response> {
    let back = format!(
        "/s/{id}?c={}",
        crate::web::urlencode(input.code.as_deref().unwrap_or(""))
    );
    if ctx.principal.is_some() {
        return match scan_self(&state, &ctx, id, &input.scan(), "scan", false).await {
            Ok(r) => Ok(redirect_with_flash(
                &back,
                if r.changed {
                    "flash.signed_in"
                } else {
                    "flash.already_signed_in"
                },
                ctx.secure,
            )),
            Err(AppError::Validation(errs)) => Ok(ctx.refusal_for(&state, "scan.refused", &errs, &back)),
            Err(AppError::BadRequest(k)) => Ok(ctx.refusal(&state, "scan.refused", vec![ctx.t(k)], &back)),
            Err(e) => Err(e),
        };
    }
    let a = load(&state, &ctx, id).await?;
    match walk_in(&state, &ctx, &a, &input).await {
        Ok((_, token)) => {
            let mut r = redirect_with_flash(&back, "flash.signed_in", ctx.secure);
            r.headers_mut().append(
                SET_COOKIE,
                set_cookie(WALKIN_COOKIE, &token, Some(2 * 86400), ctx.secure, true),
            );
            Ok(r)
        }
        Err(AppError::Validation(errs)) => Ok(ctx.refusal_for(&state, "scan.refused", &errs, &back)),
        Err(e) => Err(e),
    }
}

async fn scan_out(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(input): Form<WalkInInput>,
) -> AppResult<Response> {
    let back = format!(
        "/s/{id}?c={}",
        crate::web::urlencode(input.code.as_deref().unwrap_or(""))
    );
    let result = if ctx.principal.is_some() {
        scan_self(&state, &ctx, id, &input.scan(), "scan", true)
            .await
            .map(|r| r.changed)
    } else {
        // A walk-in signs out with the secret their phone kept from signing in.
        let a = load(&state, &ctx, id).await?;
        let vid = match cookie(&headers, WALKIN_COOKIE) {
            Some(tok) => walk_in_attendance(&state.db, a.id, &tok).await?,
            None => None,
        };
        match vid {
            None => Err(AppError::field("activity", "err.not_signed_in")),
            Some(vid) => {
                let rules = store::rules(&state.db).await?;
                let t = now();
                match gate(&a, &rules, &input.scan(), t, true) {
                    Err(e) => Err(AppError::Validation(vec![e])),
                    Ok(()) => {
                        let actor = crate::db::audit::Actor {
                            user_id: None,
                            username: "(walk-in)".into(),
                            ip: ctx.ip.clone(),
                        };
                        let mut tx = state.db.begin().await?;
                        let r = store::sign_out(&mut tx, &actor, &a, &rules, vid, t, false).await?;
                        tx.commit().await?;
                        Ok(r.is_some_and(|(_, c)| c))
                    }
                }
            }
        }
    };
    match result {
        Ok(changed) => Ok(redirect_with_flash(
            &back,
            if changed {
                "flash.signed_out"
            } else {
                "flash.already_signed_out"
            },
            ctx.secure,
        )),
        Err(AppError::Validation(errs)) => Ok(ctx.refusal_for(&state, "scan.refused", &errs, &back)),
        Err(AppError::BadRequest(k)) => Ok(ctx.refusal(&state, "scan.refused", vec![ctx.t(k)], &back)),
        Err(e) => Err(e),
    }
}

fn bulk_from_form(body: &[u8]) -> BulkInput {
    let mut input = BulkInput::default();
    for (k, v) in form_urlencoded_pairs(&String::from_utf8_lossy(body)) {
        match k.as_str() {
            "volunteer_ids" => input.volunteer_ids.extend(v.trim().parse::<i64>().ok()),
            "action" => input.action = v,
            "at" => input.at = Some(v),
            _ => {}
        }
    }
    input
}

async fn bulk_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> AppResult<Response> {
    let back = format!("/activities/{id}#attendance");
    match bulk(&state, &ctx, id, &bulk_from_form(&body)).await {
        Ok(_) => Ok(redirect_with_flash(&back, "flash.saved", ctx.secure)),
        Err(AppError::Validation(errs)) => Ok(ctx.refusal_for(&state, "activity.refused", &errs, &back)),
        Err(e) => Err(e),
    }
}

async fn correct_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, vid)): Path<(i64, i64)>,
    Form(input): Form<CorrectionInput>,
) -> AppResult<Response> {
    let back = format!("/activities/{id}#attendance");
    match correct(&state, &ctx, id, vid, &input).await {
        Ok(_) => Ok(redirect_with_flash(&back, "flash.saved", ctx.secure)),
        Err(AppError::Validation(errs)) => Ok(ctx.refusal_for(&state, "activity.refused", &errs, &back)),
        Err(e) => Err(e),
    }
}

async fn confirm_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let back = format!("/activities/{id}#attendance");
    match confirm(&state, &ctx, id).await {
        Ok(_) => Ok(redirect_with_flash(&back, "flash.hours_confirmed", ctx.secure)),
        Err(AppError::Validation(errs)) => Ok(ctx.refusal_for(&state, "activity.refused", &errs, &back)),
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------- API

/// Signs the caller in, as the volunteer behind the bearer token. Repeating it changes nothing
/// (`changed: false`). A rotating code must be sent; a geofence needs `lat`/`lng`.
#[utoipa::path(post, path = "/api/v1/activities/{id}/sign-in", tag = "attendance", request_body(content = ScanInput, description = "Optional"),
    responses((status = 200, body = AttendanceResult), (status = 422, description = "Not open, closed, cancelled, stale code, outside the geofence")))]
pub async fn api_sign_in(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> AppResult<Json<AttendanceResult>> {
    let input = scan_body(&body)?;
    Ok(Json(scan_self(&state, &ctx, id, &input, "api", false).await?))
}

/// Signs the caller out; hours follow from the district's rules. Repeating it changes nothing.
#[utoipa::path(post, path = "/api/v1/activities/{id}/sign-out", tag = "attendance", request_body(content = ScanInput, description = "Optional"),
    responses((status = 200, body = AttendanceResult), (status = 422, description = "Not signed in, closed")))]
pub async fn api_sign_out(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> AppResult<Json<AttendanceResult>> {
    let input = scan_body(&body)?;
    Ok(Json(scan_self(&state, &ctx, id, &input, "api", true).await?))
}

/// The body is optional: none, or JSON.
fn scan_body(body: &[u8]) -> AppResult<ScanInput> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(ScanInput::default());
    }
    serde_json::from_slice(body).map_err(|_| AppError::BadRequest("err.bad_json"))
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CodeInfo {
    pub code: String,
    pub url_path: String,
    /// Seconds the code stays current (none when fixed).
    pub rotates_every: Option<i64>,
}

/// The poster's current code (the organisers), e.g. to show it on another screen.
#[utoipa::path(get, path = "/api/v1/activities/{id}/code", tag = "attendance", responses((status = 200, body = CodeInfo)))]
pub async fn api_code(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<CodeInfo>> {
    let a = load_managed(&state, &ctx, id).await?;
    let rules = store::rules(&state.db).await?;
    let code = signin_code(&a.code_secret, a.code_rotates, rules.code_rotate_secs, now());
    Ok(Json(CodeInfo {
        url_path: format!("/s/{}?c={code}", a.id),
        code,
        rotates_every: a.code_rotates.then_some(rules.code_rotate_secs),
    }))
}

/// The leader signs people in or out together.
#[utoipa::path(post, path = "/api/v1/activities/{id}/attendance", tag = "attendance", request_body = BulkInput,
    responses((status = 200, body = BulkResult)))]
pub async fn api_bulk(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<BulkInput>,
) -> AppResult<Json<BulkResult>> {
    Ok(Json(bulk(&state, &ctx, id, &input).await?))
}

/// Corrects one person's times or hours, with a reason; the old values are kept.
#[utoipa::path(put, path = "/api/v1/activities/{id}/attendance/{volunteer_id}", tag = "attendance", request_body = CorrectionInput,
    responses((status = 200, body = Attendance), (status = 422, description = "Hours beyond the span, no reason")))]
pub async fn api_correct(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, vid)): Path<(i64, i64)>,
    Json(input): Json<CorrectionInput>,
) -> AppResult<Json<Attendance>> {
    Ok(Json(correct(&state, &ctx, id, vid, &input).await?))
}

/// Every correction made to the activity's attendance, oldest first.
#[utoipa::path(get, path = "/api/v1/activities/{id}/corrections", tag = "attendance", responses((status = 200, body = Vec<Correction>)))]
pub async fn api_corrections(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<Correction>>> {
    let a = load_managed(&state, &ctx, id).await?;
    Ok(Json(store::corrections(&state.db, a.id).await?))
}

/// Confirms the hours of a finished activity (and completes it).
#[utoipa::path(post, path = "/api/v1/activities/{id}/hours/confirm", tag = "attendance", responses((status = 200, body = ConfirmResult)))]
pub async fn api_confirm(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Json<ConfirmResult>> {
    Ok(Json(confirm(&state, &ctx, id).await?))
}
