//! Sim-only admin API under `/sim/admin/…` (JSON; NOT RingCentral paths; no auth, no rate
//! limits). The same operations are methods of [`crate::SimHandle`].
//!
//! | method + path | body | answer |
//! |---|---|---|
//! | GET `/sim/admin/account` | – | the account: ids, hold lines, devices, queues, numbers |
//! | GET `/sim/admin/destinations` | – | far-end destinations `[{id, name, number, timeZone}]` |
//! | GET `/sim/admin/calls` | – | `[CallGroundTruth]` in creation order |
//! | GET `/sim/admin/calls/{telephonySessionId}` | – | one `CallGroundTruth` (404 unknown) |
//! | GET `/sim/admin/webhooks` | – | delivery log `[DeliveryRecord]`; `?subscriptionId=`, `?telephonySessionId=` filter |
//! | GET `/sim/admin/faults` | – | `{webhooks: WebhookFaults, endpoints: [EndpointFault]}` |
//! | PUT `/sim/admin/faults/webhooks` | `WebhookFaults` + optional `seed` | new faults |
//! | POST `/sim/admin/faults/endpoints` | `{operation, failure: "429"\|"503", count}` | pending list |
//! | DELETE `/sim/admin/faults/endpoints` | – | 204 |
//! | POST `/sim/admin/subscriptions/{id}/blacklist` | optional `{reason}` | SubscriptionInfo (404 unknown) |
//! | GET / PUT `/sim/admin/settings` | `{timeScale?, seed?, mediaPace?, queueRingMs?}` | settings for new calls/transfers |
//! | PUT `/sim/admin/rate-limits` | `RateLimitConfig` (snake_case) | new limits (windows cleared) |
//! | PUT `/sim/admin/devices/{deviceId}/status` | `{status: "Online"\|"Offline"}` | 204 (404 unknown) |

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::config::{RateLimitConfig, WebhookFaults};
use crate::errors::ApiError;
use crate::faults::EndpointFault;
use crate::ground_truth::CallGroundTruth;
use crate::state::{DeviceStatus, RuntimeSettings, SimState, lock};
use crate::webhook_delivery::DeliveryRecord;

/// Partial update of [`RuntimeSettings`].
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingsUpdate {
    /// Far-end time scale for new calls (>= 1).
    pub time_scale: Option<f64>,
    /// Seed for new calls.
    pub seed: Option<u64>,
    /// Media pace for new calls (> 0).
    pub media_pace: Option<f64>,
    /// Queue ring time for new transfers, wall ms.
    pub queue_ring_ms: Option<u64>,
}

/// Webhook fault update: probabilities plus an optional reseed of the fault RNG.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookFaultsUpdate {
    /// The probabilities.
    #[serde(flatten)]
    pub faults: WebhookFaults,
    /// Reseed the fault RNG.
    pub seed: Option<u64>,
}

/// Ground truth of every call.
pub fn calls(state: &SimState) -> Vec<CallGroundTruth> {
    let all = lock(&state.calls).all();
    all.iter().map(|c| lock(&c.record).truth.clone()).collect()
}

/// Ground truth of one call.
pub fn call(state: &SimState, id: &str) -> Option<CallGroundTruth> {
    let c = lock(&state.calls).get(id)?;
    let t = lock(&c.record).truth.clone();
    Some(t)
}

/// The delivery log.
pub fn deliveries(state: &SimState) -> Vec<DeliveryRecord> {
    lock(&state.deliveries).records.iter().cloned().collect()
}

/// Applies a settings update; `Err` names the bad field.
pub fn update_settings(state: &SimState, u: &SettingsUpdate) -> Result<RuntimeSettings, String> {
    let mut s = lock(&state.runtime);
    if let Some(t) = u.time_scale {
        if t < 1.0 {
            return Err("timeScale must be >= 1".into());
        }
        s.time_scale = t;
    }
    if let Some(p) = u.media_pace {
        if !(p > 0.0 && p <= 1000.0) {
            return Err("mediaPace must be in (0, 1000]".into());
        }
        s.media_pace = p;
    }
    if let Some(seed) = u.seed {
        s.seed = seed;
    }
    if let Some(r) = u.queue_ring_ms {
        s.queue_ring_ms = r;
    }
    Ok(s.clone())
}

/// Blacklists a subscription now; returns its SubscriptionInfo, `None` if unknown.
pub fn blacklist_subscription(state: &SimState, id: &str, reason: &str) -> Option<Value> {
    let mut store = lock(&state.subscriptions);
    let s = store.by_id.get_mut(id)?;
    s.blacklist(reason);
    Some(s.json(&state.base_url))
}

/// Sets a device's status; `false` if unknown.
pub fn set_device_status(state: &SimState, device_id: &str, status: DeviceStatus) -> bool {
    let mut m = lock(&state.device_status);
    match m.get_mut(device_id) {
        Some(s) => {
            *s = status;
            true
        }
        None => false,
    }
}

fn bad_request(msg: String) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({"error": msg}))).into_response()
}

async fn get_account(State(state): State<Arc<SimState>>) -> Response {
    Json(json!(state.account)).into_response()
}

