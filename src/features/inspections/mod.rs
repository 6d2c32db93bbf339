//! Inspections (督查, SPEC §6): the district and the streets plan and record inspections of
//! units, communities, teams and activities against the campaign's checklist, on a phone on
//! site; findings carry a severity and a rectification deadline, the inspected organisation
//! answers with evidence, the inspector accepts or returns the answer. Overdue rectifications
//! show on the board and the workbench, and [`crate::db::inspections::findings_summary`] gives
//! the assessment its counts.

pub mod api;
pub mod findings;
pub mod overview;
mod pages;
pub mod service;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::state::AppState;
pub use overview::{board_cells, todo_items};
pub use service::{create, list, record, view, InspectionInput, InspectionParams, InspectionView, RecordInput};

pub fn router() -> OpenApiRouter<AppState> {
    let upload_limit = || DefaultBodyLimit::max(findings::FILE_MAX + 64 * 1024);
    OpenApiRouter::new()
        .route("/inspections", get(pages::list).post(pages::create))
        .route("/inspections/new", get(pages::new))
        .route("/inspections/findings", get(pages::findings_page))
        .route(
            "/inspections/checklist",
            get(pages::checklist).post(pages::set_checklist),
        )
        .route("/inspections/export.xlsx", get(api::export))
        .route("/inspections/{id}", get(pages::detail))
        .route("/inspections/{id}/record", post(pages::record))
        .route("/inspections/{id}/transition", post(pages::transition))
        .route("/inspections/{id}/findings", post(pages::raise))
        .route("/inspections/{id}/files", post(pages::add_file).layer(upload_limit()))
        .route("/inspections/{id}/files/{file_id}", get(api::file))
        .route("/inspections/findings/{id}/answer", post(pages::answer))
        .route("/inspections/findings/{id}/review", post(pages::review))
        .routes(routes!(api::list, api::create))
        .routes(routes!(api::checklist, api::set_checklist))
        .routes(routes!(api::export))
        .routes(routes!(api::findings_list))
        .routes(routes!(api::get))
        .routes(routes!(api::record))
        .routes(routes!(api::transition))
        .routes(routes!(api::raise))
        .routes(routes!(api::answer))
        .routes(routes!(api::review))
        .routes(routes!(api::file))
        .merge(
            // Photos are larger than other bodies: their own limit, on their route only.
            OpenApiRouter::new()
                .routes(routes!(api::add_file))
                .layer(upload_limit()),
        )
}
