//! units: the HTML pages (thin handlers over [`super::service`]).

use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Form;

use super::service;
use super::UnitInput;
use crate::auth::policy::{self, Action, Listing};
use crate::domain::org::UnitLevel;
use crate::error::AppResult;
use crate::features::{ensure, ListParams};
use crate::state::AppState;
use crate::web::form::{outcome, Choice, Field, FormPage};
use crate::web::labels::unit_level;
use crate::web::list::{Cell, ListPage, Row};
use crate::web::Ctx;

pub(super) async fn page_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<ListParams>,
) -> AppResult<Response> {
    let page = service::list(&state.db, &ctx, &params).await?;
    let p = ctx.user()?;
    let mut view = ListPage::of(ctx.t("units.title"), "/units", params.q.as_deref(), &page)
        .creatable(policy::may_create(p, Listing::Units));
    view.columns = vec![
        ctx.t("field.name"),
        ctx.t("field.level"),
        ctx.t("field.kind"),
        ctx.t("field.contact_person"),
        ctx.t("field.contact_phone"),
        ctx.t("units.communities"),
    ];
    view.rows = page
        .items
        .iter()
        .map(|u| {
            let obj = service::bare_object(u.id);
            let cells = vec![
                Cell::text(&u.name),
                Cell::text(unit_level(ctx.lang, u.level)),
                Cell::text(&u.kind),
                Cell::text(&u.contact_person),
                Cell::text(&u.contact_phone),
                Cell::link(u.communities.to_string(), format!("/pairings?unit_id={}", u.id)),
            ];
            Row::for_record("/units", u.id, cells, p, &obj)
        })
        .collect();
    Ok(ctx.render(&state, "list.html", minijinja::Value::from_serialize(&view)))
}

fn form(ctx: &Ctx, title_key: &str, action: String, input: &UnitInput) -> FormPage {
    let lang = ctx.lang;
    let v = |o: &Option<String>| o.clone().unwrap_or_default();
    let levels = UnitLevel::ALL
        .into_iter()
        .map(|l| Choice {
            value: l.code().to_string(),
            label: unit_level(lang, l),
        })
        .collect();
    let level = input
        .level
        .as_deref()
        .and_then(UnitLevel::parse)
        .map(|l| l.code().to_string())
        .unwrap_or_default();
    let fields = vec![
        Field::text(lang, "name", "field.name", v(&input.name)).required(),
        Field::select(lang, "level", "field.level", level, levels).required(),
        Field::text(lang, "kind", "field.kind", v(&input.kind)).hint(lang, "hint.unit_kind"),
        Field::text(lang, "address", "field.address", v(&input.address)),
        Field::text(lang, "contact_person", "field.contact_person", v(&input.contact_person)),
        Field::text(lang, "contact_phone", "field.contact_phone", v(&input.contact_phone))
            .kind("tel")
            .hint(lang, "hint.phone"),
    ];
    FormPage::new(lang, ctx.t(title_key), action, "/units", fields)
}

pub(super) async fn page_new(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ensure(ctx.user()?, Action::Create, &service::bare_object(0))?;
    let f = form(&ctx, "units.new", "/units".into(), &UnitInput::default());
    Ok(ctx.render_form(&state, &f))
}

pub(super) async fn page_create(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(input): Form<UnitInput>,
) -> AppResult<Response> {
    let result = service::create(&state.db, &ctx, &input).await;
    outcome(&state, &ctx, result, "/units", || async {
        Ok(form(&ctx, "units.new", "/units".into(), &input))
    })
    .await
}

pub(super) async fn page_edit(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let (u, obj) = service::load(&state.db, &ctx, id).await?;
    ensure(ctx.user()?, Action::Update, &obj)?;
    let input = UnitInput {
        name: Some(u.name),
        level: Some(u.level.code().to_string()),
        kind: Some(u.kind),
        address: Some(u.address),
        contact_person: Some(u.contact_person),
        contact_phone: Some(u.contact_phone),
    };
    let f = form(&ctx, "units.edit", format!("/units/{id}"), &input);
    Ok(ctx.render_form(&state, &f))
}

pub(super) async fn page_update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<UnitInput>,
) -> AppResult<Response> {
    let result = service::update(&state.db, &ctx, id, &input).await;
    outcome(&state, &ctx, result, "/units", || async {
        Ok(form(&ctx, "units.edit", format!("/units/{id}"), &input))
    })
    .await
}

pub(super) async fn page_delete_confirm(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let (u, obj) = service::load(&state.db, &ctx, id).await?;
    ensure(ctx.user()?, Action::Delete, &obj)?;
    Ok(crate::features::home::delete_page(
        &state,
        &ctx,
        &u.name,
        format!("/units/{id}/delete"),
        "/units",
        None,
    ))
}

pub(super) async fn page_delete(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let (u, _) = service::load(&state.db, &ctx, id).await?;
    let result = service::delete(&state.db, &ctx, id).await;
    crate::features::home::delete_outcome(&state, &ctx, result, &u.name, format!("/units/{id}/delete"), "/units")
}
