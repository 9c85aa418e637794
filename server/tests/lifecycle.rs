//! Job lifecycle beyond the happy path: StopJob, max duration, failed transfers, the webhook
//! subscription the server owns, and graceful shutdown (health NOT_SERVING, WatchJob ends).

mod common;

use std::time::Duration;

use common::*;
use holdhunter_proto::v1 as pb;
use pb::job_service_client::JobServiceClient;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stop_job_hangs_up_everything_and_frees_lines() {
    let stack = Stack::start().await;
    let server = stack.server().await;
    let ch = server.channel().await;
    let mut jobs = JobServiceClient::new(ch.clone());
    let job = jobs
        .start_job(authed(start_request("irs-business", 4)))
        .await
        .unwrap()
        .into_inner()
        .job
        .unwrap();
    let held = wait_legs(&ch, &job.job_id, "legs on hold", |l| {
        is_state(l, pb::LegState::Hold)
    })
    .await;
    let stopped = jobs
        .stop_job(authed(pb::StopJobRequest {
            job_id: job.job_id.clone(),
        }))
        .await
        .unwrap()
        .into_inner()
        .job
        .unwrap();
    assert_eq!(stopped.state, pb::JobState::Stopped as i32);
    assert_eq!(stopped.end_cause, pb::JobEndCause::StoppedByUser as i32);
    for leg in &stopped.legs {
        assert!(is_state(leg, pb::LegState::Ended));
        assert_eq!(leg.end_reason, pb::LegEndReason::Stopped as i32);
    }
    wait_for("sim calls ended", Duration::from_secs(10), || async {
        held.legs
            .iter()
            .all(|l| {
                stack
                    .sim
                    .call(&l.telephony_session_id)
                    .map(|t| t.ended_at.is_some())
                    .unwrap_or(false)
            })
            .then_some(())
    })
    .await;
    // Stopping again is a no-op returning the job.
    let again = jobs
        .stop_job(authed(pb::StopJobRequest {
            job_id: job.job_id.clone(),
        }))
        .await
        .unwrap()
        .into_inner()
        .job
        .unwrap();
    assert_eq!(again.state, pb::JobState::Stopped as i32);
    let free = pb::line_service_client::LineServiceClient::new(ch.clone())
        .list_lines(authed(pb::ListLinesRequest {
            free_only: true,
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner()
        .lines;
    assert_eq!(free.len(), 12);
    // Terminal jobs refuse leg commands.
    let err = jobs
        .confirm_live(authed(pb::ConfirmLiveRequest {
            job_id: job.job_id.clone(),
            leg_id: "leg-1".into(),
        }))
        .await
        .unwrap_err();
    assert_eq!(reason(&err), "JOB_NOT_ACTIVE");
    // ListJobs shows it.
    let list = jobs
        .list_jobs(authed(pb::ListJobsRequest {
            states: vec![pb::JobState::Stopped as i32],
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(list.jobs.len(), 1);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn max_duration_exhausts_the_job() {
    let stack = Stack::start().await;
    let mut cfg = stack.config();
    cfg.engine.allow_short_max_duration = true;
    let server = stack.server_with(cfg).await;
    let ch = server.channel().await;
    let mut req = start_request("irs-pps", 2);
    req.max_duration = Some(prost_types::Duration {
        seconds: 3,
        nanos: 0,
    });
    let job = JobServiceClient::new(ch.clone())
        .start_job(authed(req))
        .await
        .unwrap()
        .into_inner()
        .job
        .unwrap();
    let done = wait_job(&ch, &job.job_id, "job exhausted", |j| {
        j.state == pb::JobState::Exhausted as i32
    })
    .await;
    assert_eq!(done.end_cause, pb::JobEndCause::MaxDuration as i32);
    assert!(done.legs.iter().all(|l| is_state(l, pb::LegState::Ended)));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn failed_transfer_releases_the_slot_for_the_next_live_leg() {
    let stack = Stack::start().await;
    let server = stack.server().await;
    let ch = server.channel().await;
    let mut jobs = JobServiceClient::new(ch.clone());
    let job = jobs
        .start_job(authed(start_request("irs-pps", 2)))
        .await
        .unwrap()
        .into_inner()
        .job
        .unwrap();
    wait_legs(&ch, &job.job_id, "legs on hold", |l| {
        is_state(l, pb::LegState::Hold)
    })
    .await;
    stack
        .sim
        .add_endpoint_fault(ringcentral_sim::faults::EndpointFault {
            operation: "transferCallParty".into(),
            failure: ringcentral_sim::faults::ForcedFailure::Unavailable,
            count: 1,
        });
    jobs.confirm_live(authed(pb::ConfirmLiveRequest {
        job_id: job.job_id.clone(),
        leg_id: "leg-1".into(),
    }))
    .await
    .unwrap();
    let back = wait_job(&ch, &job.job_id, "leg-1 back on hold", |j| {
        is_state(&j.legs[0], pb::LegState::Hold) && !j.legs[0].provider_error_code.is_empty()
    })
    .await;
    assert_eq!(back.state, pb::JobState::Hunting as i32);
    let done = confirm_and_wait_transferred(&ch, &job.job_id, "leg-2").await;
    assert_eq!(done.winner_leg_ids, vec!["leg-2".to_owned()]);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn server_owns_one_active_subscription_and_recreates_it_when_blacklisted() {
    let stack = Stack::start().await;
    let mut cfg = stack.config();
    cfg.webhook.check_interval_ms = 300;
    let server = stack.server_with(cfg).await;
    let ch = server.channel().await;
    let mut rc = pb::ring_central_service_client::RingCentralServiceClient::new(ch.clone());
    let active = |subs: &[pb::Subscription]| -> Vec<pb::Subscription> {
        subs.iter()
            .filter(|s| s.status == "Active")
            .cloned()
            .collect()
    };
    let first = wait_for("subscription active", Duration::from_secs(15), || {
        let mut rc = rc.clone();
        async move {
            let subs = rc
                .list_subscriptions(authed(pb::ListSubscriptionsRequest {}))
                .await
                .ok()?
                .into_inner()
                .subscriptions;
            let a = active(&subs);
            (a.len() == 1).then(|| a[0].clone())
        }
    })
    .await;
    assert_eq!(first.address, stack.webhook_url);
    assert!(
        first
            .event_filters
            .iter()
            .any(|f| f.ends_with("/telephony/sessions") && !f.contains("/extension/")),
        "{first:?}"
    );
    let check = rc
        .check_ring_central(authed(pb::CheckRingCentralRequest {}))
        .await
        .unwrap()
        .into_inner();
    assert!(check.authenticated);
    assert_eq!(
        check.subscription.unwrap().subscription_id,
        first.subscription_id
    );

    stack
        .sim
        .blacklist_subscription(&first.subscription_id, "test blacklisting")
        .unwrap();
    let second = wait_for("subscription re-created", Duration::from_secs(15), || {
        let mut rc = rc.clone();
        let old = first.subscription_id.clone();
        async move {
            let subs = rc
                .list_subscriptions(authed(pb::ListSubscriptionsRequest {}))
                .await
                .ok()?
                .into_inner()
                .subscriptions;
            let a = active(&subs);
            (a.len() == 1 && a[0].subscription_id != old).then(|| a[0].clone())
        }
    })
    .await;
    assert_eq!(second.address, stack.webhook_url);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn shutdown_sets_not_serving_and_ends_watch_streams() {
    let stack = Stack::start().await;
    let server = stack.server().await;
    let ch = server.channel().await;
    let job = JobServiceClient::new(ch.clone())
        .start_job(authed(start_request("irs-pps", 1)))
        .await
        .unwrap()
        .into_inner()
        .job
        .unwrap();
    let mut watch = JobServiceClient::new(ch.clone())
        .watch_job(authed(pb::WatchJobRequest {
            job_id: job.job_id.clone(),
            resume_token: String::new(),
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(watch.message().await.unwrap().is_some());
    let mut health = tonic_health::pb::health_client::HealthClient::new(ch.clone())
        .watch(tonic_health::pb::HealthCheckRequest {
            service: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    let serving = health.message().await.unwrap().unwrap();
    assert_eq!(serving.status, 1);
    let stop = tokio::spawn(server.stop());
    let not_serving = tokio::time::timeout(Duration::from_secs(5), health.message())
        .await
        .expect("health update before the deadline")
        .expect("health stream still open")
        .expect("a NOT_SERVING update");
    assert_eq!(not_serving.status, 2, "NOT_SERVING");
    // The watch stream ends cleanly (no error) within the deadline.
    let ended = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match watch.message().await {
                Ok(Some(_)) => continue,
                other => return other.map(|_| ()),
            }
        }
    })
    .await
    .expect("watch ended before the deadline");
    assert!(ended.is_ok(), "{ended:?}");
    tokio::time::timeout(Duration::from_secs(10), stop)
        .await
        .unwrap()
        .unwrap();
}
