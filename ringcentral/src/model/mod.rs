//! Typed RingCentral payloads (serde, camelCase on the wire). Unknown fields are ignored and
//! optional fields are `Option`, so new platform fields never break decoding.

pub(crate) mod lenient;

pub mod directory;
pub mod notification;
pub mod paging;
pub mod session;
pub mod subscription;
pub mod token;
