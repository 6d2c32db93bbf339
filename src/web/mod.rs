//! What every request passes through: the request span and id ([`trace`]), the session, the
//! language and CSRF ([`session`]), input no handler should see ([`input`]), error pages
//! ([`errors`]); and the helpers pages are rendered with (`Ctx`, the menu in [`nav`]).

pub mod download;
pub mod errors;
pub mod favicon;
pub mod form;
pub mod input;
pub mod labels;
pub mod limits;
pub mod list;
pub mod multipart_csrf;
pub mod nav;
pub mod rate_limit;
pub mod session;
pub mod templates;
pub mod trace;
pub mod upload;

pub use errors::render_errors;
pub use input::{form_urlencoded_pairs, refuse_bad_input, MAX_PAGE};
pub use nav::NavItem;
pub use session::{
    came_over_https, cookie, is_api, session_layer, set_cookie, CSRF_COOKIE, FLASH_COOKIE, LANG_COOKIE, SESSION_COOKIE,
};
pub use trace::{trace_requests, REQUEST_ID};

use axum::extract::FromRequestParts;
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use minijinja::Value;

use crate::auth::Acting;
use crate::error::AppError;
use crate::i18n::t;
use crate::state::AppState;
use nav::nav_for;

/// The largest form or JSON body outside the upload routes.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// Everything a handler knows about the request, put in place by [`session_layer`]: who acts
/// (an [`Acting`], which services take; `Ctx` derefs to it) and what only pages need.
#[derive(Clone)]
pub struct Ctx {
    pub acting: Acting,
    /// The token forms must carry back.
    pub csrf: String,
    /// Path and query of this request, to come back to after signing in.
    pub here: String,
    /// A one-time notice to show (an i18n key), set by the page that redirected here.
    pub flash: Option<String>,
    pub secure: bool,
    /// Unread in-app notifications (the bell), counted for signed-in pages.
    pub unread: i64,
}

impl std::ops::Deref for Ctx {
    type Target = Acting;

    fn deref(&self) -> &Acting {
        &self.acting
    }
}

impl Ctx {
    /// Renders a page inside the common layout.
    pub fn render(&self, state: &AppState, name: &str, page: Value) -> Response {
        let nav = self
            .principal
            .as_ref()
            .map(|p| nav_for(p, &self.here))
            .unwrap_or_default();
        let user = self.principal.as_ref().map(|p| {
            minijinja::context! {
                username => p.username, display_name => p.display_name, role => p.role.as_str(),
            }
        });
        let base = minijinja::context! {
            lang => self.lang.code(), csrf => self.csrf, user => user, nav => nav, here => self.here,
            flash => self.flash.as_deref().map(|k| t(self.lang, k)), unread => self.unread,
        };
        match state
            .templates
            .get_template(name)
            .and_then(|tpl| tpl.render(minijinja::context! { ..page, ..base }))
        {
            Ok(html) => Html(html).into_response(),
            Err(e) => AppError::Internal(anyhow::anyhow!("template {name}: {e:#}")).into_response(),
        }
    }
}

impl Ctx {
    /// The page that says why something was refused (422), with the way back.
    pub fn refusal(&self, state: &AppState, title_key: &str, messages: Vec<String>, back: &str) -> Response {
        let page = minijinja::context! { title => self.t(title_key), messages => messages, back => back };
        let mut r = self.render(state, "notice.html", page);
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        r
    }

    /// [`Ctx::refusal`] for the field errors of a refused change.
    pub fn refusal_for(
        &self,
        state: &AppState,
        title_key: &str,
        errors: &[crate::error::FieldError],
        back: &str,
    ) -> Response {
        self.refusal(
            state,
            title_key,
            errors.iter().map(|e| e.message(self.lang)).collect(),
            back,
        )
    }

