//! The roster as a file (附件2): the blank form, a team's roster written out (every export
//! audited), and an uploaded roster checked row by row and recorded all or nothing.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;
use utoipa::IntoParams;

use super::members::members;
use super::service::load_for_change;
use crate::auth::Acting;
use crate::db::audit::{self, Subject};
use crate::db::volunteers::{self as store, Match};
use crate::db::{managers, teams, Db};
use crate::domain::campaign::{today, Categories};
use crate::domain::text::match_key;
use crate::domain::volunteer::{validate_sheet_row, VolunteerFields};
use crate::error::AppResult;
use crate::excel::forms::roster::{self as form, column_of, COLUMNS};
use crate::excel::{CellError, ImportReport};
use crate::features::volunteers;
use crate::i18n::{t, tf};
use crate::state::AppState;

/// The blank form: its bytes and file name.
pub fn template(by: &Acting) -> AppResult<(Vec<u8>, String)> {
    by.user()?;
    Ok((form::template()?, form::TEMPLATE_FILE_NAME.to_string()))
}

/// The team's roster in the layout of 附件2, masked unless asked (`reveal`) by one who keeps it;
/// every export is written to the audit trail (and whether it was full). Its bytes and file name.
pub async fn export(db: &Db, by: &Acting, id: i64, reveal: bool) -> AppResult<(Vec<u8>, String)> {
    let (team, members, full) = members(db, by, id, reveal, false).await?;
    let lines: Vec<form::Line> = members
        .iter()
        .map(|m| form::Line {
            person: &m.person,
            categories: &m.categories,
            is_manager: m.is_manager,
        })
        .collect();
    let bytes = form::write_roster(&team.org_name, &team.name, &lines)?;
    let mut tx = db.begin().await?;
    let summary = serde_json::json!({"rows": lines.len(), "unmasked": full});
    audit::record_raw(
        &mut tx,
        &by.actor(),
        audit::Op::Export,
        Subject::new("team", Some(id), &team.name),
        &summary,
    )
    .await?;
    tx.commit().await?;
    Ok((bytes, form::file_name(&team.org_name, &team.name)))
}

