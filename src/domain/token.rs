//! Random opaque secrets (session tokens, CSRF tokens, QR and link secrets).

use argon2::password_hash::rand_core::{OsRng, RngCore};

/// A fresh random secret, hex encoded (256 bits).
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
