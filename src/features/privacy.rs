//! Privacy: personal data shown masked unless the caller asks (`reveal=true`) and the policy
//! allows it, every full view logged; and a volunteer's erasure of their record on their request
//! (PIPL Art. 47), refused while an activity of theirs is under way.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Json};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::policy::{self, Object};
use crate::db::audit::{self, Subject};
use crate::db::campaign::{self as store, Volunteer};
use crate::db::privacy::{self as privacy_store, Erasure, ErasureNotice};
use crate::db::service as store_service;
use crate::domain::phone::Phone;
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;
use crate::web::{redirect_with_flash, Ctx};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/me/erasure", get(page_erasure_me).post(page_erase_me))
        .route("/volunteers/{id}/erasure", get(page_erasure).post(page_erase))
        .routes(routes!(api_erase_me))
        .routes(routes!(api_erase))
        .routes(routes!(api_notices))
}

// ------------------------------------------------------------ masking

/// Whether the caller sees `obj`'s personal data in full: only when asked for (`reveal`) and
/// allowed by the policy; asking without being allowed is refused (403).
pub fn reveals(ctx: &Ctx, reveal: bool, obj: &Object) -> AppResult<bool> {
    if !reveal {
        return Ok(false);
    }
    if policy::may_reveal(ctx.user()?, obj) {
        Ok(true)
    } else {
        Err(AppError::Forbidden)
    }
}

/// Writes the `view_unmasked` entry of a full view of personal data.
pub async fn log_unmasked(
    state: &AppState,
    ctx: &Ctx,
    subject: Subject<'_>,
    details: serde_json::Value,
) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    audit::record_raw(&mut tx, &ctx.actor(), audit::Op::ViewUnmasked, subject, &details).await?;
    tx.commit().await?;
    Ok(())
}

/// A record with its ID number, phone and guardian's phone masked.
pub fn mask_volunteer(v: &mut Volunteer) {
    v.id_number = v.id_number.as_deref().map(super::teams::mask_id);
    if !v.phone.is_empty() {
        v.phone = Phone::mask(&v.phone);
    }
    if !v.guardian_phone.is_empty() {
        v.guardian_phone = Phone::mask(&v.guardian_phone);
    }
}

// ------------------------------------------------------------ erasure

/// Erasing a record: it cannot be undone, so the request must say so.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct ErasureInput {
    /// Must be `true`: the person understands that the record cannot be restored.
    #[serde(default)]
    pub confirm: bool,
}

/// Whether the signed-in staff member may carry out erasure requests (the record page's button).
pub fn staff_may_erase(ctx: &Ctx) -> bool {
    let anyone = Object::Volunteer {
        user_id: None,
        teams: vec![],
    };
    ctx.principal.as_ref().is_some_and(|p| policy::may_erase(p, &anyone))
}

