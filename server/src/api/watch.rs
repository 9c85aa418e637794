//! The `JobService/WatchJob` stream: a snapshot (unless resuming), then the job's Redis event
//! stream read with `XREAD BLOCK` on a connection of its own.
//!
//! When it ends:
//! - once the job is terminal **and** every leg is terminal (ENDED/TRANSFERRED) **and** every
//!   event up to that point (the stream id read atomically with the records) was sent, so the
//!   LOST_RACE hang-ups that follow a transfer reach the watcher;
//! - or, when a leg never ends, once `engine.watch_leg_grace_ms` have passed since the job
//!   ended (`ended_at_ms`), again only after every event written so far was sent;
//! - when the job's records expired (NOT_FOUND while reading): cleanly;
//! - on server shutdown: cleanly (the client resumes elsewhere with its last token).
//!
//! Redis errors (a restart, a failover, a dropped connection) do not end the stream: the read
//! is retried on a new connection with backoff (100 ms doubling to 1 s) for up to
//! `engine.watch_redis_retry_ms` since the first failure in a row; only then the stream ends
//! with UNAVAILABLE (reason `STORE_UNAVAILABLE`).

use std::pin::Pin;
use std::time::{Duration, Instant};

use futures::Stream;
use holdhunter_proto::v1 as pb;
use tonic::Status;

use super::convert;
use crate::engine::Engine;
use crate::engine::model::{EventKind, now_ms};
use crate::error::Error;
use crate::store::{JobSnapshot, Store};

/// The stream type of `WatchJob`.
pub type WatchStream = Pin<Box<dyn Stream<Item = Result<pb::WatchJobResponse, Status>> + Send>>;

/// How long one `XREAD BLOCK` waits for new entries, ms (also the period of the end check).
const READ_BLOCK_MS: u64 = 1_000;
/// Entries per `XREAD`.
const READ_COUNT: usize = 256;
/// First and longest delay between Redis retries.
const RETRY_INITIAL: Duration = Duration::from_millis(100);
const RETRY_MAX: Duration = Duration::from_secs(1);

/// A Redis stream id `"<ms>-<seq>"` as a comparable pair; `None` when malformed.
pub fn parse_stream_id(id: &str) -> Option<(u64, u64)> {
    let (ms, seq) = id.split_once('-')?;
    Some((ms.parse().ok()?, seq.parse().ok()?))
}

/// True when `last` (the newest id sent) is at or after `head` (the newest id written).
fn caught_up(last: &str, head: &str) -> bool {
    match (parse_stream_id(last), parse_stream_id(head)) {
        (Some(last), Some(head)) => last >= head,
        _ => true,
    }
}

/// True when the job is terminal and its legs are too, or the grace after the job ended has
/// passed (`first_seen_terminal` stands in for a missing `ended_at_ms`).
fn finished(snap: &JobSnapshot, grace_ms: u64, first_seen_terminal: Instant) -> bool {
    if !snap.job.state.is_terminal() {
        return false;
    }
    if snap.legs.iter().all(|(leg, _)| leg.state.is_terminal()) {
        return true;
    }
    match snap.job.ended_at_ms {
        Some(ended) => now_ms().saturating_sub(ended) >= grace_ms as i64,
        None => first_seen_terminal.elapsed() >= Duration::from_millis(grace_ms),
    }
}

/// Consecutive Redis failures: backoff and a time budget.
struct RedisRetry {
    budget: Duration,
    failing_since: Option<Instant>,
    delay: Duration,
}

impl RedisRetry {
    fn new(budget_ms: u64) -> Self {
        Self {
            budget: Duration::from_millis(budget_ms),
            failing_since: None,
            delay: RETRY_INITIAL,
        }
    }

    fn succeeded(&mut self) {
        self.failing_since = None;
        self.delay = RETRY_INITIAL;
    }

    /// The delay before the next attempt, or `None` when the budget is spent.
    fn next_delay(&mut self) -> Option<Duration> {
        let since = *self.failing_since.get_or_insert_with(Instant::now);
        if since.elapsed() >= self.budget {
            return None;
        }
        let delay = self.delay;
        self.delay = (self.delay * 2).min(RETRY_MAX);
        Some(delay)
    }
}

