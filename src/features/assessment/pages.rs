//! The assessment's HTML pages and the ranking's download.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::Response;

use super::api::CampaignParam;
use super::service::{self, AdjustmentInput, CloseInput, RankingParams, SchemeInput};
use super::xlsx::category;
use crate::db::assessment::Item;
use crate::domain::service::format_local;
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;
use crate::web::{form_urlencoded_pairs, redirect_with_flash, Ctx};

/// `?campaign_id=…` to carry along, or nothing.
fn carry(id: Option<i64>) -> String {
    id.map(|i| format!("campaign_id={i}")).unwrap_or_default()
}

pub async fn ranking(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<RankingParams>,
) -> AppResult<Response> {
    let r = service::ranking(&state.db, &ctx, &params).await?;
    let configures = service::configures(&ctx)?;
    let campaigns = crate::db::campaigns::list_campaigns(&state.db).await?;
    let mut categories: Vec<(String, String)> = r
        .scores
        .iter()
        .filter(|s| s.kind != crate::domain::assessment::SubjectKind::Team)
        .map(|s| (s.category.clone(), category(ctx.lang, s)))
        .collect();
    categories.sort();
    categories.dedup();
    let rows: Vec<_> = r
        .scores
        .iter()
        .map(|s| minijinja::context! { s => s, category => category(ctx.lang, s) })
        .collect();
    Ok(ctx.render(
        &state,
        "assessment/ranking.html",
        minijinja::context! {
            title => ctx.t("assessment.title"), r => r, rows => rows, configures => configures,
            campaigns => campaigns, categories => categories, carry => carry(params.campaign_id),
            params => minijinja::context! { kind => params.kind, q => params.q, category => params.category, campaign_id => params.campaign_id },
        },
    ))
}

pub async fn ranking_xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<RankingParams>,
) -> AppResult<Response> {
    let (bytes, name) = service::export(&state.db, &ctx, &params).await?;
    Ok(crate::web::download::download(bytes, "assessment.xlsx", &name))
}

pub async fn explain(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((kind, id)): Path<(String, i64)>,
    Query(p): Query<CampaignParam>,
) -> AppResult<Response> {
    let e = service::explain(&state.db, &ctx, &kind, id, p.campaign_id).await?;
    let activities: Vec<_> = e
        .activities
        .iter()
        .map(|a| {
            minijinja::context! { a => a, hours => format!("{:.1}", a.minutes as f64 / 60.0),
            confirmed => a.hours_confirmed_at.map(format_local) }
        })
        .collect();
    let dispatches: Vec<_> = e
        .dispatches
        .iter()
        .map(|d| minijinja::context! { d => d, ends => format_local(d.ends_at) })
        .collect();
    let adjustments: Vec<_> = e
        .adjustments
        .iter()
        .map(|a| minijinja::context! { a => a, points => a.points as f64 / 10.0, at => format_local(a.created_at) })
        .collect();
    Ok(ctx.render(
        &state,
        "assessment/explain.html",
        minijinja::context! {
            title => format!("{} · {}", e.score.name, ctx.t("assessment.title")), e => e,
            category => category(ctx.lang, &e.score), activities => activities, dispatches => dispatches,
            adjustments => adjustments, carry => carry(p.campaign_id),
        },
    ))
}

