//! The needs loop for staff: post (点单), review, dispatch or open for claim (派单), accept, claim
//! or decline (接单), rate (评单); the timers that flag a step not taken in time, and the
//! per-team figures.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::policy::{self, Action, Listing, NeedPlace, Object, TeamPlace};
use crate::auth::Acting;
use crate::db::needs::{self as store, Move, Need, NeedEvent, NeedFilter, NeedRating, NewNeed, TeamFigures};
use crate::db::teams::{get_team, list_teams, Team, TeamScope};
use crate::db::{now, Db};
use crate::domain::activity::OpenTo;
use crate::domain::campaign::{parse_categories, today, Category};
use crate::domain::dates::{format_local, local};
use crate::domain::need::{overdue, stars, NeedSource, NeedStatus, NeedStep, NeedTimers, Rater};
use crate::domain::phone::Phone;
use crate::domain::service::Dimension;
use crate::error::{AppError, AppResult, FieldError};
use crate::features::activities::ActivityInput;
use crate::features::campaign::service::{active, team_place};
use crate::features::{ensure, free_text, required_name, required_text, validated};

/// A need as the caller may see it: the contact masked unless they handle it, its timeline,
/// its ratings, the timer, and what the caller may do next.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[schema(as = NeedView)]
pub struct NeedView {
    #[serde(flatten)]
    pub need: Need,
    /// The contact is shown in full (the caller handles the need).
    pub contact_visible: bool,
    /// The last day the current step may be taken, while a timer runs.
    pub due_on: Option<String>,
    pub overdue: bool,
    pub events: Vec<NeedEvent>,
    pub ratings: Vec<NeedRating>,
    pub may: NeedMoves,
}

/// What the caller may do with a need now.
#[derive(Clone, Debug, Default, Serialize, ToSchema)]
pub struct NeedMoves {
    pub review: bool,
    pub dispatch: bool,
    /// Send it back to the queue (cancel a dispatch, an open call or an acceptance).
    pub cancel: bool,
    /// The teams the caller may accept or decline for (the one it was dispatched to).
    pub answer_team_ids: Vec<i64>,
    /// The caller's teams that may claim it (open for claim).
    pub claim_team_ids: Vec<i64>,
    pub rate: bool,
}

/// A need as a line of the list.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[schema(as = NeedLine)]
pub struct NeedLine {
    #[serde(flatten)]
    pub need: Need,
    pub due_on: Option<String>,
    pub overdue: bool,
}

pub(super) async fn get_need(db: &Db, id: i64) -> AppResult<Need> {
    store::get_need(db, id).await?.ok_or(AppError::NotFound)
}

/// Where a need sits in the tree, with the teams it was sent to or taken by.
pub(super) async fn place_of(db: &Db, n: &Need) -> AppResult<NeedPlace> {
    let mut teams = vec![];
    for id in store::teams_involved(db, n.id).await? {
        if let Some(t) = get_team(db, id).await? {
            teams.push(team_place(db, &t).await?);
        }
    }
    Ok(NeedPlace {
        community_id: n.community_id,
        street_id: n.street_id,
        teams,
        open: n.status == NeedStatus::Open,
    })
}

pub async fn timers(db: &Db) -> AppResult<NeedTimers> {
    Ok(store::timers(db).await?)
}

/// The district sets how long each step may wait.
pub async fn set_timers(db: &Db, by: &Acting, t: &NeedTimers) -> AppResult<NeedTimers> {
    ensure(by.user()?, Action::Update, &Object::Campaign)?;
    let problems = t.problems();
    if !problems.is_empty() {
        return Err(AppError::Validation(
            problems.into_iter().map(|(f, k)| FieldError::new(f, k)).collect(),
        ));
    }
    let before = store::timers(db).await?;
    let mut tx = db.begin().await?;
    store::set_timers(&mut tx, &by.actor(), &before, t).await?;
    tx.commit().await?;
    Ok(*t)
}

/// The timer of a need in its state: the day due and whether it is past.
pub fn timer_of(n: &Need, t: &NeedTimers) -> (Option<String>, bool) {
    let Some(days) = t.days_for(n.status) else {
        return (None, false);
    };
    let since = local(n.step_at).date();
    let today = chrono::NaiveDate::parse_from_str(&today(), "%Y-%m-%d").unwrap_or(since);
    let due = crate::domain::need::due_on(since, days);
    (Some(due.format("%Y-%m-%d").to_string()), overdue(since, days, today))
}

