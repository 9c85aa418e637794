//! The server configuration: one typed [`ServerConfig`], loaded by [`ServerConfig::load`] from an
//! optional TOML file plus `HH_*` environment variables (nested keys joined with `__`, e.g.
//! `HH_REDIS__URL`), validated once by [`ServerConfig::validate`].

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use url::Url;

/// Everything the server needs. Defaults suit a local developer machine except the
/// RingCentral credentials and API tokens, which must be given.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// gRPC + grpc-web (+ static files) address. Default `127.0.0.1:50051`. The binary's
    /// `--listen` overrides it; [`crate::run`] uses the listener it is given instead.
    pub listen: SocketAddr,
    /// Prometheus `/metrics` HTTP address; `None` disables the endpoint. Default
    /// `127.0.0.1:9464`. Port 0 picks a free port (see [`crate::RunningServer::metrics_addr`]).
    pub metrics_listen: Option<SocketAddr>,
    /// Browser origins allowed by CORS for grpc-web (exact match, e.g.
    /// `http://localhost:5173`); `["*"]` allows any. Default `["http://localhost:5173"]`.
    pub cors_allowed_origins: Vec<String>,
    /// Directory with the built web dashboard, served on the gRPC port for every path that is
    /// not a gRPC service (`/index.html`, `/assets/...`). `None` (default) serves nothing.
    pub static_dir: Option<PathBuf>,
    /// How long graceful shutdown may take before open work is abandoned, ms. Default 10000.
    pub shutdown_deadline_ms: u64,
    /// Largest accepted gRPC request message, bytes. Default 4 MiB.
    pub max_request_bytes: usize,
    /// Logging.
    pub log: LogConfig,
    /// Redis.
    pub redis: RedisConfig,
    /// Public API authentication.
    pub auth: AuthConfig,
    /// Internal ingest API authentication (webhook bridge → server).
    pub ingest: IngestConfig,
    /// RingCentral app credentials.
    pub ringcentral: RingCentralConfig,
    /// The webhook subscription the server owns.
    pub webhook: WebhookConfig,
    /// Hunt engine timings and limits.
    pub engine: EngineConfig,
    /// Per-leg media stream, live-agent detector and IVR navigation (see `server/README.md`).
    pub media: crate::media::MediaConfig,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 50051)),
            metrics_listen: Some(SocketAddr::from(([127, 0, 0, 1], 9464))),
            cors_allowed_origins: vec!["http://localhost:5173".into()],
            static_dir: None,
            shutdown_deadline_ms: 10_000,
            max_request_bytes: 4 * 1024 * 1024,
            log: LogConfig::default(),
            redis: RedisConfig::default(),
            auth: AuthConfig::default(),
            ingest: IngestConfig::default(),
            ringcentral: RingCentralConfig::default(),
            webhook: WebhookConfig::default(),
            engine: EngineConfig::default(),
            media: crate::media::MediaConfig::default(),
        }
    }
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// Logging settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    /// `text` (default) or `json`.
    pub format: LogFormat,
    /// `tracing_subscriber::EnvFilter` directive, e.g. `info,hold_hunter_server=debug`.
    /// Default `info`. `RUST_LOG`, when set, wins.
    pub filter: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            format: LogFormat::Text,
            filter: "info".into(),
        }
    }
}

/// Redis settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RedisConfig {
    /// Connection URL. Default `redis://127.0.0.1:6379/`.
    pub url: String,
    /// Connect/response timeout for start-up validation, ms. Default 3000.
    pub connect_timeout_ms: u64,
}

impl Default for RedisConfig {
    fn default() -> Self {
        RedisConfig {
            url: "redis://127.0.0.1:6379/".into(),
            connect_timeout_ms: 3_000,
        }
    }
}

/// Public API authentication.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// Explicit opt-out for local development: every public RPC (and ingest) is open. Logged
    /// at WARN at start-up and every 5 minutes. Default `false`.
    pub disabled: bool,
    /// SHA-256 (lower-case hex, 64 chars) of each accepted API token
    /// (`hold-hunter-server hash-token`). Tokens themselves are never stored.
    pub api_token_sha256: Vec<String>,
}

