//! Test stack: a private redis-server (devstack), the RingCentral simulator (in-process), a
//! minimal webhook receiver that forwards notifications to the server's ingest API (standing in
//! for the webhook bridge), and one or more server instances on real sockets.

#![allow(dead_code, clippy::field_reassign_with_default)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hold_hunter_server::config::ServerConfig;
use hold_hunter_server::{RunningServer, ServerOptions};
use holdhunter_devstack::RedisServer;
use holdhunter_proto::v1 as pb;
use pb::job_service_client::JobServiceClient;
use secrecy::SecretString;
use tonic::transport::Channel;

pub const API_TOKEN: &str = "test-api-token";
pub const INGEST_TOKEN: &str = "test-ingest-token";
pub const VERIFICATION_TOKEN: &str = "test-verification-token";

/// Simulator configuration for tests: 12 hold lines, 2 queues, no business hours, long holds.
pub fn sim_config() -> ringcentral_sim::SimConfig {
    let mut cfg = ringcentral_sim::SimConfig::default();
    cfg.queue_ring_ms = 200;
    cfg.device_answer_ms = 50;
    cfg.rate_limits.heavy = 1_000;
    cfg.rate_limits.light = 10_000;
    cfg.rate_limits.medium = 1_000;
    cfg.rate_limits.auth = 1_000;
    cfg
}

/// Where the webhook receiver forwards to (set once a server is up).
#[derive(Clone, Default)]
pub struct Forward(Arc<Mutex<Option<SocketAddr>>>);

impl Forward {
    pub fn set(&self, addr: SocketAddr) {
        *self.0.lock().unwrap() = Some(addr);
    }
    fn get(&self) -> Option<SocketAddr> {
        *self.0.lock().unwrap()
    }
}

fn ts(t: Option<jiff::Timestamp>) -> Option<prost_types::Timestamp> {
    t.map(|t| prost_types::Timestamp {
        seconds: t.as_second(),
        nanos: t.subsec_nanosecond(),
    })
}

/// Converts a webhook notification to the ingest message (what the bridge does).
pub fn to_ingest(n: &ringcentral::TelephonySessionNotification) -> pb::TelephonySessionEvent {
    pb::TelephonySessionEvent {
        uuid: n.uuid.clone(),
        event_filter: n.event.clone(),
        subscription_id: n.subscription_id.clone(),
        owner_id: n.owner_id.clone().unwrap_or_default(),
        timestamp: ts(n.timestamp),
        sequence: n.body.sequence,
        telephony_session_id: n.body.telephony_session_id.clone(),
        session_id: n.body.session_id.clone().unwrap_or_default(),
        server_id: n.body.server_id.clone().unwrap_or_default(),
        event_time: None,
        origin_type: String::new(),
        parties: n
            .body
            .parties
            .iter()
            .map(|p| pb::TelephonyParty {
                party_id: p.id.clone(),
                account_id: p.account_id.clone().unwrap_or_default(),
                extension_id: p.extension_id.clone().unwrap_or_default(),
                direction: format!("{:?}", p.direction),
                status_code: hold_hunter_server::engine::status_code_name(&p.status.code),
                status_reason: p.status.reason.clone().unwrap_or_default(),
                from_device_id: p
                    .from
                    .as_ref()
                    .and_then(|f| f.device_id.clone())
                    .unwrap_or_default(),
                from_phone_number: p
                    .from
                    .as_ref()
                    .and_then(|f| f.phone_number.clone())
                    .unwrap_or_default(),
                to_phone_number: p
                    .to
                    .as_ref()
                    .and_then(|f| f.phone_number.clone())
                    .unwrap_or_default(),
                ..Default::default()
            })
            .collect(),
        received_at: None,
    }
}

