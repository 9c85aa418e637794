//! Telephony: call-out, sessions, parties (REF §2-§4).

pub mod calls;
pub mod parties;
pub mod session;
