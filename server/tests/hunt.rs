//! End-to-end hunts against the simulator (IRS PPS), a real redis-server and real sockets:
//! call-outs, telephony events through ingest, WatchJob, ConfirmLive → transfer, winner races
//! across two server instances, ordering, reconciliation of lost webhooks, crash and restart.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::*;
use holdhunter_proto::v1 as pb;
use pb::job_service_client::JobServiceClient;
use pb::watch_job_response::Payload;

fn legs_on_hold(leg: &pb::Leg) -> bool {
    is_state(leg, pb::LegState::Hold)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn six_legs_hold_then_confirm_live_transfers_one_and_hangs_up_five() {
    let stack = Stack::start().await;
    let server = stack.server().await;
    let ch = server.channel().await;
    let mut jobs = JobServiceClient::new(ch.clone());
    let job = jobs
        .start_job(authed(start_request("irs-pps", 6)))
        .await
        .unwrap()
        .into_inner()
        .job
        .unwrap();
    assert_eq!(job.legs.len(), 6);
    assert_eq!(job.destination_number, "+18668604259");

    // Watch from the start.
    let mut watch = jobs
        .watch_job(authed(pb::WatchJobRequest {
            job_id: job.job_id.clone(),
            resume_token: String::new(),
        }))
        .await
        .unwrap()
        .into_inner();
    let watcher = tokio::spawn(async move {
        let mut out = Vec::new();
        while let Ok(Some(m)) = watch.message().await {
            out.push(m);
        }
        out
    });

    let held = wait_legs(&ch, &job.job_id, "all legs on hold", legs_on_hold).await;
    for leg in &held.legs {
        assert!(!leg.telephony_session_id.is_empty());
        assert!(!leg.party_id.is_empty());
    }
    let winner = held.legs[2].clone();
    let confirmed = jobs
        .confirm_live(authed(pb::ConfirmLiveRequest {
            job_id: job.job_id.clone(),
            leg_id: winner.leg_id.clone(),
        }))
        .await
        .unwrap()
        .into_inner()
        .leg
        .unwrap();
    assert!(confirmed.state >= pb::LegState::Live as i32);

    let done = wait_job(&ch, &job.job_id, "job transferred", |j| {
        j.state == pb::JobState::Transferred as i32
            && j.legs
                .iter()
                .all(|l| l.state >= pb::LegState::Transferred as i32)
    })
    .await;
    assert_eq!(done.transfers, 1);
    assert_eq!(done.winner_leg_ids, vec![winner.leg_id.clone()]);
    for leg in &done.legs {
        if leg.leg_id == winner.leg_id {
            assert!(is_state(leg, pb::LegState::Transferred) && leg.winner);
        } else {
            assert!(is_state(leg, pb::LegState::Ended), "{leg:?}");
            assert_eq!(leg.end_reason, pb::LegEndReason::LostRace as i32);
        }
    }

    // Ground truth: the winner's call went to the queue, the other five were hung up.
    let queue_ext = {
        let mut q = pb::queue_service_client::QueueServiceClient::new(ch.clone());
        let queues = q
            .list_queues(authed(pb::ListQueuesRequest {}))
            .await
            .unwrap()
            .into_inner()
            .queues;
        queues
            .into_iter()
            .find(|q| q.is_default)
            .unwrap()
            .extension_number
    };
    let truth = stack.sim.call(&winner.telephony_session_id).unwrap();
    assert_eq!(
        truth
            .transfer_target
            .as_deref()
            .map(|t| t.contains(&queue_ext)),
        Some(true),
        "{truth:?}"
    );
    wait_for(
        "losers hung up in the sim",
        Duration::from_secs(10),
        || async {
            done.legs
                .iter()
                .filter(|l| l.leg_id != winner.leg_id)
                .all(|l| {
                    stack
                        .sim
                        .call(&l.telephony_session_id)
                        .map(|t| t.ended_at.is_some())
                        .unwrap_or(false)
                })
                .then_some(())
        },
    )
    .await;
    assert_eq!(
        stack
            .sim
            .calls()
            .iter()
            .filter(|c| c.transfer_requested_at.is_some())
            .count(),
        1
    );

    // Lines freed.
    let mut lines = pb::line_service_client::LineServiceClient::new(ch.clone());
    let free = lines
        .list_lines(authed(pb::ListLinesRequest {
            free_only: true,
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner()
        .lines;
    assert_eq!(free.len(), 12);

    // WatchJob: snapshot first, dialing and hold deltas, transfer, ends after the terminal event.
    let messages = tokio::time::timeout(Duration::from_secs(10), watcher)
        .await
        .expect("watch ended")
        .unwrap();
    assert!(matches!(messages[0].payload, Some(Payload::Snapshot(_))));
    let events: Vec<&pb::JobEvent> = messages
        .iter()
        .filter_map(|m| match &m.payload {
            Some(Payload::Event(e)) => Some(e),
            _ => None,
        })
        .collect();
    let saw = |s: pb::LegState| {
        events
            .iter()
            .any(|e| e.leg.as_ref().map(|l| l.state == s as i32).unwrap_or(false))
    };
    for s in [
        pb::LegState::Dialing,
        pb::LegState::Hold,
        pb::LegState::Transferring,
    ] {
        assert!(
            saw(s),
            "no {s:?} event in {:?}",
            events
                .iter()
                .map(|e| (e.kind, e.leg.as_ref().map(|l| (l.leg_id.clone(), l.state))))
                .collect::<Vec<_>>()
        );
    }
    assert!(
        events
            .iter()
            .any(|e| e.kind == pb::JobEventKind::TransferRequested as i32)
    );
    assert!(events.iter().any(|e| {
        (e.kind, e.job_state)
            == (
                pb::JobEventKind::JobState as i32,
                pb::JobState::Transferred as i32,
            )
    }));
    // The stream ends only once every leg is terminal too: the watcher sees the five
    // LOST_RACE hang-ups done in parallel after the transfer, and the winner's TRANSFERRED.
    let mut final_states: HashMap<String, (i32, i32)> = HashMap::new();
    for e in &events {
        if let Some(l) = &e.leg {
            final_states.insert(l.leg_id.clone(), (l.state, l.end_reason));
        }
    }
    assert_eq!(final_states.len(), 6, "{final_states:?}");
    for (leg_id, (state, reason)) in &final_states {
        if *leg_id == winner.leg_id {
            assert_eq!(*state, pb::LegState::Transferred as i32);
        } else {
            assert_eq!(
                (*state, *reason),
                (
                    pb::LegState::Ended as i32,
                    pb::LegEndReason::LostRace as i32
                ),
                "{leg_id}"
            );
        }
    }
    // Tokens strictly increase.
    let tokens: Vec<&str> = messages
        .iter()
        .skip(1)
        .map(|m| m.resume_token.as_str())
        .collect();
    assert!(tokens.windows(2).all(|w| parse(w[0]) < parse(w[1])));

    // Resuming from the middle replays exactly the rest.
    let mid = messages.len() / 2;
    let mut resumed = jobs
        .watch_job(authed(pb::WatchJobRequest {
            job_id: job.job_id.clone(),
            resume_token: messages[mid].resume_token.clone(),
        }))
        .await
        .unwrap()
        .into_inner();
    let mut rest = Vec::new();
    let mut rest_events = Vec::new();
    while let Some(m) = resumed.message().await.unwrap() {
        rest.push(m.resume_token);
        if let Some(Payload::Event(e)) = m.payload {
            rest_events.push(e);
        }
    }
    let expected: Vec<String> = messages[mid + 1..]
        .iter()
        .map(|m| m.resume_token.clone())
        .collect();
    // Exactly the rest, in order; a later watcher may also see events written after the first
    // stream ended (updates of legs that were already terminal, e.g. party status after the
    // hang-up), never a terminal leg turning non-terminal.
    assert!(rest.len() >= expected.len(), "{rest:?} vs {expected:?}");
    assert_eq!(rest[..expected.len()], expected[..]);
    for e in &rest_events[rest_events.len() - (rest.len() - expected.len())..] {
        if let Some(l) = &e.leg {
            assert!(
                l.state >= pb::LegState::Transferred as i32,
                "late event for a live leg: {e:?}"
            );
        }
    }
    server.stop().await;
}

fn parse(t: &str) -> (u64, u64) {
    let (a, b) = t.split_once('-').unwrap();
    (a.parse().unwrap(), b.parse().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn exactly_one_winner_when_every_leg_turns_live_on_two_replicas() {
    let stack = Stack::start().await;
    let a = stack.server().await;
    let b = TestServer::start(stack.config()).await;
    let (cha, chb) = (a.channel().await, b.channel().await);
    let job = JobServiceClient::new(cha.clone())
        .start_job(authed(start_request("irs-pps", 6)))
        .await
        .unwrap()
        .into_inner()
        .job
        .unwrap();
    let held = wait_legs(&cha, &job.job_id, "all legs on hold", legs_on_hold).await;
    let confirms = held.legs.iter().enumerate().map(|(i, leg)| {
        let ch = if i % 2 == 0 { cha.clone() } else { chb.clone() };
        let req = pb::ConfirmLiveRequest {
            job_id: job.job_id.clone(),
            leg_id: leg.leg_id.clone(),
        };
        async move { JobServiceClient::new(ch).confirm_live(authed(req)).await }
    });
    let _ = futures::future::join_all(confirms).await;
    let done = wait_job(&chb, &job.job_id, "job transferred", |j| {
        j.state == pb::JobState::Transferred as i32
            && j.legs
                .iter()
                .all(|l| l.state >= pb::LegState::Transferred as i32)
    })
    .await;
    let transferred: Vec<_> = done
        .legs
        .iter()
        .filter(|l| is_state(l, pb::LegState::Transferred))
        .collect();
    assert_eq!(transferred.len(), 1, "{done:?}");
    assert_eq!(done.transfers, 1);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        stack
            .sim
            .calls()
            .iter()
            .filter(|c| c.transfer_requested_at.is_some())
            .count(),
        1
    );
    a.stop().await;
    b.stop().await;
}

/// A RingCentral session notification for the callee's party (`{session}-p-2`) of `session`.
fn callee_event(session: &str, seq: i64, code: &str, reason: &str) -> pb::TelephonySessionEvent {
    pb::TelephonySessionEvent {
        telephony_session_id: session.to_owned(),
        sequence: seq,
        parties: vec![pb::TelephonyParty {
            party_id: format!("{session}-p-2"),
            direction: "Inbound".into(),
            status_code: code.into(),
            status_reason: reason.into(),
            ..Default::default()
        }],
        ..Default::default()
    }
}

/// Hands `events` to the server's telephony ingest, as the webhook bridge does.
async fn ingest(
    ch: &tonic::transport::Channel,
    events: Vec<pb::TelephonySessionEvent>,
) -> pb::IngestTelephonyEventsResponse {
    let mut client =
        pb::telephony_ingest_service_client::TelephonyIngestServiceClient::new(ch.clone());
    let mut req = tonic::Request::new(pb::IngestTelephonyEventsRequest { events });
    req.metadata_mut().insert(
        "authorization",
        format!("Bearer {INGEST_TOKEN}").parse().unwrap(),
    );
    client
        .ingest_telephony_events(req)
        .await
        .unwrap()
        .into_inner()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn duplicate_and_out_of_order_events_are_harmless() {
    let stack = Stack::start().await;
    let (server, ch, dialing) = dialled_leg(&stack).await;

    let session = dialing.legs[0].telephony_session_id.clone();
    let callee = |seq: i64, code: &str, reason: &str| callee_event(&session, seq, code, reason);
    let send = |events: Vec<pb::TelephonySessionEvent>| ingest(&ch, events);
    // A newer notification of our party first, then an older one of the callee: the callee's
    // still applies (ordering is per party).
    let ours = pb::TelephonySessionEvent {
        telephony_session_id: session.clone(),
        sequence: 1_000_008,
        parties: vec![pb::TelephonyParty {
            party_id: dialing.legs[0].party_id.clone(),
            extension_id: dialing.legs[0].extension_id.clone(),
            direction: "Outbound".into(),
            status_code: "Answered".into(),
            ..Default::default()
        }],
        ..Default::default()
    };
    send(vec![ours]).await;
    let out = send(vec![
        callee(1_000_006, "Answered", ""),
        callee(1_000_006, "Answered", ""),
    ])
    .await;
    assert_eq!((out.accepted, out.unmatched), (2, 0));
    let ivr = get_job(&server, &dialing.job_id).await;
    assert!(
        is_state(&ivr.legs[0], pb::LegState::Ivr),
        "{:?}",
        ivr.legs[0]
    );
    // Older events arriving late are dropped: this would otherwise end the leg NO_ANSWER.
    send(vec![
        callee(1_000_003, "Disconnected", "NoAnswer"),
        callee(1_000_004, "Proceeding", ""),
    ])
    .await;
    let still = get_job(&server, &dialing.job_id).await;
    assert!(
        is_state(&still.legs[0], pb::LegState::Ivr),
        "{:?}",
        still.legs[0]
    );
    // A newer one applies.
    send(vec![callee(1_000_009, "Disconnected", "")]).await;
    let ended = wait_job(&ch, &dialing.job_id, "job exhausted", |j| {
        j.state == pb::JobState::Exhausted as i32
    })
    .await;
    assert_eq!(
        ended.legs[0].end_reason,
        pb::LegEndReason::RemoteHangup as i32
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn lost_webhooks_are_recovered_by_reconciliation() {
    let stack = Stack::start().await;
    stack.sim.set_webhook_faults(
        ringcentral_sim::config::WebhookFaults {
            drop_probability: 1.0,
            ..Default::default()
        },
        Some(7),
    );
    let server = stack.server().await;
    let ch = server.channel().await;
    let job = start_job(&ch, "irs-pps", 3).await;
    let held = wait_legs(
        &ch,
        &job.job_id,
        "legs on hold via GET session",
        legs_on_hold,
    )
    .await;
    confirm_and_wait_transferred(&ch, &job.job_id, &held.legs[0].leg_id).await;
    assert!(
        stack
            .sim
            .deliveries()
            .iter()
            .all(|d| format!("{d:?}").contains("ropped")),
        "every delivery dropped"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_mid_hunt_then_restart_resumes_without_double_dial() {
    let stack = Stack::start().await;
    // Sync lines and queues with an in-process server, then hand over to the binary.
    let setup = stack.server().await;
    setup.stop().await;
    let first = ServerProcess::start(&stack).await;
    let job = JobServiceClient::new(first.channel().await)
        .start_job(authed(start_request("irs-pps", 6)))
        .await
        .unwrap()
        .into_inner()
        .job
        .unwrap();
    // Stagger 400 ms: kill while some legs are still queued and others dialed.
    wait_for("two legs dialed", Duration::from_secs(20), || async {
        let j = get_job_on(first.channel().await, &job.job_id).await;
        (j.legs
            .iter()
            .filter(|l| !l.telephony_session_id.is_empty())
            .count()
            >= 2)
            .then_some(())
    })
    .await;
    first.kill9();
    let second = ServerProcess::start(&stack).await;
    let ch = second.channel().await;
    let held = wait_legs(&ch, &job.job_id, "all legs on hold after restart", |l| {
        is_state(l, pb::LegState::Hold) || is_state(l, pb::LegState::Ended)
    })
    .await;
    let live = held
        .legs
        .iter()
        .find(|l| is_state(l, pb::LegState::Hold))
        .expect("a leg on hold")
        .clone();
    let done = confirm_and_wait_transferred(&ch, &job.job_id, &live.leg_id).await;
    assert_eq!(done.transfers, 1);
    // No line dialed twice.
    let mut per_device: HashMap<String, usize> = HashMap::new();
    for c in stack.sim.calls() {
        *per_device.entry(c.from_device_id.clone()).or_default() += 1;
    }
    assert!(per_device.values().all(|n| *n == 1), "{per_device:?}");
    assert_eq!(per_device.len(), 6);
    assert_eq!(
        stack
            .sim
            .calls()
            .iter()
            .filter(|c| c.transfer_requested_at.is_some())
            .count(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn duplicated_and_reordered_webhooks_still_hunt_correctly() {
    let stack = Stack::start().await;
    stack.sim.set_webhook_faults(
        ringcentral_sim::config::WebhookFaults {
            duplicate_probability: 0.5,
            reorder_probability: 0.3,
            ..Default::default()
        },
        Some(11),
    );
    let mut cfg = stack.config();
    cfg.engine.reconcile_interval_ms = 600_000; // only webhooks move the legs
    let server = stack.server_with(cfg).await;
    let ch = server.channel().await;
    let job = start_job(&ch, "irs-pps", 4).await;
    let held = wait_legs(&ch, &job.job_id, "all legs on hold", legs_on_hold).await;
    let done = confirm_and_wait_transferred(&ch, &job.job_id, &held.legs[1].leg_id).await;
    assert_eq!(done.transfers, 1);
    server.stop().await;
}

/// Hands the engine a detector LIVE verdict (cause `NEW_SPEECH_AFTER_MUSIC`) for `leg_id`, as
/// the media pipeline would.
async fn send_live_verdict(
    server: &TestServer,
    job_id: &str,
    leg_id: &str,
    confidence: f32,
    media_ms: u64,
) {
    use hold_hunter_server::engine::media::{Verdict, VerdictSink};
    use hold_hunter_server::engine::model::DetectionPhase;
    let engine = server.running.as_ref().unwrap().engine.clone();
    engine
        .verdict(
            job_id.into(),
            leg_id.into(),
            Verdict {
                phase: DetectionPhase::Live,
                confidence,
                cause: "NEW_SPEECH_AFTER_MUSIC".into(),
                detail: "test verdict".into(),
                media_ms,
                known_message: None,
            },
        )
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn detector_verdict_through_the_engine_wins_the_transfer() {
    let stack = Stack::start().await;
    let server = stack.server().await;
    let ch = server.channel().await;
    let job = start_job(&ch, "irs-pps", 2).await;
    wait_legs(&ch, &job.job_id, "all legs on hold", legs_on_hold).await;
    send_live_verdict(&server, &job.job_id, "leg-2", 0.93, 61_000).await;
    let done = wait_job(&ch, &job.job_id, "job transferred", |j| {
        j.state == pb::JobState::Transferred as i32
    })
    .await;
    let winner = done.legs.iter().find(|l| l.leg_id == "leg-2").unwrap();
    let detection = winner.detection.as_ref().unwrap();
    assert_eq!(detection.cause, "NEW_SPEECH_AFTER_MUSIC");
    assert_eq!(detection.source, pb::DetectionSource::Detector as i32);
    // The verdict-to-transfer latency was recorded.
    let metrics = hold_hunter_server::telemetry::prometheus().render();
    assert!(
        metrics.contains("hh_verdict_to_transfer_request_seconds"),
        "{metrics}"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn assist_mode_shows_a_detector_live_verdict_and_waits_for_the_operator() {
    let stack = Stack::start().await;
    let mut cfg = stack.config();
    cfg.engine.detector_transfers = false;
    let server = stack.server_with(cfg).await;
    let ch = server.channel().await;
    let job = start_job(&ch, "irs-pps", 2).await;
    wait_legs(&ch, &job.job_id, "all legs on hold", legs_on_hold).await;
    send_live_verdict(&server, &job.job_id, "leg-1", 0.91, 42_000).await;
    // The verdict is visible on the leg, but the leg stays on hold and the job hunts.
    let shown = wait_job(&ch, &job.job_id, "detection shown", |j| {
        j.legs.iter().any(|l| {
            l.leg_id == "leg-1"
                && l.detection.as_ref().is_some_and(|d| {
                    d.phase == pb::DetectionPhase::Live as i32
                        && d.cause == "NEW_SPEECH_AFTER_MUSIC"
                })
        })
    })
    .await;
    assert_eq!(shown.state, pb::JobState::Hunting as i32);
    let leg1 = shown.legs.iter().find(|l| l.leg_id == "leg-1").unwrap();
    assert_eq!(leg1.state, pb::LegState::Hold as i32);
    assert_eq!(shown.transfers, 0);
    // The operator's confirmation transfers it.
    let done = confirm_and_wait_transferred(&ch, &job.job_id, "leg-1").await;
    assert_eq!(done.winner_leg_ids, vec!["leg-1".to_string()]);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn call_outs_respect_the_shared_rate_limit() {
    let stack = Stack::start().await;
    let mut cfg = stack.config();
    cfg.engine.callout_limit = 2;
    cfg.engine.callout_window_ms = 3_000;
    cfg.engine.stagger_ms = 0;
    let server = stack.server_with(cfg).await;
    let ch = server.channel().await;
    let job = start_job(&ch, "irs-pps", 4).await;
    wait_legs(&ch, &job.job_id, "all legs dialed", |l| {
        !l.telephony_session_id.is_empty()
    })
    .await;
    let mut created: Vec<jiff::Timestamp> =
        stack.sim.calls().iter().map(|c| c.created_at).collect();
    created.sort();
    assert_eq!(created.len(), 4);
    let gap = created[2].duration_since(created[0]);
    assert!(
        gap >= jiff::SignedDuration::from_millis(2_900),
        "third call-out only {gap:?} after the first"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn dialing_leg_whose_call_out_response_was_lost_adopts_its_session() {
    let stack = Stack::start().await;
    let mut cfg = server_config(stack.sim.base_url(), &stack.redis.url(), None);
    cfg.engine.dialing_orphan_ms = 20_000;
    let server = stack.server_with(cfg).await;
    let ch = server.channel().await;
    let job = start_job(&ch, "irs-pps", 1).await;
    let held = wait_legs(&ch, &job.job_id, "leg on hold", legs_on_hold).await;
    let leg = held.legs[0].clone();

    // Rewrite Redis into the state a crash between the call-out request and recording its
    // response leaves: DIALING, no session, no session index.
    let client = redis::Client::open(stack.redis.url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let legs_key = format!("hh:{{{}}}:legs", job.job_id);
    let raw: String = redis::cmd("HGET")
        .arg(&legs_key)
        .arg("leg-1")
        .query_async(&mut conn)
        .await
        .unwrap();
    let mut record: serde_json::Value = serde_json::from_str(&raw).unwrap();
    record["state"] = "DIALING".into();
    record["telephony_session_id"] = serde_json::Value::Null;
    record["party_id"] = serde_json::Value::Null;
    record["state_since_ms"] = jiff::Timestamp::now().as_millisecond().into();
    let _: () = redis::pipe()
        .cmd("HSET")
        .arg(&legs_key)
        .arg("leg-1")
        .arg(record.to_string())
        .cmd("HINCRBY")
        .arg(format!("hh:{{{}}}:ver", job.job_id))
        .arg("leg-1")
        .arg(1)
        .cmd("DEL")
        .arg(format!("hh:sess:{{{}}}:leg", leg.telephony_session_id))
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(is_state(
        &get_job(&server, &job.job_id).await.legs[0],
        pb::LegState::Dialing
    ));

    // A notification of that session arrives (from the hold line's device): parked, unmatched.
    let event = pb::TelephonySessionEvent {
        telephony_session_id: leg.telephony_session_id.clone(),
        sequence: 50,
        parties: vec![pb::TelephonyParty {
            party_id: leg.party_id.clone(),
            extension_id: leg.extension_id.clone(),
            from_device_id: leg.line_id.clone(),
            direction: "Outbound".into(),
            status_code: "Answered".into(),
            ..Default::default()
        }],
        ..Default::default()
    };
    let mut req = tonic::Request::new(pb::IngestTelephonyEventsRequest {
        events: vec![event],
    });
    req.metadata_mut().insert(
        "authorization",
        format!("Bearer {INGEST_TOKEN}").parse().unwrap(),
    );
    let out = pb::telephony_ingest_service_client::TelephonyIngestServiceClient::new(ch.clone())
        .ingest_telephony_events(req)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(out.unmatched, 1);

    // The engine adopts the session instead of ending the leg LOST (and never re-dials).
    let adopted = wait_legs(&ch, &job.job_id, "leg adopted and back on hold", |l| {
        legs_on_hold(l) && l.telephony_session_id == leg.telephony_session_id
    })
    .await;
    assert_eq!(adopted.legs[0].party_id, leg.party_id);
    assert_eq!(stack.sim.calls().len(), 1, "not re-dialed");
    server.stop().await;
}

/// A one-leg `irs-pps` job whose call-out succeeded, on a server with no webhook subscription
/// and slow reconciliation: only the test's ingest calls (and verdicts) move the leg.
async fn dialled_leg(stack: &Stack) -> (TestServer, tonic::transport::Channel, pb::Job) {
    let mut cfg = server_config(stack.sim.base_url(), &stack.redis.url(), None);
    cfg.engine.reconcile_interval_ms = 600_000;
    cfg.engine.ivr_fallback_ms = 600_000;
    let server = stack.server_with(cfg).await;
    let ch = server.channel().await;
    let job = start_job(&ch, "irs-pps", 1).await;
    let dialing = wait_legs(&ch, &job.job_id, "session recorded", |l| {
        !l.telephony_session_id.is_empty()
    })
    .await;
    (server, ch, dialing)
}

/// A leg answered by the IVR (telephony only: no webhooks, no media), on a server whose only
/// inputs are the test's ingest calls and verdicts. Returns (server, channel, job id, session).
async fn answered_leg(stack: &Stack) -> (TestServer, tonic::transport::Channel, String, String) {
    let (server, ch, job) = dialled_leg(stack).await;
    let session = job.legs[0].telephony_session_id.clone();
    ingest(&ch, vec![callee_event(&session, 1_000_001, "Answered", "")]).await;
    wait_legs(&ch, &job.job_id, "leg in IVR", |l| {
        is_state(l, pb::LegState::Ivr)
    })
    .await;
    (server, ch, job.job_id, session)
}

/// Hands the engine a `KNOWN_MESSAGE` verdict of `kind` for leg-1, as the media pipeline would.
async fn send_known_message(server: &TestServer, job_id: &str, kind: &str) {
    use hold_hunter_server::engine::media::{Verdict, VerdictSink};
    use hold_hunter_server::engine::model::DetectionPhase;
    let engine = server.running.as_ref().unwrap().engine.clone();
    engine
        .verdict(
            job_id.into(),
            "leg-1".into(),
            Verdict {
                phase: DetectionPhase::Ivr,
                confidence: 0.9,
                cause: "KNOWN_MESSAGE".into(),
                detail: format!("busy.en ({kind}), 40/60 hashes aligned"),
                media_ms: 12_000,
                known_message: Some(kind.into()),
            },
        )
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hang_up_after_a_known_message_ends_the_leg_with_its_reason() {
    let stack = Stack::start().await;
    // Before hold, the far end's hang-up with no RingCentral reason after "too busy" is
    // TOO_BUSY and after "closed" CLOSED; without a known message it stays REMOTE_HANGUP (see
    // `duplicate_and_out_of_order_events_are_harmless`).
    for (kind, reason) in [
        ("too_busy", pb::LegEndReason::TooBusy),
        ("closed", pb::LegEndReason::Closed),
    ] {
        let (server, ch, job_id, session) = answered_leg(&stack).await;
        send_known_message(&server, &job_id, kind).await;
        ingest(
            &ch,
            vec![callee_event(&session, 1_000_002, "Disconnected", "")],
        )
        .await;
        let ended = wait_job(&ch, &job_id, "job exhausted", |j| {
            j.state == pb::JobState::Exhausted as i32
        })
        .await;
        let leg = &ended.legs[0];
        assert_eq!(leg.end_reason, reason as i32, "{kind}: {leg:?}");
        assert_eq!(leg.detection.as_ref().unwrap().cause, "KNOWN_MESSAGE");
        server.stop().await;
    }
}