/// A minimal webhook receiver: echoes `Validation-Token`, checks `Verification-Token`, and
/// forwards each notification to `IngestTelephonyEvents`. Returns its URL.
pub async fn start_webhook_receiver(forward: Forward) -> String {
    use axum::http::{HeaderMap, StatusCode};
    let app = axum::Router::new().route(
        "/webhook",
        axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
            let forward = forward.clone();
            async move {
                if let Some(v) = headers.get("validation-token") {
                    let mut h = HeaderMap::new();
                    h.insert("validation-token", v.clone());
                    return (StatusCode::OK, h);
                }
                if headers.get("verification-token").and_then(|v| v.to_str().ok()) != Some(VERIFICATION_TOKEN) {
                    return (StatusCode::FORBIDDEN, HeaderMap::new());
                }
                let Ok(n) = serde_json::from_slice::<ringcentral::TelephonySessionNotification>(&body) else {
                    return (StatusCode::OK, HeaderMap::new());
                };
                if let Some(addr) = forward.get() {
                    tokio::spawn(async move {
                        if let Ok(mut c) = pb::telephony_ingest_service_client::TelephonyIngestServiceClient::connect(format!("http://{addr}")).await {
                            let mut req = tonic::Request::new(pb::IngestTelephonyEventsRequest { events: vec![to_ingest(&n)] });
                            req.metadata_mut().insert("authorization", format!("Bearer {INGEST_TOKEN}").parse().unwrap());
                            let _ = c.ingest_telephony_events(req).await;
                        }
                    });
                }
                (StatusCode::OK, HeaderMap::new())
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}/webhook")
}

/// Server configuration against `sim` and `redis_url`, fast timings for tests.
pub fn server_config(sim_url: &str, redis_url: &str, webhook: Option<&str>) -> ServerConfig {
    let mut cfg = ServerConfig::default();
    cfg.metrics_listen = Some("127.0.0.1:0".parse().unwrap());
    cfg.redis.url = redis_url.to_owned();
    cfg.auth.api_token_sha256 = vec![hold_hunter_server::auth::sha256_hex(API_TOKEN)];
    cfg.ingest.token_sha256 = vec![hold_hunter_server::auth::sha256_hex(INGEST_TOKEN)];
    cfg.ringcentral.server_url = sim_url.parse().unwrap();
    cfg.ringcentral.client_id = "sim-client-id".into();
    cfg.ringcentral.client_secret = SecretString::from("sim-client-secret");
    cfg.ringcentral.jwt = SecretString::from("sim-jwt-assertion");
    cfg.ringcentral.max_rate_limit_wait_ms = 2_000;
    cfg.ringcentral.default_retry_after_ms = 200;
    cfg.ringcentral.request_timeout_ms = 5_000;
    cfg.webhook.address = webhook.map(|w| w.parse().unwrap());
    cfg.webhook.verification_token = Some(SecretString::from(VERIFICATION_TOKEN));
    cfg.webhook.retry_initial_ms = 200;
    cfg.engine.stagger_ms = 100;
    cfg.engine.ivr_fallback_ms = 500;
    cfg.engine.reconcile_interval_ms = 1_000;
    cfg.engine.tick_ms = 100;
    cfg.engine.dial_poll_ms = 50;
    cfg.engine.callout_limit = 100;
    cfg.engine.dialing_orphan_ms = 3_000;
    cfg.shutdown_deadline_ms = 3_000;
    cfg
}

/// A server running in-process on a real socket, with a shutdown trigger.
pub struct TestServer {
    pub running: Option<RunningServer>,
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestServer {
    pub async fn start(cfg: ServerConfig) -> TestServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let running = hold_hunter_server::start(
            cfg,
            listener,
            async move {
                let _ = rx.await;
            },
            ServerOptions::default(),
        )
        .await
        .expect("server starts");
        TestServer {
            running: Some(running),
            addr,
            stop: Some(tx),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub async fn channel(&self) -> Channel {
        Channel::from_shared(self.url())
            .unwrap()
            .connect()
            .await
            .unwrap()
    }

    pub async fn jobs(&self) -> JobServiceClient<Channel> {
        JobServiceClient::new(self.channel().await)
    }

    /// Graceful stop.
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(r) = self.running.take() {
            r.wait().await.unwrap();
        }
    }
}

/// The server binary as a child process (for kill -9 crash tests), configured by HH_* env.
pub struct ServerProcess {
    child: std::process::Child,
    pub addr: SocketAddr,
}

impl ServerProcess {
    pub async fn start(stack: &Stack) -> ServerProcess {
        let port = holdhunter_devstack::redis_server::free_port().unwrap();
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_hold-hunter-server"))
            .arg("--listen")
            .arg(addr.to_string())
            .env("HH_METRICS_LISTEN", "127.0.0.1:0")
            .env("HH_REDIS_URL", stack.redis.url())
            .env(
                "HH_AUTH__API_TOKEN_SHA256",
                format!("[\"{}\"]", hold_hunter_server::auth::sha256_hex(API_TOKEN)),
            )
            .env(
                "HH_INGEST__TOKEN_SHA256",
                format!(
                    "[\"{}\"]",
                    hold_hunter_server::auth::sha256_hex(INGEST_TOKEN)
                ),
            )
            .env("HH_RINGCENTRAL__SERVER_URL", stack.sim.base_url())
            .env("HH_RINGCENTRAL__CLIENT_ID", "sim-client-id")
            .env("HH_RINGCENTRAL__CLIENT_SECRET", "sim-client-secret")
            .env("HH_RINGCENTRAL__JWT", "sim-jwt-assertion")
            .env("HH_WEBHOOK__ADDRESS", &stack.webhook_url)
            .env("HH_WEBHOOK__VERIFICATION_TOKEN", VERIFICATION_TOKEN)
            .env("HH_ENGINE__STAGGER_MS", "400")
            .env("HH_ENGINE__IVR_FALLBACK_MS", "500")
            .env("HH_ENGINE__RECONCILE_INTERVAL_MS", "1000")
            .env("HH_ENGINE__TICK_MS", "100")
            .env("HH_ENGINE__DIAL_POLL_MS", "50")
            .env("HH_ENGINE__DIALING_ORPHAN_MS", "3000")
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("server binary starts");
        let p = ServerProcess { child, addr };
        let url = format!("http://{addr}");
        wait_for("server process health", Duration::from_secs(30), || {
            let url = url.clone();
            async move {
                let ch = Channel::from_shared(url).ok()?.connect().await.ok()?;
                let mut h = tonic_health::pb::health_client::HealthClient::new(ch);
                let r = h
                    .check(tonic_health::pb::HealthCheckRequest {
                        service: String::new(),
                    })
                    .await
                    .ok()?;
                (r.into_inner().status == 1).then_some(())
            }
        })
        .await;
        stack.forward.set(addr);
        p
    }

    pub async fn channel(&self) -> Channel {
        Channel::from_shared(format!("http://{}", self.addr))
            .unwrap()
            .connect()
            .await
            .unwrap()
    }

    /// SIGKILL.
    pub fn kill9(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `request` with the public API token.
pub fn authed<T>(msg: T) -> tonic::Request<T> {
    let mut req = tonic::Request::new(msg);
    req.metadata_mut().insert(
        "authorization",
        format!("Bearer {API_TOKEN}").parse().unwrap(),
    );
    req
}

/// Everything a test needs.
pub struct Stack {
    pub redis: RedisServer,
    pub sim: ringcentral_sim::SimHandle,
    pub forward: Forward,
    pub webhook_url: String,
}

impl Stack {
    pub async fn start() -> Stack {
        Self::start_with(sim_config()).await
    }

    pub async fn start_with(sim_cfg: ringcentral_sim::SimConfig) -> Stack {
        let redis = RedisServer::start().expect("redis-server starts");
        let sim = ringcentral_sim::spawn(sim_cfg).await.expect("sim starts");
        let forward = Forward::default();
        let webhook_url = start_webhook_receiver(forward.clone()).await;
        Stack {
            redis,
            sim,
            forward,
            webhook_url,
        }
    }

    pub fn config(&self) -> ServerConfig {
        server_config(
            self.sim.base_url(),
            &self.redis.url(),
            Some(&self.webhook_url),
        )
    }

    /// Starts a server, points the webhook receiver at it, syncs lines and queues and sets
    /// the default queue.
    pub async fn server(&self) -> TestServer {
        self.server_with(self.config()).await
    }

    pub async fn server_with(&self, cfg: ServerConfig) -> TestServer {
        let server = TestServer::start(cfg).await;
        self.forward.set(server.addr);
        let ch = server.channel().await;
        pb::line_service_client::LineServiceClient::new(ch.clone())
            .sync_lines(authed(pb::SyncLinesRequest {}))
            .await
            .expect("sync lines");
        let queues = pb::queue_service_client::QueueServiceClient::new(ch.clone())
            .sync_queues(authed(pb::SyncQueuesRequest {}))
            .await
            .expect("sync queues")
            .into_inner()
            .queues;
        pb::queue_service_client::QueueServiceClient::new(ch)
            .set_default_queue(authed(pb::SetDefaultQueueRequest {
                queue_id: queues[0].queue_id.clone(),
            }))
            .await
            .expect("default queue");
        server
    }
}

/// Polls `f` until it returns `Some` or `deadline` passes.
pub async fn wait_for<T, F, Fut>(what: &str, deadline: Duration, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(start.elapsed() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// GetJob.
pub async fn get_job(server: &TestServer, job_id: &str) -> pb::Job {
    get_job_on(server.channel().await, job_id).await
}

/// GetJob on a channel.
pub async fn get_job_on(ch: Channel, job_id: &str) -> pb::Job {
    JobServiceClient::new(ch)
        .get_job(authed(pb::GetJobRequest {
            job_id: job_id.into(),
        }))
        .await
        .unwrap()
        .into_inner()
        .job
        .unwrap()
}

/// Waits until every leg of the job satisfies `pred`.
pub async fn wait_legs(
    ch: &Channel,
    job_id: &str,
    what: &str,
    pred: impl Fn(&pb::Leg) -> bool,
) -> pb::Job {
    wait_for(what, Duration::from_secs(30), || async {
        let job = get_job_on(ch.clone(), job_id).await;
        job.legs.iter().all(&pred).then_some(job)
    })
    .await
}

/// Waits until the job satisfies `pred`.
pub async fn wait_job(
    ch: &Channel,
    job_id: &str,
    what: &str,
    pred: impl Fn(&pb::Job) -> bool,
) -> pb::Job {
    wait_for(what, Duration::from_secs(30), || async {
        let job = get_job_on(ch.clone(), job_id).await;
        pred(&job).then_some(job)
    })
    .await
}

/// The reason in `hh-error-reason`.
pub fn reason(status: &tonic::Status) -> String {
    status
        .metadata()
        .get("hh-error-reason")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// StartJob for `lines` lines on `destination`; the job as created.
pub async fn start_job(ch: &Channel, destination: &str, lines: u32) -> pb::Job {
    JobServiceClient::new(ch.clone())
        .start_job(authed(start_request(destination, lines)))
        .await
        .unwrap()
        .into_inner()
        .job
        .unwrap()
}

/// ConfirmLive on `leg_id`, then waits until the job is TRANSFERRED; the job then.
pub async fn confirm_and_wait_transferred(ch: &Channel, job_id: &str, leg_id: &str) -> pb::Job {
    JobServiceClient::new(ch.clone())
        .confirm_live(authed(pb::ConfirmLiveRequest {
            job_id: job_id.into(),
            leg_id: leg_id.into(),
        }))
        .await
        .unwrap();
    wait_job(ch, job_id, "job transferred", |j| {
        j.state == pb::JobState::Transferred as i32
    })
    .await
}

pub fn start_request(destination: &str, lines: u32) -> pb::StartJobRequest {
    pb::StartJobRequest {
        destination_id: destination.into(),
        line_count: lines,
        ..Default::default()
    }
}

pub fn is_state(leg: &pb::Leg, s: pb::LegState) -> bool {
    leg.state == s as i32
}
