//! The needs' HTML pages: the staff list, detail with its timeline and a form per step, the
//! post form, the per-team figures; and the public ask form, need wall and resident's link.

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Form;

use super::public::{self, WallParams};
use super::service::{self, AnswerInput, CancelInput, DispatchInput, NeedInput, NeedParams, RateInput, ReviewInput};
use crate::domain::dates::format_local;
use crate::domain::need::NeedStatus;
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;
use crate::web::{labels, redirect_with_flash, unprocessable, Ctx};

fn categories(ctx: &Ctx) -> Vec<minijinja::Value> {
    labels::categories(ctx.lang)
        .into_iter()
        .map(|(c, l)| minijinja::context! { value => c, label => l })
        .collect()
}

fn statuses(ctx: &Ctx) -> Vec<minijinja::Value> {
    NeedStatus::ALL
        .into_iter()
        .map(|s| minijinja::context! { value => s.as_str(), label => ctx.t(&format!("need.status.{}", s.as_str())) })
        .collect()
}

/// The messages of refused fields, each named by its label.
fn messages(ctx: &Ctx, errors: &[FieldError]) -> Vec<String> {
    errors
        .iter()
        .map(|e| format!("{}: {}", ctx.t(&format!("need.field.{}", e.field)), e.message(ctx.lang)))
        .collect()
}

fn refused(state: &AppState, ctx: &Ctx, r: AppResult<Response>, back: &str) -> AppResult<Response> {
    match r {
        Err(AppError::Validation(errs)) | Err(AppError::Conflict(errs)) => {
            Ok(ctx.refusal_for(state, "need.refused", &errs, back))
        }
        other => other,
    }
}

pub async fn list(State(state): State<AppState>, ctx: Ctx, Query(params): Query<NeedParams>) -> AppResult<Response> {
    let rows = service::list(&state.db, &ctx, &params).await?;
    let communities = public::communities(&state.db).await?;
    let p = ctx.user()?;
    let may_post = crate::auth::policy::may_create(p, crate::auth::policy::Listing::Needs);
    let overdue = rows.iter().filter(|r| r.overdue).count();
    Ok(ctx.render(
        &state,
        "needs/list.html",
        minijinja::context! {
            title => ctx.t("nav.needs"), rows => rows, overdue => overdue, may_post => may_post,
            statuses => statuses(&ctx), categories => categories(&ctx), communities => communities,
            f => minijinja::context! { status => params.status, community_id => params.community_id,
                category => params.category, overdue => params.overdue },
        },
    ))
}

fn form_page(
    state: &AppState,
    ctx: &Ctx,
    template: &str,
    communities: Vec<crate::db::needs::CommunityChoice>,
    errors: &[FieldError],
    v: &NeedInput,
) -> Response {
    let r = ctx.render(
        state,
        template,
        minijinja::context! {
            title => ctx.t(if template.ends_with("ask.html") { "need.ask_title" } else { "need.new" }),
            communities => communities, categories => categories(ctx), errors => messages(ctx, errors),
            max => service::DESCRIPTION_MAX, today => crate::domain::campaign::today(),
            v => minijinja::context! { community_id => v.community_id, category => v.category, description => v.description,
                place => v.place, wished_from => v.wished_from, wished_to => v.wished_to, head_count => v.head_count,
                contact_name => v.contact_name, contact_phone => v.contact_phone, consent => v.consent },
        },
    );
    if errors.is_empty() {
        r
    } else {
        unprocessable(r)
    }
}

/// The communities a staff member may post for: their own, or their street's, or all.
async fn postable(state: &AppState, ctx: &Ctx) -> AppResult<Vec<crate::db::needs::CommunityChoice>> {
    let p = ctx.user()?;
    Ok(public::communities(&state.db)
        .await?
        .into_iter()
        .filter(|c| {
            let place = crate::auth::policy::NeedPlace {
                community_id: c.id,
                street_id: c.street_id,
                ..Default::default()
            };
            crate::auth::policy::allows(
                p,
                crate::auth::policy::Action::Create,
                &crate::auth::policy::Object::Need(place),
            )
        })
        .collect())
}

