//! Sign-in, sign-out, walk-ins, the leader's tools and the confirmation of hours: the rules and
//! policy, shared by the pages, the API, the CLI and the demo.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Acting;
use crate::db::activities::Activity;
use crate::db::attendance::{self as store_attendance, Attendance, Mark, Scan};
use crate::db::{activities, attendance, settings, signups, volunteers};
use crate::db::{now, Db};
use crate::domain::activity::{ActivityStatus, OpenTo, SignupStatus};
use crate::domain::attendance::Method;
use crate::domain::service::{code_valid, confirm_due, distance_m, format_local, parse_local, Rules};
use crate::error::{AppError, AppResult, FieldError};
use crate::features::activities::{load, load_managed};
use crate::state::AppState;

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
pub fn gate(a: &Activity, rules: &Rules, input: &ScanInput, t: i64, signing_out: bool) -> Result<(), FieldError> {
    match a.status {
        ActivityStatus::Cancelled => return Err(FieldError::new("activity", "err.signin_cancelled")),
        ActivityStatus::Draft => return Err(FieldError::new("activity", "err.signin_not_published")),
        ActivityStatus::Completed => return Err(FieldError::new("activity", "err.signin_closed")),
        ActivityStatus::Published => {}
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
    /// Why a sign-out earned no hours (time given below the district's minimum share of the
    /// activity's span), in the caller's language; absent otherwise.
    pub hours_note: Option<String>,
}

/// Whether someone not on the list may still sign in: open activities take walk-ins, team
/// activities their teams' members.
async fn may_walk_in(db: &Db, a: &Activity, volunteer_id: i64) -> AppResult<bool> {
    Ok(a.open_to == OpenTo::All || store_attendance::on_organising_roster(db, a.id, volunteer_id).await?)
}

/// Signs the caller in (`signing_out` false) or out, as the volunteer; idempotent. One read
/// gathers what the checks need; the write joins the shared transaction of concurrent scans.
pub async fn scan_self(
    state: &AppState,
    by: &Acting,
    id: i64,
    input: &ScanInput,
    method: Method,
    signing_out: bool,
) -> AppResult<AttendanceResult> {
    let p = by.user()?;
    let c = activities::scan_context(&state.db, id, p.user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let Some(vid) = c.volunteer_id else {
        return Err(AppError::BadRequest("err.no_volunteer_record"));
    };
    let rules = c.rules();
    let min_share = rules.min_share_pct;
    let a = c.activity;
    let t = now();
    gate(&a, &rules, input, t, signing_out).map_err(|e| AppError::Validation(vec![e]))?;
    // Someone not on the list signs in only with the poster's code (they are there, scanning
    // it) and where the activity takes walk-ins; a script without the code only for the listed.
    let scanned = input.code.as_deref().is_some_and(|c| !c.trim().is_empty());
    if !signing_out
        && c.signup != Some(SignupStatus::Confirmed)
        && !(scanned && may_walk_in(&state.db, &a, vid).await?)
    {
        return Err(AppError::field("activity", "err.signin_not_listed"));
    }
    let scan = if signing_out {
        Mark::Out { rules, auto: false }
    } else {
        Mark::In {
            method,
            walkin_token: None,
        }
    };
    let written = state
        .scans
        .write(Scan {
            actor: by.actor(),
            activity: a,
            volunteer_id: vid,
            at: t,
            mark: scan,
        })
        .await
        .map_err(AppError::from)?;
    let Some((attendance, changed)) = written else {
        return Err(AppError::field("activity", "err.not_signed_in"));
    };
    let hours_note = (signing_out && attendance.minutes == Some(0)).then(|| no_hours_note(by.lang, min_share));
    Ok(AttendanceResult {
        activity_id: id,
        volunteer_id: vid,
        changed,
        attendance,
        hours_note,
    })
}

/// Why a sign-out counts no hours: the minimum-share rule, with the district's share.
pub fn no_hours_note(lang: crate::i18n::Lang, min_share_pct: i64) -> String {
    crate::i18n::tf(lang, "scan.no_hours", &[("pct", min_share_pct.to_string())])
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
    pub fn scan(&self) -> ScanInput {
        ScanInput {
            code: self.code.clone(),
            lat: self.lat.as_deref().and_then(|s| s.trim().parse().ok()),
            lng: self.lng.as_deref().and_then(|s| s.trim().parse().ok()),
        }
    }
}

/// Signs a walk-in in; returns the attendance and the secret their phone keeps to sign out.
pub async fn walk_in(
    state: &AppState,
    by: &Acting,
    a: &Activity,
    input: &WalkInInput,
) -> AppResult<(Attendance, String)> {
    let rules = settings::rules(&state.db).await?;
    let t = now();
    if input.code.as_deref().is_none_or(|c| c.trim().is_empty()) {
        return Err(AppError::field("code", "err.code_missing"));
    }
    gate(a, &rules, &input.scan(), t, false).map_err(|e| AppError::Validation(vec![e]))?;
    if a.open_to != OpenTo::All {
        return Err(AppError::field("activity", "err.signin_not_listed"));
    }
    let mut errors = vec![];
    let name = crate::features::required_name("name", input.name.as_deref(), &mut errors);
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
    crate::features::validated(errors)?;
    let token = crate::auth::new_token();
    let actor = crate::db::audit::Actor {
        user_id: None,
        username: format!("(walk-in:{name})"),
        ip: by.ip.clone(),
    };
    let mut tx = state.db.begin().await?;
    let existing = store_attendance::walk_in_record(&mut tx, &name, &phone).await?;
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
            volunteers::insert_volunteer(&mut tx, &actor, &f).await?.id
        }
    };
    let hash = crate::auth::token_hash(&token);
    let (att, changed) = store_attendance::sign_in(&mut tx, &actor, a, vid, t, Method::WalkIn, Some(&hash)).await?;
    if !changed {
        // Signed in already (by their own phone or the leader): another phone does not take over.
        return Err(AppError::field("activity", "err.walk_in_already"));
    }
    tx.commit().await?;
    Ok((att, token))
}

