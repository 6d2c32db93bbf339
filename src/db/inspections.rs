//! Inspections (督查): the campaign's checklist, inspections with their items, findings with
//! their rectification (整改), the photos and files attached, and the findings summary the
//! board, the workbench and the assessment read.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::audit::{self, Actor, Op, Subject};
use super::{like_pattern, now, Db, Tx};
use crate::domain::campaign::date_of;
use crate::domain::inspection::{FindingStatus, InspectionStatus, ItemResult, Severity, Standing, TargetKind};
use crate::domain::org::Scope;
use crate::{on_db, on_tx};

/// One item of a campaign's checklist: a default of the plan (`code`, labelled from the
/// language files) or the district's own (`label`).
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
pub struct ChecklistItem {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub label: String,
}

/// An inspection, with its organisation's name and its findings counted.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct Inspection {
    pub id: i64,
    pub campaign_id: i64,
    pub target_kind: TargetKind,
    pub target_id: i64,
    /// The unit's, community's or team's name, or the activity's title.
    pub target_name: String,
    pub team_id: Option<i64>,
    /// The organisation that answers for it.
    pub unit_id: Option<i64>,
    pub community_id: Option<i64>,
    pub org_name: String,
    pub announced: bool,
    /// `YYYY-MM-DD`.
    pub planned_on: String,
    pub inspected_on: Option<String>,
    /// The inspectors' names.
    pub inspectors: String,
    pub summary: String,
    pub status: InspectionStatus,
    /// The account that planned it.
    pub created_by: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    /// How many findings it raised (answered as `finding_count`: an inspection's page lists the
    /// findings themselves under `findings`).
    #[serde(rename = "finding_count")]
    pub findings: i64,
    /// Findings not yet accepted.
    pub open_findings: i64,
}

/// One checklist item as recorded on site.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct InspectionItem {
    pub id: i64,
    pub inspection_id: i64,
    pub position: i64,
    pub code: String,
    pub label: String,
    pub result: ItemResult,
    pub note: String,
}

/// A finding and its rectification, with the inspection it came from.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct Finding {
    pub id: i64,
    pub inspection_id: i64,
    pub item_id: Option<i64>,
    pub severity: Severity,
    pub description: String,
    /// The rectification deadline, `YYYY-MM-DD`.
    pub deadline: String,
    pub status: FindingStatus,
    /// What the inspected organisation did (its latest answer).
    pub answer: String,
    pub answered_at: Option<i64>,
    /// Why the inspector returned the latest answer.
    pub return_reason: String,
    pub accepted_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub target_kind: TargetKind,
    pub target_name: String,
    pub org_name: String,
    pub unit_id: Option<i64>,
    pub community_id: Option<i64>,
    pub inspected_on: Option<String>,
}

/// A photo or file on an item (taken on site) or on a finding (evidence of the rectification).
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct FileInfo {
    pub id: i64,
    pub item_id: Option<i64>,
    pub finding_id: Option<i64>,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub created_at: i64,
}

/// A new inspection, checked.
pub struct NewInspection {
    pub campaign_id: i64,
    pub target_kind: TargetKind,
    pub target_id: i64,
    pub target_name: String,
    pub team_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub community_id: Option<i64>,
    pub announced: bool,
    pub planned_on: String,
    pub inspectors: String,
    pub created_by: Option<i64>,
}

/// A new finding, checked.
pub struct NewFinding {
    pub item_id: Option<i64>,
    pub severity: Severity,
    pub description: String,
    pub deadline: String,
}

/// What a list of inspections is narrowed to (all optional).
#[derive(Clone, Debug, Default)]
pub struct InspectionFilter {
    pub status: Option<InspectionStatus>,
    pub target_kind: Option<TargetKind>,
    pub q: Option<String>,
    pub unit_id: Option<i64>,
    pub community_id: Option<i64>,
}

