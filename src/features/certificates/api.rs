//! The JSON API of service records, certificates and the rules of service.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::pages::CheckParam;
use super::service::*;
use crate::db::settings;
use crate::domain::service::Rules;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::Ctx;

/// A volunteer's service record: confirmed activities, totals per year, star level.
#[utoipa::path(get, path = "/api/v1/volunteers/{id}/service", tag = "records", responses((status = 200, body = ServiceRecord)))]
pub async fn api_service(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Json<ServiceRecord>> {
    Ok(Json(service_record(&state, &ctx, id).await?))
}

/// The caller's own service record.
#[utoipa::path(get, path = "/api/v1/me/service", tag = "records", responses((status = 200, body = ServiceRecord)))]
pub async fn api_my_service(State(state): State<AppState>, ctx: Ctx) -> AppResult<Json<ServiceRecord>> {
    let id = own_id(&state, &ctx).await?;
    Ok(Json(service_record(&state, &ctx, id).await?))
}

/// Issues a service certificate of the record as it stands.
#[utoipa::path(post, path = "/api/v1/volunteers/{id}/certificates", tag = "records", request_body = IssueInput,
    responses((status = 201, body = Issued), (status = 422, description = "No confirmed service")))]
pub async fn api_issue(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Option<Json<IssueInput>>,
) -> AppResult<Response> {
    let input = body.map(|b| b.0).unwrap_or_default();
    let issued = issue(&state.db, &ctx, id, &input).await?;
    Ok((axum::http::StatusCode::CREATED, Json(issued)).into_response())
}

/// Public: whether a certificate is valid and what it states (name partly masked).
#[utoipa::path(get, path = "/api/v1/certificates/{number}/verify", tag = "records", security(()),
    params(("number" = String, Path, description = "The certificate number printed on it"), CheckParam),
    responses((status = 200, body = Verification)))]
pub async fn api_verify(
    State(state): State<AppState>,
    Path(number): Path<String>,
    Query(q): Query<CheckParam>,
) -> AppResult<Json<Verification>> {
    Ok(Json(verify(&state, &number, q.s.as_deref()).await?))
}

/// The district's rules of service: rounding, minimum share, star thresholds, deadlines.
#[utoipa::path(get, path = "/api/v1/service-rules", tag = "records", responses((status = 200, body = Rules)))]
pub async fn api_rules(State(state): State<AppState>, ctx: Ctx) -> AppResult<Json<Rules>> {
    ctx.user()?;
    Ok(Json(settings::rules(&state.db).await?))
}

#[utoipa::path(put, path = "/api/v1/service-rules", tag = "records", request_body = Rules, responses((status = 200, body = Rules)))]
pub async fn api_set_rules(State(state): State<AppState>, ctx: Ctx, Json(r): Json<Rules>) -> AppResult<Json<Rules>> {
    Ok(Json(set_rules(&state, &ctx, &r).await?))
}

#[cfg(test)]
mod tests {
    use super::mask_name;

    #[test]
    fn names_keep_their_first_and_last_characters() {
        assert_eq!(mask_name("王小明"), "王*明");
        assert_eq!(mask_name("李四"), "李*");
        assert_eq!(mask_name("欧阳娜娜"), "欧**娜");
        assert_eq!(mask_name("王"), "*");
        assert_eq!(mask_name(""), "");
    }
}
