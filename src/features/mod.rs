//! One module per capability; each has the service functions that decide and write, and the
//! HTML and JSON handlers that call them.

pub mod account;
pub mod activities;
pub mod assessment;
pub mod attendance;
pub mod audit;
pub mod calendar;
pub mod campaign;
pub mod certificates;
pub mod checkins;
pub mod commendations;
pub mod communities;
pub mod compliance;
pub mod contact;
pub mod dispatches;
pub mod district;
pub mod home;
pub mod identity;
pub mod inspections;
pub mod monthly;
pub mod needs;
pub mod notifications;
pub mod pairings;
pub mod privacy;
pub mod public;
pub mod recovery;
pub mod stats;
pub mod streets;
pub mod teams;
pub mod traffic;
pub mod units;
pub mod users;
pub mod volunteers;

use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::policy::{self, Action, Listing, Object, Principal};
use crate::db::list::{ListQuery, Page};
use crate::domain::phone::Phone;
use crate::domain::text::clean_name;
use crate::error::{AppError, AppResult, FieldError};
use crate::web::form::lenient_i64;

/// Page and rows per page of a list that is read whole and answered a page at a time (the active
/// campaign's teams, check-ins, dispatches, trainings), with the same defaults as [`ListParams`].
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page number, from 1.
    #[serde(default, deserialize_with = "lenient_i64")]
    pub page: Option<i64>,
    /// Rows per page (1–500, default 20).
    #[serde(default, deserialize_with = "lenient_i64")]
    pub per_page: Option<i64>,
}

impl PageParams {
    /// The requested page of `items`, answered like every other list.
    pub fn page_of<T>(&self, items: Vec<T>) -> Page<T> {
        let page = self.page.unwrap_or(1).max(1);
        let per_page = self.per_page.unwrap_or(20).clamp(1, 500);
        let total = items.len() as i64;
        let skip = usize::try_from((page - 1).saturating_mul(per_page)).unwrap_or(usize::MAX);
        Page {
            items: items.into_iter().skip(skip).take(per_page as usize).collect(),
            total,
            page,
            per_page,
        }
    }
}

/// Paging, search and narrowing filters that every list takes.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Text to search for in names.
    pub q: Option<String>,
    /// Page number, from 1.
    #[serde(default, deserialize_with = "lenient_i64")]
    pub page: Option<i64>,
    /// Rows per page (1–500, default 20).
    #[serde(default, deserialize_with = "lenient_i64")]
    pub per_page: Option<i64>,
    /// Only rows under this street.
    #[serde(default, deserialize_with = "lenient_i64")]
    pub street_id: Option<i64>,
    /// Only rows of this community.
    #[serde(default, deserialize_with = "lenient_i64")]
    pub community_id: Option<i64>,
    /// Only rows of this unit.
    #[serde(default, deserialize_with = "lenient_i64")]
    pub unit_id: Option<i64>,
}

impl ListParams {
    /// The query for `what` as `p` may see it; 403 when `p` may not list it at all.
    pub fn query(&self, p: &Principal, what: Listing) -> AppResult<ListQuery> {
        let scope = policy::list_scope(p, what);
        if matches!(scope, policy::Scope::Nothing) {
            return Err(AppError::Forbidden);
        }
        Ok(ListQuery {
            q: self.q.clone(),
            page: self.page.unwrap_or(1).max(1),
            per_page: self.per_page.unwrap_or(20).clamp(1, 500),
            scope,
            street_id: self.street_id,
            community_id: self.community_id,
            unit_id: self.unit_id,
        })
    }
}