/// Internal ingest authentication.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IngestConfig {
    /// SHA-256 hex of each accepted ingest token (the webhook bridge's credential). Public API
    /// tokens are not accepted by the ingest service and ingest tokens not by public services.
    pub token_sha256: Vec<String>,
}

/// RingCentral app credentials and client timings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RingCentralConfig {
    /// Platform URL. Default `https://platform.ringcentral.com`; the simulator's base URL in
    /// tests and the demo.
    pub server_url: Url,
    /// OAuth client id.
    pub client_id: String,
    /// OAuth client secret. Never logged.
    #[serde(serialize_with = "redact")]
    pub client_secret: SecretString,
    /// JWT credential. Never logged.
    #[serde(serialize_with = "redact")]
    pub jwt: SecretString,
    /// Account id in paths; default `~`.
    pub account_id: String,
    /// Timeout of one RingCentral request, ms. Default 30000.
    pub request_timeout_ms: u64,
    /// Longest total wait for 429s before a call fails, ms. Default 60000.
    pub max_rate_limit_wait_ms: u64,
    /// Wait used when a 429 has no `Retry-After`, ms. Default 30000.
    pub default_retry_after_ms: u64,
}

impl Default for RingCentralConfig {
    fn default() -> Self {
        RingCentralConfig {
            server_url: Url::parse(ringcentral::Config::PRODUCTION_SERVER_URL)
                .expect("constant URL parses"),
            client_id: String::new(),
            client_secret: SecretString::from(""),
            jwt: SecretString::from(""),
            account_id: "~".into(),
            request_timeout_ms: 30_000,
            max_rate_limit_wait_ms: 60_000,
            default_retry_after_ms: 30_000,
        }
    }
}

impl RingCentralConfig {
    /// The `ringcentral` crate's client configuration.
    pub fn client_config(&self) -> ringcentral::Config {
        let mut config = ringcentral::Config::new(
            self.server_url.clone(),
            self.client_id.clone(),
            self.client_secret.clone(),
            self.jwt.clone(),
        );
        config.account_id = self.account_id.clone();
        config.request_timeout = Duration::from_millis(self.request_timeout_ms);
        config.max_rate_limit_wait = Duration::from_millis(self.max_rate_limit_wait_ms);
        config.default_retry_after = Duration::from_millis(self.default_retry_after_ms);
        config
    }
}

/// The webhook subscription the server keeps Active (account-level telephony sessions filter).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebhookConfig {
    /// Public URL of the webhook bridge's endpoint. `None` (default): the server manages no
    /// subscription (events must reach ingest some other way; reconciliation still runs).
    pub address: Option<Url>,
    /// `deliveryMode.verificationToken` the bridge checks. Never logged.
    #[serde(serialize_with = "redact_opt")]
    pub verification_token: Option<SecretString>,
    /// `expiresIn` of created subscriptions, s. Default 604800 (7 days).
    pub expires_in_s: u32,
    /// Renew when less than this remains, s. Default 86400.
    pub renew_before_s: u64,
    /// How often the subscription status is checked, ms. Default 60000.
    pub check_interval_ms: u64,
    /// First retry delay after a failed creation, ms (doubles up to `retry_max_ms`).
    /// Default 1000.
    pub retry_initial_ms: u64,
    /// Longest retry delay, ms. Default 60000.
    pub retry_max_ms: u64,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        WebhookConfig {
            address: None,
            verification_token: None,
            expires_in_s: 604_800,
            renew_before_s: 86_400,
            check_interval_ms: 60_000,
            retry_initial_ms: 1_000,
            retry_max_ms: 60_000,
        }
    }
}

