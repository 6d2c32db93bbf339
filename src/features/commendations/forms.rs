//! The 推荐表: its blank template, the upload (every row checked — row, column, what is wrong —
//! before anything is written, then all rows or none), the export of the nominations the caller
//! may see, and the final list for the commendation decision.

use std::collections::HashMap;

use super::service::{
    candidates_in, categories, check_nomination, ensure_not_published, nomination_scope, nominator_of, year,
};
use crate::auth::policy::{Action, Object};
use crate::auth::Acting;
use crate::db::audit::{self, Subject};
use crate::db::commendations as store;
use crate::domain::commendation::{NominationStatus, NomineeKind};
use crate::error::{AppError, AppResult};
use crate::excel::forms::nomination as form;
use crate::excel::{self, CellError, ImportReport};
use crate::features::ensure;
use crate::i18n::{t, tf};
use crate::state::AppState;

pub fn template() -> AppResult<Vec<u8>> {
    Ok(excel::write_form(&form::sheet(), &[])?)
}

/// Checks every row of an uploaded 推荐表 and, unless `dry_run`, records all the nominations or,
/// if any row has a problem, none.
pub async fn import(
    state: &AppState,
    by: &Acting,
    campaign_id: Option<i64>,
    bytes: &[u8],
    dry_run: bool,
) -> AppResult<ImportReport> {
    let p = by.user()?;
    let nominator = nominator_of(p)?;
    let lang = by.lang;
    let (campaign, cats) = categories(&state.db, by, campaign_id).await?;
    ensure_not_published(&state.db, campaign.id).await?;
    let rows = crate::web::upload::read(&state.uploads, bytes, form::COLUMNS).await?;
    let mut cands = HashMap::new();
    for c in &cats {
        cands.insert(c.id, candidates_in(&state.db, by, c).await?);
    }
    let header = |i: usize| form::COLUMNS[i].header.to_string();
    let mut errors: Vec<CellError> = vec![];
    let mut accepted = vec![];
    let mut pending: HashMap<i64, i64> = HashMap::new();
    let mut seen = std::collections::HashSet::new();
    let mut tx = state.db.begin().await?;
    // The year's categories held (in id order) until the rows are written: see `lock_category`.
    let mut ids: Vec<i64> = cats.iter().map(|c| c.id).collect();
    ids.sort_unstable();
    for id in ids {
        store::lock_category(&mut tx, id).await?;
    }
    for r in &rows {
        let read = form::Read::from_row(r);
        let err = |errors: &mut Vec<CellError>, col: usize, value: &str, message: String| {
            errors.push(CellError {
                row: r.row,
                column: header(col),
                value: value.to_string(),
                message,
            })
        };
        let Some(cat) = cats.iter().find(|c| c.name == read.category) else {
            let names: Vec<&str> = cats.iter().map(|c| c.name.as_str()).collect();
            let msg = tf(lang, "err.commend_category_unknown", &[("names", names.join("、"))]);
            err(&mut errors, form::CATEGORY, &read.category, msg);
            continue;
        };
        let list = &cands[&cat.id];
        let matches: Vec<_> = list
            .iter()
            .filter(|c| c.name == read.nominee)
            .filter(|c| {
                cat.kind != NomineeKind::Volunteer
                    || read.volunteer_no.is_empty()
                    || c.volunteer_no.as_deref() == Some(read.volunteer_no.as_str())
            })
            .collect();
        let nominee = match matches.as_slice() {
            [one] => one.id,
            [] => {
                err(
                    &mut errors,
                    form::NOMINEE,
                    &read.nominee,
                    t(lang, "err.commend_not_candidate"),
                );
                continue;
            }
            _ => {
                err(
                    &mut errors,
                    form::VOLUNTEER_NO,
                    &read.volunteer_no,
                    t(lang, "err.commend_ambiguous"),
                );
                continue;
            }
        };
        if !seen.insert((cat.id, nominee)) {
            err(
                &mut errors,
                form::NOMINEE,
                &read.nominee,
                t(lang, "err.import_duplicate_row"),
            );
            continue;
        }
        let used = pending.get(&cat.id).copied().unwrap_or(0);
        match check_nomination(&mut tx, cat, list, nominator, nominee, Some(&read.deed), used).await {
            Ok(new) => {
                *pending.entry(cat.id).or_default() += 1;
                accepted.push(new);
            }
            Err(AppError::Validation(errs)) => {
                for e in errs {
                    let col = match e.field.as_str() {
                        "deed" => form::DEED,
                        "category_id" => form::CATEGORY,
                        _ => form::NOMINEE,
                    };
                    let value = if col == form::DEED {
                        read.deed.chars().take(20).collect()
                    } else if col == form::CATEGORY {
                        read.category.clone()
                    } else {
                        read.nominee.clone()
                    };
                    err(&mut errors, col, &value, e.message(lang));
                }
            }
            Err(e) => return Err(e),
        }
    }
    let mut report = ImportReport::checked(rows.len(), accepted.len(), dry_run, errors, lang);
    if !dry_run && report.errors.is_empty() {
        for new in &accepted {
            store::insert_nomination(&mut tx, &by.actor(), new).await?;
            report.created += 1;
        }
        let summary = serde_json::json!({"rows": report.rows, "created": report.created});
        audit::record_raw(
            &mut tx,
            &by.actor(),
            audit::Op::Import,
            Subject::new("nomination", None, form::TITLE),
            &summary,
        )
        .await?;
        tx.commit().await?;
    }
    Ok(report)
}

