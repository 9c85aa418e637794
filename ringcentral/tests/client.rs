//! Client behaviour against an in-process RingCentral platform on 127.0.0.1 (see `support`).

mod support;

use std::time::{Duration, Instant};

use ringcentral::{
    CallOutRequest, Client, CreateSubscriptionRequest, Direction,
    EXTENSION_TELEPHONY_SESSIONS_FILTER, Error, ExtensionQuery, PartyStatusCode,
    SubscriptionStatus, TransferTarget,
};
use secrecy::{ExposeSecret as _, SecretString};
use serde_json::json;
use support::{CLIENT_SECRET, FakePlatform, JWT, SIP_PASSWORD, Throttle};

fn client(platform: &FakePlatform) -> Client {
    Client::new(platform.config()).expect("client")
}

fn assert_no_secrets(text: &str, platform: &FakePlatform) {
    assert!(
        !text.contains(CLIENT_SECRET),
        "client secret leaked: {text}"
    );
    assert!(!text.contains(JWT), "JWT leaked: {text}");
    assert!(!text.contains(SIP_PASSWORD), "SIP password leaked: {text}");
    assert!(
        !text.contains("test-access-token"),
        "access token leaked: {text}"
    );
    assert!(
        !text.contains("test-refresh-token"),
        "refresh token leaked: {text}"
    );
    for token in platform.with(|s| s.issued_access.clone()) {
        assert!(!text.contains(&token), "token leaked: {text}");
    }
}

#[tokio::test]
async fn logs_in_lazily_once_and_reuses_the_token() {
    let platform = FakePlatform::start().await;
    let id = platform.add_session();
    let client = client(&platform);
    assert_eq!(
        platform.with(|s| s.jwt_grants),
        0,
        "no I/O before the first call"
    );

    let session = client.get_session(&id).await.expect("get session");
    assert_eq!(session.id, id);
    client.get_session(&id).await.expect("second get session");

    platform.with(|s| {
        assert_eq!(s.jwt_grants, 1);
        assert_eq!(s.refresh_grants, 0);
        assert_eq!(s.api_requests, 2);
        assert_eq!(s.unauthorized, 0);
    });
}

#[tokio::test]
async fn concurrent_first_calls_share_one_login() {
    let platform = FakePlatform::start().await;
    let id = platform.add_session();
    platform.with(|s| s.token_delay = Duration::from_millis(200));
    let client = client(&platform);

    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let client = client.clone();
        let id = id.clone();
        tasks.spawn(async move { client.get_session(&id).await });
    }
    while let Some(result) = tasks.join_next().await {
        result.expect("task").expect("get session");
    }
    platform.with(|s| {
        assert_eq!(s.jwt_grants, 1, "one login for all concurrent callers");
        assert_eq!(s.unauthorized, 0);
    });
}

/// expires_in 2 s -> refresh margin clamped to 1 s, so the token is due after 1 s.
async fn platform_with_short_tokens() -> FakePlatform {
    let platform = FakePlatform::start().await;
    platform.with(|s| s.expires_in_s = 2);
    platform
}

#[tokio::test]
async fn refreshes_proactively_and_uses_the_new_token() {
    let platform = platform_with_short_tokens().await;
    let id = platform.add_session();
    let client = client(&platform);
    client.get_session(&id).await.expect("first call");
    tokio::time::sleep(Duration::from_millis(1200)).await;

    client.get_session(&id).await.expect("call after refresh");
    client
        .get_session(&id)
        .await
        .expect("call with refreshed token");
    platform.with(|s| {
        assert_eq!(s.jwt_grants, 1);
        assert_eq!(s.refresh_grants, 1);
        // The refresh killed the old access token; the client never used it again.
        assert_eq!(s.unauthorized, 0);
        assert_eq!(s.valid_access.len(), 1);
    });
}

#[tokio::test]
async fn concurrent_callers_share_one_refresh() {
    let platform = platform_with_short_tokens().await;
    let id = platform.add_session();
    let client = client(&platform);
    client.get_session(&id).await.expect("first call");
    tokio::time::sleep(Duration::from_millis(1200)).await;
    platform.with(|s| s.token_delay = Duration::from_millis(200));

    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let client = client.clone();
        let id = id.clone();
        tasks.spawn(async move { client.get_session(&id).await });
    }
    while let Some(result) = tasks.join_next().await {
        result.expect("task").expect("get session");
    }
    platform.with(|s| {
        assert_eq!(s.refresh_grants, 1, "no refresh stampede");
        assert_eq!(
            s.failed_refreshes, 0,
            "single-use refresh token presented once"
        );
        assert_eq!(s.jwt_grants, 1);
        assert_eq!(s.unauthorized, 0);
    });
}

