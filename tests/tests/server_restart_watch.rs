//! The server restarts (same port, same Redis) while a WatchJob client is watching a hunt.
//! The client's stream ends with the old server; it reconnects with its last resume token and
//! sees the job through to TRANSFERRED. No gap: the tokens it received strictly increase, and
//! they are exactly the events a fresh WatchJob replays from the first snapshot's token (so no
//! event, and no leg transition, was missed across the restart).

use std::time::{Duration, Instant};

use holdhunter_e2e::holdhunter_proto::v1 as pb;
use holdhunter_e2e::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_resumes_across_a_server_restart_without_gaps() {
    let started = Instant::now();
    let mut e2e = E2e::start(test_options(303)).await.expect("stack");
    let job = e2e.start_job("irs-pps", 6).await.unwrap();
    let watcher = e2e.watch(&job.job_id);

    // Restart while legs are still being set up (some dialing/ringing, some in IVR or HOLD).
    e2e.wait_job(
        &job.job_id,
        "three legs past RINGING",
        Duration::from_secs(20),
        |j| {
            j.legs
                .iter()
                .filter(|l| l.state >= pb::LegState::Ivr as i32)
                .count()
                >= 3
        },
    )
    .await
    .unwrap();
    let before_restart = watcher.log().messages.len();
    let restart_began = Instant::now();
    e2e.stack.restart_server().await.unwrap();
    let restart_took = restart_began.elapsed();

    let held = e2e
        .wait_job(
            &job.job_id,
            "all six legs on HOLD",
            Duration::from_secs(30),
            |j| j.legs.iter().all(|l| is_state(l, pb::LegState::Hold)),
        )
        .await
        .unwrap();
    let winner = held.legs[5].leg_id.clone();
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
    assert_one_transfer(&e2e, &done, &winner).await.unwrap();

    let log = watcher.finish(Duration::from_secs(20)).await.unwrap();
    assert!(log.reconnects >= 1, "the stream never dropped: {log:?}");
    assert!(
        log.messages.len() > before_restart,
        "nothing received after the restart"
    );
    // Exactly one snapshot (the resumes did not start over).
    let snapshots = log
        .messages
        .iter()
        .filter(|m| matches!(m.1, pb::watch_job_response::Payload::Snapshot(_)))
        .count();
    assert_eq!(snapshots, 1);
    let tokens: Vec<&str> = log.messages.iter().map(|m| m.0.as_str()).collect();
    assert!(
        tokens[1..]
            .windows(2)
            .all(|w| token_order(w[0]) < token_order(w[1])),
        "tokens not strictly increasing: {tokens:?}"
    );
    // The watcher saw the job's terminal event and every leg's final state.
    assert!(log.events().iter().any(|(_, e)| {
        e.kind == pb::JobEventKind::JobState as i32
            && e.job_state == pb::JobState::Transferred as i32
    }));
    let finals = log.final_leg_states();
    for leg in &done.legs {
        assert_eq!(
            finals.get(&leg.leg_id).map(|f| f.0),
            Some(leg.state),
            "{}: {finals:?}",
            leg.leg_id
        );
    }

    // No gap: a fresh stream resumed from the snapshot's token replays the same events.
    let mut replay = e2e
        .jobs()
        .watch_job(e2e.authed(pb::WatchJobRequest {
            job_id: job.job_id.clone(),
            resume_token: log.first_token().unwrap().to_owned(),
        }))
        .await
        .unwrap()
        .into_inner();
    let mut replayed = Vec::new();
    while let Some(m) = replay.message().await.unwrap() {
        replayed.push(m.resume_token);
    }
    assert!(replayed.len() >= tokens.len() - 1);
    assert_eq!(
        replayed[..tokens.len() - 1],
        tokens[1..],
        "the watcher missed or duplicated events"
    );
    eprintln!(
        "server restart took {restart_took:?}; {} messages, {} reconnects; total {:?}",
        log.messages.len(),
        log.reconnects,
        started.elapsed()
    );
    e2e.stack.shutdown().await.unwrap();
}
