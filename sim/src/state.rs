//! The shared simulator state. Every component sits behind its own `std::sync::Mutex`; locks
//! are held briefly and never across an `.await`. Lock order where two are held: a call's
//! record, then subscriptions, then the delivery log.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use crate::account::Account;
use crate::auth::AuthStore;
use crate::config::SimConfig;
use crate::farend::{AudioBank, DestinationCatalog};
use crate::faults::FaultState;
use crate::rate_limit::RateLimiter;
use crate::subscriptions::SubscriptionStore;
use crate::telephony::calls::CallRegistry;
use crate::webhook_delivery::DeliveryLog;

/// Status of a device (SPEC `listExtensionDevices` `status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeviceStatus {
    /// Registered; usable for call-out.
    Online,
    /// Not registered; call-out from it fails.
    Offline,
}

/// Settings that apply to calls started from now on (admin API).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuntimeSettings {
    /// Far-end time scale for new calls.
    pub time_scale: f64,
    /// Seed for new calls (each call's seed = hash of this and the call index).
    pub seed: u64,
    /// Media pacing for new calls (x real time).
    pub media_pace: f64,
    /// Queue ring time for transfers made from now on, wall ms.
    pub queue_ring_ms: u64,
}

/// Everything the handlers share.
pub struct SimState {
    /// Configuration at start-up.
    pub config: SimConfig,
    /// Base URL for `uri` fields, e.g. `http://127.0.0.1:41234`.
    pub base_url: String,
    /// The account.
    pub account: Account,
    /// Device id → status.
    pub device_status: Mutex<HashMap<String, DeviceStatus>>,
    /// OAuth sessions and tokens.
    pub auth: Mutex<AuthStore>,
    /// Rate limiter.
    pub rate: Mutex<RateLimiter>,
    /// Fault injection.
    pub faults: Mutex<FaultState>,
    /// Webhook subscriptions.
    pub subscriptions: Mutex<SubscriptionStore>,
    /// Calls (live and finished).
    pub calls: Mutex<CallRegistry>,
    /// Webhook delivery log.
    pub deliveries: Mutex<DeliveryLog>,
    /// Settings for new calls.
    pub runtime: Mutex<RuntimeSettings>,
    /// The far end's destinations.
    pub catalog: DestinationCatalog,
    /// The far end's audio.
    pub audio: Arc<AudioBank>,
    /// HTTP client for webhook validation and delivery.
    pub http: reqwest::Client,
    /// Becomes `true` when the simulator shuts down.
    pub shutdown: watch::Receiver<bool>,
}

impl SimState {
    /// Builds the state (loads the far end's audio).
    pub fn new(
        config: SimConfig,
        base_url: String,
        shutdown: watch::Receiver<bool>,
    ) -> anyhow::Result<Arc<SimState>> {
        config.validate()?;
        let account = Account::build(&config.account);
        let device_status = account
            .devices
            .iter()
            .map(|d| (d.id.clone(), DeviceStatus::Online))
            .collect();
        let audio = AudioBank::load(config.asset_dir.as_deref())?;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let runtime = RuntimeSettings {
            time_scale: config.time_scale,
            seed: config.seed,
            media_pace: config.media_pace,
            queue_ring_ms: config.queue_ring_ms,
        };
        Ok(Arc::new(SimState {
            auth: Mutex::new(AuthStore::default()),
            rate: Mutex::new(RateLimiter::new(config.rate_limits.clone())),
            faults: Mutex::new(FaultState::new(config.seed, config.webhook_faults.clone())),
            subscriptions: Mutex::new(SubscriptionStore::default()),
            calls: Mutex::new(CallRegistry::default()),
            deliveries: Mutex::new(DeliveryLog::default()),
            runtime: Mutex::new(runtime),
            catalog: DestinationCatalog::with_test_lines(),
            audio,
            http,
            shutdown,
            device_status: Mutex::new(device_status),
            account,
            base_url,
            config,
        }))
    }

    /// Status of a device.
    pub fn device_status(&self, device_id: &str) -> Option<DeviceStatus> {
        lock(&self.device_status).get(device_id).copied()
    }
}

/// Locks a mutex, recovering from poisoning (a panicked handler must not wedge the sim).
pub fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
