//! Accounts for district, street, community and unit staff, the police brigade and volunteers.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Json};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{conflict_on_unique, ensure, optional_text, validated, ListParams};
use crate::auth::policy::{self, Action, Listing, Object, OrgKind, Role};
use crate::auth::{hash_password_blocking, password_problem};
use crate::db::orgs::{self, ListQuery, Page};
use crate::db::users::{self, Account, AccountFields};
use crate::db::Db;
use crate::error::{AppError, AppResult, FieldError};
use crate::i18n::{t, Lang};
use crate::on_db;
use crate::state::AppState;
use crate::web::form::{lenient_bool, lenient_i64, outcome, Choice, Field, FormPage};
use crate::web::list::{Cell, ListPage, Row};
use crate::web::Ctx;
use utoipa_axum::{router::OpenApiRouter, routes};

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct AccountInput {
    /// 3–32 characters: lower-case letters, digits, `.`, `_`, `-`.
    pub username: Option<String>,
    pub display_name: Option<String>,
    /// `district_admin`, `street_admin`, `community_admin`, `unit_admin`, `police` or `volunteer`.
    pub role: Option<String>,
    /// The org node of the role: a street, community or unit id (or give the specific field).
    #[serde(default, deserialize_with = "lenient_i64")]
    pub org_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub street_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub community_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub unit_id: Option<i64>,
    /// Required when creating; when updating, sets a new password if given.
    pub password: Option<String>,
    /// Defaults to true; a disabled account cannot sign in.
    #[serde(default, deserialize_with = "lenient_bool")]
    pub active: Option<bool>,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/users", get(page_list).post(page_create))
        .route("/users/new", get(page_new))
        .route("/users/{id}", axum::routing::post(page_update))
        .route("/users/{id}/edit", get(page_edit))
        .route("/users/{id}/delete", get(page_delete_confirm).post(page_delete))
        .routes(routes!(api_list, api_create))
        .routes(routes!(api_get, api_update, api_delete))
}

// ------------------------------------------------------------ service

pub fn object(a: &Account) -> Object {
    Object::Account {
        id: a.id,
        role: Role::parse(&a.role).unwrap_or(Role::Volunteer),
        street_id: a.org_street_id,
        community_id: a.community_id,
        unit_id: a.unit_id,
    }
}

pub async fn list(state: &AppState, ctx: &Ctx, params: &ListParams) -> AppResult<Page<Account>> {
    let p = ctx.user()?;
    let lq = params.query(p, Listing::Accounts)?;
    Ok(users::list_accounts(&state.db, &lq, p.user_id).await?)
}

pub async fn get_one(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<Account> {
    let a = users::get_account(&state.db, id).await?.ok_or(AppError::NotFound)?;
    ensure(ctx.user()?, Action::View, &object(&a))?;
    Ok(a)
}

/// Checks an account's fields; `creating` makes the password required. Also answers the street
/// the account's org sits under, for the policy.
pub async fn validate(db: &Db, input: &AccountInput, creating: bool) -> AppResult<(AccountFields, Option<i64>)> {
    let mut errors = vec![];
    let username = input.username.as_deref().unwrap_or("").trim().to_lowercase();
    let valid_username = (3..=32).contains(&username.len())
        && username
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
        && username.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    if username.is_empty() {
        errors.push(FieldError::new("username", "err.required"));
    } else if !valid_username {
        errors.push(FieldError::new("username", "err.username"));
    }
    let display_name = optional_text("display_name", input.display_name.as_deref(), 50, &mut errors);
    let role = match input.role.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            errors.push(FieldError::new("role", "err.required"));
            None
        }
        Some(r) => Role::parse(r).or_else(|| {
            errors.push(FieldError::new("role", "err.role"));
            None
        }),
    };
    let (mut street_id, mut community_id, mut unit_id, mut org_street) = (None, None, None, None);
    if let Some(kind) = role.and_then(Role::org_kind) {
        let (field, given) = match kind {
            OrgKind::Street => ("street_id", input.street_id.or(input.org_id)),
            OrgKind::Community => ("community_id", input.community_id.or(input.org_id)),
            OrgKind::Unit => ("unit_id", input.unit_id.or(input.org_id)),
        };
        match given {
            None => errors.push(FieldError::new(field, "err.org_required")),
            Some(id) => {
                let found = match kind {
                    OrgKind::Street => orgs::get_street(db, id).await?.map(|s| s.id),
                    OrgKind::Community => orgs::get_community(db, id).await?.map(|c| c.street_id),
                    OrgKind::Unit => orgs::get_unit(db, id).await?.map(|_| 0),
                };
                match (found, kind) {
                    (None, _) => errors.push(FieldError::new(field, "err.no_such_org")),
                    (Some(s), OrgKind::Street) => (street_id, org_street) = (Some(id), Some(s)),
                    (Some(s), OrgKind::Community) => (community_id, org_street) = (Some(id), Some(s)),
                    (Some(_), OrgKind::Unit) => unit_id = Some(id),
                }
            }
        }
    }
    let password = input.password.as_deref().unwrap_or("");
    if creating && password.is_empty() {
        errors.push(FieldError::new("password", "err.required"));
    } else if !password.is_empty() {
        if let Some(problem) = password_problem(password, &username) {
            errors.push(problem);
        }
    }
    validated(errors)?;
    let role = role.expect("validated").as_str().to_string();
    let active = input.active.unwrap_or(true);
    Ok((
        AccountFields {
            username,
            display_name,
            role,
            street_id,
            community_id,
            unit_id,
            active,
        },
        org_street,
    ))
}

