//! The forwarder task: drains the [`DeliveryQueue`] in batches, in acceptance order, to the
//! server's `IngestTelephonyEvents`, retrying with capped exponential backoff while the server
//! is unavailable (head-of-line: nothing behind a failing batch overtakes it).
//!
//! The only events ever given up on are those the server refuses as invalid
//! (`InvalidArgument` / `OutOfRange`): a refused batch is re-sent one event at a time so that
//! only the offending events are dropped (counted in
//! `hh_bridge_forward_rejected_events_total`, logged at ERROR). Every other failure
//! (unavailable, deadline, unauthenticated, ...) is retried until it succeeds or the shutdown
//! deadline fires.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use super::backoff::retry_delay;
use super::ingest_client::IngestClient;
use super::queue::{DeliveryQueue, QueuedEvent};
use crate::config::BridgeConfig;
use crate::telemetry::loud_log::LoudLog;
use crate::telemetry::metrics::BridgeMetrics;

/// Minimum interval between repeated ERROR lines about a continuing server outage.
const OUTAGE_LOG_INTERVAL: Duration = Duration::from_secs(30);

/// Drains the queue; see the module docs.
pub struct Forwarder {
    client: IngestClient,
    queue: Arc<DeliveryQueue>,
    metrics: BridgeMetrics,
    batch_max_events: usize,
    batch_max_bytes: usize,
    retry_initial_backoff: Duration,
    retry_max_backoff: Duration,
    outage_log: LoudLog,
}

/// How one chunk of events ended.
enum ChunkOutcome {
    /// The server confirmed every event.
    Confirmed,
    /// The server refused the chunk as invalid.
    Rejected(tonic::Status),
    /// The hard stop fired first; the chunk is unsent (or its fate unknown).
    Stopped,
}

impl Forwarder {
    /// A forwarder for `queue` with the config's batch and retry bounds.
    pub fn new(
        config: &BridgeConfig,
        client: IngestClient,
        queue: Arc<DeliveryQueue>,
        metrics: BridgeMetrics,
    ) -> Self {
        Self {
            client,
            queue,
            metrics,
            batch_max_events: config.batch_max_events,
            batch_max_bytes: config.batch_max_bytes,
            retry_initial_backoff: config.retry_initial_backoff,
            retry_max_backoff: config.retry_max_backoff,
            outage_log: LoudLog::new(OUTAGE_LOG_INTERVAL),
        }
    }

    /// Runs until the queue is closed and drained (returns 0) or `hard_stop` fires (returns the
    /// number of accepted events not confirmed by the server, in flight included).
    pub async fn run(self, hard_stop: CancellationToken) -> usize {
        loop {
            let next = tokio::select! {
                biased;
                () = hard_stop.cancelled() => return self.queue.queued(),
                next = self.queue.next_batch(self.batch_max_events, self.batch_max_bytes) => next,
            };
            let Some(batch) = next else { return 0 };
            let taken = batch.len();
            let unsent = self.deliver(batch, &hard_stop).await;
            self.queue.complete(taken);
            self.metrics.queue_depth(self.queue.depth());
            if let Some(unsent) = unsent {
                return unsent + self.queue.queued();
            }
        }
    }

    /// Delivers one batch; `Some(unsent)` when stopped before finishing.
    async fn deliver(&self, batch: Vec<QueuedEvent>, stop: &CancellationToken) -> Option<usize> {
        let mut pending = VecDeque::from([batch]);
        while let Some(chunk) = pending.pop_front() {
            match self.send_until_answered(&chunk, stop).await {
                ChunkOutcome::Confirmed => {}
                ChunkOutcome::Rejected(status) if chunk.len() > 1 => {
                    tracing::warn!(
                        code = ?status.code(),
                        events = chunk.len(),
                        "server refused a batch as invalid; re-sending its events one by one"
                    );
                    for event in chunk.into_iter().rev() {
                        pending.push_front(vec![event]);
                    }
                }
                ChunkOutcome::Rejected(status) => {
                    let event = &chunk[0].event;
                    tracing::error!(
                        code = ?status.code(),
                        reason = status.message(),
                        telephony_session_id = %event.telephony_session_id,
                        sequence = event.sequence,
                        "server refused an event as invalid; dropping it"
                    );
                    self.metrics.events_rejected(1);
                }
                ChunkOutcome::Stopped => {
                    return Some(chunk.len() + pending.iter().map(Vec::len).sum::<usize>());
                }
            }
        }
        None
    }

    async fn send_until_answered(
        &self,
        chunk: &[QueuedEvent],
        stop: &CancellationToken,
    ) -> ChunkOutcome {
        let mut failed_attempts: u32 = 0;
        let mut outage_started: Option<Instant> = None;
        loop {
            let events = chunk.iter().map(|e| e.event.clone()).collect();
            let started = Instant::now();
            let answer = tokio::select! {
                biased;
                () = stop.cancelled() => return ChunkOutcome::Stopped,
                answer = self.client.ingest(events) => answer,
            };
            let rpc = started.elapsed();
            let status = match answer {
                Ok(response) => {
                    self.metrics.batch_ok(chunk.len(), rpc);
                    for event in chunk {
                        self.metrics
                            .event_forwarded_after(event.accepted_at.elapsed());
                    }
                    if let Some(since) = outage_started {
                        tracing::info!(
                            failed_attempts,
                            outage_ms = since.elapsed().as_millis() as u64,
                            "server accepts events again"
                        );
                    }
                    tracing::debug!(
                        events = chunk.len(),
                        accepted = response.accepted,
                        unmatched = response.unmatched,
                        "forwarded batch"
                    );
                    return ChunkOutcome::Confirmed;
                }
                Err(status) => status,
            };
            self.metrics.batch_error(status.code(), rpc);
            if is_refusal(status.code()) {
                return ChunkOutcome::Rejected(status);
            }
            failed_attempts += 1;
            let since = *outage_started.get_or_insert(started);
            if failed_attempts == 1 {
                tracing::warn!(
                    code = ?status.code(),
                    reason = status.message(),
                    queue_depth = self.queue.depth(),
                    "forwarding to the server failed; retrying with backoff"
                );
            } else if let Some(suppressed) = self.outage_log.should_emit() {
                tracing::error!(
                    code = ?status.code(),
                    reason = status.message(),
                    failed_attempts,
                    outage_ms = since.elapsed().as_millis() as u64,
                    queue_depth = self.queue.depth(),
                    suppressed,
                    "server still not accepting events; holding them in the queue"
                );
            }
            let delay = retry_delay(
                failed_attempts,
                self.retry_initial_backoff,
                self.retry_max_backoff,
            );
            tokio::select! {
                biased;
                () = stop.cancelled() => return ChunkOutcome::Stopped,
                () = tokio::time::sleep(delay) => {}
            }
        }
    }
}

/// Codes meaning "this request will never succeed as sent"; everything else is retried.
fn is_refusal(code: tonic::Code) -> bool {
    matches!(code, tonic::Code::InvalidArgument | tonic::Code::OutOfRange)
}