const INSPECTION_SQL: &str = "select i.id, i.campaign_id, i.target_kind, i.target_id, i.target_name, i.team_id,
        i.unit_id, i.community_id, coalesce(u.name, c.name, '') as org_name, i.announced, i.planned_on,
        i.inspected_on, i.inspectors, i.summary, i.status, i.created_by, i.created_at, i.updated_at,
        coalesce(fc.findings, 0) as findings, coalesce(fc.open_findings, 0) as open_findings
     from inspections i left join units u on u.id = i.unit_id left join communities c on c.id = i.community_id
     left join (select inspection_id, count(*) as findings,
                  sum(case when status <> 'accepted' then 1 else 0 end) as open_findings
                from inspection_findings group by inspection_id) fc on fc.inspection_id = i.id";

const FINDING_SQL: &str = "select f.id, f.inspection_id, f.item_id, f.severity, f.description, f.deadline, f.status,
        f.answer, f.answered_at, f.return_reason, f.accepted_at, f.created_at, f.updated_at, i.target_kind,
        i.target_name, coalesce(u.name, c.name, '') as org_name, i.unit_id, i.community_id, i.inspected_on
     from inspection_findings f join inspections i on i.id = f.inspection_id
     left join units u on u.id = i.unit_id left join communities c on c.id = i.community_id";

/// The rows a scope covers: a street its communities and the units paired into it; a unit or a
/// community its own, without unannounced inspections that have not taken place yet. `$2` is the
/// scope's id.
fn scope_sql(scope: Scope) -> &'static str {
    match scope {
        Scope::All => "$2 = $2",
        Scope::Street(_) => {
            "(i.community_id in (select id from communities where street_id = $2)
              or i.unit_id in (select p.unit_id from pairings p join communities c2 on c2.id = p.community_id
                               where c2.street_id = $2))"
        }
        Scope::Unit(_) => "i.unit_id = $2 and not (i.status = 'planned' and not i.announced)",
        Scope::Community(_) => "i.community_id = $2 and not (i.status = 'planned' and not i.announced)",
        Scope::OwnAccount(_) | Scope::Nothing => "$2 <> $2",
    }
}

fn scope_id(scope: Scope) -> i64 {
    match scope {
        Scope::Street(id) | Scope::Unit(id) | Scope::Community(id) | Scope::OwnAccount(id) => id,
        Scope::All | Scope::Nothing => 0,
    }
}

/// A campaign's checklist as the district set it (empty: the plan's defaults apply).
pub async fn checklist(db: &Db, campaign_id: i64) -> Result<Vec<ChecklistItem>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select code, label from inspection_checklist where campaign_id = $1 order by position")
        .bind(campaign_id).fetch_all(pool).await)
}

/// Replaces a campaign's checklist (audited, before and after).
pub async fn set_checklist(
    tx: &mut Tx,
    actor: &Actor,
    campaign_id: i64,
    before: &[ChecklistItem],
    items: &[ChecklistItem],
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("delete from inspection_checklist where campaign_id = $1")
        .bind(campaign_id).execute(&mut *c).await.map(|_| ())?);
    for (i, it) in items.iter().enumerate() {
        on_tx!(tx, c => sqlx::query(
            "insert into inspection_checklist (campaign_id, position, code, label) values ($1, $2, $3, $4)")
            .bind(campaign_id).bind(i as i64 + 1).bind(&it.code).bind(&it.label).execute(&mut *c).await.map(|_| ())?);
    }
    audit::record_raw(
        tx,
        actor,
        Op::Update,
        Subject::new("inspection_checklist", Some(campaign_id), "checklist"),
        &serde_json::json!({"items": {"before": before, "after": items}}),
    )
    .await
}

/// Creates an inspection with its checklist items (audited).
pub async fn create_inspection(
    tx: &mut Tx,
    actor: &Actor,
    n: &NewInspection,
    items: &[ChecklistItem],
) -> Result<Inspection, sqlx::Error> {
    let t = now();
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "insert into inspections (campaign_id, target_kind, target_id, target_name, team_id, unit_id, community_id,
            announced, planned_on, inspectors, status, created_by, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) returning id")
        .bind(n.campaign_id).bind(n.target_kind).bind(n.target_id).bind(&n.target_name).bind(n.team_id)
        .bind(n.unit_id).bind(n.community_id).bind(n.announced).bind(&n.planned_on).bind(&n.inspectors)
        .bind(InspectionStatus::Planned).bind(n.created_by).bind(t).fetch_one(&mut *c).await?);
    for (i, it) in items.iter().enumerate() {
        on_tx!(tx, c => sqlx::query(
            "insert into inspection_items (inspection_id, position, code, label) values ($1, $2, $3, $4)")
            .bind(id).bind(i as i64 + 1).bind(&it.code).bind(&it.label).execute(&mut *c).await.map(|_| ())?);
    }
    audit::created(tx, actor, id).await
}

