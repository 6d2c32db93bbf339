//! The inspections' rules: the district and the streets plan and record inspections of the
//! organisations in their scope against the campaign's checklist; the district sets the
//! checklist. Findings and their rectification are in [`super::findings`].

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::policy::{self, Action, InspectedPlace, Object, Scope};
use crate::auth::Acting;
use crate::db::campaigns::Campaign;
use crate::db::inspections::{
    self as store, ChecklistItem, FileInfo, Finding, Inspection, InspectionFilter, InspectionItem, NewInspection,
};
use crate::db::{activities, communities, teams, units, Db};
use crate::domain::campaign::parse_form_date;
use crate::domain::inspection::{InspectionMove, InspectionStatus, ItemResult, TargetKind, DEFAULT_ITEMS};
use crate::error::{AppError, AppResult, FieldError};
use crate::features::campaign::service::active;
use crate::features::{ensure, free_text, required_text, validated};
use crate::i18n::Lang;
use crate::web::form::{lenient_bool, lenient_i64};

/// The inspected organisation's place in the tree (its streets decide which street inspects it).
pub async fn place_of(db: &Db, unit_id: Option<i64>, community_id: Option<i64>) -> AppResult<InspectedPlace> {
    let street_ids = match (unit_id, community_id) {
        (Some(u), _) => units::unit_pairing_tree(db, u).await?.1,
        (None, Some(c)) => communities::get_community(db, c)
            .await?
            .map(|c| vec![c.street_id])
            .unwrap_or_default(),
        (None, None) => vec![],
    };
    Ok(InspectedPlace {
        unit_id,
        community_id,
        street_ids,
    })
}

/// An inspection's place.
pub async fn place(db: &Db, i: &Inspection) -> AppResult<InspectedPlace> {
    place_of(db, i.unit_id, i.community_id).await
}

/// The inspection after a View check. One the caller may not see answers 404, as if it did not
/// exist (so an id outside the scope tells nothing), and so does an unannounced one not yet held,
/// for the inspected.
pub async fn load(db: &Db, by: &Acting, id: i64) -> AppResult<(Inspection, InspectedPlace)> {
    let i = store::get_inspection(db, id).await?.ok_or(AppError::NotFound)?;
    let place = place(db, &i).await?;
    let p = by.user()?;
    if !policy::allows(p, Action::View, &Object::Inspection(place.clone())) {
        return Err(AppError::NotFound);
    }
    if !may_inspect(by, &place)? && i.status == InspectionStatus::Planned && !i.announced {
        return Err(AppError::NotFound);
    }
    Ok((i, place))
}

/// Whether the caller inspects the organisation at `place`.
pub fn may_inspect(by: &Acting, place: &InspectedPlace) -> AppResult<bool> {
    Ok(policy::allows(
        by.user()?,
        Action::Update,
        &Object::Inspection(place.clone()),
    ))
}

/// Whether the caller answers for the organisation at `place`.
pub fn may_answer(by: &Acting, place: &InspectedPlace) -> AppResult<bool> {
    Ok(policy::allows(
        by.user()?,
        Action::Update,
        &Object::Rectification(place.clone()),
    ))
}

/// The inspection after an Update (inspector's) check, in the active campaign.
pub async fn load_to_inspect(db: &Db, by: &Acting, id: i64) -> AppResult<(Inspection, InspectedPlace)> {
    let (i, place) = load_to_follow(db, by, id).await?;
    if active(db).await?.id != i.campaign_id {
        return Err(AppError::BadRequest("err.campaign_closed"));
    }
    Ok((i, place))
}

/// The inspection after an Update (inspector's) check, of any year: its findings are followed to
/// closure after the next campaign opens (answered, reviewed, the inspection closed), while
/// nothing new is recorded or raised in a past year.
pub async fn load_to_follow(db: &Db, by: &Acting, id: i64) -> AppResult<(Inspection, InspectedPlace)> {
    let (i, place) = load(db, by, id).await?;
    ensure(by.user()?, Action::Update, &Object::Inspection(place.clone()))?;
    Ok((i, place))
}

/// 409 unless the inspection may make the move `m` now; answers the state after it.
pub fn moved(i: &Inspection, m: InspectionMove) -> AppResult<InspectionStatus> {
    i.status.after(m).ok_or_else(|| {
        AppError::Conflict(vec![FieldError::new("status", "err.inspection_state")
            .with_text("status", &format!("inspection.status.{}", i.status.as_str()))])
    })
}

