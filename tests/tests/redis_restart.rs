//! Redis dies mid-hunt (SIGKILL; AOF with `appendfsync everysec`) and is restarted on the same
//! port and data directory. The server reconnects on its own (no restart), its reconciliation
//! repairs what the crash lost, and the hunt completes with exactly one transfer. A WatchJob
//! client rides through the outage on the same stream (the server retries Redis inside the
//! stream, `engine.watch_redis_retry_ms`).
//!
//! Tolerated: up to about one second of writes before the kill may be lost (AOF everysec), so
//! a leg may fall back a state or end LOST and a few already-streamed events may be missing
//! from Redis afterwards; the test requires only: the job ends TRANSFERRED with one transfer,
//! exactly one transfer request reaches the simulator, every other call of the job is ended
//! by the simulator's ground truth (no leaked call), and the watcher never saw an error.

use std::time::{Duration, Instant};

use holdhunter_e2e::holdhunter_proto::v1 as pb;
use holdhunter_e2e::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hunt_survives_a_redis_kill_and_restart() {
    let started = Instant::now();
    let mut e2e = E2e::start(test_options(404)).await.expect("stack");
    let job = e2e.start_job("irs-pps", 6).await.unwrap();
    let watcher = e2e.watch(&job.job_id);

    // Mid-hunt: two legs on HOLD, the others still being set up.
    e2e.wait_job(
        &job.job_id,
        "two legs on HOLD",
        Duration::from_secs(30),
        |j| {
            j.legs
                .iter()
                .filter(|l| is_state(l, pb::LegState::Hold))
                .count()
                >= 2
        },
    )
    .await
    .unwrap();
    let redis = e2e.stack.redis();
    redis.kill();
    assert!(!redis.is_running());
    let killed_at = Instant::now();
    tokio::time::sleep(Duration::from_millis(300)).await; // the outage: nothing listens
    e2e.stack.redis().restart().unwrap();
    let outage = killed_at.elapsed();

    // The server answers again without a restart of its own.
    e2e.wait_job(
        &job.job_id,
        "GetJob after the Redis restart",
        Duration::from_secs(20),
        |_| true,
    )
    .await
    .unwrap();
    // Every leg still alive reaches HOLD (reconciliation), then the operator confirms one.
    let held = e2e
        .wait_job(
            &job.job_id,
            "every live leg on HOLD",
            Duration::from_secs(30),
            |j| {
                j.legs.iter().any(|l| is_state(l, pb::LegState::Hold))
                    && j.legs
                        .iter()
                        .all(|l| is_state(l, pb::LegState::Hold) || leg_terminal(l))
            },
        )
        .await
        .unwrap();
    let winner = held
        .legs
        .iter()
        .find(|l| is_state(l, pb::LegState::Hold))
        .unwrap()
        .leg_id
        .clone();
    e2e.confirm_live(&job.job_id, &winner).await.unwrap();
    let done = e2e
        .wait_job(
            &job.job_id,
            "transfer and hang-ups",
            Duration::from_secs(20),
            job_settled,
        )
        .await
        .unwrap();
    assert_eq!(done.transfers, 1, "{}", describe(&done));
    assert_eq!(done.winner_leg_ids, vec![winner.clone()]);
    let sim = e2e.stack.sim();
    let requested = sim
        .calls()
        .iter()
        .filter(|c| c.transfer_requested_at.is_some())
        .count();
    assert_eq!(requested, 1, "transfer requests in the simulator");
    // No call of the job keeps running, except the one handed to the queue.
    poll(
        "every other call ended in the sim",
        Duration::from_secs(15),
        || async {
            sim.calls()
                .iter()
                .filter(|c| c.transfer_requested_at.is_none())
                .all(|c| c.ended_at.is_some())
                .then_some(())
        },
    )
    .await
    .unwrap();
    let lost = done
        .legs
        .iter()
        .filter(|l| l.end_reason == pb::LegEndReason::Lost as i32)
        .count();

    let log = watcher.finish(Duration::from_secs(20)).await.unwrap();
    assert!(log.stream_errors.is_empty(), "{:?}", log.stream_errors);
    assert_eq!(
        log.reconnects, 0,
        "the stream should ride through the Redis restart"
    );
    eprintln!(
        "redis outage {outage:?}; legs ended LOST: {lost}; final {}; watch: {} messages; total {:?}",
        describe(&done),
        log.messages.len(),
        started.elapsed()
    );
    e2e.stack.shutdown().await.unwrap();
}
