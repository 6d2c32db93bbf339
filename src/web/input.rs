//! Input no handler should see, refused once for every route.

use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::BODY_LIMIT;
use crate::error::{AppError, ErrorInfo, FieldError};

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

pub(crate) fn query_param(query: &str, name: &str) -> Option<String> {
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
}
