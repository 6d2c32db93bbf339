//! The public site's pages: thin handlers over the service, in the public layout with share cards.

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::Value;
use serde::Deserialize;

use super::service::{self, ActivityQuery};
use crate::db::public::{PublicActivity, Report};
use crate::domain::activity::OpenTo;
use crate::domain::dates::{format_local, format_local_time};
use crate::error::{AppError, AppResult, FieldError};
use crate::features::PageParams;
use crate::state::AppState;
use crate::web::{labels, Ctx};

/// What a share card (Open Graph, Twitter) says about a page.
fn share(ctx: &Ctx, headers: &HeaderMap, title: &str, description: &str) -> Value {
    let origin = crate::web::origin(headers, ctx);
    // The address without its query: a shared link names the page, not one visitor's filters.
    let path = ctx.here.split('?').next().unwrap_or("/");
    minijinja::context! {
        title => title, description => description, url => format!("{origin}{path}"),
        image => format!("{origin}{}", super::OG_IMAGE), image_alt => ctx.t("public.og_image_alt"),
    }
}

fn activity_view(ctx: &Ctx, a: &PublicActivity) -> Value {
    minijinja::context! {
        a => a, category => labels::category(ctx.lang, a.category),
        starts => format_local(a.starts_at), ends => format_local_time(a.ends_at),
        left => (a.capacity - a.taken).max(0), team_only => a.open_to == OpenTo::Team,
    }
}

fn report_view(ctx: &Ctx, r: &Report) -> Value {
    minijinja::context! {
        r => r, category => labels::category(ctx.lang, r.category), held => format_local(r.starts_at),
    }
}

/// The public home: the district's figures, this month's concentrated day, what is coming and
/// what was done. Also `/` for anyone not signed in.
pub async fn home_page(state: &AppState, ctx: &Ctx, headers: &HeaderMap) -> AppResult<Response> {
    let h = service::home(&state.db).await?;
    let upcoming: Vec<_> = h.upcoming.iter().map(|a| activity_view(ctx, a)).collect();
    let reports: Vec<_> = h.reports.iter().map(|r| report_view(ctx, r)).collect();
    let title = ctx.t("public.home_title");
    let og = share(ctx, headers, &title, &ctx.t("public.og_description"));
    let day = h.concentrated_day.as_ref().map(|d| {
        let date = chrono::NaiveDate::parse_from_str(&d.day, "%Y-%m-%d").ok();
        minijinja::context! {
            day => d.day, theme => d.theme,
            weekday => labels::weekday(ctx.lang, &d.day), passed => date.is_some_and(|x| x.format("%Y-%m-%d").to_string() < crate::domain::campaign::today()),
        }
    });
    let page = minijinja::context! {
        title => title, og => og, section => "home", f => h.figures, day => day,
        upcoming => upcoming, reports => reports,
    };
    Ok(ctx.render(state, "public/home.html", page))
}

/// `/site`: the public home for everyone, signed in or not.
pub async fn site(State(state): State<AppState>, ctx: Ctx, headers: HeaderMap) -> AppResult<Response> {
    home_page(&state, &ctx, &headers).await
}

/// Published activities to come, filtered by a GET form that works without script.
pub async fn activities(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Query(q): Query<ActivityQuery>,
) -> AppResult<Response> {
    let (streets, communities) = service::places(&state.db).await?;
    let (result, errors) = match service::activities(&state.db, &q).await {
        Ok(p) => (Some(p), vec![]),
        Err(AppError::Validation(errs)) => (None, errs),
        Err(e) => return Err(e),
    };
    let err_of = |field: &str| -> Option<String> {
        errors
            .iter()
            .find(|e: &&FieldError| e.field == field)
            .map(|e| e.message(ctx.lang))
    };
    let title = ctx.t("public.activities_title");
    let og = share(&ctx, &headers, &title, &ctx.t("public.activities_intro"));
    let categories: Vec<_> = labels::categories(ctx.lang)
        .into_iter()
        .map(|(code, label)| minijinja::context! { code => code, label => label })
        .collect();
    let streets: Vec<_> = streets
        .into_iter()
        .map(|(id, name)| minijinja::context! { id => id, name => name })
        .collect();
    let communities: Vec<_> = communities
        .into_iter()
        .map(|(id, name, street)| minijinja::context! { id => id, name => name, street => street })
        .collect();
    let (items, total, page, pages) = match &result {
        Some(p) => (
            p.items.iter().map(|a| activity_view(&ctx, a)).collect::<Vec<_>>(),
            p.total,
            p.page,
            (p.total + p.per_page - 1) / p.per_page,
        ),
        None => (vec![], 0, 1, 0),
    };
    // The filters again, for the links to other pages.
    let keep = serde_urlencoded_pairs(&q);
    let page_ctx = minijinja::context! {
        title => title, og => og, section => "activities", q => q, streets => streets,
        communities => communities, categories => categories, items => items, total => total, page => page,
        pages => pages, keep => keep, err_category => err_of("category"), err_from => err_of("from"), err_to => err_of("to"),
        refused => result.is_none(),
    };
    let res = ctx.render(&state, "public/activities.html", page_ctx);
    Ok(if result.is_none() {
        crate::web::unprocessable(res)
    } else {
        res
    })
}

