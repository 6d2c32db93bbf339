//! streets: the HTML pages (thin handlers over [`super::service`]).

use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Form;

use super::service;
use super::StreetInput;
use crate::auth::policy::{self, Action, Listing, Object};
use crate::error::AppResult;
use crate::features::{ensure, ListParams};
use crate::state::AppState;
use crate::web::form::{outcome, Field, FormPage};
use crate::web::list::{Cell, ListPage, Row};
use crate::web::Ctx;

pub(super) async fn page_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<ListParams>,
) -> AppResult<Response> {
    let page = service::list(&state.db, &ctx, &params).await?;
    let p = ctx.user()?;
    let mut view = ListPage::of(ctx.t("streets.title"), "/streets", params.q.as_deref(), &page)
        .creatable(policy::may_create(p, Listing::Streets));
    view.columns = vec![ctx.t("field.name"), ctx.t("streets.communities")];
    view.rows = page
        .items
        .iter()
        .map(|s| {
            let obj = Object::Street { id: s.id };
            let cells = vec![
                Cell::text(&s.name),
                Cell::link(s.communities.to_string(), format!("/communities?street_id={}", s.id)),
            ];
            Row::for_record("/streets", s.id, cells, p, &obj)
        })
        .collect();
    Ok(ctx.render(&state, "list.html", minijinja::Value::from_serialize(&view)))
}

fn form(ctx: &Ctx, title_key: &str, action: String, input: &StreetInput) -> FormPage {
    let fields = vec![Field::text(ctx.lang, "name", "field.name", input.name.clone().unwrap_or_default()).required()];
    FormPage::new(ctx.lang, ctx.t(title_key), action, "/streets", fields)
}

pub(super) async fn page_new(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ensure(ctx.user()?, Action::Create, &Object::Street { id: 0 })?;
    let f = form(&ctx, "streets.new", "/streets".into(), &StreetInput::default());
    Ok(ctx.render_form(&state, &f))
}

pub(super) async fn page_create(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(input): Form<StreetInput>,
) -> AppResult<Response> {
    let result = service::create(&state.db, &ctx, &input).await;
    outcome(&state, &ctx, result, "/streets", || async {
        Ok(form(&ctx, "streets.new", "/streets".into(), &input))
    })
    .await
}

pub(super) async fn page_edit(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let s = service::get_one(&state.db, &ctx, id).await?;
    ensure(ctx.user()?, Action::Update, &Object::Street { id })?;
    let f = form(
        &ctx,
        "streets.edit",
        format!("/streets/{id}"),
        &StreetInput { name: Some(s.name) },
    );
    Ok(ctx.render_form(&state, &f))
}

pub(super) async fn page_update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<StreetInput>,
) -> AppResult<Response> {
    let result = service::update(&state.db, &ctx, id, &input).await;
    outcome(&state, &ctx, result, "/streets", || async {
        Ok(form(&ctx, "streets.edit", format!("/streets/{id}"), &input))
    })
    .await
}

pub(super) async fn page_delete_confirm(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let s = service::get_one(&state.db, &ctx, id).await?;
    ensure(ctx.user()?, Action::Delete, &Object::Street { id })?;
    Ok(crate::features::home::delete_page(
        &state,
        &ctx,
        &s.name,
        format!("/streets/{id}/delete"),
        "/streets",
        None,
    ))
}

pub(super) async fn page_delete(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let s = service::get_one(&state.db, &ctx, id).await?;
    let result = service::delete(&state.db, &ctx, id).await;
    crate::features::home::delete_outcome(
        &state,
        &ctx,
        result,
        &s.name,
        format!("/streets/{id}/delete"),
        "/streets",
    )
}
