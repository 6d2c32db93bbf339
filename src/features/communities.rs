//! 社区: communities under the streets.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Json};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{conflict_on_unique, ensure, optional_phone, optional_text, required_name, validated, ListParams};
use crate::auth::policy::{self, Action, Listing, Object, Principal};
use crate::db::orgs::{self, Community, CommunityFields, ListQuery, Page};
use crate::domain::phone::Phone;
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;
use crate::web::form::{lenient_i64, outcome, Choice, Field, FormPage};
use crate::web::list::{Cell, Filter, ListPage, Row};
use crate::web::Ctx;
use utoipa_axum::{router::OpenApiRouter, routes};

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct CommunityInput {
    /// The street it belongs to.
    #[serde(default, deserialize_with = "lenient_i64")]
    pub street_id: Option<i64>,
    /// Unique within its street.
    pub name: Option<String>,
    pub address: Option<String>,
    pub contact_person: Option<String>,
    /// Mobile (13812345678) or landline (0571-87654321).
    pub contact_phone: Option<String>,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/communities", get(page_list).post(page_create))
        .route("/communities/new", get(page_new))
        .route("/communities/{id}", axum::routing::post(page_update))
        .route("/communities/{id}/edit", get(page_edit))
        .route("/communities/{id}/delete", get(page_delete_confirm).post(page_delete))
        .routes(routes!(api_list, api_create))
        .routes(routes!(api_get, api_update, api_delete))
}

// ------------------------------------------------------------ service

fn object(c: &Community, paired_unit_ids: Vec<i64>) -> Object {
    Object::Community {
        id: c.id,
        street_id: c.street_id,
        paired_unit_ids,
    }
}

/// Whether the viewer needs the contact phone in full (those who may edit the community).
fn sees_phone(p: &Principal, c: &Community) -> bool {
    policy::allows(p, Action::Update, &object(c, vec![]))
}

fn mask(p: &Principal, mut c: Community) -> Community {
    if !c.contact_phone.is_empty() && !sees_phone(p, &c) {
        c.contact_phone = Phone::mask(&c.contact_phone);
    }
    c
}

pub async fn list(state: &AppState, ctx: &Ctx, params: &ListParams) -> AppResult<Page<Community>> {
    let p = ctx.user()?;
    let lq = params.query(p, Listing::Communities)?;
    let mut page = orgs::list_communities(&state.db, &lq).await?;
    page.items = page.items.into_iter().map(|c| mask(p, c)).collect();
    Ok(page)
}