pub async fn get_inspection(db: &Db, id: i64) -> Result<Option<Inspection>, sqlx::Error> {
    let sql = format!("{INSPECTION_SQL} where i.id = $1");
    on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)
}

/// A campaign's inspections in a scope, narrowed by the filter; latest day first.
pub async fn list_inspections(
    db: &Db,
    campaign_id: i64,
    scope: Scope,
    f: &InspectionFilter,
) -> Result<Vec<Inspection>, sqlx::Error> {
    let sql = format!(
        "{INSPECTION_SQL} where i.campaign_id = $1 and {} and ($3 = '' or i.status = $3) and ($4 = '' or i.target_kind = $4)
           and ($5 = '' or lower(i.target_name) like $5 escape '\\' or lower(coalesce(u.name, c.name, '')) like $5 escape '\\'
                or lower(i.inspectors) like $5 escape '\\')
           and ($6 = 0 or i.unit_id = $6) and ($7 = 0 or i.community_id = $7)
         order by coalesce(i.inspected_on, i.planned_on) desc, i.id desc",
        scope_sql(scope)
    );
    let q =
        f.q.as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(like_pattern)
            .unwrap_or_default();
    on_db!(db, pool => sqlx::query_as(&sql).bind(campaign_id).bind(scope_id(scope))
        .bind(f.status.map(|s| s.as_str()).unwrap_or("")).bind(f.target_kind.map(|k| k.as_str()).unwrap_or(""))
        .bind(&q).bind(f.unit_id.unwrap_or(0)).bind(f.community_id.unwrap_or(0)).fetch_all(pool).await)
}

pub async fn items_of(db: &Db, inspection_id: i64) -> Result<Vec<InspectionItem>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select id, inspection_id, position, code, label, result, note from inspection_items
         where inspection_id = $1 order by position")
        .bind(inspection_id).fetch_all(pool).await)
}

/// Records the visit: the day, the inspectors, the summary and each item's result and note
/// (audited: the inspection's fields, and the items before and after).
#[allow(clippy::too_many_arguments)]
pub async fn record(
    tx: &mut Tx,
    actor: &Actor,
    before: &Inspection,
    inspected_on: &str,
    inspectors: &str,
    summary: &str,
    items: &[(i64, ItemResult, String)],
    old_items: &[InspectionItem],
) -> Result<Inspection, sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "update inspections set inspected_on = $1, inspectors = $2, summary = $3, status = $4, updated_at = $5 where id = $6")
        .bind(inspected_on).bind(inspectors).bind(summary).bind(InspectionStatus::Recorded).bind(now())
        .bind(before.id).execute(&mut *c).await.map(|_| ())?);
    let mut changed = vec![];
    for (id, result, note) in items {
        let Some(old) = old_items.iter().find(|o| o.id == *id) else {
            continue;
        };
        if old.result == *result && old.note == *note {
            continue;
        }
        on_tx!(tx, c => sqlx::query("update inspection_items set result = $1, note = $2 where id = $3 and inspection_id = $4")
            .bind(*result).bind(note).bind(*id).bind(before.id).execute(&mut *c).await.map(|_| ())?);
        changed.push(
            serde_json::json!({"item": id, "result": {"before": old.result, "after": result},
            "note": {"before": old.note, "after": note}}),
        );
    }
    if !changed.is_empty() {
        audit::record_raw(
            tx,
            actor,
            Op::Update,
            Subject::new("inspection_items", Some(before.id), &before.target_name),
            &serde_json::json!({ "items": changed }),
        )
        .await?;
    }
    audit::updated(tx, actor, before.id, before).await
}

/// Moves an inspection to `status` (closed, cancelled), audited.
pub async fn set_status(
    tx: &mut Tx,
    actor: &Actor,
    before: &Inspection,
    status: InspectionStatus,
) -> Result<Inspection, sqlx::Error> {
    on_tx!(tx, c => sqlx::query("update inspections set status = $1, updated_at = $2 where id = $3")
        .bind(status).bind(now()).bind(before.id).execute(&mut *c).await.map(|_| ())?);
    audit::updated(tx, actor, before.id, before).await
}

