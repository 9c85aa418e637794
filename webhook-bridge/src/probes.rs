//! `/healthz`, `/readyz` and `/metrics`.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::{StatusCode, header};

use crate::app::BridgeState;
use crate::forwarding::ingest_client::IngestClient;

/// Cached result of the server's gRPC health check.
pub struct Readiness {
    client: IngestClient,
    ttl: Duration,
    /// Async mutex: concurrent probes wait for one check instead of stampeding the server.
    last: tokio::sync::Mutex<Option<(Instant, bool)>>,
}

impl Readiness {
    /// Reuses a result for `ttl`.
    pub fn new(client: IngestClient, ttl: Duration) -> Self {
        Self {
            client,
            ttl,
            last: tokio::sync::Mutex::new(None),
        }
    }

    /// True when the server answered `grpc.health.v1.Health/Check` as SERVING within the TTL.
    pub async fn server_ready(&self) -> bool {
        let mut last = self.last.lock().await;
        if let Some((at, ready)) = *last {
            if at.elapsed() < self.ttl {
                return ready;
            }
        }
        let ready = self.client.server_ready().await;
        *last = Some((Instant::now(), ready));
        ready
    }
}

/// `GET /healthz`: 200 while the process serves HTTP.
pub async fn healthz() -> &'static str {
    "ok"
}

/// `GET /readyz`: 200 `ready` when the server is reachable and healthy, the queue has room,
/// and the bridge is not shutting down; otherwise 503 with the reason.
pub async fn readyz(State(state): State<Arc<BridgeState>>) -> Response {
    if state.draining.load(Ordering::Relaxed) {
        return (StatusCode::SERVICE_UNAVAILABLE, "shutting down").into_response();
    }
    if state.queue.is_full() {
        return (StatusCode::SERVICE_UNAVAILABLE, "delivery queue full").into_response();
    }
    if !state.readiness.server_ready().await {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "server unreachable or not serving",
        )
            .into_response();
    }
    (StatusCode::OK, "ready").into_response()
}

/// `GET /metrics`: Prometheus text format.
pub async fn metrics(State(state): State<Arc<BridgeState>>) -> Response {
    state.metrics.queue_depth(state.queue.depth());
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response()
}
