//! Shared test harness: a fake `TelephonyIngestService` gRPC server on a real socket, an
//! in-process bridge, HTTP helpers, metric scraping and the RingCentral fixtures.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hold_hunter_bridge::{BridgeConfig, ShutdownReport, run_with_report};
use holdhunter_proto::v1::telephony_ingest_service_server::{
    TelephonyIngestService, TelephonyIngestServiceServer,
};
use holdhunter_proto::v1::{
    IngestTelephonyEventsRequest, IngestTelephonyEventsResponse, TelephonySessionEvent,
};
use secrecy::SecretString;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tonic::transport::server::TcpIncoming;
use tonic::{Request, Response, Status};

pub const VERIFICATION_TOKEN: &str = "test-verification-token";
pub const INGEST_TOKEN: &str = "test-ingest-token";
pub const WEBHOOK_PATH: &str = "/webhooks/ringcentral";
/// Events with this sequence make the fake server refuse the whole batch as InvalidArgument.
pub const POISON_SEQUENCE: i64 = 999;

/// What the fake server saw.
#[derive(Default)]
pub struct Record {
    batches: Mutex<Vec<Vec<TelephonySessionEvent>>>,
    pub unauthenticated: AtomicUsize,
    pub refused_batches: AtomicUsize,
}

impl Record {
    pub fn events(&self) -> Vec<TelephonySessionEvent> {
        self.batches
            .lock()
            .unwrap()
            .iter()
            .flatten()
            .cloned()
            .collect()
    }
    pub fn batch_sizes(&self) -> Vec<usize> {
        self.batches.lock().unwrap().iter().map(Vec::len).collect()
    }
}

struct FakeIngest {
    record: Arc<Record>,
}

#[tonic::async_trait]
impl TelephonyIngestService for FakeIngest {
    async fn ingest_telephony_events(
        &self,
        request: Request<IngestTelephonyEventsRequest>,
    ) -> Result<Response<IngestTelephonyEventsResponse>, Status> {
        let expected = format!("Bearer {INGEST_TOKEN}");
        let authorized = request
            .metadata()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            == Some(expected.as_str());
        if !authorized {
            self.record.unauthenticated.fetch_add(1, Ordering::SeqCst);
            return Err(Status::unauthenticated(
                "missing or wrong ingest credential",
            ));
        }
        let events = request.into_inner().events;
        if events.is_empty() || events.len() > 1000 {
            return Err(Status::invalid_argument("1..=1000 events"));
        }
        if events.iter().any(|e| e.sequence == POISON_SEQUENCE) {
            self.record.refused_batches.fetch_add(1, Ordering::SeqCst);
            return Err(Status::invalid_argument("poison event"));
        }
        let accepted = events.len() as u32;
        self.record.batches.lock().unwrap().push(events);
        Ok(Response::new(IngestTelephonyEventsResponse {
            accepted,
            unmatched: 0,
        }))
    }
}

/// A fake server (ingest + grpc.health.v1) on a real socket; `stop` then `start` on the same
/// address simulates an outage. The record survives restarts.
pub struct FakeIngestServer {
    pub addr: SocketAddr,
    pub record: Arc<Record>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl FakeIngestServer {
    pub async fn start() -> Self {
        Self::start_at("127.0.0.1:0".parse().unwrap(), Arc::default()).await
    }

