//! Simulator configuration: one typed struct, validated once by [`SimConfig::validate`].
//!
//! Every RingCentral number here comes from `shared/reference/ringcentral-api.md` (cited as
//! "REF §n"); values marked UNVERIFIED there are configurable here.

use std::net::SocketAddr;
use std::path::PathBuf;

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

/// The whole simulator configuration.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Master seed: call seeds, webhook fault draws and far-end randomness derive from it.
    pub seed: u64,
    /// Far-end time compression (>= 1.0): drawn hold durations are divided by it (60.0 makes a
    /// 30 min hold last 30 s). Never changes the audio rate.
    pub time_scale: f64,
    /// Media pacing (> 0): frames are produced at `media_pace` x real time. 1.0 (default) =
    /// one 20 ms frame every 20 ms of wall time, like a real call. Tests use larger values.
    pub media_pace: f64,
    /// Address the binary binds (the library's [`crate::spawn`] always binds 127.0.0.1:0).
    pub listen: SocketAddr,
    /// Base URL written into `uri` fields; default `http://<bound address>`.
    pub public_base_url: Option<String>,
    /// The simulated account (hold lines, call queues).
    pub account: AccountConfig,
    /// The only client credentials the token endpoint accepts.
    pub credentials: ClientCredentials,
    /// Per-group rate limits (REF §6).
    pub rate_limits: RateLimitConfig,
    /// OAuth token lifetimes (REF §1).
    pub tokens: TokenConfig,
    /// Subscription handshake, delivery and blacklisting (REF §5).
    pub subscriptions: SubscriptionConfig,
    /// Wall ms a transferred call rings in a call queue (or at a user) before an agent answers.
    pub queue_ring_ms: u64,
    /// Wall ms between call-out and the hold line's device auto-answering (leg 1).
    pub device_answer_ms: u64,
    /// What a call-out to a number outside the far end's destination catalog does.
    pub unknown_number: UnknownNumberPolicy,
    /// Initial webhook fault probabilities (changeable at run time through the admin API).
    pub webhook_faults: WebhookFaults,
    /// Directory with the far end's audio assets; `None` = synthesized audio.
    pub asset_dir: Option<PathBuf>,
    /// Treat every destination as open (business hours ignored). Default `true` so the demo
    /// and tests work at any hour; the binary's `--respect-business-hours` turns it off.
    pub ignore_business_hours: bool,
    /// Media ms the far-end agent waits for a reply before giving up (far end's contract).
    pub agent_patience_ms: u64,
    /// PPS-style voice challenge after the agent picks up.
    pub voice_challenge: bool,
    /// Safety cap: wall ms after which a call still running is ended (both parties
    /// Disconnected, no reason).
    pub max_call_ms: u64,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: 1,
            time_scale: 1.0,
            media_pace: 1.0,
            listen: SocketAddr::from(([127, 0, 0, 1], 18080)),
            public_base_url: None,
            account: AccountConfig::default(),
            credentials: ClientCredentials::default(),
            rate_limits: RateLimitConfig::default(),
            tokens: TokenConfig::default(),
            subscriptions: SubscriptionConfig::default(),
            queue_ring_ms: 3_000,
            device_answer_ms: 300,
            unknown_number: UnknownNumberPolicy::InvalidNumber,
            webhook_faults: WebhookFaults::default(),
            asset_dir: None,
            ignore_business_hours: true,
            agent_patience_ms: 8_000,
            voice_challenge: false,
            max_call_ms: 4 * 3_600_000,
        }
    }
}

impl SimConfig {
    /// Checks ranges; returns a message naming the bad field.
    pub fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(self.time_scale >= 1.0, "time_scale must be >= 1.0");
        anyhow::ensure!(
            self.media_pace > 0.0 && self.media_pace <= 1000.0,
            "media_pace must be in (0, 1000]"
        );
        anyhow::ensure!(self.account.hold_lines >= 1, "at least one hold line");
        anyhow::ensure!(self.account.hold_lines <= 500, "at most 500 hold lines");
        anyhow::ensure!(self.account.call_queues <= 50, "at most 50 call queues");
        anyhow::ensure!(
            self.tokens.access_token_ttl_s >= 1,
            "access token ttl must be >= 1 s"
        );
        anyhow::ensure!(
            self.rate_limits.window_ms >= 1,
            "rate limit window must be >= 1 ms"
        );
        for p in [
            self.webhook_faults.duplicate_probability,
            self.webhook_faults.reorder_probability,
            self.webhook_faults.delay_probability,
            self.webhook_faults.drop_probability,
        ] {
            anyhow::ensure!((0.0..=1.0).contains(&p), "probabilities must be in [0, 1]");
        }
        Ok(())
    }
}

/// Shape of the simulated account.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccountConfig {
    /// Hold-line extensions (User, each with one Online `OtherPhone` device and a DirectNumber).
    pub hold_lines: usize,
    /// Call queues (Department extensions).
    pub call_queues: usize,
    /// Agents (User extensions) per call queue.
    pub agents_per_queue: usize,
}

impl Default for AccountConfig {
    fn default() -> Self {
        AccountConfig {
            hold_lines: 12,
            call_queues: 2,
            agents_per_queue: 2,
        }
    }
}