fn masked(mut n: Need) -> Need {
    n.contact_phone = Phone::mask(&n.contact_phone);
    n.contact_name = crate::features::certificates::mask_name(&n.contact_name);
    n
}

/// Whether the caller's team holds the need now (it then sees the contact to serve).
async fn holds(db: &Db, by: &Acting, n: &Need) -> AppResult<bool> {
    if !matches!(
        n.status,
        NeedStatus::Dispatched | NeedStatus::Accepted | NeedStatus::Fulfilled
    ) {
        return Ok(false);
    }
    Ok(match n.team_id {
        Some(id) => answerable_team(db, by, id).await?.is_some(),
        None => false,
    })
}

/// The team, if the caller may answer for it (its leader's unit or community staff).
async fn answerable_team(db: &Db, by: &Acting, team_id: i64) -> AppResult<Option<(Team, TeamPlace)>> {
    let Some(team) = get_team(db, team_id).await? else {
        return Ok(None);
    };
    let place = team_place(db, &team).await?;
    Ok(policy::allows(by.user()?, Action::Update, &Object::Team(place.clone())).then_some((team, place)))
}

/// The caller's teams of the campaign that may take a need (claim an open one).
async fn own_teams(db: &Db, by: &Acting, campaign_id: i64) -> AppResult<Vec<Team>> {
    let p = by.user()?;
    let Some(scope) = TeamScope::of(policy::list_scope(p, Listing::Teams)) else {
        return Ok(vec![]);
    };
    if p.role == policy::Role::DistrictAdmin || p.role == policy::Role::StreetAdmin {
        // The district and streets dispatch; only a team's own staff take a need.
        return Ok(vec![]);
    }
    let mut out = vec![];
    for t in list_teams(db, campaign_id, scope, None).await? {
        if answerable_team(db, by, t.id).await?.is_some() {
            out.push(t);
        }
    }
    Ok(out)
}

pub async fn view(db: &Db, by: &Acting, id: i64) -> AppResult<NeedView> {
    let p = by.user()?;
    let n = get_need(db, id).await?;
    let place = place_of(db, &n).await?;
    if !policy::allows(p, Action::View, &Object::Need(place.clone())) {
        return Err(AppError::NotFound);
    }
    let handles = policy::allows(p, Action::Update, &Object::Need(place.clone()));
    let contact_visible = handles || holds(db, by, &n).await?;
    let dispatcher = policy::allows(p, Action::Update, &Object::NeedDispatch { street_id: n.street_id });
    let mut may = NeedMoves {
        review: handles && n.status == NeedStatus::Submitted,
        dispatch: dispatcher && n.status.may_become(NeedStatus::Dispatched),
        cancel: dispatcher
            && matches!(
                n.status,
                NeedStatus::Dispatched | NeedStatus::Open | NeedStatus::Accepted
            ),
        rate: handles && n.status == NeedStatus::Fulfilled,
        ..Default::default()
    };
    if n.status == NeedStatus::Dispatched {
        if let Some(t) = n.team_id {
            if answerable_team(db, by, t).await?.is_some() {
                may.answer_team_ids.push(t);
            }
        }
    }
    if n.status == NeedStatus::Open {
        may.claim_team_ids = own_teams(db, by, n.campaign_id).await?.iter().map(|t| t.id).collect();
    }
    let ratings = store::ratings_of(db, id).await?;
    if ratings.iter().any(|r| r.rater == Rater::Community) {
        may.rate = false;
    }
    let (due_on, late) = timer_of(&n, &store::timers(db).await?);
    Ok(NeedView {
        need: if contact_visible { n } else { masked(n) },
        contact_visible,
        due_on,
        overdue: late,
        events: store::events_of(db, id).await?,
        ratings,
        may,
    })
}

/// The filters of the needs list.
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NeedParams {
    /// One state: `submitted`, `published`, `dispatched`, `open`, `accepted`, `fulfilled`, `closed`.
    pub status: Option<String>,
    #[serde(default, deserialize_with = "crate::web::form::lenient_i64")]
    pub street_id: Option<i64>,
    #[serde(default, deserialize_with = "crate::web::form::lenient_i64")]
    pub community_id: Option<i64>,
    /// A service category code.
    pub category: Option<String>,
    /// `true`: only needs whose step is overdue.
    #[serde(default, deserialize_with = "crate::web::form::lenient_bool")]
    pub overdue: Option<bool>,
}

