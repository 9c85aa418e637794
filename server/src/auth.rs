//! Bearer-token authentication. Tokens are configured only as SHA-256 hex digests and compared
//! in constant time. Public services and the internal ingest service use separate token sets.

use std::sync::Arc;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tonic::service::Interceptor;
use tonic::{Request, Status};

use crate::error::Error;

/// SHA-256 of `token`, lower-case hex.
pub fn sha256_hex(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn decode_hex32(hex: &str) -> Option<[u8; 32]> {
    if hex.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, chunk) in hex.as_bytes().chunks(2).enumerate() {
        let s = std::str::from_utf8(chunk).ok()?;
        out[i] = u8::from_str_radix(s, 16).ok()?;
    }
    Some(out)
}

/// A tonic interceptor accepting `authorization: Bearer <token>` whose SHA-256 is configured.
#[derive(Clone)]
pub struct TokenCheck {
    digests: Arc<Vec<[u8; 32]>>,
    disabled: bool,
}

impl TokenCheck {
    /// Accepts tokens whose SHA-256 hex is in `sha256_hex`; `disabled` accepts everything.
    pub fn new(sha256_hex: &[String], disabled: bool) -> TokenCheck {
        TokenCheck {
            digests: Arc::new(
                sha256_hex
                    .iter()
                    .filter_map(|h| decode_hex32(&h.to_ascii_lowercase()))
                    .collect(),
            ),
            disabled,
        }
    }

    /// True when `token` is accepted.
    pub fn accepts(&self, token: &str) -> bool {
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let mut ok = subtle::Choice::from(0u8);
        for d in self.digests.iter() {
            ok |= d.ct_eq(&digest);
        }
        bool::from(ok)
    }
}

impl Interceptor for TokenCheck {
    fn call(&mut self, req: Request<()>) -> Result<Request<()>, Status> {
        if self.disabled {
            return Ok(req);
        }
        let token = req
            .metadata()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim);
        match token {
            Some(t) if self.accepts(t) => Ok(req),
            _ => Err(Error::Unauthenticated.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_only_configured_tokens() {
        let check = TokenCheck::new(&[sha256_hex("test-token-a")], false);
        assert!(check.accepts("test-token-a"));
        assert!(!check.accepts("test-token-b"));
        assert!(!check.accepts(""));
    }

    #[test]
    fn known_digest() {
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
