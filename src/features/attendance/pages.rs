//! The pages of the day: the poster, the phone page behind it, the leader's forms.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::header::{HeaderMap, SET_COOKIE};
use axum::response::Response;
use axum::Form;
use serde::Deserialize;
use utoipa::IntoParams;

use super::service::*;
use crate::db::now;
use crate::db::{attendance, settings, volunteers};
use crate::domain::attendance::Method;
use crate::domain::service::{format_local, signin_code};
use crate::error::{AppError, AppResult, FieldError};
use crate::features::activities::{load, load_managed};
use crate::state::AppState;
use crate::web::{cookie, form_urlencoded_pairs, redirect_with_flash, set_cookie, Ctx};

const WALKIN_COOKIE: &str = "lf_walkin";

#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CodeParam {
    /// The poster's code.
    pub c: Option<String>,
}

/// The printable poster: the activity and a QR code of its sign-in page. A rotating code's
/// poster is for a screen: it reloads itself before the code changes.
pub async fn poster(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let a = load_managed(&state, &ctx, id).await?;
    let rules = settings::rules(&state.db).await?;
    let code = signin_code(&a.code_secret, a.code_rotates, rules.code_rotate_secs, now());
    let url = format!("{}/s/{}?c={}", crate::web::origin(&headers, &ctx), a.id, code);
    let qr = qrcode::QrCode::new(url.as_bytes())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("qr: {e}")))?
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(280, 280)
        .quiet_zone(true)
        .build();
    Ok(ctx.render(
        &state,
        "attendance/poster.html",
        minijinja::context! {
            title => a.title, a => a, qr => qr, url => url,
            starts => format_local(a.starts_at), ends => crate::domain::dates::format_local_time(a.ends_at),
            refresh => a.code_rotates.then_some((rules.code_rotate_secs / 2).max(5)),
        },
    ))
}

/// The phone page behind the poster.
pub async fn scan_page(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<CodeParam>,
) -> AppResult<Response> {
    let a = load(&state, &ctx, id).await?;
    let rules = settings::rules(&state.db).await?;
    let t = now();
    let code = q.c.clone().unwrap_or_default();
    let code_problem = gate(
        &a,
        &rules,
        &ScanInput {
            code: Some(code.clone()).filter(|c| !c.is_empty()),
            lat: None,
            lng: None,
        },
        t,
        true,
    )
    .err()
    .filter(|e| e.field != "position")
    // The page is reached by scanning the poster: without its code, say so before any form.
    .or_else(|| {
        code.trim()
            .is_empty()
            .then(|| FieldError::new("code", "err.code_missing"))
    })
    .map(|e| e.message(ctx.lang));
    let mut mine = None;
    let mut has_record = false;
    if let Some(p) = &ctx.principal {
        if let Some(v) = volunteers::volunteer_by_user(&state.db, p.user_id).await? {
            has_record = true;
            mine = attendance::attendance_of(&state.db, a.id, v.id).await?;
        }
    } else if let Some(tok) = cookie(&headers, WALKIN_COOKIE) {
        if let Some(vid) = walk_in_attendance(&state.db, a.id, &tok).await? {
            mine = attendance::attendance_of(&state.db, a.id, vid).await?;
        }
    }
    let mine = mine.map(|m| {
        minijinja::context! {
            m => m, in_at => format_local(m.signed_in_at), out_at => m.signed_out_at.map(format_local),
            hours => m.minutes.map(crate::domain::service::hours),
        }
    });
    Ok(ctx.render(
        &state,
        "attendance/scan.html",
        minijinja::context! {
            title => a.title, a => a, code => code, problem => code_problem, mine => mine,
            signed_in => ctx.principal.is_some(), has_record => has_record,
            starts => format_local(a.starts_at), ends => crate::domain::dates::format_local_time(a.ends_at),
            geofence => a.geofence_m.is_some(), here => format!("/s/{id}?c={}", crate::web::urlencode(&code)),
        },
    ))
}

