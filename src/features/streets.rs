//! 街道: the district's streets.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Json};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{conflict_on_unique, ensure, required_name, validated, ListParams};
use crate::auth::policy::{self, Action, Listing, Object};
use crate::db::orgs::{self, Page, Street};
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;
use crate::web::form::{outcome, Field, FormPage};
use crate::web::list::{Cell, ListPage, Row};
use crate::web::Ctx;
use utoipa_axum::{router::OpenApiRouter, routes};

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct StreetInput {
    /// The street's name, unique in the district.
    pub name: Option<String>,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/streets", get(page_list).post(page_create))
        .route("/streets/new", get(page_new))
        .route("/streets/{id}", axum::routing::post(page_update))
        .route("/streets/{id}/edit", get(page_edit))
        .route("/streets/{id}/delete", get(page_delete_confirm).post(page_delete))
        .routes(routes!(api_list, api_create))
        .routes(routes!(api_get, api_update, api_delete))
}

// ------------------------------------------------------------ service

pub async fn list(state: &AppState, ctx: &Ctx, params: &ListParams) -> AppResult<Page<Street>> {
    let lq = params.query(ctx.user()?, Listing::Streets)?;
    Ok(orgs::list_streets(&state.db, &lq).await?)
}

pub async fn get_one(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<Street> {
    let s = orgs::get_street(&state.db, id).await?.ok_or(AppError::NotFound)?;
    ensure(ctx.user()?, Action::View, &Object::Street { id })?;
    Ok(s)
}

fn validate(input: &StreetInput) -> AppResult<String> {
    let mut errors = vec![];
    let name = required_name("name", input.name.as_deref(), &mut errors);
    validated(errors)?;
    Ok(name)
}

pub async fn create(state: &AppState, ctx: &Ctx, input: &StreetInput) -> AppResult<Street> {
    ensure(ctx.user()?, Action::Create, &Object::Street { id: 0 })?;
    let name = validate(input)?;
    let mut tx = state.db.begin().await?;
    let s = orgs::create_street(&mut tx, &ctx.actor(), &name)
        .await
        .map_err(|e| conflict_on_unique(e, "name", "err.street_taken"))?;
    tx.commit().await?;
    Ok(s)
}

pub async fn update(state: &AppState, ctx: &Ctx, id: i64, input: &StreetInput) -> AppResult<Street> {
    get_one(state, ctx, id).await?;
    ensure(ctx.user()?, Action::Update, &Object::Street { id })?;
    let name = validate(input)?;
    let mut tx = state.db.begin().await?;
    let s = orgs::update_street(&mut tx, &ctx.actor(), id, &name)
        .await
        .map_err(|e| conflict_on_unique(e, "name", "err.street_taken"))?;
    tx.commit().await?;
    Ok(s)
}

pub async fn delete(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<()> {
    get_one(state, ctx, id).await?;
    ensure(ctx.user()?, Action::Delete, &Object::Street { id })?;
    let mut tx = state.db.begin().await?;
    let deps = orgs::street_dependents(&mut tx, id).await?;
    if deps.communities > 0 || deps.users > 0 {
        return Err(AppError::Conflict(vec![FieldError::new(
            "id",
            "err.street_has_children",
        )
        .with("communities", deps.communities)
        .with("users", deps.users)]));
    }
    orgs::delete_street(&mut tx, &ctx.actor(), id).await?;
    tx.commit().await?;
    Ok(())
}

// ------------------------------------------------------------ JSON API

/// List the streets the caller may see.
#[utoipa::path(get, path = "/api/v1/streets", tag = "streets", params(ListParams),
    responses((status = 200, body = Page<Street>), (status = 401, body = crate::error::ErrorBody)))]
pub async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<ListParams>,
) -> AppResult<Json<Page<Street>>> {
    Ok(Json(list(&state, &ctx, &params).await?))
}

