//! What every request passes through: the session, the language, CSRF, error pages; and the
//! helpers pages are rendered with.

pub mod download;
pub mod form;
pub mod limits;
pub mod list;
pub mod templates;
pub mod upload;

use std::net::SocketAddr;

use axum::body::{to_bytes, Body};
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::header::{ACCEPT_LANGUAGE, AUTHORIZATION, CONTENT_TYPE, COOKIE, LOCATION, RETRY_AFTER, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use minijinja::Value;
use serde::Serialize;

use crate::auth::policy::{self, Listing, Principal};
use crate::auth::Acting;
use crate::auth::{self, new_token};
use crate::error::{AppError, ErrorInfo, FieldError};
use crate::i18n::{t, Lang};
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "lf_session";
pub const CSRF_COOKIE: &str = "lf_csrf";
pub const LANG_COOKIE: &str = "lf_lang";
pub const FLASH_COOKIE: &str = "lf_flash";
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
        let nav = self.principal.as_ref().map(nav_for).unwrap_or_default();
        let user = self.principal.as_ref().map(|p| {
            minijinja::context! {
                username => p.username, display_name => p.display_name, role => p.role.as_str(),
            }
        });
        let base = minijinja::context! {
            lang => self.lang.code(), csrf => self.csrf, user => user, nav => nav, here => self.here,
            flash => self.flash.as_deref().map(|k| t(self.lang, k)),
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

#[derive(Serialize)]
pub struct NavItem {
    pub href: &'static str,
    pub label: String,
}

/// The menu: only what the role may open.
fn nav_for(p: &Principal) -> Vec<NavItem> {
    use crate::auth::policy::{Object, Role};
    let lang = p.lang;
    let mut items = vec![
        NavItem {
            href: "/",
            label: t(lang, "nav.home"),
        },
        NavItem {
            href: "/activities",
            label: t(lang, "nav.activities"),
        },
    ];
    let entries: [(Listing, &str, &str); 8] = [
        (Listing::Board, "/board", "nav.board"),
        (Listing::Teams, "/teams", "nav.teams"),
        (Listing::Streets, "/streets", "nav.streets"),
        (Listing::Communities, "/communities", "nav.communities"),
        (Listing::Units, "/units", "nav.units"),
        (Listing::Pairings, "/pairings", "nav.pairings"),
        (Listing::Accounts, "/users", "nav.users"),
        (Listing::AuditLog, "/audit", "nav.audit"),
    ];
    for (what, href, key) in entries {
        if policy::may_list(p, what) {
            items.push(NavItem {
                href,
                label: t(lang, key),
            });
            if what == Listing::Teams {
                items.push(NavItem {
                    href: "/checkins",
                    label: t(lang, "nav.checkins"),
                });
                items.push(NavItem {
                    href: "/dispatches",
                    label: t(lang, "nav.dispatches"),
                });
            }
            if what == Listing::Board {
                items.push(NavItem {
                    href: "/compliance",
                    label: t(lang, "nav.compliance"),
                });
            }
        }
    }
    let sees_traffic = match p.role {
        Role::UnitAdmin => true,
        _ => policy::allows(p, policy::Action::View, &Object::Training),
    };
    if sees_traffic {
        // After the check-ins for the teams' staff; after the org lists for the police.
        let at = ["/checkins", "/units"]
            .iter()
            .find_map(|h| items.iter().position(|i| i.href == *h))
            .map_or(items.len(), |p| p + 1);
        items.insert(
            at,
            NavItem {
                href: "/traffic",
                label: t(lang, "nav.traffic"),
            },
        );
    }
    items.push(NavItem {
        href: "/calendar",
        label: t(lang, "nav.calendar"),
    });
    if policy::allows(p, policy::Action::Update, &Object::Campaign) {
        items.push(NavItem {
            href: "/service-rules",
            label: t(lang, "nav.service_rules"),
        });
    }
    if p.role == Role::Volunteer {
        items.push(NavItem {
            href: "/me/record",
            label: t(lang, "nav.my_record"),
        });
        items.push(NavItem {
            href: "/me/service",
            label: t(lang, "nav.my_service"),
        });
    }
    items
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty())
}

/// A `Set-Cookie` value: HttpOnly (unless a script must read it), SameSite=Lax, Secure behind HTTPS.
pub fn set_cookie(name: &str, value: &str, max_age: Option<i64>, secure: bool, http_only: bool) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; SameSite=Lax");
    if http_only {
        c.push_str("; HttpOnly");
    }
    if secure {
        c.push_str("; Secure");
    }
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_string())
}

fn client_ip(req: &Request, trust_proxy: bool) -> String {
    if trust_proxy {
        if let Some(ip) = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
        {
            return ip;
        }
    }
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_default()
}

/// Whether a request came over HTTPS: the operator says so (`cookie_secure`), or the proxy in
/// front does (`X-Forwarded-Proto: https`). Cookies get `Secure` and answers get HSTS on this rule.
pub fn came_over_https(cfg: &crate::state::Config, headers: &HeaderMap) -> bool {
    cfg.cookie_secure || headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()) == Some("https")
}

pub fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