/// The filters as a query string without the page number.
fn serde_urlencoded_pairs(q: &ActivityQuery) -> String {
    let mut parts = vec![];
    let mut push = |k: &str, v: String| {
        if !v.is_empty() {
            parts.push(format!("{k}={}", crate::web::urlencode(&v)));
        }
    };
    push("street_id", q.street_id.map(|v| v.to_string()).unwrap_or_default());
    push(
        "community_id",
        q.community_id.map(|v| v.to_string()).unwrap_or_default(),
    );
    push("category", q.category.clone().unwrap_or_default());
    push("from", q.from.clone().unwrap_or_default());
    push("to", q.to.clone().unwrap_or_default());
    parts.join("&")
}

/// Reports of completed activities.
pub async fn reports(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Query(paging): Query<PageParams>,
) -> AppResult<Response> {
    let p = service::reports(&state.db, paging.page, paging.per_page).await?;
    let title = ctx.t("public.reports_title");
    let og = share(&ctx, &headers, &title, &ctx.t("public.reports_intro"));
    let items: Vec<_> = p.items.iter().map(|r| report_view(&ctx, r)).collect();
    let pages = (p.total + p.per_page - 1) / p.per_page;
    let page = minijinja::context! {
        title => title, og => og, section => "reports", items => items, total => p.total, page => p.page, pages => pages,
    };
    Ok(ctx.render(&state, "public/reports.html", page))
}

/// One report with its photos; its share card shows its first photo.
pub async fn report(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let d = service::report(&state.db, id).await?;
    let summary: String = d.report.summary.chars().take(120).collect();
    let mut og = share(&ctx, &headers, &d.report.title, &summary);
    if let Some(p) = d.photos.first() {
        let origin = crate::web::origin(&headers, &ctx);
        // The explicit keys win over the spread ones.
        og = minijinja::context! {
            image => format!("{origin}/activities/{id}/photos/{}", p.id), image_alt => p.alt_text, ..og
        };
    }
    let page = minijinja::context! {
        title => d.report.title, og => og, section => "reports", v => report_view(&ctx, &d.report),
        photos => d.photos, ends => format_local_time(d.report.ends_at),
    };
    Ok(ctx.render(&state, "public/report.html", page))
}

#[derive(Debug, Default, Deserialize)]
pub struct VerifyQuery {
    pub number: Option<String>,
}

/// The certificate check: a number in, the certificate's own page out (always on this site).
pub async fn verify(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Query(q): Query<VerifyQuery>,
) -> AppResult<Response> {
    let number = q.number.as_deref().map(str::trim).unwrap_or("");
    let mut error = None;
    if !number.is_empty() {
        if number.chars().count() <= 64
            && number
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            // Only letters, digits, dashes and underscores pass, so the address cannot leave the site.
            return Ok(Redirect::to(&format!("/verify/{}", crate::web::urlencode(number))).into_response());
        }
        error = Some(ctx.t("err.public_certificate_number"));
    }
    let title = ctx.t("public.verify_title");
    let og = share(&ctx, &headers, &title, &ctx.t("public.verify_intro"));
    let page = minijinja::context! {
        title => title, og => og, section => "verify", number => number, error => error,
    };
    let res = ctx.render(&state, "public/verify.html", page);
    Ok(if error.is_some() {
        crate::web::unprocessable(res)
    } else {
        res
    })
}
