//! The home page of each role (what it has to do), health checks, static files, shared pages.

use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Json;
use serde::Serialize;

use crate::auth::policy::{self, Listing, Role};
use crate::db::orgs::{self, ListQuery};
use crate::error::{AppError, AppResult, FieldError};
use crate::i18n::tf;
use crate::on_db;
use crate::state::AppState;
use crate::web::templates::{CSS, JS};
use crate::web::Ctx;
use utoipa_axum::router::OpenApiRouter;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/", get(home))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route(
            "/static/app.css",
            get(|| async { asset("text/css; charset=utf-8", CSS) }),
        )
        .route(
            "/static/app.js",
            get(|| async { asset("text/javascript; charset=utf-8", JS) }),
        )
}

fn asset(mime: &'static str, body: &'static str) -> Response {
    ([(CONTENT_TYPE, mime), (CACHE_CONTROL, "public, max-age=3600")], body).into_response()
}

/// For load balancers and probes: 200 `{"status":"ready",…}` when the database answers and takes
/// a write, else 503 `{"status":"not_ready","reachable":…,"writable":…}` with `Retry-After`.
async fn readyz(State(state): State<AppState>) -> Response {
    let r = state.db.readiness().await;
    let ready = r.ready();
    let body = serde_json::json!({
        "status": if ready { "ready" } else { "not_ready" },
        "database": r.database,
        "reachable": r.reachable,
        "writable": r.writable,
    });
    let mut res = Json(body).into_response();
    if !ready {
        *res.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
        res.headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from_static(crate::error::RETRY_AFTER_SECS));
    }
    res
}

#[derive(Serialize)]
struct Tile {
    label: String,
    value: i64,
    href: &'static str,
}

#[derive(Serialize)]
struct Todo {
    text: String,
    href: String,
}

async fn count(state: &AppState, ctx: &Ctx, what: Listing) -> AppResult<Option<i64>> {
    let p = ctx.user()?;
    let scope = policy::list_scope(p, what);
    if !policy::may_list(p, what) {
        return Ok(None);
    }
    let lq = ListQuery {
        q: None,
        page: 1,
        per_page: 1,
        scope,
        street_id: None,
        community_id: None,
        unit_id: None,
    };
    let db = &state.db;
    Ok(Some(match what {
        Listing::Streets => orgs::list_streets(db, &lq).await?.total,
        Listing::Communities => orgs::list_communities(db, &lq).await?.total,
        Listing::Units => orgs::list_units(db, &lq).await?.total,
        Listing::Pairings => orgs::list_pairings(db, &lq).await?.total,
        Listing::Accounts => crate::db::users::list_accounts(db, &lq, p.user_id).await?.total,
        Listing::AuditLog | Listing::Teams | Listing::Board => return Ok(None),
    }))
}