/// Resolves the session or bearer token, the language and the CSRF token; refuses a state-changing
/// request whose CSRF token is missing or wrong. Bearer-token API calls need no CSRF token.
pub async fn session_layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let headers = parts.headers.clone();
    let path = parts.uri.path().to_string();
    let here = parts
        .uri
        .path_and_query()
        .map(|p| p.to_string())
        .unwrap_or_else(|| path.clone());
    let ip = client_ip(
        &Request::from_parts(parts.clone(), Body::empty()),
        state.cfg.trust_proxy,
    );
    let secure = came_over_https(&state.cfg, &headers);

    let bearer_token = bearer(&headers);
    let token = bearer_token.clone().or_else(|| cookie(&headers, SESSION_COOKIE));
    let principal = match token {
        Some(t) => match auth::principal_for_token(&state.db, &t).await {
            Ok(p) => p,
            Err(e) => return e.into_response(),
        },
        None => None,
    };
    // A bad bearer token is an error; a stale cookie just means "signed out".
    if bearer_token.is_some() && principal.is_none() {
        let mut res = AppError::Unauthorized.into_response();
        res.extensions_mut().insert(Lang::default());
        return res;
    }
    let lang = principal.as_ref().map(|p| p.lang).unwrap_or_else(|| {
        cookie(&headers, LANG_COOKIE)
            .map(|c| Lang::parse(&c))
            .or_else(|| {
                headers
                    .get(ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok())
                    .map(Lang::from_accept_language)
            })
            .unwrap_or_default()
    });
    let anon_csrf = cookie(&headers, CSRF_COOKIE);
    let new_anon_csrf = (principal.is_none() && anon_csrf.is_none()).then(new_token);
    let csrf = match &principal {
        Some(p) if bearer_token.is_none() => p.csrf.clone(),
        Some(_) => String::new(),
        None => anon_csrf.clone().or(new_anon_csrf.clone()).unwrap_or_default(),
    };
    let flash = cookie(&headers, FLASH_COOKIE);

    let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    let needs_csrf = unsafe_method && bearer_token.is_none() && (!is_api(&path) || principal.is_some());
    let mut body = body;
    if needs_csrf {
        let mut presented = headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .or_else(|| query_param(parts.uri.query().unwrap_or(""), "csrf"));
        let is_form = headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if presented.is_none() && is_form {
            let bytes = match to_bytes(body, BODY_LIMIT).await {
                Ok(b) => b,
                Err(_) => return ErrorInfo::from_status(StatusCode::PAYLOAD_TOO_LARGE).into_response_with(lang),
            };
            presented = query_param(&String::from_utf8_lossy(&bytes), "csrf");
            body = Body::from(bytes);
        }
        let expected = match &principal {
            Some(p) => Some(p.csrf.clone()),
            None => anon_csrf.clone(),
        };
        if expected.is_none() || presented != expected {
            let mut res = AppError::Csrf.into_response();
            res.extensions_mut().insert(lang);
            return res;
        }
    }

    let ctx = Ctx {
        acting: Acting { principal, lang, ip },
        csrf,
        here,
        flash: flash.clone(),
        secure,
    };
    parts.extensions.insert(ctx.clone());
    let mut res = next.run(Request::from_parts(parts, body)).await;
    // The error layer writes error pages with the same user, menu and language.
    res.extensions_mut().insert(ctx);
    if let Some(token) = new_anon_csrf {
        res.headers_mut()
            .append(SET_COOKIE, set_cookie(CSRF_COOKIE, &token, None, secure, true));
    }
    let sets_flash = res
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .any(|v| v.to_str().is_ok_and(|v| v.starts_with(FLASH_COOKIE)));
    if flash.is_some() && !sets_flash {
        res.headers_mut()
            .append(SET_COOKIE, set_cookie(FLASH_COOKIE, "", Some(0), secure, true));
    }
    if res.extensions().get::<Lang>().is_none() {
        res.extensions_mut().insert(lang);
    }
    res
}

/// The highest page number a list accepts; beyond it a request is refused (422), so that no
/// offset computed from it can overflow.
pub const MAX_PAGE: i64 = 1_000_000;

