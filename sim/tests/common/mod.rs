//! Shared test helpers: an in-process simulator, OAuth login, a real webhook receiver (axum on
//! a free port) and fixture key-set comparison.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use ringcentral_sim::{SimConfig, SimHandle};
use serde_json::Value;

pub const FIXTURES: &str = "/work/shared/fixtures/ringcentral";
pub const PPS: &str = "+18668604259";

pub fn fixture(name: &str) -> Value {
    let dir = std::env::var("RC_FIXTURES").unwrap_or_else(|_| {
        let local = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/fixtures/ringcentral"
        );
        if std::path::Path::new(local).exists() {
            local.to_string()
        } else {
            FIXTURES.to_string()
        }
    });
    let text = std::fs::read_to_string(format!("{dir}/{name}")).expect("fixture");
    serde_json::from_str(&text).expect("fixture json")
}

pub fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().expect("object").keys().cloned().collect()
}

pub fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Fast-test config: rate limits off unless a test turns them on.
pub fn test_config() -> SimConfig {
    let mut c = SimConfig::default();
    c.rate_limits.enabled = false;
    c.device_answer_ms = 50;
    c.queue_ring_ms = 300;
    c.subscriptions.validation_timeout_ms = 800;
    c
}

pub struct Sim {
    pub handle: SimHandle,
    pub http: reqwest::Client,
    pub token: String,
    pub refresh: String,
}

impl Sim {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.handle.base_url(), path)
    }
    pub fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.get(self.url(path)).bearer_auth(&self.token)
    }
    pub fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.post(self.url(path)).bearer_auth(&self.token)
    }
    pub fn put(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.put(self.url(path)).bearer_auth(&self.token)
    }
    pub fn delete(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.delete(self.url(path)).bearer_auth(&self.token)
    }
    pub fn device_id(&self, line: usize) -> String {
        self.handle.account().devices[line].id.clone()
    }
    pub async fn call_out(&self, line: usize, to: &str) -> Value {
        let r = self
            .post("/restapi/v1.0/account/~/telephony/call-out")
            .json(&serde_json::json!({"from": {"deviceId": self.device_id(line)}, "to": {"phoneNumber": to}}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "call-out");
        r.json().await.unwrap()
    }
}

pub async fn token_request(
    http: &reqwest::Client,
    base: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    http.post(format!("{base}/restapi/oauth/token"))
        .basic_auth("sim-client-id", Some("sim-client-secret"))
        .form(form)
        .send()
        .await
        .unwrap()
}

pub async fn start(config: SimConfig) -> Sim {
    let handle = ringcentral_sim::spawn(config).await.expect("spawn");
    let http = reqwest::Client::new();
    let r = token_request(
        &http,
        handle.base_url(),
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
            ("assertion", "sim-jwt-assertion"),
        ],
    )
    .await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    Sim {
        token: v["access_token"].as_str().unwrap().to_string(),
        refresh: v["refresh_token"].as_str().unwrap().to_string(),
        handle,
        http,
    }
}

/// How the receiver answers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mode {
    /// Echo Validation-Token, 200 to everything.
    Good,
    /// 200 without echoing the token.
    NoEcho,
    /// Echo, but only after this many ms.
    Slow(u64),
    /// Echo with a 2 KiB body.
    Oversize,
    /// Echo validation, answer notifications with 500.
    FailDeliveries,
}

#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    pub mode: Arc<Mutex<Mode>>,
    pub received: Arc<Mutex<Vec<(HeaderMap, Value)>>>,
    pub validations: Arc<Mutex<Vec<HeaderMap>>>,
}

async fn receive(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> Response {
    let mode = *r.mode.lock().unwrap();
    if let Some(token) = headers.get("validation-token").cloned() {
        assert!(body.is_empty(), "validation request has an empty body");
        r.validations.lock().unwrap().push(headers.clone());
        let echo = |extra: &str| {
            let mut resp = (StatusCode::OK, extra.to_string()).into_response();
            resp.headers_mut().insert("Validation-Token", token.clone());
            resp
        };
        return match mode {
            Mode::NoEcho => StatusCode::OK.into_response(),
            Mode::Slow(ms) => {
                tokio::time::sleep(Duration::from_millis(ms)).await;
                echo("")
            }
            Mode::Oversize => echo(&"x".repeat(2048)),
            _ => echo(""),
        };
    }
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    r.received.lock().unwrap().push((headers, v));
    match mode {
        Mode::FailDeliveries => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        _ => {
            let mut resp = StatusCode::OK.into_response();
            resp.headers_mut()
                .insert("Content-Type", HeaderValue::from_static("text/plain"));
            resp
        }
    }
}

pub async fn receiver(mode: Mode) -> Receiver {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let r = Receiver {
        url: format!("http://{}/hook", listener.local_addr().unwrap()),
        mode: Arc::new(Mutex::new(mode)),
        received: Default::default(),
        validations: Default::default(),
    };
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(receive))
        .with_state(r.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    r
}

impl Receiver {
    pub fn bodies(&self) -> Vec<Value> {
        self.received
            .lock()
            .unwrap()
            .iter()
            .map(|(_, v)| v.clone())
            .collect()
    }
    /// Notifications of one session, in arrival order.
    pub fn of_session(&self, id: &str) -> Vec<Value> {
        self.bodies()
            .into_iter()
            .filter(|v| v["body"]["telephonySessionId"] == id)
            .collect()
    }
    pub async fn wait_for<F: Fn(&[Value]) -> bool>(
        &self,
        id: &str,
        what: &str,
        f: F,
    ) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let got = self.of_session(id);
            if f(&got) {
                return got;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; got {}",
                summary(&got)
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// "seq party status[/reason]" per notification.
pub fn summary(ns: &[Value]) -> String {
    ns.iter()
        .map(|n| {
            let p = &n["body"]["parties"][0];
            let id = p["id"].as_str().unwrap_or("");
            format!(
                "{} {} {}{}",
                n["body"]["sequence"],
                &id[id.len().saturating_sub(2)..],
                p["status"]["code"].as_str().unwrap_or(""),
                p["status"]["reason"]
                    .as_str()
                    .map(|r| format!("/{r}"))
                    .unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// (party suffix, status) pairs.
pub fn steps(ns: &[Value]) -> Vec<(String, String)> {
    ns.iter()
        .map(|n| {
            let p = &n["body"]["parties"][0];
            let id = p["id"].as_str().unwrap();
            (
                id[id.len() - 1..].to_string(),
                p["status"]["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

pub async fn subscribe(sim: &Sim, r: &Receiver, filters: &[&str]) -> Value {
    let resp = sim
        .post("/restapi/v1.0/subscription")
        .json(&serde_json::json!({
            "eventFilters": filters,
            "deliveryMode": {"transportType": "WebHook", "address": r.url, "verificationToken": "test-verification-token"},
            "expiresIn": 3600,
        }))
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let v: Value = resp.json().await.unwrap();
    assert_eq!(status, 200, "subscription: {v}");
    v
}

pub const BOTH_FILTERS: [&str; 2] = [
    "/restapi/v1.0/account/~/extension/~/telephony/sessions",
    "/restapi/v1.0/account/~/telephony/sessions",
];

pub async fn eventually<F: Fn() -> bool>(what: &str, f: F) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !f() {
        assert!(Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
