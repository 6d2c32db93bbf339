//! The dispatch's rules: the district creates and reviews; a team answers while its answer is
//! open (accepting names at least the head count from its roster and makes its activity).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::policy::{self, Action, Listing, Object};
use crate::auth::Acting;
use crate::db::audit;
use crate::db::dispatches::{self as store, Dispatch, DispatchTeam, NewDispatch, TeamCount};
use crate::db::teams::{get_team, list_teams, Team, TeamScope};
use crate::db::volunteers::{members, Member};
use crate::db::{now, Db};
use crate::domain::activity::{AddedBy, OpenTo};
use crate::domain::campaign::parse_categories;
use crate::domain::dispatch::{may_answer, may_review, AnswerChoice, ReviewDecision};
use crate::domain::service::{format_local, parse_local, Dimension};
use crate::error::{AppError, AppResult, FieldError};
use crate::features::activities::ActivityInput;
use crate::features::campaign::service::{active, team_place};
use crate::features::{ensure, free_text, required_text, validated};

/// An action with its teams (the fulfilment view).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct DispatchView {
    #[serde(flatten)]
    pub dispatch: Dispatch,
    pub teams: Vec<DispatchTeam>,
    pub required: i64,
    pub named: i64,
    pub present: i64,
}

async fn get_dispatch(db: &Db, id: i64) -> AppResult<Dispatch> {
    store::get_dispatch(db, id).await?.ok_or(AppError::NotFound)
}

/// Whether the caller is the district (creates actions, reviews declines, sees every team).
pub fn is_district(by: &Acting) -> AppResult<bool> {
    Ok(policy::allows(by.user()?, Action::Update, &Object::Campaign))
}

/// The team, if the caller may answer for it.
async fn answerable_team(db: &Db, by: &Acting, team_id: i64) -> AppResult<Option<Team>> {
    let Some(team) = get_team(db, team_id).await? else {
        return Ok(None);
    };
    let place = team_place(db, &team).await?;
    Ok(policy::allows(by.user()?, Action::Update, &Object::Team(place)).then_some(team))
}

/// The teams of the action the caller may see (the district all, others their own).
async fn visible_teams(db: &Db, by: &Acting, teams: Vec<DispatchTeam>) -> AppResult<Vec<DispatchTeam>> {
    let p = by.user()?;
    if is_district(by)? {
        return Ok(teams);
    }
    let mut out = vec![];
    for t in teams {
        if let Some(team) = get_team(db, t.team_id).await? {
            let place = team_place(db, &team).await?;
            if policy::allows(p, Action::View, &Object::Team(place)) {
                out.push(t);
            }
        }
    }
    Ok(out)
}

pub async fn view(db: &Db, by: &Acting, id: i64) -> AppResult<DispatchView> {
    let dispatch = get_dispatch(db, id).await?;
    let teams = visible_teams(db, by, store::teams_of(db, id).await?).await?;
    if teams.is_empty() && !is_district(by)? {
        return Err(AppError::NotFound);
    }
    Ok(DispatchView {
        required: teams.iter().map(|t| t.required).sum(),
        named: teams.iter().map(|t| t.named).sum(),
        present: teams.iter().map(|t| t.present).sum(),
        dispatch,
        teams,
    })
}

