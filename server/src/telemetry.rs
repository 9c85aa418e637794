//! Logging (text or JSON via `tracing-subscriber`) and Prometheus metrics
//! (`metrics-exporter-prometheus`, served at `GET /metrics` on `metrics_listen`).
//!
//! Metrics: `hh_rpc_duration_seconds{method}` (histogram, time to response headers),
//! `hh_legs{state}` (gauge, legs of active jobs by state, refreshed every tick),
//! `hh_leg_transitions_total{to}`, `hh_callouts_total`, `hh_callout_failures_total`,
//! `hh_transfers_total`, `hh_transfer_failures_total`, `hh_jobs_started_total`,
//! `hh_jobs_finished_total{state}`, `hh_verdict_to_transfer_request_seconds` (histogram).

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::task::{Context, Poll};
use std::time::Instant;

use futures::future::BoxFuture;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;

use crate::config::{LogConfig, LogFormat};
use crate::engine::model::LegState;

/// Installs the global tracing subscriber (once; later calls are ignored).
pub fn init_tracing(cfg: &LogConfig) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&cfg.filter))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _ = match cfg.format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process-wide Prometheus recorder (installed on first use).
pub fn prometheus() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let latency = [
            0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
        ];
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full("hh_rpc_duration_seconds".into()), &latency)
            .and_then(|b| {
                b.set_buckets_for_metric(
                    Matcher::Full("hh_verdict_to_transfer_request_seconds".into()),
                    &latency,
                )
            })
            .unwrap_or_else(|_| PrometheusBuilder::new());
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

/// Serves `GET /metrics` on `listener` until `shutdown` resolves.
pub async fn serve_metrics(
    listener: TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) {
    let handle = prometheus().clone();
    let app = axum::Router::new().route(
        "/metrics",
        axum::routing::get(move || {
            let handle = handle.clone();
            async move { handle.render() }
        }),
    );
    if let Err(e) = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
    {
        tracing::warn!(error = %e, "metrics endpoint stopped");
    }
}

/// Binds the metrics address.
pub async fn bind_metrics(addr: SocketAddr) -> anyhow::Result<TcpListener> {
    TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot bind metrics_listen {addr}: {e}"))
}

/// Counts a leg transition.
pub fn leg_transition(_from: LegState, to: LegState) {
    metrics::counter!("hh_leg_transitions_total", "to" => to.name()).increment(1);
}

/// Sets the `hh_legs{state}` gauge from a census of active legs.
pub fn set_leg_census(counts: &[(&'static str, usize)]) {
    for (state, n) in counts {
        metrics::gauge!("hh_legs", "state" => *state).set(*n as f64);
    }
}

/// Tower layer recording `hh_rpc_duration_seconds{method}` per request path.
#[derive(Debug, Clone, Copy, Default)]
pub struct RpcMetricsLayer;

impl<S> tower::Layer<S> for RpcMetricsLayer {
    type Service = RpcMetrics<S>;
    fn layer(&self, inner: S) -> Self::Service {
        RpcMetrics { inner }
    }
}

/// See [`RpcMetricsLayer`].
#[derive(Debug, Clone)]
pub struct RpcMetrics<S> {
    inner: S,
}

impl<S, B> tower::Service<http::Request<B>> for RpcMetrics<S>
where
    S: tower::Service<http::Request<B>>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<S::Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        let method = req.uri().path().to_owned();
        let start = Instant::now();
        let fut = self.inner.call(req);
        Box::pin(async move {
            let out = fut.await;
            metrics::histogram!("hh_rpc_duration_seconds", "method" => method)
                .record(start.elapsed().as_secs_f64());
            out
        })
    }
}
