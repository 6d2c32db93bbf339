//! The district itself: its name (one district per deployment).

use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Json};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ensure, required_name, validated};
use crate::auth::policy::{Action, Object};
use crate::db::orgs;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::form::{outcome, Field, FormPage};
use crate::web::Ctx;
use utoipa_axum::{router::OpenApiRouter, routes};

#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct District {
    /// The district's name, shown on every page and form.
    pub name: Option<String>,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/district", get(page_edit).post(page_update))
        .routes(routes!(api_get, api_update))
}

pub async fn get_one(state: &AppState, ctx: &Ctx) -> AppResult<District> {
    ensure(ctx.user()?, Action::View, &Object::District)?;
    Ok(District {
        name: orgs::district_name(&state.db).await?,
    })
}

pub async fn update(state: &AppState, ctx: &Ctx, input: &District) -> AppResult<District> {
    ensure(ctx.user()?, Action::Update, &Object::District)?;
    let mut errors = vec![];
    let name = required_name("name", input.name.as_deref(), &mut errors);
    validated(errors)?;
    let mut tx = state.db.begin().await?;
    orgs::set_district_name(&mut tx, &ctx.actor(), &name).await?;
    tx.commit().await?;
    Ok(District { name: Some(name) })
}

/// The district's name.
#[utoipa::path(get, path = "/api/v1/district", tag = "district", responses((status = 200, body = District)))]
pub async fn api_get(State(state): State<AppState>, ctx: Ctx) -> AppResult<Json<District>> {
    Ok(Json(get_one(&state, &ctx).await?))
}

/// Rename the district (district admin).
#[utoipa::path(put, path = "/api/v1/district", tag = "district", request_body = District,
    responses((status = 200, body = District), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_update(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(input): Json<District>,
) -> AppResult<Json<District>> {
    Ok(Json(update(&state, &ctx, &input).await?))
}

fn form(ctx: &Ctx, input: &District) -> FormPage {
    let fields = vec![Field::text(
        ctx.lang,
        "name",
        "field.district_name",
        input.name.clone().unwrap_or_default(),
    )
    .required()];
    FormPage::new(ctx.lang, ctx.t("district.title"), "/district", "/", fields)
}

async fn page_edit(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let d = get_one(&state, &ctx).await?;
    ensure(ctx.user()?, Action::Update, &Object::District)?;
    Ok(ctx.render(&state, "form.html", minijinja::Value::from_serialize(form(&ctx, &d))))
}

async fn page_update(State(state): State<AppState>, ctx: Ctx, Form(input): Form<District>) -> AppResult<Response> {
    let result = update(&state, &ctx, &input).await;
    outcome(&state, &ctx, result, "/", || async { Ok(form(&ctx, &input)) }).await
}