async fn get_destinations(State(state): State<Arc<SimState>>) -> Response {
    let v: Vec<Value> = state
        .catalog
        .all()
        .iter()
        .map(|d| json!({"id": d.id, "name": d.name, "number": d.number, "timeZone": d.time_zone}))
        .collect();
    Json(v).into_response()
}

async fn get_calls(State(state): State<Arc<SimState>>) -> Response {
    Json(calls(&state)).into_response()
}

async fn get_call(State(state): State<Arc<SimState>>, Path(id): Path<String>) -> Response {
    match call(&state, &id) {
        Some(t) => Json(t).into_response(),
        None => ApiError::not_found("telephonySessionId").into_response(),
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WebhookQuery {
    subscription_id: Option<String>,
    telephony_session_id: Option<String>,
}

async fn get_webhooks(
    State(state): State<Arc<SimState>>,
    Query(q): Query<WebhookQuery>,
) -> Response {
    let v: Vec<DeliveryRecord> = deliveries(&state)
        .into_iter()
        .filter(|r| {
            q.subscription_id
                .as_ref()
                .is_none_or(|s| *s == r.subscription_id)
        })
        .filter(|r| {
            q.telephony_session_id
                .as_ref()
                .is_none_or(|s| *s == r.telephony_session_id)
        })
        .collect();
    Json(v).into_response()
}

async fn get_faults(State(state): State<Arc<SimState>>) -> Response {
    let f = lock(&state.faults);
    Json(json!({"webhooks": f.webhook(), "endpoints": f.endpoint_faults()})).into_response()
}

async fn put_webhook_faults(
    State(state): State<Arc<SimState>>,
    Json(u): Json<WebhookFaultsUpdate>,
) -> Response {
    for p in [
        u.faults.duplicate_probability,
        u.faults.reorder_probability,
        u.faults.delay_probability,
        u.faults.drop_probability,
    ] {
        if !(0.0..=1.0).contains(&p) {
            return bad_request("probabilities must be in [0, 1]".into());
        }
    }
    let mut f = lock(&state.faults);
    f.set_webhook(u.faults, u.seed);
    Json(f.webhook().clone()).into_response()
}

async fn post_endpoint_fault(
    State(state): State<Arc<SimState>>,
    Json(e): Json<EndpointFault>,
) -> Response {
    let mut f = lock(&state.faults);
    f.add_endpoint_fault(e);
    Json(f.endpoint_faults().to_vec()).into_response()
}

async fn delete_endpoint_faults(State(state): State<Arc<SimState>>) -> Response {
    lock(&state.faults).clear_endpoint_faults();
    StatusCode::NO_CONTENT.into_response()
}

async fn post_blacklist(
    State(state): State<Arc<SimState>>,
    Path(id): Path<String>,
    body: Option<Json<Value>>,
) -> Response {
    let reason = body
        .as_ref()
        .and_then(|b| b.get("reason"))
        .and_then(Value::as_str)
        .unwrap_or("Webhook responses with code: [503], reason: [Service Unavailable]")
        .to_string();
    match blacklist_subscription(&state, &id, &reason) {
        Some(v) => Json(v).into_response(),
        None => ApiError::not_found("subscriptionId").into_response(),
    }
}

async fn get_settings(State(state): State<Arc<SimState>>) -> Response {
    Json(lock(&state.runtime).clone()).into_response()
}

async fn put_settings(
    State(state): State<Arc<SimState>>,
    Json(u): Json<SettingsUpdate>,
) -> Response {
    match update_settings(&state, &u) {
        Ok(s) => Json(s).into_response(),
        Err(e) => bad_request(e),
    }
}

async fn put_rate_limits(
    State(state): State<Arc<SimState>>,
    Json(c): Json<RateLimitConfig>,
) -> Response {
    if c.window_ms == 0 {
        return bad_request("window_ms must be >= 1".into());
    }
    lock(&state.rate).set_config(c.clone());
    Json(c).into_response()
}

#[derive(Debug, Deserialize)]
struct DeviceStatusBody {
    status: DeviceStatus,
}

async fn put_device_status(
    State(state): State<Arc<SimState>>,
    Path(id): Path<String>,
    Json(b): Json<DeviceStatusBody>,
) -> Response {
    if set_device_status(&state, &id, b.status) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        ApiError::not_found("deviceId").into_response()
    }
}

/// The admin router (mounted at the root; all paths start with `/sim/admin`).
pub fn router() -> axum::Router<Arc<SimState>> {
    use axum::routing::{get, post, put};
    axum::Router::new()
        .route("/sim/admin/account", get(get_account))
        .route("/sim/admin/destinations", get(get_destinations))
        .route("/sim/admin/calls", get(get_calls))
        .route("/sim/admin/calls/{id}", get(get_call))
        .route("/sim/admin/webhooks", get(get_webhooks))
        .route("/sim/admin/faults", get(get_faults))
        .route("/sim/admin/faults/webhooks", put(put_webhook_faults))
        .route(
            "/sim/admin/faults/endpoints",
            post(post_endpoint_fault).delete(delete_endpoint_faults),
        )
        .route(
            "/sim/admin/subscriptions/{id}/blacklist",
            post(post_blacklist),
        )
        .route("/sim/admin/settings", get(get_settings).put(put_settings))
        .route("/sim/admin/rate-limits", put(put_rate_limits))
        .route("/sim/admin/devices/{id}/status", put(put_device_status))
}
