//! Activities' rules and policy, shared by the pages, the API, the CLI and the demo: who may see
//! and run an activity, the checks of its fields, sign-ups and the waiting list, the summary and
//! photos.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::policy::{self, Action, Listing, Object, TeamPlace};
use crate::auth::Acting;
use crate::db::activities::{Activity, ActivityFilter, ActivityLine};
use crate::db::now;
use crate::db::signups::SignupOutcome;
use crate::db::teams::{Team, TeamScope};
use crate::db::volunteers::Volunteer;
use crate::db::{activities, attendance, settings, signups, teams, volunteers};
use crate::domain::activity::{ActivityStatus, AddedBy, OpenTo};
use crate::domain::service::format_local;
use crate::error::{AppError, AppResult, FieldError};
use crate::features::validated;
use crate::state::AppState;
use crate::web::form::{lenient_bool, lenient_i64};

/// The largest photo accepted.
pub const PHOTO_MAX: usize = 5 * 1024 * 1024;

// ---------------------------------------------------------------- access

/// The places of an activity's organising teams, for the policy.
pub async fn places(state: &AppState, a: &Activity) -> AppResult<Vec<TeamPlace>> {
    let mut out = vec![];
    for id in activities::activity_team_ids(&state.db, a.id).await? {
        if let Some(team) = teams::get_team(&state.db, id).await? {
            out.push(crate::features::teams::place(&state.db, &team).await?);
        }
    }
    Ok(out)
}

/// Whether the signed-in user runs this activity (an organising team's staff, or the district).
pub async fn may_manage(state: &AppState, by: &Acting, a: &Activity) -> AppResult<bool> {
    let Some(p) = &by.principal else { return Ok(false) };
    Ok(places(state, a)
        .await?
        .iter()
        .any(|t| policy::allows(p, Action::Update, &Object::Team(t.clone()))))
}

