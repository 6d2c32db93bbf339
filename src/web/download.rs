//! Files handed to the browser as downloads.

/// An .xlsx file to download: `fallback` is a plain name for old clients, `name` the real one
/// (Chinese names travel as RFC 5987 `filename*`).
pub fn download(bytes: Vec<u8>, fallback: &str, name: &str) -> axum::response::Response {
    use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
    use axum::response::IntoResponse;
    (
        [
            (CONTENT_TYPE, crate::excel::XLSX_MIME.to_string()),
            (CONTENT_DISPOSITION, disposition(false, fallback, name)),
        ],
        bytes,
    )
        .into_response()
}

/// The `Content-Disposition` of a stored file: shown in the page (`inline`, an image) or saved
/// (`attachment`), with `fallback` for old clients and the real `name` as RFC 5987 `filename*`.
pub fn disposition(inline: bool, fallback: &str, name: &str) -> String {
    let how = if inline { "inline" } else { "attachment" };
    format!(
        "{how}; filename=\"{fallback}\"; filename*=UTF-8''{}",
        super::urlencode(name)
    )
}