/// Hunt engine settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EngineConfig {
    /// Job and leg records live this long after their last update, s. Default 86400.
    pub job_ttl_s: u64,
    /// Compact finished-job summaries live this long, s. Default 2592000 (30 days).
    pub summary_ttl_s: u64,
    /// Approximate cap of each job's event stream (`XADD MAXLEN ~`). Default 10000.
    pub event_stream_maxlen: u64,
    /// Call-outs allowed per RingCentral user per window (RingCentral Heavy group default:
    /// 10 per 60 s). Shared by every replica through Redis. Default 10.
    pub callout_limit: u32,
    /// Rate-limit window, ms. Default 60000.
    pub callout_window_ms: u64,
    /// Delay between a job's successive call-outs, ms. Default 2000.
    pub stagger_ms: u64,
    /// IVR → HOLD fallback when no detector verdict arrives, ms after the destination
    /// answered, when the media pipeline is off (legs are not listened to). Default 15000.
    pub ivr_fallback_ms: u64,
    /// The same fallback when the media pipeline is on: the detector's HOLD verdict normally
    /// moves the leg, and menus such as PPS ask a second selection minutes into the call, so
    /// this must outlast the longest IVR. Default 600000 (10 min).
    pub ivr_fallback_with_media_ms: u64,
    /// When true (default), a detector LIVE verdict makes the leg compete for the transfer at
    /// once. When false ("assist mode"), the verdict is shown on the leg (confidence and cause)
    /// and an operator's ConfirmLive decides. NEEDS_HUMAN always competes.
    pub detector_transfers: bool,
    /// Every active leg is checked with `GET session` this often, ms. Default 15000.
    pub reconcile_interval_ms: u64,
    /// Timer resolution (IVR fallback, max duration, winner retries), ms. Default 250.
    pub tick_ms: u64,
    /// Dial-schedule poll interval, ms. Default 100.
    pub dial_poll_ms: u64,
    /// A leg DIALING without a telephony session for this long (e.g. after a crash during
    /// call-out) is ended LOST, never re-dialed, ms. Default 45000.
    pub dialing_orphan_ms: u64,
    /// Telephony events for unknown sessions are parked this long, ms. Default 60000.
    pub parked_event_ttl_ms: u64,
    /// A TRANSFERRING leg whose transfer outcome is unknown this long is re-checked, ms.
    /// Default 10000.
    pub transfer_recheck_ms: u64,
    /// Default number of legs. Default 6.
    pub default_line_count: u32,
    /// Default job max duration, s. Default 14400 (4 h).
    pub default_max_duration_s: u64,
    /// Allow max_duration below 1 minute (tests only). Default false.
    pub allow_short_max_duration: bool,
    /// WatchJob: once the job is terminal, the stream stays open until every leg is terminal
    /// (ENDED/TRANSFERRED, e.g. the LOST_RACE hang-ups that follow a transfer), but at most
    /// this long after the job ended (`ended_at`), ms. Default 10000.
    pub watch_leg_grace_ms: u64,
    /// WatchJob: a Redis error is retried (new connection, backoff 100 ms doubling to 1 s)
    /// for this long before the stream ends with UNAVAILABLE, ms. The budget restarts after
    /// every successful read. Default 5000.
    pub watch_redis_retry_ms: u64,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            job_ttl_s: 86_400,
            summary_ttl_s: 30 * 86_400,
            event_stream_maxlen: 10_000,
            callout_limit: 10,
            callout_window_ms: 60_000,
            stagger_ms: 2_000,
            ivr_fallback_ms: 15_000,
            ivr_fallback_with_media_ms: 600_000,
            detector_transfers: true,
            reconcile_interval_ms: 15_000,
            tick_ms: 250,
            dial_poll_ms: 100,
            dialing_orphan_ms: 45_000,
            parked_event_ttl_ms: 60_000,
            transfer_recheck_ms: 10_000,
            default_line_count: 6,
            default_max_duration_s: 4 * 3_600,
            allow_short_max_duration: false,
            watch_leg_grace_ms: 10_000,
            watch_redis_retry_ms: 5_000,
        }
    }
}

fn redact<S: serde::Serializer>(_: &SecretString, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str("[REDACTED]")
}

fn redact_opt<S: serde::Serializer>(v: &Option<SecretString>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(_) => s.serialize_some("[REDACTED]"),
        None => s.serialize_none(),
    }
}