pub async fn new(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let communities = postable(&state, &ctx).await?;
    if communities.is_empty() {
        return Err(AppError::Forbidden);
    }
    Ok(form_page(
        &state,
        &ctx,
        "needs/new.html",
        communities,
        &[],
        &NeedInput::default(),
    ))
}

pub async fn create(State(state): State<AppState>, ctx: Ctx, Form(input): Form<NeedInput>) -> AppResult<Response> {
    match service::post(&state.db, &ctx, &input).await {
        Ok(v) => Ok(redirect_with_flash(
            &format!("/needs/{}", v.need.id),
            "flash.saved",
            ctx.secure,
        )),
        Err(AppError::Validation(errs)) => {
            let communities = postable(&state, &ctx).await?;
            Ok(form_page(&state, &ctx, "needs/new.html", communities, &errs, &input))
        }
        Err(e) => Err(e),
    }
}

pub async fn detail(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let v = service::view(&state.db, &ctx, id).await?;
    let teams = if v.may.dispatch {
        service::dispatchable_teams(&state.db, &v.need).await?
    } else {
        vec![]
    };
    let events: Vec<_> = v
        .events
        .iter()
        .map(|e| minijinja::context! { e => e, at => format_local(e.at) })
        .collect();
    let ratings: Vec<_> = v
        .ratings
        .iter()
        .map(|r| minijinja::context! { r => r, at => format_local(r.at) })
        .collect();
    let claim_teams: Vec<_> = crate::db::teams::list_teams(
        &state.db,
        v.need.campaign_id,
        crate::db::teams::TeamScope::of(crate::domain::org::Scope::All).expect("all"),
        None,
    )
    .await?
    .into_iter()
    .filter(|t| v.may.claim_team_ids.contains(&t.id))
    .collect();
    Ok(ctx.render(
        &state,
        "needs/detail.html",
        minijinja::context! {
            title => ctx.t("need.title_n").replace("{id}", &v.need.id.to_string()), v => v, events => events,
            ratings => ratings, teams => teams, claim_teams => claim_teams,
            category => labels::category(ctx.lang, v.need.category), dimension => labels::dimension(ctx.lang, v.need.dimension),
            created => format_local(v.need.created_at),
        },
    ))
}

pub async fn review(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<ReviewInput>,
) -> AppResult<Response> {
    let back = format!("/needs/{id}");
    let r = service::review(&state.db, &ctx, id, &input)
        .await
        .map(|_| redirect_with_flash(&back, "flash.saved", ctx.secure));
    refused(&state, &ctx, r, &back)
}

pub async fn dispatch(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<DispatchInput>,
) -> AppResult<Response> {
    let back = format!("/needs/{id}");
    let r = service::dispatch(&state.db, &ctx, id, &input)
        .await
        .map(|_| redirect_with_flash(&back, "flash.saved", ctx.secure));
    refused(&state, &ctx, r, &back)
}

pub async fn cancel(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<CancelInput>,
) -> AppResult<Response> {
    let back = format!("/needs/{id}");
    let r = service::cancel(&state.db, &ctx, id, &input)
        .await
        .map(|_| redirect_with_flash(&back, "flash.saved", ctx.secure));
    refused(&state, &ctx, r, &back)
}

pub async fn answer(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<AnswerInput>,
) -> AppResult<Response> {
    let back = format!("/needs/{id}");
    let r = service::answer(&state.db, &ctx, id, &input).await.map(|v| {
        // Accepting makes a draft activity: the team goes on to complete and publish it.
        match v.need.activity_id.filter(|_| v.need.status == NeedStatus::Accepted) {
            Some(a) => redirect_with_flash(&format!("/activities/{a}/edit"), "flash.need_accepted", ctx.secure),
            None => redirect_with_flash(&back, "flash.saved", ctx.secure),
        }
    });
    refused(&state, &ctx, r, &back)
}

pub async fn rate(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<RateInput>,
) -> AppResult<Response> {
    let back = format!("/needs/{id}");
    let r = service::rate(&state.db, &ctx, id, &input)
        .await
        .map(|_| redirect_with_flash(&back, "flash.need_rated", ctx.secure));
    refused(&state, &ctx, r, &back)
}

