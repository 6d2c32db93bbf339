//! The session layer: who is asking (session cookie or bearer token), in which language, from
//! which address, and whether a state-changing request carries its CSRF token; and the cookies.

use std::net::SocketAddr;

use axum::body::{to_bytes, Body};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{ACCEPT_LANGUAGE, AUTHORIZATION, CONTENT_TYPE, COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::input::query_param;
use super::{Ctx, BODY_LIMIT};
use crate::auth::{self, new_token, Acting};
use crate::error::{AppError, ErrorInfo};
use crate::i18n::Lang;
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "lf_session";
pub const CSRF_COOKIE: &str = "lf_csrf";
pub const LANG_COOKIE: &str = "lf_lang";
pub const FLASH_COOKIE: &str = "lf_flash";

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

/// What an account whose password an administrator reset may still reach: the account page
/// (to choose a new password), the language, signing out, and the static files.
fn open_before_password_change(path: &str) -> bool {
    matches!(
        path,
        "/account"
            | "/account/password"
            | "/logout"
            | "/lang"
            | "/favicon.ico"
            | "/api/v1/me"
            | "/api/v1/me/password"
            | "/api/v1/me/lang"
            | "/api/v1/auth/logout"
    ) || path.starts_with("/static/")
}

/// Pages send the account to choose its new password; the API says why it refuses.
fn must_change_password(path: &str, lang: Lang) -> Response {
    if is_api(path) {
        let info = ErrorInfo {
            status: StatusCode::FORBIDDEN,
            code: "password_change_required",
            key: "err.must_change_password",
            params: vec![],
            details: vec![],
        };
        return info.into_response_with(lang);
    }
    (StatusCode::SEE_OTHER, [(axum::http::header::LOCATION, "/account")]).into_response()
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
    // The bell's count, for pages only (the API answers it at /api/v1/me/notifications), read
    // with the session.
    let count_unread = parts.method == Method::GET && !is_api(&path);
    let (principal, unread) = match token {
        Some(t) => match auth::principal_for_token(&state.db, &t, count_unread).await {
            Ok(Some((p, unread))) => (Some(p), unread),
            Ok(None) => (None, 0),
            Err(e) => return e.into_response(),
        },
        None => (None, 0),
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
        let is_upload = headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if presented.is_none() && is_upload {
            let (token, rest) = super::multipart_csrf::token(body).await;
            presented = token;
            body = rest;
        }
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

    if principal.as_ref().is_some_and(|p| p.must_change_password) && !open_before_password_change(&path) {
        return must_change_password(&path, lang);
    }

    let ctx = Ctx {
        acting: Acting { principal, lang, ip },
        unread,
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
