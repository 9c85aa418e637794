//! Rate limits: headers on every response, 429 CMN-301 + Retry-After, penalty restart.
mod common;

use std::time::Duration;

use common::*;
use serde_json::Value;

#[tokio::test]
async fn headers_429_and_penalty_restart() {
    let mut config = test_config();
    config.rate_limits.enabled = true;
    config.rate_limits.medium = 2;
    config.rate_limits.window_ms = 1_000;
    config.rate_limits.penalty_ms = 3_000;
    let sim = start(config).await;
    let path = "/restapi/v1.0/account/~/extension";
    let r = sim.get(path).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-rate-limit-group"], "medium");
    assert_eq!(r.headers()["x-rate-limit-limit"], "2");
    assert_eq!(r.headers()["x-rate-limit-remaining"], "1");
    assert_eq!(r.headers()["x-rate-limit-window"], "1");
    assert_eq!(sim.get(path).send().await.unwrap().status(), 200);
    let r = sim.get(path).send().await.unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "3");
    assert_eq!(r.headers()["x-rate-limit-remaining"], "0");
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        v,
        serde_json::json!({"errors": [{"errorCode": "CMN-301", "message": "Request rate exceeded"}]})
    );
    // Other groups are unaffected.
    assert_eq!(
        sim.get("/restapi/v1.0/subscription")
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    // t≈2 s: still penalised, and this request restarts the 3 s penalty...
    tokio::time::sleep(Duration::from_millis(2_000)).await;
    assert_eq!(sim.get(path).send().await.unwrap().status(), 429);
    // ...so at t≈4 s (past the original 3 s, window empty) it is still refused.
    tokio::time::sleep(Duration::from_millis(2_000)).await;
    assert_eq!(sim.get(path).send().await.unwrap().status(), 429);
    // Quiet for longer than the penalty: admitted again.
    tokio::time::sleep(Duration::from_millis(3_300)).await;
    assert_eq!(sim.get(path).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn auth_group_limits_token_endpoint() {
    let mut config = test_config();
    config.rate_limits.enabled = true;
    config.rate_limits.auth = 2;
    let sim = start(config).await; // login used 1
    let grant = [
        ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
        ("assertion", "sim-jwt-assertion"),
    ];
    let r = token_request(&sim.http, sim.handle.base_url(), &grant).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-rate-limit-group"], "auth");
    let r = token_request(&sim.http, sim.handle.base_url(), &grant).await;
    assert_eq!(r.status(), 429);
    assert!(r.headers().get("retry-after").is_some());
}
