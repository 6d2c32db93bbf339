//! What a person types to say who they are: a mobile number (volunteers), an e-mail address (for
//! password recovery) or a username (staff, and volunteers who signed up before phone sign-in).

use super::phone::Phone;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Login {
    /// 11 digits, as stored (`13900001234`).
    Mobile(String),
    /// Lower-cased.
    Email(String),
    /// Lower-cased and trimmed.
    Username(String),
}

impl Login {
    /// Reads a sign-in or recovery field: a string of 11 digits (spaces, dashes, full-width
    /// digits and +86 folded) is a phone; something with an `@` an e-mail address; anything
    /// else a username.
    pub fn parse(input: &str) -> Login {
        let t = input.trim();
        if let Some(p) = Phone::mobile(t) {
            return Login::Mobile(p.as_str().to_string());
        }
        match email(t) {
            Some(e) => Login::Email(e),
            None => Login::Username(t.to_lowercase()),
        }
    }

    /// The key that counts attempts on this login (the same person however they type it).
    pub fn key(&self) -> String {
        match self {
            Login::Mobile(p) => format!("tel:{p}"),
            Login::Email(e) => format!("mail:{e}"),
            Login::Username(u) => u.clone(),
        }
    }
}

/// An e-mail address in the form people type it, lower-cased; `None` when it is none (one `@`,
/// something on each side, a dot in the domain, no spaces, at most 254 characters).
pub fn email(input: &str) -> Option<String> {
    let t = input.trim().to_lowercase();
    let (local, domain) = t.split_once('@')?;
    let ok = !local.is_empty()
        && t.len() <= 254
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !t
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';'));
    ok.then_some(t)
}

/// `w***@example.cn`: enough for its holder to recognise, not to read.
pub fn mask_email(e: &str) -> String {
    match e.split_once('@') {
        Some((local, domain)) => format!("{}***@{domain}", local.chars().next().unwrap_or('*')),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eleven_digits_are_a_phone_an_at_sign_an_email_the_rest_a_username() {
        assert_eq!(Login::parse(" 139 0000 1234 "), Login::Mobile("13900001234".into()));
        assert_eq!(Login::parse("+86-139-0000-1234"), Login::Mobile("13900001234".into()));
        assert_eq!(Login::parse("Wang@Example.CN"), Login::Email("wang@example.cn".into()));
        assert_eq!(Login::parse(" Admin "), Login::Username("admin".into()));
        assert_eq!(Login::parse("0571-87654321"), Login::Username("0571-87654321".into()));
        assert_eq!(Login::parse("13900001234").key(), "tel:13900001234");
    }

    #[test]
    fn emails() {
        assert!(email("a@b").is_none());
        assert!(email("a b@c.cn").is_none());
        assert!(email("@c.cn").is_none());
        assert!(email("a@@c.cn").is_none());
        assert_eq!(email("x.y@mail.gov.cn").as_deref(), Some("x.y@mail.gov.cn"));
    }
}