/// Whether `volunteer_id` is on the roster of one of the activity's organising teams that the
/// caller runs.
pub async fn leads_a_team_of(state: &AppState, by: &Acting, a: &Activity, volunteer_id: i64) -> AppResult<bool> {
    let Some(p) = &by.principal else { return Ok(false) };
    let organisers = activities::activity_team_ids(&state.db, a.id).await?;
    for team in volunteers::volunteer_teams(&state.db, volunteer_id).await? {
        if organisers.contains(&team.id)
            && policy::allows(
                p,
                Action::Update,
                &Object::Team(crate::features::teams::place(&state.db, &team).await?),
            )
        {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The activity, if the caller may see it: published ones are public, drafts are the teams'.
pub async fn load(state: &AppState, by: &Acting, id: i64) -> AppResult<Activity> {
    let a = activities::get_activity(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    visible(state, by, a).await
}

/// The activity, if the caller may see it (see [`load`]).
async fn visible(state: &AppState, by: &Acting, a: Activity) -> AppResult<Activity> {
    // Never published (a draft, or a draft cancelled): only its teams see it.
    if a.published_at.is_none() && matches!(a.status, ActivityStatus::Draft | ActivityStatus::Cancelled) {
        let Some(p) = &by.principal else {
            return Err(AppError::NotFound);
        };
        let sees = places(state, &a)
            .await?
            .iter()
            .any(|t| policy::allows(p, Action::View, &Object::Team(t.clone())));
        if !sees {
            return Err(AppError::NotFound);
        }
    }
    Ok(a)
}

/// The activity, after checking that the caller runs it.
pub async fn load_managed(state: &AppState, by: &Acting, id: i64) -> AppResult<Activity> {
    let a = load(state, by, id).await?;
    by.user()?;
    if !may_manage(state, by, &a).await? {
        return Err(AppError::Forbidden);
    }
    Ok(a)
}

/// The teams the caller may organise activities for.
pub async fn own_teams(state: &AppState, by: &Acting) -> AppResult<Vec<Team>> {
    let p = by.user()?;
    let campaign = crate::features::campaign::active(state).await?;
    let Some(scope) = TeamScope::of(policy::list_scope(p, Listing::Teams)) else {
        return Ok(vec![]);
    };
    let mut out = vec![];
    for t in teams::list_teams(&state.db, campaign.id, scope, None).await? {
        let place = crate::features::teams::place(&state.db, &t).await?;
        if policy::allows(p, Action::Update, &Object::Team(place)) {
            out.push(t);
        }
    }
    Ok(out)
}

use super::input::check;
pub use super::input::{time_field, ActivityInput};

// ---------------------------------------------------------------- service

pub async fn create(state: &AppState, by: &Acting, input: &ActivityInput) -> AppResult<Activity> {
    let f = check(&state.db, by, input, None, None).await?;
    let campaign = crate::features::campaign::active(state).await?;
    let mut tx = state.db.begin().await?;
    let a = activities::insert_activity(&mut tx, &by.actor(), campaign.id, &f, ActivityStatus::Draft).await?;
    tx.commit().await?;
    Ok(a)
}

/// Creates the activity of a dispatched action for a team that accepted it (published at once).
pub async fn create_for_dispatch(
    db: &crate::db::Db,
    by: &Acting,
    tx: &mut crate::db::Tx,
    campaign_id: i64,
    input: &ActivityInput,
    dispatch_id: i64,
) -> AppResult<Activity> {
    let f = check(db, by, input, None, Some(dispatch_id)).await?;
    Ok(activities::insert_activity(tx, &by.actor(), campaign_id, &f, ActivityStatus::Published).await?)
}

/// Creates the draft activity a team makes by accepting a community need (四单), inside the
/// need's transaction; the activity's own rules apply.
pub async fn create_draft_in(
    db: &crate::db::Db,
    by: &Acting,
    tx: &mut crate::db::Tx,
    campaign_id: i64,
    input: &ActivityInput,
) -> AppResult<Activity> {
    let f = check(db, by, input, None, None).await?;
    Ok(activities::insert_activity(tx, &by.actor(), campaign_id, &f, ActivityStatus::Draft).await?)
}

pub async fn update(state: &AppState, by: &Acting, id: i64, input: &ActivityInput) -> AppResult<Activity> {
    let before = load_managed(state, by, id).await?;
    if !before.status.is_open() {
        return Err(AppError::field("status", "err.activity_closed"));
    }
    let f = check(&state.db, by, input, Some(&before), None).await?;
    if before.status == ActivityStatus::Published && f.risky && f.insurance.is_empty() {
        return Err(AppError::field("insurance", "err.insurance_required"));
    }
    let mut tx = state.db.begin().await?;
    let a = activities::update_activity(&mut tx, &by.actor(), &before, &f).await?;
    crate::features::notifications::events::activity_changed(&mut tx, &before, &a).await?;
    tx.commit().await?;
    Ok(a)
}

/// A change of status asked for.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct StatusInput {
    /// `publish`, `cancel` or `complete`.
    pub action: Option<String>,
    /// Why it is cancelled (required to cancel).
    pub reason: Option<String>,
}

/// Publishes (a risky activity only with insurance), cancels (with a reason) or completes
/// (after the end; anyone still signed in is signed out at the end time and flagged).
pub async fn change_status(state: &AppState, by: &Acting, id: i64, input: &StatusInput) -> AppResult<Activity> {
    let a = load_managed(state, by, id).await?;
    let t = now();
    let mut tx = state.db.begin().await?;
    let after = match input.action.as_deref().unwrap_or("") {
        "publish" => {
            if !a.status.may_become(ActivityStatus::Published) {
                return Err(AppError::field("action", "err.activity_not_draft"));
            }
            if a.risky && a.insurance.trim().is_empty() {
                return Err(AppError::field("insurance", "err.insurance_required"));
            }
            // A past activity may be published too: it is recorded after the fact and waits
            // for the leader to fill in who came and confirm the hours.
            activities::set_status(&mut tx, &by.actor(), &a, ActivityStatus::Published, "").await?
        }
        "cancel" => {
            if !a.status.may_become(ActivityStatus::Cancelled) {
                return Err(AppError::field("action", "err.activity_closed"));
            }
            let reason = crate::features::required_text("reason", input.reason.as_deref(), 200, &mut vec![]);
            if reason.is_empty() {
                return Err(AppError::field("reason", "err.cancel_reason_required"));
            }
            let after = activities::set_status(&mut tx, &by.actor(), &a, ActivityStatus::Cancelled, &reason).await?;
            crate::features::notifications::events::activity_cancelled(&mut tx, &after).await?;
            // A need this activity served goes back to the dispatcher's queue.
            crate::db::needs::activity_closed(&mut tx, &by.actor(), a.id, false).await?;
            after
        }
        "complete" => {
            if !a.status.may_become(ActivityStatus::Completed) {
                return Err(AppError::field("action", "err.activity_not_published"));
            }
            if t < a.ends_at {
                return Err(AppError::field("action", "err.activity_not_ended"));
            }
            let rules = settings::rules(&state.db).await?;
            attendance::close_open_attendance(&mut tx, &by.actor(), &a, &rules).await?;
            let after = activities::set_status(&mut tx, &by.actor(), &a, ActivityStatus::Completed, "").await?;
            // A need this activity served is fulfilled (评单 opens).
            crate::db::needs::activity_closed(&mut tx, &by.actor(), a.id, true).await?;
            after
        }
        _ => return Err(AppError::field("action", "err.status_action")),
    };
    tx.commit().await?;
    Ok(after)
}

/// Why a volunteer may not sign up for `a` now, if they may not.
pub async fn signup_problem(
    state: &AppState,
    a: &Activity,
    v: &Volunteer,
    by_leader: bool,
) -> AppResult<Option<FieldError>> {
    signup_problem_of(state, a, v.id, Some(v), None, by_leader).await
}

/// [`signup_problem`] for volunteer `vid`: their record is read only when the activity has an
/// age limit (`v` none), and `clash` is the clash already read, if it was.
async fn signup_problem_of(
    state: &AppState,
    a: &Activity,
    vid: i64,
    v: Option<&Volunteer>,
    clash: Option<Option<String>>,
    by_leader: bool,
) -> AppResult<Option<FieldError>> {
    let t = now();
    if a.status != ActivityStatus::Published {
        return Ok(Some(FieldError::new("activity", "err.signup_not_open")));
    }
    // Volunteers sign up before the start; the leader adds people until the hours are confirmed.
    if (!by_leader && t >= a.starts_at) || (by_leader && a.hours_confirmed_at.is_some()) {
        return Ok(Some(FieldError::new("activity", "err.signup_closed")));
    }
    if !by_leader {
        if let Some(o) = a.signup_opens_at.filter(|o| t < *o) {
            return Ok(Some(
                FieldError::new("activity", "err.signup_not_yet").with("at", format_local(o)),
            ));
        }
        if let Some(c) = a.signup_closes_at.filter(|c| t >= *c) {
            return Ok(Some(
                FieldError::new("activity", "err.signup_window_closed").with("at", format_local(c)),
            ));
        }
    }
    if a.open_to == OpenTo::Team {
        let teams = activities::activity_team_ids(&state.db, a.id).await?;
        let member = volunteers::volunteer_teams(&state.db, vid)
            .await?
            .iter()
            .any(|t| teams.contains(&t.id));
        if !member {
            return Ok(Some(FieldError::new("activity", "err.signup_team_only")));
        }
    }
    if a.min_age.is_some() || a.max_age.is_some() {
        let day = crate::domain::campaign::date_of(a.starts_at);
        let birth_date = match v {
            Some(v) => v.birth_date.clone(),
            None => crate::db::volunteers::get_volunteer(&state.db, vid)
                .await?
                .map(|v| v.birth_date.clone())
                .unwrap_or_default(),
        };
        let birth = match birth_date.len() {
            10 => birth_date.clone(),
            7 => format!("{birth_date}-01"),
            _ => String::new(),
        };
        match crate::domain::campaign::age_on(&birth, &day) {
            None => return Ok(Some(FieldError::new("activity", "err.signup_age_unknown"))),
            Some(age) => {
                let age = age as i64;
                if a.min_age.is_some_and(|m| age < m) || a.max_age.is_some_and(|m| age > m) {
                    return Ok(Some(
                        FieldError::new("activity", "err.signup_age")
                            .with("min", a.min_age.map(|m| m.to_string()).unwrap_or("—".into()))
                            .with("max", a.max_age.map(|m| m.to_string()).unwrap_or("—".into())),
                    ));
                }
            }
        }
    }
    // A leader listing who came is recording a fact; a volunteer double-booking is not.
    if by_leader {
        return Ok(None);
    }
    let clash = match clash {
        Some(c) => c,
        None => signups::clash(&state.db, a, vid).await?,
    };
    if let Some(other) = clash {
        return Ok(Some(
            FieldError::new("activity", "err.signup_clash").with("title", other),
        ));
    }
    Ok(None)
}

/// The answer to a sign-up.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SignupResult {
    pub activity_id: i64,
    pub volunteer_id: i64,
    pub outcome: SignupOutcome,
    pub taken: i64,
    pub capacity: i64,
}

/// Signs the caller up (`volunteer_id` none) or, for a leader, the volunteer named.
pub async fn sign_up(state: &AppState, by: &Acting, id: i64, volunteer_id: Option<i64>) -> AppResult<SignupResult> {
    // A volunteer signing themselves up: the session read gave their record's id, one read brings
    // the activity and any clash, and the transaction tells the places.
    if let (None, Some(vid)) = (volunteer_id, by.principal.as_ref().and_then(|p| p.volunteer_id)) {
        let sc = crate::db::activities::signup_context(&state.db, id, vid)
            .await?
            .ok_or(AppError::NotFound)?;
        let a = visible(state, by, sc.activity).await?;
        if let Some(problem) = signup_problem_of(state, &a, vid, None, Some(sc.clash), false).await? {
            return Err(AppError::Validation(vec![problem]));
        }
        let (outcome, taken, capacity) = state
            .signups
            .sign_up(crate::db::signups::NewSignup {
                actor: by.actor(),
                activity_id: a.id,
                title: a.title.clone(),
                volunteer_id: vid,
                added_by: AddedBy::Themselves,
            })
            .await?;
        return Ok(SignupResult {
            activity_id: a.id,
            volunteer_id: vid,
            outcome,
            taken,
            capacity,
        });
    }
    let a = load(state, by, id).await?;
    let (v, how) = match volunteer_id {
        None => (
            crate::features::volunteers::own_volunteer(&state.db, by).await?,
            AddedBy::Themselves,
        ),
        Some(vid) => {
            if !may_manage(state, by, &a).await? {
                return Err(AppError::Forbidden);
            }
            // A leader adds only people on the roster of an organising team they run; anyone
            // else signs themselves up. An unknown id gets the same answer, so ids cannot be probed.
            let not_ours = || AppError::field("volunteer_id", "err.not_on_roster");
            let v = volunteers::get_volunteer(&state.db, vid).await?.ok_or_else(not_ours)?;
            if !leads_a_team_of(state, by, &a, vid).await? {
                return Err(not_ours());
            }
            (v, AddedBy::Leader)
        }
    };
    if let Some(problem) = signup_problem(state, &a, &v, how == AddedBy::Leader).await? {
        return Err(AppError::Validation(vec![problem]));
    }
    let mut tx = state.db.begin().await?;
    let outcome = signups::sign_up(&mut tx, &by.actor(), &a, v.id, how).await?;
    tx.commit().await?;
    let after = activities::get_activity(&state.db, a.id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(SignupResult {
        activity_id: a.id,
        volunteer_id: v.id,
        outcome,
        taken: after.taken,
        capacity: after.capacity,
    })
}

/// The answer to a cancellation.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CancelResult {
    pub activity_id: i64,
    pub volunteer_id: i64,
    /// Who got the freed place from the waiting list.
    pub promoted_volunteer_id: Option<i64>,
}

/// Takes the caller (or, for a leader, the volunteer named) off the list.
pub async fn cancel(state: &AppState, by: &Acting, id: i64, volunteer_id: Option<i64>) -> AppResult<CancelResult> {
    let a = load(state, by, id).await?;
    let own = crate::features::volunteers::own_volunteer(&state.db, by).await.ok();
    let vid = match (volunteer_id, &own) {
        (Some(v), Some(o)) if v == o.id => v,
        (None, Some(o)) => o.id,
        (Some(v), _) => {
            if !may_manage(state, by, &a).await? {
                return Err(AppError::Forbidden);
            }
            v
        }
        (None, None) => return Err(AppError::BadRequest("err.no_volunteer_record")),
    };
    if a.status != ActivityStatus::Published || now() >= a.starts_at {
        return Err(AppError::field("activity", "err.cancel_too_late"));
    }
    let mut tx = state.db.begin().await?;
    let res = signups::cancel_signup(&mut tx, &by.actor(), &a, vid).await?;
    if let Some(Some(promoted)) = res {
        crate::features::notifications::events::promoted(&mut tx, &a, promoted).await?;
    }
    tx.commit().await?;
    match res {
        None => Err(AppError::field("volunteer_id", "err.not_signed_up")),
        Some(promoted) => Ok(CancelResult {
            activity_id: a.id,
            volunteer_id: vid,
            promoted_volunteer_id: promoted,
        }),
    }
}

/// The closing summary of a completed activity.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct SummaryInput {
    /// What was done.
    pub summary: Option<String>,
    /// How many people were served.
    #[serde(default, deserialize_with = "lenient_i64")]
    pub people_served: Option<i64>,
}

pub async fn summarise(state: &AppState, by: &Acting, id: i64, input: &SummaryInput) -> AppResult<Activity> {
    let a = load_managed(state, by, id).await?;
    if a.status != ActivityStatus::Completed {
        return Err(AppError::field("summary", "err.summary_not_completed"));
    }
    let mut errors = vec![];
    let summary = crate::features::required_text("summary", input.summary.as_deref(), 4000, &mut errors);
    if input.people_served.is_some_and(|n| !(0..=1_000_000).contains(&n)) {
        errors.push(FieldError::new("people_served", "err.number_range"));
    }
    validated(errors)?;
    let mut tx = state.db.begin().await?;
    let after = activities::set_summary(&mut tx, &by.actor(), &a, &summary, input.people_served).await?;
    tx.commit().await?;
    Ok(after)
}

/// The image type of a photo, by its first bytes (the name and the browser's word are not trusted).
pub fn image_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else {
        None
    }
}

