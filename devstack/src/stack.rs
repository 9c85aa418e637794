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
    stop: watch::Sender<bool>,
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
        if let Some(tweak) = options.server_tweak {
            tweak(&mut server_config);
        }

        let (stop, stop_rx) = watch::channel(false);
        let running: RunningServer = hold_hunter_server::start(
            server_config,
            server_listener,
            stopped(stop_rx.clone()),
            options.server_options.clone(),
        )
        .await
        .context("starting the Hold Hunter server")?;
        let server_task = tokio::spawn(running.wait());

        let mut bridge_config = hold_hunter_bridge::BridgeConfig::new(
            verification_token,
            server_url.clone(),
            ingest_token,
        );
        bridge_config.listen_addr = bridge_listener.local_addr()?;
        bridge_config.webhook_path = WEBHOOK_PATH.to_string();
        bridge_config.shutdown_deadline = Duration::from_secs(3);
        let bridge_task = tokio::spawn(hold_hunter_bridge::run(
            bridge_config,
            bridge_listener,
            stopped(stop_rx),
        ));

        let mut stack = Stack {
            redis,
            sim: Some(sim),
            server_url,
            bridge_url,
            api_token,
            seed: options.seed,
            serves_dashboard: options.static_dir.is_some(),
            stop,
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

    /// Stops the server and the bridge (graceful, bounded), then the simulator and Redis.
    pub async fn shutdown(mut self) -> anyhow::Result<()> {
        let _ = self.stop.send(true);
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
        let _ = self.stop.send(true);
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
