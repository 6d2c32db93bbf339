//! The pages of service records, certificates and the rules of service.

use axum::extract::{Path, Query, State};
use axum::http::header::HeaderMap;
use axum::response::Response;
use axum::Form;
use serde::Deserialize;
use utoipa::IntoParams;

use super::service::*;
use crate::auth::policy::{Action, Object};
use crate::db::{certificates, settings};
use crate::domain::service::{format_local, hours, Rules};
use crate::error::{AppError, AppResult};
use crate::features::ensure;
use crate::features::volunteers::record_of;
use crate::state::AppState;
use crate::web::form::{Field, FormPage};
use crate::web::{redirect_with_flash, Ctx};

#[derive(Clone, Debug, Default, Deserialize)]
pub struct RulesForm {
    round_minutes: Option<String>,
    round_mode: Option<String>,
    min_share_pct: Option<String>,
    stars: Option<String>,
    confirm_working_days: Option<String>,
    signin_early_minutes: Option<String>,
    signout_grace_minutes: Option<String>,
    code_rotate_secs: Option<String>,
    issuer_person: Option<String>,
    issuer_contact: Option<String>,
}

impl RulesForm {
    fn of(r: &Rules) -> RulesForm {
        RulesForm {
            round_minutes: Some(r.round_minutes.to_string()),
            round_mode: Some(r.round_mode.clone()),
            min_share_pct: Some(r.min_share_pct.to_string()),
            stars: Some(r.stars.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(",")),
            confirm_working_days: Some(r.confirm_working_days.to_string()),
            signin_early_minutes: Some(r.signin_early_minutes.to_string()),
            signout_grace_minutes: Some(r.signout_grace_minutes.to_string()),
            code_rotate_secs: Some(r.code_rotate_secs.to_string()),
            issuer_person: Some(r.issuer_person.clone()),
            issuer_contact: Some(r.issuer_contact.clone()),
        }
    }

    fn rules(&self) -> Rules {
        let n = |v: &Option<String>| v.as_deref().and_then(|s| s.trim().parse::<i64>().ok()).unwrap_or(-1);
        Rules {
            round_minutes: n(&self.round_minutes),
            round_mode: self.round_mode.clone().unwrap_or_default(),
            min_share_pct: n(&self.min_share_pct),
            stars: self
                .stars
                .as_deref()
                .unwrap_or("")
                .split([',', '，', '/', ' '])
                .filter(|s| !s.trim().is_empty())
                .map(|s| s.trim().parse().unwrap_or(-1))
                .collect(),
            confirm_working_days: n(&self.confirm_working_days),
            signin_early_minutes: n(&self.signin_early_minutes),
            signout_grace_minutes: n(&self.signout_grace_minutes),
            code_rotate_secs: n(&self.code_rotate_secs),
            issuer_person: crate::domain::text::clean_name(self.issuer_person.as_deref().unwrap_or_default()),
            issuer_contact: self.issuer_contact.clone().unwrap_or_default().trim().to_string(),
        }
    }
}

fn rules_form(ctx: &Ctx, f: &RulesForm) -> FormPage {
    let l = ctx.lang;
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    let fields = vec![
        Field::text(l, "round_minutes", "rules.round_minutes", s(&f.round_minutes)).kind("number"),
        Field::select(
            l,
            "round_mode",
            "rules.round_mode",
            s(&f.round_mode),
            ["nearest", "down", "up"]
                .iter()
                .map(|m| crate::web::form::Choice {
                    value: m.to_string(),
                    label: ctx.t(&format!("rules.mode_{m}")),
                })
                .collect(),
        ),
        Field::text(l, "min_share_pct", "rules.min_share_pct", s(&f.min_share_pct)).kind("number"),
        Field::text(l, "stars", "rules.stars", s(&f.stars)).hint(l, "rules.stars_hint"),
        Field::text(
            l,
            "confirm_working_days",
            "rules.confirm_working_days",
            s(&f.confirm_working_days),
        )
        .kind("number"),
        Field::text(
            l,
            "signin_early_minutes",
            "rules.signin_early_minutes",
            s(&f.signin_early_minutes),
        )
        .kind("number"),
        Field::text(
            l,
            "signout_grace_minutes",
            "rules.signout_grace_minutes",
            s(&f.signout_grace_minutes),
        )
        .kind("number"),
        Field::text(l, "code_rotate_secs", "rules.code_rotate_secs", s(&f.code_rotate_secs)).kind("number"),
        Field::text(l, "issuer_person", "rules.issuer_person", s(&f.issuer_person)),
        Field::text(l, "issuer_contact", "rules.issuer_contact", s(&f.issuer_contact)),
    ];
    FormPage::new(l, ctx.t("rules.title"), "/service-rules", "/", fields)
}