/// Raises a finding (audited).
pub async fn add_finding(
    tx: &mut Tx,
    actor: &Actor,
    inspection_id: i64,
    n: &NewFinding,
) -> Result<Finding, sqlx::Error> {
    let t = now();
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "insert into inspection_findings (inspection_id, item_id, severity, description, deadline, status, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $7) returning id")
        .bind(inspection_id).bind(n.item_id).bind(n.severity).bind(&n.description).bind(&n.deadline)
        .bind(FindingStatus::Open).bind(t).fetch_one(&mut *c).await?);
    audit::created(tx, actor, id).await
}

pub async fn get_finding(db: &Db, id: i64) -> Result<Option<Finding>, sqlx::Error> {
    let sql = format!("{FINDING_SQL} where f.id = $1");
    on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)
}

/// A finding, read inside the transaction that changes it.
pub async fn finding_in(tx: &mut Tx, id: i64) -> Result<Option<Finding>, sqlx::Error> {
    <Finding as audit::Audited>::load(tx, id).await
}

pub async fn findings_of(db: &Db, inspection_id: i64) -> Result<Vec<Finding>, sqlx::Error> {
    let sql = format!("{FINDING_SQL} where f.inspection_id = $1 order by f.id");
    on_db!(db, pool => sqlx::query_as(&sql).bind(inspection_id).fetch_all(pool).await)
}

/// A campaign's findings and those of other (earlier) years not closed yet: what is still
/// followed to closure after the next campaign opens. Not cancelled ones; in a scope.
pub async fn followed_findings(db: &Db, campaign_id: i64, scope: Scope) -> Result<Vec<Finding>, sqlx::Error> {
    let sql = format!(
        "{FINDING_SQL} where (i.campaign_id = $1 or f.status <> 'accepted')
         and i.status <> 'cancelled' and {} order by f.deadline, f.id",
        scope_sql(scope)
    );
    on_db!(db, pool => sqlx::query_as(&sql).bind(campaign_id).bind(scope_id(scope)).fetch_all(pool).await)
}

/// Every finding of a campaign's inspections (not cancelled ones), in a scope.
pub async fn campaign_findings(db: &Db, campaign_id: i64, scope: Scope) -> Result<Vec<Finding>, sqlx::Error> {
    let sql = format!(
        "{FINDING_SQL} where i.campaign_id = $1 and i.status <> 'cancelled' and {} order by f.deadline, f.id",
        scope_sql(scope)
    );
    on_db!(db, pool => sqlx::query_as(&sql).bind(campaign_id).bind(scope_id(scope)).fetch_all(pool).await)
}

/// Moves a finding on: an answer (its text, at `at`), an acceptance (at `at`) or a return (with
/// its reason), audited with what changed. The caller has checked the move against the status.
pub async fn move_finding(
    tx: &mut Tx,
    actor: &Actor,
    before: &Finding,
    to: FindingStatus,
    text: &str,
    at: i64,
) -> Result<Finding, sqlx::Error> {
    let t = now();
    match to {
        FindingStatus::Answered => {
            on_tx!(tx, c => sqlx::query(
                "update inspection_findings set status = $1, answer = $2, answered_at = $3, updated_at = $4 where id = $5")
                .bind(to).bind(text).bind(at).bind(t).bind(before.id).execute(&mut *c).await.map(|_| ())?)
        }
        FindingStatus::Accepted => {
            on_tx!(tx, c => sqlx::query(
                "update inspection_findings set status = $1, accepted_at = $2, return_reason = '', updated_at = $3 where id = $4")
                .bind(to).bind(at).bind(t).bind(before.id).execute(&mut *c).await.map(|_| ())?)
        }
        FindingStatus::Returned | FindingStatus::Open => {
            on_tx!(tx, c => sqlx::query(
                "update inspection_findings set status = $1, return_reason = $2, updated_at = $3 where id = $4")
                .bind(to).bind(text).bind(t).bind(before.id).execute(&mut *c).await.map(|_| ())?)
        }
    }
    audit::updated(tx, actor, before.id, before).await
}

