//! Privacy: personal data shown masked unless the caller asks (`reveal=true`) and the policy
//! allows it, every full view logged; and a volunteer's erasure of their record on their request
//! (PIPL Art. 47), refused while an activity of theirs is under way.

pub mod api;
pub mod pages;
pub mod service;

use axum::routing::get;
use utoipa_axum::{router::OpenApiRouter, routes};

pub use service::{erase, log_unmasked, mask_volunteer, notices, reveals, staff_may_erase, ErasureInput};

use crate::state::AppState;
use api::*;
use pages::*;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/me/erasure", get(page_erasure_me).post(page_erase_me))
        .route("/volunteers/{id}/erasure", get(page_erasure).post(page_erase))
        .routes(routes!(api_erase_me))
        .routes(routes!(api_erase))
        .routes(routes!(api_notices))
}
