//! One tracing span per request, and the request id that names it.
//!
//! Every request runs inside a `request` span carrying its id, method and path (never the query
//! string, which may carry a token), to which the status and the duration are added when the
//! answer is ready; an error logged while the request is served (a 500's cause) is printed with
//! that span, so it says which request failed. The id is sent back as `X-Request-Id`. A caller's
//! (or proxy's) own `X-Request-Id` is kept when it is short and plain ASCII, so that one id can
//! follow a request through several logs; anything else is replaced by a new id.

use std::time::Instant;

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

/// The header the request id arrives in and is sent back in.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest incoming request id kept (a UUID is 36 characters).
pub const MAX_REQUEST_ID_LEN: usize = 64;

/// Whether an incoming request id may be reused: 1 to [`MAX_REQUEST_ID_LEN`] characters among
/// ASCII letters, digits, `-`, `_`, `.`, so that it cannot break a log line or a header.
pub fn is_safe_request_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_REQUEST_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// A new request id: 12 random hexadecimal digits.
pub fn new_request_id() -> String {
    let mut id = crate::domain::token::new_token();
    id.truncate(12);
    id
}

/// The outermost layer: opens the request's span, and answers with its id.
pub async fn trace_requests(req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| is_safe_request_id(v))
        .map(str::to_string)
        .unwrap_or_else(new_request_id);
    // At ERROR level so that the span survives any log filter (`LEIFENG_LOG=warn` included): a
    // span only gates, it prints nothing itself, and an error line must keep its request.
    let span = tracing::error_span!(
        "request",
        id = %id,
        method = %req.method(),
        path = %req.uri().path(),
        status = tracing::field::Empty,
        ms = tracing::field::Empty,
    );
    let started = Instant::now();
    let mut res = next.run(req).instrument(span.clone()).await;
    let status = res.status().as_u16();
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    span.record("status", status);
    span.record("ms", (ms * 10.0).round() / 10.0);
    span.in_scope(|| {
        if status >= 500 {
            tracing::warn!("answered with a server error");
        } else {
            tracing::debug!("answered");
        }
    });
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(REQUEST_ID, v);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_short_plain_ids_are_kept() {
        assert!(is_safe_request_id("abc-123_X.y"));
        assert!(is_safe_request_id("0f8fad5b-d9cb-469f-a165-70867728950e"));
        assert!(!is_safe_request_id(""));
        assert!(!is_safe_request_id("has space"));
        assert!(!is_safe_request_id("line\nbreak"));
        assert!(!is_safe_request_id("<script>"));
        assert!(!is_safe_request_id("标识"));
        assert!(!is_safe_request_id(&"a".repeat(MAX_REQUEST_ID_LEN + 1)));
        let id = new_request_id();
        assert_eq!(id.len(), 12);
        assert!(is_safe_request_id(&id));
        assert_ne!(id, new_request_id());
    }
}
