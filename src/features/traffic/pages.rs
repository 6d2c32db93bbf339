//! The traffic list's HTML page and its forms.

use axum::extract::{Multipart, Query, State};
use axum::response::Response;
use axum::Form;

use super::api::{xlsx, UnitParam};
use super::service::{self, list_object, unit_of, PickInput, TrainingInput};
use crate::auth::policy::{self, Action, Object};
use crate::domain::phone::Phone;
use crate::domain::politics::PoliticalStatus;
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;
use crate::web::{redirect_with_flash, Ctx};

pub async fn page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<UnitParam>) -> AppResult<Response> {
    let p = ctx.user()?;
    let o = service::overview(&state.db, &ctx, q.unit_id).await?;
    let candidates: Vec<_> = o
        .candidates
        .iter()
        .map(|(m, verdict)| {
            minijinja::context! {
                id => m.volunteer.id, name => m.volunteer.name, no => m.volunteer.volunteer_no,
                politics => PoliticalStatus::from_code(&m.volunteer.political_status).map(|s| s.label()).unwrap_or(""),
                birth => m.volunteer.birth_date,
                ok => verdict.is_ok(), why => match verdict { Ok(k) | Err(k) => ctx.t(k) },
            }
        })
        .collect();
    let rows: Vec<_> = o
        .list
        .iter()
        .map(|x| {
            minijinja::context! {
                x => x, reason => ctx.t(&x.reason), phone => Phone::mask(&x.volunteer.phone),
                hours => format!("{:.1}", x.training_minutes as f64 / 60.0),
            }
        })
        .collect();
    let page = minijinja::context! {
        title => ctx.t("traffic.title"), campaign => o.campaign, unit_id => o.unit, unit_name => o.unit_name,
        rows => rows, candidates => candidates, may_edit => o.may_edit, submitted_at => o.submitted_at,
        may_train => policy::allows(p, Action::Create, &Object::Training),
        trainings => o.trainings, export_query => o.unit.map(|u| format!("unit_id={u}")).unwrap_or_default(),
        may_reveal => policy::may_reveal(p, &list_object(o.unit)),
    };
    Ok(ctx.render(&state, "traffic/traffic.html", page))
}

pub async fn template(ctx: Ctx) -> AppResult<Response> {
    Ok(xlsx(service::template(&ctx)?, "附件3-模板.xlsx"))
}

fn back_to(unit: Option<i64>) -> String {
    match unit {
        Some(u) => format!("/traffic?unit_id={u}"),
        None => "/traffic".into(),
    }
}

fn notice(state: &AppState, ctx: &Ctx, errs: &[FieldError], back: String) -> Response {
    ctx.refusal_for(state, "traffic.title", errs, &back)
}

pub async fn pick(State(state): State<AppState>, ctx: Ctx, Form(input): Form<PickInput>) -> AppResult<Response> {
    let back = back_to(unit_of(&ctx, input.unit_id)?);
    match service::pick(&state.db, &ctx, &input).await {
        Ok(()) => Ok(redirect_with_flash(&back, "flash.saved", ctx.secure)),
        Err(AppError::Validation(errs) | AppError::Conflict(errs)) => Ok(notice(&state, &ctx, &errs, back)),
        Err(e) => Err(e),
    }
}

pub async fn remove(State(state): State<AppState>, ctx: Ctx, Form(input): Form<PickInput>) -> AppResult<Response> {
    let back = back_to(unit_of(&ctx, input.unit_id)?);
    service::remove(&state.db, &ctx, &input).await?;
    Ok(redirect_with_flash(&back, "flash.deleted", ctx.secure))
}

pub async fn submit(State(state): State<AppState>, ctx: Ctx, Form(input): Form<PickInput>) -> AppResult<Response> {
    let back = back_to(unit_of(&ctx, input.unit_id)?);
    match service::submit(&state.db, &ctx, input.unit_id).await {
        Ok(()) => Ok(redirect_with_flash(&back, "flash.traffic_submitted", ctx.secure)),
        Err(AppError::Validation(errs)) => Ok(notice(&state, &ctx, &errs, back)),
        Err(e) => Err(e),
    }
}

/// The training form posts `attended` and `passed` once per ticked box.
pub async fn training(State(state): State<AppState>, ctx: Ctx, body: axum::body::Bytes) -> AppResult<Response> {
    let pairs = crate::web::form_urlencoded_pairs(&String::from_utf8_lossy(&body));
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let ids = |k: &str| {
        pairs
            .iter()
            .filter(|(n, _)| n == k)
            .filter_map(|(_, v)| v.parse().ok())
            .collect()
    };
    let input = TrainingInput {
        held_on: get("held_on"),
        place: get("place"),
        content: get("content"),
        hours: get("hours"),
        attended: ids("attended"),
        passed: ids("passed"),
    };
    match service::record_training(&state.db, &ctx, &input).await {
        Ok(_) => Ok(redirect_with_flash("/traffic", "flash.saved", ctx.secure)),
        Err(AppError::Validation(errs)) => Ok(notice(&state, &ctx, &errs, "/traffic".into())),
        Err(e) => Err(e),
    }
}

pub async fn import(State(state): State<AppState>, ctx: Ctx, multipart: Multipart) -> AppResult<Response> {
    let (bytes, dry_run, fields) = crate::web::upload::read_upload(multipart).await?;
    let unit = unit_of(&ctx, fields.get("unit_id").and_then(|u| u.parse().ok()))?;
    let back = back_to(unit);
    let Some(unit) = unit else {
        return Err(AppError::field("unit_id", "err.required"));
    };
    if bytes.is_empty() {
        return Ok(notice(&state, &ctx, &[FieldError::new("file", "err.no_file")], back));
    }
    let dry_run = dry_run.is_some_and(|v| v == "true");
    let report = match service::import(&state, &ctx, unit, &bytes, dry_run).await {
        Ok(r) => r,
        Err(AppError::Validation(errs)) => return Ok(notice(&state, &ctx, &errs, back)),
        Err(e) => return Err(e),
    };
    if report.errors.is_empty() {
        return Ok(redirect_with_flash(
            &back,
            if dry_run { "flash.form_checked" } else { "flash.saved" },
            ctx.secure,
        ));
    }
    Ok(ctx.refusal(&state, "traffic.title", report.messages(ctx.lang), &back))
}
