//! The concentrated-day calendar (附件5): generated for the campaign (the third Saturday of each
//! month of activities), moved by the district with a reason, a theme for each month; exported as
//! the calendar form (.xlsx) and as an iCalendar feed phones subscribe to.

use axum::extract::{Path, Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Json};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ensure, PageParams};
use crate::auth::policy::{Action, Object};
use crate::db::audit::{self, Op, Subject};
use crate::db::campaign::Campaign;
use crate::db::orgs::Page;
use crate::db::{now, Db, Tx};
use crate::domain::calendar::{concentrated_days, weekday_cn};
use crate::domain::campaign::parse_form_date;
use crate::error::{AppError, AppResult, FieldError};
use crate::excel;
use crate::state::AppState;
use crate::web::{redirect_with_flash, Ctx};
use crate::{on_db, on_tx};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/calendar", get(page))
        .route("/calendar/{month}", axum::routing::post(page_update))
        .route("/calendar.ics", get(ics))
        .route("/calendar.xlsx", get(xlsx))
        .routes(routes!(api_list))
        .routes(routes!(api_update))
}

/// One concentrated activity day.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct ConcentratedDay {
    pub id: i64,
    pub campaign_id: i64,
    pub month: i64,
    /// The day (`YYYY-MM-DD`).
    pub day: String,
    /// The third Saturday it was generated as.
    pub planned_day: String,
    /// Why it was moved, when it was.
    pub moved_reason: String,
    /// The month's theme.
    pub theme: String,
    pub updated_at: i64,
}

/// Creates the year's days if the campaign has none yet (a new campaign, or one opened before
/// the calendar existed).
pub async fn ensure_days(tx: &mut Tx, actor: &audit::Actor, c: &Campaign) -> Result<(), sqlx::Error> {
    let n: i64 = on_tx!(tx, t => sqlx::query_scalar("select count(*) from concentrated_days where campaign_id = $1")
        .bind(c.id).fetch_one(&mut *t).await?);
    if n > 0 {
        return Ok(());
    }
    for (month, day) in concentrated_days(&c.activities_start, &c.activities_end) {
        let d = day.to_string();
        on_tx!(tx, t => sqlx::query(
            "insert into concentrated_days (campaign_id, month, day, planned_day, updated_at) values ($1, $2, $3, $3, $4)
             on conflict (campaign_id, month) do nothing")
            .bind(c.id).bind(month as i64).bind(&d).bind(now()).execute(&mut *t).await.map(|r| r.rows_affected())?);
    }
    let summary = serde_json::json!({"campaign": c.year});
    audit::record_raw(
        tx,
        actor,
        audit::Op::Create,
        Subject::new("calendar", Some(c.id), &c.name),
        &summary,
    )
    .await
}

async fn days(db: &Db, campaign_id: i64) -> Result<Vec<ConcentratedDay>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as("select * from concentrated_days where campaign_id = $1 order by month")
        .bind(campaign_id).fetch_all(pool).await)
}

