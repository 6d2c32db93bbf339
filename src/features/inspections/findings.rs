//! Findings and their rectification (整改): the inspector raises a finding with a severity and a
//! deadline; the inspected organisation answers with what it did and evidence; the inspector
//! accepts the answer or returns it with a reason. Photos and files on items and findings.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::service::{load, load_to_inspect, may_answer, may_inspect, moved};
use crate::auth::Acting;
use crate::db::inspections::{self as store, Finding, Inspection, NewFinding};
use crate::db::{now, Db};
use crate::domain::campaign::parse_form_date;
use crate::domain::inspection::{FindingMove, FindingStatus, InspectionMove, InspectionStatus, Severity};
use crate::error::{AppError, AppResult, FieldError};
use crate::features::campaign::service::active;
use crate::features::{required_text, validated};
use crate::state::AppState;
use crate::web::form::lenient_i64;

/// The largest photo or file (as for activity photos).
pub const FILE_MAX: usize = crate::features::activities::input::PHOTO_MAX;
/// Files one item or finding may hold.
const FILES_PER_OBJECT: i64 = 20;

/// A finding as the inspector raises it.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct FindingInput {
    /// The checklist item it is about, if any.
    #[serde(default, deserialize_with = "lenient_i64")]
    pub item_id: Option<i64>,
    /// `minor`, `major` or `serious`.
    pub severity: Option<String>,
    pub description: Option<String>,
    /// The rectification deadline, `YYYY-MM-DD` (today or later).
    pub deadline: Option<String>,
}

/// Raises a finding on a recorded inspection; the inspected organisation is told.
pub async fn raise(db: &Db, by: &Acting, id: i64, input: &FindingInput) -> AppResult<Finding> {
    let (i, _) = load_to_inspect(db, by, id).await?;
    moved(&i, InspectionMove::RaiseFinding)?;
    let mut errors = vec![];
    let severity = input.severity.as_deref().and_then(Severity::parse);
    if severity.is_none() {
        errors.push(FieldError::new("severity", "err.inspection_choice"));
    }
    let description = required_text("description", input.description.as_deref(), 1000, &mut errors);
    let deadline = match parse_form_date(input.deadline.as_deref().unwrap_or("")) {
        Ok(d) if d < crate::domain::campaign::today() => {
            errors.push(FieldError::new("deadline", "err.deadline_past"));
            d
        }
        Ok(d) => d,
        Err(key) => {
            errors.push(FieldError::new("deadline", key));
            String::new()
        }
    };
    if let Some(item) = input.item_id {
        if !store::items_of(db, id).await?.iter().any(|it| it.id == item) {
            errors.push(FieldError::new("item_id", "err.inspection_item_pick"));
        }
    }
    validated(errors)?;
    let n = NewFinding {
        item_id: input.item_id,
        severity: severity.unwrap_or(Severity::Minor),
        description,
        deadline,
    };
    let mut tx = db.begin().await?;
    let f = store::add_finding(&mut tx, &by.actor(), id, &n).await?;
    crate::features::notifications::events::finding_moved(&mut tx, &f, i.created_by).await?;
    tx.commit().await?;
    Ok(f)
}

/// The finding and its inspection, after a View check. A finding of a past year is still
/// answered and reviewed until it is closed: rectifications are followed to closure.
async fn load_finding(db: &Db, by: &Acting, id: i64) -> AppResult<(Finding, Inspection, bool, bool)> {
    let f = store::get_finding(db, id).await?.ok_or(AppError::NotFound)?;
    let (i, place) = load(db, by, f.inspection_id).await?;
    Ok((f, i, may_inspect(by, &place)?, may_answer(by, &place)?))
}

/// The inspected organisation's answer: what it did.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[schema(as = FindingAnswer)]
pub struct AnswerInput {
    pub answer: Option<String>,
}

/// The inspector's review of an answer.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[schema(as = FindingReview)]
pub struct ReviewInput {
    /// `accept` or `return`.
    pub decision: String,
    /// Why it is returned (required then).
    pub reason: Option<String>,
}

/// Moves a finding from its state, or 409 when the move is not allowed there.
fn next(f: &Finding, m: FindingMove) -> AppResult<FindingStatus> {
    f.status.after(m).ok_or_else(|| {
        AppError::Conflict(vec![FieldError::new("status", "err.finding_state")
            .with_text("status", &format!("finding.status.{}", f.status.as_str()))])
    })
}