// ---------------------------------------------------------------- the checklist

/// One line of the checklist with the text people read.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ChecklistLine {
    /// One of the plan's defaults, or empty for the district's own item.
    pub code: String,
    pub label: String,
    /// What is shown: the default's name in the caller's language, or the label.
    pub text: String,
}

/// The text of a checklist or inspection item.
pub fn item_text(lang: Lang, code: &str, label: &str) -> String {
    if code.is_empty() {
        label.to_string()
    } else {
        crate::i18n::t(lang, &format!("inspection.item.{code}"))
    }
}

/// The campaign's checklist as set, or the plan's defaults.
async fn checklist_of(db: &Db, campaign_id: i64) -> AppResult<Vec<ChecklistItem>> {
    let set = store::checklist(db, campaign_id).await?;
    Ok(if set.is_empty() {
        DEFAULT_ITEMS
            .iter()
            .map(|c| ChecklistItem {
                code: c.to_string(),
                label: String::new(),
            })
            .collect()
    } else {
        set
    })
}

/// The active campaign's checklist (every staff member who inspects or is inspected sees it).
pub async fn checklist(db: &Db, by: &Acting) -> AppResult<Vec<ChecklistLine>> {
    ensure(by.user()?, Action::View, &Object::InspectionChecklist)?;
    let c = active(db).await?;
    Ok(checklist_of(db, c.id)
        .await?
        .into_iter()
        .map(|i| ChecklistLine {
            text: item_text(by.lang, &i.code, &i.label),
            code: i.code,
            label: i.label,
        })
        .collect())
}

/// The district's checklist: its items in order; an item keeps a default's `code` or gives a
/// `label` of its own.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct ChecklistInput {
    pub items: Vec<ChecklistItem>,
}

/// Sets the active campaign's checklist (the district). Inspections already planned keep theirs.
pub async fn set_checklist(db: &Db, by: &Acting, input: &ChecklistInput) -> AppResult<Vec<ChecklistLine>> {
    ensure(by.user()?, Action::Update, &Object::InspectionChecklist)?;
    let c = active(db).await?;
    let mut errors = vec![];
    let mut items = vec![];
    for (n, it) in input.items.iter().enumerate() {
        let field = format!("items[{n}]");
        let code = it.code.trim();
        if !code.is_empty() {
            if !DEFAULT_ITEMS.contains(&code) {
                errors.push(FieldError::new(field, "err.checklist_code").with("value", code));
                continue;
            }
            items.push(ChecklistItem {
                code: code.into(),
                label: String::new(),
            });
            continue;
        }
        let label = required_text(&field, Some(&it.label), 100, &mut errors);
        if !label.is_empty() {
            items.push(ChecklistItem {
                code: String::new(),
                label,
            });
        }
    }
    if items.is_empty() && errors.is_empty() {
        errors.push(FieldError::new("items", "err.checklist_empty"));
    }
    if items.len() > 30 {
        errors.push(FieldError::new("items", "err.checklist_too_long").with("max", 30));
    }
    validated(errors)?;
    let before = checklist_of(db, c.id).await?;
    let mut tx = db.begin().await?;
    store::set_checklist(&mut tx, &by.actor(), c.id, &before, &items).await?;
    tx.commit().await?;
    checklist(db, by).await
}

// ---------------------------------------------------------------- lists

#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InspectionParams {
    /// `planned`, `recorded`, `closed` or `cancelled`.
    pub status: Option<String>,
    /// `unit`, `community`, `team` or `activity`.
    pub target_kind: Option<String>,
    /// Text in the inspected's name or the inspectors.
    pub q: Option<String>,
    /// Only inspections of this unit (and its teams and activities); must be in the caller's scope.
    #[serde(default, deserialize_with = "lenient_i64")]
    pub unit_id: Option<i64>,
    /// Only inspections of this community (and its teams and activities).
    #[serde(default, deserialize_with = "lenient_i64")]
    pub community_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub page: Option<i64>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub per_page: Option<i64>,
}

/// The caller's scope of inspections; 403 for those who have none.
pub fn scope(by: &Acting) -> AppResult<Scope> {
    match policy::inspection_scope(by.user()?) {
        Scope::Nothing | Scope::OwnAccount(_) => Err(AppError::Forbidden),
        s => Ok(s),
    }
}

