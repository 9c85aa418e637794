//! The whole local stack in-process: a private `redis-server` child process (AOF on), the
//! RingCentral simulator, the webhook bridge and the Hold Hunter server, each on a free
//! loopback port, wired together with random secrets generated for this run:
//!
//! - the public API token (the server stores only its SHA-256);
//! - the ingest token (bridge → server);
//! - the webhook verification token (simulator → bridge).
//!
//! The server listens to every leg through the simulator's media WebSocket
//! (`ws://SIM/sim/media/{telephonySessionId}`), so IVR navigation and live-agent detection run
//! for real. The simulator accepts its own fake client credentials (`ringcentral_sim::SimConfig`
//! defaults); business hours are ignored so the stack works at any hour.
//!
//! [`Stack::start`] returns once the server answers an authenticated RPC. Dropping the
//! [`Stack`] stops everything it started (tasks are signalled, redis-server is killed);
//! [`Stack::shutdown`] does the same and waits for the tasks.
//!
//! Outage tests: [`Stack::stop_server`] / [`Stack::start_server`] / [`Stack::restart_server`]
//! and [`Stack::stop_bridge`] / [`Stack::start_bridge`] stop a component gracefully and start
//! it again on the same port with the same configuration; [`Stack::redis`] kills and restarts
//! Redis.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use hold_hunter_server::{RunningServer, ServerConfig, ServerOptions};
use holdhunter_proto::v1::ListDestinationsRequest;
use holdhunter_proto::v1::destination_service_client::DestinationServiceClient;
use rand::Rng;
use ringcentral_sim::{SimConfig, SimHandle};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::redis_server::RedisServer;

/// Path the bridge serves RingCentral webhooks on.
pub const WEBHOOK_PATH: &str = "/webhooks/ringcentral";

/// Options of [`Stack::start`].
#[derive(Clone)]
pub struct StackOptions {
    /// Simulator master seed (hold times, agents, faults). Default: random.
    pub seed: u64,
    /// Far-end time compression (>= 1): hold durations are divided by it. Default 60.
    pub time_scale: f64,
    /// Hold lines (extensions with one device each) in the simulated account. Default 12.
    pub hold_lines: usize,
    /// Call queues in the simulated account. Default 2.
    pub call_queues: usize,
    /// Disable RingCentral rate limits in the simulator (load tests). Default false.
    pub disable_rate_limits: bool,
    /// Delay between a job's successive call-outs, ms (server `engine.stagger_ms`).
    /// Default 1000.
    pub stagger_ms: u64,
    /// Start with authentication on (random API token). Default true.
    pub auth: bool,
    /// Adjust the simulator configuration before it starts.
    pub sim_tweak: Option<fn(&mut SimConfig)>,
    /// Adjust the server configuration before it starts.
    pub server_tweak: Option<fn(&mut ServerConfig)>,
    /// Pluggable server parts (the per-leg media pipeline). Default: the server's default.
    pub server_options: ServerOptions,
    /// How long to wait for the server to answer. Default 60 s.
    pub ready_timeout: Duration,
    /// redis-server gets SIGKILL when the thread calling [`Stack::start`] exits (see
    /// [`crate::RedisOptions::die_with_parent_thread`]). Default false.
    pub redis_dies_with_thread: bool,
    /// Run the server, and every task it spawns, on this runtime instead of the caller's
    /// (benchmarks give it named threads to measure its CPU). Default `None`.
    pub server_runtime: Option<tokio::runtime::Handle>,
    /// Built browser dashboard (`web-client/dist`) for the server to serve on its gRPC port.
    /// Default: none.
    pub static_dir: Option<std::path::PathBuf>,
}

impl Default for StackOptions {
    fn default() -> Self {
        Self {
            seed: rand::rng().random(),
            time_scale: 60.0,
            hold_lines: 12,
            call_queues: 2,
            disable_rate_limits: false,
            stagger_ms: 1_000,
            auth: true,
            sim_tweak: None,
            server_tweak: None,
            server_options: ServerOptions::default(),
            ready_timeout: Duration::from_secs(60),
            redis_dies_with_thread: false,
            server_runtime: None,
            static_dir: None,
        }
    }
}

