//! The typed client against the in-process RingCentral simulator (`ringcentral_sim::spawn`):
//! every endpoint the client has, its auth life cycle and its error paths, over real sockets.
//! Where the two disagree, `shared/reference/ringcentral-api.md` decides.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use ringcentral::{
    ACCOUNT_TELEPHONY_SESSIONS_FILTER, CallOutRequest, Client, Config, CreateSubscriptionRequest,
    Direction, EXTENSION_TELEPHONY_SESSIONS_FILTER, Error, ExtensionQuery, ForwardTarget,
    OriginType, PartyStatusCode, PhoneNumberQuery, SubscriptionStatus, TransferTarget,
    UpdateSubscriptionRequest,
};
use ringcentral_sim::SimConfig;
use ringcentral_sim::config::RateLimitConfig;
use ringcentral_sim::faults::{EndpointFault, ForcedFailure};
use secrecy::{ExposeSecret as _, SecretString};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

/// Destinations of the simulator's far end (sim `farend::presets::sim_test_lines`).
const QUICK_LINE: &str = "+15550100001";
const NO_ANSWER_LINE: &str = "+15550100003";

/// Generous deadline for anything that waits on the simulator (loaded 2-core machine).
const DEADLINE: Duration = Duration::from_secs(30);

/// Fast simulator: rate limits off unless a test sets them, quick device answer and queue ring.
fn sim_config() -> SimConfig {
    let mut config = SimConfig::default();
    config.rate_limits.enabled = false;
    config.device_answer_ms = 50;
    config.queue_ring_ms = 300;
    config
}

/// Client credentials the simulator accepts by default (obviously fake).
fn client_config(base_url: &str) -> Config {
    let mut config = Config::new(
        base_url.parse().expect("base url"),
        "sim-client-id",
        SecretString::from("sim-client-secret"),
        SecretString::from("sim-jwt-assertion"),
    );
    config.request_timeout = Duration::from_secs(10);
    config.default_retry_after = Duration::from_millis(200);
    config
}

fn client_for(base_url: &str) -> Client {
    Client::new(client_config(base_url)).expect("client")
}

/// A TCP proxy in front of the simulator that records every byte the client sends, so a test
/// can see the client's access tokens and grants on the wire.
struct RecordingProxy {
    url: String,
    sent: Arc<Mutex<Vec<u8>>>,
}

impl RecordingProxy {
    async fn start(upstream_base_url: &str) -> Self {
        let upstream: SocketAddr = upstream_base_url
            .trim_start_matches("http://")
            .parse()
            .expect("sim address");
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("bind proxy");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let sent = Arc::new(Mutex::new(Vec::new()));
        let record = sent.clone();
        tokio::spawn(async move {
            while let Ok((inbound, _)) = listener.accept().await {
                let record = record.clone();
                tokio::spawn(async move {
                    let Ok(outbound) = tokio::net::TcpStream::connect(upstream).await else {
                        return;
                    };
                    let (mut from_client, mut to_client) = inbound.into_split();
                    let (mut from_sim, mut to_sim) = outbound.into_split();
                    tokio::spawn(async move {
                        let _ = tokio::io::copy(&mut from_sim, &mut to_client).await;
                    });
                    let mut buf = vec![0u8; 16 * 1024];
                    loop {
                        let n = match from_client.read(&mut buf).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => n,
                        };
                        record.lock().unwrap().extend_from_slice(&buf[..n]);
                        if to_sim.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                    let _ = to_sim.shutdown().await;
                });
            }
        });
        Self { url, sent }
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.sent.lock().unwrap()).into_owned()
    }

    /// Distinct Bearer tokens the client sent, in first-use order.
    fn bearer_tokens(&self) -> Vec<String> {
        let text = self.text();
        let lower = text.to_ascii_lowercase();
        let needle = "authorization: bearer ";
        let mut tokens: Vec<String> = Vec::new();
        let mut from = 0;
        while let Some(at) = lower[from..].find(needle) {
            let start = from + at + needle.len();
            let end = start + text[start..].find("\r\n").expect("header line end");
            let token = text[start..end].trim().to_owned();
            if !tokens.contains(&token) {
                tokens.push(token);
            }
            from = end;
        }
        tokens
    }

    /// Number of token requests with this (form-encoded) grant type.
    fn grants(&self, grant_type: &str) -> usize {
        let encoded: String = url::form_urlencoded::byte_serialize(grant_type.as_bytes()).collect();
        self.text()
            .matches(&format!("grant_type={encoded}"))
            .count()
    }
}

