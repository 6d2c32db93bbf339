//! Normalising what people type or paste: full-width characters, stray spaces, control codes.

/// Folds full-width ASCII (ＡＢＣ１２３, the ideographic space) to half-width and trims.
pub fn fold_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect::<String>()
        .trim()
        .to_string()
}

/// A name as stored: width folded, inner runs of white space made one space, no control codes.
pub fn clean_name(s: &str) -> String {
    fold_width(s)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_full_width_and_spaces() {
        assert_eq!(fold_width("　１３８ＡＢ "), "138AB");
        assert_eq!(clean_name("  东湖\t街道   办事处 "), "东湖 街道 办事处");
    }
}
