//! communities: the HTML pages (thin handlers over [`super::service`]).

use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Form;

use super::service;
use super::CommunityInput;
use crate::auth::policy::{self, Action, Listing};
use crate::error::{AppError, AppResult};
use crate::features::{ensure, ListParams};
use crate::state::AppState;
use crate::web::form::{outcome, Field, FormPage};
use crate::web::list::{Cell, Filter, ListPage, Row};
use crate::web::Ctx;

pub(super) async fn page_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<ListParams>,
) -> AppResult<Response> {
    let page = service::list(&state.db, &ctx, &params).await?;
    let p = ctx.user()?;
    let mut view = ListPage::of(ctx.t("communities.title"), "/communities", params.q.as_deref(), &page)
        .creatable(policy::may_create(p, Listing::Communities));
    if let Some(f) = street_filter(&state, &ctx, params.street_id).await? {
        view = view.filter(f);
    }
    view.columns = vec![
        ctx.t("field.street"),
        ctx.t("field.name"),
        ctx.t("field.contact_person"),
        ctx.t("field.contact_phone"),
        ctx.t("communities.units"),
    ];
    view.rows = page
        .items
        .iter()
        .map(|c| {
            let obj = service::object(c, vec![]);
            let cells = vec![
                Cell::text(&c.street_name),
                Cell::text(&c.name),
                Cell::text(&c.contact_person),
                Cell::text(&c.contact_phone),
                Cell::link(c.units.to_string(), format!("/pairings?community_id={}", c.id)),
            ];
            Row::for_record("/communities", c.id, cells, p, &obj)
        })
        .collect();
    Ok(ctx.render(&state, "list.html", minijinja::Value::from_serialize(&view)))
}

/// The drop-down of streets a list narrows to, for those who see more than one street.
pub(crate) async fn street_filter(state: &AppState, ctx: &Ctx, selected: Option<i64>) -> AppResult<Option<Filter>> {
    let p = ctx.user()?;
    if !policy::may_list(p, Listing::Streets) {
        return Ok(None);
    }
    Ok(Some(Filter {
        name: "street_id",
        label: ctx.t("field.street"),
        options: service::street_choices(&state.db, p).await?,
        selected: selected.map(|s| s.to_string()).unwrap_or_default(),
    }))
}

pub(super) async fn form(
    state: &AppState,
    ctx: &Ctx,
    title_key: &str,
    action: String,
    input: &CommunityInput,
) -> AppResult<FormPage> {
    let p = ctx.user()?;
    let lang = ctx.lang;
    let v = |o: &Option<String>| o.clone().unwrap_or_default();
    let fields = vec![
        Field::select(
            lang,
            "street_id",
            "field.street",
            input.street_id.map(|s| s.to_string()).unwrap_or_default(),
            service::street_choices(&state.db, p).await?,
        )
        .required(),
        Field::text(lang, "name", "field.name", v(&input.name)).required(),
        Field::text(lang, "address", "field.address", v(&input.address)),
        Field::text(lang, "contact_person", "field.contact_person", v(&input.contact_person)),
        Field::text(lang, "contact_phone", "field.contact_phone", v(&input.contact_phone))
            .kind("tel")
            .hint(lang, "hint.phone"),
    ];
    Ok(FormPage::new(lang, ctx.t(title_key), action, "/communities", fields))
}

pub(super) async fn page_new(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<ListParams>,
) -> AppResult<Response> {
    if !policy::may_create(ctx.user()?, Listing::Communities) {
        return Err(AppError::Forbidden);
    }
    let input = CommunityInput {
        street_id: params.street_id.or(ctx.user()?.street_id),
        ..Default::default()
    };
    let f = form(&state, &ctx, "communities.new", "/communities".into(), &input).await?;
    Ok(ctx.render_form(&state, &f))
}

pub(super) async fn page_create(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(input): Form<CommunityInput>,
) -> AppResult<Response> {
    let result = service::create(&state.db, &ctx, &input).await;
    outcome(&state, &ctx, result, "/communities", || {
        form(&state, &ctx, "communities.new", "/communities".into(), &input)
    })
    .await
}

pub(super) async fn page_edit(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let (c, obj) = service::load(&state.db, &ctx, id).await?;
    ensure(ctx.user()?, Action::Update, &obj)?;
    let input = CommunityInput {
        street_id: Some(c.street_id),
        name: Some(c.name),
        address: Some(c.address),
        contact_person: Some(c.contact_person),
        contact_phone: Some(c.contact_phone),
    };
    let f = form(&state, &ctx, "communities.edit", format!("/communities/{id}"), &input).await?;
    Ok(ctx.render_form(&state, &f))
}

pub(super) async fn page_update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<CommunityInput>,
) -> AppResult<Response> {
    let result = service::update(&state.db, &ctx, id, &input).await;
    outcome(&state, &ctx, result, "/communities", || {
        form(&state, &ctx, "communities.edit", format!("/communities/{id}"), &input)
    })
    .await
}

pub(super) async fn page_delete_confirm(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let (c, obj) = service::load(&state.db, &ctx, id).await?;
    ensure(ctx.user()?, Action::Delete, &obj)?;
    let label = format!("{} / {}", c.street_name, c.name);
    Ok(crate::features::home::delete_page(
        &state,
        &ctx,
        &label,
        format!("/communities/{id}/delete"),
        "/communities",
        None,
    ))
}

pub(super) async fn page_delete(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let (c, _) = service::load(&state.db, &ctx, id).await?;
    let result = service::delete(&state.db, &ctx, id).await;
    let label = format!("{} / {}", c.street_name, c.name);
    crate::features::home::delete_outcome(
        &state,
        &ctx,
        result,
        &label,
        format!("/communities/{id}/delete"),
        "/communities",
    )
}
