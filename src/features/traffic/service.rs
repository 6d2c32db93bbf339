//! The traffic list's rules: who qualifies, who may pick, submit and see it in full; the police
//! brigade's trainings; 附件3 written and read.

use std::collections::HashMap;

use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::policy::{self, Action, Object, Role, Scope};
use crate::auth::Acting;
use crate::db::audit::{Op, Subject};
use crate::db::campaigns::Campaign;
use crate::db::teams::{list_teams, TeamScope};
use crate::db::traffic::{self as store, NewTraining, TrafficVolunteer, Training};
use crate::db::volunteers::{members, Member};
use crate::db::{units, Db};
use crate::domain::campaign::{parse_form_date, traffic_eligibility};
use crate::domain::politics::PoliticalStatus;
use crate::error::{AppError, AppResult, FieldError};
use crate::excel::forms::traffic::{self as form, TITLE, UPLOAD_COLUMNS};
use crate::excel::{CellError, ImportReport};
use crate::features::campaign::service::{active, log};
use crate::features::{ensure, required_name, validated};
use crate::i18n::{t, tf};
use crate::state::AppState;
use crate::web::form::lenient_i64;

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct PickInput {
    #[serde(default, deserialize_with = "lenient_i64")]
    pub unit_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub volunteer_id: Option<i64>,
}

/// The unit a request is about: a unit's staff always their own.
pub fn unit_of(by: &Acting, given: Option<i64>) -> AppResult<Option<i64>> {
    let p = by.user()?;
    Ok(if p.role == Role::UnitAdmin { p.unit_id } else { given })
}

/// What the policy is asked about a list: one unit's, or everyone's (the brigade's view).
pub fn list_object(unit: Option<i64>) -> Object {
    match unit {
        Some(u) => Object::TrafficList { unit_id: u },
        None => Object::Training,
    }
}

/// The traffic volunteers the caller may see: a unit its own, the police and district everyone's.
pub async fn list(db: &Db, by: &Acting, unit_id: Option<i64>) -> AppResult<(Campaign, Vec<TrafficVolunteer>)> {
    let campaign = active(db).await?;
    let unit = unit_of(by, unit_id)?;
    ensure(by.user()?, Action::View, &list_object(unit))?;
    let list = store::traffic_volunteers(db, campaign.id, unit).await?;
    Ok((campaign, list))
}

/// The list, masked unless the caller asks (`reveal`) and may see it in full (asking without
/// being allowed is refused); answers whether it is in full.
async fn list_shown(
    db: &Db,
    by: &Acting,
    unit_id: Option<i64>,
    reveal: bool,
) -> AppResult<(Campaign, Vec<TrafficVolunteer>, bool)> {
    let (campaign, mut list) = list(db, by, unit_id).await?;
    let full = reveal && {
        if !policy::may_reveal(by.user()?, &list_object(unit_of(by, unit_id)?)) {
            return Err(AppError::Forbidden);
        }
        true
    };
    if !full {
        for x in &mut list {
            crate::features::privacy::mask_volunteer(&mut x.volunteer);
        }
    }
    Ok((campaign, list, full))
}

/// The list as the API shows it; a full view is written to the audit trail.
pub async fn view(db: &Db, by: &Acting, unit_id: Option<i64>, reveal: bool) -> AppResult<Vec<TrafficVolunteer>> {
    let (campaign, volunteers, full) = list_shown(db, by, unit_id, reveal).await?;
    if full {
        let details = serde_json::json!({"rows": volunteers.len(), "unit_id": unit_id});
        let subject = Subject::new("traffic_list", Some(campaign.id), TITLE);
        log(db, by, Op::ViewUnmasked, subject, &details).await?;
    }
    Ok(volunteers)
}