/// Builds the stream. `snap` is the job as loaded by the handler; `resume` the validated
/// resume token (`None`: start with `snap` as the snapshot); `conn` a dedicated connection.
pub fn watch_stream(
    engine: Engine,
    job_id: String,
    snap: JobSnapshot,
    resume: Option<String>,
    conn: redis::aio::MultiplexedConnection,
) -> WatchStream {
    let grace_ms = engine.config().watch_leg_grace_ms;
    let mut retry = RedisRetry::new(engine.config().watch_redis_retry_ms);
    let mut shutdown = engine.shutdown_signal();
    let stream = async_stream::try_stream! {
        let mut conn = Some(conn);
        let mut terminal_seen_at: Option<Instant> = None;
        let mut last = match resume {
            Some(token) => token,
            None => {
                yield pb::WatchJobResponse {
                    resume_token: snap.last_event_id.clone(),
                    payload: Some(pb::watch_job_response::Payload::Snapshot(convert::snapshot(&snap))),
                };
                if snap.job.state.is_terminal() {
                    let seen = *terminal_seen_at.get_or_insert_with(Instant::now);
                    if finished(&snap, grace_ms, seen) {
                        return;
                    }
                }
                snap.last_event_id.clone()
            }
        };
        loop {
            if *shutdown.borrow() {
                break;
            }
            // (Re)connect after a failure.
            if conn.is_none() {
                let connected = tokio::select! {
                    _ = shutdown.changed() => break,
                    c = engine.store().dedicated_connection() => c,
                };
                match connected {
                    Ok(c) => conn = Some(c),
                    Err(err) => {
                        let Some(delay) = retry.next_delay() else { Err::<(), Status>(Status::from(err))?; break };
                        tracing::debug!(job_id = %job_id, error = %err, "WatchJob: Redis connect failed; retrying");
                        tokio::select! {
                            _ = shutdown.changed() => break,
                            _ = tokio::time::sleep(delay) => continue,
                        }
                    }
                }
            }
            let Some(c) = conn.as_mut() else { continue };
            let read = tokio::select! {
                _ = shutdown.changed() => break,
                r = Store::read_events(c, &job_id, &last, READ_BLOCK_MS, READ_COUNT) => r,
            };
            let batch = match read {
                Ok(batch) => {
                    retry.succeeded();
                    batch
                }
                Err(Error::Store(msg)) => {
                    conn = None;
                    let Some(delay) = retry.next_delay() else { Err::<(), Status>(Status::from(Error::Store(msg)))?; break };
                    tracing::debug!(job_id = %job_id, error = %msg, "WatchJob: Redis read failed; retrying");
                    tokio::select! {
                        _ = shutdown.changed() => break,
                        _ = tokio::time::sleep(delay) => continue,
                    }
                }
                Err(err) => { Err::<(), Status>(Status::from(err))?; break }
            };
            let idle = batch.is_empty();
            for (id, ev) in batch {
                last = id.clone();
                if ev.kind == EventKind::JobState && ev.job_state.is_terminal() {
                    terminal_seen_at.get_or_insert_with(Instant::now);
                }
                yield pb::WatchJobResponse {
                    resume_token: id,
                    payload: Some(pb::watch_job_response::Payload::Event(convert::event(&ev))),
                };
            }
            // End check: when idle (the job may have ended before we caught up, or never
            // write again) and after the job's terminal event.
            if idle || terminal_seen_at.is_some() {
                match engine.job(&job_id).await {
                    Ok(now) => {
                        retry.succeeded();
                        if now.job.state.is_terminal() {
                            let seen = *terminal_seen_at.get_or_insert_with(Instant::now);
                            if caught_up(&last, &now.last_event_id) && finished(&now, grace_ms, seen) {
                                break;
                            }
                        }
                    }
                    Err(Error::JobNotFound(_)) => break,
                    Err(Error::Store(msg)) => {
                        let Some(delay) = retry.next_delay() else { Err::<(), Status>(Status::from(Error::Store(msg)))?; break };
                        tokio::select! {
                            _ = shutdown.changed() => break,
                            _ = tokio::time::sleep(delay) => {}
                        }
                    }
                    Err(err) => { Err::<(), Status>(Status::from(err))?; break }
                }
            }
        }
    };
    Box::pin(stream)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_ids_compare_numerically() {
        assert!(caught_up("10-2", "10-2"));
        assert!(caught_up("11-0", "10-9"));
        assert!(!caught_up("9-10", "10-0"));
        assert!(!caught_up("10-2", "10-10"));
        assert_eq!(parse_stream_id("0-0"), Some((0, 0)));
        assert_eq!(parse_stream_id("x"), None);
    }

    #[test]
    fn retry_backs_off_and_stops_at_the_budget() {
        let mut retry = RedisRetry::new(0);
        assert_eq!(retry.next_delay(), None);
        let mut retry = RedisRetry::new(60_000);
        let delays: Vec<_> = (0..6).map(|_| retry.next_delay().unwrap()).collect();
        assert_eq!(delays[0], Duration::from_millis(100));
        assert_eq!(delays[1], Duration::from_millis(200));
        assert_eq!(delays[5], Duration::from_secs(1));
        retry.succeeded();
        assert_eq!(retry.next_delay(), Some(Duration::from_millis(100)));
    }
}