fn fields_object(id: i64, f: &AccountFields, org_street: Option<i64>) -> Object {
    Object::Account {
        id,
        role: Role::parse(&f.role).unwrap_or(Role::Volunteer),
        street_id: org_street,
        community_id: f.community_id,
        unit_id: f.unit_id,
    }
}

async fn other_active_district_admins(db: &Db, except: i64) -> AppResult<i64> {
    Ok(on_db!(db, pool => sqlx::query_scalar::<_, i64>(
        "select count(*) from users where role = 'district_admin' and active = true and id <> $1")
        .bind(except).fetch_one(pool).await?))
}

pub async fn create(state: &AppState, ctx: &Ctx, input: &AccountInput) -> AppResult<Account> {
    let p = ctx.user()?;
    if !policy::may_create(p, Listing::Accounts) {
        return Err(AppError::Forbidden);
    }
    let (f, org_street) = validate(&state.db, input, true).await?;
    ensure(p, Action::Create, &fields_object(0, &f, org_street))?;
    let hash = hash_password_blocking(input.password.clone().unwrap_or_default()).await?;
    let mut tx = state.db.begin().await?;
    let a = users::create_account(&mut tx, &ctx.actor(), &f, &hash)
        .await
        .map_err(|e| conflict_on_unique(e, "username", "err.username_taken"))?;
    tx.commit().await?;
    Ok(a)
}

pub async fn update(state: &AppState, ctx: &Ctx, id: i64, input: &AccountInput) -> AppResult<Account> {
    let p = ctx.user()?;
    let before = get_one(state, ctx, id).await?;
    ensure(p, Action::Update, &object(&before))?;
    let (f, org_street) = validate(&state.db, input, false).await?;
    ensure(p, Action::Update, &fields_object(id, &f, org_street))?;
    if id == p.user_id && (!f.active || f.role != before.role) {
        return Err(AppError::field("role", "err.cannot_demote_self"));
    }
    if before.role == "district_admin"
        && (f.role != "district_admin" || !f.active)
        && other_active_district_admins(&state.db, id).await? == 0
    {
        return Err(AppError::Conflict(vec![FieldError::new("role", "err.last_admin")]));
    }
    let new_hash = match input.password.as_deref().filter(|s| !s.is_empty()) {
        Some(pw) => Some(hash_password_blocking(pw.to_string()).await?),
        None => None,
    };
    let mut tx = state.db.begin().await?;
    let a = users::update_account(&mut tx, &ctx.actor(), id, &f)
        .await
        .map_err(|e| conflict_on_unique(e, "username", "err.username_taken"))?;
    if let Some(hash) = new_hash {
        users::set_password(&mut tx, &ctx.actor(), id, &hash, None).await?;
    }
    tx.commit().await?;
    Ok(a)
}