/// The filter of a list; a unit or community named in the query must be in the caller's scope.
async fn filter(db: &Db, by: &Acting, params: &InspectionParams) -> AppResult<InspectionFilter> {
    let mut errors = vec![];
    let status = match params.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => match InspectionStatus::parse(s) {
            Some(s) => Some(s),
            None => {
                errors.push(super::overview::filter_error(
                    "status",
                    InspectionStatus::ALL.map(InspectionStatus::as_str),
                ));
                None
            }
        },
        None => None,
    };
    let target_kind = match params.target_kind.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => match TargetKind::parse(s) {
            Some(k) => Some(k),
            None => {
                errors.push(super::overview::filter_error(
                    "target_kind",
                    TargetKind::ALL.map(TargetKind::as_str),
                ));
                None
            }
        },
        None => None,
    };
    validated(errors)?;
    for (u, c) in [(params.unit_id, None), (None, params.community_id)] {
        if u.is_none() && c.is_none() {
            continue;
        }
        let place = place_of(db, u, c).await?;
        ensure(by.user()?, Action::View, &Object::Inspection(place))?;
    }
    Ok(InspectionFilter {
        status,
        target_kind,
        q: params.q.clone(),
        unit_id: params.unit_id,
        community_id: params.community_id,
    })
}

/// The active campaign's inspections the caller may see, filtered.
pub async fn list(db: &Db, by: &Acting, params: &InspectionParams) -> AppResult<(Campaign, Vec<Inspection>)> {
    let scope = scope(by)?;
    let f = filter(db, by, params).await?;
    let c = active(db).await?;
    let rows = store::list_inspections(db, c.id, scope, &f).await?;
    Ok((c, rows))
}

// ---------------------------------------------------------------- one inspection

/// An inspection with its items, findings and files, and what the caller may do with it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct InspectionView {
    #[serde(flatten)]
    pub inspection: Inspection,
    pub items: Vec<InspectionItem>,
    pub findings: Vec<Finding>,
    pub files: Vec<FileInfo>,
    /// The caller inspects it (records, raises findings, accepts or returns answers).
    pub may_inspect: bool,
    /// The caller answers its findings.
    pub may_answer: bool,
}

pub async fn view(db: &Db, by: &Acting, id: i64) -> AppResult<InspectionView> {
    let (i, place) = load(db, by, id).await?;
    let (items, findings, files) = tokio::try_join!(
        async { Ok::<_, AppError>(store::items_of(db, id).await?) },
        async { Ok::<_, AppError>(store::findings_of(db, id).await?) },
        async { Ok::<_, AppError>(store::files_of(db, id).await?) },
    )?;
    Ok(InspectionView {
        may_inspect: may_inspect(by, &place)?,
        may_answer: may_answer(by, &place)?,
        inspection: i,
        items,
        findings,
        files,
    })
}

/// A new inspection: what is inspected, announced or not, the day and the inspectors.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct InspectionInput {
    /// `unit`, `community`, `team` or `activity`.
    pub target_kind: Option<String>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub target_id: Option<i64>,
    /// Announced beforehand (明查) or not (暗访); an unannounced one is hidden from the inspected
    /// until it is recorded.
    #[serde(default, deserialize_with = "lenient_bool")]
    pub announced: Option<bool>,
    /// `YYYY-MM-DD`.
    pub planned_on: Option<String>,
    /// The inspectors' names.
    pub inspectors: Option<String>,
}

/// What is inspected, looked up: its name, its team, and the organisation that answers.
struct Target {
    name: String,
    team_id: Option<i64>,
    unit_id: Option<i64>,
    community_id: Option<i64>,
}

async fn target(db: &Db, campaign: &Campaign, kind: TargetKind, id: i64) -> AppResult<Option<Target>> {
    let team_target = |t: teams::Team, name: String| Target {
        name,
        team_id: Some(t.id),
        unit_id: t.unit_id,
        community_id: t.community_id,
    };
    Ok(match kind {
        TargetKind::Unit => units::get_unit(db, id).await?.map(|u| Target {
            name: u.name,
            team_id: None,
            unit_id: Some(u.id),
            community_id: None,
        }),
        TargetKind::Community => communities::get_community(db, id).await?.map(|c| Target {
            name: c.name,
            team_id: None,
            unit_id: None,
            community_id: Some(c.id),
        }),
        TargetKind::Team => teams::get_team(db, id)
            .await?
            .filter(|t| t.campaign_id == campaign.id)
            .map(|t| {
                let name = format!("{} · {}", t.org_name, t.name);
                team_target(t, name)
            }),
        TargetKind::Activity => match activities::get_activity(db, id)
            .await?
            .filter(|a| a.campaign_id == campaign.id)
        {
            Some(a) => teams::get_team(db, a.team_id)
                .await?
                .map(|t| team_target(t, a.title.clone())),
            None => None,
        },
    })
}