pub async fn list(db: &Db, by: &Acting) -> AppResult<Vec<DispatchView>> {
    let p = by.user()?;
    if TeamScope::of(policy::list_scope(p, Listing::Teams)).is_none() {
        return Err(AppError::Forbidden);
    }
    let campaign = active(db).await?;
    let mut out = vec![];
    for id in store::dispatch_ids(db, campaign.id).await? {
        match view(db, by, id).await {
            Ok(v) => out.push(v),
            Err(AppError::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// A new action and the teams it dispatches.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct DispatchInput {
    pub title: Option<String>,
    pub target: Option<String>,
    pub description: Option<String>,
    pub category: Option<String>,
    pub dimension: Option<String>,
    pub address: Option<String>,
    /// `YYYY-MM-DD HH:MM`, China time.
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    /// Each team with its required head count.
    pub teams: Vec<TeamCount>,
}

/// The teams an action may dispatch: every team of the active campaign (the district).
pub async fn dispatchable_teams(db: &Db, by: &Acting) -> AppResult<Vec<Team>> {
    ensure(by.user()?, Action::Update, &Object::Campaign)?;
    let campaign = active(db).await?;
    let all = TeamScope::of(policy::Scope::All).expect("all");
    Ok(list_teams(db, campaign.id, all, None).await?)
}

pub async fn create(db: &Db, by: &Acting, input: &DispatchInput) -> AppResult<DispatchView> {
    ensure(by.user()?, Action::Update, &Object::Campaign)?;
    let campaign = active(db).await?;
    let mut errors = vec![];
    let title = required_text("title", input.title.as_deref(), 100, &mut errors);
    let target = required_text("target", input.target.as_deref(), 100, &mut errors);
    let description = free_text("description", input.description.as_deref(), 2000, &mut errors);
    let category = match parse_categories(input.category.as_deref().unwrap_or("")) {
        Ok(c) if c.len() == 1 => Some(c[0]),
        _ => {
            errors.push(
                FieldError::new("category", "err.category_unknown")
                    .with("value", input.category.clone().unwrap_or_default()),
            );
            None
        }
    };
    let dimension = input.dimension.as_deref().and_then(Dimension::from_code);
    if dimension.is_none() {
        errors.push(FieldError::new("dimension", "err.dimension_unknown"));
    }
    let address = required_text("address", input.address.as_deref(), 200, &mut errors);
    let starts = input.starts_at.as_deref().and_then(parse_local);
    let ends = input.ends_at.as_deref().and_then(parse_local);
    if starts.is_none() {
        errors.push(FieldError::new("starts_at", "err.datetime"));
    }
    if ends.is_none() {
        errors.push(FieldError::new("ends_at", "err.datetime"));
    }
    if let (Some(s), Some(e)) = (starts, ends) {
        if e <= s {
            errors.push(FieldError::new("ends_at", "err.ends_before_start"));
        } else if e - s > 7 * 86400 {
            // Each team's part becomes an activity, which lasts at most 7 days.
            errors.push(FieldError::new("ends_at", "err.activity_too_long"));
        } else if e < now() {
            errors.push(FieldError::new("ends_at", "err.activity_in_past"));
        }
    }
    if input.teams.is_empty() {
        errors.push(FieldError::new("teams", "err.dispatch_no_teams"));
    }
    let mut seen = vec![];
    for tc in &input.teams {
        match get_team(db, tc.team_id).await? {
            Some(t) if t.campaign_id == campaign.id => {}
            _ => errors.push(FieldError::new("teams", "err.not_found")),
        }
        if !(1..=1000).contains(&tc.required) {
            errors.push(FieldError::new("teams", "err.head_count"));
        }
        if seen.contains(&tc.team_id) {
            errors.push(FieldError::new("teams", "err.team_twice"));
        }
        seen.push(tc.team_id);
    }
    validated(errors)?;
    let (Some(category), Some(dimension)) = (category, dimension) else {
        unreachable!("an unknown category or dimension is an error above")
    };
    let new = NewDispatch {
        campaign_id: campaign.id,
        title,
        target,
        description,
        category,
        dimension,
        address,
        starts_at: starts.unwrap_or_default(),
        ends_at: ends.unwrap_or_default(),
    };
    let mut tx = db.begin().await?;
    let id = store::create_dispatch(&mut tx, &by.actor(), &new, &input.teams).await?;
    let teams: Vec<(i64, i64)> = input.teams.iter().map(|t| (t.team_id, t.required)).collect();
    crate::features::notifications::events::dispatch_received(&mut tx, id, &new.title, new.starts_at, &teams).await?;
    tx.commit().await?;
    view(db, by, id).await
}

/// A team's answer.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[schema(as = DispatchAnswerInput)]
pub struct AnswerInput {
    /// `accept` or `decline`.
    pub answer: String,
    /// The volunteers who will go (accepting): at least the head count, from the team's roster.
    #[serde(default)]
    pub volunteer_ids: Vec<i64>,
    /// Why the team cannot go (declining).
    pub reason: Option<String>,
}

/// A team accepts with named volunteers (its activity for the action is made) or declines with
/// a reason.
pub async fn answer(db: &Db, by: &Acting, id: i64, team_id: i64, input: &AnswerInput) -> AppResult<DispatchTeam> {
    let d = get_dispatch(db, id).await?;
    let team = get_team(db, team_id).await?.ok_or(AppError::NotFound)?;
    let place = team_place(db, &team).await?;
    ensure(by.user()?, Action::Update, &Object::Team(place))?;
    let mut tx = db.begin().await?;
    let line = store::team_line(&mut tx, id, team_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !may_answer(line.answer, line.review) {
        return Err(AppError::field("answer", "err.dispatch_answered"));
    }
    let t = now();
    match AnswerChoice::parse(&input.answer) {
        Some(AnswerChoice::Accept) => {
            let roster = members(db, team_id).await?;
            let mut ids = input.volunteer_ids.clone();
            ids.sort_unstable();
            ids.dedup();
            if ids.iter().any(|v| !roster.iter().any(|m| m.volunteer.id == *v)) {
                return Err(AppError::field("volunteer_ids", "err.not_on_roster"));
            }
            if (ids.len() as i64) < line.required {
                return Err(AppError::Validation(vec![FieldError::new(
                    "volunteer_ids",
                    "err.head_count_short",
                )
                .with("required", line.required)
                .with("named", ids.len())]));
            }
            if d.ends_at <= t {
                return Err(AppError::field("answer", "err.activity_in_past"));
            }
            let input_activity = ActivityInput {
                team_id: Some(team_id),
                title: Some(d.title.clone()),
                theme: Some(d.target.clone()),
                category: Some(d.category.code().to_string()),
                dimension: Some(d.dimension.code().to_string()),
                address: Some(d.address.clone()),
                starts_at: Some(format_local(d.starts_at)),
                ends_at: Some(format_local(d.ends_at)),
                capacity: Some(ids.len() as i64),
                open_to: Some(OpenTo::Team.as_str().into()),
                content: Some(d.description.clone()),
                leader_name: Some(team.leader_name.clone()),
                leader_phone: Some(team.leader_phone.clone()),
                ..Default::default()
            };
            let a =
                crate::features::activities::create_for_dispatch(db, by, &mut tx, d.campaign_id, &input_activity, d.id)
                    .await?;
            for v in &ids {
                crate::db::signups::sign_up(&mut tx, &by.actor(), &a, *v, AddedBy::Dispatch).await?;
                store::name_volunteer(&mut tx, line.id, *v).await?;
            }
            store::set_accepted(&mut tx, line.id, a.id, t).await?;
        }
        Some(AnswerChoice::Decline) => {
            let mut errors = vec![];
            let reason = required_text("reason", input.reason.as_deref(), 500, &mut errors);
            validated(errors)?;
            store::set_declined(&mut tx, line.id, &reason, t).await?;
        }
        None => return Err(AppError::field("answer", "err.dispatch_answer")),
    }
    let label = format!("{} · {}", d.title, team.name);
    let after = audit::updated_as(&mut tx, &by.actor(), line.id, &line, Some(label.as_str())).await?;
    crate::features::notifications::events::dispatch_answered(&mut tx, id, &d.title, &after).await?;
    tx.commit().await?;
    Ok(after)
}

/// The district's review of a decline.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[schema(as = DispatchReview)]
pub struct ReviewInput {
    /// `approve` (the decline stands) or `reject` (the team must answer again).
    pub decision: String,
    pub note: Option<String>,
}

pub async fn review(db: &Db, by: &Acting, id: i64, team_id: i64, input: &ReviewInput) -> AppResult<DispatchTeam> {
    ensure(by.user()?, Action::Update, &Object::Campaign)?;
    let d = get_dispatch(db, id).await?;
    let mut tx = db.begin().await?;
    let line = store::team_line(&mut tx, id, team_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !may_review(line.answer, line.review) {
        return Err(AppError::field("decision", "err.dispatch_nothing_to_review"));
    }
    let mut errors = vec![];
    let note = free_text("note", input.note.as_deref(), 500, &mut errors);
    let decision = ReviewDecision::parse(&input.decision);
    match decision {
        Some(ReviewDecision::Reject) if note.is_empty() => {
            errors.push(FieldError::new("note", "err.review_note_required"));
        }
        None => errors.push(FieldError::new("decision", "err.dispatch_answer")),
        _ => {}
    }
    validated(errors)?;
    let Some(decision) = decision else {
        return Err(AppError::field("decision", "err.dispatch_answer"));
    };
    store::set_review(&mut tx, line.id, decision.review(), &note).await?;
    let label = format!("{} · {}", d.title, line.team_name);
    let after = audit::updated_as(&mut tx, &by.actor(), line.id, &line, Some(label.as_str())).await?;
    crate::features::notifications::events::dispatch_reviewed(&mut tx, id, &d.title, &after).await?;
    tx.commit().await?;
    Ok(after)
}

/// The teams on an action the caller may answer for now, each with its roster.
pub async fn answerable(db: &Db, by: &Acting, v: &DispatchView) -> AppResult<Vec<(DispatchTeam, Vec<Member>)>> {
    let mut out = vec![];
    for t in &v.teams {
        if may_answer(t.answer, t.review) && answerable_team(db, by, t.team_id).await?.is_some() {
            out.push((t.clone(), members(db, t.team_id).await?));
        }
    }
    Ok(out)
}
