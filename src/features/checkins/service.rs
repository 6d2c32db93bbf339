//! The check-in's rules: who files, forwards, confirms or returns it and in which order; the
//! long-term plan after confirmation; the registration form (附件4) filled in or uploaded.

use serde::Deserialize;
use utoipa::ToSchema;

use super::plan::{plan_type, MAX_PLAN_BYTES};
use crate::auth::policy::{self, Action, Listing, Object, Role, Scope};
use crate::auth::Acting;
use crate::db::audit::{Op, Subject};
use crate::db::campaigns::Campaign;
use crate::db::checkins::{self as store, CheckIn};
use crate::db::list::ListQuery;
use crate::db::teams::{list_teams, Team, TeamScope};
use crate::db::{communities, pairings, volunteers, Db};
use crate::domain::checkin::{CheckInStatus, CheckInStep};
use crate::domain::text::match_key;
use crate::error::{AppError, AppResult, FieldError};
use crate::excel::forms::checkin::{self as form, person_and_phone, Filled, BLANK_ITEMS, ITEMS, UPLOAD_COLUMNS};
use crate::excel::{CellError, ImportReport};
use crate::features::campaign::service::{active, load_team, log};
use crate::features::{ensure, validated};
use crate::state::AppState;
use crate::web::form::lenient_i64;

fn scope_of(by: &Acting) -> AppResult<TeamScope> {
    TeamScope::of(policy::list_scope(by.user()?, Listing::Teams)).ok_or(AppError::Forbidden)
}

/// Check-ins of the active campaign in the caller's scope.
pub async fn list(db: &Db, by: &Acting) -> AppResult<Vec<CheckIn>> {
    let campaign = active(db).await?;
    Ok(store::checkins(db, campaign.id, scope_of(by)?).await?)
}

