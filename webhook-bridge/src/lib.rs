//! `hold-hunter-bridge`: receives RingCentral webhook deliveries over HTTP and forwards them as
//! typed `holdhunter.v1.TelephonyIngestService/IngestTelephonyEvents` RPCs to the server.
//!
//! Stateless: several bridges can run behind one load balancer. Each one
//! - answers the subscription validation handshake (echoes `Validation-Token`; reference §5);
//! - accepts only deliveries carrying the configured `Verification-Token` (constant-time);
//! - answers every accepted delivery 200 at once, **without waiting on the server**, after
//!   putting it on a bounded in-memory queue; a forwarder task drains that queue in batches, in
//!   acceptance order, retrying with capped exponential backoff while the server is down;
//! - answers 503 (and logs loudly) when the queue is at its bound;
//! - on shutdown stops accepting, flushes the queue within a deadline and reports what is left.
//!
//! See `webhook-bridge/README.md` for the design, its limits and the benchmark.
//!
//! Embed it with [`run`] (or [`run_with_report`] to learn how many events a shutdown left):
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use hold_hunter_bridge::{BridgeConfig, run};
//! use secrecy::SecretString;
//!
//! let config = BridgeConfig::new(
//!     SecretString::from("test-verification-token"),
//!     "http://127.0.0.1:50051",
//!     SecretString::from("test-ingest-token"),
//! );
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! run(config, listener, async { let _ = tokio::signal::ctrl_c().await; }).await
//! # }
//! ```

#![warn(missing_docs)]

pub mod app;
pub mod config;
pub mod forwarding;
pub mod notification;
pub mod probes;
pub mod telemetry;
pub mod webhook;

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use anyhow::Context as _;
use axum::serve::ListenerExt as _;
use tokio::net::TcpListener;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

pub use config::{BridgeConfig, ConfigError};

use crate::app::BridgeState;
use crate::forwarding::forwarder::Forwarder;
use crate::forwarding::ingest_client::IngestClient;
use crate::forwarding::queue::DeliveryQueue;
use crate::probes::Readiness;
use crate::telemetry::metrics::BridgeMetrics;
use crate::webhook::verification::VerificationToken;

/// Longest time shutdown waits for in-flight HTTP requests before closing the queue (also
/// bounded by `shutdown_deadline`).
const HTTP_DRAIN_MAX: Duration = Duration::from_secs(5);
/// Interval of the metrics upkeep (drains histogram buckets).
const METRICS_UPKEEP_INTERVAL: Duration = Duration::from_secs(5);

/// What a finished [`run_with_report`] left behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShutdownReport {
    /// Accepted events not confirmed by the server when the shutdown deadline hit (0 when the
    /// queue was flushed). These are lost (the server may still have applied an in-flight batch).
    pub unflushed_events: usize,
}

/// Serves the bridge on `listener` until `shutdown` completes, then drains (see
/// [`run_with_report`]). Errors: invalid config (before serving), or the HTTP server failing.
pub async fn run(
    config: BridgeConfig,
    listener: TcpListener,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    run_with_report(config, listener, shutdown)
        .await
        .map(|_| ())
}

/// Like [`run`], returning how many accepted events could not be flushed.
///
/// Shutdown sequence, all within `config.shutdown_deadline` from the moment `shutdown`
/// completes: `/readyz` turns 503; the listener stops accepting and in-flight requests finish
/// (at most 5 s); the queue closes (later requests get 503); the forwarder keeps delivering
/// (with retries) until the queue is empty or the deadline hits.
pub async fn run_with_report(
    config: BridgeConfig,
    listener: TcpListener,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<ShutdownReport> {
    config.validate()?;
    let metrics = BridgeMetrics::new();
    let client = IngestClient::new(&config)?;
    let queue = Arc::new(DeliveryQueue::new(config.queue_capacity));
    let state = Arc::new(BridgeState::new(
        queue.clone(),
        config.queue_capacity,
        metrics.clone(),
        VerificationToken::new(&config.verification_token),
        config.max_body_bytes,
        Readiness::new(client.clone(), config.readiness_cache),
    ));
    let router = app::router(&config.webhook_path, state.clone());

    let hard_stop = CancellationToken::new();
    let mut forwarder = tokio::spawn(
        Forwarder::new(&config, client, queue.clone(), metrics.clone()).run(hard_stop.clone()),
    );
    let upkeep = tokio::spawn({
        let metrics = metrics.clone();
        async move {
            let mut tick = tokio::time::interval(METRICS_UPKEEP_INTERVAL);
            loop {
                tick.tick().await;
                metrics.run_upkeep();
            }
        }
    });

    let local_addr = listener
        .local_addr()
        .context("listener has no local address")?;
    tracing::info!(
        %local_addr,
        webhook_path = %config.webhook_path,
        server_url = %config.server_url,
        queue_capacity = config.queue_capacity,
        batch_max_events = config.batch_max_events,
        "hold-hunter-bridge listening"
    );
    let stop_http = CancellationToken::new();
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    let serve =
        axum::serve(listener, router).with_graceful_shutdown(stop_http.clone().cancelled_owned());
    let mut http = tokio::spawn(async move { serve.await });

    let mut shutdown = std::pin::pin!(shutdown);
    let http_failure = tokio::select! {
        () = &mut shutdown => None,
        ended = &mut http => Some(ended),
    };
    let deadline = Instant::now() + config.shutdown_deadline;
    state.draining.store(true, Ordering::Relaxed);
    stop_http.cancel();
    tracing::info!(
        queue_depth = queue.depth(),
        deadline_ms = config.shutdown_deadline.as_millis() as u64,
        "shutting down: no longer accepting deliveries, flushing the queue"
    );
    if http_failure.is_none() {
        let http_deadline = deadline.min(Instant::now() + HTTP_DRAIN_MAX);
        if tokio::time::timeout_at(http_deadline, &mut http)
            .await
            .is_err()
        {
            tracing::warn!(
                "in-flight HTTP requests did not finish in time; closing the queue anyway"
            );
            http.abort();
        }
    }
    queue.close();

    let unflushed = match tokio::time::timeout_at(deadline, &mut forwarder).await {
        Ok(joined) => joined.context("forwarder task failed")?,
        Err(_deadline) => {
            hard_stop.cancel();
            forwarder.await.context("forwarder task failed")?
        }
    };
    upkeep.abort();
    metrics.shutdown_unflushed(unflushed);
    metrics.queue_depth(unflushed);
    if unflushed == 0 {
        tracing::info!("shutdown complete: every accepted event was forwarded");
    } else {
        tracing::error!(
            unflushed_events = unflushed,
            "shutdown deadline reached: accepted events were NOT forwarded to the server and are lost"
        );
    }

    if let Some(ended) = http_failure {
        ended
            .context("HTTP server task failed")?
            .context("HTTP server failed")?;
        anyhow::bail!("HTTP server stopped unexpectedly");
    }
    Ok(ShutdownReport {
        unflushed_events: unflushed,
    })
}