    pub async fn start_at(addr: SocketAddr, record: Arc<Record>) -> Self {
        let listener = bind_retrying(addr).await;
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let (_reporter, health) = tonic_health::server::health_reporter();
        let service = TelephonyIngestServiceServer::new(FakeIngest {
            record: record.clone(),
        });
        let task = tokio::spawn(async move {
            tonic::transport::Server::builder()
                .add_service(health)
                .add_service(service)
                .serve_with_incoming_shutdown(TcpIncoming::from(listener), async {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
        });
        Self {
            addr,
            record,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Graceful stop; the port is free afterwards.
    pub async fn stop(mut self) -> Arc<Record> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let aborter = task.abort_handle();
            if tokio::time::timeout(Duration::from_secs(10), task)
                .await
                .is_err()
            {
                aborter.abort();
            }
        }
        self.record.clone()
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

async fn bind_retrying(addr: SocketAddr) -> TcpListener {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match TcpListener::bind(addr).await {
            Ok(listener) => return listener,
            Err(err) if Instant::now() < deadline => {
                let _ = err;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(err) => panic!("cannot bind {addr}: {err}"),
        }
    }
}

/// A free loopback address with nothing listening (for "server down").
pub async fn unused_addr() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap()
}

/// Test config: fast retries and readiness, generous shutdown deadline.
pub fn config(server_addr: SocketAddr) -> BridgeConfig {
    let mut config = BridgeConfig::new(
        SecretString::from(VERIFICATION_TOKEN),
        format!("http://{server_addr}"),
        SecretString::from(INGEST_TOKEN),
    );
    config.retry_initial_backoff = Duration::from_millis(20);
    config.retry_max_backoff = Duration::from_millis(200);
    config.readiness_cache = Duration::from_millis(50);
    config.rpc_timeout = Duration::from_secs(5);
    config.shutdown_deadline = Duration::from_secs(15);
    config
}

/// A bridge running in-process on a real loopback socket.
pub struct Bridge {
    pub addr: SocketAddr,
    pub http: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<anyhow::Result<ShutdownReport>>>,
}

impl Bridge {
    pub async fn start(config: BridgeConfig) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (shutdown, signal) = oneshot::channel::<()>();
        let task = tokio::spawn(run_with_report(config, listener, async {
            let _ = signal.await;
        }));
        Self {
            addr,
            http: reqwest::Client::new(),
            shutdown: Some(shutdown),
            task: Some(task),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Signals shutdown and waits for `run_with_report` to return.
    pub async fn shutdown(mut self) -> ShutdownReport {
        let _ = self.shutdown.take().unwrap().send(());
        tokio::time::timeout(Duration::from_secs(30), self.task.take().unwrap())
            .await
            .expect("bridge did not stop within 30 s")
            .unwrap()
            .unwrap()
    }

    /// POSTs `body` to the webhook path with the right Verification-Token.
    pub async fn deliver(&self, body: impl Into<String>) -> u16 {
        self.post_with(body.into(), Some(VERIFICATION_TOKEN)).await
    }

    pub async fn post_with(&self, body: String, verification_token: Option<&str>) -> u16 {
        let mut request = self
            .http
            .post(self.url(WEBHOOK_PATH))
            .header("content-type", "application/json; charset=UTF-8")
            .body(body);
        if let Some(token) = verification_token {
            request = request.header("Verification-Token", token);
        }
        request.send().await.unwrap().status().as_u16()
    }

    pub async fn get(&self, path: &str) -> (u16, String) {
        let response = self.http.get(self.url(path)).send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.text().await.unwrap())
    }

    /// Value of one sample of `/metrics`, e.g.
    /// `hh_bridge_deliveries_total{outcome="accepted"}`; 0 when absent.
    pub async fn metric(&self, sample: &str) -> f64 {
        let (_, text) = self.get("/metrics").await;
        text.lines()
            .find_map(|line| {
                let (name, value) = line.rsplit_once(' ')?;
                (name == sample).then(|| value.parse().unwrap())
            })
            .unwrap_or(0.0)
    }

    pub async fn deliveries(&self, outcome: &str) -> f64 {
        self.metric(&format!(
            "hh_bridge_deliveries_total{{outcome=\"{outcome}\"}}"
        ))
        .await
    }
}

impl Drop for Bridge {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Polls `check` every 20 ms for up to 20 s.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if check().await {
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/ringcentral")
}

/// Every notification in `notification-*.json` (arrays expanded), in file-name order, with a
/// label naming its file.
pub fn fixture_notifications() -> Vec<(String, Value)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .expect("fixtures dir")
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with("notification-") && name.ends_with(".json")
        })
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let value: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        match value {
            Value::Array(items) => {
                for (i, item) in items.into_iter().enumerate() {
                    out.push((format!("{name}[{i}]"), item));
                }
            }
            single => out.push((name, single)),
        }
    }
    out
}

/// The outbound Setup fixture with its session id, sequence and uuid replaced.
pub fn notification(session: &str, sequence: i64) -> String {
    let mut value: Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures_dir().join("notification-ext-outbound-party-setup.json"))
            .unwrap(),
    )
    .unwrap();
    value["uuid"] = Value::from(format!("{session}-{sequence}"));
    value["body"]["telephonySessionId"] = Value::from(session);
    value["body"]["sequence"] = Value::from(sequence);
    value.to_string()
}

/// (telephony session id, sequence) of each event.
pub fn keys(events: &[TelephonySessionEvent]) -> Vec<(String, i64)> {
    events
        .iter()
        .map(|e| (e.telephony_session_id.clone(), e.sequence))
        .collect()
}