/// Checks every row of an uploaded roster and, unless `dry_run`, records it all or nothing: each
/// person is found (by ID number, else name and phone) or recorded, and put on the roster.
pub async fn import(
    state: &AppState,
    by: &Acting,
    team_id: i64,
    bytes: &[u8],
    dry_run: bool,
) -> AppResult<ImportReport> {
    let db = &state.db;
    let (team, _, _) = load_for_change(db, by, team_id).await?;
    let lang = by.lang;
    let rows = crate::web::upload::read(&state.uploads, bytes, COLUMNS).await?;
    let today = today();
    let mut errors: Vec<CellError> = vec![];
    let mut warnings: Vec<CellError> = vec![];
    let mut good: Vec<(usize, VolunteerFields)> = vec![];
    let mut seen_ids: HashMap<String, usize> = HashMap::new();
    let mut seen_name_phone: HashMap<(String, String), usize> = HashMap::new();
    for r in &rows {
        if form::is_example(r) {
            continue;
        }
        let raw = form::raw(r);
        let (f, problems, doubts) = validate_sheet_row(&raw, &today);
        let located = |field: &str, key: &str| {
            let i = column_of(field);
            CellError {
                row: r.row,
                column: COLUMNS[i].header.into(),
                value: r.cells[i].clone(),
                message: t(lang, key),
            }
        };
        let before = errors.len();
        errors.extend(problems.into_iter().map(|(field, key)| located(field, key)));
        if errors.len() > before {
            continue;
        }
        warnings.extend(doubts.into_iter().map(|(field, key)| located(field, key)));
        let duplicate_of = match &f.id_number {
            Some(n) => seen_ids.insert(n.clone(), r.row),
            None => seen_name_phone.insert((match_key(&f.name), f.phone.clone()), r.row),
        };
        if let Some(first) = duplicate_of {
            let (i, value) = if f.id_number.is_some() {
                (column_of("id_number"), raw.id_number.clone())
            } else {
                (column_of("name"), raw.name.clone())
            };
            errors.push(CellError {
                row: r.row,
                column: COLUMNS[i].header.into(),
                value,
                message: tf(lang, "err.roster_duplicate", &[("row", first.to_string())]),
            });
            continue;
        }
        good.push((r.row, f));
    }
    let data_rows = rows.iter().filter(|r| !form::is_example(r)).count();
    let mut report = ImportReport::checked(data_rows, good.len(), dry_run, errors, lang);
    report.warnings = warnings;
    if !report.errors.is_empty() {
        return Ok(report);
    }
    let actor = by.actor();
    let mut tx = db.begin().await?;
    let existing: HashMap<i64, (bool, Categories)> = store::members_in_tx(&mut tx, team_id)
        .await?
        .into_iter()
        .map(|m| (m.volunteer.id, (m.is_manager, m.categories)))
        .collect();
    let id_numbers: Vec<String> = good.iter().filter_map(|(_, f)| f.id_number.clone()).collect();
    let phones: Vec<String> = good.iter().map(|(_, f)| f.phone.clone()).collect();
    let people = store::PeopleIndex::new(store::people_like(&mut tx, &id_numbers, &phones).await?);
    // Records that only other teams keep are not changed by this upload: a match by ID number is
    // put on the roster as it is (differences go to its teams as proposed corrections); a match
    // by name and phone alone is not taken to be the same person.
    let mut foreign = HashSet::new();
    for (_, f) in &good {
        if let Match::ById(id) | Match::ByNamePhone(id) = people.matching(f.id_number.as_deref(), &f.name, &f.phone) {
            if !existing.contains_key(&id) && !foreign.contains(&id) && !volunteers::holds_record(db, by, id).await? {
                foreign.insert(id);
            }
        }
    }
    for (_, f) in &good {
        let categories = Categories(f.categories.clone());
        let found = match people.matching(f.id_number.as_deref(), &f.name, &f.phone) {
            Match::ByNamePhone(id) if foreign.contains(&id) => Match::New,
            m => m,
        };
        match found {
            Match::ById(id) | Match::ByNamePhone(id) => {
                report.linked += 1;
                let record = people.get(id).expect("matched among these");
                let changes = store::would_change(record, f);
                let line = existing.get(&id);
                let same_line = line.is_some_and(|(m, c)| *m == f.is_manager && *c == categories);
                if same_line && !changes {
                    report.unchanged += 1;
                }
                if !dry_run {
                    if changes && foreign.contains(&id) {
                        let diff = f.person.differences(&record.person);
                        if !diff.is_empty() {
                            crate::db::identity::propose_correction(
                                &mut tx,
                                &actor,
                                id,
                                None,
                                &serde_json::Value::Object(diff),
                            )
                            .await?;
                        }
                    } else if changes {
                        store::update_volunteer(&mut tx, &actor, id, f).await?;
                    }
                    if line.map(|(m, _)| *m) != Some(f.is_manager) {
                        store::add_member(&mut tx, &actor, team_id, id, f.is_manager).await?;
                    }
                    store::set_member_categories(&mut tx, &actor, team_id, id, &categories).await?;
                }
            }
            Match::New => {
                if !dry_run {
                    let v = store::insert_volunteer(&mut tx, &actor, f).await?;
                    store::add_member(&mut tx, &actor, team_id, v.id, f.is_manager).await?;
                    store::set_member_categories(&mut tx, &actor, team_id, v.id, &categories).await?;
                }
            }
        }
        if !dry_run && f.is_manager {
            if let Some(unit) = team.unit_id {
                managers::add_manager(&mut tx, &actor, team.campaign_id, unit, &f.name, &f.post).await?;
            }
        }
    }
    report.created = report.accepted - report.unchanged;
    // Said on the dry run already: a roster under review or accepted goes back for resubmission.
    report.resubmission_needed = report.created > 0 && !team.roster_status.may_submit();
    if dry_run {
        report.created = 0;
        return Ok(report);
    }
    if report.created > 0 {
        teams::reopen_roster_if_reviewed(&mut tx, &actor, team_id).await?;
    }
    let summary = serde_json::json!({"rows": report.rows, "added": report.created, "linked": report.linked});
    audit::record_raw(
        &mut tx,
        &actor,
        audit::Op::Import,
        Subject::new("team", Some(team_id), &team.name),
        &summary,
    )
    .await?;
    tx.commit().await?;
    Ok(report)
}

#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// `true` checks the file and writes nothing.
    pub dry_run: Option<bool>,
}