/// The people on the unit's rosters this campaign, each with whether and why they qualify.
pub async fn candidates(
    db: &Db,
    campaign: &Campaign,
    unit_id: i64,
) -> AppResult<Vec<(Member, Result<&'static str, &'static str>)>> {
    let scope = TeamScope::of(Scope::Unit(unit_id)).expect("a unit scope covers teams");
    let mut out: Vec<(Member, Result<&'static str, &'static str>)> = vec![];
    for team in list_teams(db, campaign.id, scope, None).await? {
        for m in members(db, team.id).await? {
            if out.iter().any(|(o, _)| o.volunteer.id == m.volunteer.id) {
                continue;
            }
            let v = &m.volunteer;
            let fields = crate::domain::volunteer::Person {
                birth_date: v.birth_date.clone(),
                ..Default::default()
            };
            let verdict = traffic_eligibility(
                PoliticalStatus::from_code(&v.political_status),
                fields.age_on(&campaign.reference_date),
            );
            out.push((m, verdict));
        }
    }
    Ok(out)
}

/// Chooses a person from the unit's roster; refuses with the reason when they do not qualify.
pub async fn pick(db: &Db, by: &Acting, input: &PickInput) -> AppResult<()> {
    let campaign = active(db).await?;
    let unit = unit_of(by, input.unit_id)?.ok_or(AppError::field("unit_id", "err.required"))?;
    ensure(by.user()?, Action::Update, &Object::TrafficList { unit_id: unit })?;
    let volunteer = input
        .volunteer_id
        .ok_or(AppError::field("volunteer_id", "err.required"))?;
    let all = candidates(db, &campaign, unit).await?;
    let Some((m, verdict)) = all.into_iter().find(|(m, _)| m.volunteer.id == volunteer) else {
        return Err(AppError::field("volunteer_id", "err.traffic_not_on_roster"));
    };
    let reason = verdict.map_err(|k| AppError::field("volunteer_id", k))?;
    let mut tx = db.begin().await?;
    if !store::add_traffic_volunteer(&mut tx, &by.actor(), campaign.id, unit, m.volunteer.id, reason).await? {
        return Err(AppError::Conflict(vec![FieldError::new(
            "volunteer_id",
            "err.traffic_already",
        )]));
    }
    tx.commit().await?;
    Ok(())
}

