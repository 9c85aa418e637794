//! Shared state of the HTTP handlers and the router.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};

use crate::forwarding::queue::DeliveryQueue;
use crate::probes::{self, Readiness};
use crate::telemetry::loud_log::LoudLog;
use crate::telemetry::metrics::BridgeMetrics;
use crate::webhook::handler::receive_delivery;
use crate::webhook::verification::VerificationToken;

/// Minimum interval between repeated WARN lines about refused deliveries.
const REJECTION_LOG_INTERVAL: Duration = Duration::from_secs(1);
/// Minimum interval between repeated ERROR lines about the full queue.
const QUEUE_FULL_LOG_INTERVAL: Duration = Duration::from_secs(10);

/// State shared by every handler of one bridge instance.
pub struct BridgeState {
    /// Accepted events waiting for the forwarder.
    pub queue: Arc<DeliveryQueue>,
    /// Capacity of `queue` (for log lines).
    pub queue_capacity: usize,
    /// Metric handles.
    pub metrics: BridgeMetrics,
    /// Expected `Verification-Token`.
    pub verification: VerificationToken,
    /// Body limit in bytes.
    pub max_body_bytes: usize,
    /// Cached server health for `/readyz`.
    pub readiness: Readiness,
    /// Set when shutdown starts (`/readyz` answers 503).
    pub draining: AtomicBool,
    /// Rate limit of the queue-full ERROR line.
    pub queue_full_log: LoudLog,
    /// Rate limit of the refused-delivery WARN line.
    pub rejection_log: LoudLog,
}

impl BridgeState {
    /// State with fresh log rate limiters, not draining.
    pub fn new(
        queue: Arc<DeliveryQueue>,
        queue_capacity: usize,
        metrics: BridgeMetrics,
        verification: VerificationToken,
        max_body_bytes: usize,
        readiness: Readiness,
    ) -> Self {
        Self {
            queue,
            queue_capacity,
            metrics,
            verification,
            max_body_bytes,
            readiness,
            draining: AtomicBool::new(false),
            queue_full_log: LoudLog::new(QUEUE_FULL_LOG_INTERVAL),
            rejection_log: LoudLog::new(REJECTION_LOG_INTERVAL),
        }
    }
}

/// `POST <webhook_path>`, `GET /healthz`, `GET /readyz`, `GET /metrics`.
pub fn router(webhook_path: &str, state: Arc<BridgeState>) -> Router {
    Router::new()
        .route(webhook_path, post(receive_delivery))
        .route("/healthz", get(probes::healthz))
        .route("/readyz", get(probes::readyz))
        .route("/metrics", get(probes::metrics))
        .with_state(state)
}
