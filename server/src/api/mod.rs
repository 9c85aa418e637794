//! The gRPC edge: converts `holdhunter.v1` messages to and from engine types and maps errors
//! (`crate::error`). No business rules here beyond request-field validation.

pub mod catalog;
pub mod convert;
pub mod jobs;
pub mod ringcentral;
pub mod watch;
