//! The bounded, ordered, in-memory delivery queue between the webhook handler and the
//! forwarder.
//!
//! One FIFO for all sessions: events leave in acceptance order, so the order of every
//! telephony session's notifications (as accepted by this bridge) is preserved. The bound
//! counts queued **and** in-flight events, so memory stays bounded while a batch is being
//! retried. Push never waits (the handler must answer fast); it fails when full or closed.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Instant;

use holdhunter_proto::v1::TelephonySessionEvent;
use prost::Message;
use tokio::sync::Notify;

/// One accepted event waiting for the server.
#[derive(Debug, Clone)]
pub struct QueuedEvent {
    /// When the handler accepted it (for `hh_bridge_event_forward_delay_seconds`).
    pub accepted_at: Instant,
    /// Protobuf-encoded size in bytes (for the batch byte budget).
    pub encoded_bytes: usize,
    /// The event as it will be sent.
    pub event: TelephonySessionEvent,
}

impl QueuedEvent {
    /// Wraps an event accepted now.
    pub fn new(event: TelephonySessionEvent) -> Self {
        Self {
            accepted_at: Instant::now(),
            encoded_bytes: event.encoded_len(),
            event,
        }
    }
}

/// Why [`DeliveryQueue::push`] refused an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PushError {
    /// Queued + in-flight events are at the capacity.
    #[error("delivery queue is full")]
    Full,
    /// Shutdown closed the queue.
    #[error("delivery queue is closed (shutting down)")]
    Closed,
}

/// Bounded FIFO with a single consumer (the forwarder).
#[derive(Debug)]
pub struct DeliveryQueue {
    capacity: usize,
    state: Mutex<State>,
    /// Wakes the consumer; `notify_one` stores a permit if it is not waiting yet.
    wake_consumer: Notify,
}

#[derive(Debug, Default)]
struct State {
    events: VecDeque<QueuedEvent>,
    in_flight: usize,
    closed: bool,
}

impl DeliveryQueue {
    /// A queue holding at most `capacity` events (queued + in flight).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            state: Mutex::new(State::default()),
            wake_consumer: Notify::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Appends an event; returns the depth (queued + in flight) after the push.
    pub fn push(&self, event: QueuedEvent) -> Result<usize, PushError> {
        let depth = {
            let mut state = self.lock();
            if state.closed {
                return Err(PushError::Closed);
            }
            if state.events.len() + state.in_flight >= self.capacity {
                return Err(PushError::Full);
            }
            state.events.push_back(event);
            state.events.len() + state.in_flight
        };
        self.wake_consumer.notify_one();
        Ok(depth)
    }

    /// Waits for events and takes the oldest ones, at most `max_events` and at most
    /// `max_bytes` encoded bytes (but always at least one event). They count as in flight until
    /// [`Self::complete`]. Returns `None` once the queue is closed and empty.
    pub async fn next_batch(
        &self,
        max_events: usize,
        max_bytes: usize,
    ) -> Option<Vec<QueuedEvent>> {
        loop {
            {
                let mut state = self.lock();
                if !state.events.is_empty() {
                    let mut batch = Vec::with_capacity(max_events.min(state.events.len()));
                    let mut bytes = 0;
                    while let Some(next) = state.events.front() {
                        let fits = batch.is_empty()
                            || (batch.len() < max_events
                                && bytes + next.encoded_bytes <= max_bytes);
                        if !fits {
                            break;
                        }
                        bytes += next.encoded_bytes;
                        batch.extend(state.events.pop_front());
                    }
                    state.in_flight += batch.len();
                    return Some(batch);
                }
                if state.closed {
                    return None;
                }
            }
            self.wake_consumer.notified().await;
        }
    }

    /// Releases `events` in-flight events (forwarded, or given up on).
    pub fn complete(&self, events: usize) {
        let mut state = self.lock();
        state.in_flight = state.in_flight.saturating_sub(events);
    }

    /// Refuses further pushes; the consumer drains what is left, then gets `None`.
    pub fn close(&self) {
        self.lock().closed = true;
        self.wake_consumer.notify_one();
    }

    /// Queued + in-flight events.
    pub fn depth(&self) -> usize {
        let state = self.lock();
        state.events.len() + state.in_flight
    }

    /// Queued events not yet taken by the consumer.
    pub fn queued(&self) -> usize {
        self.lock().events.len()
    }

    /// True when a push would fail with [`PushError::Full`].
    pub fn is_full(&self) -> bool {
        self.depth() >= self.capacity
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(sequence: i64) -> QueuedEvent {
        QueuedEvent::new(TelephonySessionEvent {
            sequence,
            ..Default::default()
        })
    }

    #[tokio::test]
    async fn fifo_batches_with_bound_counting_in_flight() {
        let q = DeliveryQueue::new(3);
        for s in 0..3 {
            q.push(event(s)).unwrap();
        }
        assert_eq!(q.push(event(9)), Err(PushError::Full));
        let batch = q.next_batch(2, usize::MAX).await.unwrap();
        assert_eq!(
            batch.iter().map(|e| e.event.sequence).collect::<Vec<_>>(),
            [0, 1]
        );
        assert_eq!(
            q.push(event(9)),
            Err(PushError::Full),
            "in-flight events count"
        );
        q.complete(2);
        q.push(event(3)).unwrap();
        let batch = q.next_batch(10, usize::MAX).await.unwrap();
        assert_eq!(
            batch.iter().map(|e| e.event.sequence).collect::<Vec<_>>(),
            [2, 3]
        );
        q.complete(2);
        q.close();
        assert_eq!(q.push(event(4)), Err(PushError::Closed));
        assert!(q.next_batch(10, usize::MAX).await.is_none());
    }

    #[tokio::test]
    async fn byte_budget_still_takes_one_event() {
        let q = DeliveryQueue::new(10);
        q.push(event(1)).unwrap();
        q.push(event(2)).unwrap();
        assert_eq!(q.next_batch(10, 0).await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn consumer_wakes_on_push() {
        let q = std::sync::Arc::new(DeliveryQueue::new(10));
        let consumer = {
            let q = q.clone();
            tokio::spawn(async move { q.next_batch(10, usize::MAX).await })
        };
        tokio::task::yield_now().await;
        q.push(event(7)).unwrap();
        let batch = consumer.await.unwrap().unwrap();
        assert_eq!(batch[0].event.sequence, 7);
    }
}