/// The walk-in's own attendance, found by the secret their phone kept.
pub async fn walk_in_attendance(db: &Db, activity_id: i64, token: &str) -> AppResult<Option<i64>> {
    Ok(store_attendance::walk_in_volunteer(db, activity_id, &crate::auth::token_hash(token)).await?)
}

/// A walk-in signs out with the secret their phone kept from signing in (`token`); answers
/// whether this changed anything.
pub async fn walk_out(
    state: &AppState,
    by: &Acting,
    id: i64,
    token: Option<&str>,
    input: &ScanInput,
) -> AppResult<bool> {
    let a = load(state, by, id).await?;
    let vid = match token {
        Some(tok) => walk_in_attendance(&state.db, a.id, tok).await?,
        None => None,
    };
    let Some(vid) = vid else {
        return Err(AppError::field("activity", "err.not_signed_in"));
    };
    let rules = settings::rules(&state.db).await?;
    let t = now();
    gate(&a, &rules, input, t, true).map_err(|e| AppError::Validation(vec![e]))?;
    let actor = crate::db::audit::Actor {
        user_id: None,
        username: "(walk-in)".into(),
        ip: by.ip.clone(),
    };
    let mut tx = state.db.begin().await?;
    let r = store_attendance::sign_out(&mut tx, &actor, &a, &rules, vid, t, false).await?;
    tx.commit().await?;
    Ok(r.is_some_and(|(_, c)| c))
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
    let rules = settings::rules(db).await?;
    let ended = store_attendance::ended_with_open_lines(db, now() - rules.signout_grace_minutes * 60).await?;
    if ended.is_empty() {
        return Ok(0);
    }
    let actor = crate::db::audit::Actor::system("auto-sign-out");
    let mut n = 0;
    for id in ended {
        let mut tx = db.begin().await?;
        if let Some(a) = activities::activity_in_tx(&mut tx, id).await? {
            n += attendance::close_open_attendance(&mut tx, &actor, &a, &rules).await?;
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

pub async fn bulk(state: &AppState, by: &Acting, id: i64, input: &BulkInput) -> AppResult<BulkResult> {
    let a = load_managed(state, by, id).await?;
    if !a.status.was_published() {
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
    let rules = settings::rules(&state.db).await?;
    // Only people on this activity's list (signed up, on the waiting list, or already signed in)
    // or on the roster of an organising team the caller runs: a leader cannot write attendance
    // onto the record of another unit's volunteer.
    let listed: std::collections::HashSet<i64> = signups::participants(&state.db, a.id)
        .await?
        .into_iter()
        .filter(|p| {
            p.attendance_id.is_some()
                || matches!(
                    p.signup,
                    Some(SignupStatus::Confirmed | SignupStatus::Waiting | SignupStatus::NoShow)
                )
        })
        .map(|p| p.volunteer_id)
        .collect();
    for v in input.volunteer_ids.iter().filter(|v| !listed.contains(v)) {
        // Recording an activity after the fact: the leader's own people need no sign-up.
        if !super::super::activities::leads_a_team_of(state, by, &a, *v).await? {
            return Err(AppError::field("volunteer_ids", "err.not_on_activity_list"));
        }
    }
    let mut tx = state.db.begin().await?;
    let (mut changed, mut unchanged) = (0, 0);
    for vid in &input.volunteer_ids {
        let did = match input.action.as_str() {
            "sign_in" => {
                attendance::sign_in(&mut tx, &by.actor(), &a, *vid, at, Method::Leader, None)
                    .await?
                    .1
            }
            "sign_out" => {
                // The leader's time replaces one the system filled in at the end.
                attendance::reopen_automatic_sign_out(&mut tx, a.id, *vid).await?;
                let out = attendance::sign_out(&mut tx, &by.actor(), &a, &rules, *vid, at, false).await?;
                match out {
                    Some((_, c)) => c,
                    None => {
                        // Signing out someone never signed in: they came at the start.
                        attendance::sign_in(&mut tx, &by.actor(), &a, *vid, a.starts_at, Method::Leader, None).await?;
                        attendance::sign_out(&mut tx, &by.actor(), &a, &rules, *vid, at, false)
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
    by: &Acting,
    id: i64,
    volunteer_id: i64,
    input: &CorrectionInput,
) -> AppResult<Attendance> {
    let a = load_managed(state, by, id).await?;
    let before = attendance::attendance_of(&state.db, a.id, volunteer_id)
        .await?
        .ok_or_else(|| AppError::field("volunteer_id", "err.not_signed_in"))?;
    let rules = settings::rules(&state.db).await?;
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
    let reason = crate::features::free_text("reason", input.reason.as_deref(), 200, &mut errors);
    if reason.is_empty() {
        errors.push(FieldError::new("reason", "err.correction_reason"));
    }
    crate::features::validated(errors)?;
    let mut tx = state.db.begin().await?;
    let after = attendance::correct(
        &mut tx,
        &by.actor(),
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
pub async fn confirm(state: &AppState, by: &Acting, id: i64) -> AppResult<ConfirmResult> {
    let a = load_managed(state, by, id).await?;
    if !a.status.was_published() {
        return Err(AppError::field("activity", "err.signin_not_published"));
    }
    if now() < a.ends_at {
        return Err(AppError::field("activity", "err.activity_not_ended"));
    }
    let rules = settings::rules(&state.db).await?;
    let mut tx = state.db.begin().await?;
    let auto = attendance::close_open_attendance(&mut tx, &by.actor(), &a, &rules).await?;
    let (confirmed, no_shows) = attendance::confirm_hours(&mut tx, &by.actor(), &a).await?;
    crate::features::notifications::events::hours_confirmed(&mut tx, &a).await?;
    if a.status == ActivityStatus::Published {
        activities::set_status(&mut tx, &by.actor(), &a, ActivityStatus::Completed, "").await?;
    }
    tx.commit().await?;
    Ok(ConfirmResult {
        confirmed,
        no_shows,
        auto_signed_out: auto,
        late: crate::domain::campaign::today() > confirm_due_day(&a, &rules),
    })
}
