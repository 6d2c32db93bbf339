//! The dashboard page and each chart's download.

use axum::extract::{Path, Query, State};
use axum::response::Response;

use super::charts::charts;
use super::service::{self, StatsParams};
use super::xlsx;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::Ctx;

pub async fn dashboard(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<StatsParams>,
) -> AppResult<Response> {
    let s = service::stats(&state.db, &ctx, &params).await?;
    let streets = crate::db::stats::street_names(&state.db).await?;
    let charts = charts(&s, ctx.lang, &streets);
    let district = s.scope == "district" && params.street_id.is_none() && params.unit_id.is_none();
    let picker = matches!(
        crate::auth::policy::list_scope(ctx.user()?, crate::auth::policy::Listing::Stats),
        crate::auth::policy::Scope::All
    );
    let units = if picker {
        crate::db::stats::unit_names(&state.db).await?
    } else {
        vec![]
    };
    let query = match (params.street_id, params.unit_id) {
        (Some(s), _) => format!("?street_id={s}"),
        (_, Some(u)) => format!("?unit_id={u}"),
        _ => String::new(),
    };
    Ok(ctx.render(
        &state,
        "stats/dashboard.html",
        minijinja::context! {
            title => ctx.t("stats.title"), s => s, charts => charts, streets => streets, units => units,
            picker => picker, district => district, query => query,
            street_id => params.street_id, unit_id => params.unit_id,
        },
    ))
}

/// One chart's table as .xlsx (`/stats/charts/{id}.xlsx`; the export is logged).
pub async fn chart_xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(file): Path<String>,
    Query(params): Query<StatsParams>,
) -> AppResult<Response> {
    let id = file.strip_suffix(".xlsx").ok_or(crate::error::AppError::NotFound)?;
    let (bytes, name) = xlsx::export(&state.db, &ctx, &params, id).await?;
    Ok(crate::web::download::download(bytes, "stats.xlsx", &name))
}