pub async fn delete(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<()> {
    let p = ctx.user()?;
    let a = get_one(state, ctx, id).await?;
    ensure(p, Action::Delete, &object(&a))?;
    if id == p.user_id {
        return Err(AppError::Conflict(vec![FieldError::new(
            "id",
            "err.cannot_delete_self",
        )]));
    }
    if a.role == "district_admin" && other_active_district_admins(&state.db, id).await? == 0 {
        return Err(AppError::Conflict(vec![FieldError::new("id", "err.last_admin")]));
    }
    let mut tx = state.db.begin().await?;
    users::delete_account(&mut tx, &ctx.actor(), id).await?;
    tx.commit().await?;
    Ok(())
}

/// Creates an account from the command line (also the first district admin).
pub async fn create_from_cli(db: &Db, input: &AccountInput) -> AppResult<Account> {
    let (f, _) = validate(db, input, true).await?;
    let hash = hash_password_blocking(input.password.clone().unwrap_or_default()).await?;
    let mut tx = db.begin().await?;
    let a = users::create_account(&mut tx, &crate::db::audit::Actor::cli(), &f, &hash)
        .await
        .map_err(|e| conflict_on_unique(e, "username", "err.username_taken"))?;
    tx.commit().await?;
    Ok(a)
}

pub fn role_label(lang: Lang, role: &str) -> String {
    t(lang, &format!("role.{role}"))
}

// ------------------------------------------------------------ JSON API

/// List the accounts the caller may see (a street: its communities' staff).
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(ListParams), responses((status = 200, body = Page<Account>)))]
pub async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<ListParams>,
) -> AppResult<Json<Page<Account>>> {
    Ok(Json(list(&state, &ctx, &params).await?))
}

