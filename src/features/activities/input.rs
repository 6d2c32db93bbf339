//! What an activity form or API body says, and the check that turns it into fields to store
//! (the lookups and policy here; the pure rules in `domain::activity`).

use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::policy::{self, Action, Object};
use crate::auth::Acting;
use crate::db::activities::{Activity, ActivityFields};
use crate::db::{activities, communities, teams, Db};
use crate::domain::activity::{self as rules, ActivityForm, Problem};
use crate::domain::service::format_local;
use crate::error::{AppError, AppResult, FieldError};
use crate::features::{optional_phone, optional_text, validated};
use crate::web::form::{lenient_bool, lenient_i64};

/// The largest photo accepted.
pub const PHOTO_MAX: usize = 5 * 1024 * 1024;

/// An activity as typed on the form or sent to the API. Times are China time,
/// `YYYY-MM-DD HH:MM`.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct ActivityInput {
    #[serde(default, deserialize_with = "lenient_i64")]
    pub team_id: Option<i64>,
    /// Co-organising teams (API only).
    pub co_team_ids: Option<Vec<i64>>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub community_id: Option<i64>,
    pub title: Option<String>,
    pub theme: Option<String>,
    pub category: Option<String>,
    pub dimension: Option<String>,
    /// `concentrated` or `scattered` (dispatched activities come from a dispatched action).
    pub form: Option<String>,
    pub address: Option<String>,
    pub lat: Option<String>,
    pub lng: Option<String>,
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub capacity: Option<i64>,
    /// `team` or `all`.
    pub open_to: Option<String>,
    pub signup_opens_at: Option<String>,
    pub signup_closes_at: Option<String>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub min_age: Option<i64>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub max_age: Option<i64>,
    pub skills: Option<String>,
    pub content: Option<String>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub risky: Option<bool>,
    pub risk_statement: Option<String>,
    pub insurance: Option<String>,
    pub leader_name: Option<String>,
    pub leader_phone: Option<String>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub code_rotates: Option<bool>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub geofence_m: Option<i64>,
}

impl ActivityInput {
    pub fn of(a: &Activity) -> ActivityInput {
        let opt = |v: Option<i64>| v.map(format_local);
        ActivityInput {
            team_id: Some(a.team_id),
            co_team_ids: None,
            community_id: a.community_id,
            title: Some(a.title.clone()),
            theme: Some(a.theme.clone()),
            category: Some(a.category.code().to_string()),
            dimension: Some(a.dimension.code().to_string()),
            form: Some(a.form.as_str().to_string()),
            address: Some(a.address.clone()),
            lat: a.lat.map(|v| v.to_string()),
            lng: a.lng.map(|v| v.to_string()),
            starts_at: Some(format_local(a.starts_at)),
            ends_at: Some(format_local(a.ends_at)),
            capacity: Some(a.capacity),
            open_to: Some(a.open_to.as_str().to_string()),
            signup_opens_at: opt(a.signup_opens_at),
            signup_closes_at: opt(a.signup_closes_at),
            min_age: a.min_age,
            max_age: a.max_age,
            skills: Some(a.skills.clone()),
            content: Some(a.content.clone()),
            risky: Some(a.risky),
            risk_statement: Some(a.risk_statement.clone()),
            insurance: Some(a.insurance.clone()),
            leader_name: Some(a.leader_name.clone()),
            leader_phone: Some(a.leader_phone.clone()),
            code_rotates: Some(a.code_rotates),
            geofence_m: a.geofence_m,
        }
    }
}

/// A China-time field, as a field error when it does not read.
pub fn time_field(field: &'static str, v: Option<&str>, required: bool, errors: &mut Vec<FieldError>) -> Option<i64> {
    noted(rules::time(field, v, required), errors)
}

/// The value a rule gives, or its default with the rule's problem noted.
fn noted<T: Default>(r: Result<T, Problem>, errors: &mut Vec<FieldError>) -> T {
    r.unwrap_or_else(|p| {
        errors.push(p.into());
        T::default()
    })
}

