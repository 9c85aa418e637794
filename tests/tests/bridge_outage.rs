//! The webhook bridge goes away mid-hunt: the simulator's deliveries fail (it records them;
//! RingCentral does not retry, so those notifications are lost for good). When the bridge is
//! back, the server's reconciliation (`GET session` every second here) brings every leg to the
//! state the simulator knows, and the hunt completes with exactly one transfer.

use std::time::{Duration, Instant};

use holdhunter_e2e::holdhunter_proto::v1 as pb;
use holdhunter_e2e::*;
use ringcentral_sim::webhook_delivery::DeliveryOutcome;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hunt_survives_a_bridge_outage_and_reconciles() {
    let started = Instant::now();
    let mut e2e = E2e::start(test_options(202)).await.expect("stack");
    let job = e2e.start_job("irs-pps", 6).await.unwrap();

    // Mid-hunt: the first leg is ringing or further, the others are still being dialed.
    e2e.wait_job(
        &job.job_id,
        "a leg past DIALING",
        Duration::from_secs(20),
        |j| {
            j.legs
                .iter()
                .any(|l| l.state >= pb::LegState::Ringing as i32)
        },
    )
    .await
    .unwrap();
    let failed_before = failed_deliveries(&e2e);
    e2e.stack.stop_bridge().await.unwrap();
    let outage_started = Instant::now();

    // The simulator keeps calling the bridge: its deliveries fail while it is down. Stay down
    // until at least two calls were answered during the outage (their Answered notifications
    // are lost for good: only reconciliation can tell the server).
    let outage_wall = jiff::Timestamp::now();
    poll(
        "failed deliveries and two calls answered during the outage",
        Duration::from_secs(30),
        || async {
            let answered_during = e2e
                .stack
                .sim()
                .calls()
                .iter()
                .filter(|c| c.answered.as_ref().is_some_and(|a| a.wall > outage_wall))
                .count();
            (failed_deliveries(&e2e) >= failed_before + 5 && answered_during >= 2).then_some(())
        },
    )
    .await
    .unwrap();
    let failed_during = failed_deliveries(&e2e) - failed_before;
    e2e.stack.start_bridge().await.unwrap();
    let outage = outage_started.elapsed();

    // Reconciliation converges: every leg the simulator has answered is on HOLD.
    let held = e2e
        .wait_job(
            &job.job_id,
            "all six legs on HOLD",
            Duration::from_secs(30),
            |j| j.legs.iter().all(|l| is_state(l, pb::LegState::Hold)),
        )
        .await
        .unwrap();
    for leg in &held.legs {
        let truth = e2e
            .stack
            .sim()
            .call(&leg.telephony_session_id)
            .expect("sim call");
        assert!(
            truth.answered.is_some() && truth.ended_at.is_none(),
            "{truth:?}"
        );
    }
    // Deliveries reach the bridge again.
    let delivered_after = e2e.stack.sim().deliveries().len();

    let winner = held.legs[0].leg_id.clone();
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
    assert!(
        e2e.stack.sim().deliveries()[delivered_after..]
            .iter()
            .any(|d| matches!(d.outcome, DeliveryOutcome::Delivered { status: 200 })),
        "no successful delivery after the bridge came back"
    );
    eprintln!(
        "bridge outage {outage:?}, {failed_during} deliveries failed; total {:?}",
        started.elapsed()
    );
    e2e.stack.shutdown().await.unwrap();
}

fn failed_deliveries(e2e: &E2e) -> usize {
    e2e.stack
        .sim()
        .deliveries()
        .iter()
        .filter(|d| matches!(d.outcome, DeliveryOutcome::Failed { .. }))
        .count()
}