/// The active campaign's days, generated on first use.
pub async fn list(state: &AppState, ctx: &Ctx) -> AppResult<(Campaign, Vec<ConcentratedDay>)> {
    let campaign = super::campaign::active(state).await?;
    let mut out = days(&state.db, campaign.id).await?;
    if out.is_empty() {
        let mut tx = state.db.begin().await?;
        ensure_days(&mut tx, &ctx.actor(), &campaign).await?;
        tx.commit().await?;
        out = days(&state.db, campaign.id).await?;
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

/// Moves a month's day (with a reason) or sets its theme (district office).
pub async fn update(state: &AppState, ctx: &Ctx, month: i64, input: &DayInput) -> AppResult<ConcentratedDay> {
    ensure(ctx.user()?, Action::Update, &Object::Campaign)?;
    let (campaign, all) = list(state, ctx).await?;
    let before = all.into_iter().find(|d| d.month == month).ok_or(AppError::NotFound)?;
    let mut errors = vec![];
    let day = match input.day.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => before.day.clone(),
        Some(s) => match parse_form_date(s) {
            Ok(d) if d[..7] == before.planned_day[..7] => d,
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
    let reason = super::optional_text("reason", input.reason.as_deref(), 200, &mut errors);
    if day != before.planned_day && reason.is_empty() && errors.is_empty() {
        errors.push(FieldError::new("reason", "err.calendar_reason"));
    }
    let theme = match &input.theme {
        Some(t) => super::optional_text("theme", Some(t), 100, &mut errors),
        None => before.theme.clone(),
    };
    super::validated(errors)?;
    let reason = if day == before.planned_day {
        String::new()
    } else {
        reason
    };
    let mut tx = state.db.begin().await?;
    on_tx!(&mut tx, t => sqlx::query(
        "update concentrated_days set day = $1, moved_reason = $2, theme = $3, updated_at = $4 where id = $5")
        .bind(&day).bind(&reason).bind(&theme).bind(now()).bind(before.id).execute(&mut *t).await.map(|r| r.rows_affected())?);
    let after = ConcentratedDay {
        day,
        moved_reason: reason,
        theme,
        ..before.clone()
    };
    let label = format!("{} {}月", campaign.year, month);
    audit::record(
        &mut tx,
        &ctx.actor(),
        Op::Update,
        Subject::new("calendar", Some(before.id), &label),
        Some(&before),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

// ------------------------------------------------------------ exports

/// A TEXT value escaped per RFC 5545 §3.3.11: backslash, `;`, `,` and line breaks.
fn ics_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace("\r\n", "\\n")
        .replace(['\n', '\r'], "\\n")
}

/// One content line, folded per RFC 5545 §3.1: no physical line longer than 75 octets (the
/// leading space of a continuation counts), never inside a UTF-8 character, CRLF after each.
fn ics_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3 + 2);
    let mut octets = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if octets + n > 75 {
            out.push_str("\r\n ");
            octets = 1;
        }
        out.push(c);
        octets += n;
    }
    out.push_str("\r\n");
    out
}

/// The days as an iCalendar feed (public: the dates and themes are the campaign's publicity).
async fn ics(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let (campaign, days) = list(&state, &ctx).await?;
    let district = crate::db::orgs::district_name(&state.db).await?.unwrap_or_default();
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    let mut lines: Vec<String> = vec![
        "BEGIN:VCALENDAR".into(),
        "VERSION:2.0".into(),
        "PRODID:-//Leifeng//Concentrated days//ZH".into(),
        "CALSCALE:GREGORIAN".into(),
        format!("X-WR-CALNAME:{}", ics_escape(&format!("{district}志愿服务集中活动日"))),
        "X-WR-TIMEZONE:Asia/Shanghai".into(),
    ];
    for d in &days {
        let date = d.day.replace('-', "");
        let next = chrono::NaiveDate::parse_from_str(&d.day, "%Y-%m-%d")
            .map(|x| (x + chrono::Days::new(1)).format("%Y%m%d").to_string())
            .unwrap_or_default();
        let summary = if d.theme.is_empty() {
            "志愿服务集中活动日".to_string()
        } else {
            format!("志愿服务集中活动日：{}", d.theme)
        };
        lines.push("BEGIN:VEVENT".into());
        lines.push(format!("UID:leifeng-{}-{}@concentrated-day", campaign.year, d.month));
        lines.push(format!("DTSTAMP:{stamp}"));
        lines.push(format!("DTSTART;VALUE=DATE:{date}"));
        lines.push(format!("DTEND;VALUE=DATE:{next}"));
        lines.push(format!("SUMMARY:{}", ics_escape(&summary)));
        if !d.moved_reason.is_empty() {
            lines.push(format!(
                "DESCRIPTION:{}",
                ics_escape(&format!("由 {} 调整：{}", d.planned_day, d.moved_reason))
            ));
        }
        lines.push("END:VEVENT".into());
    }
    lines.push("END:VCALENDAR".into());
    let out: String = lines.iter().map(|l| ics_line(l)).collect();
    Ok(([(CONTENT_TYPE, "text/calendar; charset=utf-8")], out).into_response())
}

/// The calendar form (附件5) as .xlsx.
async fn xlsx(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let (campaign, days) = list(&state, &ctx).await?;
    let rows: Vec<Vec<String>> = days
        .iter()
        .map(|d| {
            let weekday = chrono::NaiveDate::parse_from_str(&d.day, "%Y-%m-%d")
                .map(weekday_cn)
                .unwrap_or("");
            let note = if d.moved_reason.is_empty() {
                String::new()
            } else {
                format!("原定 {}，{}", d.planned_day, d.moved_reason)
            };
            vec![
                d.month.to_string(),
                d.day.clone(),
                weekday.to_string(),
                d.theme.clone(),
                note,
            ]
        })
        .collect();
    let title = format!("附件5 {}年全区志愿服务集中活动日安排表", campaign.year);
    let form = excel::Form::new(
        "附件5",
        &title,
        &["月份", "日期", "星期", "活动主题", "备注"],
        &[8.0, 16.0, 8.0, 34.0, 28.0],
    )
    .kinds(&[excel::Kind::Month, excel::Kind::Date]);
    let bytes = excel::write_form(&form, &rows)?;
    Ok(crate::web::download::download(
        bytes,
        "calendar.xlsx",
        &format!("附件5-{}年集中活动日.xlsx", campaign.year),
    ))
}

// ------------------------------------------------------------ JSON API

/// The active campaign's concentrated activity days (public).
#[utoipa::path(get, path = "/api/v1/calendar", tag = "calendar", security(()), params(PageParams),
    responses((status = 200, body = Page<ConcentratedDay>)))]
