//! The monthly statistics page: month and area pickers, the figures as a table that prints, the
//! download, and the paragraph for publicity with its copy button.

use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

use super::service::{self, MonthlyParams};
use crate::db::monthly::{Line, Monthly};
use crate::domain::monthly::{grouped, grouped_hours};
use crate::error::{AppError, AppResult};
use crate::excel::forms::monthly::{day, month_label};
use crate::state::AppState;
use crate::web::form::lenient_i64;
use crate::web::{unprocessable, Ctx};

/// The page's query: the API's, or one picker `org` (`s3` a street, `u5` a unit) for forms
/// that work without scripts.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct PageParams {
    pub month: Option<String>,
    pub org: Option<String>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub street_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub unit_id: Option<i64>,
}

impl PageParams {
    fn params(&self) -> MonthlyParams {
        let org = self.org.as_deref().map(str::trim).unwrap_or("");
        // An unreadable id becomes -1, which no row has.
        let id = |s: &str| Some(s.parse::<i64>().unwrap_or(-1));
        let (street_id, unit_id) = match org.split_at(org.len().min(1)) {
            ("s", rest) => (id(rest), None),
            ("u", rest) => (None, id(rest)),
            _ => (self.street_id, self.unit_id),
        };
        MonthlyParams {
            month: self.month.clone(),
            street_id,
            unit_id,
        }
    }
}

fn row(l: &Line) -> minijinja::Value {
    minijinja::context! {
        label => l.label, held => grouped(l.held), person_times => grouped(l.person_times),
        hours => grouped_hours(l.minutes),
    }
}

fn figures(ctx: &Ctx, m: &Monthly) -> minijinja::Value {
    let lang = ctx.lang;
    let mut query = format!("month={}", m.month);
    match m.area.as_str() {
        "street" => query.push_str(&format!("&street_id={}", m.area_id.unwrap_or_default())),
        "unit" => query.push_str(&format!("&unit_id={}", m.area_id.unwrap_or_default())),
        _ => {}
    }
    minijinja::context! {
        m => m,
        title => crate::excel::forms::monthly::title(m, lang),
        month_label => month_label(lang, &m.month),
        start => day(lang, &m.period_start), end => day(lang, &m.period_end),
        total => row(&m.total),
        by_category => m.by_category.iter().map(row).collect::<Vec<_>>(),
        by_form => m.by_form.iter().map(row).collect::<Vec<_>>(),
        cd_day => m.concentrated_day.as_deref().map(|d| day(lang, d)),
        cd_people => grouped(m.concentrated_people), cd_teams => grouped(m.concentrated_teams),
        volunteers_active => grouped(m.volunteers_active), teams_active => grouped(m.teams_active),
        new_registrations => grouped(m.new_registrations),
        needs => m.needs.as_ref().map(|n| minijinja::context! { received => grouped(n.received), fulfilled => grouped(n.fulfilled) }),
        // The month and ids are validated digits: the query needs no encoding.
        xlsx => format!("/stats/monthly.xlsx?{query}"),
    }
}

pub async fn monthly(State(state): State<AppState>, ctx: Ctx, Query(q): Query<PageParams>) -> AppResult<Response> {
    let choices = service::choices(&state.db, &ctx).await?;
    let params = q.params();
    let (report, errors) = match service::report(&state.db, &ctx, &params).await {
        Ok(m) => (Some(m), vec![]),
        Err(AppError::Validation(errs)) => (None, errs),
        Err(e) => return Err(e),
    };
    let org = match (params.street_id, params.unit_id, &report) {
        (_, _, Some(m)) if m.area == "street" => format!("s{}", m.area_id.unwrap_or_default()),
        (_, _, Some(m)) if m.area == "unit" => format!("u{}", m.area_id.unwrap_or_default()),
        (Some(s), _, None) => format!("s{s}"),
        (_, Some(u), None) => format!("u{u}"),
        _ => String::new(),
    };
    let month = report
        .as_ref()
        .map(|m| m.month.clone())
        .or_else(|| q.month.clone())
        .unwrap_or_default();
    // A month typed into the address that the picker does not offer is shown as typed.
    let mut listed = choices.months.clone();
    if !month.is_empty() && !listed.contains(&month) {
        listed.insert(0, month.clone());
    }
    let months: Vec<_> = listed
        .iter()
        .map(|m| {
            let label = if choices.months.contains(m) {
                month_label(ctx.lang, m)
            } else {
                m.clone()
            };
            minijinja::context! { value => m, label => label }
        })
        .collect();
    let messages: Vec<(String, String)> = errors.iter().map(|e| (e.field.clone(), e.message(ctx.lang))).collect();
    let page = minijinja::context! {
        title => ctx.t("monthly.title"),
        months => months, streets => choices.streets, units => choices.units,
        month => month, org => org, errors => messages,
        r => report.as_ref().map(|m| figures(&ctx, m)),
    };
    let res = ctx.render(&state, "monthly/monthly.html", page);
    Ok(if errors.is_empty() { res } else { unprocessable(res) })
}