/// A category typed or chosen: its code or its name.
pub(super) fn category_of(s: &str) -> Option<Category> {
    match parse_categories(s) {
        Ok(c) if c.len() == 1 => Some(c[0]),
        _ => None,
    }
}

/// The needs the caller may see, overdue first, then by how long the step has waited.
pub async fn list(db: &Db, by: &Acting, params: &NeedParams) -> AppResult<Vec<NeedLine>> {
    let p = by.user()?;
    let scope = policy::list_scope(p, Listing::Needs);
    if !policy::may_list(p, Listing::Needs) {
        return Err(AppError::Forbidden);
    }
    let mut errors = vec![];
    let status = match params.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => {
            let st = NeedStatus::parse(s);
            if st.is_none() {
                errors.push(FieldError::new("status", "err.need_status"));
            }
            st
        }
    };
    let category = match params.category.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => {
            let c = category_of(s);
            if c.is_none() {
                errors.push(FieldError::new("category", "err.category_unknown").with("value", s));
            }
            c
        }
    };
    validated(errors)?;
    let campaign = active(db).await?;
    let filter = NeedFilter {
        statuses: status.into_iter().collect(),
        street_id: params.street_id,
        community_id: params.community_id,
        category,
    };
    let timers = store::timers(db).await?;
    let handles_all = matches!(
        p.role,
        policy::Role::DistrictAdmin | policy::Role::StreetAdmin | policy::Role::CommunityAdmin
    );
    let mut out: Vec<NeedLine> = store::list(db, campaign.id, &scope, &filter)
        .await?
        .into_iter()
        .map(|n| {
            let (due_on, overdue) = timer_of(&n, &timers);
            NeedLine {
                // The list shows a contact only to the community, street or district that
                // handles it; a team sees it on the need's page once the need is its own.
                need: if handles_all && p.role != policy::Role::UnitAdmin {
                    n
                } else {
                    masked(n)
                },
                due_on,
                overdue,
            }
        })
        .filter(|l| params.overdue != Some(true) || l.overdue)
        .collect();
    out.sort_by_key(|l| (!l.overdue, l.need.step_at, l.need.id));
    Ok(out)
}

/// A need as posted by staff or a resident.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[schema(as = NeedInput)]
pub struct NeedInput {
    #[serde(default, deserialize_with = "crate::web::form::lenient_i64")]
    pub community_id: Option<i64>,
    /// One of the seven service categories (code or name).
    pub category: Option<String>,
    /// The "five goods" dimension it serves (default `service`).
    pub dimension: Option<String>,
    /// What is needed (at most 1,000 characters).
    pub description: Option<String>,
    pub place: Option<String>,
    /// `YYYY-MM-DD`: the day wished for, or the first day of a range.
    pub wished_from: Option<String>,
    /// `YYYY-MM-DD`: the last day of the range (empty: the same day).
    pub wished_to: Option<String>,
    #[serde(default, deserialize_with = "crate::web::form::lenient_i64")]
    pub head_count: Option<i64>,
    pub contact_name: Option<String>,
    /// A mobile or landline number.
    pub contact_phone: Option<String>,
    /// The resident agrees that their name and phone go to those handling the need (public form).
    #[serde(default, deserialize_with = "crate::web::form::lenient_bool")]
    pub consent: Option<bool>,
}

pub const DESCRIPTION_MAX: usize = 1000;

