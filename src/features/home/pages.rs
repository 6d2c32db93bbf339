//! home: the HTML pages.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::service;
use super::Tile;
use crate::auth::policy::{Listing, Role};
use crate::db::district;
use crate::db::{communities, streets, units};
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;
use crate::web::Ctx;

/// `/`: the workbench of a signed-in account; the public site for anyone else.
pub(super) async fn home(State(state): State<AppState>, ctx: Ctx, headers: HeaderMap) -> AppResult<Response> {
    if ctx.principal.is_none() {
        return crate::features::public::home_page(&state, &ctx, &headers).await;
    }
    let p = ctx.user()?.clone();
    let lang = ctx.lang;
    let db = &state.db;
    let w = service::todo(&state, &ctx).await?;
    // Counts of the org tree mean something to the district only.
    let mut tiles = vec![];
    if p.role == Role::DistrictAdmin {
        for (what, key, href) in [
            (Listing::Streets, "nav.streets", "/streets"),
            (Listing::Communities, "nav.communities", "/communities"),
            (Listing::Units, "nav.units", "/units"),
            (Listing::Pairings, "nav.pairings", "/pairings"),
        ] {
            if let Some(value) = service::count(db, &ctx, what).await? {
                tiles.push(Tile {
                    label: ctx.t(key),
                    value,
                    href,
                });
            }
        }
    }
    let district = district::district_name(db).await?;
    let place_name = match p.role {
        Role::StreetAdmin => match p.street_id {
            Some(id) => streets::get_street(db, id).await?.map(|s| s.name),
            None => None,
        },
        Role::CommunityAdmin => match p.community_id {
            Some(id) => communities::get_community(db, id)
                .await?
                .map(|c| format!("{} / {}", c.street_name, c.name)),
            None => None,
        },
        Role::UnitAdmin => match p.unit_id {
            Some(id) => units::get_unit(db, id).await?.map(|u| u.name),
            None => None,
        },
        _ => None,
    };
    // The district's progress chart: one bar per milestone, its parts as shares of 100.
    let chart: Vec<_> = w
        .progress
        .iter()
        .map(|m| {
            let total = (m.done + m.late + m.missing + m.open).max(1);
            let mut x = 0;
            let parts: Vec<_> = [
                ("done", m.done),
                ("late", m.late),
                ("missing", m.missing),
                ("open", m.open),
            ]
            .into_iter()
            .map(|(k, n)| {
                let width = n * 1000 / total;
                let part = minijinja::context! { k => k, x => x, w => width, n => n };
                x += width;
                part
            })
            .collect();
            minijinja::context! { m => m, parts => parts }
        })
        .collect();
    let page = minijinja::context! {
        title => ctx.t("home.title"), district => district, place => place_name,
        role_label => crate::features::users::role_label(lang, p.role.as_str()),
        role_help => ctx.t(&format!("home.help.{}", p.role.as_str())),
        tiles => tiles, w => w, chart => chart,
        no_record => p.role == Role::Volunteer && p.volunteer_id.is_none(),
        is_district => p.role == Role::DistrictAdmin,
    };
    Ok(ctx.render(&state, "home/home.html", page))
}

/// 我的报名: the caller's sign-ups, upcoming first, then the past.
pub(super) async fn signups_page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let all = service::my_signups(&state.db, &ctx, false).await?;
    let t = crate::db::now();
    let (upcoming, past): (Vec<_>, Vec<_>) = all.into_iter().partition(|s| s.ends_at >= t);
    let upcoming: Vec<_> = upcoming.into_iter().rev().collect();
    let page = minijinja::context! {
        title => ctx.t("signups.title"), upcoming => upcoming, past => past,
    };
    Ok(ctx.render(&state, "home/signups.html", page))
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