pub async fn scan_in(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<WalkInInput>,
) -> AppResult<Response> {
    let back = format!(
        "/s/{id}?c={}",
        crate::web::urlencode(input.code.as_deref().unwrap_or(""))
    );
    if ctx.principal.is_some() {
        return match scan_self(&state, &ctx, id, &input.scan(), Method::Scan, false).await {
            Ok(r) => Ok(redirect_with_flash(
                &back,
                if r.changed {
                    "flash.signed_in"
                } else {
                    "flash.already_signed_in"
                },
                ctx.secure,
            )),
            Err(AppError::Validation(errs)) => Ok(ctx.refusal_for(&state, "scan.refused", &errs, &back)),
            Err(AppError::BadRequest(k)) => Ok(ctx.refusal(&state, "scan.refused", vec![ctx.t(k)], &back)),
            Err(e) => Err(e),
        };
    }
    let a = load(&state, &ctx, id).await?;
    match walk_in(&state, &ctx, &a, &input).await {
        Ok((_, token)) => {
            let mut r = redirect_with_flash(&back, "flash.signed_in", ctx.secure);
            r.headers_mut().append(
                SET_COOKIE,
                set_cookie(WALKIN_COOKIE, &token, Some(2 * 86400), ctx.secure, true),
            );
            Ok(r)
        }
        Err(AppError::Validation(errs)) => Ok(ctx.refusal_for(&state, "scan.refused", &errs, &back)),
        Err(e) => Err(e),
    }
}

pub async fn scan_out(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(input): Form<WalkInInput>,
) -> AppResult<Response> {
    let back = format!(
        "/s/{id}?c={}",
        crate::web::urlencode(input.code.as_deref().unwrap_or(""))
    );
    let result = if ctx.principal.is_some() {
        scan_self(&state, &ctx, id, &input.scan(), Method::Scan, true)
            .await
            .map(|r| r.changed)
    } else {
        let token = cookie(&headers, WALKIN_COOKIE);
        walk_out(&state, &ctx, id, token.as_deref(), &input.scan()).await
    };
    match result {
        Ok(changed) => Ok(redirect_with_flash(
            &back,
            if changed {
                "flash.signed_out"
            } else {
                "flash.already_signed_out"
            },
            ctx.secure,
        )),
        Err(AppError::Validation(errs)) => Ok(ctx.refusal_for(&state, "scan.refused", &errs, &back)),
        Err(AppError::BadRequest(k)) => Ok(ctx.refusal(&state, "scan.refused", vec![ctx.t(k)], &back)),
        Err(e) => Err(e),
    }
}

fn bulk_from_form(body: &[u8]) -> BulkInput {
    let mut input = BulkInput::default();
    for (k, v) in form_urlencoded_pairs(&String::from_utf8_lossy(body)) {
        match k.as_str() {
            "volunteer_ids" => input.volunteer_ids.extend(v.trim().parse::<i64>().ok()),
            "action" => input.action = v,
            "at" => input.at = Some(v),
            _ => {}
        }
    }
    input
}

pub async fn bulk_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> AppResult<Response> {
    let back = format!("/activities/{id}#attendance");
    match bulk(&state, &ctx, id, &bulk_from_form(&body)).await {
        Ok(_) => Ok(redirect_with_flash(&back, "flash.saved", ctx.secure)),
        Err(AppError::Validation(errs)) => Ok(ctx.refusal_for(&state, "activity.refused", &errs, &back)),
        Err(e) => Err(e),
    }
}

pub async fn correct_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, vid)): Path<(i64, i64)>,
    Form(input): Form<CorrectionInput>,
) -> AppResult<Response> {
    let back = format!("/activities/{id}#attendance");
    match correct(&state, &ctx, id, vid, &input).await {
        Ok(_) => Ok(redirect_with_flash(&back, "flash.saved", ctx.secure)),
        Err(AppError::Validation(errs)) => Ok(ctx.refusal_for(&state, "activity.refused", &errs, &back)),
        Err(e) => Err(e),
    }
}

pub async fn confirm_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let back = format!("/activities/{id}#attendance");
    match confirm(&state, &ctx, id).await {
        Ok(_) => Ok(redirect_with_flash(&back, "flash.hours_confirmed", ctx.secure)),
        Err(AppError::Validation(errs)) => Ok(ctx.refusal_for(&state, "activity.refused", &errs, &back)),
        Err(e) => Err(e),
    }
}
