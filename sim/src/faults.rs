//! Fault injection: webhook delivery faults drawn from a seeded RNG, and forced 429/503
//! answers on chosen endpoints for the next N requests.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::config::WebhookFaults;

/// Kind of a forced endpoint failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ForcedFailure {
    /// 429 CMN-301 with `Retry-After` and rate-limit headers.
    #[serde(rename = "429")]
    RateLimited,
    /// 503 CMN-201 "Service Temporary Unavailable".
    #[serde(rename = "503")]
    Unavailable,
}

/// "Answer the next `count` requests of `operation` with `failure`".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EndpointFault {
    /// SPEC operationId (e.g. `createCallOutCallSession`, `transferCallParty`, `getToken`;
    /// see [`crate::rate_limit::classify`]) or `*` for every RingCentral endpoint.
    pub operation: String,
    /// What to answer.
    pub failure: ForcedFailure,
    /// How many requests (decremented per hit; removed at 0).
    pub count: u32,
}

/// What the fault RNG decided for one delivery.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DeliveryFaults {
    /// Do not send.
    pub drop: bool,
    /// Send twice.
    pub duplicate: bool,
    /// Hold back until after the next one.
    pub reorder: bool,
    /// Send `delay_ms` late.
    pub delay_ms: Option<u64>,
}

/// All fault state.
#[derive(Debug)]
pub struct FaultState {
    rng: ChaCha8Rng,
    webhook: WebhookFaults,
    endpoint: Vec<EndpointFault>,
}

impl FaultState {
    /// Seeded fault state.
    pub fn new(seed: u64, webhook: WebhookFaults) -> Self {
        FaultState {
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0xFA17_5EED),
            webhook,
            endpoint: Vec::new(),
        }
    }

    /// Current webhook fault probabilities.
    pub fn webhook(&self) -> &WebhookFaults {
        &self.webhook
    }

    /// Replaces the webhook fault probabilities (and optionally reseeds).
    pub fn set_webhook(&mut self, faults: WebhookFaults, seed: Option<u64>) {
        self.webhook = faults;
        if let Some(s) = seed {
            self.rng = ChaCha8Rng::seed_from_u64(s ^ 0xFA17_5EED);
        }
    }

    /// Draws the faults for one delivery. Drop wins over everything else.
    pub fn draw_delivery(&mut self) -> DeliveryFaults {
        let w = self.webhook.clone();
        let mut roll = |p: f64| p > 0.0 && self.rng.random::<f64>() < p;
        let drop = roll(w.drop_probability);
        let duplicate = roll(w.duplicate_probability);
        let reorder = roll(w.reorder_probability);
        let delay = roll(w.delay_probability);
        if drop {
            return DeliveryFaults {
                drop,
                ..Default::default()
            };
        }
        DeliveryFaults {
            drop,
            duplicate,
            reorder: reorder && !delay,
            delay_ms: delay.then_some(w.delay_ms),
        }
    }

    /// Adds a forced endpoint failure.
    pub fn add_endpoint_fault(&mut self, f: EndpointFault) {
        if f.count > 0 {
            self.endpoint.push(f);
        }
    }

    /// Pending forced endpoint failures.
    pub fn endpoint_faults(&self) -> &[EndpointFault] {
        &self.endpoint
    }

    /// Clears forced endpoint failures.
    pub fn clear_endpoint_faults(&mut self) {
        self.endpoint.clear();
    }

    /// Consumes one forced failure for `operation`, if any is pending.
    pub fn take_endpoint_fault(&mut self, operation: &str) -> Option<ForcedFailure> {
        let i = self
            .endpoint
            .iter()
            .position(|f| f.operation == operation || f.operation == "*")?;
        let f = &mut self.endpoint[i];
        let failure = f.failure;
        f.count -= 1;
        if f.count == 0 {
            self.endpoint.remove(i);
        }
        Some(failure)
    }

    /// A u64 from the fault RNG (call seeds etc.).
    pub fn next_u64(&mut self) -> u64 {
        self.rng.random()
    }
}
