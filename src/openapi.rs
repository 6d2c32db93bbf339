//! The OpenAPI document, generated from the handlers' annotations.

use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::app::AppState;
use crate::features::{
    account, activities, attendance, audit, calendar, campaign, certificates, checkins, communities, compliance,
    dispatches, district, identity, pairings, privacy, streets, teams, traffic, units, users, volunteers,
};

#[derive(OpenApi)]
#[openapi(
    info(title = "Leifeng API", description = "学雷锋志愿服务进社区: the district's volunteer campaign. \
        Sign in with POST /api/v1/auth/login and send the token as `Authorization: Bearer <token>`. \
        Errors are `{\"error\": {\"code\", \"message\", \"details\"}}`; messages follow the account's language."),
    paths(
        account::api_login, account::api_logout, account::api_me, account::api_password, account::api_lang,
        district::api_get, district::api_update,
        streets::api_list, streets::api_get, streets::api_create, streets::api_update, streets::api_delete,
        communities::api_list, communities::api_get, communities::api_create, communities::api_update, communities::api_delete,
        units::api_list, units::api_get, units::api_create, units::api_update, units::api_delete,
        pairings::api_list, pairings::api_get, pairings::api_create, pairings::api_delete,
        pairings::template, pairings::export, pairings::api_import,
        users::api_list, users::api_get, users::api_create, users::api_update, users::api_delete,
        audit::api_list,
        calendar::api_list, calendar::api_update,
        campaign::api_list, campaign::api_create, campaign::api_active, campaign::api_update, campaign::api_board,
        teams::api_list, teams::api_create, teams::api_get, teams::api_update, teams::api_members, teams::api_add_member,
        teams::api_remove_member, teams::api_submit, teams::api_review, teams::api_import, teams::export, teams::template,
        teams::api_managers, teams::api_add_manager, teams::api_delete_manager,
        traffic::api_list, traffic::api_pick, traffic::api_remove, traffic::api_submit, traffic::api_import,
        traffic::api_trainings, traffic::api_training, traffic::export,
        checkins::api_list, checkins::api_file, checkins::api_move, checkins::api_plan, checkins::api_registration,
        volunteers::api_get, volunteers::api_me, volunteers::api_update_me, volunteers::api_export_me, volunteers::api_join,
        volunteers::api_invite, volunteers::api_pending, volunteers::api_decide,
        identity::api_status, identity::api_prove, identity::api_resend, identity::api_corrections,
        identity::api_decide_correction,
        privacy::api_erase_me, privacy::api_erase, privacy::api_notices,
        activities::api_list, activities::api_create, activities::api_get, activities::api_update, activities::api_status,
        activities::api_signups, activities::api_sign_up, activities::api_cancel, activities::api_summary, activities::api_photo,
        attendance::api_sign_in, attendance::api_sign_out, attendance::api_code, attendance::api_bulk, attendance::api_correct,
        attendance::api_corrections, attendance::api_confirm,
        dispatches::api_list, dispatches::api_create, dispatches::api_get, dispatches::api_answer, dispatches::api_review,
        certificates::api_service, certificates::api_my_service, certificates::api_issue, certificates::api_verify,
        certificates::api_rules, certificates::api_set_rules,
        compliance::api_grid, compliance::api_unit,
    ),
    components(schemas(crate::error::ErrorBody)),
    modifiers(&Bearer),
    security(("bearer" = [])),
)]
pub struct ApiDoc;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/openapi.json", get(|| async { Json(ApiDoc::openapi()) }))
}