#[tokio::test]
async fn logs_in_with_jwt_when_proactive_refresh_is_rejected() {
    let platform = platform_with_short_tokens().await;
    let id = platform.add_session();
    let client = client(&platform);
    client.get_session(&id).await.expect("first call");
    platform.with(|s| s.reject_refresh = true);
    tokio::time::sleep(Duration::from_millis(1200)).await;

    client
        .get_session(&id)
        .await
        .expect("call after failed refresh");
    platform.with(|s| {
        assert_eq!(s.failed_refreshes, 1);
        assert_eq!(s.jwt_grants, 2);
        assert_eq!(s.unauthorized, 0);
    });
}

#[tokio::test]
async fn reauthenticates_after_401_and_retries_once() {
    let platform = FakePlatform::start().await;
    let id = platform.add_session();
    let client = client(&platform);
    client.get_session(&id).await.expect("first call");
    // Admin session timeout: every token of the session is dead, refresh included.
    platform.with(|s| s.kill_all_tokens());

    let session = client
        .get_session(&id)
        .await
        .expect("retried after re-login");
    assert_eq!(session.id, id);
    platform.with(|s| {
        assert_eq!(s.unauthorized, 1);
        assert_eq!(s.failed_refreshes, 1);
        assert_eq!(s.jwt_grants, 2);
        assert_eq!(s.api_requests, 3);
    });
}

#[tokio::test]
async fn gives_up_after_one_retry_when_401_persists() {
    let platform = FakePlatform::start().await;
    let id = platform.add_session();
    platform.with(|s| s.always_unauthorized = true);
    let client = client(&platform);

    let err = client.get_session(&id).await.expect_err("401 twice");
    assert_eq!(err.status(), Some(401));
    assert_eq!(err.error_code(), Some("OAU-128"));
    assert!(!err.is_retryable());
    platform.with(|s| assert_eq!(s.unauthorized, 2, "exactly one retry"));
    assert_no_secrets(&format!("{err} {err:?}"), &platform);
}

#[tokio::test]
async fn revoke_kills_the_session_and_next_call_logs_in_again() {
    let platform = FakePlatform::start().await;
    let id = platform.add_session();
    let client = client(&platform);
    client
        .revoke()
        .await
        .expect("revoke without a token is a no-op");
    assert_eq!(platform.with(|s| s.revokes), 0);

    client.get_session(&id).await.expect("first call");
    client.revoke().await.expect("revoke");
    platform.with(|s| {
        assert_eq!(s.revokes, 1);
        assert!(s.valid_access.is_empty(), "server-side session revoked");
    });

    client.get_session(&id).await.expect("call after revoke");
    platform.with(|s| {
        assert_eq!(s.jwt_grants, 2);
        assert_eq!(s.unauthorized, 0, "client forgot the revoked token");
    });
}

#[tokio::test]
async fn waits_out_429_with_retry_after() {
    let platform = FakePlatform::start().await;
    let id = platform.add_session();
    let client = client(&platform);
    client.login().await.expect("login");
    platform.with(|s| s.throttle_plan.push_back(Throttle::RetryAfter(1)));

    let started = Instant::now();
    client
        .get_session(&id)
        .await
        .expect("succeeds after waiting");
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "waited Retry-After"
    );
    platform.with(|s| {
        assert_eq!(s.throttled, 1);
        assert_eq!(s.api_requests, 2);
    });
}

#[tokio::test]
async fn waits_the_configured_default_when_retry_after_is_absent() {
    let platform = FakePlatform::start().await;
    let id = platform.add_session();
    let client = client(&platform);
    platform.with(|s| {
        s.throttle_plan.push_back(Throttle::NoRetryAfter);
        s.throttle_plan.push_back(Throttle::NoRetryAfter);
    });

    client
        .get_session(&id)
        .await
        .expect("succeeds after two waits");
    platform.with(|s| {
        assert_eq!(s.throttled, 2);
        assert_eq!(s.api_requests, 3);
    });
}