pub async fn rules_page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ensure(ctx.user()?, Action::Update, &Object::Campaign)?;
    let r = settings::rules(&state.db).await?;
    Ok(ctx.render_form(&state, &rules_form(&ctx, &RulesForm::of(&r))))
}

pub async fn rules_submit(State(state): State<AppState>, ctx: Ctx, Form(f): Form<RulesForm>) -> AppResult<Response> {
    let result = set_rules(&state, &ctx, &f.rules()).await;
    crate::web::form::outcome(&state, &ctx, result, "/service-rules", || async {
        Ok(rules_form(&ctx, &f))
    })
    .await
}

fn record_context(ctx: &Ctx, r: &ServiceRecord, may_issue: bool) -> minijinja::Value {
    let lines: Vec<_> = r
        .lines
        .iter()
        .map(|l| {
            minijinja::context! { l => l, date => format_local(l.starts_at), hours => hours(l.minutes), category => l.category.label() }
        })
        .collect();
    let mut teams: Vec<(i64, String)> = vec![];
    for l in &r.lines {
        if !teams.iter().any(|(id, _)| *id == l.team_id) {
            teams.push((l.team_id, l.organiser.clone()));
        }
    }
    let certs: Vec<_> = r
        .certificates
        .iter()
        .map(|c| minijinja::context! { c => c, issued => format_local(c.issued_at) })
        .collect();
    minijinja::context! {
        title => format!("{} · {}", ctx.t("service.title"), r.volunteer.name), r => r, lines => lines,
        trainings => r.volunteer.trainings, stars => "★".repeat(r.stars), empty_stars => "☆".repeat(5 - r.stars),
        teams => teams, certs => certs, may_issue => may_issue,
    }
}

pub async fn service_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let r = service_record(&state, &ctx, id).await?;
    Ok(ctx.render(&state, "certificates/service.html", record_context(&ctx, &r, true)))
}

pub async fn my_service_page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let id = own_id(&state, &ctx).await?;
    let r = service_record(&state, &ctx, id).await?;
    Ok(ctx.render(&state, "certificates/service.html", record_context(&ctx, &r, true)))
}

pub async fn issue_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<IssueInput>,
) -> AppResult<Response> {
    match issue(&state.db, &ctx, id, &input).await {
        Ok(i) => Ok(redirect_with_flash(
            &format!("/certificates/{}", i.number),
            "flash.certificate_issued",
            ctx.secure,
        )),
        Err(AppError::Validation(errs)) => Ok(ctx.refusal_for(
            &state,
            "service.issue_refused",
            &errs,
            &format!("/volunteers/{id}/service"),
        )),
        Err(e) => Err(e),
    }
}

/// The printable A4 certificate (the volunteer, or staff who keep the record).
pub async fn certificate_page(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(number): Path<String>,
) -> AppResult<Response> {
    let c = certificates::certificate_by_number(&state.db, &number)
        .await?
        .ok_or(AppError::NotFound)?;
    // Seeing the record is what allows seeing its certificate.
    record_of(&state.db, &ctx, c.volunteer_id, false).await?;
    let st: Statement = serde_json::from_str(&c.statement).map_err(|e| AppError::Internal(e.into()))?;
    let url = format!("{}{}", crate::web::origin(&headers, &ctx), verify_path(&c));
    let qr = qrcode::QrCode::new(url.as_bytes())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("qr: {e}")))?
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(140, 140)
        .build();
    Ok(ctx.render(
        &state,
        "certificates/certificate.html",
        minijinja::context! { title => ctx.t("certificate.title"), c => c, st => st, qr => qr, url => url },
    ))
}

#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CheckParam {
    /// The check code printed in the certificate's link.
    pub s: Option<String>,
}

pub async fn verify_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(number): Path<String>,
    Query(q): Query<CheckParam>,
) -> AppResult<Response> {
    let v = verify(&state, &number, q.s.as_deref()).await?;
    let mut r = ctx.render(
        &state,
        "certificates/verify.html",
        minijinja::context! { title => ctx.t("verify.title"), v => v },
    );
    if !v.valid {
        *r.status_mut() = axum::http::StatusCode::NOT_FOUND;
    }
    Ok(r)
}