/// The longest text alternative of a photo.
pub const PHOTO_ALT_MAX: usize = 300;

/// Whether the activity's report (summary and photos) is public: completed after being published.
pub fn is_public_report(a: &Activity) -> bool {
    a.status == ActivityStatus::Completed && a.published_at.is_some()
}

pub async fn add_photo(state: &AppState, by: &Acting, id: i64, bytes: &[u8], alt: Option<&str>) -> AppResult<i64> {
    let a = load_managed(state, by, id).await?;
    if a.status != ActivityStatus::Completed {
        return Err(AppError::field("file", "err.summary_not_completed"));
    }
    // What the photo shows, for a reader who cannot see it: required for every new photo.
    let alt = alt.map(str::trim).unwrap_or("").to_string();
    if alt.is_empty() {
        return Err(AppError::field("alt", "err.photo_alt_required"));
    }
    if alt.chars().count() > PHOTO_ALT_MAX {
        return Err(AppError::Validation(vec![FieldError::new(
            "alt",
            "err.photo_alt_too_long",
        )
        .with("max", PHOTO_ALT_MAX)]));
    }
    if bytes.is_empty() {
        return Err(AppError::field("file", "err.no_file"));
    }
    if bytes.len() > PHOTO_MAX {
        return Err(AppError::Validation(vec![FieldError::new(
            "file",
            "err.file_too_large",
        )
        .with("mb", PHOTO_MAX / 1024 / 1024)]));
    }
    let Some(kind) = image_type(bytes) else {
        return Err(AppError::field("file", "err.not_an_image"));
    };
    if activities::photos(&state.db, a.id).await?.len() >= 20 {
        return Err(AppError::field("file", "err.too_many_photos"));
    }
    let mut tx = state.db.begin().await?;
    let pid = activities::add_photo(&mut tx, &by.actor(), &a, kind, bytes, &alt).await?;
    tx.commit().await?;
    Ok(pid)
}

