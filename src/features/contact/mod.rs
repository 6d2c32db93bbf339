//! The account's e-mail address and mobile number: shown and changed under `/me/contact`, a new
//! address proved with a one-time code sent to it. Every message goes there (see
//! `db::notifications`).

mod api;
mod pages;
pub mod service;

use axum::routing::{get, post};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::state::AppState;
use api::*;
use pages::*;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/me/contact", get(page_contact).post(page_change))
        .route("/me/contact/confirm", post(page_confirm))
        .routes(routes!(get_contact, change_contact))
        .routes(routes!(confirm_contact))
}