/// Plans an inspection (the district anyone, a street its own); its items are the checklist's.
pub async fn create(db: &Db, by: &Acting, input: &InspectionInput) -> AppResult<Inspection> {
    let p = by.user()?;
    if !policy::may_inspect(p) {
        return Err(AppError::Forbidden);
    }
    let campaign = active(db).await?;
    let mut errors = vec![];
    let kind = input.target_kind.as_deref().and_then(TargetKind::parse);
    if kind.is_none() {
        errors.push(FieldError::new("target_kind", "err.inspection_choice"));
    }
    let planned_on = match parse_form_date(input.planned_on.as_deref().unwrap_or("")) {
        Ok(d) => d,
        Err(key) => {
            errors.push(FieldError::new("planned_on", key));
            String::new()
        }
    };
    let inspectors = required_text("inspectors", input.inspectors.as_deref(), 200, &mut errors);
    let found = match (kind, input.target_id) {
        (Some(k), Some(id)) => target(db, &campaign, k, id).await?,
        _ => None,
    };
    if kind.is_some() && found.is_none() {
        errors.push(FieldError::new("target_id", "err.inspection_target_pick"));
    }
    validated(errors)?;
    let (Some(kind), Some(t)) = (kind, found) else {
        return Err(AppError::field("target_id", "err.inspection_target_pick"));
    };
    // Another street's unit, community, team or activity is refused here.
    let place = place_of(db, t.unit_id, t.community_id).await?;
    ensure(p, Action::Create, &Object::Inspection(place))?;
    let items = checklist_of(db, campaign.id).await?;
    let n = NewInspection {
        campaign_id: campaign.id,
        target_kind: kind,
        target_id: input.target_id.unwrap_or_default(),
        target_name: t.name,
        team_id: t.team_id,
        unit_id: t.unit_id,
        community_id: t.community_id,
        announced: input.announced.unwrap_or(true),
        planned_on,
        inspectors,
        created_by: Some(p.user_id),
    };
    let mut tx = db.begin().await?;
    let i = store::create_inspection(&mut tx, &by.actor(), &n, &items).await?;
    tx.commit().await?;
    Ok(i)
}

/// One item's result on site.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct ItemInput {
    pub id: i64,
    /// `pass`, `fail`, `na`, or empty (not checked).
    #[serde(default)]
    pub result: String,
    #[serde(default)]
    pub note: String,
}

/// The visit as recorded: the day, who went, the items and a summary.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct RecordInput {
    /// `YYYY-MM-DD`; the planned day when left out.
    pub inspected_on: Option<String>,
    pub inspectors: Option<String>,
    pub summary: Option<String>,
    #[serde(default)]
    pub items: Vec<ItemInput>,
}

/// Records (or corrects) the visit; every item must be checked, and a failed one needs a note.
pub async fn record(db: &Db, by: &Acting, id: i64, input: &RecordInput) -> AppResult<InspectionView> {
    let (i, _) = load_to_inspect(db, by, id).await?;
    moved(&i, InspectionMove::Record)?;
    let old = store::items_of(db, id).await?;
    let mut errors = vec![];
    let day = input
        .inspected_on
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or(&i.planned_on);
    let inspected_on = match parse_form_date(day) {
        Ok(d) if d > crate::domain::campaign::today() => {
            errors.push(FieldError::new("inspected_on", "err.inspection_future"));
            d
        }
        Ok(d) => d,
        Err(key) => {
            errors.push(FieldError::new("inspected_on", key));
            String::new()
        }
    };
    let inspectors = required_text(
        "inspectors",
        Some(input.inspectors.as_deref().unwrap_or(&i.inspectors)),
        200,
        &mut errors,
    );
    let summary = free_text("summary", input.summary.as_deref(), 2000, &mut errors);
    let mut items = vec![];
    for it in &old {
        let field = format!("item_{}", it.id);
        let given = input.items.iter().find(|g| g.id == it.id);
        let result = given.map(|g| g.result.as_str()).unwrap_or("");
        let note = free_text(&field, given.map(|g| g.note.as_str()), 500, &mut errors);
        match ItemResult::parse(result) {
            Some(ItemResult::Unchecked) | None => {
                errors.push(FieldError::new(&field, "err.item_unchecked").with("item", it.position));
            }
            Some(ItemResult::Fail) if note.is_empty() => {
                errors.push(FieldError::new(&field, "err.item_fail_note").with("item", it.position));
            }
            Some(r) => items.push((it.id, r, note)),
        }
    }
    if input.items.iter().any(|g| !old.iter().any(|o| o.id == g.id)) {
        errors.push(FieldError::new("items", "err.inspection_item_pick"));
    }
    validated(errors)?;
    let mut tx = db.begin().await?;
    store::record(
        &mut tx,
        &by.actor(),
        &i,
        &inspected_on,
        &inspectors,
        &summary,
        &items,
        &old,
    )
    .await?;
    tx.commit().await?;
    view(db, by, id).await
}