/// The inspected organisation answers a finding (again, after a return).
pub async fn answer(db: &Db, by: &Acting, id: i64, input: &AnswerInput) -> AppResult<Finding> {
    let (f, i, _, answers) = load_finding(db, by, id).await?;
    if !answers {
        return Err(AppError::Forbidden);
    }
    let to = next(&f, FindingMove::Answer)?;
    let mut errors = vec![];
    let text = required_text("answer", input.answer.as_deref(), 2000, &mut errors);
    validated(errors)?;
    let mut tx = db.begin().await?;
    let before = store::finding_in(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    next(&before, FindingMove::Answer)?;
    let after = store::move_finding(&mut tx, &by.actor(), &before, to, &text, now()).await?;
    crate::features::notifications::events::finding_moved(&mut tx, &after, i.created_by).await?;
    tx.commit().await?;
    Ok(after)
}

/// The inspector accepts an answer (the finding is closed) or returns it with a reason.
pub async fn review(db: &Db, by: &Acting, id: i64, input: &ReviewInput) -> AppResult<Finding> {
    let (f, i, inspects, _) = load_finding(db, by, id).await?;
    if !inspects {
        return Err(AppError::Forbidden);
    }
    let m = match FindingMove::parse(&input.decision) {
        Some(m @ (FindingMove::Accept | FindingMove::Return)) => m,
        _ => return Err(AppError::field("decision", "err.inspection_choice")),
    };
    let to = next(&f, m)?;
    let mut errors = vec![];
    let reason = if m == FindingMove::Return {
        required_text("reason", input.reason.as_deref(), 500, &mut errors)
    } else {
        String::new()
    };
    validated(errors)?;
    let mut tx = db.begin().await?;
    let before = store::finding_in(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    next(&before, m)?;
    let after = store::move_finding(&mut tx, &by.actor(), &before, to, &reason, now()).await?;
    crate::features::notifications::events::finding_moved(&mut tx, &after, i.created_by).await?;
    tx.commit().await?;
    Ok(after)
}

/// Where an uploaded photo or file goes: the inspection itself, one of its items, or one of its
/// findings (evidence).
#[derive(Clone, Copy, Debug, Default)]
pub struct FileTarget {
    pub item_id: Option<i64>,
    pub finding_id: Option<i64>,
}

/// What an uploaded file is, by its first bytes (and, for documents, its name): photos as for
/// activities; evidence on a finding may also be a PDF, Word, Excel or text file.
fn file_type(name: &str, bytes: &[u8], documents: bool) -> Option<&'static str> {
    crate::features::activities::service::image_type(bytes).or_else(|| {
        documents
            .then(|| crate::features::checkins::plan::plan_type(name, bytes))
            .flatten()
    })
}

/// Adds a photo (or, as evidence, a document) to an inspection, an item or a finding: the
/// inspector on the inspection and its items until it is closed; on a finding not yet accepted,
/// the inspector or the inspected organisation. Checked by content, at most 5 MB.
pub async fn add_file(
    state: &AppState,
    by: &Acting,
    id: i64,
    to: FileTarget,
    name: &str,
    bytes: &[u8],
) -> AppResult<i64> {
    let db = &state.db;
    let (i, place) = load(db, by, id).await?;
    // Evidence for a past year's finding still open is taken; the inspection's own photos only
    // while its year runs.
    if to.finding_id.is_none() && active(db).await?.id != i.campaign_id {
        return Err(AppError::BadRequest("err.campaign_closed"));
    }
    let inspects = may_inspect(by, &place)?;
    let answers = may_answer(by, &place)?;
    match to.finding_id {
        Some(fid) => {
            let f = store::get_finding(db, fid).await?.filter(|f| f.inspection_id == id);
            let Some(f) = f else {
                return Err(AppError::field("finding_id", "err.finding_pick"));
            };
            if !(inspects || answers) {
                return Err(AppError::Forbidden);
            }
            if f.status == FindingStatus::Accepted {
                return Err(AppError::Conflict(vec![FieldError::new("status", "err.finding_state")
                    .with_text("status", &format!("finding.status.{}", f.status.as_str()))]));
            }
        }
        None => {
            if !inspects {
                return Err(AppError::Forbidden);
            }
            if matches!(i.status, InspectionStatus::Closed | InspectionStatus::Cancelled) {
                return Err(AppError::Conflict(vec![FieldError::new(
                    "status",
                    "err.inspection_state",
                )
                .with_text("status", &format!("inspection.status.{}", i.status.as_str()))]));
            }
            if let Some(item) = to.item_id {
                if !store::items_of(db, id).await?.iter().any(|it| it.id == item) {
                    return Err(AppError::field("item_id", "err.inspection_item_pick"));
                }
            }
        }
    }
    if bytes.is_empty() {
        return Err(AppError::field("file", "err.inspection_no_file"));
    }
    if bytes.len() > FILE_MAX {
        return Err(AppError::Validation(vec![FieldError::new(
            "file",
            "err.file_too_large",
        )
        .with("mb", FILE_MAX / 1024 / 1024)]));
    }
    let Some(kind) = file_type(name, bytes, to.finding_id.is_some()) else {
        let key = if to.finding_id.is_some() {
            "err.inspection_file_type"
        } else {
            "err.not_an_image"
        };
        return Err(AppError::field("file", key));
    };
    if kind.starts_with("application/vnd.openxmlformats") {
        crate::web::upload::check_package(&state.uploads, bytes).await?;
    }
    let target_item = if to.finding_id.is_some() { None } else { to.item_id };
    let name: String = name.chars().filter(|c| !c.is_control()).take(200).collect();
    let mut tx = db.begin().await?;
    // Counted in the inserting transaction, so two uploads at once cannot both take the last place.
    if store::count_files(&mut tx, id, target_item, to.finding_id).await? >= FILES_PER_OBJECT {
        return Err(AppError::Validation(vec![FieldError::new(
            "file",
            "err.inspection_too_many_files",
        )
        .with("max", FILES_PER_OBJECT)]));
    }
    let fid = store::add_file(&mut tx, &by.actor(), &i, target_item, to.finding_id, &name, kind, bytes).await?;
    tx.commit().await?;
    Ok(fid)
}

/// A photo or file of an inspection the caller may see: name, type and content.
pub async fn file(db: &Db, by: &Acting, id: i64, file_id: i64) -> AppResult<(String, String, Vec<u8>)> {
    load(db, by, id).await?;
    store::file(db, id, file_id).await?.ok_or(AppError::NotFound)
}