#[tokio::test]
async fn returns_rate_limited_when_the_wait_would_exceed_the_maximum() {
    let platform = FakePlatform::start().await;
    let id = platform.add_session();
    let mut config = platform.config();
    config.max_rate_limit_wait = Duration::from_secs(1);
    let client = Client::new(config).expect("client");
    platform.with(|s| s.throttle_plan.push_back(Throttle::RetryAfter(30)));

    let started = Instant::now();
    let err = client.get_session(&id).await.expect_err("rate limited");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "did not sleep 30 s"
    );
    match &err {
        Error::RateLimited { group, retry_after } => {
            assert_eq!(group.as_deref(), Some("light"));
            assert_eq!(*retry_after, Duration::from_secs(30));
        }
        other => panic!("expected RateLimited, got {other:?}"),
    }
    assert_eq!(err.status(), Some(429));
    assert!(err.is_retryable());
    assert_eq!(platform.with(|s| s.api_requests), 1);
}

#[tokio::test]
async fn records_rate_limit_headers_per_group() {
    let platform = FakePlatform::start().await;
    let client = client(&platform);
    assert!(client.rate_limit_status().is_empty());

    let session = client
        .call_out(&CallOutRequest::to_phone_number("59474004", "+16579991394"))
        .await
        .expect("call out");
    client.get_session(&session.id).await.expect("get");

    let status = client.rate_limit_status();
    let groups: Vec<&str> = status.iter().map(|i| i.group.as_str()).collect();
    assert_eq!(groups, ["auth", "heavy", "light"]);
    let heavy = &status[1];
    assert_eq!(heavy.limit, Some(10));
    assert_eq!(heavy.remaining, Some(9));
    assert_eq!(heavy.window, Some(Duration::from_secs(60)));
}

#[tokio::test]
async fn call_out_sends_camel_case_and_unwraps_the_session() {
    let platform = FakePlatform::start().await;
    let client = client(&platform);

    let session = client
        .call_out(&CallOutRequest::to_phone_number("59474004", "+18008291040"))
        .await
        .expect("call out");
    assert!(session.id.starts_with("s-test"));
    let party = &session.parties[0];
    assert_eq!(party.direction, Direction::Outbound);
    assert_eq!(party.status.code, PartyStatusCode::Setup);
    assert_eq!(
        party.from.as_ref().and_then(|f| f.device_id.as_deref()),
        Some("59474004")
    );
    platform.with(|s| {
        assert_eq!(
            s.last_call_out_body,
            Some(json!({"from": {"deviceId": "59474004"}, "to": {"phoneNumber": "+18008291040"}}))
        );
        assert_eq!(s.account_ids_seen, ["~"]);
    });
}