/// Checks an activity's fields; `dispatch` is set for a dispatched action's activity.
pub(super) async fn check(
    db: &Db,
    by: &Acting,
    input: &ActivityInput,
    before: Option<&Activity>,
    dispatch: Option<i64>,
) -> AppResult<ActivityFields> {
    let p = by.user()?;
    let mut errors = vec![];
    let campaign = crate::features::campaign::active(db).await?;
    // The organising team: one the caller runs, in the active campaign.
    let mut main_place = None;
    let team_id = match input.team_id {
        None => {
            errors.push(FieldError::new("team_id", "err.required"));
            0
        }
        Some(id) => match teams::get_team(db, id).await? {
            Some(t) if t.campaign_id == campaign.id => {
                let place = crate::features::teams::place(db, &t).await?;
                if !policy::allows(p, Action::Update, &Object::Team(place.clone())) {
                    return Err(AppError::Forbidden);
                }
                main_place = Some(place);
                id
            }
            _ => {
                errors.push(FieldError::new("team_id", "err.not_found"));
                0
            }
        },
    };
    // Only the organising team's staff hand the activity to another team.
    if let Some(b) = before.filter(|b| b.team_id != team_id && team_id != 0) {
        let main = teams::get_team(db, b.team_id).await?.ok_or(AppError::NotFound)?;
        let place = crate::features::teams::place(db, &main).await?;
        if !policy::allows(p, Action::Update, &Object::Team(place)) {
            return Err(AppError::Forbidden);
        }
    }
    // Co-organisers: kept as they are unless given; each one given must be a team the caller runs.
    let mut co_team_ids = vec![];
    match &input.co_team_ids {
        None => {
            if let Some(b) = before {
                co_team_ids = activities::activity_team_ids(db, b.id)
                    .await?
                    .into_iter()
                    .filter(|t| *t != b.team_id && *t != team_id)
                    .collect();
            }
        }
        Some(ids) => {
            for id in ids {
                match teams::get_team(db, *id).await? {
                    Some(t) if t.campaign_id == campaign.id => {
                        let place = crate::features::teams::place(db, &t).await?;
                        if !policy::allows(p, Action::Update, &Object::Team(place)) {
                            return Err(AppError::Forbidden);
                        }
                        co_team_ids.push(*id)
                    }
                    _ => errors.push(FieldError::new("co_team_ids", "err.not_found")),
                }
            }
        }
    }
    let community_id = match input.community_id {
        None => None,
        Some(id) => {
            match communities::get_community(db, id).await? {
                None => errors.push(FieldError::new("community_id", "err.not_found")),
                // A team serves where it belongs (its community, its unit's paired communities,
                // its street); a dispatched action goes where the district sent it; the
                // district places any activity.
                Some(c) => {
                    let reaches = main_place
                        .as_ref()
                        .is_some_and(|t| policy::team_reaches(t, c.id, c.street_id));
                    let unchanged = before.is_some_and(|b| b.community_id == Some(id));
                    if !(reaches
                        || unchanged
                        || dispatch.is_some()
                        || policy::allows(p, Action::Update, &Object::Campaign))
                    {
                        errors.push(FieldError::new("community_id", "err.community_out_of_reach"));
                    }
                }
            }
            Some(id)
        }
    };
    let title = crate::features::required_text("title", input.title.as_deref(), 100, &mut errors);
    let theme = crate::features::free_text("theme", input.theme.as_deref(), 100, &mut errors);
    let category = noted(rules::category(input.category.as_deref()).map(Some), &mut errors);
    let dimension = noted(rules::dimension(input.dimension.as_deref()).map(Some), &mut errors);
    let was_dispatched = before.is_some_and(|b| b.form == ActivityForm::Dispatched);
    let form = noted(
        rules::form(input.form.as_deref(), dispatch.is_some(), was_dispatched),
        &mut errors,
    );
    let address = crate::features::required_text("address", input.address.as_deref(), 200, &mut errors);
    let lat = noted(rules::coordinate("lat", input.lat.as_deref(), 90.0), &mut errors);
    let lng = noted(rules::coordinate("lng", input.lng.as_deref(), 180.0), &mut errors);
    errors.extend(rules::coordinate_pair(lat, lng).map(FieldError::from));
    let starts_at = time_field("starts_at", input.starts_at.as_deref(), true, &mut errors);
    let ends_at = time_field("ends_at", input.ends_at.as_deref(), true, &mut errors);
    if let (Some(s), Some(e)) = (starts_at, ends_at) {
        errors.extend(rules::span(s, e).map(FieldError::from));
    }
    if let (Some(s), ActivityForm::Concentrated) = (starts_at, form) {
        let (_, days) = crate::features::calendar::list(db, by).await?;
        let days = days.iter().map(|d| (d.month, d.day.as_str()));
        errors.extend(rules::concentrated_day(s, days).map(FieldError::from));
    }
    let capacity = noted(rules::capacity(input.capacity, before.map(|b| b.taken)), &mut errors);
    let open_to = noted(rules::open_to(input.open_to.as_deref()), &mut errors);
    let signup_opens_at = time_field("signup_opens_at", input.signup_opens_at.as_deref(), false, &mut errors);
    let signup_closes_at = time_field(
        "signup_closes_at",
        input.signup_closes_at.as_deref(),
        false,
        &mut errors,
    );
    errors.extend(
        rules::signup_window(signup_opens_at, signup_closes_at, ends_at)
            .into_iter()
            .map(FieldError::from),
    );
    errors.extend(
        rules::ages(input.min_age, input.max_age)
            .into_iter()
            .map(FieldError::from),
    );
    let skills = crate::features::free_text("skills", input.skills.as_deref(), 200, &mut errors);
    let content = crate::features::free_text("content", input.content.as_deref(), 2000, &mut errors);
    let risky = input.risky.unwrap_or(false);
    let risk_statement =
        crate::features::free_text("risk_statement", input.risk_statement.as_deref(), 1000, &mut errors);
    errors.extend(rules::risk(risky, &risk_statement).map(FieldError::from));
    let insurance = crate::features::free_text("insurance", input.insurance.as_deref(), 200, &mut errors);
    let leader_name = optional_text("leader_name", input.leader_name.as_deref(), 50, &mut errors);
    let leader_phone = optional_phone("leader_phone", input.leader_phone.as_deref(), &mut errors);
    let geofence_m = noted(rules::geofence(input.geofence_m, lat.is_some()), &mut errors);
    validated(errors)?;
    let (Some(category), Some(dimension)) = (category, dimension) else {
        unreachable!("an unknown category or dimension is an error above")
    };
    Ok(ActivityFields {
        team_id,
        co_team_ids,
        community_id,
        dispatch_id: dispatch.or(before.and_then(|b| b.dispatch_id)),
        title,
        theme,
        category,
        dimension,
        form,
        address,
        lat,
        lng,
        starts_at: starts_at.unwrap_or_default(),
        ends_at: ends_at.unwrap_or_default(),
        capacity,
        open_to,
        signup_opens_at,
        signup_closes_at,
        min_age: input.min_age,
        max_age: input.max_age,
        skills,
        content,
        risky,
        risk_statement,
        insurance,
        leader_name,
        leader_phone,
        code_rotates: input.code_rotates.unwrap_or(false),
        geofence_m,
    })
}