/// 403 unless the policy allows it.
pub fn ensure(p: &Principal, action: Action, obj: &Object) -> AppResult<()> {
    if policy::allows(p, action, obj) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// A required name: cleaned, 1–100 characters.
pub fn required_name(field: &str, value: Option<&str>, errors: &mut Vec<FieldError>) -> String {
    let v = clean_name(value.unwrap_or(""));
    if v.is_empty() {
        errors.push(FieldError::new(field, "err.required"));
    } else if v.chars().count() > 100 {
        errors.push(FieldError::new(field, "err.too_long").with("max", 100));
    }
    v
}

/// Optional free text: cleaned, at most `max` characters.
pub fn optional_text(field: &str, value: Option<&str>, max: usize, errors: &mut Vec<FieldError>) -> String {
    let v = clean_name(value.unwrap_or(""));
    if v.chars().count() > max {
        errors.push(FieldError::new(field, "err.too_long").with("max", max));
    }
    v
}

/// Optional free text as typed (trimmed; punctuation and line breaks kept), at most `max` characters.
pub fn free_text(field: &str, value: Option<&str>, max: usize, errors: &mut Vec<FieldError>) -> String {
    let v = value.unwrap_or("").trim().to_string();
    if v.chars().count() > max {
        errors.push(FieldError::new(field, "err.too_long").with("max", max));
    }
    v
}

/// Required free text (line breaks kept), at most `max` characters.
pub fn required_text(field: &str, value: Option<&str>, max: usize, errors: &mut Vec<FieldError>) -> String {
    let v = value.unwrap_or("").trim().to_string();
    if v.is_empty() {
        errors.push(FieldError::new(field, "err.required"));
    } else if v.chars().count() > max {
        errors.push(FieldError::new(field, "err.too_long").with("max", max));
    }
    v
}

/// An optional phone number in its stored form.
pub fn optional_phone(field: &str, value: Option<&str>, errors: &mut Vec<FieldError>) -> String {
    let raw = value.unwrap_or("").trim();
    if raw.is_empty() {
        return String::new();
    }
    match Phone::parse(raw) {
        Some(p) => p.as_str().to_string(),
        None => {
            errors.push(FieldError::new(field, "err.phone"));
            raw.to_string()
        }
    }
}

/// Turns a unique-constraint violation into a 409 naming the field.
pub fn conflict_on_unique(e: sqlx::Error, field: &str, key: &'static str) -> AppError {
    if crate::db::is_unique_violation(&e) {
        AppError::Conflict(vec![FieldError::new(field, key)])
    } else {
        e.into()
    }
}

pub fn validated(errors: Vec<FieldError>) -> AppResult<()> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errors))
    }
}

pub use crate::web::list::pages;

/// What an upload page shows around the form: where it posts, the template, the instructions,
/// and the keys of the two success summaries (a passed check, a finished import).
pub struct ImportView<'a> {
    pub title_key: &'a str,
    pub action: String,
    pub template_url: &'a str,
    pub fill_key: &'a str,
    pub back: String,
    pub checked_key: &'a str,
    pub done_key: &'a str,
    /// Said before any upload (e.g. that importing sends an accepted roster back for resubmission).
    pub note: Option<String>,
}

/// The upload page, with the result of the last upload (422 when it had problems).
pub fn import_page(
    state: &crate::state::AppState,
    ctx: &crate::web::Ctx,
    view: &ImportView,
    report: Option<&crate::excel::ImportReport>,
    file_error: Option<String>,
) -> axum::response::Response {
    let summary = report.map(|r| {
        let key = match (r.errors.is_empty(), r.dry_run) {
            (false, _) => "import.has_errors",
            (true, true) => view.checked_key,
            (true, false) => view.done_key,
        };
        let counts = [
            ("rows", r.rows.to_string()),
            ("accepted", r.accepted.to_string()),
            ("created", r.created.to_string()),
            ("unchanged", r.unchanged.to_string()),
            ("errors", r.errors.len().to_string()),
        ];
        crate::i18n::tf(ctx.lang, key, &counts)
    });
    let page = minijinja::context! {
        title => ctx.t(view.title_key),
        action => view.action,
        template_url => view.template_url,
        fill => ctx.t(view.fill_key),
        back => view.back,
        report => report,
        summary => summary,
        file_error => file_error,
        note => view.note,
    };
    let mut res = ctx.render(state, "import.html", page);
    if report.is_some_and(|r| !r.errors.is_empty()) || file_error.is_some() {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    res
}
