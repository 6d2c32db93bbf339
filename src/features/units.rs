//! 文明单位: the civilized units that form volunteer teams.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Json};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{conflict_on_unique, ensure, optional_phone, optional_text, required_name, validated, ListParams};
use crate::auth::policy::{self, Action, Listing, Object, Principal};
use crate::db::orgs::{self, Page, Unit, UnitFields};
use crate::domain::phone::Phone;
use crate::error::{AppError, AppResult, FieldError};
use crate::i18n::{t, Lang};
use crate::state::AppState;
use crate::web::form::{outcome, Choice, Field, FormPage};
use crate::web::list::{Cell, ListPage, Row};
use crate::web::Ctx;
use utoipa_axum::{router::OpenApiRouter, routes};

/// The levels a civilized unit is recognised at.
pub const LEVELS: [&str; 3] = ["city", "province", "national"];

/// Reads a level as stored (`city`) or as written on forms (市级, 省级, 全国级).
pub fn parse_level(s: &str) -> Option<&'static str> {
    let s = s.trim();
    match s {
        "city" | "市级" | "市" => Some("city"),
        "province" | "provincial" | "省级" | "省" => Some("province"),
        "national" | "全国级" | "国家级" | "全国" => Some("national"),
        _ => None,
    }
}

pub fn level_label(lang: Lang, level: &str) -> String {
    t(lang, &format!("level.{level}"))
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct UnitInput {
    /// Unique in the district.
    pub name: Option<String>,
    /// `city`, `province` or `national` (市级, 省级, 全国级 are accepted too).
    pub level: Option<String>,
    /// 机关, 事业单位, 企业, 学校 …
    pub kind: Option<String>,
    pub address: Option<String>,
    pub contact_person: Option<String>,
    pub contact_phone: Option<String>,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/units", get(page_list).post(page_create))
        .route("/units/new", get(page_new))
        .route("/units/{id}", axum::routing::post(page_update))
        .route("/units/{id}/edit", get(page_edit))
        .route("/units/{id}/delete", get(page_delete_confirm).post(page_delete))
        .routes(routes!(api_list, api_create))
        .routes(routes!(api_get, api_update, api_delete))
}

// ------------------------------------------------------------ service

fn bare_object(id: i64) -> Object {
    Object::Unit {
        id,
        paired_community_ids: vec![],
        paired_street_ids: vec![],
    }
}

fn mask(p: &Principal, mut u: Unit) -> Unit {
    if !u.contact_phone.is_empty() && !policy::allows(p, Action::Update, &bare_object(u.id)) {
        u.contact_phone = Phone::mask(&u.contact_phone);
    }
    u
}

pub async fn list(state: &AppState, ctx: &Ctx, params: &ListParams) -> AppResult<Page<Unit>> {
    let p = ctx.user()?;
    let lq = params.query(p, Listing::Units)?;
    let mut page = orgs::list_units(&state.db, &lq).await?;
    page.items = page.items.into_iter().map(|u| mask(p, u)).collect();
    Ok(page)
}

async fn load(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<(Unit, Object)> {
    let u = orgs::get_unit(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let (paired_community_ids, paired_street_ids) = orgs::unit_pairing_tree(&state.db, id).await?;
    let obj = Object::Unit {
        id,
        paired_community_ids,
        paired_street_ids,
    };
    ensure(ctx.user()?, Action::View, &obj)?;
    Ok((u, obj))
}

pub async fn get_one(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<Unit> {
    let (u, _) = load(state, ctx, id).await?;
    Ok(mask(ctx.user()?, u))
}

fn validate(input: &UnitInput) -> AppResult<UnitFields> {
    let mut errors = vec![];
    let name = required_name("name", input.name.as_deref(), &mut errors);
    let level = match input.level.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            errors.push(FieldError::new("level", "err.required"));
            String::new()
        }
        Some(l) => parse_level(l).map(str::to_string).unwrap_or_else(|| {
            errors.push(FieldError::new("level", "err.level"));
            l.to_string()
        }),
    };
    let kind = optional_text("kind", input.kind.as_deref(), 50, &mut errors);
    let address = optional_text("address", input.address.as_deref(), 200, &mut errors);
    let contact_person = optional_text("contact_person", input.contact_person.as_deref(), 50, &mut errors);
    let contact_phone = optional_phone("contact_phone", input.contact_phone.as_deref(), &mut errors);
    validated(errors)?;
    Ok(UnitFields {
        name,
        level,
        kind,
        address,
        contact_person,
        contact_phone,
    })
}

pub async fn create(state: &AppState, ctx: &Ctx, input: &UnitInput) -> AppResult<Unit> {
    ensure(ctx.user()?, Action::Create, &bare_object(0))?;
    let f = validate(input)?;
    let mut tx = state.db.begin().await?;
    let u = orgs::create_unit(&mut tx, &ctx.actor(), &f)
        .await
        .map_err(|e| conflict_on_unique(e, "name", "err.unit_taken"))?;
    tx.commit().await?;
    Ok(u)
}

pub async fn update(state: &AppState, ctx: &Ctx, id: i64, input: &UnitInput) -> AppResult<Unit> {
    let p = ctx.user()?;
    let (before, obj) = load(state, ctx, id).await?;
    ensure(p, Action::Update, &obj)?;
    let f = validate(input)?;
    if !policy::may_edit_identity(p, &obj) {
        let mut errors = vec![];
        if f.name != before.name {
            errors.push(FieldError::new("name", "err.identity_locked"));
        }
        if f.level != before.level {
            errors.push(FieldError::new("level", "err.identity_locked"));
        }
        validated(errors)?;
    }
    let mut tx = state.db.begin().await?;
    let u = orgs::update_unit(&mut tx, &ctx.actor(), id, &f)
        .await
        .map_err(|e| conflict_on_unique(e, "name", "err.unit_taken"))?;
    tx.commit().await?;
    Ok(u)
}

pub async fn delete(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<()> {
    let (_, obj) = load(state, ctx, id).await?;
    ensure(ctx.user()?, Action::Delete, &obj)?;
    let mut tx = state.db.begin().await?;
    let deps = orgs::unit_dependents(&mut tx, id).await?;
    if deps.pairings > 0 || deps.users > 0 {
        return Err(AppError::Conflict(vec![FieldError::new("id", "err.unit_has_children")
            .with("pairings", deps.pairings)
            .with("users", deps.users)]));
    }
    orgs::delete_unit(&mut tx, &ctx.actor(), id).await?;
    tx.commit().await?;
    Ok(())
}

// ------------------------------------------------------------ JSON API

/// List the units the caller may see.
#[utoipa::path(get, path = "/api/v1/units", tag = "units", params(ListParams),
    responses((status = 200, body = Page<Unit>), (status = 401, body = crate::error::ErrorBody)))]
pub async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<ListParams>,
) -> AppResult<Json<Page<Unit>>> {
    Ok(Json(list(&state, &ctx, &params).await?))
}

