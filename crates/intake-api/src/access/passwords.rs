//! Password hashing with Argon2id (the `argon2` crate's defaults: 19 MiB, 2 passes).

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

use crate::ApiError;

/// Hashes a password into a PHC string (`$argon2id$v=19$...`).
pub(crate) fn hash(password: &str) -> Result<String, ApiError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|e| ApiError::Internal(format!("no randomness for a password salt: {e}")))?;
    let salt = SaltString::encode_b64(&bytes)
        .map_err(|e| ApiError::Internal(format!("cannot encode a password salt: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ApiError::Internal(format!("cannot hash the password: {e}")))
}

/// Whether `password` matches `stored`. A stored value that is not a valid hash
/// matches nothing.
pub(crate) fn verify(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Spends the same work as a real check, for user names that do not exist, so the
/// time a failed sign-in takes does not reveal whether the user exists.
pub(crate) fn verify_against_nobody(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash("no user has this password").unwrap_or_default());
    let _ = verify(password, dummy);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_only_its_password() {
        let stored = hash("correct horse").unwrap();
        assert!(
            stored.starts_with("$argon2id$"),
            "Argon2id is used: {stored}"
        );
        assert!(verify("correct horse", &stored));
        assert!(!verify("Correct horse", &stored), "case matters");
        assert!(
            !verify("correct horse", "not a hash"),
            "garbage matches nothing"
        );
    }
}
