//! What the rest of the site reads from inspections: the board's rectification column, the
//! workbench's items, and the inspections and findings list as .xlsx.

use std::collections::HashMap;

use crate::auth::policy::{self, Scope};
use crate::auth::Acting;
use crate::db::audit::{Op, Subject};
use crate::db::board::Cell;
use crate::db::campaigns::Campaign;
use crate::db::inspections::{self as store, Finding};
use crate::db::Db;
use crate::domain::campaign::{date_of, MilestoneStatus, OrgRowKind};
use crate::domain::inspection::{FindingStatus, Standing};
use crate::error::AppResult;
use crate::excel::write::{write_form, Form, Kind};
use crate::features::home::service::{Item, ItemKind, ItemState};
use crate::i18n::{t, tf};

use super::service::{list, InspectionParams};

/// How a finding stands today.
pub fn standing(f: &Finding, today: &str) -> Standing {
    let answered = f.answered_at.map(date_of);
    Standing::of(f.status, &f.deadline, answered.as_deref(), today)
}

/// The board's rectification cell of every unit and community with findings (their teams' and
/// activities' included), from the same counts as [`store::findings_summary`].
pub async fn board_cells(db: &Db, campaign_id: i64, today: &str) -> AppResult<HashMap<(OrgRowKind, i64), Cell>> {
    // (raised, closed, late, overdue, open)
    let mut counts: HashMap<(OrgRowKind, i64), [i64; 5]> = HashMap::new();
    for s in store::findings_summary(db, campaign_id, today).await? {
        let key = match (s.unit_id, s.community_id) {
            (Some(u), _) => (OrgRowKind::Unit, u),
            (None, Some(c)) => (OrgRowKind::Community, c),
            _ => continue,
        };
        let n = counts.entry(key).or_default();
        n[0] += s.findings;
        n[1] += s.closed_on_time + s.closed_late;
        n[2] += s.closed_late;
        n[3] += s.open_overdue;
        n[4] += s.open_not_due;
    }
    Ok(counts
        .into_iter()
        .map(|((kind, id), n)| {
            let status = if n[3] > 0 {
                MilestoneStatus::Missing
            } else if n[2] > 0 {
                MilestoneStatus::Late
            } else if n[4] > 0 {
                MilestoneStatus::Open
            } else {
                MilestoneStatus::Done
            };
            let cell = Cell {
                status,
                done_on: None,
                due: String::new(),
                link: format!("/inspections?{}_id={id}", kind.as_str()),
                progress: Some(format!("{}/{}", n[1], n[0])),
            };
            ((kind, id), cell)
        })
        .collect())
}

fn item(kind: ItemKind, text: String, due: Option<String>, state: ItemState, link: String) -> Item {
    Item {
        kind,
        milestone: None,
        text,
        detail: String::new(),
        due,
        state,
        link,
        count: None,
    }
}

