//! The campaign's HTML pages: the milestones form and the board.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;

use super::board::{self as service_board, BoardParams};
use super::forms::form;
use super::service::{self, CampaignInput};
use crate::auth::policy::{self, Action, Object};
use crate::domain::campaign::MilestoneStatus;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::form::outcome;
use crate::web::{urlencode, Ctx};

pub async fn edit(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    match service::editable(&state.db, &ctx).await? {
        None => Ok(Redirect::to("/campaign/new").into_response()),
        Some(c) => Ok(ctx.render_form(
            &state,
            &form(&ctx, "campaign.edit", "/campaign", &CampaignInput::of(&c), false),
        )),
    }
}

pub async fn update(State(state): State<AppState>, ctx: Ctx, Form(input): Form<CampaignInput>) -> AppResult<Response> {
    let result = service::update(&state.db, &ctx, &input).await;
    outcome(&state, &ctx, result, "/board", || async {
        Ok(form(&ctx, "campaign.edit", "/campaign", &input, false))
    })
    .await
}

pub async fn new(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let year = service::next_year(&state.db, &ctx).await?;
    let input = CampaignInput::defaults(year);
    Ok(ctx.render_form(&state, &form(&ctx, "campaign.new", "/campaign/new", &input, true)))
}

pub async fn create(State(state): State<AppState>, ctx: Ctx, Form(input): Form<CampaignInput>) -> AppResult<Response> {
    let result = service::create(&state.db, &ctx, &input).await;
    outcome(&state, &ctx, result, "/board", || async {
        Ok(form(&ctx, "campaign.new", "/campaign/new", &input, true))
    })
    .await
}

pub async fn board(State(state): State<AppState>, ctx: Ctx, Query(params): Query<BoardParams>) -> AppResult<Response> {
    let p = ctx.user()?;
    if p.role == policy::Role::DistrictAdmin && service::current(&state.db).await?.is_none() {
        return Ok(Redirect::to("/campaign/new").into_response());
    }
    let b = service_board::board(&state.db, &ctx, &params).await?;
    let mut query = vec![];
    for (k, v) in [
        ("kind", &params.kind),
        ("status", &params.status),
        ("q", &params.q),
        ("sort", &params.sort),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            query.push(format!("{k}={}", urlencode(v)));
        }
    }
    let counts = [
        MilestoneStatus::Done,
        MilestoneStatus::Late,
        MilestoneStatus::Missing,
        MilestoneStatus::Open,
    ]
    .iter()
    .map(|s| {
        let n = b.rows.iter().flat_map(|r| r.cells()).filter(|c| c.status == *s).count();
        minijinja::context! { status => s, label => ctx.t(&format!("board.{}", s.as_str())), n => n }
    })
    .collect::<Vec<_>>();
    let page = minijinja::context! {
        title => ctx.t("board.title"), board => b, params => minijinja::context! {
            kind => params.kind, status => params.status, q => params.q, sort => params.sort,
        },
        query => query.join("&"), counts => counts,
        may_edit => policy::allows(p, Action::Update, &Object::Campaign),
        needs_overdue => crate::features::needs::board_block(&state.db, &ctx).await?,
    };
    Ok(ctx.render(&state, "campaign/board.html", page))
}
