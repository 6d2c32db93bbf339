//! The calendar's rules: the days generated on first use, a day moved within its month only and
//! with a reason, a theme per month.

use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::policy::{Action, Object};
use crate::auth::Acting;
use crate::db::calendar::{self as store, ConcentratedDay};
use crate::db::campaigns::Campaign;
use crate::db::Db;
use crate::domain::campaign::parse_form_date;
use crate::error::{AppError, AppResult, FieldError};
use crate::features::{ensure, optional_text, validated};

/// The active campaign's days, generated on first use. Takes the database or anything that holds it.
pub async fn list(db: impl AsRef<Db>, by: &Acting) -> AppResult<(Campaign, Vec<ConcentratedDay>)> {
    let db = db.as_ref();
    let campaign = crate::features::campaign::active(db).await?;
    let mut out = store::days(db, campaign.id).await?;
    if out.is_empty() {
        let mut tx = db.begin().await?;
        store::ensure_days(&mut tx, &by.actor(), &campaign).await?;
        tx.commit().await?;
        out = store::days(db, campaign.id).await?;
    }
    Ok((campaign, out))
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct DayInput {
    /// The new day (`YYYY-MM-DD`, in the same month); leave out to keep it.
    pub day: Option<String>,
    /// Required when the day differs from the planned third Saturday.
    pub reason: Option<String>,
    pub theme: Option<String>,
}

/// The year and month of a day (`YYYY-MM-DD`).
fn month_of(day: &str) -> Option<(i32, u32)> {
    NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .ok()
        .map(|d| (d.year(), d.month()))
}

/// Moves a month's day (with a reason) or sets its theme (district office).
pub async fn update(db: &Db, by: &Acting, month: i64, input: &DayInput) -> AppResult<ConcentratedDay> {
    ensure(by.user()?, Action::Update, &Object::Campaign)?;
    let (campaign, all) = list(db, by).await?;
    let before = all.into_iter().find(|d| d.month == month).ok_or(AppError::NotFound)?;
    let mut errors = vec![];
    let day = match input.day.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => before.day.clone(),
        Some(s) => match parse_form_date(s) {
            Ok(d) if month_of(&d) == month_of(&before.planned_day) => d,
            Ok(_) => {
                errors.push(FieldError::new("day", "err.calendar_month"));
                s.to_string()
            }
            Err(k) => {
                errors.push(FieldError::new("day", k));
                s.to_string()
            }
        },
    };
    let reason = optional_text("reason", input.reason.as_deref(), 200, &mut errors);
    if day != before.planned_day && reason.is_empty() && errors.is_empty() {
        errors.push(FieldError::new("reason", "err.calendar_reason"));
    }
    let theme = match &input.theme {
        Some(t) => optional_text("theme", Some(t), 100, &mut errors),
        None => before.theme.clone(),
    };
    validated(errors)?;
    let reason = if day == before.planned_day {
        String::new()
    } else {
        reason
    };
    let after = ConcentratedDay {
        day,
        moved_reason: reason,
        theme,
        ..before.clone()
    };
    let label = format!("{} {}月", campaign.year, month);
    let mut tx = db.begin().await?;
    store::update_day(&mut tx, &by.actor(), &label, &before, &after).await?;
    tx.commit().await?;
    Ok(after)
}

/// The calendar form (附件5) as .xlsx, with its file name.
pub async fn xlsx(db: &Db, by: &Acting) -> AppResult<(Vec<u8>, String)> {
    let (campaign, days) = list(db, by).await?;
    let bytes = crate::excel::forms::calendar::write(campaign.year, &days)?;
    Ok((bytes, format!("附件5-{}年集中活动日.xlsx", campaign.year)))
}

/// The days as an iCalendar feed (public: the dates and themes are the campaign's publicity).
pub async fn ics(db: &Db, by: &Acting) -> AppResult<String> {
    let (campaign, days) = list(db, by).await?;
    let district = crate::db::district::district_name(db).await?.unwrap_or_default();
    Ok(super::ics::feed(&district, &campaign, &days, chrono::Utc::now()))
}
