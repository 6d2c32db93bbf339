//! The commendation's pages: the district's and nominators' overview, candidates, a nomination,
//! the 推荐表 upload; and the public notice with its objection form, the honour roll and the
//! printable honour certificate.

use axum::extract::{Multipart, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Form;
use serde::Deserialize;

use super::api::CandidateParams;
use super::notice::{self, AnswerInput, ObjectionInput, PublishInput};
use super::service::{self, CategoryInput, DeedInput, NominationInput, ReviewInput};
use super::{forms, YearParam};
use crate::error::{AppError, AppResult};
use crate::excel::ImportReport;
use crate::state::AppState;
use crate::web::{redirect_with_flash, Ctx};

/// The year's overview page: `/commendations`, with the year when one was named.
fn home(y: &YearParam) -> String {
    match y.campaign_id {
        Some(id) => format!("/commendations?campaign_id={id}"),
        None => "/commendations".into(),
    }
}

fn refused(state: &AppState, ctx: &Ctx, r: AppResult<Response>, back: &str) -> AppResult<Response> {
    match r {
        Err(AppError::Validation(errs)) | Err(AppError::Conflict(errs)) => {
            Ok(ctx.refusal_for(state, "commend.refused", &errs, back))
        }
        other => other,
    }
}

pub async fn overview(State(state): State<AppState>, ctx: Ctx, Query(y): Query<YearParam>) -> AppResult<Response> {
    let (campaign, cats) = service::categories(&state.db, &ctx, y.campaign_id).await?;
    let this = Some(campaign.id);
    let district = service::is_district(ctx.user()?);
    let may_nominate = service::nominator_of(ctx.user()?).is_ok();
    let list = service::list(&state.db, &ctx, this).await?;
    let notice = notice::notice_for(&state.db, &ctx, &campaign).await?;
    let objections = notice::objections(&state.db, &ctx, this).await?;
    let campaigns = crate::db::campaigns::list_campaigns(&state.db).await?;
    let unfinished = service::unfinished(&state.db, &campaign).await?;
    Ok(ctx.render(
        &state,
        "commendations/overview.html",
        minijinja::context! {
            title => ctx.t("commend.title"), year => campaign.year, campaign_id => campaign.id,
            active => campaign.active, campaigns => campaigns, cats => cats, district => district,
            may_nominate => may_nominate, list => list, notice => notice, objections => objections,
            unfinished => unfinished,
        },
    ))
}

pub async fn candidates(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CandidateParams>,
) -> AppResult<Response> {
    let id = q.category_id.ok_or(AppError::NotFound)?;
    let cat = service::category(&state.db, &ctx, id).await?;
    let list = service::candidates(&state.db, &ctx, id).await?;
    Ok(ctx.render(
        &state,
        "commendations/candidates.html",
        minijinja::context! { title => format!("{} · {}", ctx.t("commend.candidates"), cat.name), cat => cat, list => list },
    ))
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct NewParams {
    #[serde(default, deserialize_with = "crate::web::form::lenient_i64")]
    category_id: Option<i64>,
    #[serde(default, deserialize_with = "crate::web::form::lenient_i64")]
    nominee_id: Option<i64>,
}

pub async fn new(State(state): State<AppState>, ctx: Ctx, Query(q): Query<NewParams>) -> AppResult<Response> {
    let (Some(cid), Some(nid)) = (q.category_id, q.nominee_id) else {
        return Err(AppError::NotFound);
    };
    let cat = service::category(&state.db, &ctx, cid).await?;
    let cand = service::candidates(&state.db, &ctx, cid)
        .await?
        .into_iter()
        .find(|c| c.id == nid)
        .ok_or(AppError::NotFound)?;
    Ok(ctx.render(
        &state,
        "commendations/nominate.html",
        minijinja::context! { title => ctx.t("commend.nominate"), cat => cat, c => cand, max => crate::domain::commendation::DEED_MAX },
    ))
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(input): Form<NominationInput>,
) -> AppResult<Response> {
    let r = service::create(&state.db, &ctx, &input).await.map(|n| {
        redirect_with_flash(
            &format!("/commendations/nominations/{}", n.id),
            "flash.saved",
            ctx.secure,
        )
    });
    let back = format!("/commendations/candidates?category_id={}", input.category_id);
    refused(&state, &ctx, r, &back)
}

pub async fn detail(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let n = service::get(&state.db, &ctx, id).await?;
    let p = ctx.user()?;
    let district = service::is_district(p);
    let may_edit = crate::auth::policy::allows(p, crate::auth::policy::Action::Update, &service::nomination_object(&n))
        && n.status
            .after(crate::domain::commendation::NominationEvent::Edit)
            .is_some();
    let cert = notice::certificate_of(&state.db, &ctx, id).await?;
    Ok(ctx.render(
        &state,
        "commendations/nomination.html",
        minijinja::context! {
            title => format!("{} · {}", n.category_name, n.nominee_name), n => n, district => district,
            may_edit => may_edit, cert => cert, max => crate::domain::commendation::DEED_MAX,
        },
    ))
}

pub async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<DeedInput>,
) -> AppResult<Response> {
    let back = format!("/commendations/nominations/{id}");
    let r = service::update(&state.db, &ctx, id, &input)
        .await
        .map(|_| redirect_with_flash(&back, "flash.saved", ctx.secure));
    refused(&state, &ctx, r, &back)
}

pub async fn delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(y): Query<YearParam>,
) -> AppResult<Response> {
    let back = format!("/commendations/nominations/{id}");
    let r = service::delete(&state.db, &ctx, id)
        .await
        .map(|_| redirect_with_flash(&home(&y), "flash.deleted", ctx.secure));
    refused(&state, &ctx, r, &back)
}

