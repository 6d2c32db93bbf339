//! Compliance's HTML pages and the grid's download.

use axum::extract::{Path, Query, State};
use axum::response::Response;

use super::service::{self, GridParams};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::Ctx;

pub async fn grid(State(state): State<AppState>, ctx: Ctx, Query(params): Query<GridParams>) -> AppResult<Response> {
    let g = service::grid(&state.db, &ctx, &params).await?;
    Ok(ctx.render(
        &state,
        "compliance/compliance.html",
        minijinja::context! {
            title => ctx.t("compliance.title"), short_months => service::short_months(&g), g => g,
            params => minijinja::context! { kind => params.kind, q => params.q },
        },
    ))
}

pub async fn unit(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let u = service::unit(&state.db, &ctx, id).await?;
    Ok(ctx.render(
        &state,
        "compliance/compliance_unit.html",
        minijinja::context! { title => format!("{} · {}", u.name, ctx.t("compliance.title")), u => u },
    ))
}

/// The month-by-unit grid as .xlsx (the export is written to the audit trail).
pub async fn grid_xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<GridParams>,
) -> AppResult<Response> {
    let (bytes, name) = service::export(&state.db, &ctx, &params).await?;
    Ok(crate::web::download::download(bytes, "compliance.xlsx", &name))
}
