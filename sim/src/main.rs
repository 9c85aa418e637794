//! `ringcentral-sim`: a faithful RingCentral platform simulator with simulated IRS lines.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;
use ringcentral_sim::SimConfig;
use ringcentral_sim::config::{
    AccountConfig, ClientCredentials, RateLimitConfig, SubscriptionConfig, TokenConfig,
    UnknownNumberPolicy, WebhookFaults,
};
use secrecy::SecretString;

/// A RingCentral platform simulator (OAuth JWT, call-out, sessions, parties, transfer,
/// subscriptions with the real webhook handshake, directory, rate limits) plus simulated
/// destinations (IRS lines with IVR, hold music and agents) and call queues.
///
/// Point a RingCentral SDK at the printed base URL and log in with the JWT grant using the
/// client id/secret and JWT below. Call audio is served on the sim-only WebSocket
/// `/sim/media/{telephonySessionId}`; ground truth and fault injection on `/sim/admin/...`.
///
/// Example (a 30-minute hold lasts 30 s, 6 hold lines, webhooks duplicated 5% of the time):
///
///   ringcentral-sim --listen 127.0.0.1:18080 --time-scale 60 --hold-lines 6 \
///       --webhook-duplicate 0.05 --seed 7
///
///   curl -u sim-client-id:sim-client-secret \
///       -d grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer \
///       -d assertion=sim-jwt-assertion http://127.0.0.1:18080/restapi/oauth/token
#[derive(Debug, Parser)]
#[command(name = "ringcentral-sim", version, verbatim_doc_comment)]
struct Args {
    /// Address to listen on.
    #[arg(long, env = "RC_SIM_LISTEN", default_value = "127.0.0.1:18080")]
    listen: SocketAddr,
    /// Base URL written into `uri` fields (default http://<listen address>).
    #[arg(long, env = "RC_SIM_PUBLIC_BASE_URL")]
    public_base_url: Option<String>,
    /// Master seed (far-end randomness, webhook fault draws).
    #[arg(long, env = "RC_SIM_SEED", default_value_t = 1)]
    seed: u64,
    /// Far-end time compression (>= 1): drawn hold times are divided by it; audio rate is not.
    #[arg(long, env = "RC_SIM_TIME_SCALE", default_value_t = 1.0)]
    time_scale: f64,
    /// Media pacing, x real time (1 = one 20 ms frame every 20 ms, like a real call).
    #[arg(long, env = "RC_SIM_MEDIA_PACE", default_value_t = 1.0)]
    media_pace: f64,
    /// Hold-line extensions (each: one Online OtherPhone device + a direct number).
    #[arg(long, default_value_t = 12)]
    hold_lines: usize,
    /// Call queues.
    #[arg(long, default_value_t = 2)]
    call_queues: usize,
    /// Agents per call queue.
    #[arg(long, default_value_t = 2)]
    agents_per_queue: usize,
    /// Accepted OAuth client id.
    #[arg(long, env = "RC_SIM_CLIENT_ID", default_value = "sim-client-id")]
    client_id: String,
    /// Accepted OAuth client secret.
    #[arg(
        long,
        env = "RC_SIM_CLIENT_SECRET",
        default_value = "sim-client-secret",
        hide_default_value = false
    )]
    client_secret: String,
    /// Accepted JWT assertion.
    #[arg(long, env = "RC_SIM_JWT", default_value = "sim-jwt-assertion")]
    jwt: String,
    /// Turn rate limiting off (headers are still sent).
    #[arg(long)]
    no_rate_limits: bool,
    /// Light group requests per window.
    #[arg(long, default_value_t = 50)]
    rate_light: u32,
    /// Medium group requests per window.
    #[arg(long, default_value_t = 40)]
    rate_medium: u32,
    /// Heavy group requests per window (call-out, account phone numbers).
    #[arg(long, default_value_t = 10)]
    rate_heavy: u32,
    /// Auth group requests per window (token, revoke).
    #[arg(long, default_value_t = 5)]
    rate_auth: u32,
    /// Rate-limit window, ms.
    #[arg(long, default_value_t = 60_000)]
    rate_window_ms: u64,
    /// Penalty after hitting a limit, ms (restarts on each request during it).
    #[arg(long, default_value_t = 60_000)]
    rate_penalty_ms: u64,
    /// Access token lifetime, s.
    #[arg(long, default_value_t = 3_600)]
    access_token_ttl_s: u64,
    /// Refresh token lifetime, s.
    #[arg(long, default_value_t = 604_800)]
    refresh_token_ttl_s: u64,
    /// Wall ms a transferred call rings in the call queue before an agent answers.
    #[arg(long, default_value_t = 3_000)]
    queue_ring_ms: u64,
    /// Wall ms before the hold line's device auto-answers a call-out.
    #[arg(long, default_value_t = 300)]
    device_answer_ms: u64,
    /// What a call-out to a number outside the IRS presets does.
    #[arg(long, value_enum, default_value = "invalid-number")]
    unknown_number: UnknownNumberPolicy,
    /// Webhook validation timeout, ms (RingCentral: 3000).
    #[arg(long, default_value_t = 3_000)]
    validation_timeout_ms: u64,
    /// Webhook delivery timeout, ms.
    #[arg(long, default_value_t = 3_000)]
    delivery_timeout_ms: u64,
    /// Blacklist a subscription after this many consecutive failed deliveries ...
    #[arg(long, default_value_t = 5)]
    blacklist_after_failures: u32,
    /// ... spanning at least this many ms.
    #[arg(long, default_value_t = 600_000)]
    blacklist_after_ms: u64,
    /// Probability each webhook delivery is sent twice.
    #[arg(long, default_value_t = 0.0)]
    webhook_duplicate: f64,
    /// Probability a delivery is held back behind the next one.
    #[arg(long, default_value_t = 0.0)]
    webhook_reorder: f64,
    /// Probability a delivery is delayed by --webhook-delay-ms.
    #[arg(long, default_value_t = 0.0)]
    webhook_delay: f64,
    /// Delay of delayed deliveries, ms.
    #[arg(long, default_value_t = 2_000)]
    webhook_delay_ms: u64,
    /// Probability a delivery is dropped.
    #[arg(long, default_value_t = 0.0)]
    webhook_drop: f64,
    /// Directory of far-end audio assets (default: synthesized audio).
    #[arg(long, env = "RC_SIM_ASSET_DIR")]
    asset_dir: Option<PathBuf>,
    /// Respect destinations' business hours (default: every line is open).
    #[arg(long)]
    respect_business_hours: bool,
    /// Media ms the far-end agent waits for a reply before hanging up.
    #[arg(long, default_value_t = 8_000)]
    agent_patience_ms: u64,
    /// Far-end agents ask a voice challenge after picking up (PPS since 2022).
    #[arg(long)]
    voice_challenge: bool,
}

