//! audit: the rules and writes, for the web, the API and the command line.

use chrono::{NaiveDate, TimeZone};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::policy::{Action, Object};
use crate::auth::Acting;
use crate::db::audit::{self, AuditEntry, AuditFilter};
use crate::db::Db;
use crate::error::{AppError, AppResult, FieldError};
use crate::features::ensure;

#[derive(Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEntry>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// Midnight China time of a `YYYY-MM-DD` date, as epoch seconds.
pub fn day_start(field: &str, s: Option<&str>, errors: &mut Vec<FieldError>) -> Option<NaiveDate> {
    let s = s.map(str::trim).filter(|s| !s.is_empty())?;
    match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(FieldError::new(field, "err.date"));
            None
        }
    }
}

pub fn epoch(d: NaiveDate) -> i64 {
    crate::domain::dates::china()
        .from_local_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight"))
        .single()
        .map(|t| t.timestamp())
        .unwrap_or(0)
}

pub async fn list(db: &Db, by: &Acting, f: &AuditFilter) -> AppResult<AuditPage> {
    ensure(by.user()?, Action::View, &Object::AuditLog)?;
    let mut errors = vec![];
    let from = day_start("from", f.from.as_deref(), &mut errors).map(epoch);
    let to = day_start("to", f.to.as_deref(), &mut errors).map(|d| epoch(d) + 86400);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let (items, total) = audit::list(db, f, from, to).await?;
    Ok(AuditPage {
        items,
        total,
        page: f.page.unwrap_or(1).max(1),
        per_page: audit::PAGE_SIZE,
    })
}