#[tokio::test]
async fn parses_api_error_bodies() {
    let platform = FakePlatform::start().await;
    let client = client(&platform);

    let err = client
        .call_out(&CallOutRequest::to_phone_number("", "+18008291040"))
        .await
        .expect_err("invalid device");
    match &err {
        Error::Api {
            status,
            error_code,
            message,
            parameter_name,
        } => {
            assert_eq!(*status, 400);
            assert_eq!(error_code.as_deref(), Some("CMN-101"));
            assert_eq!(message, "Parameter [from.deviceId] value is invalid");
            assert_eq!(parameter_name.as_deref(), Some("from.deviceId"));
        }
        other => panic!("expected Api error, got {other:?}"),
    }
    assert!(err.to_string().contains("CMN-101"));
    assert!(!err.is_not_found());
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn oauth_errors_are_auth_errors_without_secrets() {
    let platform = FakePlatform::start().await;
    let id = platform.add_session();

    let mut config = platform.config();
    config.jwt = SecretString::from("test-wrong-jwt-0c3e");
    let err = Client::new(config)
        .expect("client")
        .get_session(&id)
        .await
        .expect_err("bad JWT");
    match &err {
        Error::Auth {
            status,
            error_code,
            message,
        } => {
            assert_eq!(*status, Some(400));
            assert_eq!(error_code.as_deref(), Some("invalid_grant"));
            assert_eq!(message, "Invalid token");
        }
        other => panic!("expected Auth error, got {other:?}"),
    }
    let text = format!("{err} {err:?}");
    assert!(!text.contains("test-wrong-jwt-0c3e"), "JWT leaked: {text}");
    assert_no_secrets(&text, &platform);

    let mut config = platform.config();
    config.client_secret = SecretString::from("test-wrong-secret-77aa");
    let err = Client::new(config)
        .expect("client")
        .login()
        .await
        .expect_err("bad client secret");
    assert_eq!(err.status(), Some(401));
    assert_eq!(err.error_code(), Some("invalid_client"));
    let text = format!("{err} {err:?}");
    assert!(
        !text.contains("test-wrong-secret-77aa"),
        "secret leaked: {text}"
    );
    assert_no_secrets(&text, &platform);
}

#[tokio::test]
async fn secrets_never_appear_in_debug_output() {
    let platform = FakePlatform::start().await;
    let client = client(&platform);
    client.login().await.expect("login");

    let sip = client
        .get_device_sip_info("59474004")
        .await
        .expect("sip info");
    assert_eq!(
        sip.password.as_ref().map(|p| p.expose_secret()),
        Some(SIP_PASSWORD)
    );
    let request = CreateSubscriptionRequest::webhook(
        vec![EXTENSION_TELEPHONY_SESSIONS_FILTER.to_owned()],
        "https://bridge.example.test/webhook",
        Some(SecretString::from("test-verification-token-1a2b")),
        604_800,
    );
    let text = format!(
        "{:?} {:?} {client:?} {sip:?} {request:?}",
        platform.config(),
        client.config()
    );
    assert!(
        text.contains("test-client-id"),
        "non-secret fields are shown: {text}"
    );
    assert!(
        !text.contains("test-verification-token-1a2b"),
        "token leaked: {text}"
    );
    assert_no_secrets(&text, &platform);
}

#[tokio::test]
async fn follows_paging_over_three_pages() {
    let platform = FakePlatform::start().await;
    let client = client(&platform);
    let query = ExtensionQuery {
        types: vec!["User".to_owned()],
        statuses: vec!["Enabled".to_owned()],
        per_page: Some(2),
        ..ExtensionQuery::default()
    };

    let extensions = client.list_extensions(&query).await.expect("list");
    let ids: Vec<&str> = extensions.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["1001", "1002", "1003", "1004", "1005", "1006"]);
    assert_eq!(extensions[0].extension_number.as_deref(), Some("101"));
    platform.with(|s| {
        assert_eq!(
            s.extension_queries,
            [
                "type=User&status=Enabled&page=1&perPage=2",
                "type=User&status=Enabled&page=2&perPage=2",
                "type=User&status=Enabled&page=3&perPage=2",
            ]
        );
    });

    let page = client
        .list_extensions_page(&query, 2)
        .await
        .expect("page 2");
    assert_eq!(page.records.len(), 2);
    assert_eq!(page.paging.as_ref().and_then(|p| p.page), Some(2));
    assert!(page.has_next_page());
    let last = client
        .list_extensions_page(&query, 3)
        .await
        .expect("page 3");
    assert!(!last.has_next_page());
}

#[tokio::test]
async fn delete_session_returns_204_then_not_found() {
    let platform = FakePlatform::start().await;
    let id = platform.add_session();
    let client = client(&platform);

    client.delete_session(&id).await.expect("204");
    let err = client.delete_session(&id).await.expect_err("already gone");
    assert!(err.is_not_found());
    assert_eq!(err.error_code(), Some("CMN-102"));
    let err = client.get_session(&id).await.expect_err("gone");
    assert!(err.is_not_found());
}

#[tokio::test]
async fn transfer_sends_exactly_one_target_field() {
    let platform = FakePlatform::start().await;
    let id = platform.add_session();
    let client = client(&platform);
    let party_id = format!("p-{id}-1");

    let party = client
        .transfer_party(
            &id,
            &party_id,
            &TransferTarget::ExtensionNumber("10086".into()),
        )
        .await
        .expect("transfer");
    assert_eq!(party.id, party_id);
    assert_eq!(party.status.code, PartyStatusCode::Disconnected);
    assert_eq!(party.status.reason.as_deref(), Some("BlindTransfer"));
    platform.with(|s| {
        assert_eq!(
            s.last_transfer_body,
            Some(json!({"extensionNumber": "10086"}))
        );
    });
}

#[tokio::test]
async fn request_timeout_gives_timeout_error() {
    let platform = FakePlatform::start().await;
    let mut config = platform.config();
    config.request_timeout = Duration::from_millis(300);
    let client = Client::new(config).expect("client");
    client.login().await.expect("login");

    let started = Instant::now();
    let err = client.get_session("slow").await.expect_err("timeout");
    assert!(matches!(err, Error::Timeout), "got {err:?}");
    assert!(err.is_retryable());
    assert!(started.elapsed() < Duration::from_secs(4));
}