pub async fn review(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<ReviewInput>,
) -> AppResult<Response> {
    let back = format!("/commendations/nominations/{id}");
    let r = service::review(&state.db, &ctx, id, &input)
        .await
        .map(|_| redirect_with_flash(&back, "flash.saved", ctx.secure));
    refused(&state, &ctx, r, &back)
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct CategoryForm {
    quota: Option<String>,
    quota_per_nominator: Option<String>,
    min_hours: Option<String>,
    min_stars: Option<String>,
    no_show_streak: Option<String>,
    no_open_findings: Option<String>,
}

pub async fn update_category(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(y): Query<YearParam>,
    Form(f): Form<CategoryForm>,
) -> AppResult<Response> {
    let n = |v: &Option<String>| v.as_deref().map(|s| s.trim().parse::<i64>().unwrap_or(-1));
    let input = CategoryInput {
        quota: n(&f.quota),
        quota_per_nominator: n(&f.quota_per_nominator),
        min_hours: n(&f.min_hours),
        min_stars: n(&f.min_stars),
        no_show_streak: n(&f.no_show_streak),
        no_open_findings: Some(f.no_open_findings.is_some()),
    };
    let back = home(&y);
    let r = service::update_category(&state.db, &ctx, id, &input)
        .await
        .map(|_| redirect_with_flash(&back, "flash.saved", ctx.secure));
    refused(&state, &ctx, r, &back)
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct PublishForm {
    working_days: Option<String>,
}

pub async fn publish(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(y): Query<YearParam>,
    Form(f): Form<PublishForm>,
) -> AppResult<Response> {
    let input = PublishInput {
        working_days: f.working_days.as_deref().and_then(|s| s.trim().parse().ok()),
    };
    let back = home(&y);
    let r = notice::publish(&state.db, &ctx, y.campaign_id, &input)
        .await
        .map(|_| redirect_with_flash(&back, "flash.commend_published", ctx.secure));
    refused(&state, &ctx, r, &back)
}

pub async fn finalise(State(state): State<AppState>, ctx: Ctx, Query(y): Query<YearParam>) -> AppResult<Response> {
    let back = home(&y);
    let r = notice::finalise(&state.db, &ctx, y.campaign_id)
        .await
        .map(|_| redirect_with_flash(&back, "flash.commend_finalised", ctx.secure));
    refused(&state, &ctx, r, &back)
}

pub async fn answer(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(y): Query<YearParam>,
    Form(input): Form<AnswerInput>,
) -> AppResult<Response> {
    let back = home(&y);
    let r = notice::answer(&state.db, &ctx, id, &input)
        .await
        .map(|_| redirect_with_flash(&back, "flash.saved", ctx.secure));
    refused(&state, &ctx, r, &back)
}

fn import_page(
    state: &AppState,
    ctx: &Ctx,
    y: &YearParam,
    report: Option<&ImportReport>,
    file_error: Option<String>,
) -> Response {
    let carry = y.carry();
    let view = crate::features::ImportView {
        title_key: "commend.import",
        action: if carry.is_empty() {
            "/commendations/import".into()
        } else {
            format!("/commendations/import?{carry}")
        },
        template_url: "/commendations/template.xlsx",
        fill_key: "commend.import_fill",
        back: home(y),
        checked_key: "import.dry_run_ok",
        done_key: "import.done",
        note: None,
    };
    crate::features::import_page(state, ctx, &view, report, file_error)
}

pub async fn import_form(State(state): State<AppState>, ctx: Ctx, Query(y): Query<YearParam>) -> AppResult<Response> {
    service::nominator_of(ctx.user()?)?;
    Ok(import_page(&state, &ctx, &y, None, None))
}

pub async fn import_upload(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(y): Query<YearParam>,
    multipart: Multipart,
) -> AppResult<Response> {
    let (bytes, dry_run, _) = crate::web::upload::read_upload(multipart).await?;
    if bytes.is_empty() {
        return Ok(import_page(&state, &ctx, &y, None, Some(ctx.t("err.no_file"))));
    }
    let dry_run = dry_run.is_some_and(|v| v == "true" || v == "on" || v == "1");
    match forms::import(&state, &ctx, y.campaign_id, &bytes, dry_run).await {
        Ok(report) => Ok(import_page(&state, &ctx, &y, Some(&report), None)),
        Err(AppError::Validation(errs)) => Ok(import_page(
            &state,
            &ctx,
            &y,
            None,
            errs.first().map(|e| e.message(ctx.lang)),
        )),
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------- public

pub async fn public_notice(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let v = notice::public_notice(&state.db).await?;
    Ok(ctx.render(
        &state,
        "commendations/notice.html",
        minijinja::context! { title => ctx.t("commend.notice_title"), v => v, max => 2000 },
    ))
}

pub async fn object(State(state): State<AppState>, ctx: Ctx, Form(input): Form<ObjectionInput>) -> AppResult<Response> {
    let r = notice::object(&state.db, &ctx, &input)
        .await
        .map(|_| redirect_with_flash("/notice", "flash.commend_objection", ctx.secure));
    refused(&state, &ctx, r, "/notice")
}

pub async fn honours(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let years = notice::honour_years(&state.db).await?;
    Ok(ctx.render(
        &state,
        "commendations/honours.html",
        minijinja::context! { title => ctx.t("commend.honours"), years => years },
    ))
}

pub async fn honour_roll(State(state): State<AppState>, ctx: Ctx, Path(year): Path<i64>) -> AppResult<Response> {
    let roll = notice::honour_roll(&state.db, year).await?;
    Ok(ctx.render(
        &state,
        "commendations/roll.html",
        minijinja::context! { title => crate::i18n::tf(ctx.lang, "commend.roll_title", &[("year", year.to_string())]), roll => roll },
    ))
}

/// The printable A4 honour certificate with its verification QR code.
pub async fn certificate(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(number): Path<String>,
) -> AppResult<Response> {
    let (c, st, n) = notice::honour_certificate(&state.db, &ctx, &number).await?;
    let url = format!(
        "{}{}",
        crate::web::origin(&headers, &ctx),
        notice::honour_verify_path(&c)
    );
    let qr = qrcode::QrCode::new(url.as_bytes())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("qr: {e}")))?
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(140, 140)
        .build();
    Ok(ctx.render(
        &state,
        "commendations/certificate.html",
        minijinja::context! { title => ctx.t("commend.certificate"), c => c, st => st, n => n, qr => qr, url => url },
    ))
}
