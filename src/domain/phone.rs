//! Phone numbers: mainland mobiles (`^1[3-9]\d{9}$`) and landlines like `0571-87654321`.

use super::text::fold_width;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    /// Accepts spaces, dashes and full-width digits as people type them, and a +86 prefix;
    /// answers the number in its stored form or `None` when it is no phone number.
    pub fn parse(input: &str) -> Option<Phone> {
        let s = fold_width(input);
        let s = s
            .strip_prefix("+86")
            .or_else(|| s.strip_prefix("0086"))
            .unwrap_or(&s)
            .trim();
        let digits: String = s
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '（' | '）'))
            .collect();
        if !digits.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let b = digits.as_bytes();
        if b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) {
            return Some(Phone(digits));
        }
        // Landline: area code 010 / 02X (three digits) or 0XXX (four), then 7 or 8 digits.
        if b.len() > 4 && b[0] == b'0' && b[1] != b'0' {
            let area_len = if matches!(b[1], b'1' | b'2') { 3 } else { 4 };
            if (7..=8).contains(&(b.len() - area_len)) {
                return Some(Phone(format!("{}-{}", &digits[..area_len], &digits[area_len..])));
            }
        }
        None
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A mainland mobile number as people type it (11 digits, with spaces, dashes or +86
    /// folded), else `None`: what a sign-in field holding a phone or a username means by a phone.
    pub fn mobile(input: &str) -> Option<Phone> {
        Phone::parse(input).filter(|p| !p.0.contains('-'))
    }

    /// Shown to viewers who do not need the number: `138****5678`, `0571-****4321`.
    pub fn mask(stored: &str) -> String {
        let chars: Vec<char> = stored.chars().collect();
        if chars.len() < 7 {
            return "****".into();
        }
        let keep_head = if stored.contains('-') {
            stored.find('-').unwrap_or(3) + 1
        } else {
            3
        };
        let tail: String = chars[chars.len() - 4..].iter().collect();
        let head: String = chars[..keep_head.min(chars.len() - 4)].iter().collect();
        format!("{head}****{tail}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobiles_in_the_forms_people_type() {
        for s in [
            "13812345678",
            "138 1234 5678",
            "138-1234-5678",
            "１３８１２３４５６７８",
            "+86 13812345678",
        ] {
            assert_eq!(Phone::parse(s).unwrap().as_str(), "13812345678", "{s}");
        }
        for s in ["12812345678", "1381234567", "138123456789", "abc", ""] {
            assert!(Phone::parse(s).is_none(), "{s}");
        }
    }

    #[test]
    fn a_login_is_a_mobile_only_when_it_has_eleven_digits() {
        assert_eq!(Phone::mobile("+86 139-0000-1234").unwrap().as_str(), "13900001234");
        assert!(Phone::mobile("0571-87654321").is_none());
        assert!(Phone::mobile("volunteer").is_none());
        assert!(Phone::mobile("admin1").is_none());
    }

    #[test]
    fn landlines() {
        assert_eq!(Phone::parse("0571-87654321").unwrap().as_str(), "0571-87654321");
        assert_eq!(Phone::parse("010 1234 5678").unwrap().as_str(), "010-12345678");
        assert!(Phone::parse("0571-123").is_none());
        assert_eq!(Phone::parse("05711234567").unwrap().as_str(), "0571-1234567");
    }

    #[test]
    fn masking_keeps_head_and_tail() {
        assert_eq!(Phone::mask("13812345678"), "138****5678");
        assert_eq!(Phone::mask("0571-87654321"), "0571-****4321");
    }
}