/// Checks a need's fields (the community is checked by the caller).
pub(super) fn checked(
    input: &NeedInput,
    campaign_id: i64,
    community_id: i64,
    source: NeedSource,
) -> AppResult<NewNeed> {
    let mut errors = vec![];
    let category = input.category.as_deref().and_then(category_of);
    if category.is_none() {
        errors.push(
            FieldError::new("category", "err.category_unknown")
                .with("value", input.category.clone().unwrap_or_default()),
        );
    }
    let dimension = match input.dimension.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(Dimension::Service),
        Some(d) => Dimension::from_code(d),
    };
    if dimension.is_none() {
        errors.push(FieldError::new("dimension", "err.dimension_unknown"));
    }
    let description = required_text(
        "description",
        input.description.as_deref(),
        DESCRIPTION_MAX,
        &mut errors,
    );
    let place = required_text("place", input.place.as_deref(), 200, &mut errors);
    let day = |s: Option<&str>| chrono::NaiveDate::parse_from_str(s.unwrap_or("").trim(), "%Y-%m-%d").ok();
    let from = day(input.wished_from.as_deref());
    let to = match input.wished_to.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => from,
        Some(s) => day(Some(s)),
    };
    let today = chrono::NaiveDate::parse_from_str(&today(), "%Y-%m-%d").ok();
    match (from, to) {
        (None, _) => errors.push(FieldError::new("wished_from", "err.need_wished")),
        (_, None) => errors.push(FieldError::new("wished_to", "err.need_wished")),
        (Some(f), Some(t)) => {
            if t < f {
                errors.push(FieldError::new("wished_to", "err.need_wished_order"));
            } else if (t - f).num_days() > 92 {
                errors.push(FieldError::new("wished_to", "err.need_wished_long"));
            }
            if today.is_some_and(|d| f < d) {
                errors.push(FieldError::new("wished_from", "err.need_wished_past"));
            }
        }
    }
    let head_count = input.head_count.unwrap_or(0);
    if !(1..=200).contains(&head_count) {
        errors.push(FieldError::new("head_count", "err.need_head_count"));
    }
    let contact_name = required_name("contact_name", input.contact_name.as_deref(), &mut errors);
    let typed = input.contact_phone.as_deref().unwrap_or("").trim();
    let phone = Phone::parse(typed);
    if typed.is_empty() {
        errors.push(FieldError::new("contact_phone", "err.required"));
    } else if phone.is_none() {
        errors.push(FieldError::new("contact_phone", "err.phone"));
    }
    if source == NeedSource::Resident && input.consent != Some(true) {
        errors.push(FieldError::new("consent", "err.need_consent"));
    }
    validated(errors)?;
    let fmt = |d: Option<chrono::NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default();
    Ok(NewNeed {
        campaign_id,
        community_id,
        category: category.expect("checked"),
        dimension: dimension.expect("checked"),
        description,
        place,
        wished_from: fmt(from),
        wished_to: fmt(to),
        head_count,
        contact_name,
        contact_phone: phone.map(|p| p.as_str().to_string()).unwrap_or_default(),
        source,
    })
}

/// Community staff (or their street, or the district) post a need of a community in their scope.
pub async fn post(db: &Db, by: &Acting, input: &NeedInput) -> AppResult<NeedView> {
    let p = by.user()?;
    let community_id = input
        .community_id
        .or(p.community_id)
        .ok_or_else(|| AppError::field("community_id", "err.required"))?;
    let c = crate::db::communities::get_community(db, community_id)
        .await?
        .ok_or_else(|| AppError::field("community_id", "err.need_community"))?;
    let place = NeedPlace {
        community_id: c.id,
        street_id: c.street_id,
        ..Default::default()
    };
    if !policy::allows(p, Action::Create, &Object::Need(place)) {
        return Err(AppError::field("community_id", "err.need_community"));
    }
    let campaign = active(db).await?;
    let new = checked(input, campaign.id, c.id, NeedSource::Staff)?;
    let mut tx = db.begin().await?;
    let id = store::insert_need(&mut tx, &by.actor(), &new, None).await?;
    tx.commit().await?;
    view(db, by, id).await
}

/// The community's review: publish, or close with a reason.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[schema(as = NeedReviewInput)]
pub struct ReviewInput {
    /// `publish` or `close`.
    pub decision: String,
    /// Why it is closed (required to close).
    pub reason: Option<String>,
}

/// Moves a need, refusing a move the workflow does not allow or that another request made first.
async fn moved(db: &Db, by: &Acting, n: &Need, m: Move<'_>) -> AppResult<NeedView> {
    if !n.status.may_become(m.to) {
        return Err(AppError::field("status", "err.need_state"));
    }
    let mut tx = db.begin().await?;
    if !store::move_need(&mut tx, &by.actor(), n, &m).await? {
        return Err(AppError::field("status", "err.need_moved"));
    }
    if m.step == NeedStep::Dispatched {
        if let Some(team) = m.team_id {
            crate::features::notifications::events::need_dispatched(
                &mut tx,
                n.id,
                n.category.label(),
                &n.community_name,
                team,
            )
            .await?;
        }
    }
    tx.commit().await?;
    view(db, by, n.id).await
}