/// The workbench's inspection items: for a unit or community, each finding to rectify (overdue
/// or due by its deadline) or waiting for the inspector; for a street or the district, answers to
/// review, overdue rectifications in its scope, and planned inspections whose day has come.
pub async fn todo_items(db: &Db, by: &Acting, c: &Campaign, today: &str) -> AppResult<Vec<Item>> {
    let p = by.user()?;
    let scope = policy::inspection_scope(p);
    if matches!(scope, Scope::Nothing | Scope::OwnAccount(_)) {
        return Ok(vec![]);
    }
    let lang = by.lang;
    let findings = store::followed_findings(db, c.id, scope).await?;
    let mut out = vec![];
    if matches!(scope, Scope::Unit(_) | Scope::Community(_)) {
        for f in findings.iter().filter(|f| !f.status.is_closed()) {
            let link = format!("/inspections/{}#finding-{}", f.inspection_id, f.id);
            let mut it = if f.status == FindingStatus::Answered {
                item(
                    ItemKind::FindingWaiting,
                    tf(lang, "todo.finding_waiting", &[("name", f.target_name.clone())]),
                    f.answered_at.map(date_of),
                    ItemState::Waiting,
                    link,
                )
            } else {
                let state = if standing(f, today) == Standing::OpenOverdue {
                    ItemState::Overdue
                } else {
                    ItemState::Due
                };
                item(
                    ItemKind::FindingToAnswer,
                    tf(lang, "todo.finding_to_answer", &[("name", f.target_name.clone())]),
                    Some(f.deadline.clone()),
                    state,
                    link,
                )
            };
            it.detail = if f.status == FindingStatus::Returned {
                f.return_reason.clone()
            } else {
                f.description.clone()
            };
            out.push(it);
        }
        return Ok(out);
    }
    let to_review: Vec<_> = findings
        .iter()
        .filter(|f| f.status == FindingStatus::Answered)
        .collect();
    if !to_review.is_empty() {
        let mut it = item(
            ItemKind::FindingsToReview,
            tf(lang, "todo.findings_to_review", &[("n", to_review.len().to_string())]),
            to_review.iter().filter_map(|f| f.answered_at).min().map(date_of),
            ItemState::Due,
            "/inspections/findings?status=answered".into(),
        );
        it.count = Some(to_review.len() as i64);
        out.push(it);
    }
    let overdue: Vec<_> = findings
        .iter()
        .filter(|f| standing(f, today) == Standing::OpenOverdue)
        .collect();
    if !overdue.is_empty() {
        let mut it = item(
            ItemKind::FindingsOverdue,
            tf(lang, "todo.findings_overdue", &[("n", overdue.len().to_string())]),
            overdue.iter().map(|f| f.deadline.clone()).min(),
            ItemState::Overdue,
            "/inspections/findings?standing=open_overdue".into(),
        );
        it.count = Some(overdue.len() as i64);
        it.detail = overdue
            .iter()
            .take(5)
            .map(|f| f.org_name.as_str())
            .collect::<Vec<_>>()
            .join("、");
        out.push(it);
    }
    if policy::may_inspect(p) {
        // The campaign and the scope are those the workbench already has: one read.
        let filter = store::InspectionFilter {
            status: Some(crate::domain::inspection::InspectionStatus::Planned),
            ..Default::default()
        };
        let planned = store::list_inspections(db, c.id, scope, &filter).await?;
        for i in planned.iter().filter(|i| i.planned_on.as_str() <= today) {
            out.push(item(
                ItemKind::InspectionToRecord,
                tf(lang, "todo.inspection_to_record", &[("name", i.target_name.clone())]),
                Some(i.planned_on.clone()),
                if i.planned_on.as_str() < today {
                    ItemState::Overdue
                } else {
                    ItemState::Due
                },
                format!("/inspections/{}", i.id),
            ));
        }
    }
    Ok(out)
}