/// One unit.
#[utoipa::path(get, path = "/api/v1/units/{id}", tag = "units",
    responses((status = 200, body = Unit), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn api_get(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Unit>> {
    Ok(Json(get_one(&state, &ctx, id).await?))
}

/// Register a civilized unit (district admin).
#[utoipa::path(post, path = "/api/v1/units", tag = "units", request_body = UnitInput,
    responses((status = 201, body = Unit), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_create(State(state): State<AppState>, ctx: Ctx, Json(input): Json<UnitInput>) -> AppResult<Response> {
    Ok((StatusCode::CREATED, Json(create(&state, &ctx, &input).await?)).into_response())
}

/// Replace a unit's fields (the unit itself may change its contact details only).
#[utoipa::path(put, path = "/api/v1/units/{id}", tag = "units", request_body = UnitInput,
    responses((status = 200, body = Unit), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<UnitInput>,
) -> AppResult<Json<Unit>> {
    Ok(Json(update(&state, &ctx, id, &input).await?))
}

/// Delete a unit that has no pairings and no accounts left.
#[utoipa::path(delete, path = "/api/v1/units/{id}", tag = "units",
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
        ctx.t("units.title"),
        "/units",
        params.q.as_deref(),
        page.total,
        page.page,
        page.per_page,
    );
    view.columns = vec![
        ctx.t("field.name"),
        ctx.t("field.level"),
        ctx.t("field.kind"),
        ctx.t("field.contact_person"),
        ctx.t("field.contact_phone"),
        ctx.t("units.communities"),
    ];
    if policy::may_create(p, Listing::Units) {
        view.new_url = Some("/units/new".into());
    }
    view.rows = page
        .items
        .iter()
        .map(|u| Row {
            cells: vec![
                Cell::text(&u.name),
                Cell::text(level_label(ctx.lang, &u.level)),
                Cell::text(&u.kind),
                Cell::text(&u.contact_person),
                Cell::text(&u.contact_phone),
                Cell::link(u.communities.to_string(), format!("/pairings?unit_id={}", u.id)),
            ],
            edit_url: policy::allows(p, Action::Update, &bare_object(u.id)).then(|| format!("/units/{}/edit", u.id)),
            delete_url: policy::allows(p, Action::Delete, &bare_object(u.id))
                .then(|| format!("/units/{}/delete", u.id)),
        })
        .collect();
    Ok(ctx.render(&state, "list.html", minijinja::Value::from_serialize(&view)))
}

fn form(ctx: &Ctx, title_key: &str, action: String, input: &UnitInput) -> FormPage {
    let lang = ctx.lang;
    let v = |o: &Option<String>| o.clone().unwrap_or_default();
    let levels = LEVELS
        .iter()
        .map(|l| Choice {
            value: l.to_string(),
            label: level_label(lang, l),
        })
        .collect();
    let level = input.level.as_deref().and_then(parse_level).unwrap_or("").to_string();
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

async fn page_new(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ensure(ctx.user()?, Action::Create, &bare_object(0))?;
    let f = form(&ctx, "units.new", "/units".into(), &UnitInput::default());
    Ok(ctx.render_form(&state, &f))
}

async fn page_create(State(state): State<AppState>, ctx: Ctx, Form(input): Form<UnitInput>) -> AppResult<Response> {
    let result = create(&state, &ctx, &input).await;
    outcome(&state, &ctx, result, "/units", || async {
        Ok(form(&ctx, "units.new", "/units".into(), &input))
    })
    .await
}

async fn page_edit(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let (u, obj) = load(&state, &ctx, id).await?;
    ensure(ctx.user()?, Action::Update, &obj)?;
    let input = UnitInput {
        name: Some(u.name),
        level: Some(u.level),
        kind: Some(u.kind),
        address: Some(u.address),
        contact_person: Some(u.contact_person),
        contact_phone: Some(u.contact_phone),
    };
    let f = form(&ctx, "units.edit", format!("/units/{id}"), &input);
    Ok(ctx.render_form(&state, &f))
}

async fn page_update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<UnitInput>,
) -> AppResult<Response> {
    let result = update(&state, &ctx, id, &input).await;
    outcome(&state, &ctx, result, "/units", || async {
        Ok(form(&ctx, "units.edit", format!("/units/{id}"), &input))
    })
    .await
}

async fn page_delete_confirm(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let (u, obj) = load(&state, &ctx, id).await?;
    ensure(ctx.user()?, Action::Delete, &obj)?;
    Ok(super::home::delete_page(
        &state,
        &ctx,
        &u.name,
        format!("/units/{id}/delete"),
        "/units",
        None,
    ))
}

async fn page_delete(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let (u, _) = load(&state, &ctx, id).await?;
    let result = delete(&state, &ctx, id).await;
    super::home::delete_outcome(&state, &ctx, result, &u.name, format!("/units/{id}/delete"), "/units")
}
