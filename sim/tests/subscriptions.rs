//! Subscriptions: handshake (success and the three SUB-525 failures), CRUD, blacklisting.
mod common;

use std::time::Duration;

use common::*;
use serde_json::{Value, json};

async fn create(sim: &Sim, r: &Receiver) -> (reqwest::StatusCode, Value) {
    let resp = sim
        .post("/restapi/v1.0/subscription")
        .json(&json!({
            "eventFilters": ["/restapi/v1.0/account/~/telephony/sessions?direction=Outbound"],
            "deliveryMode": {"transportType": "WebHook", "address": r.url, "verificationToken": "test-verification-token"},
            "expiresIn": 3600,
        }))
        .send()
        .await
        .unwrap();
    (resp.status(), resp.json().await.unwrap())
}

#[tokio::test]
async fn handshake_success_and_subscription_shape() {
    let sim = start(test_config()).await;
    let r = receiver(Mode::Good).await;
    let (s, v) = create(&sim, &r).await;
    assert_eq!(s, 200);
    let v_headers = r.validations.lock().unwrap()[0].clone();
    assert!(v_headers.get("validation-token").is_some());
    assert_eq!(v_headers["verification-token"], "test-verification-token");
    let f = fixture("list-subscriptions-blacklisted.json");
    let mut expected = keys(&f["records"][0]);
    expected.remove("blacklistedData");
    assert_eq!(keys(&v), expected);
    assert_eq!(
        keys(&v["deliveryMode"]),
        keys(&f["records"][0]["deliveryMode"])
    );
    assert_eq!(v["deliveryMode"]["encryption"], false);
    assert_eq!(v["status"], "Active");
    let acc = sim.handle.account().id;
    assert_eq!(
        v["eventFilters"][0],
        format!("/restapi/v1.0/account/{acc}/telephony/sessions?direction=Outbound")
    );
    assert!(
        !v.to_string().contains("test-verification-token"),
        "token not echoed"
    );
    let id = v["id"].as_str().unwrap().to_string();

    // list/get/renew/put/delete
    let l: Value = sim
        .get("/restapi/v1.0/subscription")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(keys(&l), set(&["uri", "records"]));
    assert_eq!(l["records"][0]["id"], id.as_str());
    let g = sim
        .get(&format!("/restapi/v1.0/subscription/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(g.status(), 200);
    let rn = sim
        .post(&format!("/restapi/v1.0/subscription/{id}/renew"))
        .send()
        .await
        .unwrap();
    assert_eq!(rn.status(), 200);
    assert_eq!(rn.headers()["x-rate-limit-group"], "light");
    let rn: Value = rn.json().await.unwrap();
    assert!(
        rn["expiresIn"].as_u64().unwrap() > 3500,
        "renew keeps expiresIn"
    );
    let p = sim
        .put(&format!("/restapi/v1.0/subscription/{id}"))
        .json(&json!({"expiresIn": 600, "eventFilters": ["/restapi/v1.0/account/~/extension/~/telephony/sessions"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(p.status(), 200);
    assert_eq!(p.headers()["x-rate-limit-group"], "medium");
    let p: Value = p.json().await.unwrap();
    assert!(p["expiresIn"].as_u64().unwrap() <= 600);
    let owner = sim.handle.account().owner_extension_id;
    assert_eq!(
        p["eventFilters"][0],
        format!("/restapi/v1.0/account/{acc}/extension/{owner}/telephony/sessions")
    );
    let d = sim
        .delete(&format!("/restapi/v1.0/subscription/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(d.status(), 204);
    let d = sim
        .delete(&format!("/restapi/v1.0/subscription/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(d.status(), 404);
    let g = sim
        .get(&format!("/restapi/v1.0/subscription/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(g.status(), 404);
}

async fn expect_sub_525(mode: Mode) {
    let sim = start(test_config()).await;
    let r = receiver(mode).await;
    let (s, v) = create(&sim, &r).await;
    assert_eq!(s, 400, "{mode:?}: {v}");
    assert_eq!(v["errors"][0]["errorCode"], "SUB-525", "{mode:?}");
    assert_eq!(
        r.validations.lock().unwrap().len(),
        1,
        "one validation request"
    );
    let l: Value = sim
        .get("/restapi/v1.0/subscription")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(l["records"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn sub_525_without_echo() {
    expect_sub_525(Mode::NoEcho).await;
}

#[tokio::test]
async fn sub_525_when_slow() {
    // validation_timeout_ms is 800 in test_config.
    expect_sub_525(Mode::Slow(1_500)).await;
}

#[tokio::test]
async fn sub_525_when_oversize() {
    expect_sub_525(Mode::Oversize).await;
}

#[tokio::test]
async fn invalid_requests() {
    let sim = start(test_config()).await;
    let r = receiver(Mode::Good).await;
    let bad = |body: Value| sim.post("/restapi/v1.0/subscription").json(&body).send();
    let resp = bad(json!({"eventFilters": ["nonsense"], "deliveryMode": {"transportType": "WebHook", "address": r.url}})).await.unwrap();
    assert_eq!(resp.status(), 400);
    assert_eq!(
        resp.json::<Value>().await.unwrap()["errors"][0]["errorCode"],
        "SUB-508"
    );
    let resp = bad(json!({"eventFilters": ["/restapi/v1.0/account/~/telephony/sessions"], "deliveryMode": {"transportType": "WebHook"}})).await.unwrap();
    assert_eq!(resp.status(), 400);
    assert_eq!(
        resp.json::<Value>().await.unwrap()["errors"][0]["parameterName"],
        "deliveryMode.address"
    );
    let resp = bad(json!({"deliveryMode": {"transportType": "WebHook", "address": r.url}}))
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
}

#[tokio::test]
async fn blacklisted_after_sustained_failures_and_by_admin() {
    let mut config = test_config();
    config.subscriptions.blacklist_after_failures = 3;
    config.subscriptions.blacklist_after_ms = 0;
    config.media_pace = 5.0;
    let sim = start(config).await;
    let r = receiver(Mode::FailDeliveries).await;
    let sub = subscribe(&sim, &r, &BOTH_FILTERS).await;
    let id = sub["id"].as_str().unwrap().to_string();
    // An unknown number produces Setup, Proceeding x2, Disconnected x2: five notifications.
    sim.call_out(0, "+15550001111").await;
    eventually("blacklisted", || {
        sim.handle
            .deliveries()
            .iter()
            .filter(|d| d.subscription_id == id)
            .count()
            >= 3
    })
    .await;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let v: Value = sim
            .get(&format!("/restapi/v1.0/subscription/{id}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if v["status"] == "Blacklisted" {
            let f = fixture("list-subscriptions-blacklisted.json");
            assert_eq!(keys(&v), keys(&f["records"][0]));
            assert_eq!(
                keys(&v["blacklistedData"]),
                keys(&f["records"][0]["blacklistedData"])
            );
            assert!(
                v["blacklistedData"]["reason"]
                    .as_str()
                    .unwrap()
                    .contains("[500]")
            );
            break;
        }
        assert!(std::time::Instant::now() < deadline, "not blacklisted: {v}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Admin blacklist on a fresh subscription (over HTTP).
    let r2 = receiver(Mode::Good).await;
    let sub2 = subscribe(&sim, &r2, &BOTH_FILTERS).await;
    let id2 = sub2["id"].as_str().unwrap();
    let resp = sim
        .http
        .post(sim.url(&format!("/sim/admin/subscriptions/{id2}/blacklist")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let v: Value = sim
        .get(&format!("/restapi/v1.0/subscription/{id2}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["status"], "Blacklisted");
    // Blacklisted subscriptions get nothing.
    sim.call_out(1, "+15550002222").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(r2.bodies().is_empty());
}
