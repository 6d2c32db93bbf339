//! Commendation (表彰): the district's categories, quotas and eligibility; candidates suggested
//! from the records; nominations by units and streets with their deeds (also as an uploaded
//! 推荐表); review; the public notice (公示) with objections; finalising into the honour roll with
//! honour certificates (荣誉证书) verified on the public `/verify/{number}` page.

pub mod api;
mod forms;
pub mod notice;
mod pages;
pub mod service;

use axum::routing::{get, post};
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::state::AppState;
pub use notice::{finalise_campaign, publish, verify_honour, AnswerInput, ObjectionInput, PublishInput};
pub use service::{candidates, categories, create, of_volunteer, review, NominationInput, ReviewInput};

#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// `true` checks the file and writes nothing.
    pub dry_run: Option<bool>,
}

/// Which campaign year's commendation a request is about.
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearParam {
    /// The campaign year (default: the active one).
    #[serde(default, deserialize_with = "crate::web::form::lenient_i64")]
    pub campaign_id: Option<i64>,
}

impl YearParam {
    /// `campaign_id=…` to carry along in links and forms, or nothing.
    pub fn carry(&self) -> String {
        self.campaign_id.map(|i| format!("campaign_id={i}")).unwrap_or_default()
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/commendations", get(pages::overview))
        .route("/commendations/candidates", get(pages::candidates))
        .route("/commendations/nominations", post(pages::create))
        .route("/commendations/nominations/new", get(pages::new))
        .route("/commendations/nominations/{id}", get(pages::detail))
        .route("/commendations/nominations/{id}/edit", post(pages::edit))
        .route("/commendations/nominations/{id}/delete", post(pages::delete))
        .route("/commendations/nominations/{id}/review", post(pages::review))
        .route("/commendations/categories/{id}", post(pages::update_category))
        .route("/commendations/notice", post(pages::publish))
        .route("/commendations/finalise", post(pages::finalise))
        .route("/commendations/objections/{id}/answer", post(pages::answer))
        .route(
            "/commendations/import",
            get(pages::import_form).post(pages::import_upload),
        )
        .route("/commendations/template.xlsx", get(api::template))
        .route("/commendations/export.xlsx", get(api::export))
        .route("/commendations/final.xlsx", get(api::final_list))
        .route("/notice", get(pages::public_notice))
        .route("/notice/objections", post(pages::object))
        .route("/honours", get(pages::honours))
        .route("/honours/{year}", get(pages::honour_roll))
        .route("/honours/certificates/{number}", get(pages::certificate))
        .routes(routes!(api::overview))
        .routes(routes!(api::update_category))
        .routes(routes!(api::candidates))
        .routes(routes!(api::list, api::create))
        .routes(routes!(api::get, api::update, api::delete))
        .routes(routes!(api::review))
        .routes(routes!(api::import))
        .routes(routes!(api::template))
        .routes(routes!(api::export))
        .routes(routes!(api::final_list))
        .routes(routes!(api::publish))
        .routes(routes!(api::objections))
        .routes(routes!(api::answer))
        .routes(routes!(api::finalise))
        .routes(routes!(api::public_notice))
        .routes(routes!(api::object))
        .routes(routes!(api::honour_years))
        .routes(routes!(api::honour_roll))
}
