//! Prometheus metrics of one bridge instance.
//!
//! Each [`crate::run`] owns its own recorder (no process-global recorder), so several bridges
//! (or a bridge and the server) can live in one process, and tests read exact counts from
//! their own instance's `/metrics`.
//!
//! | metric | type | labels |
//! |---|---|---|
//! | `hh_bridge_deliveries_total` | counter | `outcome` = [`DeliveryOutcome::as_str`] |
//! | `hh_bridge_ack_latency_seconds` | histogram | (request received → response built) |
//! | `hh_bridge_forward_latency_seconds` | histogram | (one `IngestTelephonyEvents` RPC) |
//! | `hh_bridge_event_forward_delay_seconds` | histogram | (event accepted → server confirmed) |
//! | `hh_bridge_queue_depth` | gauge | events queued + in flight |
//! | `hh_bridge_forward_batches_total` | counter | `result` = `ok` / `error` |
//! | `hh_bridge_forward_errors_total` | counter | `code` = gRPC status code name |
//! | `hh_bridge_forwarded_events_total` | counter | events the server confirmed |
//! | `hh_bridge_forward_rejected_events_total` | counter | events the server refused as invalid (dropped) |
//! | `hh_bridge_shutdown_unflushed_events` | gauge | events left when the shutdown deadline hit |

use std::sync::Arc;
use std::time::Duration;

use metrics::{Counter, Gauge, Histogram, Key, Label, Level, Metadata, Recorder, Unit};
use metrics_exporter_prometheus::{
    Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder,
};

/// Latency buckets in seconds, 0.25 ms .. 10 s.
const LATENCY_BUCKETS_SECONDS: [f64; 15] = [
    0.000_25, 0.000_5, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// What the bridge did with one HTTP request on the webhook path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// Validation handshake echoed (reference §5).
    Validation,
    /// Telephony notification queued for the server (200).
    Accepted,
    /// Well-formed non-telephony event, acknowledged and not forwarded (200).
    IgnoredNonTelephony,
    /// `Verification-Token` missing or wrong (401).
    RejectedUnauthorized,
    /// Not JSON / not an object / unreadable body (400).
    RejectedMalformed,
    /// JSON but missing what the engine needs (400).
    RejectedInvalid,
    /// Body over `max_body_bytes` (413).
    RejectedTooLarge,
    /// Queue at its bound (503): the delivery is lost unless RingCentral retries.
    DroppedQueueFull,
    /// Arrived after shutdown closed the queue (503).
    RejectedShuttingDown,
}

impl DeliveryOutcome {
    /// Every outcome, for pre-registering the counters at 0.
    pub const ALL: [DeliveryOutcome; 9] = [
        Self::Validation,
        Self::Accepted,
        Self::IgnoredNonTelephony,
        Self::RejectedUnauthorized,
        Self::RejectedMalformed,
        Self::RejectedInvalid,
        Self::RejectedTooLarge,
        Self::DroppedQueueFull,
        Self::RejectedShuttingDown,
    ];

    /// The `outcome` label value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Validation => "validation",
            Self::Accepted => "accepted",
            Self::IgnoredNonTelephony => "ignored_non_telephony",
            Self::RejectedUnauthorized => "rejected_unauthorized",
            Self::RejectedMalformed => "rejected_malformed",
            Self::RejectedInvalid => "rejected_invalid",
            Self::RejectedTooLarge => "rejected_too_large",
            Self::DroppedQueueFull => "dropped_queue_full",
            Self::RejectedShuttingDown => "rejected_shutting_down",
        }
    }

    fn index(self) -> usize {
        Self::ALL.iter().position(|o| *o == self).unwrap_or(0)
    }
}

/// Handles to every bridge metric, registered once on a private Prometheus recorder.
#[derive(Clone)]
pub struct BridgeMetrics {
    inner: Arc<Inner>,
}

struct Inner {
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
    deliveries: Vec<Counter>,
    ack_latency: Histogram,
    forward_latency: Histogram,
    event_forward_delay: Histogram,
    queue_depth: Gauge,
    batches_ok: Counter,
    batches_error: Counter,
    forwarded_events: Counter,
    rejected_events: Counter,
    shutdown_unflushed: Gauge,
}

const METADATA: Metadata<'static> =
    Metadata::new(module_path!(), Level::INFO, Some(module_path!()));

