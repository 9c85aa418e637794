//! OAuth: JWT grant, refresh (single use, old access token dies, reuse window), revoke,
//! Bearer checks.
mod common;

use common::*;
use serde_json::Value;

const JWT_GRANT: [(&str, &str); 2] = [
    ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
    ("assertion", "sim-jwt-assertion"),
];

#[tokio::test]
async fn jwt_grant_matches_fixture_and_spec_fields() {
    let sim = start(test_config()).await;
    let r = token_request(&sim.http, sim.handle.base_url(), &JWT_GRANT).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    let fixture = fixture("oauth-token-response-jwt.json");
    let mut expected = keys(&fixture);
    expected.extend(set(&["endpoint_id", "session_id"]));
    assert_eq!(keys(&v), expected);
    assert_eq!(v["token_type"], "bearer");
    assert_eq!(v["expires_in"], 3600);
    assert_eq!(v["refresh_token_expires_in"], 604800);
    assert_eq!(
        v["owner_id"],
        sim.handle.account().owner_extension_id.to_string()
    );
}

#[tokio::test]
async fn token_errors() {
    let sim = start(test_config()).await;
    let base = sim.handle.base_url().to_string();
    // Wrong client secret.
    let r = sim
        .http
        .post(format!("{base}/restapi/oauth/token"))
        .basic_auth("sim-client-id", Some("wrong"))
        .form(&JWT_GRANT)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"], "invalid_client");
    assert!(
        v["errors"][0]["errorCode"]
            .as_str()
            .unwrap()
            .starts_with("OAU-")
    );
    // Wrong JWT.
    let r = token_request(
        &sim.http,
        &base,
        &[JWT_GRANT[0], ("assertion", "not-the-jwt")],
    )
    .await;
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"], "invalid_grant");
    // Unsupported grant.
    let r = token_request(&sim.http, &base, &[("grant_type", "password")]).await;
    assert_eq!(r.status(), 400);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"],
        "unsupported_grant_type"
    );
    // JSON instead of a form.
    let r = sim
        .http
        .post(format!("{base}/restapi/oauth/token"))
        .basic_auth("sim-client-id", Some("sim-client-secret"))
        .json(&serde_json::json!({"grant_type": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
    // access_token_ttl clamps: under 600 -> 600.
    let r = token_request(
        &sim.http,
        &base,
        &[JWT_GRANT[0], JWT_GRANT[1], ("access_token_ttl", "60")],
    )
    .await;
    assert_eq!(r.json::<Value>().await.unwrap()["expires_in"], 600);
}

#[tokio::test]
async fn bearer_required_on_restapi() {
    let sim = start(test_config()).await;
    let path = "/restapi/v1.0/account/~/extension";
    let r = sim.http.get(sim.url(path)).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let v: Value = r.json().await.unwrap();
    assert_eq!(keys(&v["errors"][0]), set(&["errorCode", "message"]));
    let r = sim
        .http
        .get(sim.url(path))
        .bearer_auth("garbage")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        r.json::<Value>().await.unwrap()["errors"][0]["errorCode"],
        "OAU-129"
    );
    assert_eq!(sim.get(path).send().await.unwrap().status(), 200);
    // Query-parameter token is accepted too (DOCS tokens.md).
    let r = sim
        .http
        .get(sim.url(&format!("{path}?access_token={}", sim.token)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn refresh_is_single_use_and_kills_old_access_token() {
    let mut config = test_config();
    config.tokens.refresh_reuse_window_ms = 300;
    let sim = start(config).await;
    let base = sim.handle.base_url().to_string();
    let refresh = [
        ("grant_type", "refresh_token"),
        ("refresh_token", sim.refresh.as_str()),
    ];
    let r = token_request(&sim.http, &base, &refresh).await;
    assert_eq!(r.status(), 200);
    let new: Value = r.json().await.unwrap();
    let new_access = new["access_token"].as_str().unwrap().to_string();
    assert_ne!(new_access, sim.token);
    // Old access token: 401 OAU-128.
    let path = "/restapi/v1.0/account/~/extension/~";
    let r = sim.get(path).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        r.json::<Value>().await.unwrap()["errors"][0]["errorCode"],
        "OAU-128"
    );
    // Unused new token: the old refresh token returns the same tokens.
    let again: Value = token_request(&sim.http, &base, &refresh)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["access_token"], new_access.as_str());
    // Use the new token; within the reuse window, still the same answer.
    let r = sim
        .http
        .get(sim.url(path))
        .bearer_auth(&new_access)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let again: Value = token_request(&sim.http, &base, &refresh)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["access_token"], new_access.as_str());
    // After the window: invalid_grant.
    tokio::time::sleep(std::time::Duration::from_millis(450)).await;
    let r = token_request(&sim.http, &base, &refresh).await;
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_grant");
}

#[tokio::test]
async fn revoke_kills_the_session() {
    let sim = start(test_config()).await;
    let base = sim.handle.base_url().to_string();
    let r = sim
        .http
        .post(format!("{base}/restapi/oauth/revoke"))
        .basic_auth("sim-client-id", Some("sim-client-secret"))
        .form(&[("token", sim.token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.bytes().await.unwrap().is_empty());
    assert_eq!(
        sim.get("/restapi/v1.0/account/~/extension/~")
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    let r = token_request(
        &sim.http,
        &base,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", sim.refresh.as_str()),
        ],
    )
    .await;
    assert_eq!(r.status(), 400);
}