impl ServerConfig {
    /// Defaults, then the TOML file (if given), then `HH_*` env vars (`__` separates nesting:
    /// `HH_RINGCENTRAL__CLIENT_ID`). Errors are one line naming the bad key.
    pub fn load(file: Option<&Path>) -> anyhow::Result<ServerConfig> {
        let mut figment = Figment::from(Serialized::defaults(ServerConfig::default()));
        if let Some(file) = file {
            anyhow::ensure!(file.exists(), "config file {} not found", file.display());
            figment = figment.merge(Toml::file(file));
        }
        const TOP_LEVEL: &[&str] = &[
            "listen",
            "metrics_listen",
            "cors_allowed_origins",
            "static_dir",
            "shutdown_deadline_ms",
            "max_request_bytes",
            "log",
            "redis",
            "auth",
            "ingest",
            "ringcentral",
            "webhook",
            "engine",
            "media",
        ];
        // Only keys that name a section: other HH_* variables (e.g. HH_REDIS_SERVER used by
        // the dev stack) are not configuration of this server.
        figment = figment.merge(Env::prefixed("HH_").split("__").filter(|key| {
            let first = key.as_str().split('.').next().unwrap_or_default();
            TOP_LEVEL.iter().any(|t| t.eq_ignore_ascii_case(first))
        }));
        // Short alias: HH_REDIS_URL = HH_REDIS__URL.
        figment = figment.merge(
            Env::raw()
                .only(&["HH_REDIS_URL"])
                .map(|_| "redis.url".into()),
        );
        figment
            .extract::<ServerConfig>()
            .map_err(|e| anyhow::anyhow!("invalid configuration: {e}"))
    }

    /// Checks values that need no I/O. One-line errors naming the key and its env var.
    pub fn validate_static(&self) -> anyhow::Result<()> {
        let hex64 = |v: &str| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit());
        if !self.auth.disabled && self.auth.api_token_sha256.is_empty() {
            anyhow::bail!(
                "auth.api_token_sha256 is empty: set HH_AUTH__API_TOKEN_SHA256='[\"<sha256 hex>\"]' \
                 (see `hold-hunter-server hash-token`) or auth.disabled=true for local development"
            );
        }
        for h in self
            .auth
            .api_token_sha256
            .iter()
            .chain(&self.ingest.token_sha256)
        {
            anyhow::ensure!(
                hex64(h),
                "auth.api_token_sha256 / ingest.token_sha256 entries must be 64 hex characters \
                 (a SHA-256 digest, not the token itself)"
            );
        }
        anyhow::ensure!(
            !self.ringcentral.client_id.is_empty(),
            "ringcentral.client_id is empty: set HH_RINGCENTRAL__CLIENT_ID"
        );
        anyhow::ensure!(
            !self.ringcentral.jwt.expose_secret().is_empty(),
            "ringcentral.jwt is empty: set HH_RINGCENTRAL__JWT"
        );
        anyhow::ensure!(
            !self.ringcentral.client_secret.expose_secret().is_empty(),
            "ringcentral.client_secret is empty: set HH_RINGCENTRAL__CLIENT_SECRET"
        );
        let e = &self.engine;
        anyhow::ensure!(e.callout_limit >= 1, "engine.callout_limit must be >= 1");
        anyhow::ensure!(
            e.callout_window_ms >= 1,
            "engine.callout_window_ms must be >= 1"
        );
        anyhow::ensure!(e.tick_ms >= 10, "engine.tick_ms must be >= 10");
        anyhow::ensure!(e.dial_poll_ms >= 10, "engine.dial_poll_ms must be >= 10");
        anyhow::ensure!(
            e.reconcile_interval_ms >= 100,
            "engine.reconcile_interval_ms must be >= 100"
        );
        anyhow::ensure!(
            (1..=100).contains(&e.default_line_count),
            "engine.default_line_count must be 1..=100"
        );
        anyhow::ensure!(e.job_ttl_s >= 60, "engine.job_ttl_s must be >= 60");
        if let Some(url) = &self.webhook.address {
            anyhow::ensure!(
                matches!(url.scheme(), "http" | "https"),
                "webhook.address must be an http(s) URL"
            );
        }
        url::Url::parse(&self.redis.url).map_err(|e| {
            anyhow::anyhow!(
                "redis.url {:?} is not a URL ({e}): set HH_REDIS__URL",
                self.redis.url
            )
        })?;
        Ok(())
    }
}