/// A running local stack. Drop it (or call [`Stack::shutdown`]) to stop everything.
pub struct Stack {
    /// The private Redis (killed on drop).
    redis: RedisServer,
    sim: Option<SimHandle>,
    server_url: String,
    bridge_url: String,
    api_token: SecretString,
    seed: u64,
    serves_dashboard: bool,
    server_config: ServerConfig,
    server_options: ServerOptions,
    server_runtime: Option<tokio::runtime::Handle>,
    server_addr: SocketAddr,
    bridge_config: hold_hunter_bridge::BridgeConfig,
    bridge_addr: SocketAddr,
    ready_timeout: Duration,
    server_stop: watch::Sender<bool>,
    bridge_stop: watch::Sender<bool>,
    server_task: Option<JoinHandle<anyhow::Result<()>>>,
    bridge_task: Option<JoinHandle<anyhow::Result<()>>>,
}

impl std::fmt::Debug for Stack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stack")
            .field("server_url", &self.server_url)
            .field("bridge_url", &self.bridge_url)
            .field("sim_url", &self.sim_url())
            .field("redis_url", &self.redis.url())
            .field("api_token", &"[redacted]")
            .finish()
    }
}

/// A random token: 32 lower-case hex characters (128 bits) after `prefix`.
pub fn random_token(prefix: &str) -> SecretString {
    let bytes: [u8; 16] = rand::rng().random();
    SecretString::from(format!("{prefix}{}", hex(&bytes)))
}

