//! pairings: the HTML pages (thin handlers over [`super::service`]).

use axum::extract::{Multipart, Path, Query, State};
use axum::response::Response;
use axum::Form;

use super::service;
use super::PairingInput;
use crate::auth::policy::{self, Action, Listing};
use crate::db::list::ListQuery;
use crate::db::{communities, pairings, units};
use crate::error::{AppError, AppResult};
use crate::excel::ImportReport;
use crate::features::{ensure, ListParams};
use crate::state::AppState;
use crate::web::form::{outcome, Choice, Field, FormPage};
use crate::web::list::{Cell, Link, ListPage, Row};
use crate::web::Ctx;

pub(super) async fn page_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<ListParams>,
) -> AppResult<Response> {
    let page = service::list(&state.db, &ctx, &params).await?;
    let p = ctx.user()?;
    let mut view = ListPage::of(ctx.t("pairings.title"), "/pairings", params.q.as_deref(), &page)
        .creatable(policy::may_create(p, Listing::Pairings));
    if let Some(f) = crate::features::communities::pages::street_filter(&state, &ctx, params.street_id).await? {
        view = view.filter(f);
    }
    for (name, value) in [("community_id", params.community_id), ("unit_id", params.unit_id)] {
        if let Some(v) = value {
            view.keep(name, &v.to_string());
        }
    }
    view.columns = vec![
        ctx.t("field.unit"),
        ctx.t("field.street"),
        ctx.t("field.community"),
        ctx.t("field.paired_at"),
    ];
    if policy::may_create(p, Listing::Pairings) {
        view.actions.push(Link {
            label: ctx.t("pairings.import"),
            href: "/pairings/import".into(),
        });
    }
    view.actions.push(Link {
        label: ctx.t("pairings.export"),
        href: format!("/pairings/export.xlsx?{}", view.query),
    });
    let tz = crate::domain::dates::china();
    view.rows = page
        .items
        .iter()
        .map(|r| {
            let cells = vec![
                Cell::text(&r.unit_name),
                Cell::text(&r.street_name),
                Cell::text(&r.community_name),
                Cell::text(
                    chrono::DateTime::from_timestamp(r.created_at, 0)
                        .map(|d| d.with_timezone(&tz).format("%Y-%m-%d").to_string())
                        .unwrap_or_default(),
                ),
            ];
            let delete = policy::allows(p, Action::Delete, &service::object(r));
            Row::managed("/pairings", r.id, cells, false, delete)
        })
        .collect();
    Ok(ctx.render(&state, "list.html", minijinja::Value::from_serialize(&view)))
}

pub(super) async fn form(state: &AppState, ctx: &Ctx, input: &PairingInput) -> AppResult<FormPage> {
    let p = ctx.user()?;
    let all = |scope| ListQuery {
        q: None,
        page: 1,
        per_page: 100_000,
        scope,
        street_id: None,
        community_id: None,
        unit_id: None,
    };
    let units = units::list_units(&state.db, &all(policy::list_scope(p, Listing::Units))).await?;
    let communities =
        communities::list_communities(&state.db, &all(policy::list_scope(p, Listing::Communities))).await?;
    let lang = ctx.lang;
    let fields = vec![
        Field::select(
            lang,
            "unit_id",
            "field.unit",
            input.unit_id.map(|v| v.to_string()).unwrap_or_default(),
            units
                .items
                .into_iter()
                .map(|u| Choice {
                    value: u.id.to_string(),
                    label: u.name,
                })
                .collect(),
        )
        .required(),
        Field::select(
            lang,
            "community_id",
            "field.community",
            input.community_id.map(|v| v.to_string()).unwrap_or_default(),
            communities
                .items
                .into_iter()
                .map(|c| Choice {
                    value: c.id.to_string(),
                    label: format!("{} / {}", c.street_name, c.name),
                })
                .collect(),
        )
        .required(),
    ];
    Ok(FormPage::new(
        lang,
        ctx.t("pairings.new"),
        "/pairings",
        "/pairings",
        fields,
    ))
}

pub(super) async fn page_new(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(input): Query<PairingInput>,
) -> AppResult<Response> {
    if !policy::may_create(ctx.user()?, Listing::Pairings) {
        return Err(AppError::Forbidden);
    }
    let f = form(&state, &ctx, &input).await?;
    Ok(ctx.render(&state, "form.html", minijinja::Value::from_serialize(&f)))
}

pub(super) async fn page_create(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(input): Form<PairingInput>,
) -> AppResult<Response> {
    let result = service::create(&state.db, &ctx, &input).await;
    outcome(&state, &ctx, result, "/pairings", || form(&state, &ctx, &input)).await
}

pub(super) async fn page_delete_confirm(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let r = service::get_one(&state.db, &ctx, id).await?;
    ensure(ctx.user()?, Action::Delete, &service::object(&r))?;
    Ok(crate::features::home::delete_page(
        &state,
        &ctx,
        &pairings::pairing_label(&r),
        format!("/pairings/{id}/delete"),
        "/pairings",
        None,
    ))
}

pub(super) async fn page_delete(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let r = service::get_one(&state.db, &ctx, id).await?;
    let result = service::delete(&state.db, &ctx, id).await;
    let label = pairings::pairing_label(&r);
    crate::features::home::delete_outcome(
        &state,
        &ctx,
        result,
        &label,
        format!("/pairings/{id}/delete"),
        "/pairings",
    )
}

pub(super) async fn page_import(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    if !policy::may_create(ctx.user()?, Listing::Pairings) {
        return Err(AppError::Forbidden);
    }
    Ok(import_page(&state, &ctx, None, None))
}

fn import_page(state: &AppState, ctx: &Ctx, report: Option<&ImportReport>, file_error: Option<String>) -> Response {
    let view = crate::features::ImportView {
        title_key: "pairings.import",
        action: "/pairings/import".into(),
        template_url: "/pairings/template.xlsx",
        fill_key: "import.fill",
        back: "/pairings".into(),
        checked_key: "import.dry_run_ok",
        done_key: "import.done",
        note: None,
    };
    crate::features::import_page(state, ctx, &view, report, file_error)
}

pub(super) async fn page_import_upload(
    State(state): State<AppState>,
    ctx: Ctx,
    multipart: Multipart,
) -> AppResult<Response> {
    let (bytes, dry_run) = match super::api::read_upload(multipart).await {
        Ok(x) => x,
        Err(AppError::Validation(errs)) => {
            return Ok(import_page(
                &state,
                &ctx,
                None,
                errs.first().map(|e| e.message(ctx.lang)),
            ))
        }
        Err(e) => return Err(e),
    };
    let dry_run = dry_run.is_some_and(|v| v == "true" || v == "on" || v == "1");
    match service::import(&state, &ctx, &bytes, dry_run).await {
        Ok(report) => Ok(import_page(&state, &ctx, Some(&report), None)),
        Err(AppError::Validation(errs)) => Ok(import_page(
            &state,
            &ctx,
            None,
            errs.first().map(|e| e.message(ctx.lang)),
        )),
        Err(e) => Err(e),
    }
}