/// One street.
#[utoipa::path(get, path = "/api/v1/streets/{id}", tag = "streets",
    responses((status = 200, body = Street), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn api_get(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Street>> {
    Ok(Json(get_one(&state, &ctx, id).await?))
}

/// Create a street (district admin).
#[utoipa::path(post, path = "/api/v1/streets", tag = "streets", request_body = StreetInput,
    responses((status = 201, body = Street), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_create(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(input): Json<StreetInput>,
) -> AppResult<Response> {
    Ok((StatusCode::CREATED, Json(create(&state, &ctx, &input).await?)).into_response())
}

/// Rename a street.
#[utoipa::path(put, path = "/api/v1/streets/{id}", tag = "streets", request_body = StreetInput,
    responses((status = 200, body = Street), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<StreetInput>,
) -> AppResult<Json<Street>> {
    Ok(Json(update(&state, &ctx, id, &input).await?))
}

/// Delete a street that has no communities and no accounts left.
#[utoipa::path(delete, path = "/api/v1/streets/{id}", tag = "streets",
    responses((status = 204), (status = 409, body = crate::error::ErrorBody)))]
pub async fn api_delete(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<StatusCode> {
    delete(&state, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ------------------------------------------------------------ pages

async fn page_list(State(state): State<AppState>, ctx: Ctx, Query(params): Query<ListParams>) -> AppResult<Response> {
    let page = list(&state, &ctx, &params).await?;
    let p = ctx.user()?;
    let mut view = ListPage::new(
        ctx.t("streets.title"),
        "/streets",
        params.q.as_deref(),
        page.total,
        page.page,
        page.per_page,
    );
    view.columns = vec![ctx.t("field.name"), ctx.t("streets.communities")];
    if policy::may_create(p, Listing::Streets) {
        view.new_url = Some("/streets/new".into());
    }
    view.rows = page
        .items
        .iter()
        .map(|s| Row {
            cells: vec![
                Cell::text(&s.name),
                Cell::link(s.communities.to_string(), format!("/communities?street_id={}", s.id)),
            ],
            edit_url: policy::allows(p, Action::Update, &Object::Street { id: s.id })
                .then(|| format!("/streets/{}/edit", s.id)),
            delete_url: policy::allows(p, Action::Delete, &Object::Street { id: s.id })
                .then(|| format!("/streets/{}/delete", s.id)),
        })
        .collect();
    Ok(ctx.render(&state, "list.html", minijinja::Value::from_serialize(&view)))
}

fn form(ctx: &Ctx, title_key: &str, action: String, input: &StreetInput) -> FormPage {
    let fields = vec![Field::text(ctx.lang, "name", "field.name", input.name.clone().unwrap_or_default()).required()];
    FormPage::new(ctx.lang, ctx.t(title_key), action, "/streets", fields)
}

async fn page_new(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ensure(ctx.user()?, Action::Create, &Object::Street { id: 0 })?;
    let f = form(&ctx, "streets.new", "/streets".into(), &StreetInput::default());
    Ok(ctx.render_form(&state, &f))
}

async fn page_create(State(state): State<AppState>, ctx: Ctx, Form(input): Form<StreetInput>) -> AppResult<Response> {
    let result = create(&state, &ctx, &input).await;
    outcome(&state, &ctx, result, "/streets", || async {
        Ok(form(&ctx, "streets.new", "/streets".into(), &input))
    })
    .await
}

async fn page_edit(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let s = get_one(&state, &ctx, id).await?;
    ensure(ctx.user()?, Action::Update, &Object::Street { id })?;
    let f = form(
        &ctx,
        "streets.edit",
        format!("/streets/{id}"),
        &StreetInput { name: Some(s.name) },
    );
    Ok(ctx.render_form(&state, &f))
}

async fn page_update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<StreetInput>,
) -> AppResult<Response> {
    let result = update(&state, &ctx, id, &input).await;
    outcome(&state, &ctx, result, "/streets", || async {
        Ok(form(&ctx, "streets.edit", format!("/streets/{id}"), &input))
    })
    .await
}

async fn page_delete_confirm(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let s = get_one(&state, &ctx, id).await?;
    ensure(ctx.user()?, Action::Delete, &Object::Street { id })?;
    Ok(super::home::delete_page(
        &state,
        &ctx,
        &s.name,
        format!("/streets/{id}/delete"),
        "/streets",
        None,
    ))
}

async fn page_delete(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let s = get_one(&state, &ctx, id).await?;
    let result = delete(&state, &ctx, id).await;
    super::home::delete_outcome(
        &state,
        &ctx,
        result,
        &s.name,
        format!("/streets/{id}/delete"),
        "/streets",
    )
}