const JWT_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const REFRESH_GRANT: &str = "refresh_token";

/// Raw request with a given access token (outside the client), to see whether the simulator
/// still accepts it. Returns the HTTP status and the first `errors[].errorCode`.
async fn probe_token(base_url: &str, token: &str) -> (u16, Option<String>) {
    let response = reqwest::Client::new()
        .get(format!("{base_url}/restapi/v1.0/account/~/extension/~"))
        .bearer_auth(token)
        .send()
        .await
        .expect("probe");
    let status = response.status().as_u16();
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    let code = body["errors"][0]["errorCode"].as_str().map(str::to_owned);
    (status, code)
}

/// Revokes an OAuth session out of band, as another process holding the token could.
async fn revoke_out_of_band(base_url: &str, token: &str) {
    let response = reqwest::Client::new()
        .post(format!("{base_url}/restapi/oauth/revoke"))
        .basic_auth("sim-client-id", Some("sim-client-secret"))
        .form(&[("token", token)])
        .send()
        .await
        .expect("revoke");
    assert_eq!(response.status(), 200);
}

async fn wait_for_party(
    client: &Client,
    session_id: &str,
    party_id: &str,
    want: PartyStatusCode,
) -> ringcentral::CallParty {
    let deadline = Instant::now() + DEADLINE;
    loop {
        let party = client
            .get_party(session_id, party_id)
            .await
            .expect("get party");
        if party.status.code == want {
            return party;
        }
        assert!(
            Instant::now() < deadline,
            "party {party_id} never reached {want}; last {:?}",
            party.status
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn assert_api_error(err: &Error, status: u16, code: &str) {
    match err {
        Error::Api {
            status: s,
            error_code,
            ..
        } => {
            assert_eq!(*s, status, "{err}");
            assert_eq!(error_code.as_deref(), Some(code), "{err}");
        }
        other => panic!("expected Api {status} {code}, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Auth
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn jwt_login_and_bad_credentials() {
    let sim = ringcentral_sim::spawn(sim_config()).await.expect("sim");
    let client = client_for(sim.base_url());
    client.login().await.expect("JWT login");
    let me = client
        .list_extensions(&ExtensionQuery {
            extension_number: Some("101".into()),
            ..ExtensionQuery::default()
        })
        .await
        .expect("authorized call");
    assert_eq!(me.len(), 1);
    assert_eq!(
        me[0].id,
        sim.account().owner_extension_id.to_string(),
        "the JWT user is the admin extension"
    );

    let mut wrong_jwt = client_config(sim.base_url());
    wrong_jwt.jwt = SecretString::from("not-the-sim-jwt");
    let err = Client::new(wrong_jwt)
        .unwrap()
        .login()
        .await
        .expect_err("bad JWT");
    match &err {
        Error::Auth {
            status, error_code, ..
        } => {
            assert_eq!(*status, Some(400));
            assert_eq!(error_code.as_deref(), Some("invalid_grant"));
        }
        other => panic!("expected Auth error, got {other:?}"),
    }
    assert!(!err.to_string().contains("not-the-sim-jwt"));

    let mut wrong_secret = client_config(sim.base_url());
    wrong_secret.client_secret = SecretString::from("not-the-sim-secret");
    let err = Client::new(wrong_secret)
        .unwrap()
        .login()
        .await
        .expect_err("bad client secret");
    assert_eq!(err.status(), Some(401));
    assert_eq!(err.error_code(), Some("invalid_client"));
}

#[tokio::test]
async fn refreshes_proactively_and_the_old_access_token_is_rejected() {
    let mut config = sim_config();
    config.tokens.access_token_ttl_s = 2;
    let sim = ringcentral_sim::spawn(config).await.expect("sim");
    let proxy = RecordingProxy::start(sim.base_url()).await;
    let client = client_for(&proxy.url);

    let deadline = Instant::now() + DEADLINE;
    client.list_call_queues().await.expect("first call");
    let first = proxy.bearer_tokens();
    assert_eq!(first.len(), 1);
    // The token lives 2 s; the client refreshes it before expiry (margin = half the lifetime).
    while proxy.bearer_tokens().len() < 2 {
        assert!(Instant::now() < deadline, "the client never refreshed");
        client
            .list_call_queues()
            .await
            .expect("call while refreshing");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(proxy.grants(JWT_GRANT), 1, "one login");
    assert!(proxy.grants(REFRESH_GRANT) >= 1, "refreshed, not re-logged");
    // DOCS refresh-tokens.md: a refresh invalidates the previous access token at once.
    let (status, code) = probe_token(sim.base_url(), &first[0]).await;
    assert_eq!(status, 401, "old access token still accepted");
    assert_eq!(code.as_deref(), Some("OAU-128"));
    let current = proxy.bearer_tokens().last().cloned().unwrap();
    assert_eq!(probe_token(sim.base_url(), &current).await.0, 200);
}

#[tokio::test]
async fn logs_in_again_when_the_refresh_is_rejected() {
    let sim = ringcentral_sim::spawn(sim_config()).await.expect("sim");
    let proxy = RecordingProxy::start(sim.base_url()).await;
    let client = client_for(&proxy.url);
    client.list_call_queues().await.expect("first call");
    let first = proxy.bearer_tokens()[0].clone();

    // Kill the OAuth session behind the client's back: its access token now answers 401 and
    // its refresh token is rejected (400 invalid_grant), so the client must use the JWT again.
    revoke_out_of_band(sim.base_url(), &first).await;
    let queues = client
        .list_call_queues()
        .await
        .expect("call after the session was revoked");
    assert_eq!(queues.len(), 2);
    assert_eq!(proxy.grants(REFRESH_GRANT), 1, "tried the refresh token");
    assert_eq!(proxy.grants(JWT_GRANT), 2, "then logged in with the JWT");
    let tokens = proxy.bearer_tokens();
    assert_eq!(tokens.len(), 2);
    assert_eq!(probe_token(sim.base_url(), &tokens[1]).await.0, 200);
}

#[tokio::test]
async fn proactive_refresh_rejected_falls_back_to_jwt_without_using_the_dead_token() {
    let mut config = sim_config();
    config.tokens.access_token_ttl_s = 2;
    let sim = ringcentral_sim::spawn(config).await.expect("sim");
    let proxy = RecordingProxy::start(sim.base_url()).await;
    let client = client_for(&proxy.url);
    client.list_call_queues().await.expect("first call");
    let first = proxy.bearer_tokens()[0].clone();
    revoke_out_of_band(sim.base_url(), &first).await;
    let uses_before = proxy.text().matches(first.as_str()).count();
    // Past the proactive refresh point (half of the 2 s lifetime), still before expiry.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    client
        .list_call_queues()
        .await
        .expect("call after the refresh was rejected");
    assert_eq!(proxy.grants(REFRESH_GRANT), 1, "proactive refresh tried");
    assert_eq!(proxy.grants(JWT_GRANT), 2, "fell back to the JWT");
    assert_eq!(
        proxy.text().matches(first.as_str()).count(),
        uses_before,
        "the dead access token was not sent again"
    );
}

#[tokio::test]
async fn revoke_kills_the_session_and_the_next_call_logs_in_again() {
    let sim = ringcentral_sim::spawn(sim_config()).await.expect("sim");
    let proxy = RecordingProxy::start(sim.base_url()).await;
    let client = client_for(&proxy.url);
    client
        .revoke()
        .await
        .expect("revoke without a token is a no-op");
    client.list_call_queues().await.expect("first call");
    let first = proxy.bearer_tokens()[0].clone();

    client.revoke().await.expect("revoke");
    assert!(proxy.text().contains("POST /restapi/oauth/revoke"));
    let (status, code) = probe_token(sim.base_url(), &first).await;
    assert_eq!(status, 401, "revoked access token still accepted");
    assert_eq!(code.as_deref(), Some("OAU-128"));

    client.list_call_queues().await.expect("call after revoke");
    assert_eq!(proxy.grants(JWT_GRANT), 2, "logged in again");
    assert_eq!(proxy.grants(REFRESH_GRANT), 0);
    assert_eq!(proxy.bearer_tokens().len(), 2);
}

// ---------------------------------------------------------------------------------------------
// Call control
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn call_out_get_and_delete_session() {
    let sim = ringcentral_sim::spawn(sim_config()).await.expect("sim");
    let client = client_for(sim.base_url());
    let device = sim.account().devices[0].clone();

    let session = client
        .call_out(&CallOutRequest::to_phone_number(&device.id, QUICK_LINE))
        .await
        .expect("call-out");
    assert!(session.id.starts_with("s-"), "{}", session.id);
    assert_eq!(
        session.origin.as_ref().map(|o| &o.type_),
        Some(&OriginType::CallOut)
    );
    assert!(session.creation_time.is_some());
    assert_eq!(session.parties.len(), 1, "one party right after call-out");
    let me = &session.parties[0];
    assert_eq!(me.id, format!("p-{}-1", &session.id[2..]));
    assert_eq!(me.direction, Direction::Outbound);
    assert_eq!(me.status.code, PartyStatusCode::Setup);
    let from = me.from.as_ref().expect("from");
    assert_eq!(from.device_id.as_deref(), Some(device.id.as_str()));
    assert_eq!(
        from.extension_id.as_deref(),
        Some(device.extension_id.to_string().as_str())
    );
    assert_eq!(
        me.to.as_ref().and_then(|t| t.phone_number.as_deref()),
        Some(QUICK_LINE)
    );
    assert_eq!(
        me.owner.as_ref().and_then(|o| o.extension_id.clone()),
        Some(device.extension_id.to_string())
    );

    let got = client.get_session(&session.id).await.expect("get session");
    assert_eq!(got.id, session.id);
    assert_eq!(got.parties[0].id, me.id);
    let party = client.get_party(&session.id, &me.id).await.expect("party");
    assert_eq!(party.id, me.id);
    assert_eq!(party.direction, Direction::Outbound);

    let err = client
        .get_party(&session.id, "p-nope-9")
        .await
        .expect_err("unknown party");
    assert!(err.is_not_found(), "{err}");

    client.delete_session(&session.id).await.expect("hang up");
    let err = client
        .get_session(&session.id)
        .await
        .expect_err("session is over");
    assert!(err.is_not_found(), "{err}");
    let err = client
        .delete_session(&session.id)
        .await
        .expect_err("second hang-up");
    assert!(err.is_not_found(), "{err}");
    assert_eq!(err.error_code(), Some("CMN-102"));
    let err = client
        .delete_session("s-00000000000000000000000000000000")
        .await
        .expect_err("unknown session");
    assert!(err.is_not_found());
}

#[tokio::test]
async fn call_out_errors_are_typed() {
    let sim = ringcentral_sim::spawn(sim_config()).await.expect("sim");
    let client = client_for(sim.base_url());
    let device = sim.account().devices[1].id.clone();

    let err = client
        .call_out(&CallOutRequest::to_phone_number("999", QUICK_LINE))
        .await
        .expect_err("unknown device");
    assert_api_error(&err, 404, "CMN-102");
    let err = client
        .call_out(&CallOutRequest::to_phone_number(&device, "call me maybe"))
        .await
        .expect_err("bad number");
    assert_api_error(&err, 400, "CMN-101");
    match &err {
        Error::Api { parameter_name, .. } => {
            assert_eq!(parameter_name.as_deref(), Some("to.phoneNumber"))
        }
        _ => unreachable!(),
    }
    assert!(!err.is_retryable());
    assert!(sim.calls().is_empty(), "no call was created");
}

#[tokio::test]
async fn transfer_to_a_call_queue_only_when_answered_with_hold_and_unhold() {
    let mut config = sim_config();
    config.media_pace = 5.0;
    let sim = ringcentral_sim::spawn(config).await.expect("sim");
    let client = client_for(sim.base_url());
    let queue = client
        .list_call_queues()
        .await
        .expect("call queues")
        .into_iter()
        .next()
        .expect("a call queue");
    let queue_number = queue.extension_number.clone().expect("queue number");
    let to_queue = TransferTarget::ExtensionNumber(queue_number.clone());
    let device = sim.account().devices[2].id.clone();

    let session = client
        .call_out(&CallOutRequest::to_phone_number(&device, QUICK_LINE))
        .await
        .expect("call-out");
    let me = session.parties[0].id.clone();

    // Not answered yet (Setup or Proceeding): transfer and hold are refused.
    let err = client
        .transfer_party(&session.id, &me, &to_queue)
        .await
        .expect_err("transfer before Answered");
    assert_api_error(&err, 409, "TAS-102");
    let err = client
        .unhold_party(&session.id, &me)
        .await
        .expect_err("unhold when not on hold");
    assert_api_error(&err, 409, "TAS-102");

    let answered = wait_for_party(&client, &session.id, &me, PartyStatusCode::Answered).await;
    assert_eq!(answered.direction, Direction::Outbound);
    let full = client.get_session(&session.id).await.expect("session");
    let far = full
        .parties
        .iter()
        .find(|p| p.id != me)
        .expect("the far-end party");
    assert_eq!(far.direction, Direction::Inbound);
    assert!(far.owner.is_none(), "the PSTN party has no owner");
    let err = client
        .hold_party(&session.id, &far.id)
        .await
        .expect_err("the PSTN party is not ours");
    assert_api_error(&err, 403, "TAS-106");

    let held = client.hold_party(&session.id, &me).await.expect("hold");
    assert_eq!(held.status.code, PartyStatusCode::Hold);
    let err = client
        .hold_party(&session.id, &me)
        .await
        .expect_err("hold twice");
    assert_api_error(&err, 409, "TAS-102");
    let resumed = client.unhold_party(&session.id, &me).await.expect("unhold");
    assert_eq!(resumed.status.code, PartyStatusCode::Answered);

    let err = client
        .transfer_party(
            &session.id,
            &me,
            &TransferTarget::ExtensionNumber("9999".into()),
        )
        .await
        .expect_err("unknown extension");
    assert!(err.is_not_found(), "{err}");

    let transferred = client
        .transfer_party(&session.id, &me, &to_queue)
        .await
        .expect("transfer to the call queue");
    assert_eq!(transferred.id, me);
    assert_eq!(transferred.status.code, PartyStatusCode::Disconnected);
    assert_eq!(transferred.status.reason.as_deref(), Some("BlindTransfer"));

    let after = client.get_session(&session.id).await.expect("session");
    let queue_party = after
        .parties
        .iter()
        .find(|p| p.to.as_ref().and_then(|t| t.phone_number.as_deref()) == Some(&queue_number))
        .expect("a party ringing the queue");
    assert_eq!(queue_party.direction, Direction::Inbound);
    assert_eq!(
        queue_party
            .owner
            .as_ref()
            .and_then(|o| o.extension_id.clone()),
        Some(queue.id.clone())
    );
    let err = client
        .transfer_party(&session.id, &me, &to_queue)
        .await
        .expect_err("transfer a Disconnected party");
    assert_api_error(&err, 409, "TAS-102");
    let truth = sim.call(&session.id).expect("ground truth");
    assert_eq!(
        truth.transfer_target.as_deref(),
        Some(format!("extensionNumber={queue_number}").as_str())
    );

    client.delete_session(&session.id).await.expect("hang up");
    assert!(
        client
            .get_session(&session.id)
            .await
            .unwrap_err()
            .is_not_found()
    );
}

#[tokio::test]
async fn forward_only_while_ringing() {
    let sim = ringcentral_sim::spawn(sim_config()).await.expect("sim");
    let client = client_for(sim.base_url());
    let queue = client.list_call_queues().await.expect("queues")[1].clone();
    let device = sim.account().devices[3].id.clone();
    // The no-answer line rings for 60 s of media (real time at the default media pace).
    let session = client
        .call_out(&CallOutRequest::to_phone_number(&device, NO_ANSWER_LINE))
        .await
        .expect("call-out");
    let me = session.parties[0].id.clone();
    wait_for_party(&client, &session.id, &me, PartyStatusCode::Proceeding).await;
    let forwarded = client
        .forward_party(
            &session.id,
            &me,
            &ForwardTarget::ExtensionId(queue.id.clone()),
        )
        .await
        .expect("forward while ringing");
    assert_eq!(forwarded.status.code, PartyStatusCode::Disconnected);
    let err = client
        .forward_party(&session.id, &me, &ForwardTarget::ExtensionId(queue.id))
        .await
        .expect_err("forward once the party left");
    assert_api_error(&err, 409, "TAS-102");
    client.delete_session(&session.id).await.expect("hang up");
}

// ---------------------------------------------------------------------------------------------
// Subscriptions
// ---------------------------------------------------------------------------------------------

/// A webhook receiver on a free port. `echo` decides whether it answers the validation request
/// with the `Validation-Token` header. Records the `Verification-Token` of validation requests.
async fn webhook_receiver(echo: bool) -> (String, Arc<Mutex<Vec<String>>>) {
    let verification_tokens = Arc::new(Mutex::new(Vec::new()));
    let seen = verification_tokens.clone();
    let handler = move |headers: HeaderMap| {
        let seen = seen.clone();
        async move {
            let Some(token) = headers.get("validation-token").cloned() else {
                return StatusCode::OK.into_response();
            };
            if let Some(v) = headers
                .get("verification-token")
                .and_then(|v| v.to_str().ok())
            {
                seen.lock().unwrap().push(v.to_owned());
            }
            let mut response: Response = StatusCode::OK.into_response();
            if echo {
                response.headers_mut().insert("Validation-Token", token);
            }
            response
        }
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .expect("bind receiver");
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let app = axum::Router::new().route("/hook", axum::routing::post(handler));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, verification_tokens)
}

#[tokio::test]
async fn subscription_life_cycle_and_blacklisting() {
    let sim = ringcentral_sim::spawn(sim_config()).await.expect("sim");
    let client = client_for(sim.base_url());
    let (good_url, verification_tokens) = webhook_receiver(true).await;

    let created = client
        .create_subscription(&CreateSubscriptionRequest::webhook(
            vec![EXTENSION_TELEPHONY_SESSIONS_FILTER.to_owned()],
            good_url.clone(),
            Some(SecretString::from("test-verification-token")),
            3600,
        ))
        .await
        .expect("create subscription");
    assert_eq!(created.status, Some(SubscriptionStatus::Active));
    assert_eq!(created.event_filters.len(), 1);
    let owner = sim.account().owner_extension_id;
    assert_eq!(
        created.event_filters[0],
        format!(
            "/restapi/v1.0/account/{}/extension/{owner}/telephony/sessions",
            sim.account().id
        ),
        "`~` resolved"
    );
    let mode = created.delivery_mode.clone().expect("deliveryMode");
    assert_eq!(mode.transport_type.as_deref(), Some("WebHook"));
    assert_eq!(mode.address.as_deref(), Some(good_url.as_str()));
    assert_eq!(mode.encryption, Some(false));
    let expires_in = created.expires_in.expect("expiresIn");
    assert!((3590..=3600).contains(&expires_in), "{expires_in}");
    assert!(created.expiration_time.is_some() && created.creation_time.is_some());
    assert_eq!(
        *verification_tokens.lock().unwrap(),
        vec!["test-verification-token".to_owned()],
        "the validation request carried our verification token"
    );

    let listed = client.list_subscriptions().await.expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, created.id);
    let got = client.get_subscription(&created.id).await.expect("get");
    assert_eq!(got.id, created.id);

    let renewed = client.renew_subscription(&created.id).await.expect("renew");
    assert!(renewed.expires_in.unwrap() >= 3590, "renew keeps expiresIn");
    let updated = client
        .update_subscription(
            &created.id,
            &UpdateSubscriptionRequest {
                event_filters: Some(vec![ACCOUNT_TELEPHONY_SESSIONS_FILTER.to_owned()]),
                expires_in: Some(7200),
            },
        )
        .await
        .expect("update");
    assert_eq!(
        updated.event_filters,
        vec![format!(
            "/restapi/v1.0/account/{}/telephony/sessions",
            sim.account().id
        )]
    );
    assert!((7190..=7200).contains(&updated.expires_in.unwrap()));

    let reason = "Webhook responses with code: [404], reason: [Not Found]";
    sim.blacklist_subscription(&created.id, reason)
        .expect("blacklist");
    let blacklisted = client.get_subscription(&created.id).await.expect("get");
    assert!(blacklisted.is_blacklisted());
    let data = blacklisted.blacklisted_data.expect("blacklistedData");
    assert_eq!(data.reason.as_deref(), Some(reason));
    assert!(data.blacklisted_at.is_some());
    assert!(client.list_subscriptions().await.unwrap()[0].is_blacklisted());

    client
        .delete_subscription(&created.id)
        .await
        .expect("delete");
    let err = client
        .get_subscription(&created.id)
        .await
        .expect_err("deleted");
    assert!(err.is_not_found(), "{err}");
    let err = client
        .delete_subscription(&created.id)
        .await
        .expect_err("deleted twice");
    assert!(err.is_not_found(), "{err}");
    assert!(client.list_subscriptions().await.unwrap().is_empty());
    let err = client
        .renew_subscription(&created.id)
        .await
        .expect_err("renew deleted");
    assert!(err.is_not_found(), "{err}");
}

#[tokio::test]
async fn webhook_that_does_not_echo_the_validation_token_gives_sub_525() {
    let sim = ringcentral_sim::spawn(sim_config()).await.expect("sim");
    let client = client_for(sim.base_url());
    let (url, _) = webhook_receiver(false).await;
    let err = client
        .create_subscription(&CreateSubscriptionRequest::webhook(
            vec![EXTENSION_TELEPHONY_SESSIONS_FILTER.to_owned()],
            url,
            None,
            3600,
        ))
        .await
        .expect_err("validation must fail");
    assert_api_error(&err, 400, "SUB-525");
    assert!(err.to_string().contains("SUB-525"), "{err}");
    assert!(client.list_subscriptions().await.unwrap().is_empty());

    let (good, _) = webhook_receiver(true).await;
    let err = client
        .create_subscription(&CreateSubscriptionRequest::webhook(
            vec!["telephony/sessions".to_owned()],
            good,
            None,
            3600,
        ))
        .await
        .expect_err("bad filter");
    assert_api_error(&err, 400, "SUB-508");
}

// ---------------------------------------------------------------------------------------------
// Directory
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn directory_listings_follow_every_page() {
    let mut config = sim_config();
    config.account.hold_lines = 14;
    let sim = ringcentral_sim::spawn(config).await.expect("sim");
    let client = client_for(sim.base_url());
    let account = sim.account().clone();

    let query = ExtensionQuery {
        per_page: Some(4),
        ..ExtensionQuery::default()
    };
    let first = client
        .list_extensions_page(&query, 1)
        .await
        .expect("page 1");
    let paging = first.paging.clone().expect("paging");
    let total_pages = paging.total_pages.expect("totalPages");
    assert!(total_pages >= 3, "{paging:?}");
    assert_eq!(paging.per_page, Some(4));
    assert!(first.has_next_page());
    let last = client
        .list_extensions_page(&query, total_pages as u32)
        .await
        .expect("last page");
    assert!(!last.has_next_page());

    let all = client.list_extensions(&query).await.expect("all pages");
    assert_eq!(all.len(), account.extensions.len());
    assert_eq!(paging.total_elements, Some(all.len() as i64));
    let mut ids: Vec<&str> = all.iter().map(|e| e.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), all.len(), "no record twice");
    let queues_as_extensions = client
        .list_extensions(&ExtensionQuery {
            types: vec!["Department".into()],
            ..ExtensionQuery::default()
        })
        .await
        .expect("departments");

    let queues = client.list_call_queues().await.expect("call queues");
    assert_eq!(queues.len(), account.call_queues.len());
    assert_eq!(queues_as_extensions.len(), queues.len());
    let members = client
        .list_call_queue_members(&queues[0].id)
        .await
        .expect("members");
    assert_eq!(
        members.len(),
        account.call_queues[0].agent_extension_ids.len()
    );
    let queue_page = client
        .list_call_queues_page(1, Some(1))
        .await
        .expect("queue page");
    assert_eq!(queue_page.records.len(), 1);
    assert!(queue_page.has_next_page());

    let numbers_query = PhoneNumberQuery {
        per_page: Some(5),
        ..PhoneNumberQuery::default()
    };
    let numbers = client
        .list_account_phone_numbers(&numbers_query)
        .await
        .expect("phone numbers");
    assert_eq!(numbers.len(), account.phone_numbers.len());
    assert!(numbers.len() > 10, "≥ 3 pages of 5");
    let direct = client
        .list_account_phone_numbers(&PhoneNumberQuery {
            usage_types: vec!["DirectNumber".into()],
            per_page: Some(5),
            ..PhoneNumberQuery::default()
        })
        .await
        .expect("direct numbers");
    assert!(
        direct
            .iter()
            .all(|n| n.usage_type.as_deref() == Some("DirectNumber"))
    );
    assert!(direct.len() >= account.devices.len());

    let device = &account.devices[0];
    let devices = client
        .list_extension_devices(&device.extension_id.to_string())
        .await
        .expect("devices");
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0].id, device.id);
    assert!(devices[0].is_online());
    assert_eq!(devices[0].type_.as_deref(), Some("OtherPhone"));
    assert_eq!(
        devices[0].extension.as_ref().and_then(|e| e.id.clone()),
        Some(device.extension_id.to_string())
    );
    let device_page = client
        .list_extension_devices_page(&device.extension_id.to_string(), 1, Some(10))
        .await
        .expect("device page");
    assert_eq!(device_page.records.len(), 1);
    sim.set_device_status(&device.id, ringcentral_sim::state::DeviceStatus::Offline);
    let devices = client
        .list_extension_devices(&device.extension_id.to_string())
        .await
        .expect("devices");
    assert!(!devices[0].is_online());

    let sip = client.get_device_sip_info(&device.id).await.expect("sip");
    assert!(sip.username.is_some());
    assert!(sip.domain.is_some());
    assert!(
        sip.password
            .as_ref()
            .is_some_and(|p| !p.expose_secret().is_empty())
    );
    assert!(!format!("{sip:?}").contains(sip.password.as_ref().unwrap().expose_secret()));
    let err = client
        .get_device_sip_info("999")
        .await
        .expect_err("unknown device");
    assert!(err.is_not_found());
}

// ---------------------------------------------------------------------------------------------
// Rate limits and faults
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn heavy_rate_limit_is_waited_out_or_reported() {
    let mut config = sim_config();
    config.rate_limits = RateLimitConfig {
        enabled: true,
        heavy: 1,
        window_ms: 2_000,
        penalty_ms: 2_000,
        ..RateLimitConfig::default()
    };
    let sim = ringcentral_sim::spawn(config).await.expect("sim");
    let mut patient = client_config(sim.base_url());
    patient.max_rate_limit_wait = Duration::from_secs(20);
    let client = Client::new(patient).unwrap();
    let devices = sim.account().devices.clone();

    let first = client
        .call_out(&CallOutRequest::to_phone_number(&devices[0].id, QUICK_LINE))
        .await
        .expect("first call-out");
    let heavy = client
        .rate_limit_status()
        .into_iter()
        .find(|r| r.group == "heavy")
        .expect("heavy group seen");
    assert_eq!(heavy.limit, Some(1));
    assert_eq!(heavy.remaining, Some(0));
    assert_eq!(heavy.window, Some(Duration::from_secs(2)));

    // The second call-out inside the window gets 429 with Retry-After: 2; the client waits.
    let started = Instant::now();
    let second = client
        .call_out(&CallOutRequest::to_phone_number(&devices[1].id, QUICK_LINE))
        .await
        .expect("second call-out after waiting");
    assert!(
        started.elapsed() >= Duration::from_millis(1_900),
        "waited only {:?}",
        started.elapsed()
    );
    assert_ne!(first.id, second.id);
    assert_eq!(sim.calls().len(), 2);

    // With a long window and penalty, the wait would exceed the client's maximum.
    sim.set_rate_limits(RateLimitConfig {
        enabled: true,
        heavy: 1,
        ..RateLimitConfig::default()
    });
    let mut impatient = client_config(sim.base_url());
    impatient.max_rate_limit_wait = Duration::from_secs(1);
    let impatient = Client::new(impatient).unwrap();
    impatient
        .call_out(&CallOutRequest::to_phone_number(&devices[2].id, QUICK_LINE))
        .await
        .expect("within the new limit");
    let started = Instant::now();
    let err = impatient
        .call_out(&CallOutRequest::to_phone_number(&devices[3].id, QUICK_LINE))
        .await
        .expect_err("over the limit");
    assert!(started.elapsed() < Duration::from_secs(5), "did not wait");
    match &err {
        Error::RateLimited { group, retry_after } => {
            assert_eq!(group.as_deref(), Some("heavy"));
            assert_eq!(*retry_after, Duration::from_secs(60));
        }
        other => panic!("expected RateLimited, got {other:?}"),
    }
    assert!(err.is_retryable());
    assert_eq!(err.status(), Some(429));
    assert_eq!(sim.calls().len(), 3, "the refused call-out created no call");

    // Other groups are unaffected, and their headers are tracked separately.
    impatient.list_call_queues().await.expect("medium group");
    let status = impatient.rate_limit_status();
    let groups: Vec<&str> = status.iter().map(|r| r.group.as_str()).collect();
    assert!(
        groups.contains(&"heavy") && groups.contains(&"medium"),
        "{groups:?}"
    );
    let medium = status.iter().find(|r| r.group == "medium").unwrap();
    assert_eq!(medium.limit, Some(40));
    assert_eq!(medium.remaining, Some(39));
    assert_eq!(medium.window, Some(Duration::from_secs(60)));
}

#[tokio::test]
async fn injected_503_surfaces_as_a_retryable_error() {
    let sim = ringcentral_sim::spawn(sim_config()).await.expect("sim");
    let client = client_for(sim.base_url());
    let device = sim.account().devices[0].id.clone();
    sim.add_endpoint_fault(EndpointFault {
        operation: "createCallOutCallSession".into(),
        failure: ForcedFailure::Unavailable,
        count: 1,
    });
    let err = client
        .call_out(&CallOutRequest::to_phone_number(&device, QUICK_LINE))
        .await
        .expect_err("503");
    assert_api_error(&err, 503, "CMN-201");
    assert!(err.is_retryable());
    assert!(sim.calls().is_empty());
    let session = client
        .call_out(&CallOutRequest::to_phone_number(&device, QUICK_LINE))
        .await
        .expect("retry succeeds");
    assert_eq!(session.parties.len(), 1);

    // A forced 429 on a Light endpoint is waited out (Retry-After = the 1 s penalty here).
    sim.set_rate_limits(RateLimitConfig {
        enabled: false,
        penalty_ms: 1_000,
        ..RateLimitConfig::default()
    });
    sim.add_endpoint_fault(EndpointFault {
        operation: "readCallSessionStatus".into(),
        failure: ForcedFailure::RateLimited,
        count: 1,
    });
    let started = Instant::now();
    let got = client.get_session(&session.id).await.expect("after 429");
    assert_eq!(got.id, session.id);
    assert!(started.elapsed() >= Duration::from_millis(900));
    client.delete_session(&session.id).await.expect("hang up");
}