/// Attaches a photo or file to an inspection, one of its items or one of its findings (audited
/// without the content).
#[allow(clippy::too_many_arguments)]
pub async fn add_file(
    tx: &mut Tx,
    actor: &Actor,
    inspection: &Inspection,
    item_id: Option<i64>,
    finding_id: Option<i64>,
    name: &str,
    content_type: &str,
    data: &[u8],
) -> Result<i64, sqlx::Error> {
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "insert into inspection_files (inspection_id, item_id, finding_id, name, content_type, size, data, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8) returning id")
        .bind(inspection.id).bind(item_id).bind(finding_id).bind(name).bind(content_type).bind(data.len() as i64)
        .bind(data).bind(now()).fetch_one(&mut *c).await?);
    audit::record_raw(
        tx,
        actor,
        Op::AddPhoto,
        Subject::new("inspection", Some(inspection.id), &inspection.target_name),
        &serde_json::json!({"file": id, "item": item_id, "finding": finding_id, "name": name,
            "type": content_type, "size": data.len()}),
    )
    .await?;
    Ok(id)
}

pub async fn files_of(db: &Db, inspection_id: i64) -> Result<Vec<FileInfo>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select id, item_id, finding_id, name, content_type, size, created_at from inspection_files
         where inspection_id = $1 order by id")
        .bind(inspection_id).fetch_all(pool).await)
}

/// How many files an item or a finding has (the per-object cap).
pub async fn count_files(
    tx: &mut Tx,
    inspection_id: i64,
    item_id: Option<i64>,
    finding_id: Option<i64>,
) -> Result<i64, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(
        "select count(*) from inspection_files where inspection_id = $1 and coalesce(item_id, 0) = $2
           and coalesce(finding_id, 0) = $3")
        .bind(inspection_id).bind(item_id.unwrap_or(0)).bind(finding_id.unwrap_or(0)).fetch_one(&mut *c).await)
}

/// A file's name, type and content.
pub async fn file(db: &Db, inspection_id: i64, id: i64) -> Result<Option<(String, String, Vec<u8>)>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select name, content_type, data from inspection_files where inspection_id = $1 and id = $2")
        .bind(inspection_id).bind(id).fetch_optional(pool).await)
}

/// The findings of one inspected organisation in a campaign, as the assessment counts them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct FindingsSummary {
    /// `unit`, `community` or `team` (an activity's findings count for its team).
    pub kind: String,
    pub id: i64,
    pub name: String,
    /// The organisation that answers: the unit or community itself, or the team's.
    pub unit_id: Option<i64>,
    pub community_id: Option<i64>,
    pub findings: i64,
    pub closed_on_time: i64,
    pub closed_late: i64,
    pub open_overdue: i64,
    pub open_not_due: i64,
}

#[derive(sqlx::FromRow)]
struct SummaryFact {
    target_kind: TargetKind,
    target_id: i64,
    target_name: String,
    team_id: Option<i64>,
    team_name: Option<String>,
    unit_id: Option<i64>,
    community_id: Option<i64>,
    status: FindingStatus,
    deadline: String,
    answered_at: Option<i64>,
}