/// Refuses, once for every route, input that no handler should see: a NUL character (U+0000)
/// anywhere in the path, the query, or a form or JSON body (400, naming the field; PostgreSQL
/// cannot store it), and a `page` beyond [`MAX_PAGE`] (422). Runs inside the session layer, so the
/// refusal is written in the caller's language.
pub async fn refuse_bad_input(req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path();
    if has_encoded_nul(path) {
        return bad_input(nul_refusal("path"));
    }
    if let Some(query) = parts.uri.query() {
        let pairs = form_urlencoded_pairs(query);
        if let Some(field) = nul_field(&pairs) {
            return bad_input(nul_refusal(&field));
        }
        if let Some((_, v)) = pairs.iter().find(|(k, _)| k == "page") {
            let v = v.trim();
            let too_far = match v.parse::<i64>() {
                Ok(n) => n > MAX_PAGE,
                Err(_) => !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()),
            };
            if too_far {
                return AppError::Validation(vec![FieldError::new("page", "err.page_range").with("max", MAX_PAGE)])
                    .into_response();
            }
        }
    }
    let content_type = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let is_form = content_type.starts_with("application/x-www-form-urlencoded");
    let is_json = content_type.starts_with("application/json") || content_type.contains("+json");
    if !(is_form || is_json) {
        return next.run(Request::from_parts(parts, body)).await;
    }
    let bytes = match to_bytes(body, BODY_LIMIT).await {
        Ok(b) => b,
        Err(_) => return bad_input(ErrorInfo::from_status(StatusCode::PAYLOAD_TOO_LARGE)),
    };
    let refused = if is_form {
        // Only a body that may hold a NUL is decoded.
        if bytes.contains(&0) || has_encoded_nul(&String::from_utf8_lossy(&bytes)) {
            nul_field(&form_urlencoded_pairs(&String::from_utf8_lossy(&bytes)))
        } else {
            None
        }
    } else if bytes.contains(&0) {
        Some(String::new())
    } else if bytes.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000")) {
        // JSON spells a NUL only as \u0000; parse to find which field holds it (and not a
        // literal backslash followed by "u0000").
        serde_json::from_slice::<serde_json::Value>(&bytes)
            .ok()
            .and_then(|v| json_nul_field(&v, ""))
    } else {
        None
    };
    if let Some(field) = refused {
        return bad_input(nul_refusal(&field));
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

fn has_encoded_nul(s: &str) -> bool {
    s.contains('\0')
        || s.as_bytes()
            .windows(3)
            .any(|w| w[0] == b'%' && w[1] == b'0' && w[2] == b'0')
}

fn nul_field(pairs: &[(String, String)]) -> Option<String> {
    pairs
        .iter()
        .find(|(k, v)| k.contains('\0') || v.contains('\0'))
        .map(|(k, _)| k.replace('\0', ""))
}

/// The path (`volunteers[2].name`) of the first JSON key or string holding a NUL.
fn json_nul_field(v: &serde_json::Value, at: &str) -> Option<String> {
    use serde_json::Value as J;
    match v {
        J::String(s) if s.contains('\0') => Some(at.to_string()),
        J::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, x)| json_nul_field(x, &format!("{at}[{i}]"))),
        J::Object(map) => map.iter().find_map(|(k, x)| {
            let here = if at.is_empty() {
                k.replace('\0', "")
            } else {
                format!("{at}.{}", k.replace('\0', ""))
            };
            if k.contains('\0') {
                Some(here)
            } else {
                json_nul_field(x, &here)
            }
        }),
        _ => None,
    }
}

fn nul_refusal(field: &str) -> ErrorInfo {
    ErrorInfo {
        status: StatusCode::BAD_REQUEST,
        code: "bad_request",
        key: "err.nul",
        params: vec![],
        details: if field.is_empty() {
            vec![]
        } else {
            vec![FieldError::new(field, "err.nul_field")]
        },
    }
}

fn bad_input(info: ErrorInfo) -> Response {
    let mut res = info.status.into_response();
    res.extensions_mut().insert(info);
    res
}

fn query_param(query: &str, name: &str) -> Option<String> {
    form_urlencoded_pairs(query)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// Decodes `a=1&b=x%20y` (the `+` as a space) without another crate.
pub fn form_urlencoded_pairs(s: &str) -> Vec<(String, String)> {
    fn decode(s: &str) -> String {
        let bytes = s.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < bytes.len() => {
                    match u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"), 16) {
                        Ok(b) => {
                            out.push(b);
                            i += 2;
                        }
                        Err(_) => out.push(b'%'),
                    }
                }
                b => out.push(b),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    s.split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(kv), String::new()),
        })
        .collect()
}

impl ErrorInfo {
    fn into_response_with(self, lang: Lang) -> Response {
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

    #[test]
    fn form_decoding() {
        let pairs = form_urlencoded_pairs("name=%E4%B8%9C+%E6%B9%96&csrf=abc&empty=&bad=%zz");
        assert_eq!(pairs[0], ("name".into(), "东 湖".into()));
        assert_eq!(pairs[1], ("csrf".into(), "abc".into()));
        assert_eq!(pairs[2], ("empty".into(), "".into()));
        assert_eq!(pairs[3], ("bad".into(), "%zz".into()));
    }

    #[test]
    fn nul_is_found_where_it_hides() {
        assert!(has_encoded_nul("/verify/ZY%00123"));
        assert!(!has_encoded_nul("/verify/ZY%25001"));
        assert_eq!(nul_field(&form_urlencoded_pairs("a=1&q=x%00y")), Some("q".into()));
        assert_eq!(nul_field(&form_urlencoded_pairs("a=1&q=x%2500y")), None);
        let v: serde_json::Value =
            serde_json::from_str(r#"{"a": "ok", "b": [1, {"c": "x\u0000"}], "d": "\\u0000"}"#).unwrap();
        assert_eq!(json_nul_field(&v, ""), Some("b[1].c".into()));
        let v: serde_json::Value = serde_json::from_str(r#"{"a": "\\u0000"}"#).unwrap();
        assert_eq!(json_nul_field(&v, ""), None);
    }

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
