//! Observability of the bridge: Prometheus metrics ([`metrics`]) and the rate-limited loud log
//! used when deliveries are dropped ([`loud_log`]).

pub mod loud_log;
pub mod metrics;