/// The community and its description for the policy, unmasked, after a View check.
async fn load(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<(Community, Object)> {
    let c = orgs::get_community(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let obj = object(&c, orgs::units_paired_with(&state.db, id).await?);
    ensure(ctx.user()?, Action::View, &obj)?;
    Ok((c, obj))
}

pub async fn get_one(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<Community> {
    let (c, _) = load(state, ctx, id).await?;
    Ok(mask(ctx.user()?, c))
}

async fn validate(state: &AppState, input: &CommunityInput) -> AppResult<CommunityFields> {
    let mut errors = vec![];
    let name = required_name("name", input.name.as_deref(), &mut errors);
    let address = optional_text("address", input.address.as_deref(), 200, &mut errors);
    let contact_person = optional_text("contact_person", input.contact_person.as_deref(), 50, &mut errors);
    let contact_phone = optional_phone("contact_phone", input.contact_phone.as_deref(), &mut errors);
    let street_id = match input.street_id {
        None => {
            errors.push(FieldError::new("street_id", "err.required"));
            0
        }
        Some(id) => {
            if orgs::get_street(&state.db, id).await?.is_none() {
                errors.push(FieldError::new("street_id", "err.no_such_street"));
            }
            id
        }
    };
    validated(errors)?;
    Ok(CommunityFields {
        street_id,
        name,
        address,
        contact_person,
        contact_phone,
    })
}

pub async fn create(state: &AppState, ctx: &Ctx, input: &CommunityInput) -> AppResult<Community> {
    let p = ctx.user()?;
    if !policy::may_create(p, Listing::Communities) {
        return Err(AppError::Forbidden);
    }
    let f = validate(state, input).await?;
    ensure(
        p,
        Action::Create,
        &Object::Community {
            id: 0,
            street_id: f.street_id,
            paired_unit_ids: vec![],
        },
    )?;
    let mut tx = state.db.begin().await?;
    let c = orgs::create_community(&mut tx, &ctx.actor(), &f)
        .await
        .map_err(|e| conflict_on_unique(e, "name", "err.community_taken"))?;
    tx.commit().await?;
    Ok(c)
}

pub async fn update(state: &AppState, ctx: &Ctx, id: i64, input: &CommunityInput) -> AppResult<Community> {
    let p = ctx.user()?;
    let (before, obj) = load(state, ctx, id).await?;
    ensure(p, Action::Update, &obj)?;
    let f = validate(state, input).await?;
    if !policy::may_edit_identity(p, &obj) {
        let mut errors = vec![];
        if f.name != before.name {
            errors.push(FieldError::new("name", "err.identity_locked"));
        }
        if f.street_id != before.street_id {
            errors.push(FieldError::new("street_id", "err.identity_locked"));
        }
        validated(errors)?;
    }
    // Moving it to another street needs the right over that street too.
    ensure(
        p,
        Action::Update,
        &Object::Community {
            id,
            street_id: f.street_id,
            paired_unit_ids: vec![],
        },
    )?;
    let mut tx = state.db.begin().await?;
    let c = orgs::update_community(&mut tx, &ctx.actor(), id, &f)
        .await
        .map_err(|e| conflict_on_unique(e, "name", "err.community_taken"))?;
    tx.commit().await?;
    Ok(c)
}

pub async fn delete(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<()> {
    let (_, obj) = load(state, ctx, id).await?;
    ensure(ctx.user()?, Action::Delete, &obj)?;
    let mut tx = state.db.begin().await?;
    let deps = orgs::community_dependents(&mut tx, id).await?;
    if deps.pairings > 0 || deps.users > 0 {
        return Err(AppError::Conflict(vec![FieldError::new(
            "id",
            "err.community_has_children",
        )
        .with("pairings", deps.pairings)
        .with("users", deps.users)]));
    }
    orgs::delete_community(&mut tx, &ctx.actor(), id).await?;
    tx.commit().await?;
    Ok(())
}

/// The streets `p` may put a community in, for the form's drop-down.
pub async fn street_choices(state: &AppState, p: &Principal) -> AppResult<Vec<Choice>> {
    let lq = ListQuery {
        q: None,
        page: 1,
        per_page: 1000,
        scope: policy::list_scope(p, Listing::Streets),
        street_id: None,
        community_id: None,
        unit_id: None,
    };
    let page = orgs::list_streets(&state.db, &lq).await?;
    Ok(page
        .items
        .into_iter()
        .map(|s| Choice {
            value: s.id.to_string(),
            label: s.name,
        })
        .collect())
}

// ------------------------------------------------------------ JSON API

/// List the communities the caller may see.
#[utoipa::path(get, path = "/api/v1/communities", tag = "communities", params(ListParams),
    responses((status = 200, body = Page<Community>), (status = 401, body = crate::error::ErrorBody)))]
pub async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<ListParams>,
) -> AppResult<Json<Page<Community>>> {
    Ok(Json(list(&state, &ctx, &params).await?))
}

/// One community.
#[utoipa::path(get, path = "/api/v1/communities/{id}", tag = "communities",
    responses((status = 200, body = Community), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn api_get(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Community>> {
    Ok(Json(get_one(&state, &ctx, id).await?))
}

/// Create a community (district admin, or the street it belongs to).
#[utoipa::path(post, path = "/api/v1/communities", tag = "communities", request_body = CommunityInput,
    responses((status = 201, body = Community), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_create(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(input): Json<CommunityInput>,
) -> AppResult<Response> {
    Ok((StatusCode::CREATED, Json(create(&state, &ctx, &input).await?)).into_response())
}

/// Replace a community's fields.
#[utoipa::path(put, path = "/api/v1/communities/{id}", tag = "communities", request_body = CommunityInput,
    responses((status = 200, body = Community), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<CommunityInput>,
) -> AppResult<Json<Community>> {
    Ok(Json(update(&state, &ctx, id, &input).await?))
}

/// Delete a community that has no pairings and no accounts left.
#[utoipa::path(delete, path = "/api/v1/communities/{id}", tag = "communities",
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
        ctx.t("communities.title"),
        "/communities",
        params.q.as_deref(),
        page.total,
        page.page,
        page.per_page,
    );
    if policy::may_list(p, Listing::Streets) {
        view = view.filter(Filter {
            name: "street_id",
            label: ctx.t("field.street"),
            options: street_choices(&state, p).await?,
            selected: params.street_id.map(|s| s.to_string()).unwrap_or_default(),
        });
    }
    view.columns = vec![
        ctx.t("field.street"),
        ctx.t("field.name"),
        ctx.t("field.contact_person"),
        ctx.t("field.contact_phone"),
        ctx.t("communities.units"),
    ];
    if policy::may_create(p, Listing::Communities) {
        view.new_url = Some("/communities/new".into());
    }
    view.rows = page
        .items
        .iter()
        .map(|c| {
            let obj = object(c, vec![]);
            Row {
                cells: vec![
                    Cell::text(&c.street_name),
                    Cell::text(&c.name),
                    Cell::text(&c.contact_person),
                    Cell::text(&c.contact_phone),
                    Cell::link(c.units.to_string(), format!("/pairings?community_id={}", c.id)),
                ],
                edit_url: policy::allows(p, Action::Update, &obj).then(|| format!("/communities/{}/edit", c.id)),
                delete_url: policy::allows(p, Action::Delete, &obj).then(|| format!("/communities/{}/delete", c.id)),
            }
        })
        .collect();
    Ok(ctx.render(&state, "list.html", minijinja::Value::from_serialize(&view)))
}

async fn form(
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
            street_choices(state, p).await?,
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

async fn page_new(State(state): State<AppState>, ctx: Ctx, Query(params): Query<ListParams>) -> AppResult<Response> {
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

async fn page_create(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(input): Form<CommunityInput>,
) -> AppResult<Response> {
    let result = create(&state, &ctx, &input).await;
    outcome(&state, &ctx, result, "/communities", || {
        form(&state, &ctx, "communities.new", "/communities".into(), &input)
    })
    .await
}

async fn page_edit(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let (c, obj) = load(&state, &ctx, id).await?;
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

async fn page_update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<CommunityInput>,
) -> AppResult<Response> {
    let result = update(&state, &ctx, id, &input).await;
    outcome(&state, &ctx, result, "/communities", || {
        form(&state, &ctx, "communities.edit", format!("/communities/{id}"), &input)
    })
    .await
}

async fn page_delete_confirm(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let (c, obj) = load(&state, &ctx, id).await?;
    ensure(ctx.user()?, Action::Delete, &obj)?;
    let label = format!("{} / {}", c.street_name, c.name);
    Ok(super::home::delete_page(
        &state,
        &ctx,
        &label,
        format!("/communities/{id}/delete"),
        "/communities",
        None,
    ))
}

async fn page_delete(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let (c, _) = load(&state, &ctx, id).await?;
    let result = delete(&state, &ctx, id).await;
    let label = format!("{} / {}", c.street_name, c.name);
    super::home::delete_outcome(
        &state,
        &ctx,
        result,
        &label,
        format!("/communities/{id}/delete"),
        "/communities",
    )
}
