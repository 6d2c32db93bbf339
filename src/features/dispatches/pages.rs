//! The dispatches' HTML pages.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;

use super::forms::{answer_input, dispatch_input};
use super::service::{self, DispatchView, ReviewInput};
use crate::domain::service::format_local;
use crate::error::{AppError, AppResult, FieldError};
use crate::i18n::Lang;
use crate::state::AppState;
use crate::web::{form_urlencoded_pairs, labels, redirect_with_flash, Ctx};

fn lines(v: &DispatchView, lang: Lang) -> minijinja::Value {
    minijinja::context! {
        d => v.dispatch, teams => v.teams, required => v.required, named => v.named, present => v.present,
        starts => format_local(v.dispatch.starts_at), ends => format_local(v.dispatch.ends_at),
        category => labels::category(lang, v.dispatch.category), dimension => labels::dimension(lang, v.dispatch.dimension),
    }
}

pub async fn list(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let all = service::list(&state.db, &ctx).await?;
    let rows: Vec<_> = all.iter().map(|v| lines(v, ctx.lang)).collect();
    let may_create = service::is_district(&ctx)?;
    Ok(ctx.render(
        &state,
        "dispatches/dispatches.html",
        minijinja::context! { title => ctx.t("nav.dispatches"), rows => rows, may_create => may_create },
    ))
}

pub async fn new(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    new_form(&state, &ctx, &[], &[]).await
}

async fn new_form(
    state: &AppState,
    ctx: &Ctx,
    errors: &[FieldError],
    values: &[(String, String)],
) -> AppResult<Response> {
    let teams = service::dispatchable_teams(&state.db, ctx).await?;
    let value = |k: &str| {
        values
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let categories: Vec<_> = labels::categories(ctx.lang)
        .into_iter()
        .map(|(c, l)| minijinja::context! { value => c, label => l })
        .collect();
    let dimensions: Vec<_> = labels::dimensions(ctx.lang)
        .into_iter()
        .map(|(c, l)| minijinja::context! { value => c, label => l })
        .collect();
    let page = minijinja::context! {
        title => ctx.t("dispatch.new"), teams => teams, categories => categories, dimensions => dimensions,
        errors => errors.iter().map(|e| format!("{}: {}", ctx.t(&format!("dispatch.{}", e.field)), e.message(ctx.lang))).collect::<Vec<_>>(),
        v => minijinja::context! { title => value("title"), target => value("target"), description => value("description"),
            category => value("category"), dimension => value("dimension"), address => value("address"),
            starts_at => value("starts_at"), ends_at => value("ends_at") },
        counts => values.iter().filter(|(k, _)| k.starts_with("need_")).cloned().collect::<std::collections::BTreeMap<_, _>>(),
    };
    let mut r = ctx.render(state, "dispatches/dispatch_new.html", page);
    if !errors.is_empty() {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

pub async fn create(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> AppResult<Response> {
    let pairs = form_urlencoded_pairs(&String::from_utf8_lossy(&body));
    match service::create(&state.db, &ctx, &dispatch_input(&pairs)).await {
        Ok(v) => Ok(redirect_with_flash(
            &format!("/dispatches/{}", v.dispatch.id),
            "flash.saved",
            ctx.secure,
        )),
        Err(AppError::Validation(errs)) => new_form(&state, &ctx, &errs, &pairs).await,
        Err(e) => Err(e),
    }
}

pub async fn detail(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let v = service::view(&state.db, &ctx, id).await?;
    let district = service::is_district(&ctx)?;
    let answerable: Vec<_> = service::answerable(&state.db, &ctx, &v)
        .await?
        .into_iter()
        .map(|(t, members)| {
            let members: Vec<_> = members
                .into_iter()
                .map(|m| minijinja::context! { id => m.volunteer.id, name => m.volunteer.name, no => m.volunteer.volunteer_no })
                .collect();
            minijinja::context! { t => t, members => members }
        })
        .collect();
    Ok(ctx.render(
        &state,
        "dispatches/dispatch.html",
        minijinja::context! { title => v.dispatch.title, v => lines(&v, ctx.lang), district => district, answerable => answerable },
    ))
}

pub async fn answer(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, team_id)): Path<(i64, i64)>,
    body: Bytes,
) -> AppResult<Response> {
    let back = format!("/dispatches/{id}");
    match service::answer(&state.db, &ctx, id, team_id, &answer_input(&body)).await {
        Ok(_) => Ok(redirect_with_flash(&back, "flash.saved", ctx.secure)),
        Err(AppError::Validation(errs)) => Ok(ctx.refusal_for(&state, "dispatch.refused", &errs, &back)),
        Err(e) => Err(e),
    }
}

pub async fn review(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, team_id)): Path<(i64, i64)>,
    axum::Form(input): axum::Form<ReviewInput>,
) -> AppResult<Response> {
    let back = format!("/dispatches/{id}");
    match service::review(&state.db, &ctx, id, team_id, &input).await {
        Ok(_) => Ok(redirect_with_flash(&back, "flash.saved", ctx.secure)),
        Err(AppError::Validation(errs)) => Ok(ctx.refusal_for(&state, "dispatch.refused", &errs, &back)),
        Err(e) => Err(e),
    }
}