/// The client credentials and JWT the token endpoint accepts. Defaults are obviously fake.
#[derive(Debug, Clone)]
pub struct ClientCredentials {
    /// `client_id` (Basic auth user name).
    pub client_id: String,
    /// `client_secret` (Basic auth password).
    pub client_secret: SecretString,
    /// The JWT `assertion` string accepted by the JWT bearer grant.
    pub jwt: SecretString,
}

impl Default for ClientCredentials {
    fn default() -> Self {
        ClientCredentials {
            client_id: "sim-client-id".into(),
            client_secret: SecretString::from("sim-client-secret"),
            jwt: SecretString::from("sim-jwt-assertion"),
        }
    }
}

/// Per-group request limits (REF §6: Light 50, Medium 40, Heavy 10, Auth 5 per minute, 60 s
/// penalty restarted by each request made during it).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RateLimitConfig {
    /// `false` = never answer 429 (headers are still sent).
    pub enabled: bool,
    /// Light group requests per window.
    pub light: u32,
    /// Medium group requests per window.
    pub medium: u32,
    /// Heavy group requests per window.
    pub heavy: u32,
    /// Auth group requests per window.
    pub auth: u32,
    /// Sliding window, ms (reported in `X-Rate-Limit-Window` in seconds, rounded up).
    pub window_ms: u64,
    /// Penalty after the limit is hit, ms; restarts on each request during it.
    pub penalty_ms: u64,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        RateLimitConfig {
            enabled: true,
            light: 50,
            medium: 40,
            heavy: 10,
            auth: 5,
            window_ms: 60_000,
            penalty_ms: 60_000,
        }
    }
}

/// OAuth token lifetimes (REF §1).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenConfig {
    /// Default access token lifetime, s (REF: default and maximum 3600; requests may ask for
    /// 600..=3600 via `access_token_ttl`).
    pub access_token_ttl_s: u64,
    /// Default refresh token lifetime, s (REF: default 604800, max 2592000).
    pub refresh_token_ttl_s: u64,
    /// After the new access token was first used, the old refresh token still returns the same
    /// tokens for this long, ms (REF: "about 10 s").
    pub refresh_reuse_window_ms: u64,
    /// While the new access token is unused, the old refresh token keeps returning it for this
    /// long, ms (REF: "up to 60 min").
    pub unused_refresh_window_ms: u64,
}

impl Default for TokenConfig {
    fn default() -> Self {
        TokenConfig {
            access_token_ttl_s: 3_600,
            refresh_token_ttl_s: 604_800,
            refresh_reuse_window_ms: 10_000,
            unused_refresh_window_ms: 3_600_000,
        }
    }
}

/// Webhook subscription behaviour (REF §5).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SubscriptionConfig {
    /// The validation POST must be answered within this many ms (REF: 3000).
    pub validation_timeout_ms: u64,
    /// Whole validation response (status line + headers + body) must be at most this many
    /// bytes (REF: 1024).
    pub validation_max_response_bytes: usize,
    /// A notification POST not answered within this many ms counts as a failure (UNVERIFIED).
    pub delivery_timeout_ms: u64,
    /// Blacklist after at least this many consecutive failed deliveries ... (UNVERIFIED)
    pub blacklist_after_failures: u32,
    /// ... spanning at least this many ms since the first of them (REF FORUM-1173: 10 min).
    pub blacklist_after_ms: u64,
    /// `expiresIn` when the request omits it, s (UNVERIFIED: old SDKs say 604800).
    pub default_expires_in_s: u64,
    /// Subscriptions per owner (REF: 30; more gives 403 SUB-505).
    pub max_per_owner: usize,
}

impl Default for SubscriptionConfig {
    fn default() -> Self {
        SubscriptionConfig {
            validation_timeout_ms: 3_000,
            validation_max_response_bytes: 1_024,
            delivery_timeout_ms: 3_000,
            blacklist_after_failures: 5,
            blacklist_after_ms: 600_000,
            default_expires_in_s: 604_800,
            max_per_owner: 30,
        }
    }
}

/// Webhook delivery faults: each notification delivery draws from the seeded fault RNG.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct WebhookFaults {
    /// Probability a delivery is POSTed twice (same `uuid`).
    pub duplicate_probability: f64,
    /// Probability a delivery is held back and sent after the next one of its subscription.
    pub reorder_probability: f64,
    /// Probability a delivery is sent `delay_ms` late (out of band, so later ones overtake it).
    pub delay_probability: f64,
    /// Delay for delayed deliveries, ms.
    pub delay_ms: u64,
    /// Probability a delivery is never sent (recorded as dropped).
    pub drop_probability: f64,
}

/// What happens when call-out dials a number that is not in the destination catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
pub enum UnknownNumberPolicy {
    /// The callee party rings briefly, then both parties are Disconnected with reason
    /// `InvalidNumber` (default).
    InvalidNumber,
    /// The callee rings and gives up: reason `NoAnswer`.
    NoAnswer,
    /// The callee is busy: reason `TargetBusy`.
    TargetBusy,
}
