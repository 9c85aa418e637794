//! The server side: every fixture forwarded with the right fields, outages without loss and
//! with per-session order, batching, duplicates, queue bound, refusals, shutdown flush.
//! The "server" is a fake TelephonyIngestService over real gRPC on a real socket.

mod support;

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use holdhunter_proto::v1::TelephonySessionEvent;
use serde_json::Value;
use support::*;

fn text(json: &Value, pointer: &str) -> String {
    match json.pointer(pointer) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn flag(json: &Value, pointer: &str) -> bool {
    json.pointer(pointer)
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

fn assert_timestamp(
    json: &Value,
    pointer: &str,
    got: Option<&prost_types::Timestamp>,
    label: &str,
) {
    let want = jiff::Timestamp::from_str(&text(json, pointer)).unwrap();
    let got = got.unwrap_or_else(|| panic!("{label}: {pointer} missing"));
    assert_eq!(
        (got.seconds, got.nanos),
        (want.as_second(), want.subsec_nanosecond()),
        "{label}: {pointer}"
    );
}

/// Compares an event field by field with the JSON it came from.
fn assert_event_matches(label: &str, json: &Value, event: &TelephonySessionEvent) {
    assert_eq!(event.uuid, text(json, "/uuid"), "{label}: uuid");
    assert_eq!(event.event_filter, text(json, "/event"), "{label}: event");
    assert_eq!(
        event.subscription_id,
        text(json, "/subscriptionId"),
        "{label}"
    );
    assert_eq!(event.owner_id, text(json, "/ownerId"), "{label}");
    assert_timestamp(json, "/timestamp", event.timestamp.as_ref(), label);
    assert_eq!(
        event.sequence,
        json.pointer("/body/sequence").unwrap().as_i64().unwrap(),
        "{label}: sequence"
    );
    assert_eq!(
        event.telephony_session_id,
        text(json, "/body/telephonySessionId"),
        "{label}"
    );
    assert_eq!(event.session_id, text(json, "/body/sessionId"), "{label}");
    assert_eq!(event.server_id, text(json, "/body/serverId"), "{label}");
    assert_timestamp(json, "/body/eventTime", event.event_time.as_ref(), label);
    assert_eq!(
        event.origin_type,
        text(json, "/body/origin/type"),
        "{label}"
    );
    assert!(event.received_at.is_some(), "{label}: received_at");
    let parties = json.pointer("/body/parties").unwrap().as_array().unwrap();
    assert_eq!(event.parties.len(), parties.len(), "{label}: parties");
    for (party, p) in event.parties.iter().zip(parties) {
        let pairs = [
            (&party.party_id, "/id"),
            (&party.account_id, "/accountId"),
            (&party.extension_id, "/extensionId"),
            (&party.direction, "/direction"),
            (&party.status_code, "/status/code"),
            (&party.status_reason, "/status/reason"),
            (&party.status_description, "/status/description"),
            (&party.from_phone_number, "/from/phoneNumber"),
            (&party.from_device_id, "/from/deviceId"),
            (&party.from_extension_id, "/from/extensionId"),
            (&party.from_name, "/from/name"),
            (&party.to_phone_number, "/to/phoneNumber"),
            (&party.to_extension_id, "/to/extensionId"),
            (&party.to_name, "/to/name"),
        ];
        for (got, pointer) in pairs {
            assert_eq!(*got, text(p, pointer), "{label}: party {pointer}");
        }
        assert!(
            !party.party_id.is_empty() && !party.status_code.is_empty(),
            "{label}"
        );
        assert_eq!(party.muted, flag(p, "/muted"), "{label}: muted");
        assert_eq!(
            party.stand_alone,
            flag(p, "/standAlone"),
            "{label}: standAlone"
        );
        assert_eq!(
            party.missed_call,
            flag(p, "/missedCall"),
            "{label}: missedCall"
        );
        assert_eq!(
            party.queue_call,
            flag(p, "/queueCall"),
            "{label}: queueCall"
        );
    }
}

#[tokio::test]
async fn every_fixture_notification_is_forwarded_with_the_right_fields() {
    let server = FakeIngestServer::start().await;
    let bridge = Bridge::start(config(server.addr)).await;
    let fixtures = fixture_notifications();
    let in_sequence_file = fixtures
        .iter()
        .filter(|(name, _)| name.starts_with("notification-sequence-rc-to-pstn-2020.json["))
        .count();
    assert_eq!(
        in_sequence_file, 9,
        "the sequence fixture holds 9 notifications"
    );
    assert_eq!(fixtures.len(), 5 + 9);

    for (label, json) in &fixtures {
        assert_eq!(bridge.deliver(json.to_string()).await, 200, "{label}");
    }
    eventually("every fixture at the server", || async {
        server.record.events().len() >= fixtures.len()
    })
    .await;
    let events = server.record.events();
    assert_eq!(events.len(), fixtures.len());
    for ((label, json), event) in fixtures.iter().zip(&events) {
        assert_event_matches(label, json, event);
    }
    // Spot checks against values read by eye from the fixture files.
    let hold = events
        .iter()
        .find(|e| e.parties[0].status_code == "Hold")
        .expect("the sequence holds a Hold");
    assert_eq!(
        hold.telephony_session_id,
        "s-c23b203d62db4f6aaee00717bafa99be"
    );
    assert_eq!(hold.parties[0].from_device_id, "210074565016");
    let pstn_callee = &events[0];
    assert_eq!(
        pstn_callee.parties[0].party_id,
        "p-bb843f9bc3bd4366a83f9e953f2c9c58-2"
    );
    assert_eq!(pstn_callee.parties[0].extension_id, "");
    assert_eq!(pstn_callee.parties[0].from_name, "Embbnux Ji");
    assert_eq!(server.record.unauthenticated.load(Ordering::SeqCst), 0);
    assert_eq!(bridge.deliveries("accepted").await, fixtures.len() as f64);
    eventually("forwarded counter", || async {
        bridge.metric("hh_bridge_forwarded_events_total").await == fixtures.len() as f64
    })
    .await;
}

/// Acceptance order of `sessions` × `sequences`, interleaved across sessions.
fn interleaved(sessions: &[&str], sequences: std::ops::Range<i64>) -> Vec<(String, i64)> {
    sequences
        .flat_map(|seq| sessions.iter().map(move |s| (s.to_string(), seq)))
        .collect()
}

async fn deliver_all(bridge: &Bridge, keys: &[(String, i64)]) {
    for (session, sequence) in keys {
        assert_eq!(bridge.deliver(notification(session, *sequence)).await, 200);
    }
}

/// First occurrence of each (session, sequence), in arrival order.
fn first_occurrences(events: &[TelephonySessionEvent]) -> Vec<(String, i64)> {
    let mut seen = std::collections::HashSet::new();
    keys(events)
        .into_iter()
        .filter(|k| seen.insert(k.clone()))
        .collect()
}

#[tokio::test]
async fn server_down_then_up_loses_nothing_and_keeps_per_session_order() {
    let addr = unused_addr().await;
    let bridge = Bridge::start(config(addr)).await;
    let sessions = ["s-alpha", "s-bravo", "s-charlie"];

    // Down from the start: every delivery is still acknowledged at once.
    let first = interleaved(&sessions, 2..12);
    deliver_all(&bridge, &first).await;
    assert_eq!(bridge.metric("hh_bridge_queue_depth").await, 30.0);
    eventually("failed forward attempts", || async {
        bridge
            .metric("hh_bridge_forward_batches_total{result=\"error\"}")
            .await
            >= 2.0
    })
    .await;

    // Up: everything arrives, in acceptance order.
    let server = FakeIngestServer::start_at(addr, Default::default()).await;
    eventually("30 events", || async { server.record.events().len() >= 30 }).await;
    assert_eq!(first_occurrences(&server.record.events()), first);

    // Down again mid-stream, more deliveries, up again.
    let record = server.stop().await;
    let errors_before = bridge
        .metric("hh_bridge_forward_batches_total{result=\"error\"}")
        .await;
    let second = interleaved(&sessions, 12..17);
    deliver_all(&bridge, &second).await;
    eventually("failed forward attempts while down again", || async {
        bridge
            .metric("hh_bridge_forward_batches_total{result=\"error\"}")
            .await
            > errors_before
    })
    .await;
    assert_eq!(record.events().len(), 30, "nothing arrives while down");
    let server = FakeIngestServer::start_at(addr, record).await;
    eventually("45 events", || async { server.record.events().len() >= 45 }).await;

    let all: Vec<_> = first.iter().chain(&second).cloned().collect();
    let received = server.record.events();
    assert_eq!(
        first_occurrences(&received),
        all,
        "no loss, acceptance order"
    );
    for session in sessions {
        let sequences: Vec<i64> = keys(&received)
            .into_iter()
            .filter(|(s, _)| s == session)
            .map(|(_, seq)| seq)
            .collect();
        assert!(
            sequences.windows(2).all(|w| w[0] <= w[1]),
            "{session}: {sequences:?}"
        );
    }
    eventually("queue drained", || async {
        bridge.metric("hh_bridge_queue_depth").await == 0.0
    })
    .await;
}

#[tokio::test]
async fn batches_respect_the_bound_and_acceptance_order() {
    let addr = unused_addr().await;
    let mut cfg = config(addr);
    cfg.batch_max_events = 7;
    let bridge = Bridge::start(cfg).await;
    let expected = interleaved(&["s-one", "s-two"], 2..12);
    deliver_all(&bridge, &expected).await;
    let server = FakeIngestServer::start_at(addr, Default::default()).await;
    eventually("20 events", || async { server.record.events().len() >= 20 }).await;
    let sizes = server.record.batch_sizes();
    assert!(sizes.iter().all(|n| (1..=7).contains(n)), "{sizes:?}");
    assert!(sizes.contains(&7), "queued events are batched: {sizes:?}");
    assert_eq!(keys(&server.record.events()), expected);
}

#[tokio::test]
async fn duplicate_deliveries_are_passed_on() {
    let server = FakeIngestServer::start().await;
    let bridge = Bridge::start(config(server.addr)).await;
    let body = notification("s-dup", 5);
    assert_eq!(bridge.deliver(body.clone()).await, 200);
    assert_eq!(bridge.deliver(body).await, 200);
    eventually("both copies", || async {
        server.record.events().len() >= 2
    })
    .await;
    let events = server.record.events();
    assert_eq!(keys(&events), [("s-dup".into(), 5), ("s-dup".into(), 5)]);
    assert_eq!(events[0].uuid, events[1].uuid);
}

#[tokio::test]
async fn full_queue_answers_503_loudly_and_keeps_what_it_accepted() {
    let addr = unused_addr().await;
    let mut cfg = config(addr);
    cfg.queue_capacity = 5;
    let bridge = Bridge::start(cfg).await;
    let accepted = interleaved(&["s-full"], 2..7);
    deliver_all(&bridge, &accepted).await;
    assert_eq!(bridge.deliver(notification("s-full", 7)).await, 503);
    assert_eq!(bridge.deliver(notification("s-full", 8)).await, 503);
    assert_eq!(bridge.deliveries("dropped_queue_full").await, 2.0);
    let (status, reason) = bridge.get("/readyz").await;
    assert_eq!((status, reason.as_str()), (503, "delivery queue full"));

    let server = FakeIngestServer::start_at(addr, Default::default()).await;
    eventually("the 5 accepted events", || async {
        server.record.events().len() >= 5
    })
    .await;
    assert_eq!(keys(&server.record.events()), accepted);
    eventually("room again", || async {
        bridge.metric("hh_bridge_queue_depth").await == 0.0
    })
    .await;
    assert_eq!(bridge.deliver(notification("s-full", 9)).await, 200);
}

#[tokio::test]
async fn wrong_ingest_token_is_retried_never_dropped() {
    let server = FakeIngestServer::start().await;
    let mut cfg = config(server.addr);
    cfg.ingest_token = secrecy::SecretString::from("wrong-ingest-token");
    let bridge = Bridge::start(cfg).await;
    assert_eq!(bridge.deliver(notification("s-auth", 2)).await, 200);
    eventually("several refused attempts", || async {
        server.record.unauthenticated.load(Ordering::SeqCst) >= 3
    })
    .await;
    assert!(server.record.events().is_empty());
    assert_eq!(bridge.metric("hh_bridge_queue_depth").await, 1.0);
    assert!(
        bridge
            .metric("hh_bridge_forward_errors_total{code=\"Unauthenticated\"}")
            .await
            >= 3.0
    );
    assert_eq!(
        bridge
            .metric("hh_bridge_forward_rejected_events_total")
            .await,
        0.0
    );
}

#[tokio::test]
async fn an_event_the_server_refuses_as_invalid_is_dropped_alone() {
    let addr = unused_addr().await;
    let bridge = Bridge::start(config(addr)).await;
    // Queued while the server is down so that they travel in one batch.
    for sequence in [2, POISON_SEQUENCE, 3, 4] {
        assert_eq!(
            bridge.deliver(notification("s-poison", sequence)).await,
            200
        );
    }
    let server = FakeIngestServer::start_at(addr, Default::default()).await;
    eventually("the three valid events", || async {
        server.record.events().len() >= 3
    })
    .await;
    assert_eq!(
        keys(&server.record.events()),
        [
            ("s-poison".into(), 2),
            ("s-poison".into(), 3),
            ("s-poison".into(), 4)
        ]
    );
    assert!(server.record.refused_batches.load(Ordering::SeqCst) >= 1);
    eventually("rejected counter", || async {
        bridge
            .metric("hh_bridge_forward_rejected_events_total")
            .await
            == 1.0
    })
    .await;
}

#[tokio::test]
async fn shutdown_flushes_the_queue_to_a_server_that_comes_back() {
    let addr = unused_addr().await;
    let bridge = Bridge::start(config(addr)).await;
    let expected = interleaved(&["s-flush"], 2..12);
    deliver_all(&bridge, &expected).await;
    let bridge_addr = bridge.addr;

    let record: Arc<Record> = Arc::default();
    let server_task = tokio::spawn({
        let record = record.clone();
        async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            FakeIngestServer::start_at(addr, record).await
        }
    });
    let report = bridge.shutdown().await;
    assert_eq!(report.unflushed_events, 0);
    assert_eq!(keys(&record.events()), expected);
    assert!(
        tokio::net::TcpStream::connect(bridge_addr).await.is_err(),
        "no longer accepting connections"
    );
    server_task.await.unwrap().stop().await;
}

#[tokio::test]
async fn shutdown_deadline_reports_what_is_left() {
    let addr = unused_addr().await;
    let mut cfg = config(addr);
    cfg.shutdown_deadline = Duration::from_millis(300);
    let bridge = Bridge::start(cfg).await;
    deliver_all(&bridge, &interleaved(&["s-lost"], 2..12)).await;
    let started = std::time::Instant::now();
    let report = bridge.shutdown().await;
    assert_eq!(report.unflushed_events, 10);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}
