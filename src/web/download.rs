//! Files handed to the browser as downloads.

/// An .xlsx file to download: `fallback` is a plain name for old clients, `name` the real one
/// (Chinese names travel as RFC 5987 `filename*`).
pub fn download(bytes: Vec<u8>, fallback: &str, name: &str) -> axum::response::Response {
    use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
    use axum::response::IntoResponse;
    let disposition = format!(
        "attachment; filename=\"{fallback}\"; filename*=UTF-8''{}",
        super::urlencode(name)
    );
    (
        [
            (CONTENT_TYPE, crate::excel::XLSX_MIME.to_string()),
            (CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}
