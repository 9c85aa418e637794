//! A full hunt through the real components: StartJob 6 legs on irs-pps; the simulator's
//! telephony webhooks go to the real webhook bridge, which forwards them to the server's ingest
//! service; the legs reach HOLD; ConfirmLive on one leg transfers it to the default call queue
//! and hangs up the other five (LOST_RACE). Checked in GetJob, in WatchJob (which now ends only
//! after the losers' final states) and in the simulator's ground truth.

use std::time::{Duration, Instant};

use holdhunter_e2e::holdhunter_proto::v1 as pb;
use holdhunter_e2e::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn six_legs_through_the_bridge_one_transfer_five_lost_race() {
    let started = Instant::now();
    let e2e = E2e::start(test_options(101)).await.expect("stack");
    let job = e2e.start_job("irs-pps", 6).await.unwrap();
    assert_eq!(job.legs.len(), 6);
    let watcher = e2e.watch(&job.job_id);

    let held = e2e
        .wait_job(
            &job.job_id,
            "all six legs on HOLD",
            Duration::from_secs(30),
            |j| j.legs.iter().all(|l| is_state(l, pb::LegState::Hold)),
        )
        .await
        .unwrap();
    // The events really came through the bridge: every leg's session was delivered to it.
    let deliveries = e2e.stack.sim().deliveries();
    for leg in &held.legs {
        assert!(
            deliveries
                .iter()
                .any(|d| d.telephony_session_id == leg.telephony_session_id
                    && matches!(
                        d.outcome,
                        ringcentral_sim::webhook_delivery::DeliveryOutcome::Delivered {
                            status: 200
                        }
                    )),
            "no delivery to the bridge for {}",
            leg.leg_id
        );
    }

    let winner = held.legs[2].leg_id.clone();
    let confirmed = e2e.confirm_live(&job.job_id, &winner).await.unwrap();
    assert!(confirmed.state >= pb::LegState::Live as i32);

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
    for leg in done.legs.iter().filter(|l| l.leg_id != winner) {
        assert_eq!(
            leg.end_reason,
            pb::LegEndReason::LostRace as i32,
            "{}",
            describe(&done)
        );
    }
    // Ground truth: the five losers were hung up by us, the winner was not.
    poll(
        "the losers' calls to end in the sim",
        Duration::from_secs(10),
        || async {
            done.legs
                .iter()
                .filter(|l| l.leg_id != winner)
                .all(|l| {
                    e2e.stack
                        .sim()
                        .call(&l.telephony_session_id)
                        .is_some_and(|t| t.ended_at.is_some() && t.transfer_requested_at.is_none())
                })
                .then_some(())
        },
    )
    .await
    .unwrap();

    // WatchJob: snapshot, then every leg's final state, ending on its own.
    let log = watcher.finish(Duration::from_secs(15)).await.unwrap();
    assert!(matches!(
        log.messages.first().map(|m| &m.1),
        Some(pb::watch_job_response::Payload::Snapshot(_))
    ));
    let finals = log.final_leg_states();
    assert_eq!(finals.len(), 6, "{finals:?}");
    for (leg_id, (state, reason)) in &finals {
        if *leg_id == winner {
            assert_eq!(*state, pb::LegState::Transferred as i32);
        } else {
            assert_eq!(
                (*state, *reason),
                (
                    pb::LegState::Ended as i32,
                    pb::LegEndReason::LostRace as i32
                ),
                "{leg_id}: {finals:?}"
            );
        }
    }
    assert!(
        log.events()
            .iter()
            .any(|(_, e)| { e.kind == pb::JobEventKind::TransferRequested as i32 })
    );
    let tokens: Vec<_> = log
        .messages
        .iter()
        .skip(1)
        .map(|m| token_order(&m.0))
        .collect();
    assert!(
        tokens.windows(2).all(|w| w[0] < w[1]),
        "tokens not increasing"
    );
    assert_eq!(log.reconnects, 0, "{:?}", log.stream_errors);

    e2e.stack.shutdown().await.unwrap();
    eprintln!("hunt through the bridge: {:?}", started.elapsed());
}