/// The nominations the caller may see, in the layout of the 推荐表 (the export is audited).
pub async fn export(state: &AppState, by: &Acting, campaign_id: Option<i64>) -> AppResult<Vec<u8>> {
    let p = by.user()?;
    ensure(p, Action::View, &Object::Commendation)?;
    let campaign = year(&state.db, campaign_id).await?;
    let list = store::nominations(&state.db, Some(campaign.id), nomination_scope(p)).await?;
    let mut nos = HashMap::new();
    for n in &list {
        if let Some(v) = n.volunteer_id {
            if let Some(vol) = crate::db::volunteers::get_volunteer(&state.db, v).await? {
                nos.insert(v, vol.volunteer_no);
            }
        }
    }
    let district = t(by.lang, "commend.by_district");
    let rows = form::rows(list.iter().map(|n| form::Written {
        category: &n.category_name,
        nominee: &n.nominee_name,
        volunteer_no: n.volunteer_id.and_then(|v| nos.get(&v)).map_or("", |s| s.as_str()),
        org: &n.nominee_org,
        by: if n.by_name.is_empty() { &district } else { &n.by_name },
        deed: &n.deed,
    }));
    let bytes = excel::write_form(&form::sheet(), &rows)?;
    exported(state, by, form::TITLE, rows.len()).await?;
    Ok(bytes)
}

/// The finalised list of a campaign year for the commendation decision (the district).
pub async fn final_list(state: &AppState, by: &Acting, campaign_id: Option<i64>) -> AppResult<Vec<u8>> {
    ensure(by.user()?, Action::Update, &Object::Commendation)?;
    let campaign = year(&state.db, campaign_id).await?;
    let lines = store::roll(&state.db, campaign.id, NominationStatus::Commended).await?;
    let rows: Vec<Vec<String>> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            vec![
                (i + 1).to_string(),
                l.category_name.clone(),
                l.nominee_name.clone(),
                l.nominee_org.clone(),
                l.certificate.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let bytes = excel::write_form(&form::final_sheet(), &rows)?;
    exported(state, by, form::FINAL_TITLE, rows.len()).await?;
    Ok(bytes)
}

async fn exported(state: &AppState, by: &Acting, title: &str, rows: usize) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    audit::record_raw(
        &mut tx,
        &by.actor(),
        audit::Op::Export,
        Subject::new("nomination", None, title),
        &serde_json::json!({"rows": rows}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
