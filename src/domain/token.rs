//! Random opaque secrets (session tokens, CSRF tokens, QR and link secrets), and the kinds of
//! session a token opens.

use argon2::password_hash::rand_core::{OsRng, RngCore};

/// A fresh random secret, hex encoded (256 bits).
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A browser session (cookie, CSRF token, expires when idle) or an API token (bearer, lives to
/// its expiry); stored as `web` or `api`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum SessionKind {
    Web,
    Api,
}