/// One account.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", responses((status = 200, body = Account)))]
pub async fn api_get(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Account>> {
    Ok(Json(get_one(&state, &ctx, id).await?))
}

/// Create an account.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = AccountInput,
    responses((status = 201, body = Account), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_create(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(input): Json<AccountInput>,
) -> AppResult<Response> {
    Ok((StatusCode::CREATED, Json(create(&state, &ctx, &input).await?)).into_response())
}

/// Replace an account's fields; a `password` sets a new one and ends the account's sessions.
#[utoipa::path(put, path = "/api/v1/users/{id}", tag = "users", request_body = AccountInput,
    responses((status = 200, body = Account), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<AccountInput>,
) -> AppResult<Json<Account>> {
    Ok(Json(update(&state, &ctx, id, &input).await?))
}

/// Delete an account.
#[utoipa::path(delete, path = "/api/v1/users/{id}", tag = "users", responses((status = 204)))]
pub async fn api_delete(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<StatusCode> {
    delete(&state, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ------------------------------------------------------------ pages

async fn page_list(State(state): State<AppState>, ctx: Ctx, Query(params): Query<ListParams>) -> AppResult<Response> {
    let p = ctx.user()?;
    if !policy::may_list(p, Listing::Accounts) {
        return Err(AppError::Forbidden);
    }
    let page = list(&state, &ctx, &params).await?;
    let mut view = ListPage::new(
        ctx.t("users.title"),
        "/users",
        params.q.as_deref(),
        page.total,
        page.page,
        page.per_page,
    );
    view.columns = vec![
        ctx.t("field.username"),
        ctx.t("field.display_name"),
        ctx.t("field.role"),
        ctx.t("field.org"),
        ctx.t("field.status"),
    ];
    if policy::may_create(p, Listing::Accounts) {
        view.new_url = Some("/users/new".into());
    }
    view.rows = page
        .items
        .iter()
        .map(|a| Row {
            cells: vec![
                Cell::text(&a.username),
                Cell::text(&a.display_name),
                Cell::text(role_label(ctx.lang, &a.role)),
                Cell::text(a.org_name.clone().unwrap_or_default()),
                Cell::text(ctx.t(if a.active { "users.active" } else { "users.disabled" })),
            ],
            edit_url: policy::allows(p, Action::Update, &object(a)).then(|| format!("/users/{}/edit", a.id)),
            delete_url: (policy::allows(p, Action::Delete, &object(a)) && a.id != p.user_id)
                .then(|| format!("/users/{}/delete", a.id)),
        })
        .collect();
    Ok(ctx.render(&state, "list.html", minijinja::Value::from_serialize(&view)))
}

async fn form(
    state: &AppState,
    ctx: &Ctx,
    title_key: &str,
    action: String,
    input: &AccountInput,
    creating: bool,
) -> AppResult<FormPage> {
    let p = ctx.user()?;
    let lang = ctx.lang;
    let all = |scope| ListQuery {
        q: None,
        page: 1,
        per_page: 100_000,
        scope,
        street_id: None,
        community_id: None,
        unit_id: None,
    };
    let roles: Vec<Choice> = Role::ALL
        .iter()
        .filter(|r| p.role == Role::DistrictAdmin || **r == Role::CommunityAdmin)
        .map(|r| Choice {
            value: r.as_str().into(),
            label: role_label(lang, r.as_str()),
        })
        .collect();
    let mut fields = vec![
        Field::text(
            lang,
            "username",
            "field.username",
            input.username.clone().unwrap_or_default(),
        )
        .required()
        .hint(lang, "hint.username"),
        Field::text(
            lang,
            "display_name",
            "field.display_name",
            input.display_name.clone().unwrap_or_default(),
        ),
        Field::select(
            lang,
            "role",
            "field.role",
            input.role.clone().unwrap_or_default(),
            roles,
        )
        .required(),
    ];
    let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    if p.role == Role::DistrictAdmin {
        let streets = orgs::list_streets(&state.db, &all(policy::Scope::All)).await?;
        fields.push(
            Field::select(
                lang,
                "street_id",
                "field.org_street",
                opt(input.street_id),
                streets
                    .items
                    .into_iter()
                    .map(|s| Choice {
                        value: s.id.to_string(),
                        label: s.name,
                    })
                    .collect(),
            )
            .hint(lang, "hint.org_street"),
        );
    }
    let communities = orgs::list_communities(&state.db, &all(policy::list_scope(p, Listing::Communities))).await?;
    fields.push(
        Field::select(
            lang,
            "community_id",
            "field.org_community",
            opt(input.community_id),
            communities
                .items
                .into_iter()
                .map(|c| Choice {
                    value: c.id.to_string(),
                    label: format!("{} / {}", c.street_name, c.name),
                })
                .collect(),
        )
        .hint(lang, "hint.org_community"),
    );
    if p.role == Role::DistrictAdmin {
        let units = orgs::list_units(&state.db, &all(policy::Scope::All)).await?;
        fields.push(
            Field::select(
                lang,
                "unit_id",
                "field.org_unit",
                opt(input.unit_id),
                units
                    .items
                    .into_iter()
                    .map(|u| Choice {
                        value: u.id.to_string(),
                        label: u.name,
                    })
                    .collect(),
            )
            .hint(lang, "hint.org_unit"),
        );
    }
    let mut pw = Field::text(
        lang,
        "password",
        if creating {
            "field.password"
        } else {
            "field.new_password"
        },
        "",
    )
    .kind("password")
    .hint(lang, "hint.password");
    pw.required = creating;
    fields.push(pw);
    fields.push(
        Field::text(
            lang,
            "active",
            "field.active",
            if input.active.unwrap_or(true) { "on" } else { "" },
        )
        .kind("checkbox"),
    );
    Ok(FormPage::new(lang, ctx.t(title_key), action, "/users", fields))
}

async fn page_new(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    if !policy::may_create(ctx.user()?, Listing::Accounts) {
        return Err(AppError::Forbidden);
    }
    let f = form(
        &state,
        &ctx,
        "users.new",
        "/users".into(),
        &AccountInput::default(),
        true,
    )
    .await?;
    Ok(ctx.render_form(&state, &f))
}

/// An unchecked checkbox sends nothing: on the form page, absence means "off".
fn checkbox_off_when_absent(mut input: AccountInput) -> AccountInput {
    input.active = Some(input.active.unwrap_or(false));
    input
}

async fn page_create(State(state): State<AppState>, ctx: Ctx, Form(input): Form<AccountInput>) -> AppResult<Response> {
    let input = checkbox_off_when_absent(input);
    let result = create(&state, &ctx, &input).await;
    outcome(&state, &ctx, result, "/users", || {
        form(&state, &ctx, "users.new", "/users".into(), &input, true)
    })
    .await
}

async fn page_edit(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let a = get_one(&state, &ctx, id).await?;
    ensure(ctx.user()?, Action::Update, &object(&a))?;
    let input = AccountInput {
        username: Some(a.username),
        display_name: Some(a.display_name),
        role: Some(a.role),
        street_id: a.street_id,
        community_id: a.community_id,
        unit_id: a.unit_id,
        active: Some(a.active),
        ..Default::default()
    };
    let f = form(&state, &ctx, "users.edit", format!("/users/{id}"), &input, false).await?;
    Ok(ctx.render_form(&state, &f))
}

async fn page_update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<AccountInput>,
) -> AppResult<Response> {
    let input = checkbox_off_when_absent(input);
    let result = update(&state, &ctx, id, &input).await;
    outcome(&state, &ctx, result, "/users", || {
        form(&state, &ctx, "users.edit", format!("/users/{id}"), &input, false)
    })
    .await
}

async fn page_delete_confirm(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let a = get_one(&state, &ctx, id).await?;
    ensure(ctx.user()?, Action::Delete, &object(&a))?;
    Ok(super::home::delete_page(
        &state,
        &ctx,
        &a.username,
        format!("/users/{id}/delete"),
        "/users",
        None,
    ))
}

async fn page_delete(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let a = get_one(&state, &ctx, id).await?;
    let result = delete(&state, &ctx, id).await;
    super::home::delete_outcome(
        &state,
        &ctx,
        result,
        &a.username,
        format!("/users/{id}/delete"),
        "/users",
    )
}