/// Lower-case hex SHA-256 of `token` (what the server's config stores).
pub fn sha256_hex(token: &SecretString) -> String {
    hex(&Sha256::digest(token.expose_secret().as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Stack {
    /// Starts redis-server, the simulator, the server and the bridge, and waits until the
    /// server answers an authenticated `ListDestinations`.
    ///
    /// Errors: `redis-server` missing (names the Debian package), a component failing to
    /// start, or the server not answering within `options.ready_timeout`.
    pub async fn start(options: StackOptions) -> anyhow::Result<Stack> {
        let redis = RedisServer::start_with(crate::RedisOptions {
            die_with_parent_thread: options.redis_dies_with_thread,
            ..crate::RedisOptions::default()
        })?;

        let mut sim_config = SimConfig {
            seed: options.seed,
            time_scale: options.time_scale,
            ignore_business_hours: true,
            ..SimConfig::default()
        };
        sim_config.account.hold_lines = options.hold_lines;
        sim_config.account.call_queues = options.call_queues;
        if options.disable_rate_limits {
            sim_config.rate_limits.enabled = false;
        }
        if let Some(tweak) = options.sim_tweak {
            tweak(&mut sim_config);
        }
        sim_config.validate().context("simulator configuration")?;
        let credentials = sim_config.credentials.clone();
        let sim_assets = sim_config.asset_dir.clone();
        let sim = ringcentral_sim::spawn(sim_config)
            .await
            .context("starting the RingCentral simulator")?;

        let api_token = random_token("hh_demo_");
        let ingest_token = random_token("hh_ingest_");
        let verification_token = random_token("hh_verify_");

        let server_listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .context("binding the server port")?;
        let bridge_listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .context("binding the bridge port")?;
        let server_url = format!("http://{}", server_listener.local_addr()?);
        let bridge_url = format!("http://{}", bridge_listener.local_addr()?);

        let mut server_config = ServerConfig {
            listen: server_listener.local_addr()?,
            metrics_listen: None,
            cors_allowed_origins: vec!["*".into()],
            static_dir: options.static_dir.clone(),
            ..ServerConfig::default()
        };
        server_config.redis.url = redis.url();
        server_config.auth.disabled = !options.auth;
        server_config.auth.api_token_sha256 = vec![sha256_hex(&api_token)];
        server_config.ingest.token_sha256 = vec![sha256_hex(&ingest_token)];
        server_config.ringcentral.server_url =
            sim.base_url().parse().context("simulator base URL")?;
        server_config.ringcentral.client_id = credentials.client_id.clone();
        server_config.ringcentral.client_secret = credentials.client_secret.clone();
        server_config.ringcentral.jwt = credentials.jwt.clone();
        server_config.webhook.address = Some(
            format!("{bridge_url}{WEBHOOK_PATH}")
                .parse()
                .context("bridge webhook URL")?,
        );
        server_config.webhook.verification_token = Some(verification_token.clone());
        server_config.engine.stagger_ms = options.stagger_ms;
        // Listen to every leg through the simulator's media WebSocket (IVR DTMF, detector).
        server_config.media.url_template = Some(format!(
            "{}/sim/media/{{telephonySessionId}}",
            sim.base_url().replacen("http://", "ws://", 1)
        ));
        // The simulator's "too busy" and "closed" recordings are the destinations' known
        // messages (an operator records them once from the real line).
        if let Some(dir) = &sim_assets
            && dir
                .join(hold_hunter_server::media::known::MANIFEST)
                .is_file()
        {
            server_config.media.known_messages_dir = Some(dir.clone());
        }
        if let Some(tweak) = options.server_tweak {
            tweak(&mut server_config);
        }

        let server_addr = server_listener.local_addr()?;
        let (server_stop, server_task) = spawn_server(
            server_config.clone(),
            server_listener,
            options.server_options.clone(),
            options.server_runtime.as_ref(),
        )
        .await?;

        let mut bridge_config = hold_hunter_bridge::BridgeConfig::new(
            verification_token,
            server_url.clone(),
            ingest_token,
        );
        bridge_config.listen_addr = bridge_listener.local_addr()?;
        bridge_config.webhook_path = WEBHOOK_PATH.to_string();
        bridge_config.shutdown_deadline = Duration::from_secs(3);
        let bridge_addr = bridge_listener.local_addr()?;
        let (bridge_stop, bridge_task) = spawn_bridge(bridge_config.clone(), bridge_listener);

        let mut stack = Stack {
            redis,
            sim: Some(sim),
            server_url,
            bridge_url,
            api_token,
            seed: options.seed,
            serves_dashboard: options.static_dir.is_some(),
            server_config,
            server_options: options.server_options.clone(),
            server_runtime: options.server_runtime.clone(),
            server_addr,
            bridge_config,
            bridge_addr,
            ready_timeout: options.ready_timeout,
            server_stop,
            bridge_stop,
            server_task: Some(server_task),
            bridge_task: Some(bridge_task),
        };
        stack.wait_ready(options.ready_timeout).await?;
        Ok(stack)
    }

    async fn wait_ready(&mut self, timeout: Duration) -> anyhow::Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(task) = &self.server_task
                && task.is_finished()
            {
                let task = self.server_task.take().expect("checked above");
                return match task.await {
                    Ok(Ok(())) => bail!("the server stopped during start-up"),
                    Ok(Err(err)) => Err(err.context("the server failed to start")),
                    Err(join) => bail!("the server task panicked: {join}"),
                };
            }
            let last_error = match self.probe().await {
                Ok(()) => return Ok(()),
                Err(err) => err,
            };
            if Instant::now() > deadline {
                bail!(
                    "the server at {} did not answer within {timeout:?}: {last_error}",
                    self.server_url
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn probe(&self) -> Result<(), String> {
        let channel = tonic::transport::Endpoint::from_shared(self.server_url.clone())
            .map_err(|e| e.to_string())?
            .connect_timeout(Duration::from_secs(1))
            .connect()
            .await
            .map_err(|e| e.to_string())?;
        let mut client = DestinationServiceClient::new(channel);
        let mut request = tonic::Request::new(ListDestinationsRequest {});
        request.metadata_mut().insert(
            "authorization",
            format!("Bearer {}", self.api_token.expose_secret())
                .parse()
                .map_err(|_| "token is not header text".to_string())?,
        );
        client
            .list_destinations(request)
            .await
            .map(|_| ())
            .map_err(|s| format!("{:?}: {}", s.code(), s.message()))
    }

    /// gRPC (and grpc-web) URL of the server, e.g. `http://127.0.0.1:41234`.
    pub fn server_url(&self) -> &str {
        &self.server_url
    }

    /// True when the server serves the built browser dashboard at [`Self::server_url`].
    pub fn serves_dashboard(&self) -> bool {
        self.serves_dashboard
    }

    /// Base URL of the webhook bridge (webhooks at [`WEBHOOK_PATH`]).
    pub fn bridge_url(&self) -> &str {
        &self.bridge_url
    }

    /// Base URL of the simulator (RingCentral paths and `/sim/admin/...`).
    pub fn sim_url(&self) -> &str {
        self.sim.as_ref().map(|s| s.base_url()).unwrap_or("")
    }

    /// `redis://127.0.0.1:PORT/` of the private Redis.
    pub fn redis_url(&self) -> String {
        self.redis.url()
    }

    /// The public API token of this run (send as `authorization: Bearer <token>`).
    pub fn api_token(&self) -> &SecretString {
        &self.api_token
    }

    /// The simulator seed in use.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The simulator (ground truth per call, fault injection).
    pub fn sim(&self) -> &SimHandle {
        self.sim
            .as_ref()
            .expect("the simulator runs until shutdown")
    }

    /// The private Redis server (tests may kill and restart it).
    pub fn redis(&mut self) -> &mut RedisServer {
        &mut self.redis
    }

    /// The configuration the server runs with (secrets included; never print it).
    pub fn server_config(&self) -> &ServerConfig {
        &self.server_config
    }

    /// True while the in-process server runs.
    pub fn server_running(&self) -> bool {
        self.server_task.as_ref().is_some_and(|t| !t.is_finished())
    }

    /// True while the in-process bridge runs.
    pub fn bridge_running(&self) -> bool {
        self.bridge_task.as_ref().is_some_and(|t| !t.is_finished())
    }

    /// Stops the server gracefully (health NOT_SERVING, WatchJob streams end, in-flight
    /// requests drain; bounded by the server's `shutdown_deadline_ms` plus 5 s). The engine's
    /// state stays in Redis. No-op when it is not running.
    ///
    /// Errors: the server failed, panicked or did not stop in time.
    pub async fn stop_server(&mut self) -> anyhow::Result<()> {
        let _ = self.server_stop.send(true);
        let limit =
            Duration::from_millis(self.server_config.shutdown_deadline_ms) + Duration::from_secs(5);
        join_component("server", self.server_task.take(), limit).await
    }

    /// Starts the server again on the same port with the same configuration (after
    /// [`Self::stop_server`]) and waits until it answers, like [`Self::start`]. The new
    /// instance resumes every active job from Redis.
    ///
    /// Errors: already running, the port stays taken for 10 s, or the server does not answer
    /// within the ready timeout.
    pub async fn start_server(&mut self) -> anyhow::Result<()> {
        anyhow::ensure!(!self.server_running(), "the server is already running");
        let listener = bind_again(self.server_addr).await?;
        let (stop, task) = spawn_server(
            self.server_config.clone(),
            listener,
            self.server_options.clone(),
            self.server_runtime.as_ref(),
        )
        .await?;
        self.server_stop = stop;
        self.server_task = Some(task);
        self.wait_ready(self.ready_timeout).await
    }

    /// [`Self::stop_server`] then [`Self::start_server`] (same port, same Redis).
    pub async fn restart_server(&mut self) -> anyhow::Result<()> {
        self.stop_server().await?;
        self.start_server().await
    }

    /// Stops the webhook bridge gracefully: it stops accepting (webhook deliveries then fail
    /// with connection refused, which the simulator records) and flushes what it accepted,
    /// for at most 3 s. No-op when it is not running.
    pub async fn stop_bridge(&mut self) -> anyhow::Result<()> {
        let _ = self.bridge_stop.send(true);
        join_component("bridge", self.bridge_task.take(), Duration::from_secs(10)).await
    }

    /// Starts the bridge again on the same port with the same configuration.
    ///
    /// Errors: already running, or the port stays taken for 10 s.
    pub async fn start_bridge(&mut self) -> anyhow::Result<()> {
        anyhow::ensure!(!self.bridge_running(), "the bridge is already running");
        let listener = bind_again(self.bridge_addr).await?;
        let (stop, task) = spawn_bridge(self.bridge_config.clone(), listener);
        self.bridge_stop = stop;
        self.bridge_task = Some(task);
        Ok(())
    }

    /// Stops the server and the bridge (graceful, bounded), then the simulator and Redis.
    pub async fn shutdown(mut self) -> anyhow::Result<()> {
        let _ = self.server_stop.send(true);
        let _ = self.bridge_stop.send(true);
        let mut result = Ok(());
        for task in [self.server_task.take(), self.bridge_task.take()]
            .into_iter()
            .flatten()
        {
            match tokio::time::timeout(Duration::from_secs(15), task).await {
                Ok(Ok(Ok(()))) => {}
                Ok(Ok(Err(err))) => result = Err(err),
                Ok(Err(join)) => result = Err(anyhow::anyhow!("task panicked: {join}")),
                Err(_) => result = Err(anyhow::anyhow!("a component did not stop within 15 s")),
            }
        }
        if let Some(sim) = self.sim.take() {
            sim.shutdown().await?;
        }
        self.redis.kill();
        result
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        let _ = self.server_stop.send(true);
        let _ = self.bridge_stop.send(true);
        for task in [self.server_task.take(), self.bridge_task.take()]
            .into_iter()
            .flatten()
        {
            task.abort();
        }
        // SimHandle and RedisServer stop themselves on drop.
    }
}

async fn stopped(mut rx: watch::Receiver<bool>) {
    let _ = rx.wait_for(|stop| *stop).await;
}

type ComponentTask = JoinHandle<anyhow::Result<()>>;

/// Starts the server on `listener` (on `runtime` when given, else the caller's); returns its
/// stop signal and task.
async fn spawn_server(
    config: ServerConfig,
    listener: tokio::net::TcpListener,
    options: ServerOptions,
    runtime: Option<&tokio::runtime::Handle>,
) -> anyhow::Result<(watch::Sender<bool>, ComponentTask)> {
    let (stop, stop_rx) = watch::channel(false);
    let Some(runtime) = runtime else {
        let running: RunningServer =
            hold_hunter_server::start(config, listener, stopped(stop_rx), options)
                .await
                .context("starting the Hold Hunter server")?;
        return Ok((stop, tokio::spawn(running.wait())));
    };
    // Re-register the listener with the server runtime's reactor.
    let listener = listener.into_std()?;
    let (started_tx, started_rx) = tokio::sync::oneshot::channel();
    let task = runtime.spawn(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let started = hold_hunter_server::start(config, listener, stopped(stop_rx), options)
            .await
            .context("starting the Hold Hunter server");
        match started {
            Ok(running) => {
                let _ = started_tx.send(Ok(()));
                running.wait().await
            }
            Err(err) => {
                let _ = started_tx.send(Err(format!("{err:#}")));
                Err(err)
            }
        }
    });
    match started_rx.await {
        Ok(Ok(())) => Ok((stop, task)),
        Ok(Err(err)) => bail!("{err}"),
        Err(_) => bail!("the server task ended during start-up"),
    }
}

/// Starts the bridge on `listener`; returns its stop signal and task.
fn spawn_bridge(
    config: hold_hunter_bridge::BridgeConfig,
    listener: tokio::net::TcpListener,
) -> (watch::Sender<bool>, ComponentTask) {
    let (stop, stop_rx) = watch::channel(false);
    let task = tokio::spawn(hold_hunter_bridge::run(config, listener, stopped(stop_rx)));
    (stop, task)
}

/// Waits for a stopped component's task, at most `limit`.
async fn join_component(
    name: &str,
    task: Option<ComponentTask>,
    limit: Duration,
) -> anyhow::Result<()> {
    let Some(task) = task else { return Ok(()) };
    match tokio::time::timeout(limit, task).await {
        Ok(Ok(result)) => result.with_context(|| format!("the {name} failed")),
        Ok(Err(join)) => bail!("the {name} task panicked: {join}"),
        Err(_) => bail!("the {name} did not stop within {limit:?}"),
    }
}

/// Binds `addr` again after its previous listener closed (retrying for up to 10 s while the
/// port is still held, e.g. by connections draining).
async fn bind_again(addr: SocketAddr) -> anyhow::Result<tokio::net::TcpListener> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match tokio::net::TcpListener::bind(addr).await {
            Ok(listener) => return Ok(listener),
            Err(err) if Instant::now() < deadline => {
                tracing::debug!(%addr, error = %err, "port still taken; retrying");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(err) => return Err(err).with_context(|| format!("binding {addr} again")),
        }
    }
}
