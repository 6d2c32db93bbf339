//! Activities: planned by a team (or made for a dispatched action), published for sign-up, held,
//! completed with a summary and photos. Volunteers sign up and cancel; leaders add people; a
//! waiting list fills freed places in order.

mod api;
pub mod input;
mod pages;
pub mod service;

use axum::routing::{get, post};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::state::AppState;
pub use service::*;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/activities", get(pages::list_page).post(pages::create_page))
        .route("/activities/new", get(pages::new_page))
        .route("/activities/{id}", get(pages::detail_page).post(pages::update_page))
        .route("/activities/{id}/edit", get(pages::edit_page))
        .route("/activities/{id}/status", post(pages::status_page))
        .route("/activities/{id}/signup", post(pages::signup_page))
        .route("/activities/{id}/signup/cancel", post(pages::cancel_page))
        .route("/activities/{id}/signups", post(pages::add_page))
        .route("/activities/{id}/summary", post(pages::summary_page))
        .route(
            "/activities/{id}/photos",
            post(pages::photo_page).layer(axum::extract::DefaultBodyLimit::max(PHOTO_MAX + 64 * 1024)),
        )
        .route("/activities/{id}/photos/{photo}", get(pages::photo_file))
        .routes(routes!(api::api_list, api::api_create))
        .routes(routes!(api::api_get, api::api_update))
        .routes(routes!(api::api_status))
        .routes(routes!(api::api_signups, api::api_sign_up))
        .routes(routes!(api::api_cancel))
        .routes(routes!(api::api_summary))
        .merge(
            // Photos are larger than other bodies: their own limit, on their route only.
            OpenApiRouter::new()
                .routes(routes!(api::api_photo))
                .layer(axum::extract::DefaultBodyLimit::max(PHOTO_MAX + 64 * 1024)),
        )
}

#[cfg(test)]
mod tests {
    use super::service::image_type;

    #[test]
    fn photos_are_known_by_their_first_bytes() {
        assert_eq!(image_type(b"\xFF\xD8\xFF\xE0rest"), Some("image/jpeg"));
        assert_eq!(image_type(b"\x89PNG\r\n\x1a\nrest"), Some("image/png"));
        assert_eq!(image_type(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(image_type(b"GIF89a..."), Some("image/gif"));
        assert_eq!(image_type(b"%PDF-1.7"), None);
        assert_eq!(image_type(b"<svg xmlns="), None);
        assert_eq!(image_type(b""), None);
    }
}
