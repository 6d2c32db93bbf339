//! Passwords: hashing with Argon2id and the rules a new password must meet.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

use crate::error::FieldError;

/// Hashes a password with Argon2id (default parameters); call it off the async threads.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
}

pub async fn hash_password_blocking(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || hash_password(&password)).await?
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

pub(crate) async fn verify_password_blocking(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .unwrap_or(false)
}

/// A hash that no password matches, verified against for unknown usernames so that the answer
/// takes as long as for a known one.
pub(crate) static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| hash_password("not a real password, only for timing").unwrap_or_default());

/// Why a new password is refused, if it is.
pub fn password_problem(password: &str, username: &str) -> Option<FieldError> {
    let chars = password.chars().count();
    let classes = [
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    let lower = password.to_lowercase();
    let common = ["password", "12345678", "qwerty", "11111111", "abc12345", "leifeng"];
    if chars < 10 {
        Some(FieldError::new("password", "err.password_short").with("min", 10))
    } else if chars > 128 {
        Some(FieldError::new("password", "err.password_long").with("max", 128))
    } else if classes < 2 || common.iter().any(|c| lower.contains(c)) || lower.contains(&username.to_lowercase()) {
        Some(FieldError::new("password", "err.password_weak"))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_round_trip() {
        let h = hash_password("Correct-Horse-9").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("Correct-Horse-9", &h));
        assert!(!verify_password("correct-horse-9", &h));
    }

    #[test]
    fn weak_passwords_are_named() {
        assert_eq!(password_problem("short1A", "bob").unwrap().key, "err.password_short");
        assert_eq!(
            password_problem("aaaaaaaaaaaa", "bob").unwrap().key,
            "err.password_weak"
        );
        assert_eq!(password_problem("Password123", "bob").unwrap().key, "err.password_weak");
        assert_eq!(
            password_problem("bobbob-Zeta99", "bob").unwrap().key,
            "err.password_weak"
        );
        assert!(password_problem("MyLeifeng-Pass1", "bob").is_some());
        assert!(password_problem("Volunteer-Day-7", "bob").is_none());
    }
}