fn step(to: NeedStatus, step: NeedStep, team: Option<i64>, note: &str) -> Move<'_> {
    Move {
        to,
        step,
        team_id: team,
        event_team_id: team,
        activity_id: None,
        note,
        response_secs: None,
    }
}

pub async fn review(db: &Db, by: &Acting, id: i64, input: &ReviewInput) -> AppResult<NeedView> {
    let n = get_need(db, id).await?;
    let place = place_of(db, &n).await?;
    let p = by.user()?;
    if !policy::allows(p, Action::View, &Object::Need(place.clone())) {
        return Err(AppError::NotFound);
    }
    ensure(p, Action::Update, &Object::Need(place))?;
    let mut errors = vec![];
    let reason = free_text("reason", input.reason.as_deref(), 500, &mut errors);
    validated(errors)?;
    match input.decision.trim() {
        "publish" => moved(db, by, &n, step(NeedStatus::Published, NeedStep::Published, None, "")).await,
        "close" if reason.is_empty() => Err(AppError::field("reason", "err.need_reason")),
        "close" => moved(db, by, &n, step(NeedStatus::Closed, NeedStep::Closed, None, &reason)).await,
        _ => Err(AppError::field("decision", "err.need_decision")),
    }
}

/// Where a need is sent: one team, or open for any team to claim.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[schema(as = NeedDispatchInput)]
pub struct DispatchInput {
    /// The team (of a unit paired with the community, or the community's own).
    #[serde(default, deserialize_with = "crate::web::form::lenient_i64")]
    pub team_id: Option<i64>,
    /// `true`: open for any team to claim instead.
    #[serde(default, deserialize_with = "crate::web::form::lenient_bool")]
    pub open: Option<bool>,
    pub note: Option<String>,
}

/// The teams a need may be dispatched to: those of the campaign that reach its community (its
/// paired units' teams, its own teams, its street's).
pub async fn dispatchable_teams(db: &Db, n: &Need) -> AppResult<Vec<Team>> {
    let all = TeamScope::of(policy::Scope::All).expect("all");
    // The units paired with the need's community, asked once (not each team's pairings).
    let paired = crate::db::units::paired_with(db, n.community_id).await?;
    Ok(list_teams(db, n.campaign_id, all, None)
        .await?
        .into_iter()
        .filter(|t| {
            let place = TeamPlace {
                unit_id: t.unit_id,
                community_id: t.community_id,
                street_id: t.street_id,
                paired_community_ids: match t.unit_id {
                    Some(u) if paired.contains(&u) => vec![n.community_id],
                    _ => vec![],
                },
                paired_street_ids: vec![],
            };
            policy::team_reaches(&place, n.community_id, n.street_id)
        })
        .collect())
}

/// The street (its area) or the district dispatches a published need to a team, or opens it
/// for claim; re-dispatches one already sent.
pub async fn dispatch(db: &Db, by: &Acting, id: i64, input: &DispatchInput) -> AppResult<NeedView> {
    let n = get_need(db, id).await?;
    let p = by.user()?;
    if !policy::allows(p, Action::View, &Object::Need(place_of(db, &n).await?)) {
        return Err(AppError::NotFound);
    }
    ensure(p, Action::Update, &Object::NeedDispatch { street_id: n.street_id })?;
    let mut errors = vec![];
    let note = free_text("note", input.note.as_deref(), 500, &mut errors);
    validated(errors)?;
    if input.open == Some(true) {
        return moved(db, by, &n, step(NeedStatus::Open, NeedStep::Opened, None, &note)).await;
    }
    let team_id = input
        .team_id
        .ok_or_else(|| AppError::field("team_id", "err.required"))?;
    let team = get_team(db, team_id)
        .await?
        .filter(|t| t.campaign_id == n.campaign_id)
        .ok_or_else(|| AppError::field("team_id", "err.need_team"))?;
    let place = team_place(db, &team).await?;
    if !policy::team_reaches(&place, n.community_id, n.street_id) {
        return Err(AppError::field("team_id", "err.need_team"));
    }
    if n.status == NeedStatus::Dispatched && n.team_id == Some(team_id) {
        return Err(AppError::field("team_id", "err.need_same_team"));
    }
    moved(
        db,
        by,
        &n,
        step(NeedStatus::Dispatched, NeedStep::Dispatched, Some(team_id), &note),
    )
    .await
}