pub async fn figures(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let rows: Vec<_> = service::team_figures(&state.db, &ctx)
        .await?
        .into_iter()
        .map(|f| {
            let hours = f.median_response_secs.map(|s| format!("{:.1}", s as f64 / 3600.0));
            let rating = f.average_rating.map(|r| format!("{r:.1}"));
            minijinja::context! { f => f, hours => hours, rating => rating }
        })
        .collect();
    let timers = service::timers(&state.db).await?;
    Ok(ctx.render(
        &state,
        "needs/figures.html",
        minijinja::context! { title => ctx.t("need.figures"), rows => rows, timers => timers },
    ))
}

// ---------------------------------------------------------------- public

pub async fn ask_form(State(state): State<AppState>, ctx: Ctx, Query(v): Query<NeedInput>) -> AppResult<Response> {
    let communities = public::communities(&state.db).await?;
    // A link from the wall may choose the community; nothing else is taken from the address.
    let v = NeedInput {
        community_id: v.community_id,
        ..Default::default()
    };
    Ok(form_page(&state, &ctx, "needs/ask.html", communities, &[], &v))
}

pub async fn ask(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Form(input): Form<NeedInput>,
) -> AppResult<Response> {
    match public::ask(&state.db, &ctx, &input).await {
        Ok(a) => {
            let url = format!("{}{}", crate::web::origin(&headers, &ctx), a.link);
            Ok(ctx.render(
                &state,
                "needs/asked.html",
                minijinja::context! { title => ctx.t("need.asked_title"), url => url, link => a.link },
            ))
        }
        Err(AppError::Validation(errs)) => {
            let communities = public::communities(&state.db).await?;
            Ok(form_page(&state, &ctx, "needs/ask.html", communities, &errs, &input))
        }
        Err(e) => Err(e),
    }
}

pub async fn wall(State(state): State<AppState>, ctx: Ctx, Query(params): Query<WallParams>) -> AppResult<Response> {
    let rows = match public::wall(&state.db, &params).await {
        Ok(rows) => rows,
        Err(AppError::Validation(_)) => public::wall(&state.db, &WallParams::default()).await?,
        Err(e) => return Err(e),
    };
    let communities = public::communities(&state.db).await?;
    let mut streets: Vec<(i64, String)> = communities
        .iter()
        .map(|c| (c.street_id, c.street_name.clone()))
        .collect();
    streets.dedup();
    let streets: Vec<_> = streets
        .into_iter()
        .map(|(id, name)| minijinja::context! { id => id, name => name })
        .collect();
    let rows: Vec<_> = rows
        .into_iter()
        .map(|n| minijinja::context! { category => labels::category(ctx.lang, n.category), n => n })
        .collect();
    Ok(ctx.render(
        &state,
        "needs/wall.html",
        minijinja::context! {
            title => ctx.t("need.wall_title"), rows => rows, communities => communities, streets => streets,
            categories => categories(&ctx),
            f => minijinja::context! { street_id => params.street_id, community_id => params.community_id, category => params.category },
        },
    ))
}

pub async fn track(State(state): State<AppState>, ctx: Ctx, Path(token): Path<String>) -> AppResult<Response> {
    let n = public::track(&state.db, &token).await?;
    let steps: Vec<_> = n
        .steps
        .iter()
        .map(|s| minijinja::context! { step => s.step, at => format_local(s.at) })
        .collect();
    Ok(ctx.render(
        &state,
        "needs/track.html",
        minijinja::context! {
            title => ctx.t("need.track_title"), category => labels::category(ctx.lang, n.category), n => n,
            steps => steps, token => token,
        },
    ))
}

pub async fn rate_by_link(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    Form(input): Form<RateInput>,
) -> AppResult<Response> {
    let back = format!("/needs/track/{token}");
    let r = public::rate_by_link(&state.db, &ctx, &token, &input)
        .await
        .map(|_| redirect_with_flash(&back, "flash.need_rated", ctx.secure));
    refused(&state, &ctx, r, &back)
}
