//! Notification fan-out and webhook delivery (REF §4, §5).
//!
//! [`publish`] matches a notification against every live, Active subscription and queues it on
//! that subscription's worker. Each worker POSTs in order, one party per notification, with the
//! real envelope `{uuid, event, timestamp, subscriptionId, ownerId, body}` and headers
//! `Content-Type: application/json; charset=UTF-8`, `User-Agent: RingCentral-Webhook/8.3`,
//! `Verification-Token` (when set). Faults (drop, duplicate, reorder, delay) are drawn per
//! delivery from the seeded fault RNG. Sustained failures blacklist the subscription.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use secrecy::ExposeSecret;
use serde::Serialize;
use serde_json::json;
use tokio::sync::mpsc;

use crate::faults::DeliveryFaults;
use crate::state::{SimState, lock};
use crate::subscriptions::SubscriptionStatus;
use crate::telephony::session::{Notification, iso_ms};

/// `User-Agent` of deliveries (REF §5 sample headers).
pub const USER_AGENT: &str = "RingCentral-Webhook/8.3";

/// How long a held-back (reordered) delivery waits for a successor before it is sent anyway.
const REORDER_HOLD: Duration = Duration::from_millis(500);

/// Outcome of one delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum DeliveryOutcome {
    /// The receiver answered 2xx.
    Delivered {
        /// HTTP status.
        status: u16,
    },
    /// Non-2xx, connection error or timeout.
    Failed {
        /// Why (same wording as `blacklistedData.reason`).
        reason: String,
    },
    /// Not sent: dropped by fault injection, or the subscription was blacklisted/gone.
    Dropped {
        /// Why.
        reason: String,
    },
}

/// One row of the delivery log.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryRecord {
    /// Envelope `uuid` (a duplicate repeats it).
    pub uuid: String,
    /// Subscription.
    pub subscription_id: String,
    /// Session.
    pub telephony_session_id: String,
    /// `body.sequence`.
    pub sequence: u64,
    /// Party id.
    pub party_id: String,
    /// Party status code.
    pub status_code: String,
    /// Envelope `event`.
    pub event: String,
    /// Fault that applied (`duplicate`, `reorder`, `delay`, `drop`), if any.
    pub fault: Option<String>,
    /// Outcome.
    pub outcome: DeliveryOutcome,
    /// When the attempt finished.
    pub at: Timestamp,
}

/// Delivery log (capped, oldest dropped first).
#[derive(Debug, Default)]
pub struct DeliveryLog {
    /// Records in order.
    pub records: VecDeque<DeliveryRecord>,
}

const LOG_CAP: usize = 20_000;

impl DeliveryLog {
    fn push(&mut self, r: DeliveryRecord) {
        if self.records.len() >= LOG_CAP {
            self.records.pop_front();
        }
        self.records.push_back(r);
    }
}

/// `event` path for a party: its owner's extension path, else the account path (REF §4, CSN).
pub fn event_path(account_id: u64, n: &Notification) -> String {
    match n.party_extension_id {
        Some(e) => format!("/restapi/v1.0/account/{account_id}/extension/{e}/telephony/sessions"),
        None => format!("/restapi/v1.0/account/{account_id}/telephony/sessions"),
    }
}

/// Queues `n` for every live Active subscription with a matching filter.
pub fn publish(state: &SimState, n: Notification) {
    let n = Arc::new(n);
    let store = lock(&state.subscriptions);
    for s in store.live() {
        if !s.parsed_filters.iter().any(|f| f.matches(&n)) {
            continue;
        }
        if s.status == SubscriptionStatus::Blacklisted {
            continue;
        }
        let _ = s.worker.send(n.clone());
    }
}

struct Pending {
    n: Arc<Notification>,
    uuid: String,
}

/// Runs the delivery worker of one subscription until the subscription is deleted.
pub fn spawn_worker(
    state: Arc<SimState>,
    subscription_id: String,
    mut rx: mpsc::UnboundedReceiver<Arc<Notification>>,
) {
    tokio::spawn(async move {
        let mut held: Option<(Pending, Instant)> = None;
        let mut shutdown = state.shutdown.clone();
        loop {
            let next = if let Some((_, since)) = &held {
                let until = *since + REORDER_HOLD;
                tokio::select! {
                    n = rx.recv() => n,
                    _ = tokio::time::sleep_until(until.into()) => {
                        if let Some((p, _)) = held.take() {
                            deliver(&state, &subscription_id, &p, Some("reorder")).await;
                        }
                        continue;
                    }
                    _ = shutdown.changed() => None,
                }
            } else {
                tokio::select! {
                    n = rx.recv() => n,
                    _ = shutdown.changed() => None,
                }
            };
            let Some(n) = next else { break };
            let p = Pending {
                n,
                uuid: notification_uuid(),
            };
            let faults: DeliveryFaults = lock(&state.faults).draw_delivery();
            if faults.drop {
                log(
                    &state,
                    &subscription_id,
                    &p,
                    Some("drop"),
                    DeliveryOutcome::Dropped {
                        reason: "fault injection: drop".into(),
                    },
                );
            } else if let Some(ms) = faults.delay_ms {
                let state2 = state.clone();
                let sid = subscription_id.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(ms)).await;
                    deliver(&state2, &sid, &p, Some("delay")).await;
                });
            } else if faults.reorder && held.is_none() {
                held = Some((p, Instant::now()));
                continue;
            } else {
                deliver(&state, &subscription_id, &p, None).await;
                if faults.duplicate {
                    deliver(&state, &subscription_id, &p, Some("duplicate")).await;
                }
            }
            if let Some((h, _)) = held.take() {
                deliver(&state, &subscription_id, &h, Some("reorder")).await;
            }
        }
    });
}