impl Args {
    fn into_config(self) -> SimConfig {
        SimConfig {
            seed: self.seed,
            time_scale: self.time_scale,
            media_pace: self.media_pace,
            listen: self.listen,
            public_base_url: self.public_base_url,
            account: AccountConfig {
                hold_lines: self.hold_lines,
                call_queues: self.call_queues,
                agents_per_queue: self.agents_per_queue,
            },
            credentials: ClientCredentials {
                client_id: self.client_id,
                client_secret: SecretString::from(self.client_secret),
                jwt: SecretString::from(self.jwt),
            },
            rate_limits: RateLimitConfig {
                enabled: !self.no_rate_limits,
                light: self.rate_light,
                medium: self.rate_medium,
                heavy: self.rate_heavy,
                auth: self.rate_auth,
                window_ms: self.rate_window_ms,
                penalty_ms: self.rate_penalty_ms,
            },
            tokens: TokenConfig {
                access_token_ttl_s: self.access_token_ttl_s,
                refresh_token_ttl_s: self.refresh_token_ttl_s,
                ..TokenConfig::default()
            },
            subscriptions: SubscriptionConfig {
                validation_timeout_ms: self.validation_timeout_ms,
                delivery_timeout_ms: self.delivery_timeout_ms,
                blacklist_after_failures: self.blacklist_after_failures,
                blacklist_after_ms: self.blacklist_after_ms,
                ..SubscriptionConfig::default()
            },
            queue_ring_ms: self.queue_ring_ms,
            device_answer_ms: self.device_answer_ms,
            unknown_number: self.unknown_number,
            webhook_faults: WebhookFaults {
                duplicate_probability: self.webhook_duplicate,
                reorder_probability: self.webhook_reorder,
                delay_probability: self.webhook_delay,
                delay_ms: self.webhook_delay_ms,
                drop_probability: self.webhook_drop,
            },
            asset_dir: self.asset_dir,
            ignore_business_hours: !self.respect_business_hours,
            agent_patience_ms: self.agent_patience_ms,
            voice_challenge: self.voice_challenge,
            ..SimConfig::default()
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let config = Args::parse().into_config();
    config.validate()?;
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let base = config
        .public_base_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));
    println!("{base}");
    tracing::info!(%base, "ringcentral-sim listening");
    ringcentral_sim::serve(config, listener, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}
