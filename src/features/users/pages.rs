//! users: the HTML pages (thin handlers over [`super::service`]).

use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Form;

use super::service;
use super::AccountInput;
use crate::auth::policy::{self, Action, Listing, Role};
use crate::db::list::ListQuery;
use crate::db::{communities, streets, units};
use crate::error::{AppError, AppResult};
use crate::features::{ensure, ListParams};
use crate::state::AppState;
use crate::web::form::{outcome, Choice, Field, FormPage};
use crate::web::list::{Cell, ListPage, Row};
use crate::web::Ctx;

pub(super) async fn page_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<ListParams>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    if !policy::may_list(p, Listing::Accounts) {
        return Err(AppError::Forbidden);
    }
    let page = service::list(&state.db, &ctx, &params).await?;
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
        ctx.t("field.password"),
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
                Cell::text(service::role_label(ctx.lang, &a.role)),
                Cell::text(a.org_name.clone().unwrap_or_default()),
                Cell::text(ctx.t(if a.active { "users.active" } else { "users.disabled" })),
                if a.id != p.user_id && policy::allows(p, Action::Update, &service::object(a)) {
                    Cell::link(ctx.t("users.reset_password"), format!("/users/{}/password", a.id))
                } else {
                    Cell::text("")
                },
            ],
            edit_url: policy::allows(p, Action::Update, &service::object(a)).then(|| format!("/users/{}/edit", a.id)),
            delete_url: (policy::allows(p, Action::Delete, &service::object(a)) && a.id != p.user_id)
                .then(|| format!("/users/{}/delete", a.id)),
        })
        .collect();
    Ok(ctx.render(&state, "list.html", minijinja::Value::from_serialize(&view)))
}

pub(super) async fn form(
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
            label: service::role_label(lang, r.as_str()),
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
        let streets = streets::list_streets(&state.db, &all(policy::Scope::All)).await?;
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
    let communities =
        communities::list_communities(&state.db, &all(policy::list_scope(p, Listing::Communities))).await?;
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
        let units = units::list_units(&state.db, &all(policy::Scope::All)).await?;
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

pub(super) async fn page_new(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
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

pub(super) async fn page_create(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(input): Form<AccountInput>,
) -> AppResult<Response> {
    let input = checkbox_off_when_absent(input);
    let result = service::create(&state.db, &ctx, &input).await;
    outcome(&state, &ctx, result, "/users", || {
        form(&state, &ctx, "users.new", "/users".into(), &input, true)
    })
    .await
}

pub(super) async fn page_edit(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let a = service::get_one(&state.db, &ctx, id).await?;
    ensure(ctx.user()?, Action::Update, &service::object(&a))?;
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

pub(super) async fn page_update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<AccountInput>,
) -> AppResult<Response> {
    let input = checkbox_off_when_absent(input);
    let result = service::update(&state.db, &ctx, id, &input).await;
    outcome(&state, &ctx, result, "/users", || {
        form(&state, &ctx, "users.edit", format!("/users/{id}"), &input, false)
    })
    .await
}

pub(super) async fn page_delete_confirm(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let a = service::get_one(&state.db, &ctx, id).await?;
    ensure(ctx.user()?, Action::Delete, &service::object(&a))?;
    Ok(crate::features::home::delete_page(
        &state,
        &ctx,
        &a.username,
        format!("/users/{id}/delete"),
        "/users",
        None,
    ))
}

pub(super) async fn page_delete(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let a = service::get_one(&state.db, &ctx, id).await?;
    let result = service::delete(&state.db, &ctx, id).await;
    crate::features::home::delete_outcome(
        &state,
        &ctx,
        result,
        &a.username,
        format!("/users/{id}/delete"),
        "/users",
    )
}

/// Asks before an administrator resets someone's password.
pub(super) async fn page_reset_confirm(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let a = service::get_one(&state.db, &ctx, id).await?;
    ensure(ctx.user()?, Action::Update, &service::object(&a))?;
    let page = minijinja::context! {
        title => ctx.t("users.reset_title"), id => id, username => a.username, display_name => a.display_name,
        temporary => Option::<String>::None,
    };
    Ok(ctx.render(&state, "users/reset.html", page))
}

/// Resets the password and shows the temporary one, once.
pub(super) async fn page_reset(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let done = service::reset_password(&state.db, &ctx, id).await?;
    let page = minijinja::context! {
        title => ctx.t("users.reset_title"), id => id, username => done.username,
        temporary => Some(done.temporary_password),
    };
    let mut res = ctx.render(&state, "users/reset.html", page);
    res.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(res)
}
