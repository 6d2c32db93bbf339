//! The long-term plan's attachment: what kinds are accepted, judged by name and content.

/// The largest plan attachment.
pub const MAX_PLAN_BYTES: usize = 5 * 1024 * 1024;

/// The kinds accepted: extension, type, and how the content starts.
const PLAN_TYPES: [(&str, &str, &[u8]); 7] = [
    ("pdf", "application/pdf", b"%PDF"),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        b"PK",
    ),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        b"PK",
    ),
    ("doc", "application/msword", &[0xD0, 0xCF, 0x11, 0xE0]),
    ("jpg", "image/jpeg", &[0xFF, 0xD8, 0xFF]),
    ("png", "image/png", &[0x89, b'P', b'N', b'G']),
    ("txt", "text/plain; charset=utf-8", b""),
];

/// What an uploaded plan file is, judged by its name and its first bytes.
pub fn plan_type(name: &str, bytes: &[u8]) -> Option<&'static str> {
    let ext = name.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    let ext = if ext == "jpeg" { "jpg".to_string() } else { ext };
    PLAN_TYPES
        .iter()
        .find(|(e, _, magic)| *e == ext && bytes.starts_with(magic))
        .map(|(_, mime, _)| *mime)
        .filter(|mime| {
            // A text file must really be text.
            !mime.starts_with("text/") || std::str::from_utf8(bytes).is_ok()
        })
}

#[cfg(test)]
mod tests {
    use super::plan_type;

    #[test]
    fn plan_files_are_checked_by_name_and_content() {
        assert_eq!(plan_type("方案.pdf", b"%PDF-1.7 ..."), Some("application/pdf"));
        assert_eq!(plan_type("plan.PNG", &[0x89, b'P', b'N', b'G', 0]), Some("image/png"));
        assert_eq!(plan_type("plan.pdf", b"MZ\x90\x00"), None, "an executable named .pdf");
        assert_eq!(plan_type("plan.exe", b"MZ"), None);
        assert_eq!(
            plan_type("plan.txt", "长效方案".as_bytes()),
            Some("text/plain; charset=utf-8")
        );
        assert_eq!(plan_type("plan.txt", &[0xFF, 0xFE, 0x00]), None);
    }
}