/// For a campaign, per inspected organisation (unit, community or team; an activity's findings
/// count for its organising team), the findings raised and how they stand on `today`
/// (`YYYY-MM-DD`): closed on time (the accepted answer came by the deadline), closed late, open
/// and overdue, open and not yet due. Cancelled inspections do not count. Sorted by kind and name.
pub async fn findings_summary(db: &Db, campaign_id: i64, today: &str) -> Result<Vec<FindingsSummary>, sqlx::Error> {
    let facts: Vec<SummaryFact> = on_db!(db, pool => sqlx::query_as(
        "select i.target_kind, i.target_id, i.target_name, i.team_id, t.name as team_name, i.unit_id, i.community_id,
            f.status, f.deadline, f.answered_at
         from inspection_findings f join inspections i on i.id = f.inspection_id left join teams t on t.id = i.team_id
         where i.campaign_id = $1 and i.status <> 'cancelled'")
        .bind(campaign_id).fetch_all(pool).await)?;
    let mut out: Vec<FindingsSummary> = vec![];
    for f in facts {
        let (kind, id, name) = match (f.target_kind, f.team_id) {
            (TargetKind::Team | TargetKind::Activity, Some(team)) => {
                ("team", team, f.team_name.clone().unwrap_or(f.target_name.clone()))
            }
            (TargetKind::Community, _) => ("community", f.target_id, f.target_name.clone()),
            _ => ("unit", f.target_id, f.target_name.clone()),
        };
        let pos = match out.iter().position(|s| s.kind == kind && s.id == id) {
            Some(p) => p,
            None => {
                out.push(FindingsSummary {
                    kind: kind.into(),
                    id,
                    name,
                    unit_id: f.unit_id,
                    community_id: f.community_id,
                    ..Default::default()
                });
                out.len() - 1
            }
        };
        let s = &mut out[pos];
        s.findings += 1;
        let answered = f.answered_at.map(date_of);
        match Standing::of(f.status, &f.deadline, answered.as_deref(), today) {
            Standing::ClosedOnTime => s.closed_on_time += 1,
            Standing::ClosedLate => s.closed_late += 1,
            Standing::OpenOverdue => s.open_overdue += 1,
            Standing::OpenNotDue => s.open_not_due += 1,
        }
    }
    out.sort_by(|a, b| (&a.kind, &a.name, a.id).cmp(&(&b.kind, &b.name, b.id)));
    Ok(out)
}

/// Backdates an inspection's and its findings' times (the demo's past months; tests).
pub async fn backdate(tx: &mut Tx, inspection_id: i64, created_at: i64) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("update inspections set created_at = $1, updated_at = $1 where id = $2")
        .bind(created_at).bind(inspection_id).execute(&mut *c).await.map(|_| ())?);
    on_tx!(tx, c => sqlx::query("update inspection_findings set created_at = $1, updated_at = $1 where inspection_id = $2")
        .bind(created_at).bind(inspection_id).execute(&mut *c).await.map(|_| ()))
}

impl audit::Audited for Inspection {
    const KIND: &'static str = "inspection";
    fn label(&self) -> String {
        self.target_name.clone()
    }
    async fn load(tx: &mut Tx, id: i64) -> Result<Option<Inspection>, sqlx::Error> {
        let sql = format!("{INSPECTION_SQL} where i.id = $1");
        on_tx!(tx, c => sqlx::query_as(&sql).bind(id).fetch_optional(&mut *c).await)
    }
}

impl audit::Audited for Finding {
    const KIND: &'static str = "inspection_finding";
    fn label(&self) -> String {
        format!(
            "{} · {}",
            self.target_name,
            self.description.chars().take(40).collect::<String>()
        )
    }
    async fn load(tx: &mut Tx, id: i64) -> Result<Option<Finding>, sqlx::Error> {
        let sql = format!("{FINDING_SQL} where f.id = $1");
        on_tx!(tx, c => sqlx::query_as(&sql).bind(id).fetch_optional(&mut *c).await)
    }
}

/// The latest completed activity of a campaign, for the demo: (id, title, team).
pub async fn demo_activity(db: &Db, campaign_id: i64) -> Result<Option<(i64, String, i64)>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select id, title, team_id from activities where campaign_id = $1 and status = 'completed'
         order by starts_at desc limit 1")
        .bind(campaign_id).fetch_optional(pool).await)
}

/// An inspection's item ids and positions, inside a transaction (the demo).
pub async fn item_ids(tx: &mut Tx, inspection_id: i64) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as("select id, position from inspection_items where inspection_id = $1 order by position")
        .bind(inspection_id).fetch_all(&mut *c).await)
}

/// An inspection's findings, inside a transaction (the demo).
pub async fn findings_of_tx(tx: &mut Tx, inspection_id: i64) -> Result<Vec<Finding>, sqlx::Error> {
    let sql = format!("{FINDING_SQL} where f.inspection_id = $1 order by f.id");
    on_tx!(tx, c => sqlx::query_as(&sql).bind(inspection_id).fetch_all(&mut *c).await)
}

/// An inspection, inside a transaction.
pub async fn inspection_in(tx: &mut Tx, id: i64) -> Result<Inspection, sqlx::Error> {
    audit::before::<Inspection>(tx, id).await
}
