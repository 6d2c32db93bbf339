//! Volunteer teams and their rosters (附件2): registering a team, typing or uploading its roster,
//! submitting it to the district, the district accepting or returning it; the unit's managers.
//!
//! `service` decides and writes teams and managers, `members` the roster line by line, `roster`
//! the roster as a file; `api` and `pages` are the JSON and HTML handlers, `forms` the pages' forms.

pub mod api;
pub mod forms;
pub mod members;
pub mod pages;
pub mod roster;
pub mod service;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use utoipa_axum::{router::OpenApiRouter, routes};

pub use members::{check_volunteer, member_view, MemberView, VolunteerInput};
pub use roster::ImportParams;
pub use service::{list, load, place, update, TeamInput, TeamListParams};

pub use crate::domain::volunteer::mask_id;
use crate::excel;
use crate::state::AppState;
use api::*;
use pages::*;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/teams", get(page_list).post(page_create))
        .route("/teams/new", get(page_new))
        .route("/teams/{id}", get(page_team).post(page_update))
        .route("/teams/{id}/edit", get(page_edit))
        .route("/teams/{id}/submit", post(page_submit))
        .route("/teams/{id}/review", post(page_review))
        .route("/teams/{id}/members", post(page_add_member))
        .route("/teams/{id}/members/new", get(page_new_member))
        .route("/teams/{id}/members/{volunteer_id}/delete", post(page_remove_member))
        .route("/teams/{id}/roster/import", get(page_import).post(page_import_upload))
        .route("/teams/{id}/roster/export.xlsx", get(export))
        .route("/roster/template.xlsx", get(template))
        .route("/managers", post(page_add_manager))
        .route("/managers/{id}/delete", post(page_delete_manager))
        .routes(routes!(api_list, api_create))
        .routes(routes!(api_get, api_update))
        .routes(routes!(api_members, api_add_member))
        .routes(routes!(api_remove_member))
        .routes(routes!(api_submit))
        .routes(routes!(api_review))
        .routes(routes!(api_import))
        .routes(routes!(export))
        .routes(routes!(template))
        .routes(routes!(api_managers, api_add_manager))
        .routes(routes!(api_delete_manager))
        .layer(DefaultBodyLimit::max(excel::MAX_UPLOAD_BYTES + 64 * 1024))
}