/// The inspections and their findings as .xlsx (one row per finding, one for an inspection
/// without any), as the caller may see them; the export is written to the audit trail.
pub async fn export(db: &Db, by: &Acting, params: &InspectionParams) -> AppResult<(Vec<u8>, String)> {
    let lang = by.lang;
    let (c, rows) = list(db, by, params).await?;
    let scope = super::service::scope(by)?;
    let findings = store::campaign_findings(db, c.id, scope).await?;
    let today = crate::domain::campaign::today();
    let mut lines = vec![];
    for i in &rows {
        let mine: Vec<&Finding> = findings.iter().filter(|f| f.inspection_id == i.id).collect();
        let head = vec![
            i.target_name.clone(),
            t(lang, &format!("inspection.kind.{}", i.target_kind.as_str())),
            i.org_name.clone(),
            t(
                lang,
                if i.announced {
                    "inspection.announced"
                } else {
                    "inspection.unannounced"
                },
            ),
            i.inspected_on.clone().unwrap_or_else(|| i.planned_on.clone()),
            i.inspectors.clone(),
            t(lang, &format!("inspection.status.{}", i.status.as_str())),
        ];
        if mine.is_empty() {
            let mut row = head.clone();
            row.extend(vec![String::new(); 6]);
            lines.push(row);
        }
        for f in mine {
            let mut row = head.clone();
            row.extend([
                t(lang, &format!("inspection.severity.{}", f.severity.as_str())),
                f.description.clone(),
                f.deadline.clone(),
                t(lang, &format!("finding.status.{}", f.status.as_str())),
                f.answered_at.map(date_of).unwrap_or_default(),
                t(lang, &format!("finding.standing.{}", standing(f, &today).as_str())),
            ]);
            lines.push(row);
        }
    }
    let headers: Vec<String> = [
        "inspection.target",
        "inspection.target_kind",
        "inspection.org",
        "inspection.announced_label",
        "inspection.date",
        "inspection.inspectors",
        "inspection.status",
        "finding.severity",
        "finding.description",
        "finding.deadline",
        "finding.status",
        "finding.answered_on",
        "finding.standing",
    ]
    .iter()
    .map(|k| t(lang, k))
    .collect();
    let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let title = tf(lang, "inspection.export_title", &[("campaign", c.name.clone())]);
    let sheet = t(lang, "nav.inspections");
    let widths = [24.0, 8.0, 20.0, 8.0, 12.0, 14.0, 8.0, 8.0, 36.0, 12.0, 10.0, 12.0, 10.0];
    let kinds = [
        Kind::Text,
        Kind::Text,
        Kind::Text,
        Kind::Text,
        Kind::Date,
        Kind::Text,
        Kind::Text,
        Kind::Text,
        Kind::Text,
        Kind::Date,
        Kind::Text,
        Kind::Date,
        Kind::Text,
    ];
    let form = Form::new(&sheet, &title, &header_refs, &widths).kinds(&kinds);
    let bytes = write_form(&form, &lines)?;
    crate::features::campaign::service::log(
        db,
        by,
        Op::Export,
        Subject::new("inspections", Some(c.id), &title),
        &serde_json::json!({"inspections": rows.len(), "rows": lines.len()}),
    )
    .await?;
    Ok((bytes, format!("{}-{}.xlsx", t(lang, "nav.inspections"), today)))
}

/// The findings of the active campaign the caller may see, with how each stands today; narrowed
/// to a status (`open`, `answered`, `returned`, `accepted`) or a standing (`open_overdue` …).
pub async fn findings(
    db: &Db,
    by: &Acting,
    status: Option<&str>,
    standing_filter: Option<&str>,
) -> AppResult<Vec<(Finding, Standing)>> {
    let scope = super::service::scope(by)?;
    let status = status.map(str::trim).filter(|s| !s.is_empty());
    let standing_filter = standing_filter.map(str::trim).filter(|s| !s.is_empty());
    let mut errors = vec![];
    if status.is_some_and(|s| FindingStatus::parse(s).is_none()) {
        errors.push(filter_error("status", FindingStatus::ALL.map(FindingStatus::as_str)));
    }
    if standing_filter.is_some_and(|s| Standing::parse(s).is_none()) {
        errors.push(filter_error("standing", Standing::ALL.map(Standing::as_str)));
    }
    crate::features::validated(errors)?;
    let c = crate::features::campaign::service::active(db).await?;
    let today = crate::domain::campaign::today();
    Ok(store::followed_findings(db, c.id, scope)
        .await?
        .into_iter()
        .map(|f| {
            let s = standing(&f, &today);
            (f, s)
        })
        .filter(|(f, s)| {
            status.is_none_or(|x| f.status.as_str() == x) && standing_filter.is_none_or(|x| s.as_str() == x)
        })
        .collect())
}

/// 422 for a list filter that is not one of `allowed`, naming them.
pub fn filter_error<const N: usize>(field: &'static str, allowed: [&str; N]) -> crate::error::FieldError {
    crate::error::FieldError::new(field, "err.list_filter").with("values", allowed.join(", "))
}
