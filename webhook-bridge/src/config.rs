//! Bridge configuration: where the webhook is served, the two secrets, the server endpoint,
//! and the bounds of the delivery queue and of the forwarder.

use std::net::SocketAddr;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

/// Maximum events in one `IngestTelephonyEvents` request (proto `IngestTelephonyEventsRequest`:
/// "1..=1000 events").
pub const MAX_EVENTS_PER_INGEST_RPC: usize = 1000;

/// Paths the bridge serves itself; the webhook path must not collide with them.
const RESERVED_PATHS: [&str; 3] = ["/healthz", "/readyz", "/metrics"];

/// Everything [`crate::run`] needs. Build it with [`BridgeConfig::new`] (defaults for every
/// bound) and override fields as needed; the binary fills it from `HH_BRIDGE_*` flags/env.
///
/// `Debug` prints the secrets as `[REDACTED]` (secrecy).
#[derive(Debug, Clone)]
pub struct BridgeConfig {
    /// Address the binary binds (`run` itself takes an already bound listener).
    /// Default `0.0.0.0:8080`.
    pub listen_addr: SocketAddr,
    /// HTTP path RingCentral POSTs to (the subscription's `deliveryMode.address` path).
    /// Default `/webhooks/ringcentral`.
    pub webhook_path: String,
    /// The subscription's `deliveryMode.verificationToken`; every delivery must carry it in the
    /// `Verification-Token` header (reference §5). Never logged.
    pub verification_token: SecretString,
    /// gRPC endpoint of the server's `TelephonyIngestService`, e.g. `http://127.0.0.1:50051`
    /// (plain HTTP/2; TLS is not enabled in this build).
    pub server_url: String,
    /// Internal ingest credential, sent as `authorization: Bearer <token>`. Never logged.
    pub ingest_token: SecretString,
    /// Bound of the in-memory delivery queue in events (queued + in flight). A delivery that
    /// would exceed it is answered 503. Default 100 000.
    pub queue_capacity: usize,
    /// Largest accepted request body in bytes; larger → 413. Default 65 536 (64 KiB).
    pub max_body_bytes: usize,
    /// Most events per `IngestTelephonyEvents` RPC, 1..=1000. Default 500.
    pub batch_max_events: usize,
    /// Most encoded protobuf bytes per RPC (a batch always holds at least one event), kept
    /// well under tonic's default 4 MiB decode limit on the server. Default 1 MiB.
    pub batch_max_bytes: usize,
    /// Deadline of one `IngestTelephonyEvents` RPC. Default 5 s.
    pub rpc_timeout: Duration,
    /// First retry delay after a failed RPC; doubles per attempt. Default 100 ms.
    pub retry_initial_backoff: Duration,
    /// Cap of the retry delay. Default 5 s.
    pub retry_max_backoff: Duration,
    /// How long a `/readyz` gRPC health result is reused. Default 1 s.
    pub readiness_cache: Duration,
    /// HTTP/2 PING interval on the server channel (also while idle). Default 20 s.
    pub http2_keepalive_interval: Duration,
    /// On shutdown: time from the signal until the bridge gives up flushing the queue to the
    /// server. Default 10 s.
    pub shutdown_deadline: Duration,
}

impl BridgeConfig {
    /// A config with the given secrets and server endpoint and every other field at its default.
    pub fn new(
        verification_token: SecretString,
        server_url: impl Into<String>,
        ingest_token: SecretString,
    ) -> Self {
        Self {
            listen_addr: SocketAddr::from(([0, 0, 0, 0], 8080)),
            webhook_path: "/webhooks/ringcentral".to_owned(),
            verification_token,
            server_url: server_url.into(),
            ingest_token,
            queue_capacity: 100_000,
            max_body_bytes: 64 * 1024,
            batch_max_events: 500,
            batch_max_bytes: 1024 * 1024,
            rpc_timeout: Duration::from_secs(5),
            retry_initial_backoff: Duration::from_millis(100),
            retry_max_backoff: Duration::from_secs(5),
            readiness_cache: Duration::from_secs(1),
            http2_keepalive_interval: Duration::from_secs(20),
            shutdown_deadline: Duration::from_secs(10),
        }
    }

    /// Checks the bounds. Errors name the offending field, never a secret's value.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !self.webhook_path.starts_with('/') {
            return Err(ConfigError::Invalid("webhook_path must start with '/'"));
        }
        if RESERVED_PATHS.contains(&self.webhook_path.as_str()) {
            return Err(ConfigError::Invalid(
                "webhook_path must not be /healthz, /readyz or /metrics",
            ));
        }
        if self.verification_token.expose_secret().is_empty() {
            return Err(ConfigError::Invalid("verification_token must not be empty"));
        }
        if self.ingest_token.expose_secret().is_empty() {
            return Err(ConfigError::Invalid("ingest_token must not be empty"));
        }
        if !self.server_url.starts_with("http://") {
            return Err(ConfigError::Invalid(
                "server_url must be an http:// URL (TLS to the server is not built in)",
            ));
        }
        if self.queue_capacity == 0 {
            return Err(ConfigError::Invalid("queue_capacity must be at least 1"));
        }
        if self.max_body_bytes == 0 {
            return Err(ConfigError::Invalid("max_body_bytes must be at least 1"));
        }
        if !(1..=MAX_EVENTS_PER_INGEST_RPC).contains(&self.batch_max_events) {
            return Err(ConfigError::Invalid("batch_max_events must be in 1..=1000"));
        }
        if self.batch_max_bytes == 0 {
            return Err(ConfigError::Invalid("batch_max_bytes must be at least 1"));
        }
        if self.rpc_timeout.is_zero() {
            return Err(ConfigError::Invalid("rpc_timeout must be positive"));
        }
        if self.retry_initial_backoff.is_zero()
            || self.retry_max_backoff < self.retry_initial_backoff
        {
            return Err(ConfigError::Invalid(
                "retry backoff must be positive and max >= initial",
            ));
        }
        Ok(())
    }
}

/// A rejected [`BridgeConfig`].
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A field is out of bounds; the message names it.
    #[error("invalid bridge config: {0}")]
    Invalid(&'static str),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> BridgeConfig {
        BridgeConfig::new(
            SecretString::from("test-verification-token"),
            "http://127.0.0.1:50051",
            SecretString::from("test-ingest-token"),
        )
    }

    #[test]
    fn defaults_are_valid() {
        config().validate().unwrap();
    }

    #[test]
    fn rejects_out_of_bounds_fields() {
        let mut c = config();
        c.batch_max_events = 1001;
        assert!(c.validate().is_err());
        let mut c = config();
        c.webhook_path = "/metrics".into();
        assert!(c.validate().is_err());
        let mut c = config();
        c.verification_token = SecretString::from("");
        assert!(c.validate().is_err());
        let mut c = config();
        c.server_url = "127.0.0.1:50051".into();
        assert!(c.validate().is_err());
    }

    #[test]
    fn debug_redacts_secrets() {
        let printed = format!("{:?}", config());
        assert!(!printed.contains("test-verification-token"));
        assert!(!printed.contains("test-ingest-token"));
    }
}