/// A check-in the caller may see.
async fn load(db: &Db, by: &Acting, id: i64) -> AppResult<CheckIn> {
    let k = store::get_checkin(db, id).await?.ok_or(AppError::NotFound)?;
    let visible = list(db, by).await?.iter().any(|x| x.id == id);
    if !visible {
        return Err(AppError::Forbidden);
    }
    Ok(k)
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct FileInput {
    #[serde(default, deserialize_with = "lenient_i64")]
    pub team_id: Option<i64>,
    /// A community the team's unit is paired with.
    #[serde(default, deserialize_with = "lenient_i64")]
    pub community_id: Option<i64>,
}

/// A unit's team files its registration form with a paired community (again after a return).
pub async fn file(db: &Db, by: &Acting, input: &FileInput) -> AppResult<CheckIn> {
    let team_id = input.team_id.ok_or(AppError::field("team_id", "err.required"))?;
    let community_id = input
        .community_id
        .ok_or(AppError::field("community_id", "err.required"))?;
    let (team, place) = load_team(db, by, team_id).await?;
    ensure(by.user()?, Action::Update, &Object::Team(place.clone()))?;
    if team.unit_id.is_none() {
        return Err(AppError::field("team_id", "err.checkin_unit_only"));
    }
    if !place.paired_community_ids.contains(&community_id) {
        return Err(AppError::field("community_id", "err.checkin_not_paired"));
    }
    if team.leader_name.is_empty() || team.contact_name.is_empty() {
        return Err(AppError::field("team_id", "err.checkin_needs_people"));
    }
    let existing = list(db, by)
        .await?
        .into_iter()
        .find(|k| k.team_id == team_id && k.community_id == community_id);
    if existing.as_ref().is_some_and(|k| !k.status.may_file_again()) {
        return Err(AppError::Conflict(vec![FieldError::new(
            "community_id",
            "err.checkin_exists",
        )]));
    }
    let mut tx = db.begin().await?;
    let k = store::file_checkin(&mut tx, &by.actor(), team_id, community_id).await?;
    crate::features::notifications::events::checkin_moved(&mut tx, &k).await?;
    tx.commit().await?;
    Ok(k)
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct MoveInput {
    /// `forward` (the street), `confirm` or `return` (the community).
    pub step: Option<String>,
    /// Required with `return`.
    pub reason: Option<String>,
}

/// Whether `p` may take `step` on `k` (the street forwards, the community confirms or returns).
pub fn may_take(p: &policy::Principal, step: CheckInStep, k: &CheckIn) -> bool {
    let obj = match step {
        CheckInStep::Forward => Object::CheckInForward { street_id: k.street_id },
        CheckInStep::Confirm | CheckInStep::Return => Object::CheckInConfirm {
            community_id: k.community_id,
        },
    };
    policy::allows(p, Action::Update, &obj)
}

/// Moves a check-in on; each step belongs to one level and follows the one before it.
pub async fn move_on(db: &Db, by: &Acting, id: i64, input: &MoveInput) -> AppResult<CheckIn> {
    let k = load(db, by, id).await?;
    let p = by.user()?;
    let reason = input.reason.as_deref().map(str::trim).unwrap_or("").to_string();
    let step = input
        .step
        .as_deref()
        .and_then(CheckInStep::parse)
        .ok_or(AppError::field("step", "err.decision"))?;
    if !may_take(p, step, &k) {
        return Err(AppError::Forbidden);
    }
    if k.status != step.from() {
        return Err(AppError::Conflict(vec![FieldError::new(
            "step",
            "err.checkin_wrong_step",
        )]));
    }
    if step == CheckInStep::Return && reason.is_empty() {
        return Err(AppError::field("reason", "err.reason_required"));
    }
    let mut tx = db.begin().await?;
    let k = store::move_checkin(&mut tx, &by.actor(), id, step.to(), &reason).await?;
    crate::features::notifications::events::checkin_moved(&mut tx, &k).await?;
    tx.commit().await?;
    Ok(k)
}

/// Files the long-term plan once the community has confirmed the check-in (the state's upload
/// gate checks a Word or Excel attachment).
pub async fn file_plan(
    state: &AppState,
    by: &Acting,
    id: i64,
    text: &str,
    file: Option<(String, Vec<u8>)>,
) -> AppResult<CheckIn> {
    let db = &state.db;
    let k = load(db, by, id).await?;
    let (_, place) = load_team(db, by, k.team_id).await?;
    ensure(by.user()?, Action::Update, &Object::Team(place))?;
    if !k.status.may_file_plan() {
        return Err(AppError::Conflict(vec![FieldError::new(
            "plan_text",
            "err.plan_before_confirm",
        )]));
    }
    let text = text.trim();
    let mut errors = vec![];
    if text.is_empty() && file.is_none() {
        errors.push(FieldError::new("plan_text", "err.plan_empty"));
    }
    if text.chars().count() > 20_000 {
        errors.push(FieldError::new("plan_text", "err.text_too_long"));
    }
    let typed = match &file {
        Some((name, bytes)) => {
            if bytes.len() > MAX_PLAN_BYTES {
                errors.push(FieldError::new("file", "err.file_too_large").with("mb", MAX_PLAN_BYTES / 1024 / 1024));
                None
            } else if let Some(mime) = plan_type(name, bytes) {
                Some(mime)
            } else {
                errors.push(FieldError::new("file", "err.plan_type"));
                None
            }
        }
        None => None,
    };
    validated(errors)?;
    // Word and Excel files are zips: one that would unpack beyond the upload limits is not kept.
    if let (Some((_, bytes)), Some(mime)) = (&file, typed) {
        if mime.starts_with("application/vnd.openxmlformats") {
            crate::web::upload::check_package(&state.uploads, bytes).await?;
        }
    }
    let mut tx = db.begin().await?;
    let attachment = file
        .as_ref()
        .zip(typed)
        .map(|((name, bytes), mime)| (name.as_str(), mime, bytes.as_slice()));
    let k = store::file_plan(&mut tx, &by.actor(), id, text, attachment).await?;
    tx.commit().await?;
    Ok(k)
}

/// A check-in's plan file as uploaded: name, type and content.
pub async fn plan_file(db: &Db, by: &Acting, id: i64) -> AppResult<(String, String, Vec<u8>)> {
    load(db, by, id).await?;
    store::plan_file(db, id).await?.ok_or(AppError::NotFound)
}

/// The registration form (附件4) of a check-in, filled in, with its file name; the export is
/// written to the audit trail.
pub async fn form_xlsx(db: &Db, by: &Acting, id: i64) -> AppResult<(Vec<u8>, String)> {
    let k = load(db, by, id).await?;
    let (team, _) = load_team(db, by, k.team_id).await?;
    let members = volunteers::members(db, team.id).await?;
    let managers = members.iter().filter(|m| m.is_manager).count();
    let bytes = form::write(&Filled {
        team: &team,
        checkin: &k,
        members: members.len(),
        managers,
    })?;
    let summary = serde_json::json!({"checkin": id});
    log(
        db,
        by,
        Op::Export,
        Subject::new("checkin", Some(id), &team.name),
        &summary,
    )
    .await?;
    Ok((bytes, format!("附件4-{}-{}.xlsx", team.name, k.community_name)))
}

/// The blank registration form, for anyone signed in.
pub fn template(by: &Acting) -> AppResult<Vec<u8>> {
    by.user()?;
    Ok(form::template()?)
}

/// What a unit can still file: each of its teams with each paired community not yet filed
/// (nothing for anyone but a unit's staff).
pub struct Unfiled {
    pub team: Team,
    pub community_id: i64,
    /// `街道 / 社区`.
    pub community: String,
}

pub async fn unfiled(db: &Db, by: &Acting, campaign: &Campaign, checkins: &[CheckIn]) -> AppResult<Vec<Unfiled>> {
    let p = by.user()?;
    let mut out = vec![];
    let Some(unit) = p.unit_id.filter(|_| p.role == Role::UnitAdmin) else {
        return Ok(out);
    };
    let scope = TeamScope::of(Scope::Unit(unit)).expect("a unit scope covers teams");
    let lq = ListQuery {
        q: None,
        page: 1,
        per_page: 1000,
        scope: Scope::Unit(unit),
        street_id: None,
        community_id: None,
        unit_id: Some(unit),
    };
    let paired = pairings::list_pairings(db, &lq).await?.items;
    for team in list_teams(db, campaign.id, scope, None).await? {
        for pr in &paired {
            let done = checkins
                .iter()
                .any(|k| k.team_id == team.id && k.community_id == pr.community_id && !k.status.may_file_again());
            if !done {
                out.push(Unfiled {
                    team: team.clone(),
                    community_id: pr.community_id,
                    community: format!("{} / {}", pr.street_name, pr.community_name),
                });
            }
        }
    }
    Ok(out)
}

/// Reads an uploaded registration form for a team: updates the team's 负责人, 联系人 and categories
/// from it and files the check-in with the community it names, all or nothing (the state's upload
/// gate reads the file).
pub async fn import_registration(
    state: &AppState,
    by: &Acting,
    team_id: i64,
    bytes: &[u8],
    dry_run: bool,
) -> AppResult<ImportReport> {
    let db = &state.db;
    let (team, place) = load_team(db, by, team_id).await?;
    ensure(by.user()?, Action::Update, &Object::Team(place.clone()))?;
    let rows = crate::web::upload::read(&state.uploads, bytes, UPLOAD_COLUMNS).await?;
    let lang = by.lang;
    let value = |label: &str| {
        rows.iter()
            .find(|r| match_key(&r.cells[0]) == label)
            .map(|r| (r.row, r.cells[1].trim().to_string()))
    };
    let mut errors = vec![];
    let mut err = |row: usize, label: &str, v: &str, key: &str| {
        errors.push(CellError {
            row,
            column: label.into(),
            value: v.into(),
            message: crate::i18n::t(lang, key),
        })
    };
    for item in &ITEMS[..BLANK_ITEMS] {
        if item.required && value(item.label).is_none_or(|(_, v)| v.is_empty()) {
            err(
                value(item.label).map(|(r, _)| r).unwrap_or(0),
                item.label,
                "",
                "err.required",
            );
        }
    }
    let (leader, contact) = (value("负责人").unwrap_or_default(), value("联系人").unwrap_or_default());
    let (leader_name, leader_phone) = person_and_phone(&leader.1);
    let (contact_name, contact_phone) = person_and_phone(&contact.1);
    for ((row, raw), phone, label) in [(&leader, &leader_phone, "负责人"), (&contact, &contact_phone, "联系人")] {
        if !raw.is_empty() && crate::domain::phone::Phone::parse(phone).is_none() {
            err(*row, label, raw, "err.form_person_phone");
        }
    }
    if let Some((row, name)) = value("志愿服务队名称").filter(|(_, v)| !v.is_empty()) {
        if match_key(&name) != match_key(&team.name) {
            err(row, "志愿服务队名称", &name, "err.form_team_mismatch");
        }
    }
    // The community as "街道 社区", "社区" alone, or "街道/社区".
    let mut community = None;
    if let Some((row, text)) = value("报到社区").filter(|(_, v)| !v.is_empty()) {
        let lq = ListQuery {
            q: None,
            page: 1,
            per_page: 1000,
            scope: Scope::All,
            street_id: None,
            community_id: None,
            unit_id: None,
        };
        let paired: Vec<_> = communities::list_communities(db, &lq)
            .await?
            .items
            .into_iter()
            .filter(|c| place.paired_community_ids.contains(&c.id))
            .collect();
        let compact = match_key(&text).replace('/', "");
        community = paired
            .iter()
            .find(|c| compact == match_key(&c.name) || compact == match_key(&format!("{}{}", c.street_name, c.name)))
            .map(|c| c.id);
        if community.is_none() {
            err(row, "报到社区", &text, "err.checkin_not_paired");
        }
    }
    let categories = value("服务类别").map(|(_, v)| v).unwrap_or_default();
    if let Err(part) = crate::domain::campaign::parse_categories(&categories) {
        err(
            value("服务类别").map(|(r, _)| r).unwrap_or(0),
            "服务类别",
            &part,
            "err.category",
        );
    }
    let mut report = ImportReport {
        rows: rows.len(),
        accepted: 0,
        created: 0,
        unchanged: 0,
        linked: 0,
        dry_run,
        errors,
        warnings: vec![],
        resubmission_needed: false,
    };
    if !report.errors.is_empty() {
        return Ok(report);
    }
    report.accepted = rows.len();
    if dry_run {
        return Ok(report);
    }
    let input = crate::features::teams::TeamInput {
        name: Some(team.name.clone()),
        leader_name: Some(leader_name),
        leader_phone: Some(leader_phone),
        contact_name: Some(contact_name),
        contact_phone: Some(contact_phone),
        categories: Some(if categories.is_empty() {
            team.categories.stored()
        } else {
            categories
        }),
        founded_on: Some(team.founded_on.clone()),
        ..Default::default()
    };
    crate::features::teams::update(db, by, team_id, &input).await?;
    let filed = file(
        db,
        by,
        &FileInput {
            team_id: Some(team_id),
            community_id: community,
        },
    )
    .await;
    match filed {
        Ok(_) => report.created = 1,
        Err(AppError::Conflict(_)) => report.unchanged = 1,
        Err(e) => return Err(e),
    }
    Ok(report)
}

/// The statuses a page shows as labels.
pub fn status_key(s: CheckInStatus) -> String {
    format!("checkin.status.{}", s.as_str())
}