fn notification_uuid() -> String {
    // Numeric-looking like "2425066947943057062".
    let v = uuid::Uuid::new_v4().as_u128() as u64 & 0x7FFF_FFFF_FFFF_FFFF;
    v.to_string()
}

fn log(
    state: &SimState,
    subscription_id: &str,
    p: &Pending,
    fault: Option<&str>,
    outcome: DeliveryOutcome,
) {
    let event = event_path(state.account.id, &p.n);
    lock(&state.deliveries).push(DeliveryRecord {
        uuid: p.uuid.clone(),
        subscription_id: subscription_id.to_string(),
        telephony_session_id: p.n.telephony_session_id.clone(),
        sequence: p.n.sequence,
        party_id: p.n.party_id.clone(),
        status_code: p.n.status_code.to_string(),
        event,
        fault: fault.map(str::to_string),
        outcome,
        at: Timestamp::now(),
    });
}

async fn deliver(state: &SimState, subscription_id: &str, p: &Pending, fault: Option<&str>) {
    let target = {
        let store = lock(&state.subscriptions);
        store.by_id.get(subscription_id).and_then(|s| {
            (s.status == SubscriptionStatus::Active && !s.is_expired()).then(|| {
                (
                    s.address.clone(),
                    s.owner_extension_id,
                    s.verification_token
                        .as_ref()
                        .map(|t| t.expose_secret().to_string()),
                )
            })
        })
    };
    let Some((address, owner, token)) = target else {
        log(
            state,
            subscription_id,
            p,
            fault,
            DeliveryOutcome::Dropped {
                reason: "subscription not active".into(),
            },
        );
        return;
    };
    let envelope = json!({
        "uuid": p.uuid,
        "event": event_path(state.account.id, &p.n),
        "timestamp": iso_ms(Timestamp::now()),
        "subscriptionId": subscription_id,
        "ownerId": owner.to_string(),
        "body": p.n.body,
    });
    let body = serde_json::to_vec(&envelope).unwrap_or_default();
    let mut req = state
        .http
        .post(&address)
        .header("Content-Type", "application/json; charset=UTF-8")
        .header("Accept", "application/json")
        .header("User-Agent", USER_AGENT)
        .timeout(Duration::from_millis(
            state.config.subscriptions.delivery_timeout_ms,
        ))
        .body(body);
    if let Some(t) = token {
        req = req.header("Verification-Token", t);
    }
    let outcome = match req.send().await {
        Ok(resp) if resp.status().is_success() => DeliveryOutcome::Delivered {
            status: resp.status().as_u16(),
        },
        Ok(resp) => DeliveryOutcome::Failed {
            reason: format!(
                "Webhook responses with code: [{}], reason: [{}]",
                resp.status().as_u16(),
                resp.status().canonical_reason().unwrap_or("Unknown")
            ),
        },
        Err(e) if e.is_timeout() => DeliveryOutcome::Failed {
            reason: "I/O operation is failed. Details: [Read timed out]".into(),
        },
        Err(_) => DeliveryOutcome::Failed {
            reason: "I/O operation is failed. Details: [Connection refused]".into(),
        },
    };
    record_result(state, subscription_id, &outcome);
    log(state, subscription_id, p, fault, outcome);
}

/// Failure bookkeeping and blacklisting: `blacklist_after_failures` consecutive failures
/// spanning at least `blacklist_after_ms` (UNVERIFIED policy; REF FORUM-1173: "10 minutes").
fn record_result(state: &SimState, subscription_id: &str, outcome: &DeliveryOutcome) {
    let cfg = &state.config.subscriptions;
    let mut store = lock(&state.subscriptions);
    let Some(s) = store.by_id.get_mut(subscription_id) else {
        return;
    };
    match outcome {
        DeliveryOutcome::Delivered { .. } => {
            s.consecutive_failures = 0;
            s.first_failure_at = None;
        }
        DeliveryOutcome::Failed { reason } => {
            s.consecutive_failures += 1;
            let first = *s.first_failure_at.get_or_insert_with(Instant::now);
            if s.consecutive_failures >= cfg.blacklist_after_failures
                && first.elapsed() >= Duration::from_millis(cfg.blacklist_after_ms)
            {
                tracing::warn!(subscription_id, %reason, "subscription blacklisted");
                s.blacklist(reason);
            }
        }
        DeliveryOutcome::Dropped { .. } => {}
    }
}