pub async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(paging): Query<PageParams>,
) -> AppResult<Json<Page<ConcentratedDay>>> {
    Ok(Json(paging.page_of(list(&state, &ctx).await?.1)))
}

/// Move a month's day (a reason is required when it is not the third Saturday) or set its theme.
#[utoipa::path(put, path = "/api/v1/calendar/{month}", tag = "calendar",
    params(("month" = i64, Path, description = "The campaign month (1–12)")), request_body = DayInput,
    responses((status = 200, body = ConcentratedDay), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(month): Path<i64>,
    Json(input): Json<DayInput>,
) -> AppResult<Json<ConcentratedDay>> {
    Ok(Json(update(&state, &ctx, month, &input).await?))
}

// ------------------------------------------------------------ pages

async fn page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let (campaign, days) = list(&state, &ctx).await?;
    let may_edit = ctx
        .principal
        .as_ref()
        .is_some_and(|p| crate::auth::policy::allows(p, Action::Update, &Object::Campaign));
    let rows: Vec<_> = days
        .iter()
        .map(|d| {
            let weekday = chrono::NaiveDate::parse_from_str(&d.day, "%Y-%m-%d")
                .map(weekday_cn)
                .unwrap_or("");
            minijinja::context! { d => d, weekday => weekday, moved => d.day != d.planned_day }
        })
        .collect();
    let page = minijinja::context! { title => ctx.t("calendar.title"), campaign => campaign, rows => rows, may_edit => may_edit };
    Ok(ctx.render(&state, "calendar/calendar.html", page))
}

async fn page_update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(month): Path<i64>,
    Form(input): Form<DayInput>,
) -> AppResult<Response> {
    match update(&state, &ctx, month, &input).await {
        Ok(_) => Ok(redirect_with_flash("/calendar", "flash.saved", ctx.secure)),
        Err(AppError::Validation(errs)) => Ok(ctx.refusal_for(&state, "calendar.title", &errs, "/calendar")),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::{ics_escape, ics_line};

    #[test]
    fn text_is_escaped() {
        assert_eq!(ics_escape("a,b;c\\d\ne\r\nf"), "a\\,b\\;c\\\\d\\ne\\nf");
        // Full-width punctuation is text, not syntax: left as typed.
        assert_eq!(ics_escape("清洁，家园；"), "清洁，家园；");
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_a_character() {
        let line = format!("SUMMARY:{}", "志愿服务集中活动日，".repeat(6));
        let folded = ics_line(&line);
        assert!(folded.ends_with("\r\n"));
        let physical: Vec<&str> = folded.trim_end_matches("\r\n").split("\r\n").collect();
        assert!(physical.len() > 1);
        for (i, p) in physical.iter().enumerate() {
            assert!(p.len() <= 75, "{} octets: {p}", p.len());
            assert_eq!(i > 0, p.starts_with(' '));
        }
        // Unfolding gives the line back.
        assert_eq!(folded.trim_end_matches("\r\n").replace("\r\n ", ""), line);
        assert_eq!(ics_line("END:VEVENT"), "END:VEVENT\r\n");
        let exactly = "X".repeat(75);
        assert_eq!(ics_line(&exactly), format!("{exactly}\r\n"));
        assert_eq!(ics_line(&"X".repeat(76)), format!("{exactly}\r\n X\r\n"));
    }
}
