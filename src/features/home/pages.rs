//! home: the HTML pages.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::service;
use super::{Tile, Todo};
use crate::auth::policy::{Listing, Role};
use crate::db::district::{self, DistrictGaps, StreetGaps};
use crate::db::{communities, streets, units};
use crate::error::{AppError, AppResult, FieldError};
use crate::i18n::tf;
use crate::state::AppState;
use crate::web::Ctx;

pub(super) async fn home(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let p = ctx.user()?.clone();
    let lang = ctx.lang;
    let mut tiles = vec![];
    for (what, key, href) in [
        (Listing::Streets, "nav.streets", "/streets"),
        (Listing::Communities, "nav.communities", "/communities"),
        (Listing::Units, "nav.units", "/units"),
        (Listing::Pairings, "nav.pairings", "/pairings"),
    ] {
        if let Some(value) = service::count(&state.db, &ctx, what).await? {
            tiles.push(Tile {
                label: ctx.t(key),
                value,
                href,
            });
        }
    }
    let district = district::district_name(&state.db).await?;
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
            let DistrictGaps {
                unpaired_units,
                unpaired_communities,
                units_without_account,
            } = district::district_gaps(db).await?;
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
            let StreetGaps {
                unpaired_communities: unpaired,
                communities_without_account: without_account,
            } = district::street_gaps(db, street).await?;
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
                if let Some(c) = communities::get_community(db, c).await? {
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
                if let Some(u) = units::get_unit(db, u).await? {
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
        Some(("street", id)) => streets::get_street(db, id).await?.map(|s| s.name),
        Some(("community", id)) => communities::get_community(db, id)
            .await?
            .map(|c| format!("{} / {}", c.street_name, c.name)),
        Some(("unit", id)) => units::get_unit(db, id).await?.map(|u| u.name),
        _ => None,
    };
    let page = minijinja::context! {
        title => ctx.t("home.title"), district => district, place => place_name,
        role_label => crate::features::users::role_label(lang, p.role.as_str()),
        role_help => ctx.t(&format!("home.help.{}", p.role.as_str())),
        tiles => tiles, todos => todos,
        is_district => p.role == Role::DistrictAdmin,
    };
    Ok(ctx.render(&state, "home/home.html", page))
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