async fn scheme_page(state: &AppState, ctx: &Ctx, items: Vec<Item>, errors: &[FieldError]) -> AppResult<Response> {
    let mut r = ctx.render(
        state,
        "assessment/scheme.html",
        minijinja::context! {
            title => ctx.t("assessment.scheme"), items => items,
            total => items.iter().map(|i| i.cap).sum::<i64>(),
            configures => service::configures(ctx)?,
            errors => errors.iter().map(|e| e.message(ctx.lang)).collect::<Vec<_>>(),
        },
    );
    if !errors.is_empty() {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

pub async fn scheme(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let items = service::scheme(&state.db, &ctx, None).await?;
    scheme_page(&state, &ctx, items, &[]).await
}

pub async fn save_scheme(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> AppResult<Response> {
    let pairs = form_urlencoded_pairs(&String::from_utf8_lossy(&body));
    let value = |k: String| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.trim().to_string());
    let current = service::scheme(&state.db, &ctx, None).await?;
    let mut bad = vec![];
    let items: Vec<Item> = current
        .iter()
        .map(|i| {
            let mut num = |field: String, old: i64| match value(field.clone()) {
                Some(v) => v.parse::<i64>().unwrap_or_else(|_| {
                    bad.push(FieldError::new(field, "err.assessment_points"));
                    -1
                }),
                None => old,
            };
            Item {
                indicator: i.indicator.clone(),
                weight: num(format!("weight_{}", i.indicator), i.weight),
                cap: num(format!("cap_{}", i.indicator), i.cap),
            }
        })
        .collect();
    let input = SchemeInput {
        campaign_id: None,
        items: items.clone(),
    };
    match service::update_scheme(&state.db, &ctx, &input).await {
        Ok(_) => Ok(redirect_with_flash("/assessment/scheme", "flash.saved", ctx.secure)),
        Err(AppError::Validation(errs)) => scheme_page(&state, &ctx, items, &errs).await,
        Err(e) => Err(e),
    }
}

async fn adjustments_page(
    state: &AppState,
    ctx: &Ctx,
    errors: &[FieldError],
    v: &AdjustmentInput,
) -> AppResult<Response> {
    let list = service::adjustments(&state.db, ctx, None).await?;
    let configures = service::configures(ctx)?;
    let r = service::ranking(&state.db, ctx, &RankingParams::default()).await?;
    let names: std::collections::HashMap<(String, i64), String> = r
        .scores
        .iter()
        .map(|s| ((s.kind.as_str().to_string(), s.id), s.name.clone()))
        .collect();
    let rows: Vec<_> = list
        .iter()
        .map(|a| {
            minijinja::context! { a => a, points => a.points as f64 / 10.0, at => format_local(a.created_at),
            name => names.get(&(a.org_kind.clone(), a.org_id)).cloned().unwrap_or_default() }
        })
        .collect();
    let orgs: Vec<_> = r
        .scores
        .iter()
        .map(|s| minijinja::context! { value => format!("{}:{}", s.kind.as_str(), s.id), name => s.name, kind => s.kind })
        .collect();
    let mut res = ctx.render(
        state,
        "assessment/adjustments.html",
        minijinja::context! {
            title => ctx.t("assessment.adjustments_title"), rows => rows, configures => configures,
            frozen => r.frozen, orgs => orgs,
            v => minijinja::context! { org => format!("{}:{}", v.org_kind, v.org_id.unwrap_or(0)), points => v.points, reason => v.reason, evidence => v.evidence },
            errors => errors.iter().map(|e| e.message(ctx.lang)).collect::<Vec<_>>(),
        },
    );
    if !errors.is_empty() {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

pub async fn adjustments(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    adjustments_page(&state, &ctx, &[], &AdjustmentInput::default()).await
}

pub async fn add_adjustment(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> AppResult<Response> {
    let pairs = form_urlencoded_pairs(&String::from_utf8_lossy(&body));
    let value = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let org = value("org");
    let (kind, id) = org.split_once(':').unwrap_or(("", ""));
    let input = AdjustmentInput {
        campaign_id: None,
        org_kind: kind.to_string(),
        org_id: id.parse().ok(),
        points: value("points"),
        reason: value("reason"),
        evidence: value("evidence"),
    };
    match service::add_adjustment(&state.db, &ctx, &input).await {
        Ok(_) => Ok(redirect_with_flash(
            "/assessment/adjustments",
            "flash.saved",
            ctx.secure,
        )),
        Err(AppError::Validation(errs)) => adjustments_page(&state, &ctx, &errs, &input).await,
        Err(e) => Err(e),
    }
}

pub async fn close(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::Form(input): axum::Form<CloseInput>,
) -> AppResult<Response> {
    let back = match input.campaign_id {
        Some(id) => format!("/assessment?campaign_id={id}"),
        None => "/assessment".into(),
    };
    match service::close(&state.db, &ctx, &input).await {
        Ok(_) => Ok(redirect_with_flash(&back, "flash.assessment_closed", ctx.secure)),
        Err(AppError::Conflict(errs)) => Ok(ctx.refusal_for(&state, "assessment.refused", &errs, &back)),
        Err(e) => Err(e),
    }
}
