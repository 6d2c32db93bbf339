//! Error responses written in the caller's language, as JSON or as a page.

use axum::extract::{Request, State};
use axum::http::header::{CONTENT_TYPE, LOCATION, RETRY_AFTER, SET_COOKIE};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::{is_api, urlencode, Ctx};
use crate::auth::Acting;
use crate::error::ErrorInfo;
use crate::i18n::{t, Lang};
use crate::state::AppState;

impl ErrorInfo {
    pub(crate) fn into_response_with(self, lang: Lang) -> Response {
        let mut res = self.status.into_response();
        res.extensions_mut().insert(self);
        res.extensions_mut().insert(lang);
        res
    }
}

/// Writes the body of every error response: JSON under `/api`, an HTML page elsewhere, in the
/// caller's language. Refusals from layers below our handlers (unknown route, body too large,
/// malformed JSON) are described from their status. A signed-out visitor of a page is sent to
/// the sign-in page instead.
pub async fn render_errors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let here = req
        .uri()
        .path_and_query()
        .map(|p| p.to_string())
        .unwrap_or_else(|| path.clone());
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let lang = res.extensions().get::<Lang>().copied().unwrap_or_default();
    let info = match res.extensions().get::<ErrorInfo>() {
        Some(info) => info.clone(),
        None => {
            let is_json = res
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("json") || v.contains("html"));
            if is_json {
                return res;
            }
            ErrorInfo::from_status(status)
        }
    };
    let extra_headers: Vec<(axum::http::HeaderName, HeaderValue)> = res
        .headers()
        .iter()
        .filter(|(k, _)| *k == SET_COOKIE || *k == RETRY_AFTER)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut out = if is_api(&path) {
        (status, Json(info.body(lang))).into_response()
    } else if status == StatusCode::UNAUTHORIZED && info.code == "unauthorized" && info.key == "err.unauthorized" {
        let to = format!("/login?next={}", urlencode(&here));
        (StatusCode::SEE_OTHER, [(LOCATION, to)]).into_response()
    } else {
        let body = info.body(lang);
        let ctx = res.extensions().get::<Ctx>().cloned().unwrap_or_else(|| Ctx {
            acting: Acting::anonymous("", lang),
            csrf: String::new(),
            here: here.clone(),
            flash: None,
            secure: false,
            unread: 0,
        });
        let page = minijinja::context! {
            title => t(lang, "err.title"), status => status.as_u16(), message => body.error.message,
            details => body.error.details.iter().map(|d| d.message.clone()).collect::<Vec<_>>(),
        };
        let mut r = ctx.render(&state, "error.html", page);
        *r.status_mut() = status;
        r
    };
    for (k, v) in extra_headers {
        out.headers_mut().append(k, v);
    }
    out
}