async fn home(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let p = ctx.user()?.clone();
    let lang = ctx.lang;
    let mut tiles = vec![];
    for (what, key, href) in [
        (Listing::Streets, "nav.streets", "/streets"),
        (Listing::Communities, "nav.communities", "/communities"),
        (Listing::Units, "nav.units", "/units"),
        (Listing::Pairings, "nav.pairings", "/pairings"),
    ] {
        if let Some(value) = count(&state, &ctx, what).await? {
            tiles.push(Tile {
                label: ctx.t(key),
                value,
                href,
            });
        }
    }
    let district = orgs::district_name(&state.db).await?;
    let mut todos = vec![];
    let db = &state.db;
    match p.role {
        Role::DistrictAdmin => {
            if district.is_none() {
                todos.push(Todo {
                    text: ctx.t("todo.name_district"),
                    href: "/district".into(),
                });
            }
            let (unpaired_units, unpaired_communities, units_without_account): (i64, i64, i64) = on_db!(db, pool => {
                let a = sqlx::query_scalar("select count(*) from units u where not exists (select 1 from pairings p where p.unit_id = u.id)").fetch_one(pool).await?;
                let b = sqlx::query_scalar("select count(*) from communities c where not exists (select 1 from pairings p where p.community_id = c.id)").fetch_one(pool).await?;
                let c = sqlx::query_scalar("select count(*) from units u where not exists (select 1 from users a where a.unit_id = u.id)").fetch_one(pool).await?;
                (a, b, c)
            });
            if unpaired_units > 0 {
                todos.push(Todo {
                    text: tf(lang, "todo.unpaired_units", &[("n", unpaired_units.to_string())]),
                    href: "/pairings/new".into(),
                });
            }
            if unpaired_communities > 0 {
                todos.push(Todo {
                    text: tf(
                        lang,
                        "todo.unpaired_communities",
                        &[("n", unpaired_communities.to_string())],
                    ),
                    href: "/pairings/new".into(),
                });
            }
            if units_without_account > 0 {
                todos.push(Todo {
                    text: tf(
                        lang,
                        "todo.units_without_account",
                        &[("n", units_without_account.to_string())],
                    ),
                    href: "/users/new".into(),
                });
            }
        }
        Role::StreetAdmin => {
            let street = p.street_id.unwrap_or(-1);
            let (unpaired, without_account): (i64, i64) = on_db!(db, pool => {
                let a = sqlx::query_scalar("select count(*) from communities c where c.street_id = $1 and not exists (select 1 from pairings p where p.community_id = c.id)").bind(street).fetch_one(pool).await?;
                let b = sqlx::query_scalar("select count(*) from communities c where c.street_id = $1 and not exists (select 1 from users a where a.community_id = c.id)").bind(street).fetch_one(pool).await?;
                (a, b)
            });
            if unpaired > 0 {
                todos.push(Todo {
                    text: tf(lang, "todo.street_unpaired", &[("n", unpaired.to_string())]),
                    href: "/communities".into(),
                });
            }
            if without_account > 0 {
                todos.push(Todo {
                    text: tf(
                        lang,
                        "todo.street_without_account",
                        &[("n", without_account.to_string())],
                    ),
                    href: "/users/new".into(),
                });
            }
        }
        Role::CommunityAdmin => {
            if let Some(c) = p.community_id {
                if let Some(c) = orgs::get_community(db, c).await? {
                    if c.contact_person.is_empty() || c.contact_phone.is_empty() {
                        todos.push(Todo {
                            text: ctx.t("todo.fill_contact"),
                            href: format!("/communities/{}/edit", c.id),
                        });
                    }
                }
            }
        }
        Role::UnitAdmin => {
            if let Some(u) = p.unit_id {
                if let Some(u) = orgs::get_unit(db, u).await? {
                    if u.contact_person.is_empty() || u.contact_phone.is_empty() {
                        todos.push(Todo {
                            text: ctx.t("todo.fill_contact"),
                            href: format!("/units/{}/edit", u.id),
                        });
                    }
                }
            }
        }
        Role::Police | Role::Volunteer => {}
    }
    let place = match p.role {
        Role::StreetAdmin => p.street_id.map(|id| ("street", id)),
        Role::CommunityAdmin => p.community_id.map(|id| ("community", id)),
        Role::UnitAdmin => p.unit_id.map(|id| ("unit", id)),
        _ => None,
    };
    let place_name = match place {
        Some(("street", id)) => orgs::get_street(db, id).await?.map(|s| s.name),
        Some(("community", id)) => orgs::get_community(db, id)
            .await?
            .map(|c| format!("{} / {}", c.street_name, c.name)),
        Some(("unit", id)) => orgs::get_unit(db, id).await?.map(|u| u.name),
        _ => None,
    };
    let page = minijinja::context! {
        title => ctx.t("home.title"), district => district, place => place_name,
        role_label => crate::features::users::role_label(lang, p.role.as_str()),
        role_help => ctx.t(&format!("home.help.{}", p.role.as_str())),
        tiles => tiles, todos => todos,
        is_district => p.role == Role::DistrictAdmin,
    };
    Ok(ctx.render(&state, "home.html", page))
}

/// The page that asks before deleting, and says why a delete was refused.
pub fn delete_page(
    state: &AppState,
    ctx: &Ctx,
    label: &str,
    action: String,
    cancel: &str,
    errors: Option<&[FieldError]>,
) -> Response {
    let errors: Vec<String> = errors.unwrap_or_default().iter().map(|e| e.message(ctx.lang)).collect();
    let refused = !errors.is_empty();
    let page = minijinja::context! {
        title => ctx.t("delete.title"), label => label, action => action, cancel => cancel, errors => errors,
    };
    let mut res = ctx.render(state, "delete.html", page);
    if refused {
        *res.status_mut() = StatusCode::CONFLICT;
    }
    res
}

/// What a delete leads to: the list with a notice, or the confirmation page saying why not.
pub fn delete_outcome(
    state: &AppState,
    ctx: &Ctx,
    result: AppResult<()>,
    label: &str,
    action: String,
    done: &str,
) -> AppResult<Response> {
    match result {
        Ok(()) => Ok(crate::web::redirect_with_flash(done, "flash.deleted", ctx.secure)),
        Err(AppError::Conflict(errs)) => Ok(delete_page(state, ctx, label, action, done, Some(&errs))),
        Err(e) => Err(e),
    }
}

/// Unknown routes: a 404 that the error layer writes as a page or as JSON.
pub async fn not_found() -> AppError {
    AppError::NotFound
}
