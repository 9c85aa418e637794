//! The RingCentral webhook endpoint: validation [`handshake`], [`verification`] of the
//! `Verification-Token` header, and the delivery [`handler`].

pub mod handler;
pub mod handshake;
pub mod verification;