impl BridgeMetrics {
    /// Builds the recorder and registers every metric (delivery counters start at 0).
    pub fn new() -> Self {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &LATENCY_BUCKETS_SECONDS)
            .expect("non-empty bucket list")
            .build_recorder();
        let handle = recorder.handle();
        let counter = |name: &'static str, labels: Vec<Label>| {
            recorder.register_counter(&Key::from_parts(name, labels), &METADATA)
        };
        let describe = |name: &'static str, unit: Unit, help: &'static str| {
            recorder.describe_counter(name.into(), Some(unit), help.into());
        };
        describe(
            "hh_bridge_deliveries_total",
            Unit::Count,
            "Webhook requests by outcome",
        );
        describe(
            "hh_bridge_forward_batches_total",
            Unit::Count,
            "IngestTelephonyEvents RPCs by result",
        );
        describe(
            "hh_bridge_forward_errors_total",
            Unit::Count,
            "Failed IngestTelephonyEvents RPCs by gRPC code",
        );
        describe(
            "hh_bridge_forwarded_events_total",
            Unit::Count,
            "Events confirmed by the server",
        );
        describe(
            "hh_bridge_forward_rejected_events_total",
            Unit::Count,
            "Events the server refused as invalid (dropped)",
        );
        recorder.describe_histogram(
            "hh_bridge_ack_latency_seconds".into(),
            Some(Unit::Seconds),
            "Webhook request received to response built".into(),
        );
        recorder.describe_histogram(
            "hh_bridge_forward_latency_seconds".into(),
            Some(Unit::Seconds),
            "Duration of one IngestTelephonyEvents RPC".into(),
        );
        recorder.describe_histogram(
            "hh_bridge_event_forward_delay_seconds".into(),
            Some(Unit::Seconds),
            "Event accepted to confirmed by the server".into(),
        );
        recorder.describe_gauge(
            "hh_bridge_queue_depth".into(),
            Some(Unit::Count),
            "Events queued or in flight to the server".into(),
        );
        recorder.describe_gauge(
            "hh_bridge_shutdown_unflushed_events".into(),
            Some(Unit::Count),
            "Accepted events not forwarded when the shutdown deadline hit".into(),
        );
        let deliveries = DeliveryOutcome::ALL
            .iter()
            .map(|o| {
                counter(
                    "hh_bridge_deliveries_total",
                    vec![Label::new("outcome", o.as_str())],
                )
            })
            .collect();
        let histogram =
            |name: &'static str| recorder.register_histogram(&Key::from_name(name), &METADATA);
        let gauge = |name: &'static str| recorder.register_gauge(&Key::from_name(name), &METADATA);
        let inner = Inner {
            deliveries,
            ack_latency: histogram("hh_bridge_ack_latency_seconds"),
            forward_latency: histogram("hh_bridge_forward_latency_seconds"),
            event_forward_delay: histogram("hh_bridge_event_forward_delay_seconds"),
            queue_depth: gauge("hh_bridge_queue_depth"),
            batches_ok: counter(
                "hh_bridge_forward_batches_total",
                vec![Label::new("result", "ok")],
            ),
            batches_error: counter(
                "hh_bridge_forward_batches_total",
                vec![Label::new("result", "error")],
            ),
            forwarded_events: counter("hh_bridge_forwarded_events_total", vec![]),
            rejected_events: counter("hh_bridge_forward_rejected_events_total", vec![]),
            shutdown_unflushed: gauge("hh_bridge_shutdown_unflushed_events"),
            handle,
            recorder,
        };
        inner.queue_depth.set(0.0);
        inner.shutdown_unflushed.set(0.0);
        Self {
            inner: Arc::new(inner),
        }
    }

    /// Counts one webhook request and records its ack latency.
    pub fn delivery(&self, outcome: DeliveryOutcome, ack_latency: Duration) {
        self.inner.deliveries[outcome.index()].increment(1);
        self.inner.ack_latency.record(ack_latency.as_secs_f64());
    }

    /// Sets the queue depth gauge (events queued + in flight).
    pub fn queue_depth(&self, depth: usize) {
        self.inner.queue_depth.set(depth as f64);
    }

    /// Records a confirmed RPC of `events` events taking `rpc`.
    pub fn batch_ok(&self, events: usize, rpc: Duration) {
        self.inner.batches_ok.increment(1);
        self.inner.forwarded_events.increment(events as u64);
        self.inner.forward_latency.record(rpc.as_secs_f64());
    }

    /// Records the accept→confirm delay of one event.
    pub fn event_forwarded_after(&self, delay: Duration) {
        self.inner.event_forward_delay.record(delay.as_secs_f64());
    }

    /// Records a failed RPC with its gRPC status code.
    pub fn batch_error(&self, code: tonic::Code, rpc: Duration) {
        self.inner.batches_error.increment(1);
        self.inner.forward_latency.record(rpc.as_secs_f64());
        let label = Label::new("code", format!("{code:?}"));
        self.inner
            .recorder
            .register_counter(
                &Key::from_parts("hh_bridge_forward_errors_total", vec![label]),
                &METADATA,
            )
            .increment(1);
    }

    /// Counts events the server refused as invalid (they are dropped).
    pub fn events_rejected(&self, events: usize) {
        self.inner.rejected_events.increment(events as u64);
    }

    /// Sets the number of accepted events left unforwarded at the shutdown deadline.
    pub fn shutdown_unflushed(&self, events: usize) {
        self.inner.shutdown_unflushed.set(events as f64);
    }

    /// Prometheus text exposition format (version 0.0.4).
    pub fn render(&self) -> String {
        self.inner.handle.render()
    }

    /// Drains histogram buckets; call periodically (the bridge does every 5 s).
    pub fn run_upkeep(&self) {
        self.inner.handle.run_upkeep();
    }
}

impl Default for BridgeMetrics {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_pre_registered_outcomes_and_counts() {
        let m = BridgeMetrics::new();
        m.delivery(
            DeliveryOutcome::DroppedQueueFull,
            Duration::from_micros(300),
        );
        m.batch_error(tonic::Code::Unavailable, Duration::from_millis(1));
        let text = m.render();
        assert!(
            text.contains(r#"hh_bridge_deliveries_total{outcome="dropped_queue_full"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"hh_bridge_deliveries_total{outcome="accepted"} 0"#),
            "{text}"
        );
        assert!(
            text.contains(r#"hh_bridge_forward_errors_total{code="Unavailable"} 1"#),
            "{text}"
        );
        assert!(
            text.contains("hh_bridge_ack_latency_seconds_bucket"),
            "{text}"
        );
    }
}
