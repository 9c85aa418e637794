//! The `Verification-Token` check (reference §5: the only authenticity mechanism of
//! RingCentral Subscription-API webhooks; there is no HMAC).

use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Request header carrying the subscription's `deliveryMode.verificationToken`.
pub const VERIFICATION_TOKEN_HEADER: &str = "verification-token";

/// The expected token, kept only as its SHA-256 digest. Comparing digests in constant time
/// (`subtle`) leaks neither the content nor the length of the expected token through timing.
pub struct VerificationToken {
    expected_digest: [u8; 32],
}

impl VerificationToken {
    /// Digest of the configured token.
    pub fn new(token: &SecretString) -> Self {
        Self {
            expected_digest: Sha256::digest(token.expose_secret().as_bytes()).into(),
        }
    }

    /// True when `presented` (the raw header value) equals the configured token.
    pub fn matches(&self, presented: &[u8]) -> bool {
        let presented_digest: [u8; 32] = Sha256::digest(presented).into();
        presented_digest.ct_eq(&self.expected_digest).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_only_the_exact_token() {
        let token = VerificationToken::new(&SecretString::from("test-verification-token"));
        assert!(token.matches(b"test-verification-token"));
        assert!(!token.matches(b"test-verification-tokem"));
        assert!(!token.matches(b"test-verification-token "));
        assert!(!token.matches(b""));
    }
}