/// Why the dispatcher takes a need back to the queue.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[schema(as = NeedCancelInput)]
pub struct CancelInput {
    pub reason: Option<String>,
}

/// The dispatcher takes a dispatched, open or accepted need back to the queue (published).
pub async fn cancel(db: &Db, by: &Acting, id: i64, input: &CancelInput) -> AppResult<NeedView> {
    let n = get_need(db, id).await?;
    let p = by.user()?;
    if !policy::allows(p, Action::View, &Object::Need(place_of(db, &n).await?)) {
        return Err(AppError::NotFound);
    }
    ensure(p, Action::Update, &Object::NeedDispatch { street_id: n.street_id })?;
    let mut errors = vec![];
    let reason = required_text("reason", input.reason.as_deref(), 500, &mut errors);
    validated(errors)?;
    if n.status == NeedStatus::Published {
        return Err(AppError::field("status", "err.need_state"));
    }
    let m = Move {
        event_team_id: n.team_id,
        ..step(NeedStatus::Published, NeedStep::Cancelled, None, &reason)
    };
    moved(db, by, &n, m).await
}

/// A team's answer to a need dispatched to it, or its claim of an open need.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[schema(as = NeedAnswerInput)]
pub struct AnswerInput {
    /// `accept` or `decline` (a dispatched need); `claim` (an open need).
    pub answer: String,
    /// The claiming team (claims only; a dispatched need's team is the one it was sent to).
    #[serde(default, deserialize_with = "crate::web::form::lenient_i64")]
    pub team_id: Option<i64>,
    /// Why the team declines (required to decline).
    pub reason: Option<String>,
}

/// The team accepts (a draft activity is made in the community and linked), claims an open
/// need the same way, or declines with a reason (back to the dispatcher's queue).
pub async fn answer(db: &Db, by: &Acting, id: i64, input: &AnswerInput) -> AppResult<NeedView> {
    let n = get_need(db, id).await?;
    let p = by.user()?;
    if !policy::allows(p, Action::View, &Object::Need(place_of(db, &n).await?)) {
        return Err(AppError::NotFound);
    }
    let choice = input.answer.trim();
    let team_id = match choice {
        "claim" => {
            if n.status != NeedStatus::Open {
                return Err(AppError::field("status", "err.need_state"));
            }
            input
                .team_id
                .ok_or_else(|| AppError::field("team_id", "err.required"))?
        }
        "accept" | "decline" => {
            if n.status != NeedStatus::Dispatched {
                return Err(AppError::field("status", "err.need_state"));
            }
            n.team_id.ok_or_else(|| AppError::field("team_id", "err.need_team"))?
        }
        _ => return Err(AppError::field("answer", "err.need_answer")),
    };
    let Some((team, _)) = answerable_team(db, by, team_id).await? else {
        return Err(if choice == "claim" {
            AppError::field("team_id", "err.need_team")
        } else {
            AppError::Forbidden
        });
    };
    if team.campaign_id != n.campaign_id {
        return Err(AppError::field("team_id", "err.need_team"));
    }
    let t = now();
    if choice == "decline" {
        let mut errors = vec![];
        let reason = required_text("reason", input.reason.as_deref(), 500, &mut errors);
        validated(errors)?;
        let mut tx = db.begin().await?;
        let asked = store::asked_at(&mut tx, n.id, team_id).await?.unwrap_or(n.step_at);
        let m = Move {
            event_team_id: Some(team_id),
            response_secs: Some(t - asked),
            ..step(NeedStatus::Published, NeedStep::Declined, None, &reason)
        };
        if !store::move_need(&mut tx, &by.actor(), &n, &m).await? {
            return Err(AppError::field("status", "err.need_moved"));
        }
        tx.commit().await?;
        return view(db, by, n.id).await;
    }
    // Accepting or claiming: the team's draft activity in the community, on the wished day.
    let place = team_place(db, &team).await?;
    let day = chrono::NaiveDate::parse_from_str(&n.wished_from, "%Y-%m-%d").unwrap_or_default();
    let starts = day.and_hms_opt(9, 0, 0).unwrap_or_default();
    let activity = ActivityInput {
        team_id: Some(team_id),
        community_id: policy::team_reaches(&place, n.community_id, n.street_id).then_some(n.community_id),
        title: Some(crate::i18n::tf(
            by.lang,
            "need.activity_title",
            &[
                ("category", n.category.label().to_string()),
                ("community", n.community_name.clone()),
            ],
        )),
        category: Some(n.category.code().to_string()),
        dimension: Some(n.dimension.code().to_string()),
        form: Some("scattered".into()),
        address: Some(n.place.clone()),
        starts_at: Some(format_local(
            starts
                .and_local_timezone(crate::domain::dates::china())
                .single()
                .map(|d| d.timestamp())
                .unwrap_or_default(),
        )),
        ends_at: Some(format!("{} 11:00", n.wished_from)),
        capacity: Some(n.head_count),
        open_to: Some(OpenTo::Team.as_str().into()),
        content: Some(n.description.chars().take(2000).collect()),
        leader_name: Some(team.leader_name.clone()),
        leader_phone: Some(team.leader_phone.clone()),
        ..Default::default()
    };
    let mut tx = db.begin().await?;
    let a = crate::features::activities::create_draft_in(db, by, &mut tx, n.campaign_id, &activity).await?;
    let (to_step, response) = if choice == "claim" {
        (NeedStep::Claimed, None)
    } else {
        let asked = store::asked_at(&mut tx, n.id, team_id).await?.unwrap_or(n.step_at);
        (NeedStep::Accepted, Some(t - asked))
    };
    let m = Move {
        to: NeedStatus::Accepted,
        step: to_step,
        team_id: Some(team_id),
        event_team_id: Some(team_id),
        activity_id: Some(a.id),
        note: "",
        response_secs: response,
    };
    if !store::move_need(&mut tx, &by.actor(), &n, &m).await? {
        return Err(AppError::field("status", "err.need_moved"));
    }
    tx.commit().await?;
    view(db, by, n.id).await
}