/// Takes a person off the unit's list.
pub async fn remove(db: &Db, by: &Acting, input: &PickInput) -> AppResult<()> {
    let campaign = active(db).await?;
    let unit = unit_of(by, input.unit_id)?.ok_or(AppError::field("unit_id", "err.required"))?;
    ensure(by.user()?, Action::Update, &Object::TrafficList { unit_id: unit })?;
    let volunteer = input
        .volunteer_id
        .ok_or(AppError::field("volunteer_id", "err.required"))?;
    let mut tx = db.begin().await?;
    if !store::remove_traffic_volunteer(&mut tx, &by.actor(), campaign.id, unit, volunteer).await? {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

/// Sends the unit's list to the district office (for the board); it needs at least one person.
pub async fn submit(db: &Db, by: &Acting, unit_id: Option<i64>) -> AppResult<()> {
    let campaign = active(db).await?;
    let unit = unit_of(by, unit_id)?.ok_or(AppError::field("unit_id", "err.required"))?;
    ensure(by.user()?, Action::Update, &Object::TrafficList { unit_id: unit })?;
    if store::traffic_volunteers(db, campaign.id, Some(unit)).await?.is_empty() {
        return Err(AppError::field("volunteer_id", "err.traffic_empty"));
    }
    let mut tx = db.begin().await?;
    store::submit_traffic_list(&mut tx, &by.actor(), campaign.id, unit).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct TrainingInput {
    /// `YYYY-MM-DD`.
    pub held_on: Option<String>,
    pub place: Option<String>,
    pub content: Option<String>,
    /// Hours, e.g. 2 or 1.5.
    pub hours: Option<String>,
    /// Traffic volunteers (volunteer ids) who attended.
    #[serde(default)]
    pub attended: Vec<i64>,
    /// Of those, who passed.
    #[serde(default)]
    pub passed: Vec<i64>,
}

/// Records a training session (police brigade); its hours count in each attendee's record.
pub async fn record_training(db: &Db, by: &Acting, input: &TrainingInput) -> AppResult<i64> {
    ensure(by.user()?, Action::Create, &Object::Training)?;
    let campaign = active(db).await?;
    let mut errors = vec![];
    let held_on = parse_form_date(input.held_on.as_deref().unwrap_or("")).unwrap_or_else(|k| {
        errors.push(FieldError::new("held_on", k));
        String::new()
    });
    let place = required_name("place", input.place.as_deref(), &mut errors);
    let content = required_name("content", input.content.as_deref(), &mut errors);
    let minutes = match input
        .hours
        .as_deref()
        .map(str::trim)
        .and_then(|h| h.parse::<f64>().ok())
    {
        Some(h) if h > 0.0 && h <= 24.0 => (h * 60.0).round() as i64,
        _ => {
            errors.push(FieldError::new("hours", "err.hours"));
            0
        }
    };
    let known: Vec<i64> = store::traffic_volunteers(db, campaign.id, None)
        .await?
        .iter()
        .map(|x| x.volunteer.id)
        .collect();
    if input.attended.is_empty() {
        errors.push(FieldError::new("attended", "err.training_nobody"));
    }
    if input.attended.iter().chain(&input.passed).any(|v| !known.contains(v))
        || input.passed.iter().any(|p| !input.attended.contains(p))
    {
        errors.push(FieldError::new("attended", "err.training_unknown"));
    }
    validated(errors)?;
    let attendance: Vec<(i64, bool)> = input.attended.iter().map(|v| (*v, input.passed.contains(v))).collect();
    let training = NewTraining {
        held_on,
        place,
        content,
        minutes,
    };
    let mut tx = db.begin().await?;
    let id = store::record_training(&mut tx, &by.actor(), campaign.id, &training, &attendance).await?;
    tx.commit().await?;
    Ok(id)
}

/// Training sessions of this campaign (police brigade and district).
pub async fn trainings(db: &Db, by: &Acting) -> AppResult<Vec<Training>> {
    ensure(by.user()?, Action::View, &Object::Training)?;
    let campaign = active(db).await?;
    Ok(store::trainings(db, campaign.id).await?)
}

/// The blank 附件3, for anyone signed in.
pub fn template(by: &Acting) -> AppResult<Vec<u8>> {
    by.user()?;
    Ok(form::template()?)
}

/// The traffic volunteers in the layout of 附件3, masked unless `reveal` (for those who may);
/// every export is written to the audit trail (and whether it was full).
pub async fn export(db: &Db, by: &Acting, unit_id: Option<i64>, reveal: bool) -> AppResult<Vec<u8>> {
    let (campaign, list, full) = list_shown(db, by, unit_id, reveal).await?;
    let bytes = form::write(&list)?;
    let summary = serde_json::json!({"rows": list.len(), "unit_id": unit_id, "unmasked": full});
    log(
        db,
        by,
        Op::Export,
        Subject::new("traffic_list", Some(campaign.id), TITLE),
        &summary,
    )
    .await?;
    Ok(bytes)
}

/// Picks the people listed in an uploaded 附件3 from the unit's rosters, all or nothing (the
/// state's upload gate reads the file).
pub async fn import(
    state: &AppState,
    by: &Acting,
    unit_id: i64,
    bytes: &[u8],
    dry_run: bool,
) -> AppResult<ImportReport> {
    let db = &state.db;
    let campaign = active(db).await?;
    let unit = unit_of(by, Some(unit_id))?.ok_or(AppError::NotFound)?;
    ensure(by.user()?, Action::Update, &Object::TrafficList { unit_id: unit })?;
    let rows = crate::web::upload::read(&state.uploads, bytes, UPLOAD_COLUMNS).await?;
    let lang = by.lang;
    let all = candidates(db, &campaign, unit).await?;
    let existing: Vec<i64> = store::traffic_volunteers(db, campaign.id, Some(unit))
        .await?
        .iter()
        .map(|x| x.volunteer.id)
        .collect();
    let mut errors = vec![];
    let mut picks: Vec<(i64, &'static str)> = vec![];
    let mut seen = HashMap::new();
    for r in &rows {
        let name = crate::domain::text::clean_name(&r.cells[0]);
        let id_number = crate::domain::text::fold_width(&r.cells[1]).to_uppercase();
        let phone = crate::domain::phone::Phone::parse(&r.cells[2])
            .map(|p| p.as_str().to_string())
            .unwrap_or_default();
        let found = all.iter().find(|(m, _)| {
            let v = &m.volunteer;
            (!id_number.is_empty() && v.id_number.as_deref() == Some(id_number.as_str()))
                || (crate::domain::text::match_key(&v.name) == crate::domain::text::match_key(&name)
                    && v.phone == phone)
        });
        let err = |column: &str, value: &str, key: &str| CellError {
            row: r.row,
            column: column.into(),
            value: value.into(),
            message: t(lang, key),
        };
        match found {
            None => errors.push(err("姓名", &name, "err.traffic_not_on_roster")),
            Some((_, Err(k))) => errors.push(err("姓名", &name, k)),
            Some((m, Ok(reason))) => {
                if let Some(first) = seen.insert(m.volunteer.id, r.row) {
                    errors.push(CellError {
                        row: r.row,
                        column: "姓名".into(),
                        value: name,
                        message: tf(lang, "err.roster_duplicate", &[("row", first.to_string())]),
                    });
                } else {
                    picks.push((m.volunteer.id, reason));
                }
            }
        }
    }
    let unchanged = picks.iter().filter(|(v, _)| existing.contains(v)).count();
    let mut report = ImportReport::checked(rows.len(), picks.len(), dry_run, errors, lang);
    report.unchanged = unchanged;
    if dry_run || !report.errors.is_empty() {
        return Ok(report);
    }
    let mut tx = db.begin().await?;
    for (v, reason) in &picks {
        if store::add_traffic_volunteer(&mut tx, &by.actor(), campaign.id, unit, *v, reason).await? {
            report.created += 1;
        }
    }
    tx.commit().await?;
    Ok(report)
}

/// What the traffic page shows besides the list: the unit's candidates (to whoever may edit
/// it), its name, when its list was submitted, and the trainings (to whoever may see them).
pub struct Overview {
    pub campaign: Campaign,
    pub unit: Option<i64>,
    pub list: Vec<TrafficVolunteer>,
    pub may_edit: bool,
    pub candidates: Vec<(Member, Result<&'static str, &'static str>)>,
    pub unit_name: Option<String>,
    pub submitted_at: Option<i64>,
    pub trainings: Vec<Training>,
}

pub async fn overview(db: &Db, by: &Acting, unit_id: Option<i64>) -> AppResult<Overview> {
    let p = by.user()?;
    let (campaign, list) = list(db, by, unit_id).await?;
    let unit = unit_of(by, unit_id)?;
    let may_edit = unit.is_some_and(|u| policy::allows(p, Action::Update, &Object::TrafficList { unit_id: u }));
    let picked: Vec<i64> = list.iter().map(|x| x.volunteer.id).collect();
    let candidates = match unit {
        Some(u) if may_edit => candidates(db, &campaign, u)
            .await?
            .into_iter()
            .filter(|(m, _)| !picked.contains(&m.volunteer.id))
            .collect(),
        _ => vec![],
    };
    let unit_name = match unit {
        Some(u) => units::get_unit(db, u).await?.map(|u| u.name),
        None => None,
    };
    let submitted_at = match unit {
        Some(u) => store::traffic_list_submitted_at(db, campaign.id, u).await?,
        None => None,
    };
    let trainings = if policy::allows(p, Action::View, &Object::Training) {
        store::trainings(db, campaign.id).await?
    } else {
        vec![]
    };
    Ok(Overview {
        campaign,
        unit,
        list,
        may_edit,
        candidates,
        unit_name,
        submitted_at,
        trainings,
    })
}