/// Erases a volunteer's personal data: refused unless confirmed, allowed by the policy (the
/// person, or the district), and no activity of theirs is under way. Their sign-ups for activities
/// not started are cancelled; hours stay; the teams are told; certificates still verify.
pub async fn erase(state: &AppState, ctx: &Ctx, volunteer_id: i64, confirmed: bool) -> AppResult<Erasure> {
    let p = ctx.user()?;
    let v = store::get_volunteer(&state.db, volunteer_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut places = vec![];
    for t in store::volunteer_teams(&state.db, volunteer_id).await? {
        places.push(super::teams::place(state, &t).await?);
    }
    let obj = Object::Volunteer {
        user_id: v.user_id,
        teams: places,
    };
    if !policy::may_erase(p, &obj) {
        return Err(AppError::Forbidden);
    }
    if privacy_store::erased_at(&state.db, volunteer_id).await?.is_some() {
        return Err(AppError::Conflict(vec![FieldError::new(
            "volunteer_id",
            "err.already_erased",
        )]));
    }
    if !confirmed {
        return Err(AppError::field("confirm", "err.erasure_confirm"));
    }
    let busy = privacy_store::activities_under_way(&state.db, volunteer_id).await?;
    if !busy.is_empty() {
        let titles: Vec<String> = busy.into_iter().map(|(_, t)| t).collect();
        return Err(AppError::Conflict(vec![FieldError::new(
            "volunteer_id",
            "err.erasure_under_way",
        )
        .with("activities", titles.join("、"))]));
    }
    let requested_by = if v.user_id == Some(p.user_id) { "self" } else { "staff" };
    let key = store_service::signing_key(&state.db).await?;
    let actor = ctx.actor();
    let mut tx = state.db.begin().await?;
    let mut cancelled = 0;
    for activity_id in privacy_store::upcoming_signups(&mut tx, volunteer_id).await? {
        if let Some(a) = store_service::activity_in_tx(&mut tx, activity_id).await? {
            if store_service::cancel_signup(&mut tx, &actor, &a, volunteer_id)
                .await?
                .is_some()
            {
                cancelled += 1;
            }
        }
    }
    let erasure = privacy_store::erase_volunteer(&mut tx, &actor, volunteer_id, requested_by, &key, cancelled).await?;
    tx.commit().await?;
    Ok(erasure)
}

/// What the teams keeping a record were told of its erasure.
pub async fn notices(state: &AppState, ctx: &Ctx, team_id: i64) -> AppResult<Vec<ErasureNotice>> {
    super::teams::load(state, ctx, team_id).await?;
    Ok(privacy_store::notices(&state.db, team_id).await?)
}

// ------------------------------------------------------------ JSON API

/// Withdraw consent and erase one's own volunteer record (PIPL Art. 47): personal fields are
/// erased, the account is closed, hours stay in the figures without the person, certificates
/// still verify as "issued, holder's record withdrawn". Refused (409) while an activity one is
/// signed up for is under way.
#[utoipa::path(post, path = "/api/v1/me/erasure", tag = "volunteers", request_body = ErasureInput,
    responses((status = 200, body = Erasure), (status = 409, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_erase_me(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(input): Json<ErasureInput>,
) -> AppResult<Json<Erasure>> {
    let v = super::volunteers::own_volunteer(&state, &ctx).await?;
    Ok(Json(erase(&state, &ctx, v.id, input.confirm).await?))
}

/// Carry out a volunteer's erasure request received by the district office (district only).
#[utoipa::path(post, path = "/api/v1/volunteers/{id}/erasure", tag = "volunteers", request_body = ErasureInput,
    responses((status = 200, body = Erasure), (status = 403, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_erase(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<ErasureInput>,
) -> AppResult<Json<Erasure>> {
    Ok(Json(erase(&state, &ctx, id, input.confirm).await?))
}

/// People on the team's roster whose records were erased on their request.
#[utoipa::path(get, path = "/api/v1/teams/{id}/erasures", tag = "teams", responses((status = 200, body = Vec<ErasureNotice>)))]
pub async fn api_notices(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<ErasureNotice>>> {
    Ok(Json(notices(&state, &ctx, id).await?))
}

// ------------------------------------------------------------ pages

#[derive(Deserialize)]
struct ErasureForm {
    confirm: Option<String>,
}

fn erasure_page(
    state: &AppState,
    ctx: &Ctx,
    v: &Volunteer,
    busy: &[(i64, String)],
    action: &str,
    back: &str,
) -> Response {
    let busy: Vec<String> = busy.iter().map(|(_, t)| t.clone()).collect();
    let page = minijinja::context! {
        title => ctx.t("erasure.title"), v => v, busy => busy, action => action, back => back,
        own => v.user_id.is_some() && ctx.principal.as_ref().map(|p| p.user_id) == v.user_id,
    };
    ctx.render(state, "erasure.html", page)
}

async fn page_erasure_me(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let v = super::volunteers::own_volunteer(&state, &ctx).await?;
    let busy = privacy_store::activities_under_way(&state.db, v.id).await?;
    Ok(erasure_page(&state, &ctx, &v, &busy, "/me/erasure", "/me/record"))
}

async fn page_erasure(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    if !staff_may_erase(&ctx) {
        ctx.user()?;
        return Err(AppError::Forbidden);
    }
    let v = store::get_volunteer(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let busy = privacy_store::activities_under_way(&state.db, v.id).await?;
    let (action, back) = (format!("/volunteers/{id}/erasure"), format!("/volunteers/{id}"));
    Ok(erasure_page(&state, &ctx, &v, &busy, &action, &back))
}

fn outcome(
    state: &AppState,
    ctx: &Ctx,
    result: AppResult<Erasure>,
    done: &str,
    flash: &str,
    back: &str,
) -> AppResult<Response> {
    match result {
        Ok(_) => Ok(redirect_with_flash(done, flash, ctx.secure)),
        Err(AppError::Validation(errs) | AppError::Conflict(errs)) => {
            Ok(ctx.refusal_for(state, "erasure.refused", &errs, back))
        }
        Err(e) => Err(e),
    }
}

async fn page_erase_me(State(state): State<AppState>, ctx: Ctx, Form(input): Form<ErasureForm>) -> AppResult<Response> {
    let v = super::volunteers::own_volunteer(&state, &ctx).await?;
    let result = erase(&state, &ctx, v.id, input.confirm.is_some()).await;
    // The session has ended with the account: back to the sign-in page.
    outcome(&state, &ctx, result, "/login", "flash.erased", "/me/erasure")
}

async fn page_erase(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<ErasureForm>,
) -> AppResult<Response> {
    let result = erase(&state, &ctx, id, input.confirm.is_some()).await;
    let back = format!("/volunteers/{id}/erasure");
    outcome(
        &state,
        &ctx,
        result,
        &format!("/volunteers/{id}"),
        "flash.erased_staff",
        &back,
    )
}