/// A rating (评单): 1–5 stars and a comment.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[schema(as = NeedRateInput)]
pub struct RateInput {
    #[serde(default, deserialize_with = "crate::web::form::lenient_i64")]
    pub stars: Option<i64>,
    pub comment: Option<String>,
}

/// Checks a rating and records it once for `rater`; a second one is refused (409).
pub(super) async fn rate_as(db: &Db, by: &Acting, n: &Need, rater: Rater, input: &RateInput) -> AppResult<()> {
    if n.status != NeedStatus::Fulfilled {
        return Err(AppError::field("status", "err.need_not_fulfilled"));
    }
    let mut errors = vec![];
    let s = input.stars.and_then(stars);
    if s.is_none() {
        errors.push(FieldError::new("stars", "err.need_stars"));
    }
    let comment = free_text("comment", input.comment.as_deref(), 500, &mut errors);
    validated(errors)?;
    let mut tx = db.begin().await?;
    if !store::rate(&mut tx, &by.actor(), n, rater, s.expect("checked"), &comment).await? {
        return Err(AppError::Conflict(vec![FieldError::new("stars", "err.need_rated")]));
    }
    tx.commit().await?;
    Ok(())
}

/// The community (or its street, or the district) rates a fulfilled need, once.
pub async fn rate(db: &Db, by: &Acting, id: i64, input: &RateInput) -> AppResult<NeedView> {
    let n = get_need(db, id).await?;
    let place = place_of(db, &n).await?;
    let p = by.user()?;
    if !policy::allows(p, Action::View, &Object::Need(place.clone())) {
        return Err(AppError::NotFound);
    }
    ensure(p, Action::Update, &Object::Need(place))?;
    rate_as(db, by, &n, Rater::Community, input).await?;
    view(db, by, id).await
}

/// Per team of the active campaign: received, accepted, fulfilled, median response time and
/// average rating (the district all teams, a street or unit those it sees).
pub async fn team_figures(db: &Db, by: &Acting) -> AppResult<Vec<TeamFigures>> {
    let p = by.user()?;
    let campaign = active(db).await?;
    let scope = TeamScope::of(policy::list_scope(p, Listing::Teams)).ok_or(AppError::Forbidden)?;
    let all = store::team_figures(db, campaign.id).await?;
    if scope.all {
        return Ok(all);
    }
    let mine: Vec<i64> = list_teams(db, campaign.id, scope, None)
        .await?
        .iter()
        .map(|t| t.id)
        .collect();
    Ok(all.into_iter().filter(|f| mine.contains(&f.team_id)).collect())
}