// ---------------------------------------------------------------- lists

#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActivityParams {
    pub q: Option<String>,
    /// `upcoming` (default), `past` or `all`.
    pub when: Option<String>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub team_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub community_id: Option<i64>,
    pub category: Option<String>,
    pub form: Option<String>,
    /// Only what the caller's teams run (staff), in every state.
    #[serde(default, deserialize_with = "lenient_bool")]
    pub mine: Option<bool>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub page: Option<i64>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub per_page: Option<i64>,
}

/// A page of activities as the caller may see them, with their own sign-ups.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ActivityPage {
    pub items: Vec<ActivityLine>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

pub async fn list(state: &AppState, by: &Acting, params: &ActivityParams) -> AppResult<ActivityPage> {
    let campaign = crate::features::campaign::active(state).await?;
    let scope = by
        .principal
        .as_ref()
        .and_then(|p| TeamScope::of(policy::list_scope(p, Listing::Teams)));
    // The session read brought the viewer's volunteer record along.
    let viewer = by.principal.as_ref().and_then(|p| p.volunteer_id);
    let t = now();
    let (from, to, newest_first) = match params.when.as_deref().unwrap_or("upcoming") {
        "past" => (None, Some(t), true),
        "all" => (None, None, false),
        _ => (Some(t), None, false),
    };
    let page = params.page.unwrap_or(1).max(1);
    let per_page = params.per_page.unwrap_or(20).clamp(1, 200);
    let mine = params.mine.unwrap_or(false) && scope.is_some();
    let f = ActivityFilter {
        campaign_id: campaign.id,
        scope: if mine { scope } else { scope.filter(|s| s.all) },
        include_public: !mine,
        team_id: params.team_id,
        community_id: params.community_id,
        category: params.category.clone().filter(|s| !s.is_empty()),
        form: params.form.clone().filter(|s| !s.is_empty()),
        from,
        to,
        q: params.q.clone(),
        newest_first,
        page,
        per_page,
    };
    let (items, total) = activities::list_activities(&state.db, &f, viewer).await?;
    Ok(ActivityPage {
        items,
        total,
        page,
        per_page,
    })
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct AddInput {
    /// The volunteer to add (leaders); leave out to sign yourself up.
    #[serde(default, deserialize_with = "lenient_i64")]
    pub volunteer_id: Option<i64>,
}
