//! The CSRF token of a file upload (`multipart/form-data`), read from the form's first field so
//! it never has to ride in the address (where it showed in the address bar and the history).
//! Only the first few kilobytes are read; the body is passed on whole.

use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes, HttpBody};

/// How far into the body the `csrf` field is looked for (it is the form's first field).
const PEEK: usize = 4096;

/// The token in the `csrf` field at the start of the body, and the body to pass on.
pub async fn token(mut body: Body) -> (Option<String>, Body) {
    let mut head: Vec<u8> = vec![];
    let mut failed = None;
    while head.len() < PEEK && find(&head).is_none() {
        match std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    head.extend_from_slice(&data);
                }
            }
            Some(Err(e)) => {
                failed = Some(e);
                break;
            }
            None => break,
        }
    }
    let token = find(&head);
    let rest = Prefixed {
        head: Some(Bytes::from(head)),
        failed,
        rest: body,
    };
    (token, Body::new(rest))
}

/// The value of the part named `csrf` if it is complete within `head`.
fn find(head: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(head).ok().or_else(|| {
        // A file part may follow; cut at the last complete character.
        let valid = std::str::from_utf8(head).err()?.valid_up_to();
        std::str::from_utf8(&head[..valid]).ok()
    })?;
    let at = text.find("name=\"csrf\"")?;
    let after = &text[at..];
    let start = after.find("\r\n\r\n")? + 4;
    let value = &after[start..];
    let end = value.find("\r\n")?;
    Some(value[..end].trim().to_string())
}

/// The bytes already read, then the rest of the body.
struct Prefixed {
    head: Option<Bytes>,
    failed: Option<axum::Error>,
    rest: Body,
}

impl HttpBody for Prefixed {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        if let Some(head) = self.head.take().filter(|h| !h.is_empty()) {
            return Poll::Ready(Some(Ok(http_body::Frame::data(head))));
        }
        if let Some(e) = self.failed.take() {
            return Poll::Ready(Some(Err(e)));
        }
        Pin::new(&mut self.rest).poll_frame(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn read(body: Body) -> Vec<u8> {
        axum::body::to_bytes(body, usize::MAX).await.unwrap().to_vec()
    }

    #[tokio::test]
    async fn the_first_field_is_read_and_the_body_passed_on_whole() {
        let raw = "--XX\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nabc123\r\n--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.xlsx\"\r\n\r\n\u{1}\u{2}\r\n--XX--\r\n";
        let (token, body) = token(Body::from(raw)).await;
        assert_eq!(token.as_deref(), Some("abc123"));
        assert_eq!(read(body).await, raw.as_bytes());
    }

    #[tokio::test]
    async fn no_token_when_the_field_is_missing() {
        let raw = "--XX\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nx\r\n--XX--\r\n";
        let (token, body) = token(Body::from(raw)).await;
        assert_eq!(token, None);
        assert_eq!(read(body).await, raw.as_bytes());
    }
}
