//! Browsing the audit trail (district admin).

pub mod service;

use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Json;

use crate::db::audit::AuditFilter;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::{urlencode, Ctx};
pub use service::AuditPage;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/audit", get(page))
        .routes(routes!(api_list))
}

/// Browse the audit trail, newest first, filtered by user, object and dates.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditFilter),
    responses((status = 200, body = AuditPage), (status = 403, body = crate::error::ErrorBody)))]
pub async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(f): Query<AuditFilter>,
) -> AppResult<Json<AuditPage>> {
    Ok(Json(service::list(&state.db, &ctx, &f).await?))
}

async fn page(State(state): State<AppState>, ctx: Ctx, Query(f): Query<AuditFilter>) -> AppResult<Response> {
    let (result, error) = match service::list(&state.db, &ctx, &f).await {
        Ok(p) => (Some(p), None),
        Err(AppError::Validation(errs)) => (None, errs.first().map(|e| e.message(ctx.lang))),
        Err(e) => return Err(e),
    };
    let mut query = vec![];
    for (k, v) in [
        ("user", &f.user),
        ("object_type", &f.object_type),
        ("q", &f.q),
        ("from", &f.from),
        ("to", &f.to),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            query.push(format!("{k}={}", urlencode(v)));
        }
    }
    if let Some(id) = f.object_id {
        query.push(format!("object_id={id}"));
    }
    let pages = result.as_ref().map(|r| super::pages(r.total, r.per_page)).unwrap_or(1);
    let rows: Vec<_> = result
        .as_ref()
        .map(|r| {
            r.items
                .iter()
                .map(|e| {
                    let changes: serde_json::Value = serde_json::from_str(&e.changes).unwrap_or_default();
                    let changes: Vec<_> = changes
                        .as_object()
                        .map(|m| {
                            m.iter()
                                .filter_map(|(k, v)| {
                                    let field = field_label(ctx.lang, k);
                                    match (v.get("before"), v.get("after")) {
                                        // A new or deleted record lists what it held, skipping the blanks.
                                        (Some(b), Some(a)) if is_blank(b) && is_blank(a) => None,
                                        (Some(b), Some(a)) if is_blank(b) => Some(minijinja::context! { field, after => show(a) }),
                                        (Some(b), Some(a)) if is_blank(a) && e.action == "delete" => {
                                            Some(minijinja::context! { field, after => show(b) })
                                        }
                                        (Some(b), Some(a)) => Some(minijinja::context! { field, before => show(b), after => show(a) }),
                                        _ => Some(minijinja::context! { field, after => show(v) }),
                                    }
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    minijinja::context! { e => e, action => ctx.t(&format!("audit.action.{}", e.action)), changes => changes }
                })
                .collect()
        })
        .unwrap_or_default();
    let object_types: Vec<_> = ["district", "street", "community", "unit", "pairing", "user"]
        .iter()
        .map(|t| minijinja::context! { value => t, label => ctx.t(&format!("audit.type.{t}")) })
        .collect();
    let page = minijinja::context! {
        title => ctx.t("audit.title"), f => minijinja::context! {
            user => f.user, object_type => f.object_type, object_id => f.object_id, q => f.q, from => f.from, to => f.to,
        },
        rows => rows, total => result.as_ref().map(|r| r.total).unwrap_or(0),
        page => f.page.unwrap_or(1).max(1), pages => pages, query => query.join("&"), error => error,
        object_types => object_types,
    };
    Ok(ctx.render(&state, "audit/audit.html", page))
}

fn is_blank(v: &serde_json::Value) -> bool {
    v.is_null() || v.as_str().is_some_and(str::is_empty)
}

/// A stored field name as the page's language calls it (`contact_person` → 联系人).
fn field_label(lang: crate::i18n::Lang, field: &str) -> String {
    let key = format!("field.{field}");
    let label = crate::i18n::t(lang, &key);
    if label == key {
        field.to_string()
    } else {
        label
    }
}

fn show(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "—".into(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