    /// Renders the generic form page.
    pub fn render_form(&self, state: &AppState, page: &form::FormPage) -> Response {
        self.render(state, "form.html", Value::from_serialize(page))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Ctx>()
            .cloned()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("session layer missing")))
    }
}

/// This site's address as the request reached it (`https://host` behind HTTPS), for links that
/// leave the page: QR codes on posters and certificates.
pub fn origin(headers: &HeaderMap, ctx: &Ctx) -> String {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    format!("{}://{host}", if ctx.secure { "https" } else { "http" })
}

pub fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A redirect after a successful form post, with a one-time notice for the next page.
pub fn redirect_with_flash(to: &str, flash_key: &str, secure: bool) -> Response {
    let mut res = (StatusCode::SEE_OTHER, [(LOCATION, to.to_string())]).into_response();
    res.headers_mut()
        .append(SET_COOKIE, set_cookie(FLASH_COOKIE, flash_key, Some(60), secure, true));
    res
}

/// A form page shown again with its errors answers 422, so scripts and tests can tell.
pub fn unprocessable(mut r: Response) -> Response {
    *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    r
}

/// The one place a return path (`next=`, `back=`) becomes a redirect target: only a path on this
/// site passes, anything else is `/`. The value arrives percent-decoded. Browsers drop tabs and
/// line breaks from a URL and read `\` as `/`, so `/<TAB>/evil.example` and `/\evil.example` would
/// leave the site: those characters are removed first, and the path must start with a single `/`
/// followed by neither `/` nor `\`. Other control characters refuse the value; characters a
/// header cannot carry (spaces, non-ASCII) are percent-encoded.
pub fn safe_next(next: Option<&str>) -> String {
    let Some(n) = next else {
        return "/".to_string();
    };
    let n: String = n.chars().filter(|c| !matches!(c, '\t' | '\r' | '\n')).collect();
    let b = n.as_bytes();
    let local = b.first() == Some(&b'/') && !matches!(b.get(1), Some(b'/' | b'\\'));
    if !local || n.chars().any(char::is_control) {
        return "/".to_string();
    }
    let mut out = String::with_capacity(n.len());
    for c in n.chars() {
        match c {
            ' ' => out.push_str("%20"),
            '"' => out.push_str("%22"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            '`' => out.push_str("%60"),
            c if c.is_ascii() => out.push(c),
            c => {
                let mut buf = [0u8; 4];
                for byte in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{byte:02X}"));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn next_must_be_local() {
        assert_eq!(safe_next(Some("/units?page=2")), "/units?page=2");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn next_refuses_every_way_off_the_site() {
        for evil in [
            "/\t/evil.example",
            "/\r\n/evil.example",
            "\t//evil.example",
            "/\n\\evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "//evil.example/path",
            "///evil.example",
            "https://evil.example",
            "http:/evil.example",
            "javascript:alert(1)",
            " /evil",
            "evil.example",
            "",
            "/\0/evil.example",
            "/\x0b/evil.example",
        ] {
            assert_eq!(safe_next(Some(evil)), "/", "{evil:?}");
        }
    }

    #[test]
    fn next_keeps_local_paths_and_encodes_what_a_header_cannot_carry() {
        assert_eq!(safe_next(Some("/")), "/");
        assert_eq!(safe_next(Some("/activities/3?tab=a&b=c")), "/activities/3?tab=a&b=c");
        // Decoded once from `/%2F%2Fevil`: refused; still encoded (`/%2F%2Fevil`): a local path.
        assert_eq!(safe_next(Some("/%2F%2Fevil.example")), "/%2F%2Fevil.example");
        assert_eq!(
            safe_next(Some("/units?q=东湖 街")),
            "/units?q=%E4%B8%9C%E6%B9%96%20%E8%A1%97"
        );
        assert_eq!(safe_next(Some("/a\tb")), "/ab");
        let v = safe_next(Some("/units?q=东湖"));
        assert!(HeaderValue::from_str(&v).is_ok());
    }
}
