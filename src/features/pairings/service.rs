//! pairings: the rules, policy checks and writes, for the web pages, the API and the command line.

use super::PairingInput;
use crate::auth::policy::{self, Action, Listing, Object, Principal};
use crate::auth::Acting;
use crate::db::audit::{self, Subject};
use crate::db::list::{ListQuery, Page};
use crate::db::pairings::Pairing;
use crate::db::Db;
use crate::db::{communities, pairings, units};
use crate::error::{AppError, AppResult, FieldError};
use crate::excel::forms::pairing as form;
use crate::excel::{self, CellError, ImportReport};
use crate::features::{ensure, validated, ListParams};
use crate::i18n::t;
use crate::state::AppState;

pub fn object(p: &Pairing) -> Object {
    Object::Pairing {
        unit_id: p.unit_id,
        community_id: p.community_id,
        street_id: p.street_id,
    }
}

pub async fn list(db: &Db, by: &Acting, params: &ListParams) -> AppResult<Page<Pairing>> {
    let lq = params.query(by.user()?, Listing::Pairings)?;
    Ok(pairings::list_pairings(db, &lq).await?)
}

pub async fn get_one(db: &Db, by: &Acting, id: i64) -> AppResult<Pairing> {
    let p = pairings::get_pairing(db, id).await?.ok_or(AppError::NotFound)?;
    ensure(by.user()?, Action::View, &object(&p))?;
    Ok(p)
}

pub async fn create(db: &Db, by: &Acting, input: &PairingInput) -> AppResult<Pairing> {
    let p = by.user()?;
    if !policy::may_create(p, Listing::Pairings) {
        return Err(AppError::Forbidden);
    }
    let mut errors = vec![];
    let unit = match input.unit_id {
        None => {
            errors.push(FieldError::new("unit_id", "err.required"));
            None
        }
        Some(id) => units::get_unit(db, id).await?.or_else(|| {
            errors.push(FieldError::new("unit_id", "err.no_such_unit"));
            None
        }),
    };
    let community = match input.community_id {
        None => {
            errors.push(FieldError::new("community_id", "err.required"));
            None
        }
        Some(id) => communities::get_community(db, id).await?.or_else(|| {
            errors.push(FieldError::new("community_id", "err.no_such_community"));
            None
        }),
    };
    validated(errors)?;
    let (unit, community) = (unit.expect("validated"), community.expect("validated"));
    ensure(
        p,
        Action::Create,
        &Object::Pairing {
            unit_id: unit.id,
            community_id: community.id,
            street_id: community.street_id,
        },
    )?;
    let mut tx = db.begin().await?;
    if pairings::pairing_exists(&mut tx, unit.id, community.id).await? {
        return Err(AppError::Conflict(vec![FieldError::new(
            "community_id",
            "err.already_paired",
        )]));
    }
    let created = pairings::create_pairing(&mut tx, &by.actor(), unit.id, community.id)
        .await
        .map_err(|e| {
            if crate::db::is_unique_violation(&e) {
                AppError::Conflict(vec![FieldError::new("community_id", "err.already_paired")])
            } else {
                e.into()
            }
        })?;
    tx.commit().await?;
    Ok(created)
}

pub async fn delete(db: &Db, by: &Acting, id: i64) -> AppResult<()> {
    let pairing = get_one(db, by, id).await?;
    ensure(by.user()?, Action::Delete, &object(&pairing))?;
    let mut tx = db.begin().await?;
    pairings::delete_pairing(&mut tx, &by.actor(), id).await?;
    tx.commit().await?;
    Ok(())
}

/// The pairings `by` may see, as the rows of 附件1; the export is written to the audit trail.
pub async fn export(db: &Db, by: &Acting, params: &ListParams) -> AppResult<Vec<u8>> {
    let p = by.user()?;
    let mut lq = params.query(p, Listing::Pairings)?;
    lq.page = 1;
    lq.per_page = 1_000_000;
    let page = pairings::list_pairings(db, &lq).await?;
    let units = unit_levels(db, p).await?;
    let rows = form::rows(page.items.iter().map(|r| form::Written {
        unit: &r.unit_name,
        level: units.iter().find(|(id, _)| *id == r.unit_id).map(|(_, l)| *l),
        street: &r.street_name,
        community: &r.community_name,
    }));
    let bytes = excel::write_form(&form::sheet(), &rows)?;
    let mut tx = db.begin().await?;
    let summary = serde_json::json!({"rows": rows.len()});
    audit::record_raw(
        &mut tx,
        &by.actor(),
        audit::Op::Export,
        Subject::new("pairing", None, form::TITLE),
        &summary,
    )
    .await?;
    tx.commit().await?;
    Ok(bytes)
}

