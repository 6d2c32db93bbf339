//! The district itself: its name (one district per deployment).

pub mod service;

use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Json};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ensure;
use crate::auth::policy::{Action, Object};
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

/// The district's name.
#[utoipa::path(get, path = "/api/v1/district", tag = "district", responses((status = 200, body = District)))]
pub async fn api_get(State(state): State<AppState>, ctx: Ctx) -> AppResult<Json<District>> {
    Ok(Json(service::get_one(&state.db, &ctx).await?))
}

/// Rename the district (district admin).
#[utoipa::path(put, path = "/api/v1/district", tag = "district", request_body = District,
    responses((status = 200, body = District), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_update(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(input): Json<District>,
) -> AppResult<Json<District>> {
    Ok(Json(service::update(&state.db, &ctx, &input).await?))
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
    let d = service::get_one(&state.db, &ctx).await?;
    ensure(ctx.user()?, Action::Update, &Object::District)?;
    Ok(ctx.render(&state, "form.html", minijinja::Value::from_serialize(form(&ctx, &d))))
}

async fn page_update(State(state): State<AppState>, ctx: Ctx, Form(input): Form<District>) -> AppResult<Response> {
    let result = service::update(&state.db, &ctx, &input).await;
    outcome(&state, &ctx, result, "/", || async { Ok(form(&ctx, &input)) }).await
}