/// An inspector's move on the whole inspection.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct TransitionInput {
    /// `close` (every finding accepted) or `cancel` (a planned one).
    pub action: String,
}

/// Closes an inspection whose findings are all accepted, or cancels a planned one.
pub async fn transition(db: &Db, by: &Acting, id: i64, input: &TransitionInput) -> AppResult<Inspection> {
    let m = match input.action.trim() {
        "close" => InspectionMove::Close,
        "cancel" => InspectionMove::Cancel,
        _ => return Err(AppError::field("action", "err.inspection_choice")),
    };
    // A past year's inspection may still be closed once its findings are; not cancelled.
    let (i, _) = match m {
        InspectionMove::Close => load_to_follow(db, by, id).await?,
        _ => load_to_inspect(db, by, id).await?,
    };
    let to = moved(&i, m)?;
    if m == InspectionMove::Close && i.open_findings > 0 {
        return Err(AppError::Conflict(vec![FieldError::new(
            "action",
            "err.inspection_open_findings",
        )
        .with("n", i.open_findings)]));
    }
    let mut tx = db.begin().await?;
    let after = store::set_status(&mut tx, &by.actor(), &i, to).await?;
    tx.commit().await?;
    Ok(after)
}

/// How many activities the new-inspection form offers at once (a search narrows them).
pub const ACTIVITY_CHOICES: i64 = 30;

/// What the new-inspection form offers: the units, communities and teams the caller inspects,
/// and their teams' activities matching `activity_q` (title or address), newest first and no
/// later than a month ahead, at most [`ACTIVITY_CHOICES`] of them.
pub async fn targets(db: &Db, by: &Acting, activity_q: Option<&str>) -> AppResult<Vec<(TargetKind, i64, String)>> {
    let p = by.user()?;
    if !policy::may_inspect(p) {
        return Err(AppError::Forbidden);
    }
    let s = policy::inspection_scope(p);
    let mut out = vec![];
    for (kind, id, name, _) in crate::features::campaign::orgs_in_scope(db, s, None).await? {
        let k = match kind {
            crate::domain::campaign::OrgRowKind::Unit => TargetKind::Unit,
            crate::domain::campaign::OrgRowKind::Community => TargetKind::Community,
        };
        out.push((k, id, name));
    }
    let c = active(db).await?;
    let Some(ts) = teams::TeamScope::of(s) else {
        return Ok(out);
    };
    let mut own = std::collections::HashSet::new();
    for t in teams::list_teams(db, c.id, ts, None).await? {
        own.insert(t.id);
        out.push((TargetKind::Team, t.id, format!("{} · {}", t.org_name, t.name)));
    }
    let f = activities::ActivityFilter {
        campaign_id: c.id,
        scope: Some(ts),
        q: activity_q.map(str::trim).filter(|q| !q.is_empty()).map(String::from),
        to: Some(crate::db::now() + 31 * 86_400),
        newest_first: true,
        page: 1,
        // A street also sees other teams' published activities in its communities; those are
        // not its to inspect, so a few more are read than are offered.
        per_page: ACTIVITY_CHOICES * 2,
        ..Default::default()
    };
    let (lines, _) = activities::list_activities(db, &f, None).await?;
    for a in lines
        .into_iter()
        .filter(|a| own.contains(&a.team_id))
        .take(ACTIVITY_CHOICES as usize)
    {
        let day = crate::domain::campaign::date_of(a.starts_at);
        out.push((
            TargetKind::Activity,
            a.id,
            format!("{day} · {} · {}", a.title, a.org_name),
        ));
    }
    Ok(out)
}
