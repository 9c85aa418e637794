//! `hold-hunter-bridge`: the RingCentral webhook receiver process. See the library docs.

use std::io::IsTerminal as _;
use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Parser, ValueEnum};
use hold_hunter_bridge::{BridgeConfig, run};
use secrecy::SecretString;
use tracing_subscriber::EnvFilter;

const AFTER_HELP: &str = "\
EXAMPLE (fake token values; pass real ones through the environment, not flags, so they do not
show up in `ps`):

  HH_BRIDGE_VERIFICATION_TOKEN=test-verification-token \\
  HH_BRIDGE_INGEST_TOKEN=test-ingest-token \\
  hold-hunter-bridge --listen 0.0.0.0:8080 --server-url http://127.0.0.1:50051

  Then create the RingCentral subscription with
    deliveryMode.address = https://<public host>/webhooks/ringcentral
    deliveryMode.verificationToken = <the same HH_BRIDGE_VERIFICATION_TOKEN>
  (the server does this itself at start-up). TLS to RingCentral is terminated in front of
  the bridge (load balancer / reverse proxy).

BEHAVIOUR:
  POST <webhook path>  Validation-Token -> echoed, 200, empty body (handshake)
                       Verification-Token missing/wrong -> 401; body > max -> 413;
                       bad JSON or missing telephonySessionId/sequence/party id/status.code -> 400;
                       non-telephony event -> 200 (ignored); queue full -> 503; else 200 (queued)
  GET /healthz         200 while the process runs
  GET /readyz          200 when the server answers grpc.health.v1 SERVING and the queue has room
  GET /metrics         Prometheus text (hh_bridge_*)

  SIGTERM/SIGINT: stop accepting, flush the queue to the server within --shutdown-deadline-ms,
  log how many events are left (they are lost). Exit code 0 after a clean stop.

LOGGING: RUST_LOG (default `info`), --log-format text|json.";

/// Receives RingCentral webhook deliveries and forwards them to the Hold Hunter server over
/// gRPC (TelephonyIngestService).
#[derive(Parser)]
#[command(name = "hold-hunter-bridge", version, about, after_help = AFTER_HELP)]
struct Cli {
    /// Address to listen on for webhook deliveries and probes.
    #[arg(long, env = "HH_BRIDGE_LISTEN", default_value = "0.0.0.0:8080")]
    listen: SocketAddr,

    /// HTTP path of the webhook (the subscription's deliveryMode.address path).
    #[arg(
        long,
        env = "HH_BRIDGE_WEBHOOK_PATH",
        default_value = "/webhooks/ringcentral"
    )]
    webhook_path: String,

    /// Expected Verification-Token header (the subscription's deliveryMode.verificationToken).
    #[arg(long, env = "HH_BRIDGE_VERIFICATION_TOKEN", hide_env_values = true, value_parser = secret)]
    verification_token: SecretString,

    /// gRPC endpoint of the server's TelephonyIngestService (plain HTTP/2).
    #[arg(
        long,
        env = "HH_BRIDGE_SERVER_URL",
        default_value = "http://127.0.0.1:50051"
    )]
    server_url: String,

    /// Internal ingest credential, sent as `authorization: Bearer <token>`.
    #[arg(long, env = "HH_BRIDGE_INGEST_TOKEN", hide_env_values = true, value_parser = secret)]
    ingest_token: SecretString,

    /// Bound of the in-memory queue, in events (queued + in flight); beyond it deliveries get 503.
    #[arg(long, env = "HH_BRIDGE_QUEUE_CAPACITY", default_value_t = 100_000)]
    queue_capacity: usize,

    /// Largest accepted request body, in bytes (larger: 413).
    #[arg(long, env = "HH_BRIDGE_MAX_BODY_BYTES", default_value_t = 65_536)]
    max_body_bytes: usize,

    /// Most events per IngestTelephonyEvents RPC (1..=1000).
    #[arg(long, env = "HH_BRIDGE_BATCH_MAX_EVENTS", default_value_t = 500)]
    batch_max_events: usize,

    /// Most encoded bytes per IngestTelephonyEvents RPC.
    #[arg(long, env = "HH_BRIDGE_BATCH_MAX_BYTES", default_value_t = 1_048_576)]
    batch_max_bytes: usize,

    /// Deadline of one IngestTelephonyEvents RPC, in ms.
    #[arg(long, env = "HH_BRIDGE_RPC_TIMEOUT_MS", default_value_t = 5_000)]
    rpc_timeout_ms: u64,

    /// First retry delay after a failed RPC, in ms (doubles per attempt).
    #[arg(
        long,
        env = "HH_BRIDGE_RETRY_INITIAL_BACKOFF_MS",
        default_value_t = 100
    )]
    retry_initial_backoff_ms: u64,

    /// Cap of the retry delay, in ms.
    #[arg(long, env = "HH_BRIDGE_RETRY_MAX_BACKOFF_MS", default_value_t = 5_000)]
    retry_max_backoff_ms: u64,

    /// How long a /readyz health-check result is reused, in ms.
    #[arg(long, env = "HH_BRIDGE_READINESS_CACHE_MS", default_value_t = 1_000)]
    readiness_cache_ms: u64,

    /// HTTP/2 keepalive PING interval on the server channel, in ms.
    #[arg(
        long,
        env = "HH_BRIDGE_HTTP2_KEEPALIVE_INTERVAL_MS",
        default_value_t = 20_000
    )]
    http2_keepalive_interval_ms: u64,

    /// On SIGTERM: time allowed to flush the queue to the server, in ms.
    #[arg(long, env = "HH_BRIDGE_SHUTDOWN_DEADLINE_MS", default_value_t = 10_000)]
    shutdown_deadline_ms: u64,

    /// Log format.
    #[arg(long, env = "HH_BRIDGE_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

fn secret(value: &str) -> Result<SecretString, String> {
    if value.is_empty() {
        return Err("must not be empty".into());
    }
    Ok(SecretString::from(value))
}

impl Cli {
    fn into_config(self) -> BridgeConfig {
        let mut config =
            BridgeConfig::new(self.verification_token, self.server_url, self.ingest_token);
        config.listen_addr = self.listen;
        config.webhook_path = self.webhook_path;
        config.queue_capacity = self.queue_capacity;
        config.max_body_bytes = self.max_body_bytes;
        config.batch_max_events = self.batch_max_events;
        config.batch_max_bytes = self.batch_max_bytes;
        config.rpc_timeout = Duration::from_millis(self.rpc_timeout_ms);
        config.retry_initial_backoff = Duration::from_millis(self.retry_initial_backoff_ms);
        config.retry_max_backoff = Duration::from_millis(self.retry_max_backoff_ms);
        config.readiness_cache = Duration::from_millis(self.readiness_cache_ms);
        config.http2_keepalive_interval = Duration::from_millis(self.http2_keepalive_interval_ms);
        config.shutdown_deadline = Duration::from_millis(self.shutdown_deadline_ms);
        config
    }
}

fn init_logging(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

/// Completes on SIGTERM or SIGINT.
async fn termination_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sigterm) => {
                sigterm.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("SIGINT received"),
        () = term => tracing::info!("SIGTERM received"),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_logging(cli.log_format);
    let config = cli.into_config();
    config.validate()?;
    let listener = tokio::net::TcpListener::bind(config.listen_addr)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen_addr))?;
    run(config, listener, termination_signal()).await
}
