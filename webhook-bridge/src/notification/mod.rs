//! RingCentral webhook payloads: decoding ([`envelope`]), lenient field adapters
//! ([`lenient`]) and the mapping to the internal `TelephonySessionEvent` ([`convert`]).

pub mod convert;
pub mod envelope;
pub mod lenient;

pub use convert::{Delivery, DeliveryError, parse_delivery};
