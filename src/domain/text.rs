//! Normalising what people type or paste. What was typed is what is stored (full-width
//! punctuation such as `（筹）` or `，；` stays as it is); widths and punctuation are folded only to
//! compare two texts ([`match_key`]) or to read a code, a number or a date ([`fold_width`]).

/// Folds full-width ASCII (ＡＢＣ１２３, the ideographic space) to half-width and trims: for reading
/// numbers, codes and dates, never for text that is stored as typed.
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

/// A name or a short text as stored: the ends trimmed, every inner run of white space (spaces,
/// tabs, line breaks, the ideographic space) made one space, no control codes; the characters
/// themselves, full-width punctuation included, kept as typed.
pub fn clean_name(s: &str) -> String {
    s.split_whitespace()
        .map(|w| w.chars().filter(|c| !c.is_control()).collect::<String>())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// What two names are compared by: width folded (`（筹）` = `(筹)`, `ＡＢ` = `AB`), no white space
/// at all, letters in lower case.
pub fn match_key(s: &str) -> String {
    fold_width(s)
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .flat_map(char::to_lowercase)
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

    #[test]
    fn a_name_keeps_its_punctuation_and_gets_one_space_between_words() {
        assert_eq!(clean_name("测试街道（筹）"), "测试街道（筹）");
        assert_eq!(clean_name("主题，一；二"), "主题，一；二");
        // Two spaces, a tab, a line break, an ideographic space: each run is one space.
        assert_eq!(clean_name("欧阳  娜娜"), "欧阳 娜娜");
        assert_eq!(clean_name("Mary\u{3000}\u{3000}Ann\n Lee"), "Mary Ann Lee");
        assert_eq!(clean_name(" a\u{7}b "), "ab");
        assert_eq!(clean_name(" \u{3000} "), "");
    }

    #[test]
    fn names_match_whatever_their_width_and_spacing() {
        assert_eq!(match_key("测试街道（筹）"), match_key("测试街道(筹)"));
        assert_eq!(match_key("欧阳  娜娜"), match_key("欧阳娜娜"));
        assert_eq!(match_key("ＡＢＣ"), match_key("abc"));
        assert_ne!(match_key("东湖街道"), match_key("西湖街道"));
    }
}