#[tokio::test]
async fn create_subscription_sends_the_verification_token() {
    let platform = FakePlatform::start().await;
    let client = client(&platform);
    let request = CreateSubscriptionRequest::webhook(
        vec![EXTENSION_TELEPHONY_SESSIONS_FILTER.to_owned()],
        "https://bridge.example.test/webhook",
        Some(SecretString::from("test-verification-token-1a2b")),
        604_800,
    );

    let info = client.create_subscription(&request).await.expect("create");
    assert_eq!(info.status, Some(SubscriptionStatus::Active));
    assert_eq!(info.expires_in, Some(604_800));
    assert!(!info.is_blacklisted());
    platform.with(|s| {
        assert_eq!(
            s.last_subscription_body,
            Some(json!({
                "eventFilters": ["/restapi/v1.0/account/~/extension/~/telephony/sessions"],
                "deliveryMode": {
                    "transportType": "WebHook",
                    "address": "https://bridge.example.test/webhook",
                    "verificationToken": "test-verification-token-1a2b"
                },
                "expiresIn": 604800
            }))
        );
    });
}

#[tokio::test]
async fn every_endpoint_uses_the_spec_path_and_body() {
    use ringcentral::{ForwardTarget, PhoneNumberQuery, UpdateSubscriptionRequest};

    let platform = FakePlatform::start().await;
    let client = client(&platform);
    let (s, p) = ("s-abc", "p-abc-1");

    assert_eq!(client.get_party(s, p).await.expect("get party").id, "p-1");
    let held = client.hold_party(s, p).await.expect("hold");
    assert_eq!(held.status.code, PartyStatusCode::Hold);
    client.unhold_party(s, p).await.expect("unhold");
    client
        .forward_party(s, p, &ForwardTarget::PhoneNumber("+16502223366".into()))
        .await
        .expect("forward");
    client.reject_party(s, p).await.expect("reject");
    let queues = client.list_call_queues().await.expect("queues");
    assert_eq!(queues[0].extension_number.as_deref(), Some("10086"));
    let members = client
        .list_call_queue_members("11570443004")
        .await
        .expect("members");
    assert_eq!(members[0].id, "170848004");
    client.list_extension_devices("~").await.expect("devices");
    let numbers = client
        .list_account_phone_numbers(&PhoneNumberQuery {
            usage_types: vec!["DirectNumber".into()],
            ..PhoneNumberQuery::default()
        })
        .await
        .expect("numbers");
    assert_eq!(numbers[0].id, "284652008");
    assert_eq!(
        client.list_subscriptions().await.expect("list")[0].id,
        "sub-1"
    );
    client
        .get_subscription("sub-1")
        .await
        .expect("get subscription");
    client.renew_subscription("sub-1").await.expect("renew");
    client
        .update_subscription(
            "sub-1",
            &UpdateSubscriptionRequest {
                expires_in: Some(3600),
                ..UpdateSubscriptionRequest::default()
            },
        )
        .await
        .expect("update");
    client.delete_subscription("sub-1").await.expect("delete");

    let acct = "/restapi/v1.0/account/~";
    let expected = [
        format!("GET {acct}/telephony/sessions/{s}/parties/{p}"),
        format!("POST {acct}/telephony/sessions/{s}/parties/{p}/hold"),
        format!("POST {acct}/telephony/sessions/{s}/parties/{p}/unhold"),
        format!(
            r#"POST {acct}/telephony/sessions/{s}/parties/{p}/forward {{"phoneNumber":"+16502223366"}}"#
        ),
        format!("POST {acct}/telephony/sessions/{s}/parties/{p}/reject"),
        format!("GET {acct}/call-queues?page=1"),
        format!("GET {acct}/call-queues/11570443004/members?page=1"),
        format!("GET {acct}/extension/~/device?page=1"),
        format!("GET {acct}/phone-number?usageType=DirectNumber&page=1"),
        "GET /restapi/v1.0/subscription".to_owned(),
        "GET /restapi/v1.0/subscription/sub-1".to_owned(),
        "POST /restapi/v1.0/subscription/sub-1/renew".to_owned(),
        r#"PUT /restapi/v1.0/subscription/sub-1 {"expiresIn":3600}"#.to_owned(),
        "DELETE /restapi/v1.0/subscription/sub-1".to_owned(),
    ];
    platform.with(|state| assert_eq!(state.recorded, expected));
}
