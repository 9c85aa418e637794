//! Fault injection: each webhook mode and forced 429/503 are observable.
mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::*;
use ringcentral_sim::config::WebhookFaults;
use ringcentral_sim::faults::{EndpointFault, ForcedFailure};
use ringcentral_sim::webhook_delivery::DeliveryOutcome;
use serde_json::{Value, json};

/// Unknown numbers end quickly with 5 notifications.
const UNKNOWN: &str = "+15550009999";

async fn run_call(sim: &Sim) -> String {
    let v = sim.call_out(0, UNKNOWN).await;
    let sid = v["session"]["id"].as_str().unwrap().to_string();
    eventually("call over", || {
        sim.handle.call(&sid).is_some_and(|c| c.ended_at.is_some())
    })
    .await;
    sid
}

fn settle_count(sim: &Sim, sid: &str) -> usize {
    sim.handle
        .deliveries()
        .iter()
        .filter(|d| d.telephony_session_id == sid)
        .count()
}

#[tokio::test]
async fn drop_all() {
    let sim = start(test_config()).await;
    let r = receiver(Mode::Good).await;
    subscribe(&sim, &r, &BOTH_FILTERS).await;
    sim.handle.set_webhook_faults(
        WebhookFaults {
            drop_probability: 1.0,
            ..Default::default()
        },
        Some(3),
    );
    let sid = run_call(&sim).await;
    eventually("5 log rows", || settle_count(&sim, &sid) >= 5).await;
    let log = sim.handle.deliveries();
    assert!(
        log.iter()
            .all(|d| matches!(d.outcome, DeliveryOutcome::Dropped { .. })
                && d.fault.as_deref() == Some("drop"))
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(r.of_session(&sid).is_empty());
    // The admin API shows the same log.
    let v: Value = sim
        .http
        .get(sim.url("/sim/admin/webhooks"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v.as_array().unwrap().len(), log.len());
    assert_eq!(v[0]["outcome"]["kind"], "dropped");
}

#[tokio::test]
async fn duplicate_all() {
    let sim = start(test_config()).await;
    let r = receiver(Mode::Good).await;
    subscribe(&sim, &r, &BOTH_FILTERS).await;
    // Over HTTP this time.
    let resp = sim
        .http
        .put(sim.url("/sim/admin/faults/webhooks"))
        .json(&json!({"duplicateProbability": 1.0, "seed": 9}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let sid = run_call(&sim).await;
    let got = r.wait_for(&sid, "10 deliveries", |n| n.len() >= 10).await;
    let mut by_uuid: HashMap<String, usize> = HashMap::new();
    for n in &got {
        *by_uuid
            .entry(n["uuid"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    assert_eq!(by_uuid.len(), 5);
    assert!(by_uuid.values().all(|&c| c == 2));
}

#[tokio::test]
async fn reorder_all() {
    let sim = start(test_config()).await;
    let r = receiver(Mode::Good).await;
    subscribe(&sim, &r, &BOTH_FILTERS).await;
    sim.handle.set_webhook_faults(
        WebhookFaults {
            reorder_probability: 1.0,
            ..Default::default()
        },
        Some(4),
    );
    let sid = run_call(&sim).await;
    let got = r.wait_for(&sid, "5 deliveries", |n| n.len() >= 5).await;
    let seqs: Vec<u64> = got
        .iter()
        .map(|n| n["body"]["sequence"].as_u64().unwrap())
        .collect();
    assert!(
        seqs.windows(2).any(|w| w[1] < w[0]),
        "out of order: {seqs:?}"
    );
    let mut sorted = seqs.clone();
    sorted.sort();
    assert_eq!(sorted, vec![2, 3, 4, 5, 6], "nothing lost");
}

#[tokio::test]
async fn delay_some() {
    let sim = start(test_config()).await;
    let r = receiver(Mode::Good).await;
    subscribe(&sim, &r, &BOTH_FILTERS).await;
    sim.handle.set_webhook_faults(
        WebhookFaults {
            delay_probability: 1.0,
            delay_ms: 600,
            ..Default::default()
        },
        Some(5),
    );
    let sid = run_call(&sim).await;
    let got = r.wait_for(&sid, "5 deliveries", |n| n.len() >= 5).await;
    assert_eq!(got.len(), 5);
    let log = sim.handle.deliveries();
    assert!(log.iter().all(|d| d.fault.as_deref() == Some("delay")));
    // Each arrived at least 600 ms after its event time.
    for n in &got {
        let event: jiff::Timestamp = n["body"]["eventTime"].as_str().unwrap().parse().unwrap();
        let sent: jiff::Timestamp = n["timestamp"].as_str().unwrap().parse().unwrap();
        assert!(
            sent.duration_since(event).as_millis() >= 590,
            "{event} → {sent}"
        );
    }
}

#[tokio::test]
async fn forced_429_and_503() {
    let sim = start(test_config()).await;
    sim.handle.add_endpoint_fault(EndpointFault {
        operation: "createCallOutCallSession".into(),
        failure: ForcedFailure::RateLimited,
        count: 1,
    });
    let body = json!({"from": {"deviceId": sim.device_id(0)}, "to": {"phoneNumber": UNKNOWN}});
    let r = sim
        .post("/restapi/v1.0/account/~/telephony/call-out")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert!(r.headers().get("retry-after").is_some());
    assert_eq!(r.headers()["x-rate-limit-group"], "heavy");
    assert_eq!(
        r.json::<Value>().await.unwrap()["errors"][0]["errorCode"],
        "CMN-301"
    );
    let r = sim
        .post("/restapi/v1.0/account/~/telephony/call-out")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "only one forced failure");
    // 503 via the admin API, on GET session, twice.
    let resp = sim
        .http
        .post(sim.url("/sim/admin/faults/endpoints"))
        .json(&json!({"operation": "readCallSessionStatus", "failure": "503", "count": 2}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let sid = sim.handle.calls()[0].telephony_session_id.clone();
    let path = format!("/restapi/v1.0/account/~/telephony/sessions/{sid}");
    for _ in 0..2 {
        let r = sim.get(&path).send().await.unwrap();
        assert_eq!(r.status(), 503);
        assert_eq!(
            r.json::<Value>().await.unwrap()["errors"][0]["errorCode"],
            "CMN-201"
        );
    }
    let r = sim.get(&path).send().await.unwrap();
    assert_ne!(r.status(), 503);
}