async fn unit_levels(db: &Db, p: &Principal) -> AppResult<Vec<(i64, crate::domain::org::UnitLevel)>> {
    let lq = ListQuery {
        q: None,
        page: 1,
        per_page: 1_000_000,
        scope: policy::list_scope(p, Listing::Units),
        street_id: None,
        community_id: None,
        unit_id: None,
    };
    Ok(units::list_units(db, &lq)
        .await?
        .items
        .into_iter()
        .map(|u| (u.id, u.level))
        .collect())
}

/// Checks every row of an uploaded pairing table and, unless `dry_run`, records the new pairings
/// all together or not at all. Pairings already recorded are left as they are.
pub async fn import(state: &AppState, by: &Acting, bytes: &[u8], dry_run: bool) -> AppResult<ImportReport> {
    let p = by.user()?;
    if !policy::may_create(p, Listing::Pairings) {
        return Err(AppError::Forbidden);
    }
    let lang = by.lang;
    if bytes.len() > excel::MAX_UPLOAD_BYTES {
        return Err(AppError::Validation(vec![FieldError::new(
            "file",
            "err.file_too_large",
        )
        .with("mb", excel::MAX_UPLOAD_BYTES / 1024 / 1024)]));
    }
    let rows = crate::web::upload::read(&state.uploads, bytes, form::COLUMNS).await?;
    let mut errors: Vec<CellError> = vec![];
    let mut accepted = vec![];
    let mut seen = std::collections::HashSet::new();
    let mut tx = state.db.begin().await?;
    let header = |i: usize| form::COLUMNS[i].header.to_string();
    for r in &rows {
        let before = errors.len();
        let form::Read {
            unit: unit_name,
            street: street_name,
            community: community_name,
        } = form::Read::from_row(r);
        let err = |errors: &mut Vec<CellError>, col: usize, value: &str, key: &str| {
            errors.push(CellError {
                row: r.row,
                column: header(col),
                value: value.to_string(),
                message: t(lang, key),
            })
        };
        if unit_name.is_empty() {
            err(&mut errors, form::UNIT, "", "err.required");
        }
        if street_name.is_empty() {
            err(&mut errors, form::STREET, "", "err.required");
        }
        if community_name.is_empty() {
            err(&mut errors, form::COMMUNITY, "", "err.required");
        }
        if errors.len() > before {
            continue;
        }
        let unit_id = units::unit_id_by_name(&mut tx, &unit_name).await?;
        if unit_id.is_none() {
            err(&mut errors, form::UNIT, &unit_name, "err.import_no_unit");
        }
        let community_id = units::community_id_by_names(&mut tx, &street_name, &community_name).await?;
        if community_id.is_none() {
            err(
                &mut errors,
                form::COMMUNITY,
                &format!("{street_name} / {community_name}"),
                "err.import_no_community",
            );
        }
        let (Some(u), Some(c)) = (unit_id, community_id) else {
            continue;
        };
        if !seen.insert((u, c)) {
            errors.push(CellError {
                row: r.row,
                column: header(form::COMMUNITY),
                value: community_name.clone(),
                message: t(lang, "err.import_duplicate_row"),
            });
            continue;
        }
        accepted.push((u, c));
    }
    let mut report = ImportReport::checked(rows.len(), accepted.len(), dry_run, errors, lang);
    for (u, c) in &accepted {
        if pairings::pairing_exists(&mut tx, *u, *c).await? {
            report.unchanged += 1;
        } else if !dry_run && report.errors.is_empty() {
            pairings::create_pairing(&mut tx, &by.actor(), *u, *c).await?;
            report.created += 1;
        }
    }
    if !dry_run && report.errors.is_empty() {
        let summary =
            serde_json::json!({"rows": report.rows, "created": report.created, "unchanged": report.unchanged});
        audit::record_raw(
            &mut tx,
            &by.actor(),
            audit::Op::Import,
            Subject::new("pairing", None, form::TITLE),
            &summary,
        )
        .await?;
        tx.commit().await?;
    }
    Ok(report)
}
